"""Claiming a due item by its unique key (ritual, cycle, target): whoever inserts the row owns it.

A restart, a second run or a second replica finds the row and does nothing. Only a `failed` item can be
claimed again — or, for a ritual that gives a lease, a `claimed` one whose run died — and only by one of
them (a conditional update).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.logs import get_logger
from storage.db import session_scope
from storage.models import RitualRun

log = get_logger(__name__)


@dataclass(frozen=True)
class Claim:
    run_id: int | None  # None when someone else holds the item
    state: str  # "claimed" (ours), or the state the existing row is in
    # Ours, taken back from an earlier run that got somewhere (it finished, recorded a message, or died
    # holding the claim): part of the item may be out already.
    resumed: bool = False
    message_ts: str | None = None  # the message the earlier run recorded


@dataclass(frozen=True)
class Due:
    """An item a ritual found due: claimed as `claimed`/`queued`, or recorded as `skipped` with why."""

    cycle: str
    target: str
    due_at: datetime | None = None
    state: str = "claimed"
    error: str | None = None


def insert_claims(
    session: Session, *, ritual: str, items: Sequence[Due], now: datetime
) -> dict[tuple[str, str], int]:
    """Insert the claims in the caller's transaction, in batches: the ids of those that were free, by
    (cycle, target). A taken key (another run, another replica) is silently left out."""
    if not items:
        return {}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(RitualRun)
        .on_conflict_do_nothing(index_elements=["ritual", "cycle", "target"])
        .returning(col(RitualRun.id), col(RitualRun.cycle), col(RitualRun.target))
    )
    rows = [
        {
            "ritual": ritual,
            "cycle": item.cycle,
            "target": item.target,
            "state": item.state,
            "due_at": item.due_at,
            "claimed_at": now,
            "error": item.error,
            "finished_at": now if item.state == "skipped" else None,
        }
        for item in items
    ]
    # one statement, sent as few multi-row INSERTs (SQLAlchemy's "insertmanyvalues")
    return {(cycle, target): run_id for run_id, cycle, target in session.execute(statement, rows)}


def claimed_keys(session: Session, ritual: str, cycles: Iterable[str]) -> set[tuple[str, str]]:
    """The (cycle, target) pairs already claimed for `ritual` in `cycles`."""
    rows = session.exec(
        select(RitualRun.cycle, RitualRun.target).where(
            RitualRun.ritual == ritual, col(RitualRun.cycle).in_(list(cycles))
        )
    )
    return {(cycle, target) for cycle, target in rows}


def claim(
    engine: Engine, *, ritual: str, cycle: str, target: str, now: datetime, lease: timedelta | None = None
) -> Claim:
    """Claim one item in its own transaction, taking back a `failed` one, and, with a `lease`, a `claimed`
    one held longer than that (its run died)."""
    with session_scope(engine) as session:
        run_id = insert_claims(session, ritual=ritual, items=[Due(cycle, target)], now=now).get(
            (cycle, target)
        )
        if run_id is not None:
            return Claim(run_id, "claimed")
        existing = session.exec(
            select(RitualRun).where(
                RitualRun.ritual == ritual, RitualRun.cycle == cycle, RitualRun.target == target
            )
        ).one()
        if existing.state == "failed":
            unchanged = col(RitualRun.state) == "failed"
            changes = {"state": "claimed", "claimed_at": now, "error": None}
            resumed = existing.finished_at is not None or existing.message_ts is not None
        elif lease is not None and existing.state == "claimed" and existing.claimed_at <= now - lease:
            unchanged = col(RitualRun.claimed_at) == existing.claimed_at
            changes, resumed = {"claimed_at": now}, True
        else:
            return Claim(None, existing.state)
        message_ts, taking_over = existing.message_ts, existing.state == "claimed"  # read before the update
        took = session.execute(
            update(RitualRun).where(col(RitualRun.id) == existing.id, unchanged).values(**changes)
        )
        if took.rowcount != 1:  # type: ignore[attr-defined]
            return Claim(None, "claimed")  # another run took it back first
        if taking_over:
            log.warning("ritual.taken_over", ritual=ritual, cycle=cycle, target=target)
        return Claim(existing.id, "claimed", resumed, message_ts)


def finish(
    engine: Engine,
    run_id: int,
    *,
    state: str,
    now: datetime,
    message_ts: str | None = None,
    error: str | None = None,
) -> None:
    with session_scope(engine) as session:
        run = session.get_one(RitualRun, run_id)
        run.state, run.finished_at, run.message_ts, run.error = state, now, message_ts, error
