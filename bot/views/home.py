"""App Home: my initiatives and what is due this cycle; for admins and leadership, the portfolio by
department."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.portfolio import StatusChange
from bot.i18n import DEFAULT, t
from bot.views import ids
from bot.views.blocks import (
    MAX_BLOCKS_VIEW,
    STATUSES,
    clip,
    context,
    escape,
    header,
    kpi_text,
    packed_sections,
    plain,
    section,
    status_badge,
)
from storage.models import CheckIn, EscalationState, Initiative

PER_PAGE = 40  # two blocks each, with room for the header, the portfolio and the pager
HOME_LIST = 8  # lines of a list before "and N more"
HEATMAP_SQUARES = 20
# the heatmap's squares by status, worst first (None: no update yet)
HEAT = {
    "off_track": ":large_red_square:",
    "at_risk": ":large_orange_square:",
    "on_track": ":large_green_square:",
    "done": ":large_blue_square:",
    "dropped": ":white_large_square:",
    None: ":white_large_square:",
}
MAX_TITLE = 150
MAX_CHANGE_TITLE = 80


@dataclass(frozen=True)
class Waiting:
    """An open escalation that waits on the Home's reader: to acknowledge, or a decision to take."""

    title: str
    rule: str
    state: EscalationState


def home_view(
    *,
    cycle: str,
    mine: Sequence[Initiative],
    answers: Mapping[int, CheckIn],
    waiting: Sequence[Waiting] = (),
    exceptions: Sequence[dict[str, Any]] = (),
    overdue: Mapping[str, Sequence[Initiative]] | None = None,
    nudged: Collection[str] = (),
    portfolio: Mapping[str | None, Counter[str | None]] | None = None,
    changes: Sequence[StatusChange] = (),
    page: int = 1,
    lang: str = DEFAULT,
) -> dict[str, Any]:
    """The home tab of one person, what waits on them first (`waiting`: escalations to acknowledge or
    decide); for executives and the strategy office this week's `exceptions` (the digest's head), the
    `portfolio` as a status heatmap per department and the `changes` of status since last cycle; for the
    strategy office also who is `overdue`, each with a Nudge button (unless `nudged` already). Never over
    Slack's 100 blocks: pages of initiatives, and the rest packed into what room is left."""
    pages = max(1, -(-len(mine) // PER_PAGE))
    page = min(max(page, 1), pages)
    answered = sum(1 for i in mine if (i.id or 0) in answers)
    blocks: list[dict[str, Any]] = [header(t("home.title", lang))]
    if waiting:
        lines = [_waiting_line(entry, lang) for entry in waiting]
        blocks.append(section(_listed(t("home.waiting", lang, count=len(waiting)), lines, lang)))
    if exceptions:
        blocks += [context(t("home.this_week", lang)), *(b for b in exceptions if b.get("type") != "header")]
        blocks.append({"type": "divider"})
    blocks.append(section(t("home.mine", lang, count=len(mine))))
    if mine:
        blocks.append(context(t("home.due", lang, cycle=cycle, answered=answered, total=len(mine))))
    else:
        blocks.append(context(t("home.mine_none", lang)))
    for initiative in mine[(page - 1) * PER_PAGE : page * PER_PAGE]:
        answer = answers.get(initiative.id or 0)
        now, target = (
            kpi_text(v, initiative.kpi_unit, lang) for v in (initiative.kpi_current, initiative.kpi_target)
        )
        done = " :white_check_mark:" if answer else ""
        title = (
            f"{status_badge(initiative.status, lang)}  *{escape(clip(initiative.title, MAX_TITLE))}*{done}"
        )
        blocks.append(
            {
                **section(f"{title}\nKPI {escape(now)} / {escape(target)}"),
                "accessory": {
                    "type": "button",
                    "text": plain(t("home.update", lang), 75),
                    "action_id": ids.HOME_UPDATE,
                    "value": str(initiative.id),
                },
            }
        )
    if pages > 1:
        blocks.append(context(t("home.page", lang, page=page, pages=pages)))
        buttons = []
        if page > 1:
            buttons.append(_page_button(t("home.previous", lang), ids.HOME_PAGE_PREVIOUS, page - 1))
        if page < pages:
            buttons.append(_page_button(t("home.next", lang), ids.HOME_PAGE_NEXT, page + 1))
        blocks.append({"type": "actions", "block_id": ids.HOME_PAGER_BLOCK, "elements": buttons})
    if overdue:
        blocks.append({"type": "divider"})
        blocks.append(section(t("home.overdue", lang, cycle=cycle, count=len(overdue))))
        for user, late in list(overdue.items())[:HOME_LIST]:
            titles = ", ".join(escape(clip(i.title, 60)) for i in late)
            line = section(t("home.overdue_line", lang, user=escape(user), titles=titles))
            if user in nudged:
                line = section(t("home.overdue_nudged", lang, user=escape(user), titles=titles))
            else:
                line["accessory"] = {
                    "type": "button",
                    "text": plain(t("home.nudge", lang), 75),
                    "action_id": ids.HOME_NUDGE,
                    "value": user,
                }
            blocks.append(line)
        if len(overdue) > HOME_LIST:
            blocks.append(context(t("home.more", lang, count=len(overdue) - HOME_LIST)))
    if portfolio is not None:
        blocks.append({"type": "divider"})
        room = MAX_BLOCKS_VIEW - len(blocks)
        lines = [
            _department_line(name, counts, lang) for name, counts in sorted(portfolio.items(), key=_by_name)
        ]
        blocks += packed_sections([t("home.portfolio", lang), *lines], (room + 1) // 2, lang)
        changed = [
            t(
                "home.change",
                lang,
                title=escape(clip(change.initiative.title, MAX_CHANGE_TITLE)),
                before=status_badge(change.before, lang),
                now=status_badge(change.now, lang),
            )
            for change in changes
        ] or [t("home.changes_none", lang)]
        heading = t("home.changes", lang, cycle=cycle, count=len(changes))
        blocks += packed_sections([heading, *changed], MAX_BLOCKS_VIEW - len(blocks), lang)
    return {"type": "home", "blocks": blocks}


def _department_line(name: str | None, counts: Counter[str | None], lang: str) -> str:
    """A department as a row of the status heatmap: one square per initiative (up to HEATMAP_SQUARES,
    in proportion beyond), worst first, then the counts."""
    label = escape(name) if name else t("home.department_none", lang)
    total = sum(counts.values()) or 1
    order = ("off_track", "at_risk", "on_track", "done", "dropped", None)
    squares = "".join(
        HEAT[s] * max(1, round(counts[s] * min(total, HEATMAP_SQUARES) / total)) for s in order if counts[s]
    )
    parts = [f"{status_badge(s, lang)} {counts[s]}" for s in (*STATUSES, None) if counts[s]]
    return f"*{label}* {squares}\n" + " · ".join(parts)


def _waiting_line(entry: Waiting, lang: str) -> str:
    what = "home.waiting_ack" if entry.state == EscalationState.OPEN else "home.waiting_decide"
    return t(
        what, lang, title=escape(clip(entry.title, MAX_CHANGE_TITLE)), rule=t(f"esc.rule.{entry.rule}", lang)
    )


def _listed(heading: str, lines: Sequence[str], lang: str) -> str:
    """A heading and its first HOME_LIST lines, then how many more."""
    shown = [heading, *lines[:HOME_LIST]]
    if len(lines) > HOME_LIST:
        shown.append(t("home.more", lang, count=len(lines) - HOME_LIST))
    return "\n".join(shown)


def _by_name(item: tuple[str | None, Counter[str | None]]) -> str:
    return item[0] or "\uffff"  # departments by name, the initiatives without one last


def _page_button(label: str, action_id: str, page: int) -> dict[str, Any]:
    return {"type": "button", "text": plain(label, 75), "action_id": action_id, "value": str(page)}
