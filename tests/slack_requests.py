"""Requests as Slack sends them: form-encoded payloads, signed with the app's signing secret."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = {"id": "T0BATON01", "domain": "baton"}
T = TypeVar("T")


def wait_for(predicate: Callable[[], T | Literal[False] | None], timeout: float = 30.0) -> T:
    """Work after ack() runs on Bolt's thread pool: wait for its effect rather than sleeping blindly. The
    timeout only bounds a failing test: a loaded machine makes a passing one slower, never red."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the app")


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


TRIGGER_PREFIX = "13345224609.738474920."


def new_trigger_id() -> str:
    """Slack gives every command, click and submission a trigger_id of its own: no two requests are the same
    bytes, and the same bytes again are a replay (which Baton ignores, bot/delivery/replays.py)."""
    return TRIGGER_PREFIX + secrets.token_hex(16)


def slash_command_body(text: str, *, user: str, response_url: str, trigger_id: str | None = None) -> str:
    """`/okr text` as Slack posts it: `&`, `<`, `>` typed in `text` arrive escaped, while the mentions Slack
    made of a picked person or channel (`<@U…|name>`, `<#C…|name>`; should_escape) arrive as they are."""
    text = slack_escaped(text)
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": "C0GENERAL1",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/okr",
            "text": text,
            "api_app_id": "A0BATON01",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


# A mention of a user or channel, as Slack writes one into a command's text (the manifest's should_escape).
SLACK_MENTION = re.compile(r"<[@#][UWCG][A-Z0-9]+(?:\|[^<>]*)?>")


def slack_escaped(text: str) -> str:
    """`text` as a person typed it, with the escaping Slack applies to a slash command's text."""
    parts = SLACK_MENTION.split(text)
    mentions = SLACK_MENTION.findall(text)
    escaped = [p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for p in parts]
    return "".join(x for pair in zip(escaped, [*mentions, ""], strict=True) for x in pair)


def view_submission_body(view: dict[str, Any], *, user: str, values: dict[str, dict[str, Any]]) -> str:
    """A view_submission of `view` (as Baton opened it) with the state a person filled in."""
    payload = {
        "type": "view_submission",
        "team": TEAM,
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0BATON01",
        "token": "legacy-verification-token",
        "trigger_id": new_trigger_id(),
        "view": {
            **view,
            "id": "V0UPDATE01",
            "team_id": TEAM["id"],
            "state": {"values": values},
            "hash": "156772938.1827394",
            "app_id": "A0BATON01",
            "bot_id": "B0BATON01",
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)})


def post_signed(base_url: str, body: str, **header_options: Any) -> httpx.Response:
    return httpx.post(
        f"{base_url}/slack/events", content=body, headers=signed_headers(body, **header_options), timeout=10
    )


def view_action_body(view: dict[str, Any], action: dict[str, Any], *, user: str, trigger_id: str) -> str:
    """A click on `action` (an element of `view`, e.g. a button of the App Home), as Slack posts it."""
    payload = {
        "type": "block_actions",
        "team": TEAM,
        "user": {"id": user, "username": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0BATON01",
        "token": "legacy-verification-token",
        "trigger_id": trigger_id,
        "container": {"type": "view", "view_id": view.get("id", "V0HOME")},
        "view": {"id": "V0HOME", **view},
        "actions": [{**action, "block_id": action.get("block_id", "b1"), "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)})
