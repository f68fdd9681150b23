"""What the weekly digest shows, as plain values: the view builders and `baton report` read these,
`bot.digest_data` fills them from the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.domain.progress import Pace
from bot.domain.roadmap import Owner
from storage.models import Delivery, Status

CLOSED = (Status.DONE, Status.DROPPED)


class Flag:
    """Why an update looks suspicious."""

    GREEN_BEHIND = "green_behind"  # on track, yet the KPI is behind its planned path
    GREEN_FLAT = "green_flat"  # on track, yet the KPI has not moved for FLAT_POINTS cycles
    SAME_TEXT = "same_text"  # the comment is word for word last cycle's


@dataclass(frozen=True)
class Point:
    """The latest check-in of one initiative in one cycle."""

    cycle: str
    status: Status
    kpi_value: float | None
    comment: str | None = None
    decision_needed: str | None = None
    author: str = ""
    submitted_at: datetime | None = None
    carried: bool = False  # a one-click answer gave no KPI: `kpi_value` is the last one known, carried on


@dataclass(frozen=True)
class Item:
    """One initiative as the digest shows it."""

    id: int
    title: str
    department: str | None
    quarter: str
    status: Status | None  # now
    previous_status: Status | None  # at the end of the previous cycle
    kpi_name: str | None
    kpi_unit: str | None
    kpi_current: float | None
    kpi_target: float | None
    trend: tuple[float | None, ...]  # the KPI in each of the last TREND_CYCLES cycles, oldest first
    pace: Pace
    planned_now: float | None  # where the plan says the KPI should be today
    projection: float | None  # where the trend puts the KPI on the due date
    due: date | None
    progress: float | None  # share of the way from baseline to target: negative when it went backwards
    owners: tuple[Owner, ...]
    latest: Point | None  # the newest check-in of the trend window
    answered: bool  # a check-in this cycle
    missed: int  # cycles its owners were asked in, in a row without a check-in, up to this one
    flags: tuple[str, ...]
    asked: frozenset[str] = frozenset()  # who was asked about it this cycle

    @property
    def changed(self) -> bool:
        return self.previous_status is not None and self.status != self.previous_status

    @property
    def decision_needed(self) -> str | None:
        return self.latest.decision_needed if self.latest and self.answered else None


@dataclass(frozen=True)
class Missing:
    """A person asked this cycle who has not answered, for what, and for how many of the cycles they were
    asked in a row."""

    user: str
    titles: tuple[str, ...]
    streak: int


class Unasked(StrEnum):
    """Why an owner of an unanswered initiative was not asked about it this cycle (so is not blamed)."""

    AWAY = "away"  # out of office, without a delegate
    HOLIDAY = "holiday"
    SKIPPED = "skipped"  # "Skip this week"
    NEW = "new"  # the initiative came after their prompt
    NOT_YET = "not_yet"  # their check-in morning has not come (or Baton has not sent it yet)
    NOT_SENT = "not_sent"  # Baton could not send it this cycle (it was down), or Slack does not know them

    @staticmethod
    def of_skipped_prompt(error: str | None) -> Unasked:
        """From the reason the check-in ritual recorded for a prompt it did not send."""
        reason = error or ""
        if reason.startswith("out of office"):
            return Unasked.AWAY
        if reason.startswith("holiday"):
            return Unasked.HOLIDAY
        return Unasked.NOT_SENT


@dataclass(frozen=True)
class NotAsked:
    """An owner of an initiative unanswered this cycle who was not asked about it, and why."""

    user: str
    why: Unasked


@dataclass(frozen=True)
class OpenEscalation:
    initiative_id: int
    title: str
    rule: str
    state: str
    reason: str
    level: int
    cycle: str


@dataclass(frozen=True)
class DecisionTaken:
    initiative_id: int
    title: str
    decision: str
    decided_by: str
    decided_at: datetime
    follow_up_owner: str | None
    follow_up_due: date | None


@dataclass(frozen=True)
class DigestData:
    cycle: str
    previous_cycle: str
    quarter: str
    department: str | None  # None: the whole portfolio
    trend_cycles: tuple[str, ...]
    items: tuple[Item, ...]  # by department, then title
    missing: tuple[Missing, ...]
    escalations: tuple[OpenEscalation, ...]
    decisions: tuple[DecisionTaken, ...]
    undelivered: tuple[Delivery, ...] = ()
    not_asked: tuple[NotAsked, ...] = ()  # shown apart from `missing`: nobody is blamed for these
    # Status counts at the end of each cycle of the quarter so far (None: no update yet), for the chart.
    status_by_cycle: Mapping[str, Counter[Status | None]] = field(default_factory=dict)

    @property
    def departments(self) -> list[str | None]:
        return list(dict.fromkeys(item.department for item in self.items))


def counts(items: Iterable[Item], *, previous: bool = False) -> Counter[Status | None]:
    """Initiatives per status now, or at the end of the previous cycle (None: no update yet)."""
    return Counter(item.previous_status if previous else item.status for item in items)
