"""Fixtures: a database (SQLite, or PostgreSQL with TEST_DATABASE_URL), a fake Slack, a running Baton."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, col, select
from waitress.server import create_server

from bot.app import build_app
from bot.config import Settings, load_settings
from bot.delivery.sender import DrainStats, Sender, SenderConfig
from bot.deps import Deps
from bot.sandbox.demo import ROADMAP as DEMO_ROADMAP
from bot.sandbox.webapi import FakeSlack
from bot.server import make_wsgi
from bot.slack import make_sender_client
from storage.db import make_engine, upgrade
from storage.models import Delivery, DeliveryState, Initiative, Objective, RaciAssignment
from tests.slack_requests import SIGNING_SECRET

LEADERSHIP_CHANNEL = "C0LEADERS1"
ADMIN = "U0ADMIN01"  # in BATON_ADMINS for every test
EXAMPLE_ROADMAP = DEMO_ROADMAP  # the example roadmap, as a strategy office writes it (in French)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'baton.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """One schema per test session, built by the migrations themselves."""
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> None:
    """Every test that uses the database starts from empty tables."""
    if "engine" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("engine")
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    yield slack
    slack.stop()


@pytest.fixture
def settings(fake_slack: FakeSlack, database_url: str) -> Settings:
    return load_settings(
        _env_file=None,
        slack_bot_token=fake_slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.api_url,
        database_url=database_url,
        leadership_channel=LEADERSHIP_CHANNEL,
        baton_timezone="Europe/Paris",
        baton_admins=ADMIN,
    )


SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "LEADERSHIP_CHANNEL",
    "BATON_TIMEZONE",
    "LOG_LEVEL",
)


@pytest.fixture
def env(fake_slack: FakeSlack, database_url: str, engine: Engine) -> dict[str, str]:
    """The environment of a `baton` process: this test's database and fake Slack, nothing inherited."""
    clean = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    return {
        **clean,
        "SLACK_BOT_TOKEN": fake_slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "LEADERSHIP_CHANNEL": LEADERSHIP_CHANNEL,
        "BATON_TIMEZONE": "Europe/Paris",
    }


def run_baton(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `baton ARGS` as a real process and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def seed_owners(
    session: Session,
    fake: FakeSlack,
    users: Sequence[str],
    *,
    created_at: datetime,
    locales: Mapping[str, str] | None = None,
) -> None:
    """Each user, in Paris and known to the fake Slack, responsible for one initiative `Initiative USER`."""
    objective = Objective(title="Grow", title_key="grow", quarter="2026-Q4", created_at=created_at)
    session.add(objective)
    session.flush()
    for user in users:
        fake.add_user(user, name=user, tz="Europe/Paris", locale=(locales or {}).get(user, "en-US"))
        initiative = Initiative(
            objective_id=objective.id,  # type: ignore[arg-type]
            title=f"Initiative {user}",
            title_key=user.lower(),
            created_at=created_at,
            updated_at=created_at,
        )
        session.add(initiative)
        session.flush()
        session.add(RaciAssignment(initiative_id=initiative.id, letter="R", user_id=user))  # type: ignore[arg-type]
    session.commit()


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def outbox_sent(engine: Engine) -> bool:
    """True once the outbox has nothing left to send (every delivery sent or failed)."""
    with Session(engine) as session:
        waiting = session.exec(
            select(Delivery.id).where(col(Delivery.state).in_((DeliveryState.PENDING, DeliveryState.SENDING)))
        ).first()
    return waiting is None


def deliver(engine: Engine, fake: FakeSlack, clock: Callable[[], datetime]) -> DrainStats:
    """What the outbox holds, sent as Baton's sender sends it (no pacing: the tests do not wait)."""
    client = WebClient(token=fake.token, base_url=fake.api_url, timeout=5, retry_handlers=[])
    return Sender(engine, client, clock, SenderConfig(channel_interval=0)).drain_all(timeout=60)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))  # Monday of 2026-W48


@dataclass
class RunningBaton:
    url: str
    deps: Deps


def _serve_until_closed(server: Any) -> None:
    with contextlib.suppress(OSError):  # close() from the test thread ends waitress's select() this way
        server.run()


@pytest.fixture
def sender_config() -> SenderConfig:
    """How the running Baton's outbox sender paces (a module may override it to go faster)."""
    return SenderConfig()


@pytest.fixture
def baton(
    settings: Settings, engine: Engine, clock: ManualClock, sender_config: SenderConfig
) -> Iterator[RunningBaton]:
    """Baton's real WSGI app on a real HTTP server, talking to the fake Slack."""
    deps = Deps(settings=settings, engine=engine, clock=clock)
    client = WebClient(token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url)
    server = create_server(
        make_wsgi(build_app(deps, client=client), engine), host="127.0.0.1", port=0, threads=4
    )
    thread = threading.Thread(target=_serve_until_closed, args=(server,), daemon=True)
    thread.start()
    sender = Sender(engine, make_sender_client(settings), clock, sender_config, wake=deps.outbox_ready)
    stop = threading.Event()
    sending = threading.Thread(target=sender.run, args=(stop, 0.1), daemon=True)
    sending.start()
    yield RunningBaton(url=f"http://127.0.0.1:{server.effective_port}", deps=deps)  # type: ignore[union-attr]
    stop.set()
    server.close()
    thread.join(timeout=5)
    sending.join(timeout=5)
