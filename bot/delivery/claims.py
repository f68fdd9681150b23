"""Claiming a due item by its unique key (ritual, cycle, target): whoever inserts the row owns it.

A restart, a second run or a second replica finds the row and does nothing. Only a `failed` item can be
claimed again, and only by one of them (a conditional update).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.delivery.outbox import File, enqueue_thread
from bot.domain.ritual import RitualName, RitualResult
from bot.logs import get_logger
from storage.db import session_scope
from storage.models import DeliveryKind, RitualRun, RunState

log = get_logger(__name__)

# A failed item is claimed again only this long after it failed: a channel Slack refuses (not found, not a
# member) is tried four times an hour rather than at every tick, each attempt recorded in the outbox.
RETRY_FAILED_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Claim:
    run_id: int | None  # None when someone else holds the item
    state: str  # ours: the state we set; else the state the existing row is in
    resumed: bool = False  # ours, taken back from a run that failed: part of the item may be out already


@dataclass(frozen=True)
class Due:
    """An item a ritual found due: claimed as `claimed`/`queued`, or recorded as `skipped` with why."""

    cycle: str
    target: str
    due_at: datetime | None = None
    state: str = RunState.CLAIMED
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
            "finished_at": now if item.state == RunState.SKIPPED else None,
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


def take(session: Session, *, ritual: str, cycle: str, target: str, now: datetime, state: str) -> Claim:
    """Claim one item in the caller's transaction (as `state`), taking back a `failed` one (once
    `RETRY_FAILED_AFTER` has passed since it failed): the ritual
    then writes what the item sends in the same transaction, so the claim and its messages commit together
    or not at all — no claim ever holds an item that nothing will send."""
    run_id = insert_claims(session, ritual=ritual, items=[Due(cycle, target, state=state)], now=now).get(
        (cycle, target)
    )
    if run_id is not None:
        return Claim(run_id, state)
    existing = session.exec(
        select(RitualRun).where(
            RitualRun.ritual == ritual, RitualRun.cycle == cycle, RitualRun.target == target
        )
    ).one()
    if not _retryable(existing, now):
        return Claim(None, existing.state)
    took = session.execute(
        update(RitualRun)
        .where(col(RitualRun.id) == existing.id, col(RitualRun.state) == RunState.FAILED)
        .values(state=state, claimed_at=now, finished_at=None, error=None)
    )
    if took.rowcount != 1:  # type: ignore[attr-defined]
        return Claim(None, RunState.CLAIMED)  # another run took it back first
    log.info("ritual.retried", ritual=ritual, cycle=cycle, target=target, previous_error=existing.error)
    return Claim(existing.id, state, resumed=True)


def held(session: Session, *, ritual: str, cycle: str, target: str, now: datetime) -> str | None:
    """The state of the claim that keeps this item from being ours now; None when `take` would get it."""
    existing = session.exec(
        select(RitualRun).where(
            RitualRun.ritual == ritual, RitualRun.cycle == cycle, RitualRun.target == target
        )
    ).first()
    return None if existing is None or _retryable(existing, now) else existing.state


def _retryable(run: RitualRun, now: datetime) -> bool:
    return run.state == RunState.FAILED and (
        run.finished_at is None or run.finished_at <= now - RETRY_FAILED_AFTER
    )


@dataclass(frozen=True)
class Thread:
    """What a channel ritual posts: a message, the rest in its thread, and maybe a file there."""

    messages: Sequence[dict[str, Any]]
    file: File | None = None

    def describe(self) -> str:
        return f"{len(self.messages)} message(s)" + (" and a file" if self.file else "")


def queue_once(
    engine: Engine,
    *,
    ritual: RitualName,
    cycle: str,
    channel: str,
    now: datetime,
    build: Callable[[Session], Thread],
) -> RitualResult:
    """Post `build`'s thread once for (ritual, cycle, channel): the claim and the thread's deliveries are
    written in one transaction, and the outbox's one sender posts them (paced, retried, looked up before any
    resend after a crash). The claim ends `sent` or `failed` with the thread's first message; a failed one
    is built and queued again by the first run `RETRY_FAILED_AFTER` later. Built only when it is ours to
    post (checked first)."""
    (claim,) = ritual.claims  # a channel ritual makes one kind of claim, one per cycle and channel
    with session_scope(engine) as session:
        holding = held(session, ritual=claim, cycle=cycle, target=channel, now=now)
    if holding is not None:
        return _handled(ritual, cycle, channel, holding)
    with session_scope(engine) as session:
        thread = build(session)
    with session_scope(engine) as session:
        taken = take(session, ritual=claim, cycle=cycle, target=channel, now=now, state=RunState.QUEUED)
        if taken.run_id is None:  # another run or replica claimed it meanwhile: theirs
            return _handled(ritual, cycle, channel, taken.state)
        enqueue_thread(
            session,
            kind=DeliveryKind(claim),
            channel=channel,
            messages=thread.messages,
            now=now,
            ritual_run_id=taken.run_id,
            file=thread.file,
        )
    log.info("ritual.queued", ritual=claim, cycle=cycle, channel=channel, messages=len(thread.messages))
    return RitualResult(ritual, cycle, channel, RunState.QUEUED, detail=thread.describe())


def _handled(ritual: RitualName, cycle: str, channel: str, state: str) -> RitualResult:
    """The item's claim was there already: what its state is."""
    return RitualResult(ritual, cycle, channel, RunState(state), already_handled=True)


def one_at_a_time(session: Session, name: str) -> None:
    """Until the caller's transaction ends, another one asking for `name` waits: two requests that check,
    then write (a modal submitted twice at once) run one after the other, and the second sees the first's
    row. PostgreSQL: an advisory lock on the name. SQLite has one writer at a time: its write lock, taken
    now by a statement that writes nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
    else:
        session.execute(text("DELETE FROM seenrequest WHERE 0"))
