"""App Home: my initiatives and what is due this cycle; for admins and leadership, the portfolio by
department."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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
from storage.models import CheckIn, Initiative

PER_PAGE = 40  # two blocks each, with room for the header, the portfolio and the pager
MAX_TITLE = 150
MAX_CHANGE_TITLE = 80


def home_view(
    *,
    cycle: str,
    mine: Sequence[Initiative],
    answers: Mapping[int, CheckIn],
    portfolio: Mapping[str | None, Counter[str | None]] | None = None,
    changes: Sequence[StatusChange] = (),
    page: int = 1,
    lang: str = DEFAULT,
) -> dict[str, Any]:
    """The home tab of one person; for admins and leadership also `portfolio` (status counts per
    department) and the `changes` of status since last cycle. Never over Slack's 100 blocks: pages of
    initiatives, and the portfolio and changes packed into what room is left."""
    pages = max(1, -(-len(mine) // PER_PAGE))
    page = min(max(page, 1), pages)
    answered = sum(1 for i in mine if (i.id or 0) in answers)
    blocks: list[dict[str, Any]] = [
        header(t("home.title", lang)),
        section(t("home.mine", lang, count=len(mine))),
    ]
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
    label = escape(name) if name else t("home.department_none", lang)
    parts = [f"{status_badge(s, lang)} {counts[s]}" for s in (*STATUSES, None) if counts[s]]
    return f"*{label}*: " + " · ".join(parts)


def _by_name(item: tuple[str | None, Counter[str | None]]) -> str:
    return item[0] or "\uffff"  # departments by name, the initiatives without one last


def _page_button(label: str, action_id: str, page: int) -> dict[str, Any]:
    return {"type": "button", "text": plain(label, 75), "action_id": action_id, "value": str(page)}
