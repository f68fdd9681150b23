"""The workspace's cadence: its settings row, or the defaults in BATON_TIMEZONE."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.config import Settings
from bot.domain.cycles import cycle_key
from bot.domain.schedule import Cadence
from storage.models import WorkspaceSettings


def load_cadence(session: Session, settings: Settings) -> Cadence:
    row = session.get(WorkspaceSettings, 1) or WorkspaceSettings()
    return Cadence(
        tz=ZoneInfo(row.timezone) if row.timezone else settings.org_timezone,
        checkin_weekday=row.checkin_weekday,
        checkin_hour=row.checkin_hour,
        reminder_delay=timedelta(hours=row.reminder_delay_hours),
        grace=timedelta(hours=row.grace_hours),
        digest_weekday=row.digest_weekday,
        digest_hour=row.digest_hour,
        holidays=Cadence.holidays_from(row.holidays),
    )


def current_cycle(session: Session, settings: Settings, now: datetime) -> str:
    return cycle_key(now, load_cadence(session, settings).tz)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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
)


def describe(row: WorkspaceSettings, settings: Settings) -> dict[str, str]:
    """The cadence as `baton settings show` prints it (and `set` reads it back)."""
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
    }


def change_cadence(session: Session, changes: dict[str, str]) -> WorkspaceSettings:
    """Apply `changes` (names of `EDITABLE` → text); a ValueError names the first bad one."""
    row = session.get(WorkspaceSettings, 1) or WorkspaceSettings()
    for name, text in changes.items():
        try:
            _apply(row, name, text.strip())
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{name}: {exc}") from None
    session.add(row)
    return row


def _apply(row: WorkspaceSettings, name: str, text: str) -> None:
    if name == "timezone":
        ZoneInfo(text)  # raises for an unknown zone
        row.timezone = text
    elif name in ("checkin_day", "digest_day"):
        if text.lower()[:3] not in WEEKDAYS:
            raise ValueError("a weekday such as mon or tuesday")
        setattr(row, name.replace("_day", "_weekday"), WEEKDAYS.index(text.lower()[:3]))
    elif name in ("checkin_hour", "digest_hour", "reminder_delay_hours", "grace_hours"):
        limit = 23 if name.endswith("_hour") else 168
        if not text.isdigit() or not 0 <= int(text) <= limit:
            raise ValueError(f"a whole number from 0 to {limit}")
        setattr(row, name, int(text))
    elif name == "language":
        if text not in ("en", "fr"):
            raise ValueError("en or fr")
        row.language = text
    elif name == "holidays":
        row.holidays = [_holiday(item) for item in text.split(",") if item.strip()]
    else:
        raise ValueError(f"unknown setting; one of {', '.join(EDITABLE)}")


def _holiday(item: str) -> dict[str, str | None]:
    day, _, country = item.strip().partition("@")
    date.fromisoformat(day)  # raises for a bad date
    if country and not (len(country) == 2 and country.isalpha()):
        raise ValueError(f"{country!r} is not a two-letter country code")
    return {"date": day, "country": country.upper() or None, "name": ""}
