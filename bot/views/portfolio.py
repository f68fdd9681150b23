"""Answers to `/okr who`, `/okr list`, `/okr status` and `/okr role`: ephemeral, for the asker only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.i18n import DEFAULT, t
from bot.roadmap import Owner
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    clip,
    context,
    escape,
    kpi_text,
    owner_text,
    section,
    status_badge,
)
from storage.models import CheckIn, Initiative, Role

SPARKS = "▁▂▃▄▅▆▇█"
MAX_TITLE = 150
MAX_COMMENT = 200


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
        trend=sparkline(values),
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


def sparkline(values: Sequence[float]) -> str:
    """A compact trend, `▁▃▅█`, of the last values (flat when they do not move)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values[-8:])


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
