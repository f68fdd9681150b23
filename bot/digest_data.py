"""What the weekly digest (and `baton report`) shows, read in a fixed number of queries.

However large the portfolio, `load_digest` runs the same handful of statements: initiatives with their
objectives, the latest check-in of each initiative in each recent cycle, the latest one before those,
owners, who was asked (the check-in prompts that went out), open escalations, decisions since the last
digest and what Slack refused.
Everything else — deltas, trends, pace, suspicious updates, missed cycles — is computed here in Python
by pure functions, into plain dataclasses the view builders read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from bot.delivery.outbox import failed_deliveries
from bot.domain.cycles import cycle_monday, cycle_of, cycles_between, quarter_bounds, shift
from bot.domain.digest import (
    CLOSED,
    DecisionTaken,
    DigestData,
    Flag,
    Item,
    Missing,
    NotAsked,
    OpenEscalation,
    Point,
    Unasked,
)
from bot.domain.escalation import plan_of
from bot.domain.portfolio import CLOSED_ESCALATIONS
from bot.domain.progress import Pace, Plan, advance, ahead_of, pace, planned_at, projected
from bot.domain.roadmap import Owner
from bot.domain.schedule import digest_due
from bot.portfolio import asked
from bot.workspace import Workspace
from storage.models import (
    CheckIn,
    CycleSkip,
    Decision,
    Escalation,
    Initiative,
    Objective,
    RaciAssignment,
    RaciLetter,
    Ritual,
    RitualRun,
    Role,
    RoleMember,
    RunState,
    Status,
)

TREND_CYCLES = 8  # the sparkline and the missed-cycles count look this far back
FLAT_POINTS = 3  # this many equal KPI values in a row: the KPI is flat


def load_digest(
    session: Session,
    *,
    cycle: str,
    today: date,
    quarter: str,
    since: datetime,
    department: str | None = None,
    only_quarter: bool = False,
) -> DigestData:
    """The digest of `cycle` as of `today` (the organisation's date): `quarter` is the one the chart
    covers (and, with `only_quarter`, the only one whose initiatives are shown); decisions and undelivered
    messages are those since `since` (the previous digest)."""
    trend = [shift(cycle, -back) for back in range(TREND_CYCLES - 1, -1, -1)]
    quarter_cycles = cycles_between(cycle_of(quarter_bounds(quarter)[0]), cycle)
    first = min(trend[0], quarter_cycles[0]) if quarter_cycles else trend[0]

    rows = _initiatives(session, quarter if only_quarter else None)
    if department is not None:
        rows = [row for row in rows if row.department == department]
    wanted = {row.id for row in rows}
    before = _before(session, first, wanted)
    points = _settled(session, _carried(_points(session, first, cycle, wanted), before))
    owners, people = _owners(session, wanted)
    were_asked = asked(session, people, {row.id: row.created_at for row in rows}, first)

    items = tuple(
        _item(
            row,
            points.get(row.id, {}),
            before.get(row.id),
            owners.get(row.id, ()),
            were_asked.get(row.id, {}),
            trend,
            cycle,
            today,
        )
        for row in rows
    )
    titles = {row.id: row.title for row in rows}
    return DigestData(
        cycle=cycle,
        previous_cycle=shift(cycle, -1),
        quarter=quarter,
        department=department,
        trend_cycles=tuple(trend),
        items=items,
        missing=_missing(items),
        not_asked=_not_asked(session, items, people, cycle),
        escalations=_escalations(session, titles),
        decisions=_decisions(session, titles, since),
        undelivered=tuple(failed_deliveries(session, since=since)) if department is None else (),
        status_by_cycle=_status_by_cycle(rows, points, before, quarter_cycles),
    )


def digest_as_of(
    session: Session, workspace: Workspace, now: datetime, *, department: str | None = None
) -> DigestData:
    """This cycle's digest as of `now`: decisions and undelivered messages since the previous digest."""
    cycle = workspace.cycle(now)
    return load_digest(
        session,
        cycle=cycle,
        today=workspace.today(now),
        quarter=workspace.quarter(now),
        since=digest_due(shift(cycle, -1), workspace.cadence),
        department=department,
    )


@dataclass(frozen=True)
class _Row:
    id: int
    title: str
    department: str | None
    quarter: str
    status: Status | None
    kpi_name: str | None
    kpi_unit: str | None
    kpi_baseline: float | None
    kpi_target: float | None
    kpi_direction: str
    kpi_current: float | None
    due_date: date | None
    planned: Mapping[str, float]
    created: str  # the cycle it was created in
    created_at: datetime


def _initiatives(session: Session, quarter: str | None) -> list[_Row]:
    query = (
        select(
            col(Initiative.id),
            col(Initiative.title),
            col(Objective.department),
            col(Objective.quarter),
            col(Initiative.status),
            col(Initiative.kpi_name),
            col(Initiative.kpi_unit),
            col(Initiative.kpi_baseline),
            col(Initiative.kpi_target),
            col(Initiative.kpi_direction),
            col(Initiative.kpi_current),
            col(Initiative.due_date),
            col(Initiative.planned),
            col(Initiative.created_at),
        )
        .join(Objective, col(Initiative.objective_id) == Objective.id)
        .where(col(Initiative.archived).is_(False))
        .order_by(func.coalesce(Objective.department, ""), col(Initiative.title_key), col(Initiative.id))
    )
    if quarter is not None:
        query = query.where(col(Objective.quarter) == quarter)
    return [
        _Row(
            id=r.id,
            title=r.title,
            department=r.department,
            quarter=r.quarter,
            status=Status(r.status) if r.status else None,
            kpi_name=r.kpi_name,
            kpi_unit=r.kpi_unit,
            kpi_baseline=r.kpi_baseline,
            kpi_target=r.kpi_target,
            kpi_direction=r.kpi_direction,
            kpi_current=r.kpi_current,
            due_date=r.due_date,
            planned=r.planned or {},
            created=cycle_of(r.created_at.date()),
            created_at=r.created_at,
        )
        for r in session.connection().execute(query)
    ]


def _points(session: Session, first: str, last: str, wanted: set[int]) -> dict[int, dict[str, Point]]:
    """The latest check-in of each initiative in each cycle from `first` to `last`: one statement."""
    newest = (
        select(func.max(CheckIn.id).label("id"))
        .where(col(CheckIn.cycle) >= first, col(CheckIn.cycle) <= last)
        .group_by(col(CheckIn.initiative_id), col(CheckIn.cycle))
    ).subquery()
    query = select(
        col(CheckIn.initiative_id),
        col(CheckIn.cycle),
        col(CheckIn.status),
        col(CheckIn.kpi_value),
        col(CheckIn.comment),
        col(CheckIn.decision_needed),
        col(CheckIn.author),
        col(CheckIn.submitted_at),
    ).join(newest, col(CheckIn.id) == newest.c.id)
    points: dict[int, dict[str, Point]] = defaultdict(dict)
    for r in session.connection().execute(query):
        if r.initiative_id in wanted:
            points[r.initiative_id][r.cycle] = Point(
                r.cycle, Status(r.status), r.kpi_value, r.comment, r.decision_needed, r.author, r.submitted_at
            )
    return points


def _settled(session: Session, points: dict[int, dict[str, Point]]) -> dict[int, dict[str, Point]]:
    """A decision needed that a decision recorded since has answered is no longer needed: the digest
    shows it among the decisions taken, never as still open."""
    asked_for = [i for i, by_cycle in points.items() if any(p.decision_needed for p in by_cycle.values())]
    if not asked_for:
        return points
    rows = session.connection().execute(
        select(col(Decision.initiative_id), func.max(Decision.decided_at))
        .where(col(Decision.initiative_id).in_(asked_for))
        .group_by(col(Decision.initiative_id))
    )
    decided = {initiative_id: at for initiative_id, at in rows}
    for initiative_id, by_cycle in points.items():
        last = decided.get(initiative_id)
        for cycle, point in by_cycle.items():
            if (
                point.decision_needed
                and last is not None
                and point.submitted_at
                and last > point.submitted_at
            ):
                by_cycle[cycle] = replace(point, decision_needed=None)
    return points


def _carried(points: dict[int, dict[str, Point]], before: Mapping[int, Point]) -> dict[int, dict[str, Point]]:
    """A check-in without a KPI value (a one-click answer) carries the last value known forward, marked
    as carried: the trend has no hole, and nothing judges the KPI on a number nobody measured again."""
    for initiative_id, by_cycle in points.items():
        known = before[initiative_id].kpi_value if initiative_id in before else None
        for cycle in sorted(by_cycle):
            point = by_cycle[cycle]
            if point.kpi_value is not None:
                known = point.kpi_value
            elif known is not None:
                by_cycle[cycle] = replace(point, kpi_value=known, carried=True)
    return points


def _before(session: Session, first: str, wanted: set[int]) -> dict[int, Point]:
    """Each initiative's latest check-in before `first`: where its status stood when the window opens."""
    newest = (
        select(func.max(CheckIn.id).label("id"))
        .where(col(CheckIn.cycle) < first)
        .group_by(col(CheckIn.initiative_id))
    ).subquery()
    query = select(
        col(CheckIn.initiative_id), col(CheckIn.cycle), col(CheckIn.status), col(CheckIn.kpi_value)
    ).join(newest, col(CheckIn.id) == newest.c.id)
    return {
        r.initiative_id: Point(r.cycle, Status(r.status), r.kpi_value)
        for r in session.connection().execute(query)
        if r.initiative_id in wanted
    }


def _owners(
    session: Session, wanted: set[int]
) -> tuple[dict[int, tuple[Owner, ...]], dict[int, tuple[str, ...]]]:
    """Each initiative's R as shown (people and role names) and as people (roles resolved to holders)."""
    query = (
        select(
            col(RaciAssignment.id),
            col(RaciAssignment.initiative_id),
            col(RaciAssignment.user_id),
            col(Role.name),
        )
        .add_columns(col(RoleMember.user_id).label("holder"))
        .join(Role, col(RaciAssignment.role_id) == Role.id, isouter=True)
        .join(RoleMember, col(RoleMember.role_id) == RaciAssignment.role_id, isouter=True)
        .where(col(RaciAssignment.letter) == RaciLetter.RESPONSIBLE)
        .order_by(col(RaciAssignment.id), col(RoleMember.user_id))
    )
    shown: dict[int, dict[int, Owner]] = defaultdict(dict)
    people: dict[int, dict[str, None]] = defaultdict(dict)
    for r in session.connection().execute(query):
        if r.initiative_id not in wanted:
            continue
        shown[r.initiative_id][r.id] = Owner("role", r.name) if r.name else Owner("user", str(r.user_id))
        if person := r.user_id or r.holder:
            people[r.initiative_id][person] = None
    return (
        {i: tuple(owners.values()) for i, owners in shown.items()},
        {i: tuple(users) for i, users in people.items()},
    )


def _escalations(session: Session, titles: Mapping[int, str]) -> tuple[OpenEscalation, ...]:
    query = (
        select(
            col(Escalation.initiative_id),
            col(Escalation.rule),
            col(Escalation.state),
            col(Escalation.reason),
            col(Escalation.level),
            col(Escalation.cycle),
        )
        .where(col(Escalation.state).not_in([str(s) for s in CLOSED_ESCALATIONS]))
        .order_by(col(Escalation.opened_at), col(Escalation.id))
    )
    return tuple(
        OpenEscalation(r.initiative_id, titles[r.initiative_id], r.rule, r.state, r.reason, r.level, r.cycle)
        for r in session.connection().execute(query)
        if r.initiative_id in titles
    )


def _decisions(session: Session, titles: Mapping[int, str], since: datetime) -> tuple[DecisionTaken, ...]:
    query = (
        select(
            col(Decision.initiative_id),
            col(Decision.decision),
            col(Decision.decided_by),
            col(Decision.decided_at),
            col(Decision.follow_up_owner),
            col(Decision.follow_up_due),
        )
        .where(col(Decision.decided_at) > since)
        .order_by(col(Decision.decided_at), col(Decision.id))
    )
    return tuple(
        DecisionTaken(r.initiative_id, titles[r.initiative_id], *r[1:])
        for r in session.connection().execute(query)
        if r.initiative_id in titles
    )


def _item(
    row: _Row,
    points: Mapping[str, Point],
    before: Point | None,
    owners: tuple[Owner, ...],
    asked_in: Mapping[str, frozenset[str]],  # who was asked about it, by cycle
    trend: Sequence[str],
    cycle: str,
    today: date,
) -> Item:
    previous = shift(cycle, -1)
    plan = plan_of(row, row.quarter)
    history = sorted(points.values(), key=lambda p: p.cycle)
    values = [  # measured ones: a carried value would flatten the projection
        (cycle_monday(p.cycle), p.kpi_value) for p in history if p.kpi_value is not None and not p.carried
    ]
    current = row.kpi_current if row.kpi_current is not None else (values[-1][1] if values else None)
    latest = history[-1] if history else None
    answered = cycle in points
    status = row.status if row.status is not None or latest is None else latest.status
    judged = pace(plan, today, current)
    return Item(
        id=row.id,
        title=row.title,
        department=row.department,
        quarter=row.quarter,
        status=status,
        previous_status=_status_at(previous, history, before),
        kpi_name=row.kpi_name,
        kpi_unit=row.kpi_unit,
        kpi_current=current,
        kpi_target=row.kpi_target,
        trend=tuple(points[c].kpi_value if c in points else None for c in trend),
        pace=judged,
        planned_now=planned_at(plan, today) if plan else None,
        projection=projected(values, plan.due) if plan else None,
        due=plan.due if plan else row.due_date,
        progress=advance(plan, current),
        owners=owners,
        latest=latest,
        answered=answered,
        missed=_missed(row, points, asked_in, trend, status),
        asked=asked_in.get(cycle, frozenset()),
        flags=_flags(plan, judged, status, points, cycle, previous, current),
    )


def _status_at(cycle: str, history: Sequence[Point], before: Point | None) -> Status | None:
    """The status an initiative had at the end of `cycle`: its latest check-in up to then."""
    known = [p for p in history if p.cycle <= cycle]
    return known[-1].status if known else (before.status if before else None)


def _missed(
    row: _Row,
    points: Mapping[str, Point],
    asked_in: Mapping[str, frozenset[str]],
    trend: Sequence[str],
    status: Status | None,
) -> int:
    """Cycles in a row, back from this one, in which its owners were asked and nobody answered (a cycle
    nobody was asked in neither counts nor breaks the run; none before it existed)."""
    if status in CLOSED:
        return 0
    missed = 0
    for cycle in reversed(trend):
        if cycle in points or cycle < row.created:
            break
        missed += bool(asked_in.get(cycle))
    return missed


def _flags(
    plan: Plan | None,
    judged: Pace,
    status: Status | None,
    points: Mapping[str, Point],
    cycle: str,
    previous: str,
    current: float | None,
) -> tuple[str, ...]:
    flags = []
    this, last = points.get(cycle), points.get(previous)
    if status is Status.ON_TRACK and this is not None and not this.carried and plan is not None:
        if judged is Pace.BEHIND:
            flags.append(Flag.GREEN_BEHIND)
        elif _flat(plan, points, current):
            flags.append(Flag.GREEN_FLAT)
    if this and last and this.comment and last.comment and _words(this.comment) == _words(last.comment):
        flags.append(Flag.SAME_TEXT)
    return tuple(flags)


def _flat(plan: Plan, points: Mapping[str, Point], current: float | None) -> bool:
    """The KPI's last FLAT_POINTS values are all equal, and short of the target."""
    measured = [p.kpi_value for _, p in sorted(points.items()) if p.kpi_value is not None and not p.carried]
    values = measured[-FLAT_POINTS:]
    reached = current is not None and ahead_of(plan.direction, current, plan.target) >= 0
    return len(values) == FLAT_POINTS and len(set(values)) == 1 and not reached and plan.span != 0


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _missing(items: Iterable[Item]) -> tuple[Missing, ...]:
    """Each person asked this cycle about an initiative still unanswered (done and dropped aside)."""
    owed: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.answered or item.status in CLOSED:
            continue
        for user in sorted(item.asked):
            owed[user].append(item)
    return tuple(
        Missing(user, tuple(i.title for i in owed[user]), max(i.missed for i in owed[user]))
        for user in sorted(owed, key=lambda u: (-max(i.missed for i in owed[u]), u))
    )


def _not_asked(
    session: Session, items: Iterable[Item], people: Mapping[int, Sequence[str]], cycle: str
) -> tuple[NotAsked, ...]:
    """The owners of initiatives unanswered this cycle who were not asked about them, and why: shown as
    such, never as not answering."""
    unasked = {
        user
        for item in items
        if not item.answered and item.status not in CLOSED
        for user in people.get(item.id, ())
        if user not in item.asked
    }
    if not unasked:
        return ()
    prompts = {
        run.target: run
        for run in session.connection().execute(
            select(col(RitualRun.target), col(RitualRun.state), col(RitualRun.error)).where(
                col(RitualRun.ritual) == Ritual.PROMPT, col(RitualRun.cycle) == cycle
            )
        )
    }
    skipped = set(
        session.connection()
        .execute(select(col(CycleSkip.user_id)).where(col(CycleSkip.cycle) == cycle))
        .scalars()
    )
    found = []
    for user in sorted(unasked):
        run = prompts.get(user)
        if user in skipped:
            why = Unasked.SKIPPED
        elif run is None or run.state == RunState.CLAIMED:
            why = Unasked.NOT_YET
        elif run.state == RunState.SKIPPED:
            why = Unasked.of_skipped_prompt(run.error)
        else:
            why = Unasked.NEW  # a prompt went out, before this initiative existed
        found.append(NotAsked(user, why))
    return tuple(found)


def _status_by_cycle(
    rows: Sequence[_Row],
    points: Mapping[int, Mapping[str, Point]],
    before: Mapping[int, Point],
    cycles: Sequence[str],
) -> dict[str, Counter[Status | None]]:
    counts: dict[str, Counter[Status | None]] = {cycle: Counter() for cycle in cycles}
    for row in rows:
        status = before[row.id].status if row.id in before else None
        mine = points.get(row.id, {})
        for cycle in cycles:
            if cycle in mine:
                status = mine[cycle].status
            if cycle >= row.created or status is not None:
                counts[cycle][status] += 1
    return counts
