"""A quarter's close-out: once the quarter is over, the strategy office records for each initiative whether
it was achieved, is carried over to the next quarter, or is dropped, with a reason.

Each close-out is a Decision (`outcome`, the reason as its rationale) whose `closeout_key` is unique: a
double click, a replay or two admins at once record one. Achieved makes the initiative done, dropped makes
it dropped; carried over continues it in the next quarter as a new initiative (same title, KPI target and
RACI; its baseline the last value reached) whose `carried_from_id` links its history to this one's. A
roadmap of the next quarter imported later finds it by title (`initiative_in_quarter`) and updates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.audit import audit
from bot.config import Settings
from bot.delivery.claims import one_at_a_time
from bot.delivery.outbox import enqueue_reply
from bot.domain.cycles import in_quarter, next_quarter, quarter_bounds
from bot.domain.escalation import per_cycle
from bot.domain.portfolio import CLOSED_ESCALATIONS
from bot.permissions import is_admin, log_refusal
from bot.portfolio.checkins import NEWEST_FIRST
from bot.portfolio.initiatives import PORTFOLIO_WRITES, ensure_objective, initiative_in_quarter
from storage.db import session_scope
from storage.models import (
    CheckIn,
    Decision,
    Delivery,
    DeliveryKind,
    Escalation,
    EscalationState,
    Initiative,
    Objective,
    RaciAssignment,
    Ritual,
    RitualRun,
    Status,
)

MAX_REASON = 500


class Outcome(StrEnum):
    ACHIEVED = "achieved"
    CARRIED_OVER = "carried_over"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Recorded:
    initiative: Initiative
    outcome: Outcome
    reason: str
    carried_to: Initiative | None  # the next quarter's initiative, when carried over


class Refused(Exception):
    """Nothing was recorded; `key` names the message that says why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def quarter_over(quarter: str, today_quarter: str) -> bool:
    return quarter < today_quarter


def closeout_key(initiative_id: int) -> str:
    return str(initiative_id)


def quarter_initiatives(session: Session, quarter: str) -> list[tuple[Initiative, str | None]]:
    """The quarter's active initiatives with their department, by department then title."""
    return list(
        session.exec(
            select(Initiative, Objective.department)
            .join(Objective, col(Initiative.objective_id) == Objective.id)
            .where(Objective.quarter == quarter, col(Initiative.archived).is_(False))
            .order_by(col(Objective.department), col(Initiative.title_key), col(Initiative.id))
        )
    )


def closeouts(session: Session, initiative_ids: list[int]) -> dict[int, Decision]:
    """The close-out decision of each of these initiatives that has one."""
    if not initiative_ids:
        return {}
    rows = session.exec(
        select(Decision).where(
            col(Decision.initiative_id).in_(initiative_ids), col(Decision.closeout_key).is_not(None)
        )
    )
    return {decision.initiative_id: decision for decision in rows}


def still_open(session: Session, quarter: str) -> list[tuple[Initiative, str | None]]:
    """The quarter's initiatives not closed out yet."""
    pairs = quarter_initiatives(session, quarter)
    done = closeouts(session, [initiative.id or 0 for initiative, _ in pairs])
    return [(initiative, department) for initiative, department in pairs if initiative.id not in done]


def reached(session: Session, initiative: Initiative, quarter: str) -> float | None:
    """The last KPI value reported in the quarter, else the initiative's current one."""
    checkins = session.exec(select(CheckIn).where(CheckIn.initiative_id == initiative.id)).all()
    values = [
        a.kpi_value for a in per_cycle(checkins) if in_quarter(a.cycle, quarter) and a.kpi_value is not None
    ]
    return values[-1] if values else initiative.kpi_current


def record(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    *,
    quarter: str,
    today_quarter: str,
    initiative_id: int,
    outcome: Outcome,
    reason: str,
    user: str,
    now: datetime,
) -> Recorded:
    """Who may act is decided here, from Slack, never from what the button or modal carried."""
    if not is_admin(settings, client, user):
        log_refusal("closeout", user, initiative_id=initiative_id)
        raise Refused("closeout.error.admins")
    with session_scope(engine) as session:
        return close_out(
            session,
            quarter=quarter,
            today_quarter=today_quarter,
            initiative_id=initiative_id,
            outcome=outcome,
            reason=reason,
            actor=user,
            now=now,
        )


def close_out(
    session: Session,
    *,
    quarter: str,
    today_quarter: str,
    initiative_id: int,
    outcome: Outcome,
    reason: str,
    actor: str,
    now: datetime,
) -> Recorded:
    """Record one initiative's close-out in the caller's transaction; Refused (nothing written) when the
    quarter is not over, the initiative is not one of its own, or it was closed out already."""
    reason = " ".join(reason.split())
    if not reason:
        raise Refused("closeout.error.reason")
    if len(reason) > MAX_REASON:
        raise Refused("closeout.error.reason_long")
    if not quarter_over(quarter, today_quarter):
        raise Refused("closeout.error.not_over")
    initiative = session.get(Initiative, initiative_id)
    objective = session.get(Objective, initiative.objective_id) if initiative else None
    if initiative is None or objective is None or objective.quarter != quarter or initiative.archived:
        raise Refused("closeout.error.gone")
    one_at_a_time(session, PORTFOLIO_WRITES)  # a carried-over initiative is created: as imports do
    decision = Decision(
        initiative_id=initiative_id,
        decision=outcome.value,
        outcome=outcome.value,
        rationale=reason,
        decided_by=actor,
        decided_at=now,
        closeout_key=closeout_key(initiative_id),
    )
    try:
        with session.begin_nested():  # the unique key decides between a double click's two halves
            session.add(decision)
            session.flush()
    except IntegrityError:
        raise Refused("closeout.error.done") from None
    carried_to = None
    if outcome is Outcome.ACHIEVED:
        initiative.status = Status.DONE
    elif outcome is Outcome.DROPPED:
        initiative.status = Status.DROPPED
    else:
        carried_to = carry_over(
            session, initiative, objective, reached(session, initiative, quarter), actor, now
        )
    initiative.updated_at = now
    _close_escalations(session, initiative_id, actor, now)
    audit(
        session,
        actor=actor,
        action="initiative.closeout",
        entity="initiative",
        entity_id=initiative_id,
        at=now,
        quarter=quarter,
        outcome=outcome.value,
        carried_to=carried_to.id if carried_to else None,
    )
    return Recorded(initiative, outcome, reason, carried_to)


def carry_over(
    session: Session, old: Initiative, objective: Objective, value: float | None, actor: str, now: datetime
) -> Initiative:
    """The next quarter's initiative continuing `old`: one already there by title (imported before the
    close-out) is linked, otherwise one is made with the same title, target and RACI."""
    quarter = next_quarter(objective.quarter)
    found = initiative_in_quarter(session, old.title, quarter)
    if found is not None:
        if found.carried_from_id is None:
            found.carried_from_id = old.id
            if found.kpi_baseline is None:
                found.kpi_baseline = value
        return found
    target = ensure_objective(session, objective.title, quarter, objective.department, actor=actor, now=now)
    start, _ = quarter_bounds(quarter)
    new = Initiative(
        objective_id=target.id or 0,
        title=old.title,
        title_key=old.title_key,
        kpi_name=old.kpi_name,
        kpi_unit=old.kpi_unit,
        kpi_baseline=value if value is not None else old.kpi_baseline,
        kpi_target=old.kpi_target,
        kpi_direction=old.kpi_direction,
        kpi_current=value,
        # a target still in words (e.g. -20 %) is kept as words: the new baseline makes it a level
        target_mode=old.target_mode if old.kpi_target is None else None,
        target_change=old.target_change if old.kpi_target is None else None,
        due_date=None,
        carried_from_id=old.id,
        created_at=now,
        updated_at=now,
    )
    session.add(new)
    session.flush()
    for assignment in session.exec(
        select(RaciAssignment).where(RaciAssignment.initiative_id == old.id)
    ).all():
        session.add(
            RaciAssignment(
                initiative_id=new.id or 0,
                letter=assignment.letter,
                user_id=assignment.user_id,
                role_id=assignment.role_id,
            )
        )
    audit(
        session,
        actor=actor,
        action="initiative.create",
        entity="initiative",
        entity_id=new.id,
        at=now,
        title=new.title,
        carried_from=old.id,
        start=start.isoformat(),
    )
    return new


def _close_escalations(session: Session, initiative_id: int, actor: str, now: datetime) -> None:
    """Escalations left open at the quarter's end waited for this: the close-out settles them."""
    for escalation in session.exec(
        select(Escalation).where(
            Escalation.initiative_id == initiative_id, col(Escalation.state).not_in(CLOSED_ESCALATIONS)
        )
    ):
        escalation.state = EscalationState.RESOLVED
        escalation.open_key = None
        escalation.closed_by = actor
        escalation.closed_at = now
        escalation.updated_at = now


def lineage(session: Session, initiative_id: int) -> list[int]:
    """This initiative and those it was carried over from, newest first."""
    ids: list[int] = []
    current: int | None = initiative_id
    while current is not None and current not in ids:
        ids.append(current)
        initiative = session.get(Initiative, current)
        current = initiative.carried_from_id if initiative else None
    return ids


def history_with_earlier(session: Session, initiative_id: int, limit: int = 8) -> list[CheckIn]:
    """The latest check-ins, newest first, reading on into the quarters it was carried over from."""
    ids = lineage(session, initiative_id)
    return list(
        session.exec(
            select(CheckIn).where(col(CheckIn.initiative_id).in_(ids)).order_by(*NEWEST_FIRST).limit(limit)
        )
    )


def review_threads(session: Session, quarter: str) -> list[Delivery]:
    """The head message of the quarter's review in each leadership channel: close-outs are told there."""
    return list(
        session.exec(
            select(Delivery)
            .join(RitualRun, col(Delivery.ritual_run_id) == RitualRun.id)
            .where(
                RitualRun.ritual == Ritual.REVIEW,
                RitualRun.cycle == quarter,
                col(Delivery.parent_id).is_(None),
            )
        )
    )


def tell_review_threads(session: Session, quarter: str, message: dict[str, object], now: datetime) -> int:
    threads = review_threads(session, quarter)
    for head in threads:
        enqueue_reply(session, kind=DeliveryKind.REVIEW, parent=head, message=dict(message), now=now)
    return len(threads)
