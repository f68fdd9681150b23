"""What a click carries, read the same way by every surface's listeners: none of it is trusted for who
may act, only for what the person clicked."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from bot.escalations import Refusal
from bot.i18n import t


def number(action: dict[str, Any]) -> int | None:
    """A button's value as the number Baton put there (an id, a page); None for anything else."""
    value = str(action.get("value") or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def where(body: dict[str, Any]) -> tuple[str, str] | None:
    """The message the click says it was on: (channel, ts), to be compared with what Baton posted."""
    container = body.get("container") or {}
    if container.get("channel_id") and container.get("message_ts"):
        return str(container["channel_id"]), str(container["message_ts"])
    return None


def refuse(respond: Respond, refusal: Refusal, lang: str) -> None:
    """Why not, to the clicker only."""
    respond(text=t(refusal.key, lang, **refusal.values), response_type="ephemeral", replace_original=False)
