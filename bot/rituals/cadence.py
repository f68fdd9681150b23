"""The workspace's cadence: its settings row, or the defaults in BATON_TIMEZONE."""

from datetime import datetime, timedelta
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
