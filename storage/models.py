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
    # The planned path, where the roadmap gives one: {"2026-W48": 12.5, ...}; linear from baseline to
    # target by the due date otherwise.
    planned: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Ids of the initiatives this one depends on.
    depends_on: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: Status | None = Field(default=None, sa_type=sa.String(16))  # None until the first check-in
    archived: bool = False
    # The initiative of an earlier quarter this one continues (carried over at its close-out): its
    # history reads on into this one.
    carried_from_id: int | None = Field(default=None, foreign_key="initiative.id", index=True)
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
    decision_options: str | None = None  # the options at stake when a decision is needed
    source: CheckInSource = Field(sa_type=sa.String(16))
    submitted_at: datetime = _utc_column(index=True)
    # Set for one-click answers: the same click arriving twice (or two clicks racing) records once.
    dedupe_key: str | None = None


class Ritual(StrEnum):
    """What a claim is for: `RitualRun.ritual`."""

    PROMPT = "checkin"  # an owner's Monday prompt
    REMINDER = "reminder"
    SNOOZE = "snooze"  # the reminder a snooze asked for
    DIGEST = "digest"
    ESCALATION = "escalation"  # an alert, or a re-escalation reply
    COMMITTEE = "committee"
    REVIEW = "review"


class RunState(StrEnum):
    """Where a claimed item stands: `RitualRun.state`."""

    CLAIMED = "claimed"
    QUEUED = "queued"  # its messages are in the outbox
    SENT = "sent"
    FAILED = "failed"  # may be claimed again
    SKIPPED = "skipped"  # not sent, and why in `error`


class RitualRun(SQLModel, table=True):
    """A due ritual item, claimed once by its unique key so that nothing is ever sent twice."""

    __table_args__ = (sa.UniqueConstraint("ritual", "cycle", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    ritual: str
    cycle: str
    target: str  # a channel or user id
    state: str = RunState.CLAIMED  # a RunState
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
    email: str | None = Field(default=None, index=True)  # for imported owners named by e-mail
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
    # Where digests, alerts and agendas go; None: LEADERSHIP_CHANNEL.
    leadership_channel: str | None = None
    # Each department's team channel, for its team digest: {"Finance": "C0123ABCD"}.
    team_channels: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Escalation rules tuned or switched off: {"at_risk_streak": {"enabled": true, "cycles": 2}, ...};
    # a rule missing here runs with its defaults (bot/domain/escalation.py).
    escalation_rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    escalation_sla_hours: int = 48  # unacknowledged this long: re-escalated one level
    escalation_contact: str | None = None  # a user id: the last level of the re-escalation ladder
    committee_weekday: int = 1  # the monthly arbitration committee: first Tuesday of the month ...
    committee_week: int = 1  # ... (1 = first, 2 = second, ..., 5 = last) ...
    committee_hour: int = 10  # ... at 10:00 organisation's time: its agenda is posted then
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

    __table_args__ = (sa.UniqueConstraint("pending_key", name="uq_snooze_pending_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    cycle: str
    until: datetime = _utc_column()
    created_at: datetime = _utc_column()
    # `user:cycle` while the reminder is still to come, None once it has passed: unique, so two clicks on
    # Snooze (or two replicas) make one snooze, and a later one can be asked for once it has passed.
    pending_key: str | None = None


class SeenRequest(SQLModel, table=True):
    """A request from Slack that was acted on, by its key (bot/delivery/replays.py): a replay or a retry
    of it finds the row and does nothing. Pruned after REPLAY_MEMORY, well past Slack's 5-minute window."""

    key: str = Field(primary_key=True, max_length=80)
    seen_at: datetime = _utc_column(index=True)


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


class DeliveryKind(StrEnum):
    """What a delivery carries (`Delivery.kind`): what the digest counts when Slack refused some."""

    PROMPT = "prompt"
    REMINDER = "reminder"
    CONFIRMATION = "confirmation"  # a check-in DM rewritten, an update or out-of-office confirmed
    ESCALATION = "escalation"  # an alert, its edits and its thread's replies
    DECISION = "decision"  # a decision, told by DM
    DIGEST = "digest"
    COMMITTEE = "committee"
    REVIEW = "review"


class DeliveryMethod(StrEnum):
    POST = "chat.postMessage"
    UPDATE = "chat.update"
    FILE = "files.upload_v2"  # payload: filename, title, alt_txt, content_b64


class Delivery(SQLModel, table=True):
    """The outbox: a message to send, written in the same transaction as the state that caused it."""

    __table_args__ = (sa.Index("ix_delivery_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # a DeliveryKind
    method: str = DeliveryMethod.POST
    channel: str  # a channel id, or a user id for a DM
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ritual_run_id: int | None = Field(default=None, foreign_key="ritualrun.id", index=True)
    # A delivery that needs another's message: a chat.update of a post still in flight, a reply in its
    # thread. The sender holds it until the parent is sent, then takes the parent's channel and ts.
    parent_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
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


class EscalationState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    SCHEDULED = "scheduled"  # on the next arbitration committee's agenda
    DECIDED = "decided"
    RESOLVED = "resolved"


class Escalation(SQLModel, table=True):
    """One rule fired for one initiative. While it is not closed (decided or resolved) `open_key` holds
    `initiative:rule`, unique: a rule firing again updates it rather than opening another."""

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    rule: str  # off_track, at_risk_streak, confidence_drop, projection_miss, silent, decision_needed, manual
    open_key: str | None = Field(default=None, unique=True)
    state: EscalationState = Field(default=EscalationState.OPEN, sa_type=sa.String(16))
    reason: str = ""  # what the rule saw, or what the person who escalated by hand wrote
    # Later `/okr escalate` of the same initiative: [{"user": "U0123", "reason": "...", "at": "ISO"}]
    more_reasons: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    cycle: str  # the cycle it was opened in
    opened_by: str | None = None  # a user id for `/okr escalate`; None for a rule
    opened_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()
    sla_deadline: datetime = _utc_column()
    level: int = 0  # 0: the leadership channel; 1: the accountable role mentioned; 2: the escalation contact
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = _utc_column(nullable=True)
    scheduled_for: str | None = None  # the committee it is on the agenda of, e.g. 2026-12
    closed_by: str | None = None
    closed_at: datetime | None = _utc_column(nullable=True)
    channel: str | None = None  # where its alert is, to update it in place
    message_ts: str | None = None


class Decision(SQLModel, table=True):
    """The decision log: what was decided, by whom, when, on which escalation or committee."""

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", index=True)
    committee: str | None = None  # e.g. 2026-12, when taken in the monthly arbitration committee
    decision: str
    rationale: str | None = None
    decided_by: str  # a user id
    decided_at: datetime = _utc_column(index=True)
    follow_up_owner: str | None = None  # a user id
    follow_up_due: date | None = None
    # A quarter's close-out of the initiative: achieved, carried_over or dropped (bot/closeout.py), and
    # `closeout_key` = its initiative id, unique, so a double click or a replay records one close-out.
    outcome: str | None = Field(default=None, sa_type=sa.String(16))
    closeout_key: str | None = Field(default=None, unique=True)
