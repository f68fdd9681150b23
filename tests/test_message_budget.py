"""Slack's undocumented budget of text per message (`msg_blocks_too_long`, about 12,000 characters):
every message Baton builds fits MESSAGE_TEXT_BUDGET, cut with an ellipsis and never inside an entity."""

from __future__ import annotations

import re

import pytest

from bot.i18n import LANGUAGES
from bot.sandbox.blockkit import MESSAGE_BLOCKS_TEXT, message_problem
from bot.views.blocks import (
    MAX_NOTIFICATION_TEXT,
    MESSAGE_TEXT_BUDGET,
    clip,
    escape,
    fit_blocks,
    section,
    text_size,
)
from tests.adversarial_surfaces import MANY, messages

BROKEN_ENTITY = re.compile(r"&[a-z]{1,4}…")  # `&am…`: a raw `&` before the cut is plain text
OPEN_ANGLE = re.compile(r"<[^>]*$")


def every_text(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "text" and isinstance(v, str)] + [
            t for k, v in node.items() if k != "text" or not isinstance(v, str) for t in every_text(v)
        ]
    if isinstance(node, list):
        return [t for v in node for t in every_text(v)]
    return []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_fits_the_budget_and_the_fake_accepts_it(lang: str) -> None:
    names = []
    for name, message in messages(lang):
        names.append(name)
        assert text_size(message["blocks"]) <= MESSAGE_TEXT_BUDGET, name
        assert len(message["text"]) <= MAX_NOTIFICATION_TEXT, name
        assert message_problem(message["text"], message["blocks"]) is None, name
        for text in every_text(message):
            assert not BROKEN_ENTITY.search(text), (name, text[-40:])
            for line in text.split("\n"):
                assert not OPEN_ANGLE.search(line), (name, line[-60:])
    assert {"prompt", "confirmation", "alert_decided", "decisions", "who", "list", "digest_1"} <= set(names)


def test_the_fake_refuses_blocks_whose_text_adds_up_past_slack_limit() -> None:
    blocks = [section("x" * 2_900) for _ in range(5)]  # each within 3,000, 14,500 in all
    assert text_size(blocks) > MESSAGE_BLOCKS_TEXT
    assert message_problem("fallback", blocks) == "msg_blocks_too_long"
    fitted = fit_blocks(blocks)
    assert text_size(fitted) <= MESSAGE_TEXT_BUDGET and message_problem("fallback", fitted) is None
    assert fitted[-1]["text"]["text"].endswith("…")


@pytest.mark.parametrize("text", ["R&D " * 50, "<!channel> " * 50, "<@U0VICTIM1> & " * 40, "é🚀<>&" * 60])
def test_a_cut_never_leaves_a_broken_entity_or_mention(text: str) -> None:
    escaped = escape(text)
    for limit in range(2, 120):
        cut = clip(escaped, limit)
        assert len(cut) <= limit and cut.endswith("…")
        assert not BROKEN_ENTITY.search(cut), cut
        body = cut.removesuffix("…")
        assert escaped.startswith(body)
        assert body.count("&") == len(re.findall(r"&(amp|lt|gt);", body)), cut
    mention = "<@U0VICTIM1> <!channel> " * 10
    for limit in range(2, 120):
        assert not OPEN_ANGLE.search(clip(mention, limit).removesuffix("…")), clip(mention, limit)


def test_the_monday_dm_lists_what_fits_and_its_notification_is_short() -> None:
    from bot.views.prompt import PromptItem, prompt_message

    items = [PromptItem(i, None) for i in MANY[:22]]
    message = prompt_message(cycle="2026-W48", owner="U0OWNER001", recipient="U0OWNER001", items=items)
    shown = [b for b in message["blocks"] if str(b.get("block_id", "")).startswith("prompt_actions:")]
    assert 0 < len(shown) < 22 and f"{22 - len(shown)} more" in str(message["blocks"])
    assert len(message["text"]) <= MAX_NOTIFICATION_TEXT and "12 more" in message["text"]
