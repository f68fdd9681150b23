"""Claiming a due item by its unique key (ritual, cycle, target): whoever inserts the row sends it.

A restart, a second run or a second replica finds the row and sends nothing. Only a `failed` item
can be claimed again, and only by one of them (a conditional update).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import RitualRun


@dataclass(frozen=True)
class Claim:
    run_id: int | None  # None when someone else holds the item
    state: str  # "claimed" (ours to send), or the state the existing row is in


def claim(engine: Engine, *, ritual: str, cycle: str, target: str, now: datetime) -> Claim:
    try:
        with session_scope(engine) as session:
            run = RitualRun(ritual=ritual, cycle=cycle, target=target, claimed_at=now)
            session.add(run)
            session.flush()
            return Claim(run.id, "claimed")
    except IntegrityError:
        pass
    with session_scope(engine) as session:
        existing = session.exec(
            select(RitualRun).where(
                RitualRun.ritual == ritual, RitualRun.cycle == cycle, RitualRun.target == target
            )
        ).one()
        if existing.state != "failed":
            return Claim(None, existing.state)
        retried = session.execute(
            update(RitualRun)
            .where(col(RitualRun.id) == existing.id, col(RitualRun.state) == "failed")
            .values(state="claimed", claimed_at=now, error=None)
        )
        return Claim(existing.id, "claimed") if retried.rowcount == 1 else Claim(None, "claimed")  # type: ignore[attr-defined]


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
