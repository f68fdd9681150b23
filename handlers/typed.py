"""What people type, checked at the door, before any listener reads it.

Two characters Slack carries must not go further. A NUL byte (pasted from a file) cannot be stored by
PostgreSQL, so the save would fail after the modal had closed as saved: it is refused under its field, on
every database alike. Bidirectional override controls make a title or a comment read in another order
than it is stored ("Trojan Source"): they are dropped, as `baton import` drops them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.deps import deps_of
from bot.i18n import t
from bot.people import speaks
from handlers.errors import language_of

NUL = "\x00"
# Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI); the plain marks LRM/RLM stay.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
TYPED = ("plain_text_input", "number_input", "email_text_input", "url_text_input")


def typed_input(context: BoltContext, request: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
    body = request.body
    if "command" in body:
        text = str(body.get("text") or "")
        if NUL in text:
            refusal = {"response_type": "ephemeral", "text": _refusal(body, context)}
            return BoltResponse(status=200, body=refusal)
        body["text"] = text.translate(BIDI_CONTROLS)
    view = body.get("view") or {}
    for state in (body.get("state"), view.get("state")):
        refused = _clean(state.get("values") or {}) if isinstance(state, dict) else []
        if refused and body.get("type") == "view_submission":
            errors = dict.fromkeys(refused, _refusal(body, context))
            return BoltResponse(status=200, body={"response_action": "errors", "errors": errors})
    next()
    return None


def _clean(values: dict[str, Any]) -> list[str]:
    """Drop the bidi controls from every typed value; the blocks whose value holds a NUL byte (emptied
    of it everywhere but a submission, which is refused instead)."""
    refused = []
    for block_id, actions in values.items():
        for element in actions.values() if isinstance(actions, dict) else ():
            if not isinstance(element, dict) or element.get("type") not in TYPED:
                continue
            typed = element.get("value")
            if isinstance(typed, str):
                if NUL in typed:
                    refused.append(block_id)
                element["value"] = typed.replace(NUL, "").translate(BIDI_CONTROLS)
    return refused


def _refusal(body: dict[str, Any], context: BoltContext) -> str:
    lang = language_of(body, context)
    if "command" in body:  # no modal to read a language from: the person's own, if the database answers
        with suppress(SQLAlchemyError):
            lang = speaks(deps_of(context).engine, str(body.get("user_id")))
    return t("typed.nul", lang)
