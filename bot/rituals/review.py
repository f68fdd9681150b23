"""The quarterly review: when a quarter is over, what each of its initiatives reached.

It is due on the first day of the next quarter at 09:00 in the organisation's time zone, once every check-in
of the quarter is in (the last week's answers come in until its Sunday), and is posted once per quarter and
leadership channel. Baton down that morning posts it later, within `CATCH_UP`: a late review still serves.
`baton export --quarter Q` carries the same review as data.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain.cycles import next_quarter, previous_quarter, quarter_bounds, quarter_cycles
from bot.domain.escalation import per_cycle, plan_of
from bot.domain.progress import score
from bot.domain.ritual import RitualName, RitualResult
from bot.permissions import is_admin, log_refusal
from bot.portfolio import closeout
from bot.rituals.committee import post_when_due
from bot.views.review import CloseoutForm, ReviewItem, closeout_modal, closeout_reply, review_messages
from bot.workspace import workspace_of
from storage.db import session_scope
from storage.models import CheckIn, Decision, Initiative, Objective

REVIEW = RitualName.REVIEW
REVIEW_HOUR = 9
CATCH_UP = timedelta(days=14)


def review_due(quarter: str, tz: tzinfo) -> datetime:
    """09:00 on the day after the quarter's last day, organisation's time."""
    _, last = quarter_bounds(quarter)
    return datetime.combine(last + timedelta(days=1), time(REVIEW_HOUR), tzinfo=tz)


def run_review(engine: Engine, *, now: datetime, settings: Settings) -> list[RitualResult]:
    workspace = workspace_of(engine, settings)
    quarter = previous_quarter(workspace.quarter(now))
    due = review_due(quarter, workspace.tz)
    return post_when_due(
        engine,
        ritual=REVIEW,
        cycle=quarter,
        channels=workspace.leadership,
        due=due,
        missed=due + CATCH_UP,
        now=now,
        build=lambda session: review_messages(
            quarter,
            quarter_review(session, quarter),
            workspace.language,
            cycles=quarter_cycles(quarter),
            closeout=True,  # posted once the quarter is over: the strategy office closes it out from here
        ),
    )


def closeout_form(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    *,
    quarter: str,
    user: str,
    now: datetime,
    lang: str,
) -> dict[str, Any]:
    """The close-out modal of `quarter` with what is left to close out; Refused for anyone but an admin, or
    before the quarter is over. The button only says which quarter: who may act is asked of Slack."""
    if not is_admin(settings, client, user):
        log_refusal("closeout", user, quarter=quarter)
        raise closeout.Refused("closeout.error.admins")
    workspace = workspace_of(engine, settings)
    if not closeout.quarter_over(quarter, workspace.quarter(now)):
        raise closeout.Refused("closeout.error.not_over")
    with session_scope(engine) as session:
        return closeout_modal(quarter, next_quarter(quarter), _still_open(session, quarter), lang)


def submit_closeout(
    engine: Engine, settings: Settings, client: WebClient, *, form: CloseoutForm, user: str, now: datetime
) -> dict[str, Any]:
    """Record one close-out, tell it in the review's thread (each leadership channel's), and return the
    modal for the next one; Refused (nothing written) otherwise."""
    if not is_admin(settings, client, user):
        log_refusal("closeout", user, initiative_id=form.initiative_id)
        raise closeout.Refused("closeout.error.admins")
    workspace = workspace_of(engine, settings)
    with session_scope(engine) as session:
        recorded = closeout.close_out(
            session,
            quarter=form.quarter,
            today_quarter=workspace.quarter(now),
            initiative_id=form.initiative_id,
            outcome=closeout.Outcome(form.outcome),
            reason=form.reason,
            actor=user,
            now=now,
        )
        carried = next_quarter(form.quarter) if recorded.carried_to else None
        reply = closeout_reply(
            user, recorded.initiative.title, recorded.outcome, recorded.reason, carried, workspace.language
        )
        closeout.tell_review_threads(session, form.quarter, reply, now)
        return closeout_modal(
            form.quarter, next_quarter(form.quarter), _still_open(session, form.quarter), form.lang
        )


def _still_open(session: Session, quarter: str) -> list[ReviewItem]:
    return [item for item in quarter_review(session, quarter) if item.closeout is None]


def quarter_review(session: Session, quarter: str) -> list[ReviewItem]:
    """Each active initiative of `quarter`: baseline → target → reached, its OKR score, its status cycle by
    cycle, and the decisions taken on it. Three queries whatever the portfolio's size."""
    pairs = list(
        session.exec(
            select(Initiative, Objective.department)
            .join(Objective, col(Initiative.objective_id) == Objective.id)
            .where(Objective.quarter == quarter, col(Initiative.archived).is_(False))
            .order_by(col(Objective.department), col(Initiative.title_key))
        )
    )
    ids = [initiative.id for initiative, _ in pairs]
    checkins: dict[int, list[CheckIn]] = defaultdict(list)
    for checkin in session.exec(select(CheckIn).where(col(CheckIn.initiative_id).in_(ids))):
        checkins[checkin.initiative_id].append(checkin)
    decisions: dict[int, list[Decision]] = defaultdict(list)
    for decision in session.exec(
        select(Decision).where(col(Decision.initiative_id).in_(ids)).order_by(col(Decision.decided_at))
    ):
        decisions[decision.initiative_id].append(decision)
    cycles = quarter_cycles(quarter)
    items = []
    for initiative, department in pairs:
        answers = [a for a in per_cycle(checkins[initiative.id or 0]) if a.cycle in cycles]
        by_cycle = {answer.cycle: answer.status for answer in answers}
        values = [a.kpi_value for a in answers if a.kpi_value is not None]
        reached = values[-1] if values else initiative.kpi_current
        plan = plan_of(initiative, quarter)
        items.append(
            ReviewItem(
                initiative=initiative,
                department=department,
                reached=reached,
                score=score(plan, reached),
                statuses=[by_cycle.get(cycle) for cycle in cycles],
                decisions=decisions[initiative.id or 0],
            )
        )
    return items


def review_export(session: Session, quarter: str) -> list[dict[str, Any]]:
    """The review as `baton export --quarter` writes it."""
    cycles = quarter_cycles(quarter)
    return [
        {
            "initiative": item.initiative.title,
            "department": item.department,
            "kpi": item.initiative.kpi_name,
            "unit": item.initiative.kpi_unit,
            "baseline": item.initiative.kpi_baseline,
            "target": item.initiative.kpi_target,
            "reached": item.reached,
            "score": item.score,
            "status": item.initiative.status,
            "statuses": dict(zip(cycles, item.statuses, strict=True)),
            "decisions": [
                {
                    "decision": d.decision,
                    "rationale": d.rationale,
                    "decided_by": d.decided_by,
                    "decided_at": d.decided_at.isoformat(),
                    "committee": d.committee,
                    "follow_up_owner": d.follow_up_owner,
                    "follow_up_due": d.follow_up_due.isoformat() if d.follow_up_due else None,
                    "outcome": d.outcome,  # a close-out: achieved, carried_over or dropped
                }
                for d in item.decisions
            ],
        }
        for item in quarter_review(session, quarter)
    ]
