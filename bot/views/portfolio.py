"""Answers to `/okr who`, `/okr list`, `/okr status` and `/okr role`: ephemeral, for the asker only."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bot.domain.portfolio import RaciMember
from bot.domain.progress import sparkline
from bot.domain.roadmap import Owner
from bot.i18n import DEFAULT, MESSAGES, t
from bot.views import ids
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    MAX_BLOCKS_VIEW,
    MAX_OPTIONS,
    MAX_VIEW_TITLE,
    MESSAGE_TEXT_BUDGET,
    clip,
    context,
    escape,
    fit_message,
    kpi_text,
    option,
    owner_text,
    packed_sections,
    plain,
    section,
    status_badge,
    take_within,
    text_size,
)
from bot.views.checkin import checkin_details, read_metadata
from storage.models import CheckIn, Escalation, Initiative, RaciLetter, Role

MAX_TITLE = 150
MAX_COMMENT = 200
MAX_PASTE = 3000  # Slack's limit for a plain-text input
MAX_PROBLEMS_SHOWN = 6
MAX_ERROR = 1000
MAX_DETAIL = 400  # each note of the latest check-in, in /okr status
MAX_ESCALATIONS = 10
RESERVED_TEXT = 1_000  # of an answer's text budget: its heading and its "…and N more" line


def ephemeral(blocks: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """An answer for the asker only, within one message's text budget."""
    return fit_message({"response_type": "ephemeral", "text": text, "blocks": blocks})


def who_message(
    cycle: str,
    missing: Mapping[str, Sequence[Initiative]],
    lang: str = DEFAULT,
    deactivated: Collection[str] = frozenset(),
) -> dict[str, Any]:
    """Who still owes an update this cycle, and for what; people Slack reports deactivated are flagged
    (their initiatives need a new owner rather than a reminder)."""
    if not missing:
        text = t("who.everyone", lang, cycle=cycle)
        return ephemeral([section(text)], text)
    lines = []
    for user, initiatives in sorted(missing.items()):
        mention = f"<@{escape(user)}>"
        who = t("status.deactivated", lang, who=mention) if user in deactivated else mention
        titles = ", ".join(escape(clip(i.title, 80)) for i in initiatives[:10])
        more = t("who.more", lang, count=len(initiatives) - 10) if len(initiatives) > 10 else ""
        lines.append(t("who.line", lang, who=who, titles=titles, more=more))
    heading = t("who.missing", lang, cycle=cycle, count=len(missing))
    shown = take_within([len(line) + 1 for line in lines], MESSAGE_TEXT_BUDGET - RESERVED_TEXT)
    blocks = [section(heading), *packed_sections(lines[:shown], MAX_BLOCKS_MESSAGE - 2, lang)]
    if len(lines) > shown:
        blocks.append(context(t("who.more_people", lang, count=len(lines) - shown)))
    return ephemeral(blocks, heading)


def list_message(
    initiatives: Sequence[Initiative],
    owners: Mapping[int, Sequence[Owner]],
    *,
    mine: bool = False,
    team: str | None = None,
    quarter: str | None = None,
    lang: str = DEFAULT,
) -> dict[str, Any]:
    """The initiatives shown (all, mine, a team's or a quarter's) with status, owners and KPI."""
    count = len(initiatives)
    if mine:
        title = t("list.mine", lang, count=count)
    elif team:
        title = t("list.team", lang, team=escape(clip(team, MAX_TITLE)), count=count)
    elif quarter:
        title = t("list.quarter", lang, quarter=quarter, count=count)
    else:
        title = t("list.title", lang, count=count)
    if not initiatives:
        return ephemeral([section(title), context(t("list.empty", lang))], title)
    room = MAX_BLOCKS_MESSAGE - 2
    blocks = [section(title)]
    lines = []
    for initiative in initiatives[:room]:
        who = ", ".join(owner_text(o) for o in owners.get(initiative.id or 0, ())) or t("list.nobody", lang)
        line = t(
            "list.line",
            lang,
            badge=status_badge(initiative.status, lang),
            title=escape(clip(initiative.title, MAX_TITLE)),
            owners=who,
            kpi=escape(kpi_text(initiative.kpi_current, initiative.kpi_unit, lang)),
            target=escape(kpi_text(initiative.kpi_target, initiative.kpi_unit, lang)),
        )
        lines.append(section(line))
    shown = take_within([text_size(line) for line in lines], MESSAGE_TEXT_BUDGET - RESERVED_TEXT)
    blocks += lines[:shown]
    if len(initiatives) > shown:
        blocks.append(context(t("list.more_narrow", lang, count=len(initiatives) - shown)))
    return ephemeral(blocks, title)


def status_message(
    initiative: Initiative,
    raci: Mapping[RaciLetter, Sequence[RaciMember]],
    history: Sequence[CheckIn],
    escalations: Sequence[Escalation] = (),
    lang: str = DEFAULT,
    deactivated: Collection[str] = frozenset(),
) -> dict[str, Any]:
    """One initiative: status, KPI and its trend, the whole RACI, what its latest check-in says, its last
    check-ins (newest first) and its open escalations."""
    title = f"{status_badge(initiative.status, lang)}  *{escape(clip(initiative.title, MAX_TITLE))}*"
    values = [c.kpi_value for c in reversed(history) if c.kpi_value is not None]
    kpi = t(
        "status.kpi",
        lang,
        kpi=escape(initiative.kpi_name or "KPI"),
        current=escape(kpi_text(initiative.kpi_current, initiative.kpi_unit, lang)),
        target=escape(kpi_text(initiative.kpi_target, initiative.kpi_unit, lang)),
        trend=sparkline(values[-8:]) if len(values) > 1 else "",
    )
    roles = "\n".join(
        t(f"status.raci_{letter.value}", lang, who=raci_text(raci.get(letter, ()), lang, deactivated))
        for letter in RaciLetter
    )
    lines = "\n".join(_checkin_line(c, initiative, lang) for c in history) or t("status.no_history", lang)
    blocks = [section(title), section(f"{kpi}\n{roles}")]
    if history and (details := checkin_details(history[0], lang, MAX_DETAIL)):
        blocks.append(section("\n".join(details)))
    blocks.append(section(t("status.history", lang, lines=lines)))
    if escalations:
        shown = "\n".join(_escalation_line(e, lang) for e in escalations[:MAX_ESCALATIONS])
        blocks.append(section(t("status.escalations", lang, count=len(escalations), lines=shown)))
    return ephemeral(blocks, escape(initiative.title))  # the notification text is mrkdwn too


def raci_text(members: Sequence[RaciMember], lang: str, deactivated: Collection[str] = frozenset()) -> str:
    """People as mentions, roles by name with their holders now; deactivated people are flagged."""

    def person(user: str) -> str:
        mention = f"<@{escape(user)}>"
        return t("status.deactivated", lang, who=mention) if user in deactivated else mention

    parts = []
    for member in members:
        if member.user:
            parts.append(person(member.user))
        elif member.role:
            held = ", ".join(person(user) for user in member.holders) or t("list.nobody", lang)
            parts.append(t("status.role_held", lang, role=escape(member.role), holders=held))
    return ", ".join(parts) or t("list.nobody", lang)


def _escalation_line(escalation: Escalation, lang: str) -> str:
    rule_key = f"esc.rule.{escalation.rule}"  # the escalation catalog names each rule
    rule = t(rule_key, lang) if rule_key in MESSAGES else escape(escalation.rule)
    return t(
        "status.escalation",
        lang,
        rule=rule,
        state=t(f"status.escalation_{escalation.state}", lang),
        cycle=escalation.cycle,
        reason=escape(clip(" ".join(escalation.reason.split()), MAX_COMMENT)) or "–",
    )


def picker_message(command: str, matches: Sequence[Initiative], query: str, lang: str) -> dict[str, Any]:
    """Several initiatives match: the asker picks one, and the choice continues `command`."""
    text = t("pick.prompt", lang, query=escape(clip(query, MAX_TITLE)))
    block = {
        **section(text),
        "accessory": {
            "type": "static_select",
            "action_id": ids.PICK_INITIATIVE + command,
            "placeholder": plain(t("pick.placeholder", lang), 150),
            "options": [option(m.title, str(m.id)) for m in matches[:MAX_OPTIONS]],
        },
    }
    return ephemeral([block], text)


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
        f" · KPI {escape(kpi_text(checkin.kpi_value, initiative.kpi_unit, lang))}"
        if checkin.kpi_value is not None
        else ""
    )
    if checkin.confidence is not None:
        kpi += " · " + t("status.confidence", lang, confidence=checkin.confidence)
    if checkin.progress is not None:
        kpi += " · " + t("status.progress", lang, progress=checkin.progress)
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
    return text, quarter.strip(), str(read_metadata(view).get("lang", DEFAULT))


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
    return _import_result([section(text)], lang)


def import_progress_view(lang: str) -> dict[str, Any]:
    return _import_result([section(t("import.looking_up", lang))], lang)


def import_failed_view(problems: Sequence[str], lang: str) -> dict[str, Any]:
    """Every problem, one per line (as many as fit): nothing was imported."""
    heading = t("import.failed", lang, count=len(problems))
    lines = [f"• {escape(problem)}" for problem in problems]
    return _import_result([section(heading), *packed_sections(lines, MAX_BLOCKS_VIEW - 1, lang)], lang)


def _import_result(blocks: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(t("import.title", lang), MAX_VIEW_TITLE),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": blocks,
    }
