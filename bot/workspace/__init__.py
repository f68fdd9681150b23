"""The workspace: one immutable value, its settings row laid over the environment's defaults, loaded once
per request or ritual and passed down. Nothing else decides which time zone, cadence or channels apply.

`bot.workspace.settings` edits the row (validated, audited) and shows it; this module reads it for
everything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.domain.cycles import cycle_key, quarter_key
from bot.domain.schedule import Cadence
from storage.db import session_scope
from storage.models import WorkspaceSettings


@dataclass(frozen=True)
class Committee:
    """The monthly arbitration committee's slot: `week` 1–4, 5 = the last such weekday of the month."""

    weekday: int
    week: int
    hour: int


@dataclass(frozen=True)
class Workspace:
    tz: ZoneInfo
    cadence: Cadence
    language: str
    leadership: tuple[str, ...]  # the leadership channel(s): digests, alerts, agendas, reviews
    teams: Mapping[str, str]  # department → its team channel
    escalation_rules: Mapping[str, Any]
    sla: timedelta  # unacknowledged this long, an escalation moves up a level
    contact: str | None  # the last level of the re-escalation ladder
    committee: Committee

    @property
    def alerts_channel(self) -> str | None:
        """Where escalation alerts go: the first leadership channel. One only: an alert with buttons in
        two places would tell two stories."""
        return self.leadership[0] if self.leadership else None

    def today(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()

    def cycle(self, now: datetime) -> str:
        return cycle_key(now, self.tz)

    def quarter(self, now: datetime) -> str:
        return quarter_key(now, self.tz)


def load_workspace(session: Session, settings: Settings) -> Workspace:
    """The workspace as it stands: the settings row (or its defaults), over BATON_TIMEZONE and
    LEADERSHIP_CHANNEL where the row sets neither."""
    row = session.get(WorkspaceSettings, 1) or WorkspaceSettings()
    tz = ZoneInfo(row.timezone) if row.timezone else settings.org_timezone
    leadership = row.leadership_channel or settings.leadership_channel or ""
    return Workspace(
        tz=tz,
        cadence=Cadence(
            tz=tz,
            checkin_weekday=row.checkin_weekday,
            checkin_hour=row.checkin_hour,
            reminder_delay=timedelta(hours=row.reminder_delay_hours),
            grace=timedelta(hours=row.grace_hours),
            digest_weekday=row.digest_weekday,
            digest_hour=row.digest_hour,
            holidays=Cadence.holidays_from(row.holidays),
        ),
        language=row.language,
        leadership=tuple(c for c in re.split(r"[,\s]+", leadership) if c),  # several: comma-separated
        teams=MappingProxyType(dict(row.team_channels)),
        escalation_rules=MappingProxyType(dict(row.escalation_rules)),
        sla=timedelta(hours=row.escalation_sla_hours),
        contact=row.escalation_contact,
        committee=Committee(row.committee_weekday, row.committee_week, row.committee_hour),
    )


def workspace_of(engine: Engine, settings: Settings) -> Workspace:
    """`load_workspace` in a session of its own, for a request that needs nothing else from the database."""
    with session_scope(engine) as session:
        return load_workspace(session, settings)
