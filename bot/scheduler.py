"""The rituals' heartbeat: a short APScheduler tick asks what is due now, and a sender drains the outbox.

APScheduler only wakes Baton up; the database says what is due and what was done (see delivery/claims.py),
so a missed tick, a restart or a second replica changes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.delivery.sender import Sender
from bot.deps import Deps
from bot.domain.ritual import RitualName, RitualResult
from bot.logs import get_logger
from bot.rituals.checkin import run_checkin, run_reminders
from bot.rituals.committee import run_committee
from bot.rituals.digest import run_digests
from bot.rituals.escalations import run_escalations
from bot.rituals.review import run_review

log = get_logger(__name__)

TICK_SECONDS = 30


def run_ritual(name: str, deps: Deps, client: WebClient) -> list[RitualResult]:
    """Run what ritual `name` (a `RitualName`) has due at the clock's instant: what it did, one result, or
    one per channel for the digest (the leadership channel(s) and each team's), the committee and the
    review."""
    try:
        ritual = RitualName(name)
    except ValueError:
        raise ValueError(f"unknown ritual {name!r}") from None
    engine, now, settings = deps.engine, deps.clock(), deps.settings
    match ritual:
        case RitualName.CHECKIN:
            return [run_checkin(engine, client, now=now, settings=settings)]
        case RitualName.REMINDERS:
            return [run_reminders(engine, now=now, settings=settings)]
        case RitualName.DIGEST:
            return run_digests(engine, now=now, settings=settings)
        case RitualName.ESCALATIONS:
            return [run_escalations(engine, now=now, settings=settings)]
        case RitualName.COMMITTEE:
            return run_committee(engine, now=now, settings=settings)
        case RitualName.REVIEW:
            return run_review(engine, now=now, settings=settings)


RITUALS: tuple[RitualName, ...] = tuple(RitualName)  # in the tick's order


def tick(deps: Deps, client: WebClient) -> None:
    for name in RITUALS:
        try:
            results = run_ritual(name, deps, client)
        except Exception:  # one ritual failing must not stop the others, nor the next tick
            log.exception("ritual.failed", ritual=str(name))
            continue
        for result in results:
            log.info("ritual.ran", **result.fields())
    deps.outbox_ready.set()


@dataclass
class Background:
    scheduler: BackgroundScheduler
    stop: threading.Event
    sender_thread: threading.Thread

    def shutdown(self) -> None:
        """Stop ticking, let a tick in progress finish (it may be writing claims and their messages),
        then stop the sender."""
        self.scheduler.shutdown(wait=True)
        self.stop.set()
        self.sender_thread.join(timeout=15)


@contextmanager
def rituals_in_background(deps: Deps, client: WebClient) -> Iterator[None]:
    """The tick and the sender for as long as the block runs (`baton serve`'s first worker, `baton
    socket`)."""
    from bot.slack import make_sender_client

    sender = Sender(deps.engine, make_sender_client(deps.settings), deps.clock, wake=deps.outbox_ready)
    background = start_background(deps, client, sender)
    try:
        yield
    finally:
        background.shutdown()


def start_background(
    deps: Deps, client: WebClient, sender: Sender, *, tick_seconds: int = TICK_SECONDS
) -> Background:
    """Start the tick and the sender thread (inside `baton serve` and `baton socket`)."""
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick,
        "interval",
        seconds=tick_seconds,
        args=[deps, client],
        id="rituals-tick",
        name="rituals tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=tick_seconds,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    stop = threading.Event()
    thread = threading.Thread(target=sender.run, args=(stop,), name="outbox-sender", daemon=True)
    thread.start()
    return Background(scheduler, stop, thread)
