"""Each request from Slack acts once: a replay of a signed request inside Slack's 5-minute signature window,
or an Events API retry (`X-Slack-Retry-Num`) of an event already received, finds its key taken and does
nothing.

The key is claimed by one INSERT … ON CONFLICT DO NOTHING in the ack path, so it holds across processes
and replicas. It is written before the listener runs: a retry that arrives while the first delivery is
still being answered (Slack retries an event 3 s after sending it, answered or not) is ignored too. So a
key stays taken even if its listener then fails: Slack never resends a command, click or submission, and
Baton's event listeners ack at once, so a retry never stands for a first delivery Baton did not take.
Slack's `X-Slack-No-Retry: 1` is for error answers; a replay is answered 200, which ends the retries.

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
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from bot.logs import get_logger
from storage.models import SeenRequest

log = get_logger(__name__)

# How long a key is kept: Slack's signature window is 5 minutes and its last event retry comes about
# 5 minutes after the first delivery; an hour leaves room for clocks that disagree.
REPLAY_MEMORY = timedelta(hours=1)
PRUNE_EVERY = timedelta(minutes=5)
WAIT_MS = 500  # PostgreSQL: the longest the ack waits for a twin request's uncommitted key
SKIP_AFTER_FAILURE_SECONDS = 5.0
# Payloads that only read: an options load answers the same options again, a URL check its challenge.
NO_EFFECT = frozenset({"url_verification", "block_suggestion"})
INSERT = "INSERT INTO seenrequest (key, seen_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING key"


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
        dialect = engine.dialect
        self._postgres = dialect.name == "postgresql"
        # The statement as the driver takes it, and the value as SQLAlchemy would send it (SQLite: its own
        # text format): this runs before every ack, and building a Core INSERT cost ten times the INSERT.
        self._insert = INSERT.replace("?", "%s") if self._postgres else INSERT
        column_type = SeenRequest.__table__.c.seen_at.type  # type: ignore[attr-defined]
        self._bind = column_type.dialect_impl(dialect).bind_processor(dialect)
        # the driver's own, too: storage/db.py's SQLite writer lock raises sqlite3's "database is locked"
        self._errors: tuple[type[Exception], ...] = (SQLAlchemyError, dialect.loaded_dbapi.Error)

    def first_time(self, key: str) -> bool:
        """True unless `key` was seen before; True as well when that cannot be known (see the module)."""
        if time.monotonic() < self._skip_until:
            return True
        seen_at = self._bind(self.clock()) if self._bind else self.clock()
        try:
            # On SQLite the engine bounds the wait for the write lock (storage/db.py); on PostgreSQL the
            # wait for a twin's row is bounded here, for this transaction only.
            with self.engine.connect() as connection:
                if self._postgres:
                    connection.exec_driver_sql(f"SELECT set_config('lock_timeout', '{WAIT_MS}ms', true)")
                claimed = connection.exec_driver_sql(self._insert, (key, seen_at)).first() is not None
                connection.commit()
        except self._errors as error:
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
