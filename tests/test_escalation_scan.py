"""What the escalation scan reads: a fixed number of statements whatever the portfolio's size, a window of
recent cycles (and still the true last answer of a long-silent initiative), KPI directions as stored, and
findings kept from one scan to the next only while nothing they depend on changed; and an alert that
changed while it was being posted is rewritten by the next scan. Opening escalations is batched too: the
first scan after a big import runs as many statements for 50 new alerts as for 5, in transactions of at
most `CHUNK`, and a key another replica took meanwhile gets no second escalation nor alert."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bench.digest import counted
from bot.config import Settings
from bot.delivery.sender import Sender, SenderConfig
from bot.domain.cycles import cycle_monday, cycle_of
from bot.domain.escalation import WINDOW
from bot.domain.ritual import RitualResult
from bot.escalations import Opening, act, alert_target, open_escalations, reescalate, settle_alerts
from bot.rituals import escalations as scan_module
from bot.rituals.escalations import run_escalations
from bot.sandbox.webapi import FakeSlack
from bot.slack import make_sender_client
from bot.workspace import workspace_of
from storage.db import session_scope
from storage.models import (
    AuditLog,
    Delivery,
    Escalation,
    Initiative,
    Objective,
    RaciAssignment,
    RaciLetter,
    Ritual,
    RitualRun,
    WorkspaceSettings,
)
from tests.conftest import LEADERSHIP_CHANNEL
from tests.test_escalation_workflow import BOSS, report, seed

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday of 2026-W48


def add_initiatives(
    session: Session,
    count: int,
    *,
    status: str = "off_track",
    cycle: str = "2026-W47",
    created: datetime = datetime(2026, 10, 5, 9, tzinfo=UTC),
) -> list[Initiative]:
    """`count` more initiatives of one objective, each reported `status` in `cycle`."""
    objective = Objective(title="Sales", title_key=f"sales {count}", quarter="2026-Q4", created_at=created)
    session.add(objective)
    session.flush()
    added = []
    for number in range(count):
        initiative = Initiative(
            objective_id=objective.id or 0,
            title=f"Initiative {count}-{number}",
            title_key=f"initiative {count}-{number}",
            created_at=created,
            updated_at=created,
        )
        session.add(initiative)
        session.flush()
        session.add(report(initiative, cycle, status))
        added.append(initiative)
    session.commit()
    return added


def scan_counted(engine: Engine, now: datetime, settings: Settings) -> tuple[RitualResult, int]:
    """A scan and the statements it ran."""
    outcome, statements, _ = counted(engine, lambda: run_escalations(engine, now=now, settings=settings))
    return outcome, statements


def test_a_scan_that_finds_nothing_new_runs_the_same_statements_at_any_size(
    engine: Engine, settings: Settings, session: Session
) -> None:
    add_initiatives(session, 2)
    assert run_escalations(engine, now=T0, settings=settings).opened == 2
    small_outcome, small = scan_counted(engine, T0 + timedelta(seconds=30), settings)
    add_initiatives(session, 20)
    assert run_escalations(engine, now=T0 + timedelta(minutes=1), settings=settings).opened == 20
    large_outcome, large = scan_counted(engine, T0 + timedelta(minutes=2), settings)
    assert (small_outcome.opened, large_outcome.opened, large_outcome.updated) == (0, 0, 0)
    assert small == large


def test_a_rule_switched_off_between_two_scans_closes_its_escalation(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    seed(session, fake_slack)
    assert run_escalations(engine, now=T0, settings=settings).opened == 1
    assert run_escalations(engine, now=T0 + timedelta(seconds=30), settings=settings).closed == 0
    # nothing in the initiative's history changed: only the settings did, and the scan sees it
    session.add(WorkspaceSettings(escalation_rules={"off_track": {"enabled": False}}))
    session.commit()
    assert run_escalations(engine, now=T0 + timedelta(minutes=1), settings=settings).closed == 1


def test_a_kpi_read_back_from_the_database_is_judged_in_its_direction(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    """Up from 0 % towards 100 % by the end of December, at one point a week: the trend falls short."""
    initiative = seed(session, fake_slack, status="on_track")
    initiative.due_date = date(2026, 12, 31)
    for week, value in ((44, 1.0), (45, 2.0), (46, 3.0), (47, 4.0)):
        session.add(report(initiative, f"2026-W{week}", "on_track", kpi_value=value))
    session.commit()
    session.expunge_all()  # the scan reads the direction as stored, a plain string
    assert run_escalations(engine, now=T0, settings=settings).opened == 1
    [escalation] = session.exec(select(Escalation)).all()
    assert (
        escalation.rule == "projection_miss"
        and "reaches 10.43 % by 2026-12-31, short of its target of 100 %" in escalation.reason
    )


def test_a_silence_longer_than_the_window_still_names_the_last_answer(
    engine: Engine, settings: Settings, session: Session
) -> None:
    add_initiatives(session, 1, status="on_track", cycle="2026-W02", created=datetime(2026, 1, 5, tzinfo=UTC))
    first_read = cycle_of(cycle_monday("2026-W48") - timedelta(weeks=WINDOW))
    assert first_read > "2026-W02"  # the answer is older than what the scan reads of the history
    assert run_escalations(engine, now=T0, settings=settings).opened == 1
    [escalation] = session.exec(select(Escalation)).all()
    assert escalation.rule == "silent"
    assert escalation.reason == "No update for 45 cycles (the last one was for 2026-W02)."


@pytest.mark.parametrize(("state", "opened"), [("skipped", 0), ("sent", 1)], ids=["away", "asked"])
def test_silence_counts_only_the_weeks_the_owner_was_asked(
    engine: Engine, settings: Settings, session: Session, state: str, opened: int
) -> None:
    """Last answer in W45; the W46 and W47 prompts were skipped (out of office), or sent and unanswered."""
    [initiative] = add_initiatives(session, 1, status="on_track", cycle="2026-W45")
    owner = "U0OWNER001"
    session.add(
        RaciAssignment(initiative_id=initiative.id or 0, letter=RaciLetter.RESPONSIBLE, user_id=owner)
    )
    for cycle in ("2026-W46", "2026-W47"):
        due = datetime.combine(cycle_monday(cycle), datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
        error = "out of office" if state == "skipped" else None
        session.add(
            RitualRun(
                ritual=Ritual.PROMPT,
                cycle=cycle,
                target=owner,
                state=state,
                error=error,
                due_at=due,
                claimed_at=due,
            )
        )
    session.commit()
    result = run_escalations(engine, now=T0, settings=settings)
    assert result.opened == opened
    assert [e.rule for e in session.exec(select(Escalation))] == ["silent"] * opened


def test_a_change_made_while_the_alert_is_being_posted_waits_for_the_post_then_edits_it(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    seed(session, fake_slack)
    assert run_escalations(engine, now=T0, settings=settings).opened == 1
    client = make_sender_client(settings)
    sender = Sender(engine, client, lambda: T0 + timedelta(seconds=2), SenderConfig(channel_interval=0))
    [(post, _)] = sender._claim(1)  # a sender has the alert in hand: too late to change what it posts
    [escalation] = session.exec(select(Escalation)).all()
    acknowledged = T0 + timedelta(seconds=1)
    assert (
        act(
            engine,
            settings,
            client,
            workspace=workspace_of(engine, settings),
            action="acknowledge",
            escalation_id=escalation.id or 0,
            user=BOSS,
            where=None,
            now=acknowledged,
        )
        is None
    )
    session.expire_all()
    _, update = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
    assert (update.method, update.parent_id) == ("chat.update", post.id)  # waits for the post's ts
    sender._send(post, False)  # ... the alert goes out as it was when claimed, unacknowledged
    assert sender.drain().sent == 1  # then the update edits it: no scan needed
    [alert] = fake_slack.messages(LEADERSHIP_CHANNEL)
    assert f"Acknowledged by <@{BOSS}>" in str(alert["blocks"])
    assert fake_slack.calls_to("chat.update")[0]["ts"] == alert["ts"]
    assert run_escalations(engine, now=T0 + timedelta(seconds=30), settings=settings).updated == 0
    session.expire_all()
    assert session.get_one(Escalation, escalation.id).message_ts == alert["ts"]  # settled by the scan
    assert len(session.exec(select(Delivery)).all()) == 2


def alerts_by_escalation(session: Session) -> dict[int, list[Delivery]]:
    """The queued alert posts, by the escalation their claim names."""
    session.expire_all()
    targets = {alert_target(e.id): e.id or 0 for e in session.exec(select(Escalation))}
    alerts: dict[int, list[Delivery]] = {escalation_id: [] for escalation_id in targets.values()}
    posts = session.exec(
        select(RitualRun.target, Delivery).join(Delivery, col(Delivery.ritual_run_id) == RitualRun.id)
    )
    for target, post in posts:
        alerts[targets[target]].append(post)
    return alerts


def test_the_first_scan_opens_ten_times_more_escalations_in_the_same_statements(
    engine: Engine, settings: Settings, session: Session
) -> None:
    add_initiatives(session, 5)
    few, few_statements = scan_counted(engine, T0, settings)
    Sender(engine, make_sender_client(settings), lambda: T0, SenderConfig(channel_interval=0)).drain_all()
    with session_scope(engine) as settling:  # their alerts went out: settled, each knows its message
        settle_alerts(settling)
    session.expire_all()
    assert all(e.message_ts for e in session.exec(select(Escalation)).all())
    add_initiatives(session, 50)
    many, many_statements = scan_counted(engine, T0 + timedelta(seconds=30), settings)
    assert (few.opened, many.opened, many.updated) == (5, 50, 0)
    assert few_statements == many_statements
    assert len(session.exec(select(Escalation)).all()) == 55


def test_escalations_opened_in_chunks_each_get_one_alert_of_their_own_and_one_audit_row(
    engine: Engine, settings: Settings, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_module, "CHUNK", 4)
    add_initiatives(session, 10)
    assert run_escalations(engine, now=T0, settings=settings).opened == 10
    escalations = {e.id or 0: e for e in session.exec(select(Escalation))}
    alerts = alerts_by_escalation(session)
    assert sorted(alerts) == sorted(escalations) and all(len(posts) == 1 for posts in alerts.values())
    for escalation_id, [post] in alerts.items():
        title = session.get_one(Initiative, escalations[escalation_id].initiative_id).title
        assert post.payload["blocks"][0]["text"]["text"].endswith(title)  # its own alert, not a neighbour's
    audits = session.exec(select(AuditLog).where(AuditLog.action == "escalation.open")).all()
    assert sorted(int(a.entity_id or 0) for a in audits) == sorted(escalations)
    assert {a.details["rule"] for a in audits} == {"off_track"}
    assert run_escalations(engine, now=T0 + timedelta(seconds=30), settings=settings).opened == 0


def test_a_key_another_replica_took_meanwhile_gets_no_second_escalation_nor_alert(
    engine: Engine, session: Session, settings: Settings
) -> None:
    first, taken, last = add_initiatives(session, 3)
    workspace = workspace_of(engine, settings)

    def open_off_track(initiatives: list[Initiative], reason: str) -> list[int]:
        """Open in a transaction of its own: the initiatives whose escalation this call opened."""
        openings = [Opening(i.id or 0, "off_track", reason) for i in initiatives]
        with session_scope(engine) as replica:
            opened = open_escalations(
                replica, openings, workspace=workspace, cycle="2026-W48", channel=LEADERSHIP_CHANNEL, now=T0
            )
            return [escalation.initiative_id for escalation in opened]

    assert open_off_track([taken], "theirs") == [taken.id]  # the other replica, first
    assert open_off_track([last, taken, first], "ours") == [first.id, last.id]
    reasons = {e.initiative_id: e.reason for e in session.exec(select(Escalation))}
    assert reasons == {first.id: "ours", taken.id: "theirs", last.id: "ours"}
    assert all(len(posts) == 1 for posts in alerts_by_escalation(session).values())
    assert len(session.exec(select(Delivery)).all()) == 3
    assert len(session.exec(select(AuditLog).where(AuditLog.action == "escalation.open")).all()) == 3


def test_a_reescalation_while_the_alert_is_being_posted_replies_in_its_thread(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    seed(session, fake_slack)
    assert run_escalations(engine, now=T0, settings=settings).opened == 1
    sender = Sender(engine, make_sender_client(settings), lambda: T0, SenderConfig(channel_interval=0))
    [(post, _)] = sender._claim(1)  # the alert is in flight: its ts is not known yet
    [escalation] = session.exec(select(Escalation)).all()
    assert reescalate(
        engine, escalation.id or 0, level=1, sla=timedelta(hours=48), contact=None, lang="en", now=T0
    )
    sender._send(post, False)
    sender.drain()
    alert, reply = fake_slack.messages(LEADERSHIP_CHANNEL)
    assert alert["thread_ts"] is None and reply["thread_ts"] == alert["ts"]  # in the thread, not beside it
    assert f"<@{BOSS}>" in reply["text"]
