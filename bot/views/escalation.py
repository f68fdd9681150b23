"""The escalation alert, the decision modal, the decision DM and the decision log: data in, dicts out."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.escalation import Finding, Rule
from bot.domain.portfolio import CLOSED_ESCALATIONS, RaciMember
from bot.i18n import DEFAULT, t
from bot.views import ids
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    MAX_VIEW_TITLE,
    MESSAGE_TEXT_BUDGET,
    clip,
    context,
    escape,
    fit_message,
    header,
    input_block,
    kpi_text,
    mrkdwn,
    plain,
    section,
    status_badge,
    take_within,
    text_size,
)
from bot.views.checkin import InvalidForm, metadata_id, read_metadata
from bot.views.portfolio import raci_text
from storage.models import CheckIn, Decision, Escalation, EscalationState, Initiative, RaciLetter

MAX_TITLE = 140
MAX_REASON = 1200
MAX_MORE_REASONS, MAX_MORE_REASON = 3, 300  # the latest later reasons: the section stays within 3,000
MAX_DECISION = 2000  # what the modal accepts for the decision and for its rationale
MAX_DECISIONS_SHOWN = 20
# The alert's sections, so that a decided alert keeps its decision within the message's text budget
MAX_WHY_SECTION, MAX_RACI_SECTION, MAX_NEEDED_SECTION = 2500, 1200, 2000
RESERVED_TEXT = 1_000  # of an answer's text budget: its title and its "…and N more" line


@dataclass(frozen=True)
class AlertData:
    escalation: Escalation
    initiative: Initiative
    recent: Sequence[CheckIn]  # newest first
    raci: Mapping[RaciLetter, Sequence[RaciMember]]
    decision: Decision | None = None


@dataclass(frozen=True)
class DecisionForm:
    escalation_id: int
    decision: str
    rationale: str | None
    follow_up_owner: str | None
    follow_up_due: date | None
    where: tuple[str, str] | None  # the alert the modal was opened from: (channel, ts)
    lang: str = DEFAULT


def when(instant: datetime) -> str:
    """A date Slack shows in each reader's own time zone."""
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} {{time}}|{instant:%Y-%m-%d %H:%M} UTC>"


def rule_name(rule: str, lang: str = DEFAULT) -> str:
    return t(f"esc.rule.{rule}", lang)


def alert_message(data: AlertData, lang: str = DEFAULT) -> dict[str, Any]:
    """The alert in the leadership channel: what happened, the history, who owns it, what is needed,
    where it stands, and the buttons that make sense now."""
    escalation, initiative = data.escalation, data.initiative
    reason = escape(clip(escalation.reason, MAX_REASON))
    if escalation.opened_by:
        reason = t("esc.by_hand", lang, user=escape(escalation.opened_by), reason=reason)
    for more in escalation.more_reasons[-MAX_MORE_REASONS:]:
        more_reason = escape(clip(more["reason"], MAX_MORE_REASON))
        reason += "\n" + t("esc.reason.more", lang, user=escape(more["user"]), reason=more_reason)
    blocks: list[dict[str, Any]] = [
        header(t("esc.header", lang, title=clip(initiative.title, MAX_TITLE))),
        _section(t("esc.why", lang, rule=rule_name(escalation.rule, lang), reason=reason), MAX_WHY_SECTION),
    ]
    lines = [
        t(
            "esc.history_line",
            lang,
            cycle=checkin.cycle,
            status=status_badge(checkin.status, lang),
            kpi=escape(kpi_text(checkin.kpi_value, initiative.kpi_unit, lang)),
            confidence=f"{checkin.confidence}/5" if checkin.confidence else "–",
        )
        for checkin in data.recent
    ]
    blocks.append(section(t("esc.history", lang, lines="\n".join(lines) or t("esc.history_none", lang))))
    blocks.append(
        _section(
            t(
                "esc.raci",
                lang,
                r=raci_text(data.raci.get(RaciLetter.RESPONSIBLE, ()), lang),
                a=raci_text(data.raci.get(RaciLetter.ACCOUNTABLE, ()), lang),
                c=raci_text(data.raci.get(RaciLetter.CONSULTED, ()), lang),
                i=raci_text(data.raci.get(RaciLetter.INFORMED, ()), lang),
            ),
            MAX_RACI_SECTION,
        )
    )
    latest = data.recent[0] if data.recent else None
    if latest is not None and (latest.decision_needed or "").strip():
        needed = t("esc.needed", lang, decision=escape(clip(latest.decision_needed or "", MAX_REASON)))
        if (latest.decision_options or "").strip():
            needed += "\n" + t(
                "esc.options", lang, options=escape(clip(latest.decision_options or "", MAX_REASON))
            )
        blocks.append(_section(needed, MAX_NEEDED_SECTION))
    if data.decision is not None:
        blocks.append(section(decision_text(data.decision, lang)))
    blocks.append(context("\n".join(_state_lines(data, lang))))
    buttons = _buttons(escalation, lang)
    if buttons:
        blocks.append(
            {"type": "actions", "block_id": f"{ids.ESC_ACTIONS_BLOCK}{escalation.id}", "elements": buttons}
        )
    # the notification text is parsed for mentions too: escaped like the blocks
    text = t(
        "esc.text",
        lang,
        title=escape(clip(initiative.title, MAX_TITLE)),
        rule=rule_name(escalation.rule, lang),
    )
    return fit_message({"text": text, "blocks": blocks})


def _state_lines(data: AlertData, lang: str) -> list[str]:
    escalation = data.escalation
    lines = [t("esc.state.opened", lang, when=when(escalation.opened_at))]
    if escalation.level >= 1:
        accountable = data.raci.get(RaciLetter.ACCOUNTABLE, ())
        lines.append(t("esc.state.level1", lang, who=raci_text(accountable, lang)))
    if escalation.level >= 2:
        lines.append(t("esc.state.level2", lang))
    if escalation.acknowledged_by and escalation.acknowledged_at:
        lines.append(
            t(
                "esc.state.acknowledged",
                lang,
                user=escape(escalation.acknowledged_by),
                when=when(escalation.acknowledged_at),
            )
        )
    elif escalation.state == EscalationState.OPEN:
        lines.append(t("esc.state.waiting", lang, deadline=when(escalation.sla_deadline)))
    if escalation.scheduled_for:
        lines.append(t("esc.state.scheduled", lang, committee=escalation.scheduled_for))
    if escalation.state in CLOSED_ESCALATIONS and escalation.closed_at:
        if escalation.closed_by:
            key = f"esc.state.{EscalationState(escalation.state).value}"
            lines.append(t(key, lang, user=escape(escalation.closed_by), when=when(escalation.closed_at)))
        else:
            lines.append(t("esc.state.auto_resolved", lang, when=when(escalation.closed_at)))
    return lines


BUTTONS = {  # which buttons each state offers
    EscalationState.OPEN: (ids.ESC_ACKNOWLEDGE, ids.ESC_SCHEDULE, ids.ESC_DECIDE, ids.ESC_RESOLVE),
    EscalationState.ACKNOWLEDGED: (ids.ESC_SCHEDULE, ids.ESC_DECIDE, ids.ESC_RESOLVE),
    EscalationState.SCHEDULED: (ids.ESC_DECIDE, ids.ESC_RESOLVE),
}
BUTTON_TEXT = {
    ids.ESC_ACKNOWLEDGE: "esc.button.acknowledge",
    ids.ESC_SCHEDULE: "esc.button.schedule",
    ids.ESC_DECIDE: "esc.button.decide",
    ids.ESC_RESOLVE: "esc.button.resolve",
}


def _buttons(escalation: Escalation, lang: str) -> list[dict[str, Any]]:
    buttons = []
    for action_id in BUTTONS.get(escalation.state, ()):
        button: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "text": plain(t(BUTTON_TEXT[action_id], lang), 75),
            "value": str(escalation.id),
        }
        if action_id == ids.ESC_DECIDE:
            button["style"] = "primary"
        buttons.append(button)
    return buttons


def _section(text: str, limit: int) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text, limit)}


def decision_text(decision: Decision, lang: str = DEFAULT) -> str:
    lines = [
        t(
            "esc.decision",
            lang,
            user=escape(decision.decided_by),
            decision=escape(clip(decision.decision, MAX_DECISION)),
        )
    ]
    if decision.rationale:
        lines.append(t("esc.rationale", lang, rationale=escape(clip(decision.rationale, MAX_REASON))))
    if decision.follow_up_owner or decision.follow_up_due:
        owner = (
            f"<@{escape(decision.follow_up_owner)}>" if decision.follow_up_owner else t("esc.nobody", lang)
        )
        due = decision.follow_up_due.isoformat() if decision.follow_up_due else "–"
        lines.append(t("esc.follow_up", lang, owner=owner, due=due))
    return "\n".join(lines)


def decision_dm(initiative: Initiative, decision: Decision, lang: str = DEFAULT) -> dict[str, Any]:
    title = escape(clip(initiative.title, MAX_TITLE))
    return fit_message(
        {
            "text": t("esc.dm.text", lang, title=title, decision=escape(clip(decision.decision, 200))),
            "blocks": [section(t("esc.dm.intro", lang, title=title)), section(decision_text(decision, lang))],
        }
    )


def level_reply(level: int, who: Sequence[str], hours: int, lang: str = DEFAULT) -> dict[str, Any]:
    """The thread reply that re-escalates an alert nobody acknowledged: it mentions the next people."""
    mentions = ", ".join(f"<@{escape(user)}>" for user in who)
    if level == 1:
        text = (
            t("esc.level1", lang, who=mentions, hours=hours)
            if who
            else t("esc.level1_nobody", lang, hours=hours)
        )
    else:
        text = t("esc.level2", lang, who=mentions, hours=hours)
    return fit_message({"text": text, "blocks": [section(text)]})


# -- the decision modal -----------------------------------------------------------------------------------
def decision_modal(
    escalation: Escalation, initiative: Initiative, *, where: tuple[str, str] | None, lang: str = DEFAULT
) -> dict[str, Any]:
    metadata = {"escalation_id": escalation.id, "where": list(where) if where else None, "lang": lang}
    title = escape(clip(initiative.title, MAX_TITLE))
    return {
        "type": "modal",
        "callback_id": ids.ESC_DECISION_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": plain(t("esc.modal.title", lang), MAX_VIEW_TITLE),
        "submit": plain(t("esc.modal.submit", lang), MAX_VIEW_TITLE),
        "close": plain(t("esc.modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": [
            section(t("esc.modal.about", lang, title=title, rule=rule_name(escalation.rule, lang))),
            _text_input(
                ids.ESC_DECISION_BLOCK, ids.ESC_DECISION_ACTION, t("esc.modal.decision", lang), optional=False
            ),
            _text_input(
                ids.ESC_RATIONALE_BLOCK,
                ids.ESC_RATIONALE_ACTION,
                t("esc.modal.rationale", lang),
                optional=True,
            ),
            input_block(
                ids.ESC_OWNER_BLOCK,
                t("esc.modal.owner", lang),
                {"type": "users_select", "action_id": ids.ESC_OWNER_ACTION},
            ),
            input_block(
                ids.ESC_DUE_BLOCK,
                t("esc.modal.due", lang),
                {"type": "datepicker", "action_id": ids.ESC_DUE_ACTION},
            ),
        ],
    }


def _text_input(block_id: str, action_id: str, label: str, *, optional: bool) -> dict[str, Any]:
    element = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": MAX_DECISION,
    }
    return input_block(block_id, label, element, optional=optional)


def read_decision(view: dict[str, Any], today: date) -> DecisionForm:
    """The decision a submitted modal holds, or InvalidForm: no decision, or a follow-up due in the past."""
    metadata = read_metadata(view)
    lang = str(metadata.get("lang", DEFAULT))
    values = view["state"]["values"]

    def value(block: str, action: str, key: str = "value") -> Any:
        return (values.get(block, {}).get(action) or {}).get(key)

    decision = (value(ids.ESC_DECISION_BLOCK, ids.ESC_DECISION_ACTION) or "").strip()
    rationale = (value(ids.ESC_RATIONALE_BLOCK, ids.ESC_RATIONALE_ACTION) or "").strip() or None
    owner = value(ids.ESC_OWNER_BLOCK, ids.ESC_OWNER_ACTION, "selected_user") or None
    picked = value(ids.ESC_DUE_BLOCK, ids.ESC_DUE_ACTION, "selected_date")
    errors = {}
    if not decision:
        errors[ids.ESC_DECISION_BLOCK] = t("esc.modal.error_decision", lang)
    due = date.fromisoformat(picked) if picked else None
    if due is not None and due < today:
        errors[ids.ESC_DUE_BLOCK] = t("esc.modal.error_past", lang)
    escalation_id = metadata_id(metadata.get("escalation_id"))
    if escalation_id is None:  # metadata Baton never wrote
        errors[ids.ESC_DECISION_BLOCK] = t("esc.gone", lang)
    if errors:
        raise InvalidForm(errors)
    assert escalation_id is not None
    where = _where(metadata.get("where"))
    return DecisionForm(
        escalation_id,
        decision[:MAX_DECISION],
        rationale[:MAX_DECISION] if rationale else None,
        owner,
        due,
        where,
        lang,
    )


# -- /okr decisions ---------------------------------------------------------------------------------------
def decisions_message(
    rows: Sequence[tuple[Decision, Initiative]], *, quarter: str | None, lang: str = DEFAULT
) -> dict[str, Any]:
    """The decision log, newest first, clipped to what one ephemeral message holds."""
    title = t("decisions.title_quarter", lang, quarter=quarter) if quarter else t("decisions.title", lang)
    if not rows:
        return {
            "response_type": "ephemeral",
            "text": title,
            "blocks": [section(f"*{title}*"), context(t("decisions.empty", lang))],
        }
    room = min(MAX_DECISIONS_SHOWN, MAX_BLOCKS_MESSAGE - 3)
    blocks = [section(f"*{title}*")]
    entries = []
    for decision, initiative in rows[:room]:
        head = t(
            "decisions.line",
            lang,
            title=escape(clip(initiative.title, MAX_TITLE)),
            when=when(decision.decided_at),
            committee=t("decisions.committee", lang, committee=decision.committee)
            if decision.committee
            else "",
        )
        entries.append(section(f"{head}\n{decision_text(decision, lang)}"))
    shown = take_within([text_size(entry) for entry in entries], MESSAGE_TEXT_BUDGET - RESERVED_TEXT)
    blocks += entries[:shown]
    if len(rows) > shown:
        blocks.append(context(t("decisions.more_narrow", lang, count=len(rows) - shown)))
    return fit_message({"response_type": "ephemeral", "text": title, "blocks": blocks})


def reason_text(finding: Finding, unit: str | None, lang: str = DEFAULT) -> str:
    """What a rule saw, as a sentence (stored as the escalation's reason, in the workspace's language)."""
    facts = dict(finding.facts)
    if finding.rule == Rule.PROJECTION_MISS:
        facts.update(
            projected=kpi_text(facts["projected"], unit, lang),
            target=kpi_text(facts["target"], unit, lang),
            due=facts["due"].isoformat(),
        )
    if finding.rule == Rule.SILENT and not facts.get("last"):
        return t("esc.reason.silent_never", lang, **facts)
    return t(f"esc.reason.{finding.rule}", lang, **facts)


def _where(value: object) -> tuple[str, str] | None:
    """Where the modal's metadata says the alert is; only a hint, checked against where Baton posted it."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value):
        return value[0], value[1]
    return None
