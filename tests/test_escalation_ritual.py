"""The escalation scan over time, with an injected clock: re-escalation once per level, idempotency across
runs and restarts, what happens when a rule stops holding, and when a new situation begins."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.delivery.sender import Sender, SenderConfig
from bot.deps import Deps
from bot.rituals.escalations import run_escalations
from bot.sandbox.webapi import FakeSlack
from bot.scheduler import run_ritual
from bot.slack import make_sender_client
from storage.db import make_engine
from storage.models import Escalation, EscalationState, WorkspaceSettings
from tests.conftest import LEADERSHIP_CHANNEL, run_baton
from tests.test_escalation_workflow import BOSS, report, seed

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday of 2026-W48
CONTACT = "U0CHIEF01"


def run(engine: Engine, settings: Settings, fake_slack: FakeSlack, now: datetime) -> Any:
    """One scan, then the outbox drained (as `baton rituals run escalations` does)."""
    outcome = run_escalations(engine, now=now, settings=settings)
    Sender(engine, make_sender_client(settings), lambda: now, SenderConfig(channel_interval=0)).drain_all()
    return outcome


def channel_posts(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return [p for p in fake_slack.posts() if p["channel"] == LEADERSHIP_CHANNEL]


def rows(session: Session) -> list[Escalation]:
    session.expire_all()
    return list(session.exec(select(Escalation).order_by(col(Escalation.id))))


def test_an_ignored_alert_is_re_escalated_once_per_level_and_never_twice(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    seed(session, fake_slack)
    assert run(engine, settings, fake_slack, T0).opened == 1
    [alert] = channel_posts(fake_slack)
    assert run(engine, settings, fake_slack, T0 + timedelta(hours=47, minutes=59)).reescalated == 0
    assert len(channel_posts(fake_slack)) == 1

    past_sla = T0 + timedelta(hours=48, minutes=1)
    assert run(engine, settings, fake_slack, past_sla).reescalated == 1
    [_, reply] = channel_posts(fake_slack)
    assert reply["thread_ts"] == alert["ts"] and f"<@{BOSS}>" in reply["text"]  # the accountable person
    assert ":alarm_clock:" in json.dumps(
        fake_slack.messages(LEADERSHIP_CHANNEL)[0]["blocks"]
    )  # alert says so
    [escalation] = rows(session)
    assert (escalation.level, escalation.sla_deadline) == (1, past_sla + timedelta(hours=48))
    # again, later, and from a fresh process (a new engine): nothing more at this level
    assert run(engine, settings, fake_slack, past_sla + timedelta(hours=1)).reescalated == 0
    fresh = make_engine(str(engine.url.render_as_string(hide_password=False)))
    assert run(fresh, settings, fake_slack, past_sla + timedelta(hours=2)).reescalated == 0
    assert len(channel_posts(fake_slack)) == 2

    # level 2 needs an escalation contact: without one the ladder stops, with one it goes up once
    second_sla = past_sla + timedelta(hours=48, minutes=1)
    assert run(engine, settings, fake_slack, second_sla).reescalated == 0
    session.add(WorkspaceSettings(escalation_contact=CONTACT))
    session.commit()
    assert run(fresh, settings, fake_slack, second_sla).reescalated == 1
    assert f"<@{CONTACT}>" in channel_posts(fake_slack)[-1]["text"]
    for hours in (1, 100):  # there is no level 3 (and later, other rules such as `silent` speak)
        assert run(engine, settings, fake_slack, second_sla + timedelta(hours=hours)).reescalated == 0
    assert len(channel_posts(fake_slack)) == 3 and rows(session)[0].level == 2
    fresh.dispose()


def test_an_acknowledged_alert_is_never_re_escalated(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    seed(session, fake_slack)
    run(engine, settings, fake_slack, T0)
    [escalation] = rows(session)
    escalation.state, escalation.acknowledged_by, escalation.acknowledged_at = (
        EscalationState.ACKNOWLEDGED,
        BOSS,
        T0,
    )
    session.commit()
    assert run(engine, settings, fake_slack, T0 + timedelta(days=10)).reescalated == 0
    assert len(channel_posts(fake_slack)) == 1


def test_each_ritual_run_twice_or_after_a_restart_posts_nothing_twice(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session, database_url: str
) -> None:
    seed(session, fake_slack)
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    moments = {
        "escalations": T0,
        "committee": datetime(2026, 12, 1, 9, 5, tzinfo=UTC),  # first Tuesday, 10:05 in Paris
        "review": datetime(2027, 1, 1, 8, 5, tzinfo=UTC),  # 09:05 in Paris, the next quarter's first day
    }
    for name, now in moments.items():
        for engine_now in (engine, make_engine(database_url), make_engine(database_url)):
            deps = Deps(settings=settings, engine=engine_now, clock=lambda now=now: now)  # type: ignore[misc]
            run_ritual(name, deps, client)
            Sender(
                engine_now, make_sender_client(settings), deps.clock, SenderConfig(channel_interval=0)
            ).drain_all()
    texts = [p["text"] for p in channel_posts(fake_slack) if not p.get("thread_ts")]
    assert len(texts) == 3, texts  # one alert, one agenda, one review
    assert [t.split(" ")[0] for t in texts] == ["Escalation", "Arbitration", "Quarterly"]


def test_a_rule_that_stops_holding_closes_only_an_untouched_escalation(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    initiative = seed(session, fake_slack)
    run(engine, settings, fake_slack, T0)
    session.add(report(initiative, "2026-W48", "on_track"))
    session.commit()
    assert run(engine, settings, fake_slack, T0 + timedelta(hours=2)).closed == 1
    [escalation] = rows(session)
    assert (escalation.state, escalation.open_key, escalation.closed_by) == ("resolved", None, None)
    assert "no longer holds" in json.dumps(fake_slack.messages(LEADERSHIP_CHANNEL)[0]["blocks"])
    assert fake_slack.messages(LEADERSHIP_CHANNEL)[0]["blocks"][-1]["type"] != "actions"  # no buttons left

    # off track again the week after: a new situation, a new escalation and alert
    session.add(report(initiative, "2026-W49", "off_track"))
    session.commit()
    assert run(engine, settings, fake_slack, T0 + timedelta(days=7)).opened == 1
    second = rows(session)[1]
    assert (second.state, second.cycle) == ("open", "2026-W49")
    # acknowledged, then back on track: people close it, not the rule
    second.state, second.acknowledged_by = EscalationState.ACKNOWLEDGED, BOSS
    session.commit()
    session.add(report(initiative, "2026-W50", "on_track"))
    session.commit()
    assert run(engine, settings, fake_slack, T0 + timedelta(days=14)).closed == 0
    assert rows(session)[1].state == "acknowledged"


def test_what_the_rule_sees_changing_updates_the_open_alert_in_place(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    initiative = seed(session, fake_slack, status="on_track")
    session.add(report(initiative, "2026-W48", "at_risk", decision_needed="Hire a contractor?"))
    session.commit()
    assert run(engine, settings, fake_slack, T0 + timedelta(hours=2)).opened == 1
    session.add(report(initiative, "2026-W49", "at_risk", decision_needed="Cut the scope instead?"))
    session.commit()
    outcome = run(engine, settings, fake_slack, T0 + timedelta(days=7))
    rules = {e.rule: e for e in rows(session)}
    assert set(rules) == {"decision_needed", "at_risk_streak"} and outcome.updated == 1
    assert "Cut the scope instead?" in rules["decision_needed"].reason
    alerts = [p for p in channel_posts(fake_slack) if "Decision needed" in p["text"]]
    assert len(alerts) == 1 and "Cut the scope" in json.dumps(alerts[0]["blocks"])  # the same post, updated


def test_a_rule_switched_off_raises_nothing(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    seed(session, fake_slack)
    session.add(WorkspaceSettings(escalation_rules={"off_track": {"enabled": False}}))
    session.commit()
    assert run(engine, settings, fake_slack, T0).opened == 0
    assert rows(session) == [] and channel_posts(fake_slack) == []


def test_rules_are_tuned_from_the_command_line_all_or_nothing(env: dict[str, str], tmp_path: Path) -> None:
    done = run_baton(env, tmp_path, "settings", "set", "rule.silent.cycles=3", "rule.off_track=off")
    assert done.returncode == 0, done.stderr
    assert "rule.silent.cycles=3" in done.stdout and "rule.off_track=off" in done.stdout
    assert "rule.at_risk_streak.cycles=2" in done.stdout
    refused = run_baton(env, tmp_path, "settings", "set", "rule.silent.cycles=5", "rule.silent.weeks=2")
    assert refused.returncode == 1 and "rule.silent.weeks" in refused.stderr
    shown = run_baton(env, tmp_path, "settings", "show").stdout
    assert "rule.silent.cycles=3" in shown  # nothing of the refused change was applied
    ran = run_baton(env, tmp_path, "rituals", "run", "escalations", "--at", "2026-11-23T10:30")
    assert ran.returncode == 0 and "escalations 2026-W48: 0 opened" in ran.stdout
