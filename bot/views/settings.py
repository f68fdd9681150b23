"""`/okr settings` (admins): the workspace's cadence, channels and escalation settings in one modal.

The modal reads back as the same `KEY=VALUE` texts as `baton settings set`, so that one function
(`bot.workspace.settings.change_cadence`) validates both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.domain.schedule import WEEKDAYS
from bot.i18n import DEFAULT, LANGUAGES, t
from bot.views import ids
from bot.views.blocks import MAX_BLOCKS_VIEW, MAX_VIEW_TITLE, context, input_block, option, plain, section
from bot.views.checkin import read_metadata
from storage.models import WorkspaceSettings

FIELDS_BEFORE_TEAMS = 15  # the other inputs, and room for the note on departments left out
MAX_DEPARTMENT = 150


def field(name: str) -> str:
    return ids.SETTINGS_FIELD + name


def settings_modal(
    row: WorkspaceSettings, departments: Sequence[str], default_timezone: str, lang: str = DEFAULT
) -> dict[str, Any]:
    """The settings as they are; one channel picker per department that has initiatives."""
    blocks = [
        _text("timezone", t("settings.timezone", lang), row.timezone or default_timezone, 64),
        _select(
            "checkin_day", t("settings.checkin_day", lang), _weekdays(lang), WEEKDAYS[row.checkin_weekday]
        ),
        _select("checkin_hour", t("settings.checkin_hour", lang), _hours(), str(row.checkin_hour)),
        _text("reminder_delay_hours", t("settings.reminder_delay", lang), str(row.reminder_delay_hours), 3),
        _select("digest_day", t("settings.digest_day", lang), _weekdays(lang), WEEKDAYS[row.digest_weekday]),
        _select("digest_hour", t("settings.digest_hour", lang), _hours(), str(row.digest_hour)),
        _select("language", t("settings.language", lang), _languages(lang), row.language),
        _channel(field("leadership_channel"), t("settings.leadership_channel", lang), row.leadership_channel),
    ]
    shown = [d for d in departments if _representable(d)]
    room = MAX_BLOCKS_VIEW - FIELDS_BEFORE_TEAMS
    for department in shown[:room]:
        label = t("settings.team_channel", lang, department=department)
        blocks.append(
            _channel(ids.SETTINGS_TEAM_CHANNEL + department, label, row.team_channels.get(department))
        )
    if len(departments) > room or len(shown) < len(departments):
        blocks.append(context(t("settings.teams_left_out", lang, count=len(departments) - len(shown[:room]))))
    contact: dict[str, Any] = {"type": "users_select", "action_id": ids.SETTINGS_ACTION}
    if row.escalation_contact:
        contact["initial_user"] = row.escalation_contact
    blocks += [
        _text("escalation_sla_hours", t("settings.escalation_sla", lang), str(row.escalation_sla_hours), 3),
        input_block(field("escalation_contact"), t("settings.escalation_contact", lang), contact),
        _select(
            "committee_day",
            t("settings.committee_day", lang),
            _weekdays(lang),
            WEEKDAYS[row.committee_weekday],
        ),
        _select("committee_week", t("settings.committee_week", lang), _weeks(lang), str(row.committee_week)),
        _select("committee_hour", t("settings.committee_hour", lang), _hours(), str(row.committee_hour)),
    ]
    # A channel set by name (`#leadership`, with `baton settings`) cannot be shown in a picker: an empty
    # picker then means "unchanged" rather than "none".
    keep = bool(row.leadership_channel) and not (row.leadership_channel or "").startswith(("C", "G"))
    return {
        "type": "modal",
        "callback_id": ids.SETTINGS_MODAL,
        "private_metadata": json.dumps({"lang": lang, "keep_leadership": keep}),
        "title": plain(t("settings.title", lang), MAX_VIEW_TITLE),
        "submit": plain(t("modal.save", lang), MAX_VIEW_TITLE),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": blocks,
    }


def read_settings(view: dict[str, Any]) -> tuple[dict[str, str], str]:
    """The changes a submitted modal holds, as `baton settings set` would read them, and its language."""
    metadata = read_metadata(view)
    changes: dict[str, str] = {}
    teams = []
    for block, actions in view["state"]["values"].items():
        state = actions.get(ids.SETTINGS_ACTION, {})
        value = (
            state.get("value")
            or (state.get("selected_option") or {}).get("value")
            or state.get("selected_conversation")
            or state.get("selected_user")
            or ""
        )
        if block.startswith(ids.SETTINGS_TEAM_CHANNEL):
            teams.append(f"{block.removeprefix(ids.SETTINGS_TEAM_CHANNEL)}={value}")
        elif block.startswith(ids.SETTINGS_FIELD):
            name = block.removeprefix(ids.SETTINGS_FIELD)
            if not (name == "leadership_channel" and not value and metadata.get("keep_leadership")):
                changes[name] = value
    if teams:
        changes["team_channels"] = ",".join(teams)
    return changes, metadata.get("lang", DEFAULT)


def setting_error(view: dict[str, Any], name: str, lang: str) -> dict[str, str]:
    """A SettingError as Slack's field error, under the field it names (a team channel: the first)."""
    blocks = [block["block_id"] for block in view.get("blocks", []) if block.get("block_id")]
    prefix = ids.SETTINGS_TEAM_CHANNEL if name == "team_channels" else field(name)
    block = next((b for b in blocks if b.startswith(prefix)), blocks[0] if blocks else prefix)
    return {block: t(f"settings.error_{name}", lang)}


def settings_refused(view: dict[str, Any], text: str) -> dict[str, str]:
    """A refusal of the whole form, as Slack's field error under its first field (nothing is lost)."""
    blocks = [block["block_id"] for block in view.get("blocks", []) if block.get("block_id")]
    return {blocks[0] if blocks else field("timezone"): text}


def settings_saved_view(lang: str, notes: Sequence[str] = ()) -> dict[str, Any]:
    """`notes`: what saving said of the channels (`#name (C…)`, or one Baton could not join)."""
    blocks = [section(t("settings.saved", lang))]
    if notes:
        blocks.append(context("\n".join(notes)))  # Baton's own words and Slack's channel names: no user text
    return {
        "type": "modal",
        "title": plain(t("settings.title", lang), MAX_VIEW_TITLE),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": blocks,
    }


def _representable(department: str) -> bool:
    """A department the `team_channels` text can name (and a block id can hold)."""
    return len(department) <= MAX_DEPARTMENT and not {",", "="} & set(department)


def _text(name: str, label: str, value: str, limit: int) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": ids.SETTINGS_ACTION, "max_length": limit}
    if value:
        element["initial_value"] = value[:limit]
    return input_block(field(name), label, element, optional=False)


def _select(name: str, label: str, options: list[dict[str, Any]], value: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": ids.SETTINGS_ACTION, "options": options}
    if chosen := next((o for o in options if o["value"] == value), None):
        element["initial_option"] = chosen
    return input_block(field(name), label, element, optional=False)


def _channel(block_id: str, label: str, channel: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": ids.SETTINGS_ACTION,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel and channel[:1] in ("C", "G"):
        element["initial_conversation"] = channel
    return input_block(block_id, label, element)


def _weekdays(lang: str) -> list[dict[str, Any]]:
    return [option(t(f"settings.weekday_{day}", lang), day) for day in WEEKDAYS]


def _hours() -> list[dict[str, Any]]:
    return [option(f"{hour:02d}:00", str(hour)) for hour in range(24)]


def _weeks(lang: str) -> list[dict[str, Any]]:
    return [option(t(f"settings.week_{week}", lang), str(week)) for week in range(1, 6)]


def _languages(lang: str) -> list[dict[str, Any]]:
    return [option(t(f"settings.language_{code}", lang), code) for code in LANGUAGES]
