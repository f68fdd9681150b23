"""The committee agenda's buttons (Record decision, Defer to next committee, Open status) and the decision
modal opened from it. Who may act: admins and the initiative's accountable people (A), checked in
bot/rituals/committee.py; anyone else is told, privately, who can."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import ack_now, deps_of, lang_of, workspace_of_request
from bot.escalations import Refusal
from bot.i18n import t
from bot.rituals import committee, digest
from bot.views import ids
from bot.views.committee import meeting_words
from handlers import buttons
from handlers.decision_modal import submitted as decision_modal_submitted


def decide_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    deps, lang = deps_of(context), lang_of(context)
    initiative_id = buttons.number(action)
    if initiative_id is None:
        buttons.refuse(respond, Refusal("esc.gone", {}), lang)
        return
    view = committee.decision_view(
        deps.engine,
        deps.settings,
        client,
        initiative_id=initiative_id,
        user=body["user"]["id"],
        where=buttons.where(body),
        lang=lang,
    )
    if isinstance(view, Refusal):
        buttons.refuse(respond, view, lang)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def defer_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    deps, lang = deps_of(context), lang_of(context)
    initiative_id = buttons.number(action)
    if initiative_id is None:
        buttons.refuse(respond, Refusal("esc.gone", {}), lang)
        return
    done = committee.defer(
        deps.engine,
        deps.settings,
        client,
        workspace=workspace_of_request(context),
        initiative_id=initiative_id,
        user=body["user"]["id"],
        where=buttons.where(body),
        now=deps.clock(),
    )
    if isinstance(done, Refusal):
        buttons.refuse(respond, done, lang)
        return
    deps.outbox_ready.set()
    text = t("committee.deferred", lang, title=done.title, when=meeting_words(done.committee, lang))
    respond(text=text, response_type="ephemeral", replace_original=False)


def status_clicked(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """The initiative's `/okr status`, for the one who clicked alone (what anyone may ask), as the
    digest's Details button answers; the agenda stays as Baton posted it."""
    answer = digest.details(deps_of(context).engine, buttons.number(action), lang_of(context))
    respond(**answer, replace_original=False)


def decision_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    decision_modal_submitted(committee.record_decision, ack, body, view, client, context)


def register(app: App) -> None:
    app.action(_starting(ids.COMMITTEE_DECIDE))(ack=ack_now, lazy=[decide_clicked])
    app.action(_starting(ids.COMMITTEE_DEFER))(ack=ack_now, lazy=[defer_clicked])
    app.action(_starting(ids.COMMITTEE_STATUS))(ack=ack_now, lazy=[status_clicked])
    app.view(ids.COMMITTEE_DECISION_MODAL)(decision_submitted)


def _starting(prefix: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(prefix) + r"\d+$")
