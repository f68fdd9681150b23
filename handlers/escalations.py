"""The escalation alert's buttons and the decision modal. Who may act: admins and the initiative's
accountable people (A); anyone else is told, privately, who can."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import escalations
from bot.deps import Deps
from bot.domain.cycles import parse_quarter
from bot.escalations import Refusal
from bot.i18n import t
from bot.people import speaks
from bot.permissions import can_update, updaters
from bot.views import ids
from bot.views.blocks import escape
from bot.views.checkin import InvalidForm
from bot.views.escalation import decision_modal, decisions_message, read_decision
from bot.views.portfolio import notice
from bot.workspace import workspace_of
from bot.workspace.settings import current_cycle, load_cadence
from storage.db import session_scope

BUTTONS = {
    ids.ESC_ACKNOWLEDGE: "acknowledge",
    ids.ESC_SCHEDULE: "schedule",
    ids.ESC_RESOLVE: "resolve",
}


def register(app: App, deps: Deps) -> None:
    def clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        user = body["user"]["id"]
        refusal = escalations.act(
            deps.engine,
            deps.settings,
            client,
            action=BUTTONS[action["action_id"]],
            escalation_id=int(action["value"]),
            user=user,
            where=_where(body),
            now=deps.clock(),
        )
        if refusal:
            _refuse(respond, refusal, speaks(deps.engine, user))
        else:
            deps.outbox_ready.set()

    for action_id in BUTTONS:
        app.action(action_id)(clicked)

    @app.action(ids.ESC_DECIDE)
    def decide_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        user = body["user"]["id"]
        lang = speaks(deps.engine, user)
        found = escalations.decision_form_for(
            deps.engine, deps.settings, client, escalation_id=int(action["value"]), user=user
        )
        if isinstance(found, Refusal):
            _refuse(respond, found, lang)
            return
        escalation, initiative = found
        client.views_open(
            trigger_id=body["trigger_id"],
            view=decision_modal(escalation, initiative, where=_where(body), lang=lang),
        )

    @app.view(ids.ESC_DECISION_MODAL)
    def decision_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        now = deps.clock()
        try:
            form = read_decision(view, today=workspace_of(deps.engine, deps.settings).today(now))
        except InvalidForm as invalid:
            ack(response_action="errors", errors=invalid.errors)
            return
        refusal = escalations.record_decision(
            deps.engine, deps.settings, client, form=form, user=body["user"]["id"], now=now
        )
        if refusal:
            ack(
                response_action="errors",
                errors={ids.ESC_DECISION_BLOCK: t(refusal.key, form.lang, **refusal.values)},
            )
            return
        ack()
        deps.outbox_ready.set()


def _where(body: dict[str, Any]) -> tuple[str, str] | None:
    """The alert a button was clicked on: (channel, ts)."""
    container = body.get("container") or {}
    if container.get("channel_id") and container.get("message_ts"):
        return str(container["channel_id"]), str(container["message_ts"])
    return None


def _refuse(respond: Respond, refusal: Refusal, lang: str) -> None:
    respond(text=t(refusal.key, lang, **refusal.values), response_type="ephemeral", replace_original=False)


# -- `/okr escalate` and `/okr decisions`, called by the /okr dispatcher (handlers/commands.py) ------
def escalate_command(deps: Deps, client: WebClient, user: str, text: str, lang: str) -> dict[str, Any]:
    """Anyone who may update an initiative (its R and A people, admins) can escalate it by hand."""
    now = deps.clock()
    with session_scope(deps.engine) as session:
        matches, name, reason = escalations.initiative_and_reason(session, text)
        if not name or not reason:
            return notice(t("esc.usage", lang))
        if len(matches) != 1:
            titles = ", ".join(f"“{escape(m.title)}”" for m in matches[:10])
            key = "status.ambiguous" if matches else "status.not_found"
            return notice(t(key, lang, query=escape(name), titles=titles))
        initiative = matches[0]
        if not can_update(session, deps.settings, client, user, initiative.id or 0):
            who = updaters(session, initiative.id or 0).mentions() or t("esc.nobody", lang)
            return notice(t("esc.refused_escalate", lang, title=escape(initiative.title), who=who))
        channel = escalations.leadership_channel(session, deps.settings)
        if channel is None:
            return notice(t("esc.no_channel", lang))
        _, opened = escalations.escalate_by_hand(
            session,
            initiative=initiative,
            reason=reason,
            user=user,
            cycle=current_cycle(session, deps.settings, now),
            channel=channel,
            now=now,
        )
    deps.outbox_ready.set()
    shown = f"<#{channel}>" if channel.startswith("C") else channel
    key = "esc.escalated" if opened else "esc.escalated_again"
    return notice(t(key, lang, title=escape(initiative.title), channel=shown))


def decisions_command(deps: Deps, text: str, lang: str) -> dict[str, Any]:
    """The decision log, newest first; `2026-Q4` narrows it to a quarter."""
    try:
        quarter = parse_quarter(text) if text.strip() else None
    except ValueError:
        return notice(t("decisions.bad_quarter", lang, text=escape(text.strip())))
    with session_scope(deps.engine) as session:
        rows = escalations.decision_log(session, quarter, load_cadence(session, deps.settings).tz)
        return decisions_message(rows, quarter=quarter, lang=lang)
