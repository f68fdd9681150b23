"""The last resort. An unexpected error is logged by its type and where it happened (never the request's
body or what someone typed), and whoever asked is told that it did not work: in Slack's answer itself
when the ack had not gone yet (a modal keeps what they typed, with the reason under its first field),
and after the ack through the request's response_url, or a DM when it has none. Never a trace."""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.i18n import DEFAULT, LANGUAGES, t
from bot.logs import get_logger

log = get_logger(__name__)

# What a person asked for, and so may have lost; an event (the App Home opening) asked for nothing.
ASKED = ("block_actions", "view_submission", "shortcut", "message_action")


def on_error(error: Exception, request: BoltRequest, context: BoltContext) -> BoltResponse | None:
    body = request.body
    after_ack = bool(request.lazy_only)
    log.error(
        "listener.failed",
        kind=body.get("type") or body.get("command"),
        after_ack=after_ack,
        error=type(error).__name__,
        exc_info=error,
    )
    lang = language_of(body, context)
    text = t(failure_key(error), lang)
    if after_ack:
        _tell(body, context, text)
        return None
    if body.get("type") == "view_submission" and (block := _first_input(body.get("view") or {})):
        errors = {block: t("failure.modal", lang)}
        return BoltResponse(status=200, body={"response_action": "errors", "errors": errors})
    if body.get("command"):
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    return BoltResponse(status=500, body="")


def failure_key(error: Exception) -> str:
    """Which failure to tell: the database out of reach, Slack out of reach, or anything else."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return "failure.database"
    if isinstance(error, SlackApiError | OSError):
        return "failure.slack"
    return "failure.other"


def _tell(body: dict[str, Any], context: BoltContext, text: str) -> None:
    """After the ack: the response_url reaches the conversation the request came from; otherwise a DM."""
    user = context.user_id
    with suppress(SlackApiError, OSError):  # Slack out of reach too: the log line is all there is
        if context.response_url and context.respond is not None:
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif user and (body.get("command") or body.get("type") in ASKED):
            # Not through the outbox, on purpose: it lives in the database, which is often what failed.
            context.client.chat_postMessage(channel=user, text=text)
        return
    log.warning("listener.failure_untold", kind=body.get("type") or body.get("command"))


def language_of(body: dict[str, Any], context: BoltContext) -> str:
    """The reader's language when the middleware found it; a modal's own; else the default."""
    if context.get("lang") in LANGUAGES:
        return str(context["lang"])
    with suppress(ValueError, TypeError, AttributeError):
        lang = json.loads((body.get("view") or {}).get("private_metadata") or "{}").get("lang")
        if lang in LANGUAGES:
            return str(lang)
    return DEFAULT


def _first_input(view: dict[str, Any]) -> str | None:
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def register(app: App) -> None:
    app.error(on_error)
