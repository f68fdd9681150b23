"""The rituals' heartbeat: a short APScheduler tick asks what is due now, and a sender drains the outbox.

APScheduler only wakes Baton up; the database says what is due and what was done (see rituals/claims.py),
so a missed tick, a restart or a second replica changes nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.delivery.sender import Sender
from bot.deps import Deps
from bot.logs import get_logger
from bot.rituals.checkin import run_checkin, run_reminders
from bot.rituals.committee import run_committee
from bot.rituals.digest import run_digests
from bot.rituals.escalations import run_escalations
from bot.rituals.review import run_review

log = get_logger(__name__)

TICK_SECONDS = 30


def run_ritual(name: str, deps: Deps, client: WebClient) -> str:
    """Run what `name` has due at the clock's instant; a one-line summary of what it did."""
    now = deps.clock()
    if name == "checkin":
        return run_checkin(deps.engine, client, now=now, settings=deps.settings).summary()
    if name == "reminders":
        return run_reminders(deps.engine, now=now, settings=deps.settings).summary()
    if name == "digest":  # the leadership digest, and each team channel's
        outcomes = run_digests(deps.engine, now=now, settings=deps.settings)
        return "\n".join(o.summary() for o in outcomes) or "digest: no leadership or team channel is set"
    if name == "escalations":
        return run_escalations(deps.engine, now=now, settings=deps.settings).summary()
    if name in ("committee", "review"):  # the monthly agenda, the quarterly review
        run = run_committee if name == "committee" else run_review
        return "\n".join(o.summary() for o in run(deps.engine, now=now, settings=deps.settings))
    raise ValueError(f"unknown ritual {name!r}")


RITUALS: tuple[str, ...] = ("checkin", "reminders", "digest", "escalations", "committee", "review")


def tick(deps: Deps, client: WebClient) -> None:
    for name in RITUALS:
        try:
            summary = run_ritual(name, deps, client)
        except Exception:  # one ritual failing must not stop the others, nor the next tick
            log.exception("ritual.failed", ritual=name)
            continue
        log.info("ritual.ran", ritual=name, summary=summary)
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
