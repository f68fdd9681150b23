"""The weekly digest as Slack messages: pure functions of `DigestData`.

Exceptions first. The head message, in the channel, fits one screen however large the portfolio
(`SCREEN_PX`, measured by `height_px`): counts and their change since last week, what turned red, the
decisions needed, the escalations waiting (most urgent first), who was asked and has not answered, a line
for what is only counted, and the chart (an uploaded file in an image block). Every list shows its first
few and says how many more there are. The detail follows in the head's thread: one section per
initiative, by department, with its KPI trend, pace against the plan, its escalations and decisions and a
Details button, in as many messages as Slack's limits need (each within the block count and the
(undocumented, ~12k) text budget per message, "part n of m", each starting with its department's heading).
Nothing is dropped: a section too long on its own is clipped with an ellipsis.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Protocol, TypeVar

from bot.domain.digest import (
    CLOSED,
    DecisionTaken,
    DigestData,
    Item,
    Missing,
    OpenEscalation,
    Unasked,
    counts,
)
from bot.domain.progress import Pace, sparkline
from bot.i18n import DEFAULT, MESSAGES, t
from bot.views import ids
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    MAX_HEADER_TEXT,
    MAX_PLAIN_LABEL,
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
HEAD_LIST = 3  # lines a head list shows before "and N more"
HEAD_NAMES = 5  # names a head line shows before "and N more"
HEAD_LINE = 160  # characters of a head list line: one line on screen, most of the time
HEAD_TEXT = 80  # characters of free text (a decision needed) in the head
ORDER: tuple[Status | None, ...] = (*STATUSES, None)


class _OfInitiative(Protocol):
    @property
    def initiative_id(self) -> int: ...


T = TypeVar("T", bound=_OfInitiative)


def digest_messages(
    data: DigestData, lang: str = DEFAULT, chart: Chart | None = None
) -> list[dict[str, Any]]:
    """The digest as messages (`text` + `blocks`): the head for the channel, the detail for its thread.
    `chart` is the uploaded chart the head shows (None: no chart, e.g. it could not be drawn)."""
    parts = thread_parts(data, lang)
    head = head_blocks(data, lang, chart, thread=len(parts))
    messages = [fit_message({"text": _fallback(data, lang), "blocks": head})]
    for number, blocks in enumerate(parts, start=1):
        label = context(t("digest.part", lang, number=number, total=len(parts)))
        text = t("digest.fallback_part", lang, cycle=data.cycle, number=number, total=len(parts))
        messages.append(fit_message({"text": text, "blocks": [*blocks, label]}))
    return messages


def preview_message(data: DigestData, lang: str = DEFAULT) -> dict[str, Any]:
    """`/okr digest`: the head as the channel will see it, for the asker only; the chart is drawn and
    uploaded when the digest is posted, which the preview says instead of the thread note."""
    parts = thread_parts(data, lang)
    blocks = head_blocks(data, lang)
    if parts:
        blocks.append(context(t("digest.preview_more", lang, count=len(parts))))
    return fit_message({"response_type": "ephemeral", "text": _fallback(data, lang), "blocks": blocks})


# -- the head: one screen, exceptions first ----------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """The chart as an image block: a Slack file (uploaded first, never shared as a message of its own)."""

    file_id: str
    title: str
    alt_text: str


def head_blocks(
    data: DigestData, lang: str, chart: Chart | None = None, *, thread: int = 0
) -> list[dict[str, Any]]:
    """What needs leadership this week, within `SCREEN_PX` however large the portfolio: counts and their
    changes, what turned red, decisions needed, escalations waiting, who was asked and did not answer, then
    one line each for what is only counted, and the chart. Lists show their first `HEAD_LIST` items and
    say how many more the thread (of `thread` messages) holds."""
    if data.department is None:
        title = t("digest.header", lang, cycle=data.cycle)
    else:
        department = _department(data.department, lang, mrkdwn=False)
        title = t("digest.team_header", lang, department=department, cycle=data.cycle)
    blocks = [header(title)]
    warning = [context(_undelivered(data.undelivered, lang))] if data.undelivered else []
    if not data.items:
        return [*blocks, section(t("digest.empty", lang)), *warning]
    changed = [item for item in data.items if item.changed]
    summary = t("digest.total", lang, count=len(data.items), counts=_counts(data.items, lang))
    summary += "\n" + (
        t("digest.changes", lang, count=len(changed)) if changed else t("digest.no_changes", lang)
    )
    blocks.append(section(summary))
    red = [i for i in changed if i.status is Status.OFF_TRACK]
    if red:
        lines = [t("digest.red_line", lang, title=_title(i), before=_emoji(i.previous_status)) for i in red]
        blocks.append(section(_listed(t("digest.red", lang, count=len(red)), lines, lang)))
    needed = [item for item in data.items if item.decision_needed]
    if needed:
        lines = [
            t("digest.decision_needed_line", lang, title=_title(i), text=_free(i.decision_needed, HEAD_TEXT))
            for i in needed
        ]
        blocks.append(section(_listed(t("digest.decisions_needed", lang, count=len(needed)), lines, lang)))
    if data.escalations:
        urgent = sorted(data.escalations, key=lambda e: (-e.level, e.cycle))
        lines = [_escalation_line(e, lang) for e in urgent]
        heading = t("digest.escalations", lang, count=len(data.escalations))
        blocks.append(section(_listed(heading, lines, lang)))
    if data.missing:
        people = _names(
            [_missing_name(miss, len(data.trend_cycles), lang) for miss in data.missing], HEAD_NAMES, lang
        )
        blocks.append(section(t("digest.missing", lang, count=len(data.missing), people=people)))
    else:
        blocks.append(section(t("digest.everyone", lang)))
    counted = [*_counted_lines(data, lang)]
    if thread:
        counted.append(t("digest.thread_note", lang, count=thread))
    if counted:
        blocks.append(context("\n".join(counted)))
    if chart is not None:
        blocks.append(
            {
                "type": "image",
                "slack_file": {"id": chart.file_id},
                "alt_text": clip(chart.alt_text, MAX_PLAIN_LABEL),
                "title": plain(chart.title, MAX_HEADER_TEXT),
            }
        )
    return [*blocks, *warning]


def _counted_lines(data: DigestData, lang: str) -> Iterable[str]:
    """What the head only counts: the thread shows each on its initiative."""
    if data.not_asked:
        whys = Counter(entry.why for entry in data.not_asked)
        reasons = ", ".join(
            t("digest.why_count", lang, count=whys[why], why=t(f"unasked.{why}", lang))
            for why in Unasked
            if whys[why]
        )
        yield t("digest.not_asked", lang, count=len(data.not_asked), reasons=reasons)
    if data.decisions:
        titles = _names([escape(clip(d.title, 40)) for d in data.decisions], HEAD_LIST, lang)
        yield t("digest.decisions", lang, count=len(data.decisions), titles=titles)
    flagged = sum(1 for item in data.items if item.flags)
    if flagged:
        yield t("digest.suspicious", lang, count=flagged)


def _listed(heading: str, lines: Sequence[str], lang: str) -> str:
    """A heading and its first `HEAD_LIST` lines; how many more the thread holds, on the heading's line."""
    if len(lines) > HEAD_LIST:
        heading += t("digest.more", lang, count=len(lines) - HEAD_LIST)
    return "\n".join([heading, *(clip(line, HEAD_LINE) for line in lines[:HEAD_LIST])])


def _missing_name(miss: Missing, window: int, lang: str) -> str:
    """A person who has not answered, with how many weeks in a row when more than one (the longest are
    listed first); the trend window is as far back as Baton looks, so a streak that long may be longer."""
    user = f"<@{escape(miss.user)}>"
    if miss.streak <= 1:
        return user
    key = "digest.missing_name_streak_cap" if miss.streak >= window else "digest.missing_name_streak"
    return t(key, lang, user=user, count=miss.streak)


def _names(names: Sequence[str], limit: int, lang: str) -> str:
    """`a, b, c and 4 more`: the first `limit` names on one line."""
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        return t("digest.names_more", lang, names=shown, count=len(names) - limit)
    return shown


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


def _escalation_line(escalation: OpenEscalation, lang: str) -> str:
    level = " · " + t("digest.level", lang, level=escalation.level) if escalation.level else ""
    return t(
        "digest.escalation_line",
        lang,
        title=escape(clip(escalation.title, MAX_TITLE)),
        rule=_known(f"digest.rule.{escalation.rule}", escalation.rule, lang),
        state=_known(f"digest.state.{escalation.state}", escalation.state, lang),
        cycle=escalation.cycle,
        level=level,
    )


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


# -- how tall a message shows: the measure of "one screen" --------------------------------------------------

# Slack's desktop client on a 1920x1080 screen (the office's common monitor) leaves about 850 px of
# message pane between the channel header and the composer; its message text is 15 px Lato on 22 px
# lines, a message pane line holds about 100 characters, context text is 12 px on 18 px lines, a header
# block is one 44 px line, and an image block shows the 1200x480 chart about 600 px wide (240 px tall)
# under its 24 px title. Estimates, deliberately on the tall side: the budget is a test, not a renderer.
SCREEN_PX = 850
LINE_PX, LINE_CHARS, SECTION_PAD_PX = 22, 100, 16
CONTEXT_LINE_PX, CONTEXT_CHARS, CONTEXT_PAD_PX = 18, 130, 8
HEADER_PX, DIVIDER_PX, IMAGE_PX = 44, 17, 264
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_MENTION = re.compile(r"<[@#!][^>]*>")


def height_px(blocks: Sequence[dict[str, Any]]) -> int:
    """The estimated height of `blocks` as Slack's desktop client shows them (see `SCREEN_PX`)."""
    total = 0
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            total += HEADER_PX
        elif kind == "divider":
            total += DIVIDER_PX
        elif kind == "image":
            total += IMAGE_PX
        elif kind == "context":
            text = "\n".join(element.get("text", "") for element in block["elements"])
            total += CONTEXT_PAD_PX + CONTEXT_LINE_PX * _lines(text, CONTEXT_CHARS)
        else:  # a section (its accessory sits beside the text)
            total += SECTION_PAD_PX + LINE_PX * _lines(block.get("text", {}).get("text", ""), LINE_CHARS)
    return total


def _lines(text: str, width: int) -> int:
    """Lines `text` wraps to: an emoji shows about as wide as 3 characters, a mention as a 15-character
    name, markup not at all."""
    shown = _MENTION.sub("x" * 15, _EMOJI.sub("xxx", text)).replace("*", "").replace("_", "")
    return sum(max(1, -(-len(line) // width)) for line in shown.split("\n"))


# -- the thread: the detail, per department ----------------------------------------------------------------


def thread_parts(data: DigestData, lang: str) -> list[list[dict[str, Any]]]:
    """One section per initiative, by department, in as many messages as Slack's limits need: each starts
    with its department's heading ("… (continued)" when the department began in the part before), so a
    reader never lands mid-department without knowing which."""
    if not data.items:
        return []
    escalations = _by_initiative(data.escalations)
    decisions = _by_initiative(data.decisions)
    show_departments = data.department is None and any(item.department for item in data.items)
    budget = MAX_TEXT_MESSAGE - 100  # room for the "part n of m" label
    parts: list[list[dict[str, Any]]] = []
    size = 0
    for department, group in groupby(data.items, key=lambda item: item.department):
        members = list(group)
        for index, item in enumerate(members):
            block = initiative_block(
                item, data.cycle, lang, escalations.get(item.id, ()), decisions.get(item.id, ())
            )
            lead = _department_heading(department, members, lang) if show_departments and index == 0 else []
            needed = [*lead, block]
            fits = parts and len(parts[-1]) + len(needed) <= MAX_BLOCKS_MESSAGE - 1
            if not fits or size + text_size(needed) > budget:
                name = _department(department, lang, mrkdwn=False)
                parts.append(
                    [header(t("digest.continued", lang, department=name))]
                    if show_departments and index
                    else []
                )
                size = text_size(parts[-1])
            parts[-1].extend(needed)
            size += text_size(needed)
    return parts


def _department_heading(department: str | None, items: Sequence[Item], lang: str) -> list[dict[str, Any]]:
    return [header(_department(department, lang, mrkdwn=False)), context(_counts(items, lang))]


def _by_initiative(rows: Iterable[T]) -> dict[int, tuple[T, ...]]:
    found: dict[int, list[T]] = defaultdict(list)
    for row in rows:
        found[row.initiative_id].append(row)
    return {key: tuple(value) for key, value in found.items()}


# -- one section per initiative ---------------------------------------------------------------------------


def initiative_block(
    item: Item,
    cycle: str,
    lang: str = DEFAULT,
    escalations: Sequence[OpenEscalation] = (),
    decisions: Sequence[DecisionTaken] = (),
) -> dict[str, Any]:
    """An initiative: status (and its change), owners, KPI against target with its trend and pace, last
    update, who was asked and has not answered, decision needed, its open escalations and the decisions
    taken since the last digest, flags; a Details button that answers with `/okr status` privately."""
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
    if item.asked and not item.answered and item.status not in CLOSED:
        people = ", ".join(f"<@{escape(user)}>" for user in sorted(item.asked))
        lines.append(t("digest.item.unanswered", lang, people=people))
    if item.decision_needed:
        lines.append(t("digest.item.decision", lang, text=_free(item.decision_needed)))
    lines += [_item_escalation(escalation, lang) for escalation in escalations]
    lines += [_item_decision(decision, lang) for decision in decisions]
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


def _item_escalation(escalation: OpenEscalation, lang: str) -> str:
    reason = _free(escalation.reason)
    level = " · " + t("digest.level", lang, level=escalation.level) if escalation.level else ""
    return t(
        "digest.item.escalation",
        lang,
        rule=_known(f"digest.rule.{escalation.rule}", escalation.rule, lang),
        state=_known(f"digest.state.{escalation.state}", escalation.state, lang),
        cycle=escalation.cycle,
        level=level,
        reason=f": {reason}" if reason else "",
    )


def _item_decision(decision: DecisionTaken, lang: str) -> str:
    values = {
        "decision": _free(decision.decision),
        "by": escape(decision.decided_by),
        "date": f"{decision.decided_at:%Y-%m-%d}",
    }
    if decision.follow_up_owner or decision.follow_up_due:
        owner = f"<@{escape(decision.follow_up_owner)}>" if decision.follow_up_owner else "–"
        due = decision.follow_up_due.isoformat() if decision.follow_up_due else "–"
        return t("digest.item.decision_follow_up", lang, owner=owner, due=due, **values)
    return t("digest.item.decided", lang, **values)


def _kpi_line(item: Item, lang: str) -> str:
    known = [value for value in item.trend if value is not None]
    line = t(
        "digest.item.kpi",
        lang,
        kpi=escape(clip(item.kpi_name or "KPI", 80)),
        current=_kpi(item.kpi_current, item, lang),
        target=_kpi(item.kpi_target, item, lang),
        trend=f"`{sparkline(item.trend)}`" if len(known) > 1 else "",
    ).rstrip()
    if item.answered and item.latest is not None and item.latest.carried:
        line += " · " + t("digest.item.carried", lang)  # a one-click week: no new number to judge
    elif item.pace is not Pace.UNKNOWN and item.planned_now is not None:
        line += " · " + t(f"digest.pace.{item.pace}", lang, planned=_kpi(item.planned_now, item, lang))
    if item.projection is not None and item.due is not None and item.status not in CLOSED:
        line += " · " + t(
            "digest.item.projection", lang, value=_kpi(item.projection, item, lang), due=item.due
        )
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


def _kpi(value: float | None, item: Item, lang: str) -> str:
    return escape(kpi_text(value, item.kpi_unit, lang))


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
