"""Crafted portfolios for the digest tests: initiatives and their check-in history, written directly."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from bot.domain.cycles import cycle_monday
from storage.models import (
    CheckIn,
    CheckInSource,
    Direction,
    Initiative,
    Objective,
    RaciAssignment,
    Ritual,
    RitualRun,
    RunState,
    Status,
)

QUARTER_START = datetime(2026, 10, 1, tzinfo=UTC)
# Monday of 2026-W48, 16:30 in Paris: the digest (due 16:00 Paris) is due.
DIGEST_TIME = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


class Portfolio:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.objectives: dict[str | None, Objective] = {}

    def initiative(
        self,
        title: str,
        *,
        department: str | None = "Finance",
        owners: tuple[str, ...] = ("U0OWNER001",),
        baseline: float | None = None,
        target: float | None = None,
        direction: str = "up",
        unit: str | None = "%",
        due: date | None = date(2026, 12, 31),
        planned: dict[str, float] | None = None,
        created: datetime = QUARTER_START,
    ) -> Initiative:
        if department not in self.objectives:
            objective = Objective(
                title=f"Objective {department}",
                title_key=f"objective {department}".lower(),
                department=department,
                quarter="2026-Q4",
                created_at=created,
            )
            self.session.add(objective)
            self.session.flush()
            self.objectives[department] = objective
        initiative = Initiative(
            objective_id=self.objectives[department].id,  # type: ignore[arg-type]
            title=title,
            title_key=title.lower(),
            kpi_name="KPI",
            kpi_unit=unit,
            kpi_baseline=baseline,
            kpi_target=target,
            kpi_direction=Direction(direction),
            due_date=due,
            planned=planned or {},
            created_at=created,
            updated_at=created,
        )
        self.session.add(initiative)
        self.session.flush()
        for owner in owners:
            self.session.add(
                RaciAssignment(initiative_id=initiative.id, letter="R", user_id=owner)  # type: ignore[arg-type]
            )
        return initiative

    def checkins(self, initiative: Initiative, history: dict[str, tuple[Any, ...]]) -> None:
        """{cycle: (status, kpi value[, comment[, decision needed]])}, oldest first."""
        for cycle, (status, value, *text) in history.items():
            comment = text[0] if text else None
            decision = text[1] if len(text) > 1 else None
            at = datetime.combine(cycle_monday(cycle), time(10), tzinfo=UTC) + timedelta(
                minutes=initiative.id or 0
            )
            self.session.add(
                CheckIn(
                    initiative_id=initiative.id,  # type: ignore[arg-type]
                    cycle=cycle,
                    author="U0OWNER001",
                    status=Status(status),
                    kpi_value=value,
                    comment=comment,
                    decision_needed=decision,
                    source=CheckInSource.MODAL,
                    submitted_at=at,
                )
            )
            initiative.status = Status(status)
            if value is not None:
                initiative.kpi_current = value
        self.session.add(initiative)
        self.session.flush()

    def prompted(self, user: str, *cycles: str, state: str = RunState.SENT, error: str | None = None) -> None:
        record_prompts(self.session, [user], *cycles, state=state, error=error)


def record_prompts(
    session: Session, users: Iterable[str], *cycles: str, state: str = RunState.SENT, error: str | None = None
) -> None:
    """Each user's check-in prompt of each cycle, as the check-in ritual records it (Monday 08:00 UTC):
    only people asked count as not answering."""
    for user in users:
        for cycle in cycles:
            due = datetime.combine(cycle_monday(cycle), time(8), tzinfo=UTC)
            session.add(
                RitualRun(
                    ritual=Ritual.PROMPT,
                    cycle=cycle,
                    target=user,
                    state=state,
                    error=error,
                    due_at=due,
                    claimed_at=due,
                )
            )
    session.flush()
