"""The workspace's settings row: shown, validated and changed (`baton settings`, `/okr settings`)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.audit import audit
from bot.config import Settings
from bot.domain.escalation import describe_rules, is_rule_setting, tune_rule
from bot.domain.schedule import WEEKDAYS
from storage.models import WorkspaceSettings

EDITABLE = (
    "timezone",
    "checkin_day",
    "checkin_hour",
    "reminder_delay_hours",
    "grace_hours",
    "digest_day",
    "digest_hour",
    "language",
    "holidays",
    "leadership_channel",
    "team_channels",
    "escalation_sla_hours",
    "escalation_contact",
    "committee_day",
    "committee_week",
    "committee_hour",
)
# whole numbers, with their bounds (committee_week: 1 = first ... 5 = last week of the month)
RANGES = {
    "checkin_hour": (0, 23),
    "digest_hour": (0, 23),
    "committee_hour": (0, 23),
    "reminder_delay_hours": (0, 168),
    "grace_hours": (0, 168),
    "escalation_sla_hours": (1, 720),
    "committee_week": (1, 5),
}
_CHANNEL = re.compile(r"^(?:[CGD][A-Z0-9]{6,}|#[a-z0-9][a-z0-9._-]{0,79})$")
_USER = re.compile(r"^[UW][A-Z0-9]{6,}$")


class SettingError(ValueError):
    """A bad value for one setting: `name` says which (a form shows the error under that field)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name


def workspace_row(session: Session) -> WorkspaceSettings:
    return session.get(WorkspaceSettings, 1) or WorkspaceSettings()


def describe(row: WorkspaceSettings, settings: Settings) -> dict[str, str]:
    """The settings as `baton settings show` prints them (and `set` reads them back), escalation rules
    included."""
    return {
        "timezone": row.timezone or f"{settings.baton_timezone} (BATON_TIMEZONE)",
        "checkin_day": WEEKDAYS[row.checkin_weekday],
        "checkin_hour": str(row.checkin_hour),
        "reminder_delay_hours": str(row.reminder_delay_hours),
        "grace_hours": str(row.grace_hours),
        "digest_day": WEEKDAYS[row.digest_weekday],
        "digest_hour": str(row.digest_hour),
        "language": row.language,
        "holidays": ",".join(
            h["date"] + (f"@{h['country']}" if h.get("country") else "") for h in row.holidays
        ),
        "leadership_channel": row.leadership_channel
        or f"{settings.leadership_channel or ''} (LEADERSHIP_CHANNEL)",
        "team_channels": format_team_channels(row.team_channels),
        "escalation_sla_hours": str(row.escalation_sla_hours),
        "escalation_contact": row.escalation_contact or "",
        "committee_day": WEEKDAYS[row.committee_weekday],
        "committee_week": str(row.committee_week),
        "committee_hour": str(row.committee_hour),
        **describe_rules(row.escalation_rules),
    }


def format_team_channels(channels: dict[str, str]) -> str:
    """`{"Finance": "C0123"}` → `Finance=C0123`, as `team_channels=` reads it."""
    return ",".join(f"{department}={channel}" for department, channel in sorted(channels.items()))


def change_cadence(session: Session, changes: dict[str, str]) -> WorkspaceSettings:
    """Apply `changes` (names of `EDITABLE` → text) all or nothing; a SettingError names the first bad one.
    The one way settings are validated: `baton settings set` and the `/okr settings` modal both use it."""
    row = workspace_row(session)
    for name, text in changes.items():
        try:
            _apply(row, name, text.strip())
        except SettingError:
            raise
        except (ValueError, KeyError) as exc:
            raise SettingError(name, str(exc)) from None
    session.add(row)
    return row


def save_settings(
    session: Session, changes: dict[str, str], *, actor: str, now: datetime
) -> WorkspaceSettings:
    """`change_cadence`, audited: what `baton settings set` and the `/okr settings` modal both do."""
    row = change_cadence(session, changes)
    audit(
        session,
        actor=actor,
        action="settings.update",
        entity="settings",
        entity_id=1,
        at=now,
        changes=changes,
    )
    return row


def _apply(row: WorkspaceSettings, name: str, text: str) -> None:
    if name == "timezone":
        ZoneInfo(text)  # raises for an unknown zone
        row.timezone = text
    elif name in ("checkin_day", "digest_day", "committee_day"):
        if text.lower()[:3] not in WEEKDAYS:
            raise ValueError("a weekday such as mon or tuesday")
        setattr(row, name.replace("_day", "_weekday"), WEEKDAYS.index(text.lower()[:3]))
    elif name in RANGES:
        low, high = RANGES[name]
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        setattr(row, name, int(text))
    elif name == "language":
        if text not in ("en", "fr"):
            raise ValueError("en or fr")
        row.language = text
    elif name == "holidays":
        row.holidays = [_holiday(item) for item in text.split(",") if item.strip()]
    elif name == "leadership_channel":
        row.leadership_channel = _channel(text) or None
    elif name == "team_channels":
        row.team_channels = _team_channels(row.team_channels, text)
    elif name == "escalation_contact":
        if text and not _USER.match(text):
            raise ValueError("a Slack user id such as U0123ABCD, or nothing")
        row.escalation_contact = text or None
    elif is_rule_setting(name):  # rule.NAME=on|off, rule.NAME.PARAM=N
        row.escalation_rules = tune_rule(row.escalation_rules, name, text)
    else:
        raise ValueError(f"unknown setting; one of {', '.join(EDITABLE)}")


def _channel(text: str) -> str:
    if text and not _CHANNEL.match(text):
        raise ValueError("a channel id such as C0123ABCD or a name such as #leadership, or nothing")
    if text.startswith("#"):  # Slack reads history by id only: bot/workspace/channels.py resolves names first
        raise ValueError(f"{text} must be looked up in Slack first: give the channel id such as C0123ABCD")
    return text


def _team_channels(current: dict[str, str], text: str) -> dict[str, str]:
    """`Finance=C0123,Ops=` sets Finance's channel, removes Ops's, and keeps the other departments'."""
    channels = dict(current)
    for item in text.split(","):
        if not item.strip():
            continue
        department, equals, channel = item.partition("=")
        if not equals or not department.strip():
            raise ValueError(f"{item.strip()!r}: write DEPARTMENT=CHANNEL, e.g. Finance=C0123ABCD")
        channels.pop(department.strip(), None)
        if channel.strip():
            channels[department.strip()] = _channel(channel.strip())
    return channels


def _holiday(item: str) -> dict[str, str | None]:
    day, _, country = item.strip().partition("@")
    date.fromisoformat(day)  # raises for a bad date
    if country and not (len(country) == 2 and country.isalpha()):
        raise ValueError(f"{country!r} is not a two-letter country code")
    return {"date": day, "country": country.upper() or None, "name": ""}
