"""Block Kit builders, checked with the same limits Slack enforces (bot/sandbox/blockkit.py). No database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.portfolio import Details
from bot.sandbox.blockkit import message_problem, view_problem
from bot.views import ids
from bot.views.blocks import clip, escape
from bot.views.checkin import InvalidForm, UpdateForm, checkin_confirmation, read_update, update_modal
from bot.views.help import help_message
from handlers.commands import HELP
from storage.models import CheckIn, CheckInSource, Initiative, Status

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OWNER = "U0OWNER001"
HOSTILE = "Done <!channel> see <https://evil.example|click> & <!here> <@U0VICTIM1>"


def initiative(ident: int = 7, title: str = "Déploiement ERP phase 2", **fields: Any) -> Initiative:
    return Initiative(
        id=ident,
        objective_id=1,
        title=title,
        title_key=title.lower(),
        created_at=NOW,
        updated_at=NOW,
        **fields,
    )


def checkin(initiative_id: int = 7, comment: str | None = None, **fields: Any) -> CheckIn:
    values: dict[str, Any] = {"cycle": "2026-W48", "author": OWNER, "status": Status.AT_RISK}
    values.update(fields)
    return CheckIn(
        initiative_id=initiative_id,
        comment=comment,
        source=CheckInSource.MODAL,
        submitted_at=NOW,
        **values,
    )


def texts(node: Any) -> Iterator[str]:
    """Every `text` string anywhere in a message or view, including the notification text."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "text" and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def assert_no_live_markup(message: dict[str, Any]) -> None:
    """No text could ping a channel or render a link the user did not mean Baton to send."""
    for text in texts(message):
        assert "<!" not in text, text
        assert "<http" not in text, text
        assert "<@U0VICTIM1>" not in text, text


def input_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def submitted(
    *,
    metadata: dict[str, Any] | None = None,
    picked: int | None = None,
    status: str | None = "at_risk",
    kpi: str | None = "12,5",
    comment: str | None = "Cutover moved to Friday",
    **texts: str | None,
) -> dict[str, Any]:
    """A view as Slack sends it in a view_submission, unset fields as Slack sends them (null)."""
    values: dict[str, Any] = {
        ids.STATUS_BLOCK: {
            ids.STATUS_ACTION: {
                "type": "radio_buttons",
                "selected_option": {"text": {"type": "plain_text", "text": status}, "value": status}
                if status
                else None,
            }
        },
        ids.KPI_BLOCK: {ids.KPI_ACTION: {"type": "plain_text_input", "value": kpi}},
        ids.COMMENT_BLOCK: {ids.COMMENT_ACTION: {"type": "plain_text_input", "value": comment}},
    }
    for block, value in texts.items():  # e.g. progress="60", confidence="4": the details, as typed
        if block == ids.CONFIDENCE_BLOCK:
            chosen = {"value": value} if value else None
            values[block] = {ids.CONFIDENCE_ACTION: {"type": "static_select", "selected_option": chosen}}
        else:
            values[block] = {f"{block}_input": {"type": "plain_text_input", "value": value}}
    if metadata is None:
        option = {"text": {"type": "plain_text", "text": "x"}, "value": str(picked)} if picked else None
        values[ids.INITIATIVE_BLOCK] = {
            ids.INITIATIVE_ACTION: {"type": "static_select", "selected_option": option}
        }
    return {
        "type": "modal",
        "callback_id": ids.UPDATE_MODAL,
        "private_metadata": json.dumps(metadata or {}),
        "state": {"values": values},
    }


# --- help -----------------------------------------------------------------------------------------


def test_help_lists_every_subcommand() -> None:
    message = help_message(HELP)
    assert message_problem(message["text"], message["blocks"]) is None
    assert message["response_type"] == "ephemeral"
    body = "\n".join(texts(message["blocks"]))
    subcommands = [line.split("`")[1].split()[1] for line in body.splitlines() if line.startswith("• `/okr ")]
    assert subcommands == [
        "update",
        "status",
        "list",
        "who",
        "digest",
        "escalate",
        "decisions",
        "new",
        "edit",
        "role",
        "import",
        "settings",
        "archive",
        "help",
    ]
    assert "`/okr list [mine | team NAME | quarter 2026-Q4]`" in body
    assert "don't know" not in body
    assert message["text"].startswith("Baton: /okr update [initiative], /okr status initiative, /okr list")
    french = "\n".join(texts(help_message(HELP, lang="fr")["blocks"]))
    assert "créer une initiative avec son KPI et son RACI (admins)" in french


def test_help_for_an_unknown_subcommand_escapes_what_was_typed() -> None:
    message = help_message(HELP, unknown="<!channel> frobnicate")
    assert message_problem(message["text"], message["blocks"]) is None
    assert "I don't know `/okr &lt;!channel&gt; frobnicate`" in message["blocks"][0]["text"]["text"]
    assert_no_live_markup(message)


def test_help_for_a_very_long_unknown_subcommand_stays_within_limits() -> None:
    message = help_message(HELP, unknown="x" * 5000)
    assert message_problem(message["text"], message["blocks"]) is None
    assert message["blocks"][0]["text"]["text"].endswith("…")


# --- the update modal -----------------------------------------------------------------------------


def test_modal_for_one_initiative_carries_its_id_and_has_no_picker() -> None:
    view = update_modal(
        initiative(42, kpi_name="Taux d'adoption", kpi_unit="%", kpi_current=35, kpi_target=100)
    )
    assert view_problem(view) is None
    assert view["type"] == "modal"
    assert view["callback_id"] == ids.UPDATE_MODAL
    assert json.loads(view["private_metadata"]) == {"initiative_id": 42, "lang": "en"}
    inputs = input_blocks(view)
    assert ids.INITIATIVE_BLOCK not in inputs
    assert list(inputs) == [
        ids.STATUS_BLOCK,
        ids.KPI_BLOCK,
        ids.CONFIDENCE_BLOCK,
        ids.PROGRESS_BLOCK,
        ids.COMMENT_BLOCK,
        ids.NEXT_STEPS_BLOCK,
        ids.BLOCKERS_BLOCK,
        ids.DECISION_BLOCK,
        ids.DECISION_OPTIONS_BLOCK,
    ]
    assert inputs[ids.KPI_BLOCK]["label"]["text"] == "KPI value (%) — target 100 %"
    assert [o["value"] for o in inputs[ids.CONFIDENCE_BLOCK]["element"]["options"]] == list("12345")
    assert not any(
        "initial_option" in b["element"] or "initial_value" in b["element"] for b in inputs.values()
    )
    assert "Taux d'adoption: now 35 %, target 100 %" in json.dumps(view, ensure_ascii=False)
    statuses = [option["value"] for option in inputs[ids.STATUS_BLOCK]["element"]["options"]]
    assert statuses == ["on_track", "at_risk", "off_track"]


def test_modal_escapes_the_initiative_title() -> None:
    view = update_modal(initiative(title="ERP <!channel> <https://evil.example|click>"))
    assert view_problem(view) is None
    assert_no_live_markup(view)


@pytest.mark.parametrize("count", [1, 3, 100, 101, 250])
def test_modal_without_initiative_has_a_picker_of_at_most_100(count: int) -> None:
    choices = [initiative(n, f"Initiative {n:03d} " + "très long titre " * 20) for n in range(1, count + 1)]
    view = update_modal(None, choices)
    assert view_problem(view) is None
    assert json.loads(view["private_metadata"]) == {"lang": "en"}
    picker = input_blocks(view)[ids.INITIATIVE_BLOCK]["element"]
    assert picker["type"] == "static_select"
    assert picker["action_id"] == ids.INITIATIVE_ACTION
    options = picker["options"]
    assert len(options) == min(count, 100)
    assert [option["value"] for option in options] == [str(n) for n in range(1, len(options) + 1)]
    for n, option in enumerate(options, start=1):
        assert len(option["text"]["text"]) <= 75
        assert option["text"]["text"].startswith(f"Initiative {n:03d} très long")
        assert option["text"]["text"].endswith("…")


def test_modal_picker_keeps_short_titles_whole() -> None:
    view = update_modal(None, [initiative(1, "ERP"), initiative(2, "CRM")])
    options = input_blocks(view)[ids.INITIATIVE_BLOCK]["element"]["options"]
    assert [option["text"]["text"] for option in options] == ["ERP", "CRM"]


def test_modal_says_what_matched_nothing_escaped() -> None:
    view = update_modal(None, [initiative()], unmatched="<!channel> erp")
    assert view_problem(view) is None
    assert view["blocks"][0]["type"] == "context"
    assert "&lt;!channel&gt; erp" in view["blocks"][0]["elements"][0]["text"]
    assert_no_live_markup(view)


def test_modal_with_a_very_long_title_stays_within_limits() -> None:
    view = update_modal(initiative(title="É" * 5000, kpi_name="K" * 3000))
    assert view_problem(view) is None


# --- reading a submission -------------------------------------------------------------------------


def test_read_update_of_a_filled_modal() -> None:
    form = read_update(submitted(metadata={"initiative_id": 42}))
    assert form == UpdateForm(42, Status.AT_RISK, 12.5, "Cutover moved to Friday")


def test_read_update_from_the_picker() -> None:
    form = read_update(submitted(picked=9, status="on_track", kpi="1 250", comment=None))
    assert form == UpdateForm(9, Status.ON_TRACK, 1250, None)


@pytest.mark.parametrize(
    ("kpi", "value"), [(None, None), ("", None), ("  ", None), ("-3", -3.0), ("12", 12.0)]
)
def test_read_update_kpi_is_optional(kpi: str | None, value: float | None) -> None:
    assert read_update(submitted(metadata={"initiative_id": 1}, kpi=kpi)).kpi_value == value


def test_read_update_blank_comment_is_none() -> None:
    assert read_update(submitted(metadata={"initiative_id": 1}, comment="  \n ")).comment is None


@pytest.mark.parametrize(
    ("view", "fields"),
    [
        (submitted(metadata={"initiative_id": 1}, kpi="douze"), {ids.KPI_BLOCK}),
        (submitted(metadata={"initiative_id": 1}, kpi="12 jours"), {ids.KPI_BLOCK}),
        (submitted(metadata={"initiative_id": 1}, status=None), {ids.STATUS_BLOCK}),
        (submitted(picked=None), {ids.INITIATIVE_BLOCK}),
        (
            submitted(picked=None, status=None, kpi="douze"),
            {ids.INITIATIVE_BLOCK, ids.STATUS_BLOCK, ids.KPI_BLOCK},
        ),
    ],
    ids=["kpi-word", "kpi-with-unit", "no-status", "no-initiative", "all-at-once"],
)
def test_read_update_reports_each_bad_field(view: dict[str, Any], fields: set[str]) -> None:
    with pytest.raises(InvalidForm) as caught:
        read_update(view)
    assert set(caught.value.errors) == fields
    assert all(message.strip() for message in caught.value.errors.values())
    # Slack shows an error only under a block of the modal: each key must be one of its block ids
    modal = update_modal(None, [initiative()])
    assert fields <= set(input_blocks(modal))


def test_read_update_reads_every_detail() -> None:
    form = read_update(
        submitted(
            metadata={"initiative_id": 3},
            confidence="4",
            progress=" 60 % ",
            next_steps="Cutover",
            blockers="  ",
            decision_needed="Budget or scope?",
            decision_options="Budget +10 %\nScope -1 entity",
        )
    )
    assert form.details == Details(
        4, 60, "Cutover", None, "Budget or scope?", "Budget +10 %\nScope -1 entity"
    )


@pytest.mark.parametrize("progress", ["101", "-5", "sixty", "60.5"])
def test_read_update_refuses_a_progress_that_is_not_a_percentage(progress: str) -> None:
    with pytest.raises(InvalidForm) as caught:
        read_update(submitted(metadata={"initiative_id": 1}, progress=progress))
    assert set(caught.value.errors) == {ids.PROGRESS_BLOCK}
    assert "0 to 100" in caught.value.errors[ids.PROGRESS_BLOCK]


def test_read_update_wants_the_decision_when_options_are_given() -> None:
    with pytest.raises(InvalidForm) as caught:
        read_update(submitted(metadata={"initiative_id": 1}, decision_options="A or B"))
    assert set(caught.value.errors) == {ids.DECISION_BLOCK}


def test_next_week_the_modal_carries_what_lasts_but_not_last_weeks_words_nor_its_question() -> None:
    """Last week's status, KPI, confidence, progress, next steps and blockers carry over (one click); its
    highlights and its decision question do not (decided stays decided; the same words are typed again)."""
    previous = checkin(
        cycle="2026-W47",
        comment="Two entities left",
        kpi_value=62.5,
        confidence=3,
        progress=70,
        next_steps="Go live",
        blockers="Data migration",
        decision_needed="Delay?",
        decision_options="A\nB",
    )
    view = update_modal(initiative(kpi_unit="%"), previous=previous, cycle="2026-W48")
    initial = {
        block: element.get("initial_value") or element.get("initial_option", {}).get("value")
        for block, element in ((b, i["element"]) for b, i in input_blocks(view).items())
    }
    assert initial == {
        ids.STATUS_BLOCK: "at_risk",
        ids.KPI_BLOCK: "62.5",
        ids.CONFIDENCE_BLOCK: "3",
        ids.PROGRESS_BLOCK: "70",
        ids.COMMENT_BLOCK: None,
        ids.NEXT_STEPS_BLOCK: "Go live",
        ids.BLOCKERS_BLOCK: "Data migration",
        ids.DECISION_BLOCK: None,
        ids.DECISION_OPTIONS_BLOCK: None,
    }


def test_editing_this_weeks_answer_shows_all_of_it_so_an_unchanged_edit_is_one_click() -> None:
    previous = checkin(
        comment="Two entities left",
        kpi_value=62.5,
        confidence=3,
        progress=70,
        next_steps="Go live",
        blockers="Data migration",
        decision_needed="Delay?",
        decision_options="A\nB",
    )
    view = update_modal(initiative(kpi_unit="%"), previous=previous, cycle="2026-W48")
    inputs = input_blocks(view)
    initial = {
        block: element.get("initial_value") or element.get("initial_option", {}).get("value")
        for block, element in ((b, i["element"]) for b, i in inputs.items())
    }
    assert initial == {
        ids.STATUS_BLOCK: "at_risk",
        ids.KPI_BLOCK: "62.5",
        ids.CONFIDENCE_BLOCK: "3",
        ids.PROGRESS_BLOCK: "70",
        ids.COMMENT_BLOCK: "Two entities left",
        ids.NEXT_STEPS_BLOCK: "Go live",
        ids.BLOCKERS_BLOCK: "Data migration",
        ids.DECISION_BLOCK: "Delay?",
        ids.DECISION_OPTIONS_BLOCK: "A\nB",
    }
    # Submitting it untouched records the same answer again.
    state = {
        block: {
            element["action_id"]: {"selected_option": {"value": value}}
            if "options" in element
            else {"value": value}
        }
        for block, value, element in ((b, v, inputs[b]["element"]) for b, v in initial.items())
    }
    form = read_update({**view, "state": {"values": state}})
    assert (form.status, form.kpi_value, form.comment) == (Status.AT_RISK, 62.5, "Two entities left")
    assert form.details == Details(3, 70, "Go live", "Data migration", "Delay?", "A\nB")


def test_update_modal_with_maximal_inputs_stays_within_limits() -> None:
    long = "x" * 10_000
    previous = checkin(
        comment=long,
        next_steps=long,
        blockers=long,
        decision_needed=long,
        decision_options=long,
        kpi_value=1e15,
    )
    choices = [initiative(n, long) for n in range(300)]
    for view in (
        update_modal(initiative(title=long, kpi_name=long, kpi_unit="u" * 500), previous=previous),
        update_modal(None, choices, unmatched=long, previous=previous, lang="fr"),
    ):
        assert view_problem(view) is None
        for block in input_blocks(view).values():
            element = block["element"]
            assert len(element.get("initial_value", "")) <= element.get("max_length", 3000) <= 3000
            assert len(block["label"]["text"]) <= 2000


def test_the_kpi_error_says_what_to_type() -> None:
    with pytest.raises(InvalidForm) as caught:
        read_update(submitted(metadata={"initiative_id": 1}, kpi="douze"))
    assert "12,5" in caught.value.errors[ids.KPI_BLOCK]


# --- the confirmation -----------------------------------------------------------------------------


def test_confirmation_says_what_was_recorded() -> None:
    message = checkin_confirmation(
        initiative(title="Déploiement ERP phase 2", kpi_unit="%"), checkin(kpi_value=12.5, comment="On it")
    )
    assert message_problem(message["text"], message["blocks"]) is None
    body = "\n".join(texts(message["blocks"]))
    assert "Recorded your 2026-W48 update for *Déploiement ERP phase 2*" in body
    assert "At risk" in body
    assert "KPI 12.5 %" in body
    assert ">On it" in body
    assert message["text"].startswith("Recorded your 2026-W48 update for Déploiement ERP phase 2")


def test_confirmation_without_comment_has_no_quote() -> None:
    message = checkin_confirmation(initiative(), checkin(comment=None))
    assert len(message["blocks"]) == 2
    assert "KPI –" in message["blocks"][1]["text"]["text"]


def test_confirmation_escapes_user_text() -> None:
    hostile: dict[str, Any] = {
        name: HOSTILE for name in ("next_steps", "blockers", "decision_needed", "decision_options")
    }
    message = checkin_confirmation(
        initiative(title="ERP <!here>"), checkin(comment=HOSTILE + "\nline two", **hostile)
    )
    assert message_problem(message["text"], message["blocks"]) is None
    assert_no_live_markup(message)
    assert len(message["blocks"]) == 2 + 5
    quote = message["blocks"][2]["text"]["text"]
    assert quote == (
        "*Highlights*\n>Done &lt;!channel&gt; see &lt;https://evil.example|click&gt; &amp; &lt;!here&gt; "
        "&lt;@U0VICTIM1&gt;\n>line two"
    )


def test_confirmation_with_a_huge_comment_stays_within_limits() -> None:
    message = checkin_confirmation(initiative(title="T" * 4000), checkin(comment="<" * 3000))
    assert message_problem(message["text"], message["blocks"]) is None
    for block in message["blocks"]:
        assert len(block["text"]["text"]) <= 3000
    assert message["blocks"][-1]["text"]["text"].endswith("…")


def test_confirmation_shows_confidence_progress_and_notes_in_french() -> None:
    recorded = checkin(confidence=4, progress=60, next_steps="Bascule", decision_needed="Budget ?")
    body = "\n".join(texts(checkin_confirmation(initiative(), recorded, "fr")["blocks"]))
    assert "Confiance 4/5 · avancement 60 %" in body
    assert "*Prochaines étapes*\n>Bascule" in body and "*Décision attendue*\n>Budget ?" in body


# --- escape and clip ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<https://evil|click>", "&lt;https://evil|click&gt;"),
        ("R&D", "R&amp;D"),
        ("&lt;", "&amp;lt;"),  # already-escaped text is escaped again, not trusted
        ("plain * _text_ ~", "plain * _text_ ~"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


@pytest.mark.parametrize(
    ("text", "limit", "clipped"),
    [
        ("abc", 3, "abc"),
        ("abcd", 3, "ab…"),
        ("ab cd", 4, "ab…"),  # no dangling space before the ellipsis
        ("", 5, ""),
        ("é" * 80, 75, "é" * 74 + "…"),
    ],
)
def test_clip(text: str, limit: int, clipped: str) -> None:
    assert clip(text, limit) == clipped


@pytest.mark.parametrize("limit", [1, 2, 24, 75, 150, 3000])
def test_clip_never_exceeds_the_limit(limit: int) -> None:
    for length in (limit - 1, limit, limit + 1, limit * 3):
        result = clip("x y " * length, limit)
        assert len(result) <= limit


def test_the_settings_saved_modal_says_which_id_a_channel_name_was_stored_as() -> None:
    from bot.views.settings import settings_saved_view

    view = settings_saved_view("en", ["#comex (C0COMEX001)"])
    assert "#comex (C0COMEX001)" in json.dumps(view)
    assert len(settings_saved_view("en")["blocks"]) == 1  # nothing to say: no empty context line
