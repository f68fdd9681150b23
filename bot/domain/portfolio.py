"""The portfolio's plain values: what the services read and write and the view builders show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from storage.models import Direction, EscalationState, Initiative, RaciLetter, Status


@dataclass(frozen=True)
class Details:
    """What a check-in says besides its status and KPI value (the update modal's other fields)."""

    confidence: int | None = None  # 1-5
    progress: int | None = None  # 0-100 %
    next_steps: str | None = None
    blockers: str | None = None
    decision_needed: str | None = None
    decision_options: str | None = None


NO_DETAILS = Details()


RACI = tuple(RaciLetter)


@dataclass(frozen=True)
class InitiativeSpec:
    """An initiative as `/okr new` and `/okr edit` describe it; each RACI letter holds people and roles."""

    title: str
    objective: str
    quarter: str
    department: str | None = None
    kpi_name: str | None = None
    kpi_unit: str | None = None
    kpi_baseline: float | None = None
    kpi_target: float | None = None
    kpi_direction: Direction = Direction.UP
    due_date: date | None = None
    people: dict[RaciLetter, tuple[str, ...]] = field(default_factory=dict)  # Slack user ids
    roles: dict[RaciLetter, tuple[str, ...]] = field(default_factory=dict)  # role names, as typed


@dataclass(frozen=True)
class RaciMember:
    """One entry of a RACI letter: a person, or a role with its holders as they are now."""

    user: str | None = None
    role: str | None = None
    holders: tuple[str, ...] = ()


def people_of(members: Iterable[RaciMember]) -> list[str]:
    """The Slack users behind RACI entries: people named, and the holders of roles named."""
    return list(dict.fromkeys(user for m in members for user in ((m.user,) if m.user else m.holders)))


CLOSED_ESCALATIONS = (EscalationState.DECIDED, EscalationState.RESOLVED)


@dataclass(frozen=True)
class StatusChange:
    initiative: Initiative
    before: Status
    now: Status
