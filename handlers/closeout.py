"""The quarter's close-out: the review's button opens the modal, each submission records one initiative and
shows the next. Only admins (the strategy office) may act, decided from Slack on every request."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import ack_now, deps_of, lang_of
from bot.i18n import t
from bot.portfolio.closeout import Refused
from bot.rituals.review import closeout_form, submit_closeout
from bot.views import ids
from bot.views.review import InvalidCloseout, read_closeout


def open_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    deps, user, lang = deps_of(context), body["user"]["id"], lang_of(context)
    quarter = str(action.get("value") or "")
    if not _is_quarter(quarter):
        _refuse(respond, "closeout.error.gone", lang)
        return
    try:
        view = closeout_form(
            deps.engine, deps.settings, client, quarter=quarter, user=user, now=deps.clock(), lang=lang
        )
    except Refused as refused:
        _refuse(respond, refused.key, lang)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """In the ack: Slack shows a field's error only from it, and the next initiative replaces this one."""
    deps = deps_of(context)
    try:
        form = read_closeout(view)
    except InvalidCloseout as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    try:
        following = submit_closeout(
            deps.engine, deps.settings, client, form=form, user=body["user"]["id"], now=deps.clock()
        )
    except Refused as refused:
        ack(response_action="errors", errors={ids.CLOSEOUT_INITIATIVE_BLOCK: t(refused.key, form.lang)})
        return
    ack(response_action="update", view=following)
    deps.outbox_ready.set()


def register(app: App) -> None:
    app.action(ids.CLOSEOUT_OPEN)(ack=ack_now, lazy=[open_clicked])
    app.view(ids.CLOSEOUT_MODAL)(submitted)


def _is_quarter(value: str) -> bool:
    return len(value) == 7 and value[:4].isdigit() and value[4:6] == "-Q" and value[6] in "1234"


def _refuse(respond: Respond, key: str, lang: str) -> None:
    respond(text=t(key, lang), response_type="ephemeral", replace_original=False)
