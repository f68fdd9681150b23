"""`baton rituals status`: what each ritual had due this cycle and what became of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain.ritual import RitualName
from bot.portfolio import answers_in_cycle, responsible_people
from bot.workspace import load_workspace
from storage.models import Delivery, RitualRun, RunState

# A line per kind of claim, in the order of the rituals that make them; those of the weekly rituals
# always, the others (an escalation's alert) when the cycle has some. The committee and the review claim
# months and quarters, not cycles.
CLAIMS = tuple(claim for ritual in RitualName for claim in ritual.claims)
WEEKLY = (RitualName.CHECKIN, RitualName.REMINDERS, RitualName.DIGEST)


@dataclass(frozen=True)
class RitualLine:
    ritual: str  # the kind of claim: checkin, reminder, snooze, digest, escalation
    due: int  # claimed items: sent, queued, failed or skipped
    sent: int
    queued: int
    failed: int
    skipped: int


@dataclass(frozen=True)
class CycleStatus:
    cycle: str
    rituals: list[RitualLine]
    owners: int
    answered: int  # owners who answered for every initiative of theirs
    outbox: dict[str, int]  # deliveries by state, all cycles

    def render(self) -> str:
        lines = [
            f"cycle {self.cycle}: {self.answered} of {self.owners} owners have answered everything",
            f"{'ritual':<10}{'due':>6}{'sent':>6}{'queued':>8}{'failed':>8}{'skipped':>9}",
        ]
        lines += [
            f"{r.ritual:<10}{r.due:>6}{r.sent:>6}{r.queued:>8}{r.failed:>8}{r.skipped:>9}"
            for r in self.rituals
        ]
        lines.append(
            "outbox: " + ", ".join(f"{n} {state}" for state, n in sorted(self.outbox.items()))
            if self.outbox
            else "outbox: empty"
        )
        return "\n".join(lines)


def cycle_status(session: Session, settings: Settings, now: datetime) -> CycleStatus:
    cycle = load_workspace(session, settings).cycle(now)
    states: dict[str, Counter[str]] = {claim: Counter() for ritual in WEEKLY for claim in ritual.claims}
    for ritual, state, count in session.exec(
        select(RitualRun.ritual, RitualRun.state, func.count())
        .where(RitualRun.cycle == cycle)
        .group_by(col(RitualRun.ritual), col(RitualRun.state))
    ):
        states.setdefault(ritual, Counter())[state] = count
    order: dict[str, int] = {claim: n for n, claim in enumerate(CLAIMS)}
    lines = [
        RitualLine(
            ritual,
            sum(c.values()),
            c[RunState.SENT],
            c[RunState.QUEUED] + c[RunState.CLAIMED],
            c[RunState.FAILED],
            c[RunState.SKIPPED],
        )
        for ritual, c in sorted(states.items(), key=lambda item: order.get(item[0], len(order)))
    ]
    owners = responsible_people(session)
    answers = answers_in_cycle(session, cycle)
    answered = sum(all((i.id or 0) in answers for i in initiatives) for initiatives in owners.values())
    outbox = dict(session.exec(select(Delivery.state, func.count()).group_by(col(Delivery.state))).all())
    return CycleStatus(cycle, lines, len(owners), answered, {str(k): v for k, v in outbox.items()})
