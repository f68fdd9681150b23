"""The arbitration committee's agenda: every open escalation, weightiest and oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import DEFAULT, t
from bot.views.blocks import clip, context, escape, fit_message, header, section
from bot.views.digest import split_blocks
from bot.views.escalation import MAX_REASON, MAX_TITLE, rule_name
from storage.models import Escalation, EscalationState


@dataclass(frozen=True)
class AgendaItem:
    escalation: Escalation
    title: str
    age_days: int
    decision_needed: str = ""  # from the initiative's latest check-in
    options: str = ""


def agenda_messages(month: str, items: Sequence[AgendaItem], lang: str = DEFAULT) -> list[dict[str, Any]]:
    """The agenda as messages: the first for the channel, the rest for its thread."""
    blocks: list[dict[str, Any]] = [header(t("committee.header", lang, month=month))]
    if not items:
        blocks.append(section(t("committee.empty", lang)))
    else:
        blocks.append(section(t("committee.intro", lang, count=len(items))))
        blocks += [_item(number, item, month, lang) for number, item in enumerate(items, start=1)]
        blocks.append(context(t("committee.how", lang)))
    return in_parts(blocks, t("committee.text", lang, month=month, count=len(items)), lang)


def in_parts(blocks: Sequence[dict[str, Any]], text: str, lang: str) -> list[dict[str, Any]]:
    """`blocks` as messages within Slack's limits (the first for the channel, the rest for its thread),
    each numbered "part n of m" when there are several."""
    chunks = split_blocks(blocks)
    if len(chunks) > 1:
        chunks = [
            [*chunk, context(t("committee.part", lang, number=number, total=len(chunks)))]
            for number, chunk in enumerate(chunks, start=1)
        ]
    return [fit_message({"text": text, "blocks": chunk}) for chunk in chunks]


def _item(number: int, item: AgendaItem, month: str, lang: str) -> dict[str, Any]:
    escalation = item.escalation
    if escalation.state == EscalationState.SCHEDULED and escalation.scheduled_for:
        state = t("committee.scheduled", lang, committee=escalation.scheduled_for)
    elif escalation.state == EscalationState.ACKNOWLEDGED and escalation.acknowledged_by:
        state = t("committee.acknowledged", lang, user=escape(escalation.acknowledged_by))
    else:
        state = t("committee.unacknowledged", lang)
    lines = [
        t(
            "committee.item",
            lang,
            number=number,
            title=escape(clip(item.title, MAX_TITLE)),
            rule=rule_name(escalation.rule, lang),
            days=item.age_days,
            state=state,
        ),
        f">{escape(clip(' '.join(escalation.reason.split()), MAX_REASON))}",
    ]
    if item.decision_needed:
        lines.append(t("esc.needed", lang, decision=escape(clip(item.decision_needed, MAX_REASON))))
    if item.options:
        lines.append(t("esc.options", lang, options=escape(clip(item.options, MAX_REASON))))
    return section("\n".join(lines))
