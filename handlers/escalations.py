"""The escalation alert's buttons and the decision modal. Who may act: admins and the initiative's
accountable people (A); anyone else is told, privately, who can."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import escalations
from bot.deps import ack_now, deps_of, lang_of, workspace_of_request
from bot.escalations import Refusal
from bot.views import ids
from bot.views.escalation import decision_modal
from handlers import buttons
from handlers.decision_modal import submitted as decision_modal_submitted

BUTTONS = {
    ids.ESC_ACKNOWLEDGE: "acknowledge",
    ids.ESC_SCHEDULE: "schedule",
    ids.ESC_RESOLVE: "resolve",
}


def clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Acknowledge, Schedule for committee, Resolve."""
    deps, user = deps_of(context), body["user"]["id"]
    escalation_id = buttons.number(action)
    if escalation_id is None:
        buttons.refuse(respond, Refusal("esc.gone", {}), lang_of(context))
        return
    refusal = escalations.act(
        deps.engine,
        deps.settings,
        client,
        workspace=workspace_of_request(context),
        action=BUTTONS[action["action_id"]],
        escalation_id=escalation_id,
        user=user,
        where=buttons.where(body),
        now=deps.clock(),
    )
    if refusal:
        buttons.refuse(respond, refusal, lang_of(context))
    else:
        deps.outbox_ready.set()


def decide_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    deps, user, lang = deps_of(context), body["user"]["id"], lang_of(context)
    escalation_id = buttons.number(action)
    if escalation_id is None:
        buttons.refuse(respond, Refusal("esc.gone", {}), lang)
        return
    found = escalations.decision_form_for(
        deps.engine, deps.settings, client, escalation_id=escalation_id, user=user
    )
    if isinstance(found, Refusal):
        buttons.refuse(respond, found, lang)
        return
    escalation, initiative = found
    client.views_open(
        trigger_id=body["trigger_id"],
        view=decision_modal(escalation, initiative, where=buttons.where(body), lang=lang),
    )


def decision_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    decision_modal_submitted(escalations.record_decision, ack, body, view, client, context)


def register(app: App) -> None:
    for action_id in BUTTONS:
        app.action(action_id)(ack=ack_now, lazy=[clicked])
    app.action(ids.ESC_DECIDE)(ack=ack_now, lazy=[decide_clicked])
    app.view(ids.ESC_DECISION_MODAL)(decision_submitted)
