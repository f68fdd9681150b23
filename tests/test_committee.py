"""The monthly arbitration committee's agenda: on its day only, once, weightiest and oldest first."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.escalations import escalate_by_hand
from bot.rituals.committee import run_committee
from bot.rituals.digest import RitualOutcome
from bot.sandbox.webapi import FakeSlack
from storage.models import WorkspaceSettings
from tests.conftest import LEADERSHIP_CHANNEL
from tests.test_escalation_ritual import T0, run
from tests.test_escalation_workflow import OWNER, report, seed

FIRST_TUESDAY = datetime(2026, 12, 1, 9, tzinfo=UTC)  # 10:00 in Paris


def posts_about(fake_slack: FakeSlack, word: str) -> list[dict]:  # type: ignore[type-arg]
    """The leadership channel's posts whose notification text says `word`."""
    return [p for p in fake_slack.posts() if p["channel"] == LEADERSHIP_CHANNEL and word in p["text"]]


def ritual_at(
    ritual: Callable[..., list[RitualOutcome]], engine: Engine, settings: Settings, fake_slack: FakeSlack
) -> Callable[[datetime], list[str]]:
    """A leadership ritual (committee, review) to run at a given time: what it did in each channel."""
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    return lambda now: [outcome.state for outcome in ritual(engine, client, now=now, settings=settings)]


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
        cycle="2026-W49",
        channel=LEADERSHIP_CHANNEL,
        now=datetime(2026, 11, 30, 12, tzinfo=UTC),
    )
    session.commit()
    run(engine, settings, fake_slack, datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert committee(datetime(2026, 11, 30, 9, tzinfo=UTC)) == ["missed"]  # Nov 3
    assert committee(FIRST_TUESDAY - timedelta(minutes=1)) == ["not due"]
    assert posts_about(fake_slack, "committee") == []
    assert committee(FIRST_TUESDAY + timedelta(minutes=1)) == ["sent"]
    assert committee(FIRST_TUESDAY + timedelta(hours=3)) == ["sent"]  # claimed
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
    assert "*3 escalation(s) to arbitrate*" in text


def test_the_committee_day_follows_the_settings(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    committee = ritual_at(run_committee, engine, settings, fake_slack)
    session.add(WorkspaceSettings(committee_weekday=3, committee_week=5, committee_hour=15))  # last Thursday
    session.commit()
    assert committee(FIRST_TUESDAY + timedelta(hours=1)) == ["not due"]
    assert committee(datetime(2026, 12, 31, 14, 5, tzinfo=UTC)) == ["sent"]
    [agenda] = posts_about(fake_slack, "committee")
    assert "Nothing to arbitrate" in json.dumps(agenda["blocks"])
