"""Each request from Slack acts once: a replay of a signed request inside Slack's 5-minute signature window,
or an Events API retry (`X-Slack-Retry-Num`) of an event already received, finds its key taken and does
nothing.

The key is claimed by one INSERT … ON CONFLICT DO NOTHING in the ack path, so it holds across processes
and replicas. It is written before the listener runs: a retry that arrives while the first delivery is
still being answered (Slack retries an event 3 s after sending it, answered or not) is ignored too.

If the key cannot be written (the database is down, or SQLite's write lock is held), the request goes
through rather than being dropped, and the action's own idempotency holds (a one-click answer's
dedupe_key, one pending snooze, a skip's primary key, an escalation's state): an ack must not wait on the
database for long, nor turn an outage into lost requests. After such a failure the check is skipped for
a few seconds, so an outage does not cost every ack a timeout.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any

from sqlalchemy import Connection, Engine, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from bot.logs import get_logger
from storage.models import SeenRequest

log = get_logger(__name__)

# How long a key is kept: Slack's signature window is 5 minutes and its last event retry comes about
# 5 minutes after the first delivery; an hour leaves room for clocks that disagree.
REPLAY_MEMORY = timedelta(hours=1)
PRUNE_EVERY = timedelta(minutes=5)
WAIT_MS = 500  # the longest the ack waits for a lock on the key (SQLite's write lock, a twin's row)
SKIP_AFTER_FAILURE_SECONDS = 5.0
# Payloads that only read: an options load answers the same options again, a URL check its challenge.
NO_EFFECT = frozenset({"url_verification", "block_suggestion"})


def request_key(body: Mapping[str, Any], raw_body: str) -> str | None:
    """What makes a request the same request again, None for one that changes nothing.

    An event is known by its `event_id`, which Slack keeps across retries. A slash command, a click or a
    submission by its body: the signature covers the body, so a replay carries the same bytes, and Slack
    makes every genuine one different (its `trigger_id`, a click's `action_ts`); two clicks that mean the
    same thing are two requests, which the actions themselves make idempotent."""
    kind = body.get("type")
    if kind in NO_EFFECT:
        return None
    if kind == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    content = raw_body or json.dumps(body, sort_keys=True)  # Socket Mode hands over the parsed body only
    return "body:" + sha256(content.encode()).hexdigest()


class Replays:
    """The claims of request keys, for one process: `first_time(key)` in the ack path, `prune()` after."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine, self.clock = engine, clock
        self._skip_until = 0.0  # time.monotonic(): after a failure, requests go through unchecked
        self._pruned_at: datetime | None = None
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True unless `key` was seen before; True as well when that cannot be known (see the module)."""
        if time.monotonic() < self._skip_until:
            return True
        try:
            with self.engine.connect() as connection, _short_waits(connection), connection.begin():
                if connection.dialect.name == "postgresql":  # this transaction only (SET LOCAL)
                    connection.exec_driver_sql(
                        f"SELECT set_config('lock_timeout', '{WAIT_MS}ms', true),"
                        f" set_config('statement_timeout', '{2 * WAIT_MS}ms', true)"
                    )
                insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
                statement = (
                    insert(SeenRequest)
                    .values(key=key, seen_at=self.clock())
                    .on_conflict_do_nothing(index_elements=["key"])
                    .returning(col(SeenRequest.key))
                )
                claimed = connection.execute(statement).first() is not None
        except SQLAlchemyError as error:
            self._skip_until = time.monotonic() + SKIP_AFTER_FAILURE_SECONDS
            log.warning("request.unchecked", reason=type(error).__name__)
            return True
        return claimed

    def prune(self) -> None:
        """Forget keys older than REPLAY_MEMORY, at most once per PRUNE_EVERY in this process."""
        now = self.clock()
        with self._lock:
            if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
                return
            self._pruned_at = now
        try:
            with self.engine.begin() as connection:
                connection.execute(delete(SeenRequest).where(col(SeenRequest.seen_at) < now - REPLAY_MEMORY))
        except SQLAlchemyError as error:  # the next prune will do
            log.warning("request.prune_failed", reason=type(error).__name__)


@contextmanager
def _short_waits(connection: Connection) -> Iterator[None]:
    """On SQLite, wait at most WAIT_MS for the write lock, whatever the busy timeout the listeners use. It
    belongs to the connection, which goes back to the pool: restored afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi = connection.connection.driver_connection  # not through SQLAlchemy: no transaction begun
    assert dbapi is not None
    previous = dbapi.execute("PRAGMA busy_timeout").fetchone()[0]
    dbapi.execute(f"PRAGMA busy_timeout = {WAIT_MS}")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA busy_timeout = {int(previous)}")
