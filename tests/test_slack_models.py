"""The independent check: every surface Baton builds, in both languages and fed hostile data, parsed and
validated by slack_sdk's own Block Kit models (`Block.parse`, `View`, `validate_json()`), beside the fake
Slack's checks (bot/sandbox/blockkit.py), which were written from the same reading of the docs as Baton."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.i18n import LANGUAGES
from bot.sandbox.blockkit import message_problem, view_problem
from tests.adversarial_surfaces import messages, views


def validated_blocks(name: str, blocks: list[dict[str, Any]]) -> None:
    for index, raw in enumerate(blocks):
        block = Block.parse(raw)
        assert block is not None, f"{name}: slack_sdk does not know block {index} {raw.get('type')}"
        block.validate_json()  # raises SlackObjectFormationError on any limit or shape Slack refuses
        assert block.to_dict()["type"] == raw["type"], name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_passes_slack_sdk_models(lang: str) -> None:
    seen = 0
    for name, message in messages(lang):
        validated_blocks(name, message["blocks"])
        assert message_problem(message["text"], message["blocks"]) is None, name
        seen += 1
    assert seen >= 30


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_view_passes_slack_sdk_models(lang: str) -> None:
    seen = 0
    for name, view in views(lang):
        View(**view).validate_json()
        validated_blocks(name, view["blocks"])
        assert view_problem(view) is None, name
        seen += 1
    assert seen >= 15


def test_the_models_do_refuse_what_slack_refuses() -> None:
    """The check above can fail: slack_sdk rejects a section past 3,000 characters and a long title."""
    from slack_sdk.errors import SlackObjectFormationError

    with pytest.raises(SlackObjectFormationError):
        validated_blocks("too long", [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    view: dict[str, Any] = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "x" * 25},
        "blocks": [{"type": "divider"}],
    }
    with pytest.raises(SlackObjectFormationError):
        View(**view).validate_json()
