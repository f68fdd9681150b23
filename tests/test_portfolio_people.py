"""Owners named by e-mail (users.lookupByEmail, cached) and deactivated people, reported not crashed on."""

from __future__ import annotations

import json
from pathlib import Path

from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.people import refresh_people
from bot.sandbox.webapi import FakeSlack
from storage.models import Initiative, Person, RaciAssignment
from tests.conftest import ADMIN, ManualClock, RunningBaton, run_baton
from tests.slack_requests import wait_for
from tests.test_initiative_modal import opened_modal
from tests.test_portfolio_commands import PARIS, command, load_roadmap, rendered, submit_import

ALICE, GONE = "U0ALICE001", "U0GONE0001"
TABLE = "Initiative,Objective,KPI,Owner\n"


def people(fake: FakeSlack) -> None:
    fake.add_user(ALICE, name="Alice", email="alice@example.com")
    fake.add_user(GONE, name="Gone", email="gone@example.com")
    fake.users[GONE]["deleted"] = True


def test_okr_import_looks_owners_up_by_email_all_or_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    people(fake_slack)
    fake_slack.add_user(ADMIN, name="Admin")
    view = opened_modal(baton, fake_slack, "import", ADMIN)
    bad = TABLE + "A,+1 %,K,Alice@Example.com\nB,+1 %,K,ghost@example.com\nC,+1 %,K,gone@example.com + CFO\n"
    progress = submit_import(baton, view, bad)
    assert progress["response_action"] == "update" and "Looking up" in json.dumps(progress["view"])
    failed = json.dumps(wait_for(lambda: fake_slack.calls_to("views.update"))[0]["view"], ensure_ascii=False)
    assert "2 problem(s), nothing imported" in failed
    assert "line 3: no Slack user has the e-mail 'ghost@example.com'" in failed
    assert "line 4: the Slack user with the e-mail 'gone@example.com' is deactivated" in failed
    assert session.exec(select(Initiative)).all() == []
    assert session.get(Person, ALICE).email == "alice@example.com"  # type: ignore[union-attr]  # cached

    lookups = len(fake_slack.calls_to("users.lookupByEmail"))
    done = submit_import(baton, view, TABLE + "A,+1 %,K,alice@example.com + CFO\n")
    assert "Imported: 1 created" in json.dumps(done["view"])  # known from the cache: no lookup, no wait
    assert len(fake_slack.calls_to("users.lookupByEmail")) == lookups
    owners = session.exec(select(RaciAssignment.user_id).where(col(RaciAssignment.user_id).is_not(None)))
    assert owners.all() == [ALICE]


def test_baton_import_looks_owners_up_by_email(
    env: dict, tmp_path: Path, fake_slack: FakeSlack, session: Session
) -> None:
    people(fake_slack)
    roadmap = tmp_path / "roadmap.csv"
    roadmap.write_text(TABLE + "A,+1 %,K,alice@example.com\nB,+1 %,K,nobody@example.com\n", encoding="utf-8")
    refused = run_baton(env, tmp_path, "import", str(roadmap))
    assert refused.returncode == 1
    assert "line 3: no Slack user has the e-mail 'nobody@example.com'" in refused.stderr
    roadmap.write_text(TABLE + "A,+1 %,K,alice@example.com\n", encoding="utf-8")
    imported = run_baton(env, tmp_path, "import", str(roadmap))
    assert imported.returncode == 0, imported.stderr
    assert session.exec(select(RaciAssignment.user_id)).all() == [ALICE]


def test_deactivated_people_are_reported_in_who_and_status(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_roadmap(session, fake_slack)
    fake_slack.users[PARIS]["deleted"] = True  # users.info answers `deleted: true`
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    refresh_people(baton.deps.engine, client, [PARIS], now=clock())
    who = rendered(command(baton, fake_slack, "who", ADMIN))
    assert f"<@{PARIS}> (deactivated) — Déploiement ERP phase 2" in who
    status = rendered(command(baton, fake_slack, "status erp", ADMIN))
    assert f"PMO (<@{PARIS}> (deactivated))" in status
