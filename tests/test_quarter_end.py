"""The quarter ends: after its last week, its initiatives are no longer prompted, reminded nor escalated,
and the escalations still open wait for the close-out instead of being closed or pushed up by the rules.
Time travel with the injected clock, through the rituals themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.domain.cycles import in_quarter
from bot.rituals.checkin import run_checkin
from bot.rituals.escalations import run_escalations
from bot.sandbox.webapi import FakeSlack
from storage.models import Escalation, EscalationState, Objective, RitualRun
from tests.test_escalation_workflow import OWNER, report, seed

LAST_WEEK = datetime(2026, 12, 28, 8, 30, tzinfo=UTC)  # Monday of 2026-W53: Q4 ends on Thursday
NEXT_QUARTER = datetime(2027, 1, 4, 8, 30, tzinfo=UTC)  # Monday of 2027-W01, 09:30 in Paris


def test_the_weeks_of_a_quarter_include_the_ones_it_shares() -> None:
    assert in_quarter("2026-W40", "2026-Q4")  # Monday 28 September, Thursday 1 October
    assert in_quarter("2026-W53", "2026-Q4") and in_quarter("2026-W53", "2027-Q1")
    assert not in_quarter("2027-W01", "2026-Q4") and not in_quarter("2026-W39", "2026-Q4")


def test_a_quarter_over_prompts_nobody_about_it(
    engine: Engine, settings: Settings, session: Session, fake_slack: FakeSlack
) -> None:
    seed(session, fake_slack)
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    assert run_checkin(engine, client, now=LAST_WEEK, settings=settings).queued == (OWNER,)
    january = run_checkin(engine, client, now=NEXT_QUARTER, settings=settings)
    assert january.queued == () and january.skipped == ()
    assert [run.cycle for run in session.exec(select(RitualRun)) if run.cycle >= "2027"] == []


def test_next_quarters_roadmap_is_prompted_when_its_quarter_begins_not_before(
    engine: Engine, settings: Settings, session: Session, fake_slack: FakeSlack
) -> None:
    initiative = seed(session, fake_slack)
    objective = session.get(Objective, initiative.objective_id)
    assert objective is not None
    objective.quarter = "2027-Q1"  # imported ahead of time
    session.commit()
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    assert run_checkin(engine, client, now=LAST_WEEK - timedelta(weeks=1), settings=settings).queued == ()
    assert run_checkin(engine, client, now=LAST_WEEK, settings=settings).queued == (OWNER,)  # W53 is shared


def test_after_the_quarter_nothing_is_escalated_and_open_escalations_wait_for_the_close_out(
    engine: Engine, settings: Settings, session: Session, fake_slack: FakeSlack
) -> None:
    initiative = seed(session, fake_slack)  # off track in W47
    assert run_escalations(engine, now=LAST_WEEK - timedelta(weeks=4), settings=settings).opened == 1
    session.add(report(initiative, "2026-W53", "on_track"))  # back on track: the rule no longer holds
    session.commit()
    january = run_escalations(engine, now=NEXT_QUARTER + timedelta(weeks=2), settings=settings)
    assert (january.opened, january.closed, january.reescalated) == (0, 0, 0)
    [escalation] = session.exec(select(Escalation)).all()
    session.refresh(escalation)
    assert (escalation.state, escalation.level) == (EscalationState.OPEN, 0)
