"""The escalation scan: every tick, the rules look at each active initiative's history.

- A rule that holds opens one escalation per initiative and rule, with one alert in the leadership
  channel (or updates the open one, in place, when what it saw changed).
- A rule that no longer holds closes its escalation only while nobody has touched it (state `open`):
  once a person acknowledged or scheduled it, people close it, with a decision or a resolve.
- An escalation nobody acknowledged within the SLA is re-escalated, once per level: level 1 mentions
  the initiative's accountable people (A) in the alert's thread, level 2 the escalation contact. The
  level moves by a conditional update in the same transaction as the reply, so however many runs or
  replicas race, each level is posted once.
- An alert the sender posted since the last scan is settled: its escalation learns where it is
  (`settle_alerts`). A change made while its post was in flight needs no scan: it went out as an update
  that waited for the post.

Reads take a fixed number of queries whatever the size of the portfolio; writes happen only for what
changed. Everything it posts goes through the outbox.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, func, select
from sqlmodel import Session, col

from bot.config import Settings
from bot.domain.cycles import cycle_key, in_quarter, shift
from bot.domain.escalation import MANUAL, WINDOW, Finding, Subject, evaluate, per_cycle, plan_of
from bot.domain.ritual import RitualName, RitualResult
from bot.escalations import (
    Opening,
    close_by_rule,
    follow_rule,
    open_escalations,
    reescalate,
    settle_alerts,
)
from bot.logs import get_logger
from bot.portfolio import asked, responsible_ids
from bot.views.escalation import reason_text
from bot.workspace import Workspace, load_workspace
from storage.db import session_scope
from storage.models import (
    CheckIn,
    Escalation,
    EscalationState,
    Initiative,
    Objective,
    Status,
)

log = get_logger(__name__)

SCAN = RitualName.ESCALATIONS

Record = Row[*tuple[Any, ...]]  # a result row: its columns read as attributes

# Escalations opened per transaction: a first scan after a big import opens thousands, in a few bulk
# statements each (and IN lists under SQLite's oldest limit of 999 parameters), without holding the
# database's write lock for the whole batch.
CHUNK = 500
RUNNING = (  # the initiatives the rules judge
    col(Initiative.archived).is_(False),
    col(Initiative.status).is_(None) | col(Initiative.status).not_in([Status.DONE, Status.DROPPED]),
)


@dataclass(frozen=True)
class Scan:
    """What one scan reads, once."""

    workspace: Workspace  # its language, SLA and escalation contact
    channel: str
    cycle: str
    findings: dict[tuple[int, str], Finding]
    units: dict[int, str | None]
    open: Sequence[Record]  # id, initiative_id, rule, state, reason, sla_deadline, level of the open ones
    handled: dict[tuple[int, str], str]  # see `_handled`


def run_escalations(engine: Engine, *, now: datetime, settings: Settings) -> RitualResult:
    with session_scope(engine) as session:
        settle_alerts(session)
    with session_scope(engine) as session:
        scan = _read(session, settings, now)
    if isinstance(scan, RitualResult):
        return scan
    opened = updated = closed = reescalated = 0
    openings = _openings(scan)
    for start in range(0, len(openings), CHUNK):
        with session_scope(engine) as session:
            opened += len(
                open_escalations(
                    session,
                    openings[start : start + CHUNK],
                    workspace=scan.workspace,
                    cycle=scan.cycle,
                    channel=scan.channel,
                    now=now,
                )
            )
    lang = scan.workspace.language
    for escalation in scan.open:
        holding = scan.findings.get((escalation.initiative_id, escalation.rule))
        if holding is not None:
            reason = reason_text(holding, scan.units[escalation.initiative_id], lang)
            if reason != escalation.reason:
                updated += follow_rule(engine, escalation.id, reason, lang=lang, now=now)
        elif escalation.rule != MANUAL and escalation.state == EscalationState.OPEN:
            closed += close_by_rule(engine, escalation.id, lang=lang, now=now)
            continue
        if escalation.state == EscalationState.OPEN and escalation.sla_deadline <= now:
            reescalated += reescalate(
                engine,
                escalation.id,
                level=escalation.level + 1,
                sla=scan.workspace.sla,
                contact=scan.workspace.contact,
                lang=lang,
                now=now,
            )
    result = RitualResult(
        SCAN, scan.cycle, opened=opened, updated=updated, closed=closed, reescalated=reescalated
    )
    log.info("escalations.scanned", **result.fields())
    return result


def _openings(scan: Scan) -> list[Opening]:
    """The findings that open an escalation: neither open already nor decided or resolved already, in key
    order (so that replicas chunk and insert them alike)."""
    already_open = {(e.initiative_id, e.rule) for e in scan.open}
    return [
        Opening(initiative_id, rule, reason_text(finding, scan.units[initiative_id], scan.workspace.language))
        for (initiative_id, rule), finding in sorted(scan.findings.items())
        if (initiative_id, rule) not in already_open
        and scan.handled.get((initiative_id, rule), "") < finding.since  # not this very situation again
    ]


def _read(session: Session, settings: Settings, now: datetime) -> Scan | RitualResult:
    """A fixed number of queries whatever the portfolio's size, each of only the columns the rules read
    (rows, not ORM objects: a scan that finds nothing new runs every tick and must stay cheap), and of
    check-ins only the last `WINDOW` cycles."""
    workspace = load_workspace(session, settings)
    tz = workspace.tz
    cycle = cycle_key(now, tz)
    channel = workspace.alerts_channel
    if channel is None:
        return RitualResult(
            SCAN, cycle, notes=("no leadership channel (LEADERSHIP_CHANNEL or leadership_channel)",)
        )
    first = shift(cycle, -WINDOW)
    # Once its quarter is over an initiative is neither judged nor escalated further, and its open
    # escalations wait for the quarter's close-out (nor is one judged before its quarter begins).
    initiatives = [i for i in _initiatives(session) if in_quarter(cycle, i.quarter)]
    judged = {i.id for i in initiatives}
    history = _answers(session, first)
    owners = responsible_ids(session)
    were_asked = asked(session, owners, {i.id: i.created_at for i in initiatives}, first)
    findings: dict[tuple[int, str], Finding] = {}
    for initiative in initiatives:
        subject = Subject(
            answers=per_cycle(history[initiative.id]),
            cycle=cycle,
            started=cycle_key(initiative.created_at, tz),
            answered=initiative.answered,
            plan=plan_of(initiative, initiative.quarter),
            # Nobody to ask (no R at all): its silence is judged as it is.
            asked=frozenset(were_asked[initiative.id]) if owners.get(initiative.id) else None,
            asked_from=first,
        )
        for finding in _RULES.evaluate(initiative.id, subject, dict(workspace.escalation_rules)):
            findings[(initiative.id, finding.rule)] = finding
    _RULES.keep([initiative.id for initiative in initiatives])
    return Scan(
        workspace=workspace,
        channel=channel,
        cycle=cycle,
        findings=findings,
        units={initiative.id: initiative.kpi_unit for initiative in initiatives},
        open=[e for e in _open_escalations(session) if e.initiative_id in judged],
        handled=_handled(session),
    )


def _initiatives(session: Session) -> Sequence[Record]:
    """The initiatives the rules judge (not archived, neither done nor dropped), with what they read."""
    answered = select(func.max(CheckIn.cycle)).where(col(CheckIn.initiative_id) == Initiative.id)
    query = (
        select(
            col(Initiative.id),
            col(Initiative.created_at),
            col(Initiative.kpi_unit),
            col(Initiative.kpi_baseline),
            col(Initiative.kpi_target),
            col(Initiative.kpi_direction),
            col(Initiative.due_date),
            col(Initiative.planned),
            col(Objective.quarter),
            answered.scalar_subquery().label("answered"),
        )
        .join(Objective, col(Initiative.objective_id) == Objective.id)
        .where(*RUNNING)
    )
    return session.connection().execute(query).all()


def _answers(session: Session, first: str) -> dict[int, list[Record]]:
    """The check-ins of the running initiatives from cycle `first` on, by initiative."""
    query = (
        select(
            col(CheckIn.initiative_id),
            col(CheckIn.id),
            col(CheckIn.cycle),
            col(CheckIn.status),
            col(CheckIn.kpi_value),
            col(CheckIn.confidence),
            col(CheckIn.decision_needed),
            col(CheckIn.decision_options),
            col(CheckIn.submitted_at),
        )
        .join(Initiative, col(CheckIn.initiative_id) == Initiative.id)
        .where(*RUNNING, col(CheckIn.cycle) >= first)
    )
    history: dict[int, list[Record]] = defaultdict(list)
    for checkin in session.connection().execute(query):
        history[checkin.initiative_id].append(checkin)
    return history


def _open_escalations(session: Session) -> Sequence[Record]:
    query = select(
        col(Escalation.id),
        col(Escalation.initiative_id),
        col(Escalation.rule),
        col(Escalation.state),
        col(Escalation.reason),
        col(Escalation.sla_deadline),
        col(Escalation.level),
    ).where(col(Escalation.open_key).is_not(None))
    return session.connection().execute(query).all()


def _handled(session: Session) -> dict[tuple[int, str], str]:
    """(initiative, rule) → the latest cycle in which an escalation of it, closed since, was opened."""
    query = (
        select(col(Escalation.initiative_id), col(Escalation.rule), func.max(Escalation.cycle))
        .where(col(Escalation.open_key).is_(None))
        .group_by(col(Escalation.initiative_id), col(Escalation.rule))
    )
    return {(initiative, rule): cycle for initiative, rule, cycle in session.connection().execute(query)}


class _LastFindings:
    """The rules are pure functions of an initiative's `Subject` and the rule settings: an initiative whose
    subject and settings are equal to those of the previous scan (the steady state: nothing new since the
    last tick) has the same findings, and is not judged again. Compared whole, never by a version or a
    timestamp, so it cannot go stale; kept in this process only."""

    def __init__(self) -> None:
        self._last: dict[int, tuple[Subject, Mapping[str, Any], list[Finding]]] = {}

    def evaluate(self, initiative_id: int, subject: Subject, rules: Mapping[str, Any]) -> list[Finding]:
        last = self._last.get(initiative_id)
        if last is None or last[0] != subject or last[1] != rules:
            last = (subject, rules, evaluate(subject, rules))
            self._last[initiative_id] = last
        return last[2]

    def keep(self, initiative_ids: Sequence[int]) -> None:
        """Forget the initiatives the scan no longer judges."""
        self._last = {i: self._last[i] for i in initiative_ids if i in self._last}


_RULES = _LastFindings()
