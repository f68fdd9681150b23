"""The arbitration committee's agenda and minutes: data in, dicts out.

The agenda lists each initiative once, however many of its escalations are open (weightiest first, then
oldest), with its pre-read (its last check-ins, the decision needed and its options) and three buttons:
Record decision, Defer to next committee, Open status. An item is three blocks whose block_ids hold the
initiative's id, so that a click can rewrite that item alone in the message it is in, and a revision after
a `~` once rewritten (Slack: "block_id should be unique for each message and each iteration of a message.
If a message is updated, use a new block_id"); action_ids carry the id too, so that they are unique in the
message, not only in their block as Slack requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_date

from bot.i18n import DEFAULT, t
from bot.views import ids
from bot.views.blocks import (
    LOCALES,
    MAX_BLOCKS_MESSAGE,
    MESSAGE_TEXT_BUDGET,
    clip,
    context,
    escape,
    fit_message,
    header,
    kpi_text,
    plain,
    section,
    status_badge,
    text_size,
)
from bot.views.digest import split_blocks
from bot.views.escalation import MAX_MORE_REASON, MAX_MORE_REASONS, MAX_TITLE, decision_text, rule_name
from storage.models import CheckIn, Decision, Escalation, EscalationState

MAX_ITEM_REASON = 600  # each escalation's reason on the agenda: the item's section stays within 3,000
MAX_NEEDED = 600
MAX_COMMENT = 200
PREREAD_CHECKINS = 3


@dataclass(frozen=True)
class AgendaItem:
    """One initiative on the agenda, with every escalation of it that was open when the agenda was built."""

    initiative_id: int
    title: str
    kpi_unit: str | None
    escalations: Sequence[Escalation]  # weightiest first
    recent: Sequence[CheckIn] = ()  # newest first: the pre-read
    age_days: int = 0  # of its oldest escalation
    decision_needed: str = ""  # from the initiative's latest check-in
    options: str = ""
    decision: Decision | None = None  # taken in this committee, from the agenda
    deferred_to: datetime | None = None  # when every open escalation went to a later committee: its meeting


def meeting_words(instant: datetime, lang: str = DEFAULT, *, with_time: bool = True) -> str:
    """ "Tuesday 1 December 2026 at 10:00 (Europe/Paris)": `instant` as it is in its own time zone."""
    day = format_date(instant, "EEEE d MMMM y", locale=LOCALES.get(lang, LOCALES[DEFAULT]))  # CLDR's names
    if not with_time:
        return day
    return t("committee.date", lang, day=day, time=f"{instant:%H:%M}", zone=str(instant.tzinfo))


def agenda_messages(
    month: str, items: Sequence[AgendaItem], lang: str = DEFAULT, *, meeting: datetime | None = None
) -> list[dict[str, Any]]:
    """The agenda as messages: the first for the channel, the rest for its thread; an item is never cut
    between two messages."""
    head: list[dict[str, Any]] = [header(t("committee.header", lang, month=month))]
    if meeting is not None:
        head.append(section(t("committee.agenda.meeting", lang, when=meeting_words(meeting, lang))))
    if not items:
        head.append(section(t("committee.empty", lang)))
        units = [head]
    else:
        head.append(section(t("committee.agenda.intro", lang, count=len(items))))
        units = [head, *(item_blocks(n, item, lang) for n, item in enumerate(items, start=1))]
        units.append([context(t("committee.agenda.how", lang))])
    text = t("committee.agenda.text", lang, month=month, count=len(items))
    return in_parts_whole(units, text, lang)


def item_blocks(
    number: int, item: AgendaItem, lang: str = DEFAULT, revision: int = 0
) -> list[dict[str, Any]]:
    """An item's blocks: what is at stake, the pre-read, and the buttons that make sense now."""
    key = str(item.initiative_id)
    block = f"{key}~{revision}" if revision else key
    lines = [
        t(
            "committee.agenda.item",
            lang,
            number=number,
            title=escape(clip(item.title, MAX_TITLE)),
            days=item.age_days,
        )
    ]
    for escalation in item.escalations:
        reason = escape(clip(" ".join(escalation.reason.split()), MAX_ITEM_REASON))
        if escalation.opened_by:
            reason = t("esc.by_hand", lang, user=escape(escalation.opened_by), reason=reason)
        for more in escalation.more_reasons[-MAX_MORE_REASONS:]:  # later reasons of the same escalation
            more_reason = escape(clip(" ".join(str(more.get("reason", "")).split()), MAX_MORE_REASON))
            who = escape(str(more.get("user", "")))
            reason += "\n   " + t("esc.reason.more", lang, user=who, reason=more_reason)
        state = _state(escalation, lang)
        rule = rule_name(escalation.rule, lang)
        lines.append(t("committee.agenda.reason", lang, rule=rule, state=state, reason=reason))
    if item.decision_needed:
        lines.append(t("esc.needed", lang, decision=escape(clip(item.decision_needed, MAX_NEEDED))))
    if item.options:
        lines.append(t("esc.options", lang, options=escape(clip(item.options, MAX_NEEDED))))
    if item.decision is not None:
        lines.append(t("committee.agenda.decided", lang, decision=decision_text(item.decision, lang)))
    elif all(e.state in (EscalationState.DECIDED, EscalationState.RESOLVED) for e in item.escalations):
        lines.append(t("committee.agenda.closed", lang))
    elif item.deferred_to is not None:
        lines.append(t("committee.agenda.deferred", lang, when=meeting_words(item.deferred_to, lang)))
    checkins = [
        t(
            "committee.agenda.checkin",
            lang,
            cycle=checkin.cycle,
            status=status_badge(checkin.status, lang),
            kpi=escape(kpi_text(checkin.kpi_value, item.kpi_unit)),
            comment=t(
                "committee.agenda.comment", lang, comment=escape(clip(checkin.comment or "", MAX_COMMENT))
            )
            if (checkin.comment or "").strip()
            else "",
        )
        for checkin in item.recent[:PREREAD_CHECKINS]
    ]
    preread = "\n".join(checkins) or t("committee.agenda.no_checkin", lang)
    blocks = [
        {**section("\n".join(lines)), "block_id": f"{ids.COMMITTEE_ITEM_BLOCK}{block}"},
        {
            **section(t("committee.agenda.preread", lang, lines=preread)),
            "block_id": f"{ids.COMMITTEE_PREREAD_BLOCK}{block}",
        },
    ]
    buttons = _buttons(item, lang)
    blocks.append(
        {"type": "actions", "block_id": f"{ids.COMMITTEE_ACTIONS_BLOCK}{block}", "elements": buttons}
    )
    return blocks


def _state(escalation: Escalation, lang: str) -> str:
    if escalation.state == EscalationState.SCHEDULED and escalation.scheduled_for:
        return t("committee.scheduled", lang, committee=escalation.scheduled_for)
    if escalation.acknowledged_by:
        return t("committee.acknowledged", lang, user=escape(escalation.acknowledged_by))
    return t("committee.unacknowledged", lang)


def _buttons(item: AgendaItem, lang: str) -> list[dict[str, Any]]:
    key = str(item.initiative_id)
    still_open = item.decision is None and any(
        e.state not in (EscalationState.DECIDED, EscalationState.RESOLVED) for e in item.escalations
    )
    wanted: list[tuple[str, str, str | None]] = []
    if still_open:
        wanted.append((ids.COMMITTEE_DECIDE, "committee.button.decide", "primary"))
        if item.deferred_to is None:
            wanted.append((ids.COMMITTEE_DEFER, "committee.button.defer", None))
    wanted.append((ids.COMMITTEE_STATUS, "committee.button.status", None))
    buttons = []
    for prefix, label, style in wanted:
        button: dict[str, Any] = {
            "type": "button",
            "action_id": f"{prefix}{key}",
            "text": plain(t(label, lang), 75),
            "value": key,
        }
        if style:
            button["style"] = style
        buttons.append(button)
    return buttons


def replace_item(message: dict[str, Any], item: AgendaItem, lang: str = DEFAULT) -> dict[str, Any]:
    """`message` (an agenda part as posted, or as last rewritten) with `item` rewritten in place: its number
    kept, its block_ids at their next revision, everything else untouched. The message unchanged when the
    item is not in it."""
    kept = list(message.get("blocks") or [])
    spots = [n for n, block in enumerate(kept) if _item_of(block) == item.initiative_id]
    if not spots:
        return message
    first = kept[spots[0]]
    head = str(first.get("block_id", ""))
    revision = int(head.rpartition("~")[2]) + 1 if "~" in head else 1
    text = str((first.get("text") or {}).get("text", "")).lstrip("*").split(".", 1)[0]
    number = int(text) if text.isdigit() else 1
    blocks = item_blocks(number, item, lang, revision)
    return fit_message({**message, "blocks": [*kept[: spots[0]], *blocks, *kept[spots[-1] + 1 :]]})


ITEM_PREFIXES = (ids.COMMITTEE_ITEM_BLOCK, ids.COMMITTEE_PREREAD_BLOCK, ids.COMMITTEE_ACTIONS_BLOCK)


def _item_of(block: dict[str, Any]) -> int | None:
    """The initiative an item's block is about (its block_id: prefix, id, maybe `~revision`)."""
    block_id = str(block.get("block_id", ""))
    for prefix in ITEM_PREFIXES:
        if block_id.startswith(prefix):
            key = block_id.removeprefix(prefix).partition("~")[0]
            return int(key) if key.isdigit() else None
    return None


def in_parts_whole(units: Sequence[Sequence[dict[str, Any]]], text: str, lang: str) -> list[dict[str, Any]]:
    """Groups of blocks packed, in order and never cut, into messages within Slack's limits (the first
    for the channel, the rest for its thread), each numbered "part n of m" when there are several."""
    budget = MESSAGE_TEXT_BUDGET - 100  # room for the "part n of m" label
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 0
    for unit in units:
        unit_size = text_size(list(unit))
        if chunks[-1] and (len(chunks[-1]) + len(unit) > MAX_BLOCKS_MESSAGE - 1 or size + unit_size > budget):
            chunks.append([])
            size = 0
        chunks[-1].extend(unit)
        size += unit_size
    if len(chunks) > 1:
        chunks = [
            [*chunk, context(t("committee.part", lang, number=number, total=len(chunks)))]
            for number, chunk in enumerate(chunks, start=1)
        ]
    return [fit_message({"text": text, "blocks": chunk}) for chunk in chunks]


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


# -- the minutes ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MinutesEntry:
    title: str
    decision: Decision


def minutes_messages(
    month: str,
    entries: Sequence[MinutesEntry],
    deferred: Sequence[str],
    lang: str = DEFAULT,
    *,
    meeting: datetime,
) -> list[dict[str, Any]]:
    """The decisions taken in the committee of `month`, with who decided and the follow-ups; what it
    deferred in one line."""
    units: list[list[dict[str, Any]]] = [
        [
            header(t("committee.minutes.header", lang, month=month)),
            section(
                t(
                    "committee.minutes.intro",
                    lang,
                    when=meeting_words(meeting, lang, with_time=False),
                    count=len(entries),
                )
            ),
        ]
    ]
    for number, entry in enumerate(entries, start=1):
        title = escape(clip(entry.title, MAX_TITLE))
        body = decision_text(entry.decision, lang)
        units.append([section(t("committee.minutes.item", lang, number=number, title=title, decision=body))])
    if deferred:
        titles = ", ".join(escape(clip(title, MAX_TITLE)) for title in deferred)
        units.append([context(t("committee.minutes.deferred", lang, titles=titles))])
    text = t("committee.minutes.text", lang, month=month, count=len(entries))
    return in_parts_whole(units, text, lang)
