"""Check-ins: recorded with their history, the latest per initiative and per cycle, who is missing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.audit import audit
from bot.domain.portfolio import (
    NO_DETAILS,
    Details,
    StatusChange,
)
from bot.portfolio.raci import responsible_people
from storage.models import (
    CheckIn,
    CheckInSource,
    CycleSkip,
    Initiative,
    Ritual,
    RitualRun,
    RunState,
    Status,
)

ASKED = (RunState.QUEUED, RunState.SENT)  # a prompt that went out (or is on its way); not skipped ones


def record_checkin(
    session: Session,
    *,
    initiative: Initiative,
    author: str,
    status: Status,
    kpi_value: float | None,
    comment: str | None,
    source: CheckInSource,
    cycle: str,
    now: datetime,
    details: Details = NO_DETAILS,
    dedupe_key: str | None = None,
) -> CheckIn:
    """Append a check-in to the history; the initiative's current status and KPI follow the latest one.

    A `dedupe_key` is unique: a second submission racing the first fails the whole transaction with an
    IntegrityError, so nothing of it is written (see `bot.answers.answer`).
    """
    checkin = CheckIn(
        initiative_id=initiative.id,  # type: ignore[arg-type]
        cycle=cycle,
        author=author,
        status=status,
        kpi_value=kpi_value,
        comment=comment,
        **vars(details),
        source=source,
        submitted_at=now,
        dedupe_key=dedupe_key,
    )
    session.add(checkin)
    session.flush()
    initiative.status = status
    if kpi_value is not None:
        initiative.kpi_current = kpi_value
    initiative.updated_at = now
    audit(
        session,
        actor=author,
        action="checkin.create",
        entity="checkin",
        entity_id=checkin.id,
        at=now,
        initiative_id=initiative.id,
        cycle=cycle,
        status=str(status),
        kpi_value=kpi_value,
        source=str(source),
        **{name: value for name, value in vars(details).items() if value is not None},
    )
    return checkin


def latest_checkin(session: Session, initiative_id: int) -> CheckIn | None:
    """The newest check-in of an initiative, in any cycle: the update modal's defaults."""
    return next(iter(history(session, initiative_id, limit=1)), None)


def latest_checkins(session: Session) -> dict[int, CheckIn]:
    """The newest check-in of each initiative that has one."""
    newest = (
        select(CheckIn.initiative_id, func.max(CheckIn.id).label("id")).group_by(col(CheckIn.initiative_id))
    ).subquery()
    rows = session.exec(select(CheckIn).join(newest, col(CheckIn.id) == newest.c.id))
    return {checkin.initiative_id: checkin for checkin in rows}


def checkins_of(session: Session, initiative_ids: Iterable[int | None]) -> list[CheckIn]:
    ids = [i for i in initiative_ids if i is not None]
    if not ids:
        return []
    return list(
        session.exec(
            select(CheckIn)
            .where(col(CheckIn.initiative_id).in_(ids))
            .order_by(col(CheckIn.submitted_at), col(CheckIn.id))
        )
    )


def answers_in_cycle(session: Session, cycle: str) -> dict[int, CheckIn]:
    """The latest check-in of each initiative in `cycle`."""
    newest = (
        select(func.max(CheckIn.id).label("id"))
        .where(CheckIn.cycle == cycle)
        .group_by(col(CheckIn.initiative_id))
    ).subquery()
    rows = session.exec(select(CheckIn).join(newest, col(CheckIn.id) == newest.c.id))
    return {checkin.initiative_id: checkin for checkin in rows}


def status_changes(session: Session, cycle: str) -> list[StatusChange]:
    """The active initiatives whose status in `cycle` differs from their last one before it."""
    before_cycle = (
        select(func.max(CheckIn.id).label("id"))
        .where(CheckIn.cycle < cycle)
        .group_by(col(CheckIn.initiative_id))
    ).subquery()
    earlier = {
        checkin.initiative_id: checkin.status
        for checkin in session.exec(select(CheckIn).join(before_cycle, col(CheckIn.id) == before_cycle.c.id))
    }
    current = answers_in_cycle(session, cycle)
    changed = [i for i, c in current.items() if i in earlier and earlier[i] != c.status]
    if not changed:
        return []
    initiatives = session.exec(
        select(Initiative)
        .where(col(Initiative.id).in_(changed), col(Initiative.archived).is_(False))
        .order_by(col(Initiative.title_key))
    )
    return [
        StatusChange(i, Status(earlier[i.id or 0]), Status(current[i.id or 0].status)) for i in initiatives
    ]


def missing_updates(session: Session, cycle: str) -> dict[str, list[Initiative]]:
    """Each owner asked in `cycle` who has not answered for every initiative they were asked about, with
    what is missing (see `asked`: nobody else is chased)."""
    answers = answers_in_cycle(session, cycle)
    people = responsible_people(session)
    owners: dict[int, list[str]] = defaultdict(list)
    created = {}
    for user, initiatives in people.items():
        for initiative in initiatives:
            owners[initiative.id or 0].append(user)
            created[initiative.id or 0] = initiative.created_at
    were_asked = asked(session, owners, created, cycle)
    missing = {
        user: [
            i
            for i in initiatives
            if (i.id or 0) not in answers and user in were_asked[i.id or 0].get(cycle, frozenset())
        ]
        for user, initiatives in people.items()
    }
    return {user: initiatives for user, initiatives in missing.items() if initiatives}


def asked(
    session: Session, owners: Mapping[int, Sequence[str]], created: Mapping[int, datetime], first: str
) -> dict[int, dict[str, frozenset[str]]]:
    """Who was asked about each initiative of `created` (which says when it was created), by cycle from
    `first` on: those of its `owners` whose check-in prompt went out that cycle after the initiative
    existed, and who did not skip the week. Nobody counts as not answering a question never put to them:
    out of office, on holiday, skipping, an initiative created after the Monday prompt, or a prompt Baton
    never sent (it was down past the whole cycle)."""
    runs = session.connection().execute(
        select(col(RitualRun.target), col(RitualRun.cycle), col(RitualRun.due_at)).where(
            col(RitualRun.ritual) == Ritual.PROMPT,
            col(RitualRun.cycle) >= first,
            col(RitualRun.state).in_(ASKED),
        )
    )
    skips = set(
        session.connection().execute(
            select(col(CycleSkip.user_id), col(CycleSkip.cycle)).where(col(CycleSkip.cycle) >= first)
        )
    )
    prompts: dict[str, list[tuple[str, datetime | None]]] = defaultdict(list)
    for target, cycle, due in runs:
        user = target.partition("@")[0]  # `owner@delegate`: the owner's prompt, handed to their delegate
        if (user, cycle) not in skips:
            prompts[user].append((cycle, due))
    found: dict[int, dict[str, frozenset[str]]] = {}
    for initiative_id, born in created.items():
        by_cycle: dict[str, set[str]] = defaultdict(set)
        for user in owners.get(initiative_id, ()):
            for cycle, due in prompts.get(user, ()):
                if due is None or due >= born:
                    by_cycle[cycle].add(user)
        found[initiative_id] = {cycle: frozenset(users) for cycle, users in by_cycle.items()}
    return found


NEWEST_FIRST = (col(CheckIn.submitted_at).desc(), col(CheckIn.id).desc())


def history(session: Session, initiative_id: int, limit: int = 8) -> list[CheckIn]:
    """The latest check-ins of an initiative, newest first."""
    return list(
        session.exec(
            select(CheckIn).where(CheckIn.initiative_id == initiative_id).order_by(*NEWEST_FIRST).limit(limit)
        )
    )


def histories(session: Session, initiative_ids: Iterable[int], limit: int = 8) -> dict[int, list[CheckIn]]:
    """`history` for many initiatives, in one query (the newest `limit` of each, ranked in the database)."""
    ids = list(dict.fromkeys(initiative_ids))
    found: dict[int, list[CheckIn]] = {initiative_id: [] for initiative_id in ids}
    if not ids:
        return found
    rank = func.row_number().over(partition_by=col(CheckIn.initiative_id), order_by=NEWEST_FIRST)
    ranked = select(CheckIn, rank.label("rank")).where(col(CheckIn.initiative_id).in_(ids)).subquery()
    latest = aliased(CheckIn, ranked)
    query = select(latest).where(ranked.c.rank <= limit).order_by(ranked.c.initiative_id, ranked.c.rank)
    for checkin in session.exec(query):
        found[checkin.initiative_id].append(checkin)
    return found
