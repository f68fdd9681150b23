"""The weekly digest as Slack messages: pure functions of `DigestData`.

The head says how the portfolio stands (counts and their change since last week, per department, status
changes, escalations and decisions, who has not answered, updates to double-check); then one section per
initiative with its KPI trend, its pace against the plan and a Details button. A digest too long for one
message is split into several — each within Slack's block count and its (undocumented, ~12k) budget of
text per message — posted in order, the first in the channel and the rest in its thread, each saying
"part n of m". Nothing is dropped: a section too long on its own is clipped with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.domain.digest import CLOSED, DigestData, Item, Missing, NotAsked, counts
from bot.domain.progress import Pace, sparkline
from bot.i18n import DEFAULT, MESSAGES, t
from bot.views import ids
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    MAX_SECTION_TEXT,
    MESSAGE_TEXT_BUDGET,
    NO_UPDATE_EMOJI,
    STATUS_EMOJI,
    STATUSES,
    clip,
    context,
    escape,
    fit_message,
    header,
    kpi_text,
    owner_text,
    plain,
    section,
    status_badge,
    status_label,
    text_size,
)
from storage.models import Delivery, Status

# Slack refuses a message whose blocks hold more text than about 12,000 characters (msg_blocks_too_long,
# undocumented): one budget for every message, see bot/views/blocks.py.
MAX_TEXT_MESSAGE = MESSAGE_TEXT_BUDGET
MAX_TITLE = 150
MAX_COMMENT = 280
MAX_FREE_TEXT = 300  # decisions, reasons: one line each
MAX_LINE = 1_000
MAX_UNDELIVERED_SHOWN = 10
ORDER: tuple[Status | None, ...] = (*STATUSES, None)


def digest_messages(data: DigestData, lang: str = DEFAULT) -> list[dict[str, Any]]:
    """The digest as messages (`text` + `blocks`): the first for the channel, the rest for its thread."""
    blocks = [*_head(data, lang), *_body(data, lang)]
    chunks = split_blocks(blocks)
    total = len(chunks)
    messages = []
    for number, chunk in enumerate(chunks, start=1):
        if total > 1:
            chunk = [*chunk, context(t("digest.part", lang, number=number, total=total))]
        text = (
            _fallback(data, lang)
            if number == 1
            else t("digest.fallback_part", lang, cycle=data.cycle, number=number, total=total)
        )
        messages.append(fit_message({"text": text, "blocks": chunk}))
    return messages


def preview_message(data: DigestData, lang: str = DEFAULT) -> dict[str, Any]:
    """`/okr digest`: the first message as the channel will see it, for the asker only."""
    messages = digest_messages(data, lang)
    blocks = messages[0]["blocks"]
    if len(messages) > 1:  # the "part 1 of n" label becomes "n - 1 more parts"
        blocks = [*blocks[:-1], context(t("digest.preview_more", lang, count=len(messages) - 1))]
    return fit_message({"response_type": "ephemeral", "text": messages[0]["text"], "blocks": blocks})


# -- the head -------------------------------------------------------------------------------------------


def _head(data: DigestData, lang: str) -> list[dict[str, Any]]:
    if data.department is None:
        title = t("digest.header", lang, cycle=data.cycle)
    else:
        department = _department(data.department, lang, mrkdwn=False)
        title = t("digest.team_header", lang, department=department, cycle=data.cycle)
    blocks = [header(title)]
    warning = [context(_undelivered(data.undelivered, lang))] if data.undelivered else []
    if not data.items:
        return [*blocks, section(t("digest.empty", lang)), *warning]
    summary = t("digest.total", lang, count=len(data.items), counts=_counts(data.items, lang))
    blocks.append(section(summary))
    departments = data.departments
    if data.department is None and (len(departments) > 1 or departments[0] is not None):
        lines = [
            t(
                "digest.department_line",
                lang,
                department=_department(department, lang),
                counts=_counts([i for i in data.items if i.department == department], lang),
            )
            for department in departments
        ]
        blocks += packed(t("digest.departments", lang), lines)
    changed = [item for item in data.items if item.changed]
    blocks += packed(
        t("digest.changes", lang, count=len(changed)),
        [
            t(
                "digest.change_line",
                lang,
                title=_title(item),
                before=_emoji(item.previous_status),
                after=_emoji(item.status),
            )
            for item in changed
        ]
        or [t("digest.no_changes", lang)],
    )
    attention = [*_escalation_lines(data, lang), *_decision_needed_lines(data.items, lang)]
    if attention:
        blocks += packed(t("digest.attention", lang, count=len(attention)), attention)
    if data.decisions:
        blocks += packed(t("digest.decisions", lang, count=len(data.decisions)), _decision_lines(data, lang))
    if data.missing:
        lines = [_missing_line(miss, len(data.trend_cycles), lang) for miss in data.missing]
        blocks += packed(t("digest.missing", lang, count=len(data.missing)), lines)
    else:
        blocks.append(section(t("digest.everyone", lang)))
    if data.not_asked:
        lines = [_not_asked_line(entry, lang) for entry in data.not_asked]
        blocks += packed(t("digest.not_asked", lang, count=len(data.not_asked)), lines)
    flagged = [item for item in data.items if item.flags]
    if flagged:
        lines = [
            t("digest.suspicious_line", lang, title=_title(item), why=_why(item, lang)) for item in flagged
        ]
        blocks += packed(t("digest.suspicious", lang, count=len(flagged)), lines)
    return [*blocks, *warning, {"type": "divider"}]


def _counts(items: Sequence[Item], lang: str) -> str:
    now, before = counts(items), counts(items, previous=True)
    parts = []
    for status in ORDER:
        if not now[status] and not before[status]:
            continue
        delta = now[status] - before[status]
        badge = status_badge(status, lang)
        if delta:
            sign = f"+{delta}" if delta > 0 else f"−{-delta}"
            parts.append(t("digest.count", lang, badge=badge, count=now[status], delta=sign))
        else:
            parts.append(t("digest.count_same", lang, badge=badge, count=now[status]))
    return " · ".join(parts)


def _escalation_lines(data: DigestData, lang: str) -> list[str]:
    lines = []
    for escalation in data.escalations:
        reason = escape(clip(" ".join(escalation.reason.split()), MAX_FREE_TEXT))
        lines.append(
            t(
                "digest.escalation_line",
                lang,
                title=escape(clip(escalation.title, MAX_TITLE)),
                rule=_known(f"digest.rule.{escalation.rule}", escalation.rule, lang),
                state=_known(f"digest.state.{escalation.state}", escalation.state, lang),
                cycle=escalation.cycle,
                reason=f": {reason}" if reason else "",
            )
        )
    return lines


def _decision_needed_lines(items: Iterable[Item], lang: str) -> list[str]:
    return [
        t("digest.decision_needed_line", lang, title=_title(item), text=_free(item.decision_needed))
        for item in items
        if item.decision_needed
    ]


def _decision_lines(data: DigestData, lang: str) -> list[str]:
    lines = []
    for decision in data.decisions:
        values = {
            "title": escape(clip(decision.title, MAX_TITLE)),
            "decision": _free(decision.decision),
            "by": escape(decision.decided_by),
            "date": f"{decision.decided_at:%Y-%m-%d}",
        }
        if decision.follow_up_owner or decision.follow_up_due:
            owner = f"<@{escape(decision.follow_up_owner)}>" if decision.follow_up_owner else "–"
            due = decision.follow_up_due.isoformat() if decision.follow_up_due else "–"
            lines.append(t("digest.decision_follow_up", lang, owner=owner, due=due, **values))
        else:
            lines.append(t("digest.decision_line", lang, **values))
    return lines


def _missing_line(miss: Missing, window: int, lang: str) -> str:
    titles = ", ".join(escape(clip(title, 80)) for title in miss.titles)
    user = escape(miss.user)
    if miss.streak <= 1:
        return t("digest.missing_line", lang, user=user, titles=titles)
    key = "digest.missing_streak_cap" if miss.streak >= window else "digest.missing_streak"
    return t(key, lang, user=user, titles=titles, count=miss.streak)


def _not_asked_line(entry: NotAsked, lang: str) -> str:
    return t("digest.not_asked_line", lang, user=escape(entry.user), why=t(f"unasked.{entry.why}", lang))


def _undelivered(deliveries: Sequence[Delivery], lang: str) -> str:
    items = "; ".join(
        t(
            "digest.undelivered_item",
            lang,
            kind=escape(d.kind),
            recipient=_recipient(d.channel),
            error=escape(d.error or t("digest.unknown_error", lang)),
        )
        for d in deliveries[:MAX_UNDELIVERED_SHOWN]
    )
    if len(deliveries) > MAX_UNDELIVERED_SHOWN:
        items = t("digest.undelivered_more", lang, items=items, count=len(deliveries) - MAX_UNDELIVERED_SHOWN)
    return t("digest.undelivered", lang, count=len(deliveries), items=items)


def _recipient(channel: str) -> str:
    return f"<@{escape(channel)}>" if channel.startswith(("U", "W")) else f"<#{escape(channel)}>"


# -- one section per initiative ---------------------------------------------------------------------------


def _body(data: DigestData, lang: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    show_departments = data.department is None and any(item.department for item in data.items)
    department: str | object | None = object()
    for item in data.items:
        if show_departments and item.department != department:
            department = item.department
            blocks.append(header(_department(item.department, lang, mrkdwn=False)))
        blocks.append(initiative_block(item, data.cycle, lang))
    return blocks


def initiative_block(item: Item, cycle: str, lang: str = DEFAULT) -> dict[str, Any]:
    """An initiative: status (and its change), owners, KPI against target with its trend and pace, last
    update, decision needed, flags; a Details button that answers with `/okr status` privately."""
    if item.changed:
        title = t(
            "digest.item.title_changed",
            lang,
            badge=status_badge(item.status, lang),
            title=_title(item),
            before=_emoji(item.previous_status),
            after=_emoji(item.status),
        )
    else:
        title = t("digest.item.title", lang, badge=status_badge(item.status, lang), title=_title(item))
    owners = ", ".join(owner_text(owner) for owner in item.owners) or t("digest.item.nobody", lang)
    lines = [title, t("digest.item.owners", lang, owners=owners)]
    if item.kpi_current is not None or item.kpi_target is not None:
        lines.append(_kpi_line(item, lang))
    latest = item.latest
    if latest is None:
        lines.append(t("digest.item.no_update", lang))
    else:
        last = t(
            "digest.item.last",
            lang,
            cycle=latest.cycle,
            author=escape(latest.author),
            status=status_label(latest.status, lang),
        )
        if item.missed and item.status not in CLOSED:
            last += " · " + t("digest.item.missed", lang, count=item.missed)
        lines.append(last)
        if latest.comment:
            lines.append("> " + _free(latest.comment, MAX_COMMENT))
    if item.decision_needed:
        lines.append(t("digest.item.decision", lang, text=_free(item.decision_needed)))
    if item.flags:
        lines.append(t("digest.item.flag", lang, why=_why(item, lang)))
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip("\n".join(lines), MAX_SECTION_TEXT)},
        "accessory": {
            "type": "button",
            "action_id": ids.DIGEST_DETAILS,
            "text": plain(t("digest.details", lang), 75),
            "value": str(item.id),
        },
    }


def _kpi_line(item: Item, lang: str) -> str:
    known = [value for value in item.trend if value is not None]
    line = t(
        "digest.item.kpi",
        lang,
        kpi=escape(clip(item.kpi_name or "KPI", 80)),
        current=_kpi(item.kpi_current, item),
        target=_kpi(item.kpi_target, item),
        trend=f"`{sparkline(item.trend)}`" if len(known) > 1 else "",
    ).rstrip()
    if item.answered and item.latest is not None and item.latest.carried:
        line += " · " + t("digest.item.carried", lang)  # a one-click week: no new number to judge
    elif item.pace is not Pace.UNKNOWN and item.planned_now is not None:
        line += " · " + t(f"digest.pace.{item.pace}", lang, planned=_kpi(item.planned_now, item))
    if item.projection is not None and item.due is not None and item.status not in CLOSED:
        line += " · " + t("digest.item.projection", lang, value=_kpi(item.projection, item), due=item.due)
    return line


# -- helpers -----------------------------------------------------------------------------------------------


def packed(heading: str, lines: Sequence[str]) -> list[dict[str, Any]]:
    """A heading and its lines in as few sections as the section text limit allows, none cut mid-line."""
    sections: list[str] = [heading]
    for line in lines:
        line = clip(line, MAX_LINE)
        if len(sections[-1]) + 1 + len(line) > MAX_SECTION_TEXT:
            sections.append(line)
        else:
            sections[-1] += "\n" + line
    return [section(text) for text in sections]


def split_blocks(blocks: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Blocks grouped, in order, into messages within Slack's limits, one block and some text to spare
    for the "part n of m" label."""
    budget = MAX_TEXT_MESSAGE - 100
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 0
    for block in blocks:
        block_size = text_size(block)
        if chunks[-1] and (len(chunks[-1]) >= MAX_BLOCKS_MESSAGE - 1 or size + block_size > budget):
            chunks.append([])
            size = 0
        chunks[-1].append(block)
        size += block_size
    return chunks


def _fallback(data: DigestData, lang: str) -> str:
    now = counts(data.items)
    tally = [
        t("digest.tally", lang, count=now[status], status=status_label(status, lang).lower())
        for status in STATUSES
        if now[status]
    ]
    if now[None]:
        tally.append(t("digest.tally_none", lang, count=now[None]))
    text = ", ".join(tally) or t("digest.fallback_empty", lang)
    if data.department is None:
        return t("digest.fallback", lang, cycle=data.cycle, tally=text)
    department = _department(data.department, lang)
    return t("digest.fallback_team", lang, department=department, cycle=data.cycle, tally=text)


def _title(item: Item) -> str:
    return escape(clip(item.title, MAX_TITLE))


def _free(text: str | None, limit: int = MAX_FREE_TEXT) -> str:
    """Free text a person typed, on one line, clipped, escaped."""
    return escape(clip(" ".join((text or "").split()), limit))


def _kpi(value: float | None, item: Item) -> str:
    return escape(kpi_text(value, item.kpi_unit))


def _emoji(status: Status | None) -> str:
    return STATUS_EMOJI[status] if status is not None else NO_UPDATE_EMOJI


def _department(department: str | None, lang: str, *, mrkdwn: bool = True) -> str:
    """A department's name: escaped for mrkdwn, as typed for plain text (a header)."""
    if not department:
        return t("digest.no_department", lang)
    return escape(clip(department, 80)) if mrkdwn else department


def _why(item: Item, lang: str) -> str:
    return "; ".join(t(f"digest.flag.{flag}", lang) for flag in item.flags)


def _known(key: str, fallback: str, lang: str) -> str:
    """A rule's or a state's name in `lang`, or its code when Baton has no name for it (yet)."""
    return t(key, lang) if key in MESSAGES else escape(fallback)
