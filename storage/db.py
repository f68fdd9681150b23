"""Engine, sessions and schema upgrades."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"

# Slack waits 3 s for an ack, and /healthz must answer within 2 s: nothing may wait on the database
# longer than that by default. libpq's smallest connect timeout is 2 s.
CONNECT_TIMEOUT_S = 2
POOL_TIMEOUT_S = 2.0  # waiting for a free pooled connection
# Waiting for SQLite's write lock, per transaction: a modal's ack writes twice (the request's key, then
# the check-in), and both waits must fit in Slack's 3 s.
SQLITE_BUSY_TIMEOUT_S = 1.0
STATEMENT_TIMEOUT_MS = 5_000  # PostgreSQL: one statement; no ack-path statement comes near it
LOCK_TIMEOUT_MS = 2_000  # PostgreSQL: waiting for a row or table lock
TCP_USER_TIMEOUT_MS = 3_000  # PostgreSQL: sent data unacknowledged this long (a partition) drops the link
RETRY_CONNECT_AFTER_S = 1.0  # after a failed connect, others fail at once for this long
POOL_SIZE = 16  # the HTTP server's threads (bot/server.py); a worker's lazy threads and sender fit too
MAX_OVERFLOW = 4


def make_engine(url: str | URL, *, timeouts: bool = True) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout on every connection,
    PostgreSQL connect, statement, lock and TCP timeouts (`timeouts=False`: none, for migrations).
    Errors never carry the statement's parameters (user text) into logs: `hide_parameters`."""
    url = make_url(url)
    common: dict[str, Any] = {
        "hide_parameters": True,
        "pool_size": POOL_SIZE,
        "max_overflow": MAX_OVERFLOW,
        "pool_timeout": POOL_TIMEOUT_S,
    }
    if url.get_backend_name() == "sqlite":
        busy = SQLITE_BUSY_TIMEOUT_S if timeouts else 30
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy}, **common)
        event.listen(engine, "connect", _sqlite_pragmas)
        writers = _SqliteWriters(busy)
        event.listen(engine, "before_cursor_execute", writers.before_write)
        for name in ("commit", "rollback"):
            event.listen(engine, name, writers.released)
        event.listen(engine, "checkin", writers.returned)
        return engine
    engine = create_engine(
        url,
        pool_pre_ping=True,  # a connection the server dropped (restart, pg_terminate_backend) is replaced
        connect_args=_postgres_timeouts(url) if timeouts else {"connect_timeout": CONNECT_TIMEOUT_S},
        **common,
    )
    event.listen(engine, "do_connect", _ConnectBreaker())
    return engine


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_HOLDS_WRITE_LOCK = "baton_holds_write_lock"


class _SqliteWriters:
    """SQLite has one write lock, and its busy handler waits for it by sleeping in growing steps (up to
    100 ms at a time): the server's 16 threads writing at once queued behind one another's sleeps, and
    acks took seconds. A thread about to write takes this process's lock first (it is woken as soon as
    the lock is free), so at most one thread per process waits on SQLite's, against other processes only.
    Held from a transaction's first write to its commit or rollback. The wait for it counts against the
    busy timeout: what is left of it is SQLite's wait (`PRAGMA busy_timeout`)."""

    def __init__(self, timeout: float) -> None:
        self.lock = threading.Lock()  # not an RLock: a connection may be returned by another thread
        self.timeout = timeout
        self.owner: int | None = None
        self.holds = 0  # transactions of `owner` holding it (a thread writing through two connections)

    def before_write(
        self, conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if conn.info.get(_HOLDS_WRITE_LOCK) or not _WRITE.match(statement):
            return
        me = threading.get_ident()
        if self.owner != me:
            started = time.monotonic()
            if not self.lock.acquire(timeout=self.timeout):
                raise sqlite3.OperationalError("database is locked")  # what SQLite says when its wait ends
            self.owner = me
            left_ms = max(1, int((self.timeout - (time.monotonic() - started)) * 1000))
            conn.connection.driver_connection.execute(f"PRAGMA busy_timeout = {left_ms}")
        self.holds += 1
        conn.info[_HOLDS_WRITE_LOCK] = True

    def released(self, conn: Any) -> None:
        self._release(conn.info)

    def returned(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)  # a connection closed or invalidated mid-transaction

    def _release(self, info: dict[str, Any]) -> None:
        if not info.pop(_HOLDS_WRITE_LOCK, False):
            return
        self.holds -= 1
        if self.holds == 0:
            self.owner = None
            self.lock.release()


class _ConnectBreaker:
    """A PostgreSQL that does not answer costs each connect its full 2 s timeout, and a request makes
    several: once one has failed, the next ones within RETRY_CONNECT_AFTER_S fail at once instead."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failed_until = 0.0

    def __call__(self, dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        dbapi = dialect.loaded_dbapi
        if time.monotonic() < self.failed_until:
            raise dbapi.OperationalError("the database did not answer a moment ago; not trying again yet")
        try:
            return dialect.connect(*cargs, **cparams)
        except dbapi.OperationalError:
            with self.lock:
                self.failed_until = time.monotonic() + RETRY_CONNECT_AFTER_S
            raise


def _postgres_timeouts(url: URL) -> dict[str, Any]:
    """libpq parameters; settings already in DATABASE_URL (`?options=...`, `?connect_timeout=...`) win."""
    ours = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
    theirs = url.query.get("options")
    args: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "options": f"{ours} {theirs}" if isinstance(theirs, str) else ours,  # the later -c wins
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
        "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
    }
    return {name: value for name, value in args.items() if name == "options" or name not in url.query}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back whole if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration, without the statement and lock timeouts of everyday
    work (an index on a big table may take longer), through an engine of its own."""
    migrating = make_engine(engine.url, timeouts=False)
    try:
        command.upgrade(alembic_config(migrating), "head")
    finally:
        migrating.dispose()


def is_up_to_date(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


class SchemaBehind(Exception):
    """The database is older than this Baton: PostgreSQL waits for `baton db upgrade`."""


def open_current(url: str) -> Engine:
    """The engine, with its schema current: SQLite upgrades itself; PostgreSQL asks for `baton db upgrade`
    (several replicas must not race to migrate)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    elif not is_up_to_date(engine):
        raise SchemaBehind("the database schema is not up to date: run `baton db upgrade`")
    return engine


def ping(engine: Engine) -> None:
    """Raise if the database cannot be reached."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
