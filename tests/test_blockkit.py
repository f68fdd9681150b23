"""The Block Kit checker itself: it must reject what Slack rejects, or the view tests prove nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.blockkit import message_problem, view_problem


def section(text: str = "hello", block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text} for text in texts]}


def select(options: int, block_id: str = "pick") -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": "Pick"},
        "element": {
            "type": "static_select",
            "action_id": "pick",
            "options": [
                {"text": {"type": "plain_text", "text": f"o{n}"}, "value": str(n)} for n in range(options)
            ],
        },
    }


def modal(
    blocks: list[dict[str, Any]] | None = None, title: str = "Weekly update", **extra: Any
) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": blocks or [], **extra}


# --- messages -------------------------------------------------------------------------------------


def test_a_plain_message_is_fine() -> None:
    assert message_problem("hello", None) is None
    assert message_problem(None, [section()]) is None


def test_a_message_needs_text_or_blocks() -> None:
    assert message_problem("", []) == "no_text"
    assert message_problem(None, None) == "no_text"


def test_message_text_length() -> None:
    assert message_problem("x" * 40_000, None) is None
    assert message_problem("x" * 40_001, None) == "msg_too_long"


@pytest.mark.parametrize(("count", "ok"), [(50, True), (51, False)])
def test_message_block_count(count: int, ok: bool) -> None:
    problem = message_problem("fallback", [section(f"n{n}") for n in range(count)])
    assert (problem is None) == ok
    if not ok:
        assert problem == "invalid_blocks: no more than 50 items allowed"


@pytest.mark.parametrize(
    ("block", "limit"),
    [(section, 3000), (header, 150), (context, 2000)],
    ids=["section", "header", "context"],
)
def test_text_limits(block: Any, limit: int) -> None:
    assert message_problem("t", [block("x" * limit)]) is None
    problem = message_problem("t", [section(), block("x" * (limit + 1))])
    assert problem is not None
    assert problem.startswith(f"invalid_blocks: must be less than {limit} characters")
    assert "/blocks/1" in problem  # the pointer names the offending block


def test_a_section_needs_text_or_fields() -> None:
    assert (
        message_problem("t", [section("")])
        == "invalid_blocks: must provide text or fields [json-pointer:/blocks/0]"
    )
    fields = {"type": "section", "fields": [{"type": "mrkdwn", "text": "a"}]}
    assert message_problem("t", [fields]) is None


@pytest.mark.parametrize("elements", [0, 11])
def test_context_element_count(elements: int) -> None:
    problem = message_problem("t", [context(*(["x"] * elements))])
    assert problem is not None
    assert problem.startswith("invalid_blocks: context needs 1-10 elements")
    assert message_problem("t", [context(*(["x"] * 10))]) is None


def test_duplicate_block_ids() -> None:
    assert message_problem("t", [section(block_id="a"), section(block_id="b")]) is None
    problem = message_problem("t", [section(block_id="a"), section(), section(block_id="a")])
    assert problem == "invalid_blocks: duplicate block_id [json-pointer:/blocks/2/block_id]"


# --- views ----------------------------------------------------------------------------------------


def test_a_small_modal_is_fine() -> None:
    assert view_problem(modal([section(), select(3)], submit={"type": "plain_text", "text": "Save"})) is None


@pytest.mark.parametrize("view", [None, {}, {"type": "message"}, []])
def test_a_view_must_be_a_modal_or_home(view: Any) -> None:
    assert view_problem(view) == "invalid_arguments: view.type must be modal or home"


@pytest.mark.parametrize(("count", "ok"), [(100, True), (101, False)])
def test_view_block_count(count: int, ok: bool) -> None:
    problem = view_problem(modal([section(f"n{n}") for n in range(count)]))
    assert (problem is None) == ok
    if not ok:
        assert problem == "invalid_blocks: no more than 100 items allowed"


def test_home_tab_allows_100_blocks_too() -> None:
    assert view_problem({"type": "home", "blocks": [section()] * 100}) is None
    assert view_problem({"type": "home", "blocks": [section()] * 101}) is not None


@pytest.mark.parametrize(("title", "ok"), [("x" * 24, True), ("x" * 25, False), ("", False)])
def test_modal_title_length(title: str, ok: bool) -> None:
    problem = view_problem(modal(title=title))
    assert (problem is None) == ok
    if not ok:
        assert problem == "invalid_arguments: title must be 1-24 characters"


@pytest.mark.parametrize("button", ["submit", "close"])
def test_modal_button_length(button: str) -> None:
    fits: dict[str, Any] = {button: {"type": "plain_text", "text": "x" * 24}}
    too_long: dict[str, Any] = {button: {"type": "plain_text", "text": "x" * 25}}
    assert view_problem(modal(**fits)) is None
    problem = view_problem(modal(**too_long))
    assert problem == f"invalid_arguments: {button} must be at most 24 characters"


def test_private_metadata_length() -> None:
    assert view_problem(modal(private_metadata="x" * 3000)) is None
    assert view_problem(modal(private_metadata="x" * 3001)) == (
        "invalid_arguments: private_metadata must be at most 3000 characters"
    )


def test_duplicate_block_ids_in_a_view() -> None:
    problem = view_problem(modal([select(2, "same"), select(2, "same")]))
    assert problem == "invalid_blocks: duplicate block_id [json-pointer:/blocks/1/block_id]"


@pytest.mark.parametrize(("options", "ok"), [(1, True), (100, True), (101, False), (0, False)])
def test_input_option_count(options: int, ok: bool) -> None:
    problem = view_problem(modal([select(options)]))
    assert (problem is None) == ok
    if not ok:
        assert problem == "invalid_blocks: options must hold 1-100 items [json-pointer:/blocks/0/element]"


def test_option_text_length() -> None:
    block = select(2)
    block["element"]["options"][1]["text"]["text"] = "x" * 75
    assert view_problem(modal([block])) is None
    block["element"]["options"][1]["text"]["text"] = "x" * 76
    problem = view_problem(modal([block]))
    assert problem is not None
    assert problem.startswith("invalid_blocks: option text")
    assert "75 characters" in problem
    assert "[json-pointer:/blocks/0" in problem


@pytest.mark.parametrize(
    "change",
    [
        lambda block: block.pop("element"),
        lambda block: block.update(label={"type": "plain_text", "text": ""}),
        lambda block: block.update(label={"type": "plain_text", "text": "x" * 2001}),
    ],
    ids=["no-element", "empty-label", "label-too-long"],
)
def test_input_needs_a_label_and_an_element(change: Any) -> None:
    block = select(2)
    change(block)
    assert view_problem(modal([block])) == (
        "invalid_blocks: input needs a label and an element [json-pointer:/blocks/0]"
    )


def test_the_first_problem_is_reported() -> None:
    blocks = [section("x" * 3001), section(block_id="a"), section(block_id="a")]
    assert view_problem(modal(blocks, title="x" * 30)) == "invalid_arguments: title must be 1-24 characters"
    problem = view_problem(modal(blocks))
    assert problem is not None
    assert "/blocks/0/" in problem  # the over-long section, not the later duplicate id
