"""The monthly arbitration committee's agenda: on its day only, once, weightiest and oldest first."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.domain.ritual import RitualResult
from bot.escalations import escalate_by_hand
from bot.rituals.committee import run_committee
from bot.sandbox.webapi import FakeSlack
from bot.views.committee import meeting_words
from bot.workspace import load_workspace
from storage.db import make_engine
from storage.models import Decision, WorkspaceSettings
from tests.conftest import LEADERSHIP_CHANNEL, deliver
from tests.test_escalation_ritual import T0, run
from tests.test_escalation_workflow import BOSS, OWNER, report, seed

FIRST_TUESDAY = datetime(2026, 12, 1, 9, tzinfo=UTC)  # 10:00 in Paris


def posts_about(fake_slack: FakeSlack, word: str) -> list[dict]:
    """The leadership channel's posts whose notification text says `word`."""
    return [p for p in fake_slack.posts() if p["channel"] == LEADERSHIP_CHANNEL and word in p["text"]]


def ritual_at(
    ritual: Callable[..., list[RitualResult]], engine: Engine, settings: Settings, fake_slack: FakeSlack
) -> Callable[[datetime], list[str]]:
    """A leadership ritual (committee, review) to run at a given time, then the outbox sent: what it did
    in each channel (`queued` when it queued its messages, else the state of the claim it found)."""

    def run_at(now: datetime) -> list[str]:
        outcomes = ritual(engine, now=now, settings=settings)
        deliver(engine, fake_slack, lambda: now)
        return [str(outcome.state) for outcome in outcomes]

    return run_at


def test_the_agenda_comes_out_on_the_first_tuesday_only_and_once(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    committee = ritual_at(run_committee, engine, settings, fake_slack)
    initiative = seed(session, fake_slack, status="at_risk")
    session.add(
        report(
            initiative, "2026-W48", "at_risk", decision_needed="Hire a contractor?", decision_options="A or B"
        )
    )
    session.commit()
    run(engine, settings, fake_slack, T0 + timedelta(hours=2))  # decision needed and at risk twice
    session.add(
        report(
            initiative, "2026-W49", "at_risk", decision_needed="Hire a contractor?", decision_options="A or B"
        )
    )
    session.commit()
    escalate_by_hand(
        session,
        initiative=initiative,
        reason="The vendor slipped",
        user=OWNER,
        workspace=load_workspace(session, settings),
        cycle="2026-W49",
        channel=LEADERSHIP_CHANNEL,
        now=datetime(2026, 11, 30, 12, tzinfo=UTC),
    )
    session.commit()
    run(engine, settings, fake_slack, datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert committee(datetime(2026, 11, 30, 9, tzinfo=UTC)) == ["missed"]  # Nov 3
    assert committee(FIRST_TUESDAY - timedelta(minutes=1)) == ["not due"]
    assert posts_about(fake_slack, "committee") == []
    assert committee(FIRST_TUESDAY + timedelta(minutes=1)) == ["queued"]
    assert committee(FIRST_TUESDAY + timedelta(hours=3)) == ["sent"]  # claimed, and posted
    assert committee(datetime(2026, 12, 8, 9, 30, tzinfo=UTC)) == ["missed"]
    [agenda] = posts_about(fake_slack, "committee")
    text = json.dumps(agenda["blocks"], ensure_ascii=False)
    assert "2026-12" in text and "Hire a contractor?" in text and "A or B" in text
    # the weightiest first: a decision asked for, then what was escalated by hand, then at risk for weeks
    assert (
        text.index("Decision needed")
        < text.index("Escalated by hand")
        < text.index("At risk week after week")
    )
    assert "*1 initiative(s) to arbitrate*" in text  # one initiative, listed once with its 3 reasons
    assert text.count("Déploiement ERP phase 2") == 1


def test_the_committee_day_follows_the_settings(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    committee = ritual_at(run_committee, engine, settings, fake_slack)
    session.add(WorkspaceSettings(committee_weekday=3, committee_week=5, committee_hour=15))  # last Thursday
    session.commit()
    assert committee(FIRST_TUESDAY + timedelta(hours=1)) == ["not due"]
    assert committee(datetime(2026, 12, 31, 14, 5, tzinfo=UTC)) == ["queued"]
    [agenda] = posts_about(fake_slack, "committee")
    assert "Nothing to arbitrate" in json.dumps(agenda["blocks"])


def test_an_agenda_queued_by_a_run_that_died_is_posted_once_after_the_restart(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, database_url: str
) -> None:
    now = FIRST_TUESDAY + timedelta(minutes=1)
    [died] = run_committee(engine, now=now, settings=settings)  # the process dies before its sender sends
    assert died.state == "queued" and fake_slack.posts() == []
    restarted = make_engine(database_url)  # a new process: nothing in memory survives
    try:
        [found] = run_committee(restarted, now=now + timedelta(minutes=1), settings=settings)
        assert (found.state, found.already_handled) == ("queued", True)  # its agenda is in the outbox
        deliver(restarted, fake_slack, lambda: now + timedelta(minutes=1))
        [after] = run_committee(restarted, now=now + timedelta(hours=1), settings=settings)
        deliver(restarted, fake_slack, lambda: now + timedelta(hours=1))
    finally:
        restarted.dispose()
    assert after.state == "sent" and len(posts_about(fake_slack, "committee")) == 1


def test_the_meeting_is_said_in_words_in_the_organisations_zone_and_language() -> None:
    at = FIRST_TUESDAY.astimezone(ZoneInfo("Europe/Paris"))
    assert meeting_words(at, "en") == "Tuesday 1 December 2026 at 10:00 (Europe/Paris)"
    assert meeting_words(at, "fr") == "mardi 1 décembre 2026 à 10:00 (Europe/Paris)"


def test_the_minutes_are_posted_once_by_two_replicas_and_list_only_that_committees_decisions(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session, database_url: str
) -> None:
    initiative = seed(session, fake_slack)
    for text, committee, at in (
        ("Cut scope", "2026-12", FIRST_TUESDAY),
        ("Earlier call", None, FIRST_TUESDAY - timedelta(days=3)),  # before the committee met: not its
    ):
        session.add(
            Decision(
                initiative_id=initiative.id or 0,
                decision=text,
                committee=committee,
                decided_by=BOSS,
                decided_at=at,
                follow_up_owner=OWNER,
            )
        )
    session.commit()
    end_of_day = datetime(2026, 12, 1, 23, 1, tzinfo=UTC)
    replica = make_engine(database_url)
    try:
        for each in (engine, replica, engine):
            run_committee(each, now=end_of_day, settings=settings)
            deliver(each, fake_slack, lambda: end_of_day)
    finally:
        replica.dispose()
    [minutes] = posts_about(fake_slack, "Minutes")
    text = json.dumps(minutes["blocks"])
    assert "Cut scope" in text and "Earlier call" not in text and f"<@{BOSS}>" in text
    assert committee_after(engine, settings, end_of_day + timedelta(days=7)) == []  # not posted late


def committee_after(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    return [
        str(r.cycle) for r in run_committee(engine, now=now, settings=settings) if "minutes" in str(r.cycle)
    ]
