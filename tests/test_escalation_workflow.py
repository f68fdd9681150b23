"""The escalation workflow as Slack drives it: the scan opens one alert in the leadership channel, and
signed block_actions and view_submission requests acknowledge it and record a decision, which the owner
receives and `/okr decisions` lists; the alert is rewritten in place all along."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain.cycles import cycle_monday
from bot.rituals.escalations import run_escalations
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from storage.models import (
    AuditLog,
    CheckIn,
    CheckInSource,
    Decision,
    Delivery,
    DeliveryState,
    Escalation,
    Initiative,
    Objective,
    RaciAssignment,
    RaciLetter,
    Status,
)
from tests.conftest import ADMIN, LEADERSHIP_CHANNEL, ManualClock, RunningBaton
from tests.slack_requests import post_signed, slash_command_body, view_submission_body, wait_for
from tests.test_prompt_actions import block_actions_body, button

OWNER = "U0OWNER01"  # R
BOSS = "U0BOSS001"  # A
STRANGER = "U0OTHER01"
TITLE = "Déploiement ERP phase 2"


def seed(session: Session, fake_slack: FakeSlack, *, status: str = "off_track") -> Initiative:
    """One initiative, R = OWNER and A = BOSS, that its owner reported `status` last week (2026-W47)."""
    created = datetime(2026, 11, 9, 9, tzinfo=UTC)
    objective = Objective(title="Operations", title_key="operations", quarter="2026-Q4", created_at=created)
    session.add(objective)
    session.flush()
    initiative = Initiative(
        objective_id=objective.id or 0,
        title=TITLE,
        title_key="deploiement erp phase 2",
        kpi_name="Adoption",
        kpi_unit="%",
        kpi_baseline=0.0,
        kpi_target=100.0,
        created_at=created,
        updated_at=created,
    )
    session.add(initiative)
    session.flush()
    session.add(
        RaciAssignment(initiative_id=initiative.id or 0, letter=RaciLetter.RESPONSIBLE, user_id=OWNER)
    )
    session.add(RaciAssignment(initiative_id=initiative.id or 0, letter=RaciLetter.ACCOUNTABLE, user_id=BOSS))
    session.add(report(initiative, "2026-W47", status))
    session.commit()
    for user in (OWNER, BOSS, STRANGER):
        fake_slack.add_user(user, name=user, tz="Europe/Paris")
    return initiative


def report(initiative: Initiative, cycle: str, status: str, **fields: Any) -> CheckIn:
    monday = cycle_monday(cycle)
    return CheckIn(
        initiative_id=initiative.id or 0,
        cycle=cycle,
        author=OWNER,
        status=Status(status),
        source=CheckInSource.MODAL,
        submitted_at=datetime(monday.year, monday.month, monday.day, 10, tzinfo=UTC),
        **fields,
    )


def scan(engine: Engine, settings: Settings, now: datetime) -> Any:
    return run_escalations(engine, now=now, settings=settings)


def leadership_posts(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return [p for p in fake_slack.posts() if p["channel"] == LEADERSHIP_CHANNEL]


def alert_now(fake_slack: FakeSlack) -> dict[str, Any]:
    """The alert as the channel shows it now (chat.update applied)."""
    return fake_slack.messages(LEADERSHIP_CHANNEL)[0]


def action_ids(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def click(
    baton: RunningBaton,
    fake_slack: FakeSlack,
    action_id: str,
    user: str,
    message: dict[str, Any] | None = None,
) -> httpx.Response:
    """A click on the alert as the channel shows it now (or on an older copy of it, `message`)."""
    message = message or alert_now(fake_slack)
    action = button(message, action_id)
    return post_signed(baton.url, block_actions_body(message, action, user, fake_slack.response_url()))


def escalations(session: Session) -> list[Escalation]:
    session.expire_all()
    return list(session.exec(select(Escalation).order_by(col(Escalation.id))))


def decision_values(
    decision: str | None, *, owner: str | None = None, due: str | None = None
) -> dict[str, dict[str, Any]]:
    return {
        ids.ESC_DECISION_BLOCK: {ids.ESC_DECISION_ACTION: {"type": "plain_text_input", "value": decision}},
        ids.ESC_RATIONALE_BLOCK: {
            ids.ESC_RATIONALE_ACTION: {"type": "plain_text_input", "value": "The vendor needs <4 weeks>"}
        },
        ids.ESC_OWNER_BLOCK: {ids.ESC_OWNER_ACTION: {"type": "users_select", "selected_user": owner}},
        ids.ESC_DUE_BLOCK: {ids.ESC_DUE_ACTION: {"type": "datepicker", "selected_date": due}},
    }


def test_off_track_raises_one_alert_acknowledged_then_decided_and_the_owner_is_told(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    engine, settings = baton.deps.engine, baton.deps.settings
    initiative = seed(session, fake_slack)
    assert scan(engine, settings, clock()).opened == 1
    baton.deps.outbox_ready.set()
    [alert] = wait_for(lambda: leadership_posts(fake_slack))
    shown = json.dumps(alert["blocks"], ensure_ascii=False)
    assert TITLE in shown and "Off track" in shown and f"<@{OWNER}>" in shown and f"<@{BOSS}>" in shown
    assert action_ids(alert) == [ids.ESC_ACKNOWLEDGE, ids.ESC_SCHEDULE, ids.ESC_DECIDE, ids.ESC_RESOLVE]
    # the rule still holds: the scan runs again (every tick) and posts nothing more
    assert scan(engine, settings, clock() + timedelta(minutes=1)).opened == 0
    queued = session.exec(select(Delivery).where(col(Delivery.state) != DeliveryState.SENT)).all()
    assert queued == []  # nothing left to send: the one post is all there will be
    assert len(leadership_posts(fake_slack)) == 1 and len(escalations(session)) == 1

    # someone who is neither accountable nor admin is told who can
    assert click(baton, fake_slack, ids.ESC_ACKNOWLEDGE, STRANGER).status_code == 200
    refusal = wait_for(lambda: fake_slack.responses)[-1]
    assert refusal["response_type"] == "ephemeral" and f"<@{BOSS}>" in refusal["text"]
    assert escalations(session)[0].state == "open"

    # the accountable person acknowledges: recorded with who and when, the alert rewritten in place
    click(baton, fake_slack, ids.ESC_ACKNOWLEDGE, BOSS)
    wait_for(lambda: fake_slack.calls_to("chat.update"))
    [escalation] = escalations(session)
    assert (escalation.state, escalation.acknowledged_by, escalation.acknowledged_at) == (
        "acknowledged",
        BOSS,
        clock(),
    )
    wait_for(lambda: ids.ESC_ACKNOWLEDGE not in action_ids(alert_now(fake_slack)))
    assert f"Acknowledged by <@{BOSS}>" in json.dumps(alert_now(fake_slack)["blocks"])

    # Record decision: a modal; a follow-up due in the past is refused in the modal, nothing is written
    click(baton, fake_slack, ids.ESC_DECIDE, BOSS)
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    assert view["callback_id"] == ids.ESC_DECISION_MODAL
    past = decision_values("Extend", owner=OWNER, due="2026-11-01")
    refused = post_signed(baton.url, view_submission_body(view, user=BOSS, values=past))
    assert refused.json()["response_action"] == "errors" and ids.ESC_DUE_BLOCK in refused.json()["errors"]
    empty = post_signed(baton.url, view_submission_body(view, user=BOSS, values=decision_values("  ")))
    assert ids.ESC_DECISION_BLOCK in empty.json()["errors"]
    assert session.exec(select(Decision)).all() == []

    values = decision_values("Extend to Q1 with a contractor", owner=OWNER, due="2026-12-15")
    assert post_signed(baton.url, view_submission_body(view, user=BOSS, values=values)).status_code == 200
    [decision] = wait_for(lambda: session.exec(select(Decision)).all())
    assert (decision.decision, decision.decided_by, decision.follow_up_owner, decision.follow_up_due) == (
        "Extend to Q1 with a contractor",
        BOSS,
        OWNER,
        date(2026, 12, 15),
    )
    assert decision.initiative_id == initiative.id and decision.escalation_id == escalation.id
    [escalation] = escalations(session)
    assert (escalation.state, escalation.open_key, escalation.closed_by) == ("decided", None, BOSS)

    # the owner (R) and the accountable (A) get it by DM; the alert shows it, without buttons, in place
    for person in (OWNER, BOSS):
        dm = wait_for(partial(fake_slack.messages, person))
        text = json.dumps(dm[-1]["blocks"], ensure_ascii=False)
        assert "Extend to Q1 with a contractor" in text and "&lt;4 weeks&gt;" in text
    wait_for(lambda: "Decided by" in json.dumps(alert_now(fake_slack)["blocks"]))
    assert action_ids(alert_now(fake_slack)) == []
    assert len(leadership_posts(fake_slack)) == 1  # never a second alert

    # /okr decisions lists it
    before = len(fake_slack.responses)
    body = slash_command_body("decisions", user=STRANGER, response_url=fake_slack.response_url())
    assert post_signed(baton.url, body).status_code == 200
    log = wait_for(lambda: fake_slack.responses[before:])[-1]
    assert "Extend to Q1 with a contractor" in json.dumps(log, ensure_ascii=False)
    assert log["response_type"] == "ephemeral"

    # decided: the same situation (still off track) does not open a second escalation
    assert scan(engine, settings, clock() + timedelta(hours=1)).opened == 0
    assert len(escalations(session)) == 1
    actions = {row.action for row in session.exec(select(AuditLog))}
    assert {"escalation.open", "escalation.acknowledge", "decision.create"} <= actions


def test_schedule_puts_it_on_the_next_committee_and_resolve_closes_it(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    seed(session, fake_slack)
    scan(baton.deps.engine, baton.deps.settings, clock())
    baton.deps.outbox_ready.set()
    [stale] = wait_for(lambda: leadership_posts(fake_slack))  # a copy, as a slow client still shows it
    click(baton, fake_slack, ids.ESC_SCHEDULE, ADMIN)  # an admin may act too
    wait_for(lambda: escalations(session)[0].state == "scheduled")
    [escalation] = escalations(session)
    assert (escalation.scheduled_for, escalation.acknowledged_by) == ("2026-12", ADMIN)  # 1st Tuesday of Dec
    wait_for(lambda: action_ids(alert_now(fake_slack)) == [ids.ESC_DECIDE, ids.ESC_RESOLVE])
    assert "2026-12" in json.dumps(alert_now(fake_slack)["blocks"])
    click(baton, fake_slack, ids.ESC_RESOLVE, BOSS)
    wait_for(lambda: escalations(session)[0].state == "resolved")
    assert escalations(session)[0].open_key is None
    wait_for(lambda: action_ids(alert_now(fake_slack)) == [])
    assert len(leadership_posts(fake_slack)) == 1
    click(baton, fake_slack, ids.ESC_ACKNOWLEDGE, BOSS, message=stale)  # a click on the old buttons
    assert "already resolved" in wait_for(lambda: fake_slack.responses)[-1]["text"]
    assert escalations(session)[0].state == "resolved"


def test_okr_escalate_opens_a_manual_alert_once_and_adds_later_reasons(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    seed(session, fake_slack, status="on_track")

    def slash(text: str, user: str = OWNER) -> dict[str, Any]:
        before = len(fake_slack.responses)
        body = slash_command_body(text, user=user, response_url=fake_slack.response_url())
        assert post_signed(baton.url, body).status_code == 200
        return wait_for(lambda: fake_slack.responses[before:])[-1]

    assert "Which initiative" in slash("escalate erp")["text"]  # no reason
    assert "No initiative matches" in slash("escalate nothing-like-it the sky is falling")["text"]
    assert "Only the people responsible" in slash("escalate erp vendor slipped", user=STRANGER)["text"]
    answer = slash("escalate ERP the vendor slipped by <!channel> two months")
    assert TITLE in answer["text"] and answer["response_type"] == "ephemeral"
    [escalation] = escalations(session)
    assert (escalation.rule, escalation.opened_by, escalation.reason) == (
        "manual",
        OWNER,
        "the vendor slipped by <!channel> two months",
    )
    baton.deps.outbox_ready.set()
    [alert] = wait_for(lambda: leadership_posts(fake_slack))
    assert "&lt;!channel&gt;" in json.dumps(alert["blocks"]) and "<!channel>" not in json.dumps(
        alert["blocks"]
    )
    assert "already escalated" in slash("escalate erp and the budget too")["text"]
    assert (
        len(escalations(session)) == 1
        and escalations(session)[0].more_reasons[0]["reason"] == "and the budget too"
    )
    wait_for(lambda: "the budget too" in json.dumps(alert_now(fake_slack)["blocks"]))
    assert len(leadership_posts(fake_slack)) == 1
    # a rule that no longer holds never closes a manual escalation
    scan(baton.deps.engine, baton.deps.settings, clock())
    assert escalations(session)[0].state == "open"
