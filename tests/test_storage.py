"""The schema the migrations build, the connection settings, and aware UTC datetimes on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from slack_sdk import WebClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from bot.app import build_app
from bot.config import Settings
from bot.deps import Deps
from bot.server import make_wsgi
from storage.db import is_up_to_date, make_engine
from storage.models import AuditLog, Objective, RaciAssignment, RaciLetter, RitualRun


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
    assert is_up_to_date(engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(RaciAssignment(initiative_id=999_999, letter=RaciLetter.RESPONSIBLE, user_id="U0NOBODY1"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_a_raci_entry_is_a_user_or_a_role_not_both(session: Session) -> None:
    session.add(RaciAssignment(initiative_id=1, letter=RaciLetter.RESPONSIBLE))
    with pytest.raises(IntegrityError):
        session.commit()


def test_datetimes_come_back_aware_in_utc(session: Session) -> None:
    paris_morning = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    session.add(Objective(title="Grow", title_key="grow", quarter="2026-Q4", created_at=paris_morning))
    session.commit()
    session.expunge_all()
    stored = session.exec(select(Objective)).one()
    assert stored.created_at == paris_morning and stored.created_at.tzinfo == UTC
    assert stored.created_at.hour == 8


def test_naive_datetimes_are_refused(session: Session) -> None:
    session.add(AuditLog(at=datetime(2026, 11, 23, 9, 0), actor="cli", action="x", entity="y"))
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()


def test_a_ritual_item_can_be_claimed_only_once(session: Session) -> None:
    now = datetime(2026, 11, 23, 15, tzinfo=UTC)
    session.add(RitualRun(ritual="digest", cycle="2026-W48", target="C0LEADERS1", claimed_at=now))
    session.commit()
    session.add(RitualRun(ritual="digest", cycle="2026-W48", target="C0LEADERS1", claimed_at=now))
    with pytest.raises(IntegrityError):
        session.commit()


def test_healthz_is_503_when_the_database_is_unreachable(settings: Settings, fake_slack) -> None:  # type: ignore[no-untyped-def]
    unreachable = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2")
    deps = Deps(settings=settings, engine=unreachable, clock=lambda: datetime.now(UTC))
    app = build_app(deps, client=WebClient(token=fake_slack.token, base_url=fake_slack.api_url))
    with httpx.Client(
        transport=httpx.WSGITransport(app=make_wsgi(app, unreachable)), base_url="http://baton"
    ) as http:
        response = http.get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "error", "db": "unreachable"}
