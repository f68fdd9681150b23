"""The domain, as stored. Every datetime is timezone-aware and stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import JSON, Column, Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Baton stores only timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column(nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    DONE = "done"
    DROPPED = "dropped"


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


class TargetMode(StrEnum):
    """How an objective states its target: `-20 %` (relative), `+3 pts` (points), `100 %` (absolute)."""

    RELATIVE = "relative"
    POINTS = "points"
    ABSOLUTE = "absolute"


class RaciLetter(StrEnum):
    RESPONSIBLE = "R"
    ACCOUNTABLE = "A"
    CONSULTED = "C"
    INFORMED = "I"


class CheckInSource(StrEnum):
    DM_BUTTON = "dm_button"
    MODAL = "modal"
    SLASH = "slash"
    IMPORT = "import"


class Objective(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("quarter", "title_key"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    title_key: str = Field(index=True)  # normalised title, for idempotent imports and matching
    department: str | None = None
    quarter: str = Field(index=True)  # e.g. 2026-Q4
    created_at: datetime = _utc_column()


class Initiative(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    title: str
    title_key: str = Field(index=True)
    kpi_name: str | None = None
    kpi_unit: str | None = None
    kpi_baseline: float | None = None
    kpi_target: float | None = None
    kpi_direction: Direction = Field(default=Direction.UP, sa_type=sa.String(8))
    kpi_current: float | None = None
    # The objective's target as parsed from its text, until a baseline turns it into `kpi_target`.
    target_mode: TargetMode | None = Field(default=None, sa_type=sa.String(16))
    target_change: float | None = None
    due_date: date | None = None
    status: Status | None = Field(default=None, sa_type=sa.String(16))  # None until the first check-in
    archived: bool = False
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class Role(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)


class RoleMember(SQLModel, table=True):
    role_id: int = Field(foreign_key="role.id", primary_key=True)
    user_id: str = Field(primary_key=True)  # a Slack user id


class RaciAssignment(SQLModel, table=True):
    """One person or one role in one RACI letter of one initiative. The owner is the R."""

    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (role_id IS NULL)", name="raci_user_xor_role"),
        sa.UniqueConstraint("initiative_id", "letter", "user_id", "role_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    letter: RaciLetter = Field(sa_type=sa.String(1))
    user_id: str | None = None
    role_id: int | None = Field(default=None, foreign_key="role.id")


class CheckIn(SQLModel, table=True):
    """One submission: the history is append-only; the latest of a cycle is the current answer."""

    __table_args__ = (
        sa.Index("ix_checkin_initiative_cycle", "initiative_id", "cycle"),
        sa.UniqueConstraint("dedupe_key", name="uq_checkin_dedupe_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id")
    cycle: str = Field(index=True)  # ISO week in the organisation's time zone, e.g. 2026-W48
    author: str  # a Slack user id
    status: Status = Field(sa_type=sa.String(16))
    kpi_value: float | None = None
    confidence: int | None = None  # 1-5
    progress: int | None = None  # 0-100 %
    comment: str | None = None
    next_steps: str | None = None
    blockers: str | None = None
    decision_needed: str | None = None
    source: CheckInSource = Field(sa_type=sa.String(16))
    submitted_at: datetime = _utc_column(index=True)
    # Set for one-click answers: the same click arriving twice (or two clicks racing) records once.
    dedupe_key: str | None = None


class RitualRun(SQLModel, table=True):
    """A due ritual item, claimed once by its unique key so that nothing is ever sent twice."""

    __table_args__ = (sa.UniqueConstraint("ritual", "cycle", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    ritual: str
    cycle: str
    target: str  # a channel or user id
    state: str = "claimed"  # claimed -> sent | failed; queued (handed to the outbox); skipped (with error)
    due_at: datetime | None = _utc_column(nullable=True)
    claimed_at: datetime = _utc_column()
    finished_at: datetime | None = _utc_column(nullable=True)
    message_ts: str | None = None
    error: str | None = None


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc_column(index=True)
    actor: str  # a Slack user id, or "cli"
    action: str  # e.g. checkin.create, initiative.update
    entity: str
    entity_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Person(SQLModel, table=True):
    """A Slack user as Baton last saw them (users.info): their time zone decides when they are prompted."""

    user_id: str = Field(primary_key=True)
    name: str | None = None
    tz: str | None = None  # IANA name; None: the organisation's
    locale: str | None = None
    country: str | None = None  # ISO 3166 code, for holidays that are not everyone's
    deleted: bool = False
    fetched_at: datetime | None = _utc_column(nullable=True)


class WorkspaceSettings(SQLModel, table=True):
    """The cadence, one row. Missing row: the defaults below, in BATON_TIMEZONE."""

    id: int = Field(default=1, primary_key=True)
    timezone: str | None = None  # None: BATON_TIMEZONE
    checkin_weekday: int = 0  # 0 = Monday
    checkin_hour: int = 9
    reminder_delay_hours: int = 24
    grace_hours: int = 6  # how late a missed prompt is still sent
    digest_weekday: int = 0
    digest_hour: int = 16
    language: str = "en"
    # [{"date": "2026-12-25", "country": "FR" or null for everyone, "name": "Noël"}]
    holidays: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Away(SQLModel, table=True):
    """Out of office, both days included; the delegate, if any, is prompted instead."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    starts_on: date
    ends_on: date
    delegate_id: str | None = None
    created_at: datetime = _utc_column()


class Snooze(SQLModel, table=True):
    """An owner asked to be reminded later in a cycle."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    cycle: str
    until: datetime = _utc_column()
    created_at: datetime = _utc_column()


class CycleSkip(SQLModel, table=True):
    """An owner said "skip this week": no reminder for that cycle."""

    user_id: str = Field(primary_key=True)
    cycle: str = Field(primary_key=True)
    created_at: datetime = _utc_column()


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; checked against Slack before any resend
    SENT = "sent"
    FAILED = "failed"


class Delivery(SQLModel, table=True):
    """The outbox: a message to send, written in the same transaction as the state that caused it."""

    __table_args__ = (sa.Index("ix_delivery_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # prompt, reminder, confirmation, digest ...
    method: str = "chat.postMessage"  # or chat.update
    channel: str  # a channel id, or a user id for a DM
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ritual_run_id: int | None = Field(default=None, foreign_key="ritualrun.id", index=True)
    state: DeliveryState = Field(default=DeliveryState.PENDING, sa_type=sa.String(16))
    attempts: int = 0
    next_attempt_at: datetime = _utc_column()
    claimed_by: str | None = None
    claimed_at: datetime | None = _utc_column(nullable=True)
    sent_at: datetime | None = _utc_column(nullable=True)
    message_channel: str | None = None
    message_ts: str | None = None
    error: str | None = None
    created_at: datetime = _utc_column()
