"""Answers to `/okr who`, `/okr list`, `/okr status` and `/okr role`: ephemeral, for the asker only."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.progress import sparkline
from bot.i18n import DEFAULT, t
from bot.roadmap import Owner
from bot.views import ids
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    MAX_VIEW_TITLE,
    clip,
    context,
    escape,
    kpi_text,
    owner_text,
    plain,
    section,
    status_badge,
)
from storage.models import CheckIn, Initiative, Role

MAX_TITLE = 150
MAX_COMMENT = 200
MAX_PASTE = 3000  # Slack's limit for a plain-text input
MAX_PROBLEMS_SHOWN = 6
MAX_ERROR = 1000


def ephemeral(blocks: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}


def who_message(
    cycle: str, missing: Mapping[str, Sequence[Initiative]], lang: str = DEFAULT
) -> dict[str, Any]:
    """Who still owes an update this cycle, and for what."""
    if not missing:
        text = t("who.everyone", lang, cycle=cycle)
        return ephemeral([section(text)], text)
    lines = "\n".join(
        f"• <@{escape(user)}> — " + ", ".join(escape(clip(i.title, 80)) for i in initiatives)
        for user, initiatives in sorted(missing.items())
    )
    text = t("who.missing", lang, cycle=cycle, count=len(missing), lines=lines)
    return ephemeral([section(text)], t("who.missing", lang, cycle=cycle, count=len(missing), lines=""))


def list_message(
    initiatives: Sequence[Initiative],
    owners: Mapping[int, Sequence[Owner]],
    *,
    mine: bool,
    lang: str = DEFAULT,
) -> dict[str, Any]:
    title = t("list.mine" if mine else "list.title", lang, count=len(initiatives))
    if not initiatives:
        return ephemeral([section(title), context(t("list.empty", lang))], title)
    room = MAX_BLOCKS_MESSAGE - 2
    blocks = [section(title)]
    for initiative in initiatives[:room]:
        who = ", ".join(owner_text(o) for o in owners.get(initiative.id or 0, ())) or t("list.nobody", lang)
        line = t(
            "list.line",
            lang,
            badge=status_badge(initiative.status, lang),
            title=escape(clip(initiative.title, MAX_TITLE)),
            owners=who,
            kpi=escape(kpi_text(initiative.kpi_current, initiative.kpi_unit)),
            target=escape(kpi_text(initiative.kpi_target, initiative.kpi_unit)),
        )
        blocks.append(section(line))
    if len(initiatives) > room:
        blocks.append(context(t("list.more", lang, count=len(initiatives) - room)))
    return ephemeral(blocks, title)


def status_message(
    initiative: Initiative, who: str, history: Sequence[CheckIn], lang: str = DEFAULT
) -> dict[str, Any]:
    """One initiative: status, KPI and its trend, R/A, last check-ins (newest first)."""
    title = f"{status_badge(initiative.status, lang)}  *{escape(clip(initiative.title, MAX_TITLE))}*"
    values = [c.kpi_value for c in reversed(history) if c.kpi_value is not None]
    kpi = t(
        "status.kpi",
        lang,
        kpi=escape(initiative.kpi_name or "KPI"),
        current=escape(kpi_text(initiative.kpi_current, initiative.kpi_unit)),
        target=escape(kpi_text(initiative.kpi_target, initiative.kpi_unit)),
        trend=sparkline(values[-8:]) if len(values) > 1 else "",
    )
    lines = "\n".join(_checkin_line(c, initiative, lang) for c in history) or t("status.no_history", lang)
    blocks = [
        section(title),
        section(f"{kpi}\n{t('status.updaters', lang, who=who or t('list.nobody', lang))}"),
        section(t("status.history", lang, lines=lines)),
    ]
    return ephemeral(blocks, initiative.title)


def roles_message(roles: Sequence[tuple[Role, Sequence[str]]], lang: str = DEFAULT) -> dict[str, Any]:
    if not roles:
        text = t("roles.none", lang)
        return ephemeral([section(text)], text)
    lines = [
        t("roles.line", lang, role=escape(role.name), members=_people(members) or t("list.nobody", lang))
        for role, members in roles
    ]
    chunks = ["\n".join(lines[i : i + 30]) for i in range(0, len(lines), 30)]
    return ephemeral([section(chunk) for chunk in chunks[:MAX_BLOCKS_MESSAGE]], "Roles")


def role_set_message(role: Role, members: Sequence[str], lang: str = DEFAULT) -> dict[str, Any]:
    text = t("roles.set", lang, role=escape(role.name), members=_people(members) or t("list.nobody", lang))
    return ephemeral([section(text)], text)


def notice(text: str) -> dict[str, Any]:
    return ephemeral([section(text)], text)


def _checkin_line(checkin: CheckIn, initiative: Initiative, lang: str) -> str:
    kpi = (
        f" · KPI {escape(kpi_text(checkin.kpi_value, initiative.kpi_unit))}"
        if checkin.kpi_value is not None
        else ""
    )
    comment = f" — {escape(clip(' '.join(checkin.comment.split()), MAX_COMMENT))}" if checkin.comment else ""
    return t(
        "status.checkin",
        lang,
        cycle=checkin.cycle,
        status=status_badge(checkin.status, lang),
        author=escape(checkin.author),
        kpi=kpi,
        comment=comment,
    )


def _people(users: Sequence[str]) -> str:
    return ", ".join(f"<@{escape(user)}>" for user in users)


def import_modal(lang: str = DEFAULT) -> dict[str, Any]:
    """Paste a roadmap: the same parser and the same all-or-nothing report as `baton import`."""
    return {
        "type": "modal",
        "callback_id": ids.IMPORT_MODAL,
        "private_metadata": json.dumps({"lang": lang}),
        "title": plain(t("import.title", lang), MAX_VIEW_TITLE),
        "submit": plain(t("import.import", lang), MAX_VIEW_TITLE),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.IMPORT_TEXT_BLOCK,
                "label": plain(t("import.table", lang)),
                "hint": plain(t("import.table_hint", lang)),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.IMPORT_TEXT_ACTION,
                    "multiline": True,
                    "max_length": MAX_PASTE,
                },
            },
            {
                "type": "input",
                "block_id": ids.IMPORT_QUARTER_BLOCK,
                "optional": True,
                "label": plain(t("import.quarter", lang)),
                "hint": plain(t("import.quarter_hint", lang)),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.IMPORT_QUARTER_ACTION,
                    "max_length": 7,
                },
            },
        ],
    }


def read_import(view: dict[str, Any]) -> tuple[str, str, str]:
    """The pasted table, the quarter as typed, and the modal's language."""
    values = view["state"]["values"]
    text = values[ids.IMPORT_TEXT_BLOCK][ids.IMPORT_TEXT_ACTION].get("value") or ""
    quarter = values[ids.IMPORT_QUARTER_BLOCK][ids.IMPORT_QUARTER_ACTION].get("value") or ""
    return text, quarter.strip(), json.loads(view.get("private_metadata") or "{}").get("lang", DEFAULT)


def import_problems(problems: Sequence[str], lang: str = DEFAULT) -> str:
    """The report, short enough for a field error: the first problems, then how many more."""
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
    if len(problems) > MAX_PROBLEMS_SHOWN:
        shown += f"; … (+{len(problems) - MAX_PROBLEMS_SHOWN})"
    return clip(t("import.problems", lang, count=len(problems), problems=shown), MAX_ERROR)


def import_done_view(
    created: int, updated: int, unchanged: int, roles: Sequence[str], lang: str
) -> dict[str, Any]:
    text = t(
        "import.done",
        lang,
        created=created,
        updated=updated,
        unchanged=unchanged,
        roles=escape(", ".join(roles)) or "—",
    )
    return {
        "type": "modal",
        "title": plain(t("import.title", lang), MAX_VIEW_TITLE),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": [section(text)],
    }
