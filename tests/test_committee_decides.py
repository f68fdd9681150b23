"""A committee that decides: the agenda lists each initiative once with its pre-read and buttons, and
signed clicks on it record the decision (one closes every escalation of the initiative), defer it to the
next committee (once, however many clicks) or open its status privately; who may act is checked again
on the server. After the committee's day, its decisions are posted once as minutes."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session, col, select

from bot.escalations import Opening, escalate_by_hand
from bot.escalations import open_escalations as open_escalations_of
from bot.rituals.committee import run_committee
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from bot.workspace import load_workspace
from storage.models import AuditLog, Decision, Escalation, Initiative, RaciAssignment, RaciLetter
from tests.conftest import LEADERSHIP_CHANNEL, ManualClock, RunningBaton, deliver
from tests.slack_requests import post_signed, view_submission_body, wait_for
from tests.test_escalation_ritual import T0, run
from tests.test_escalation_workflow import BOSS, OWNER, STRANGER, TITLE, decision_values, report, seed
from tests.test_prompt_actions import block_actions_body, button

FIRST_TUESDAY = datetime(2026, 12, 1, 9, tzinfo=UTC)  # 10:00 in Paris
END_OF_DAY = datetime(2026, 12, 1, 23, tzinfo=UTC)  # 00:00 on Wednesday in Paris


def escalated(session: Session, fake_slack: FakeSlack, baton: RunningBaton) -> Initiative:
    """One initiative with three open escalations: decision needed, at risk twice, and one by hand."""
    engine, settings = baton.deps.engine, baton.deps.settings
    initiative = seed(session, fake_slack, status="at_risk")
    ask = {"decision_needed": "Hire a contractor?", "decision_options": "A: hire now; B: wait for Q1"}
    session.add(report(initiative, "2026-W48", "at_risk", comment="Vendor <late> again", **ask))
    session.commit()
    run(engine, settings, fake_slack, T0 + timedelta(hours=2))
    for user, reason in ((OWNER, "The vendor slipped"), (BOSS, "Budget <frozen>")):  # the 2nd adds a reason
        escalate_by_hand(
            session,
            initiative=initiative,
            reason=reason,
            user=user,
            workspace=load_workspace(session, settings),
            cycle="2026-W49",
            channel=LEADERSHIP_CHANNEL,
            now=datetime(2026, 11, 30, 12, tzinfo=UTC),
        )
    session.commit()
    deliver(engine, fake_slack, lambda: datetime(2026, 11, 30, 12, tzinfo=UTC))
    assert len(open_escalations(session)) == 3
    return initiative


def open_escalations(session: Session) -> list[Escalation]:
    session.expire_all()
    return list(session.exec(select(Escalation).where(col(Escalation.open_key).is_not(None))))


def committee_at(baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, now: datetime) -> list[str]:
    clock.now = now
    outcomes = run_committee(baton.deps.engine, now=now, settings=baton.deps.settings)
    deliver(baton.deps.engine, fake_slack, clock)
    return [f"{outcome.cycle} {outcome.state}" for outcome in outcomes]


def minutes_at(baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, now: datetime) -> list[str]:
    """What the committee ritual did about the minutes at `now`."""
    return [done for done in committee_at(baton, fake_slack, clock, now) if "minutes" in done]


def agenda_now(fake_slack: FakeSlack) -> dict[str, Any]:
    """The agenda as the channel shows it now (chat.update applied)."""
    return next(m for m in fake_slack.messages(LEADERSHIP_CHANNEL) if m["text"].startswith("Arbitration"))


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def action_ids(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def click(
    baton: RunningBaton, fake_slack: FakeSlack, prefix: str, initiative: Initiative, user: str, **message: Any
) -> httpx.Response:
    agenda = {**agenda_now(fake_slack), **message}
    action = button(agenda, f"{prefix}{initiative.id}")
    return post_signed(baton.url, block_actions_body(agenda, action, user, fake_slack.response_url()))


def answer_to(fake_slack: FakeSlack, before: int) -> dict[str, Any]:
    return wait_for(lambda: fake_slack.responses[before:])[-1]


def test_the_agenda_lists_each_initiative_once_with_its_pre_read_and_buttons(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    initiative = escalated(session, fake_slack, baton)
    assert committee_at(baton, fake_slack, clock, FIRST_TUESDAY + timedelta(minutes=1)) == ["2026-12 queued"]
    agenda = agenda_now(fake_slack)
    text = shown(agenda)
    assert "Tuesday 1 December 2026 at 10:00 (Europe/Paris)" in text
    assert text.count(TITLE) == 1 and "*1 initiative(s) to arbitrate*" in text
    # every reason, the weightiest first, in the one item
    assert text.index("Decision needed") < text.index("Escalated by hand") < text.index("At risk week after")
    assert f"<@{OWNER}> wrote: The vendor slipped" in text and f"<@{BOSS}>: Budget &lt;frozen&gt;" in text
    # the pre-read: the last check-ins (status, KPI, comment escaped), the decision and its options
    assert "2026-W48" in text and "2026-W47" in text and "Vendor &lt;late&gt; again" in text
    assert "Hire a contractor?" in text and "A: hire now; B: wait for Q1" in text
    assert action_ids(agenda) == [
        f"{ids.COMMITTEE_DECIDE}{initiative.id}",
        f"{ids.COMMITTEE_DEFER}{initiative.id}",
        f"{ids.COMMITTEE_STATUS}{initiative.id}",
    ]
    block_ids = [block["block_id"] for block in agenda["blocks"] if "block_id" in block]
    assert len(block_ids) == len(set(block_ids))


def test_defer_moves_every_escalation_to_the_next_committee_once_and_says_so_in_the_item(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    initiative = escalated(session, fake_slack, baton)
    committee_at(baton, fake_slack, clock, FIRST_TUESDAY + timedelta(minutes=1))
    before = len(fake_slack.responses)
    assert click(baton, fake_slack, ids.COMMITTEE_DEFER, initiative, STRANGER).status_code == 200
    refusal = answer_to(fake_slack, before)
    assert refusal["response_type"] == "ephemeral" and f"<@{BOSS}>" in refusal["text"]
    assert {e.scheduled_for for e in open_escalations(session)} == {None}

    before = len(fake_slack.responses)
    with ThreadPoolExecutor(2) as pool:  # a double click: both at once
        clicks = [pool.submit(click, baton, fake_slack, ids.COMMITTEE_DEFER, initiative, BOSS) for _ in "ab"]
        assert [c.result().status_code for c in clicks] == [200, 200]
    told = wait_for(lambda: len(fake_slack.responses) >= before + 2 and fake_slack.responses[before:])
    for answer in told:
        assert "Tuesday 5 January 2027" in answer["text"] and answer["response_type"] == "ephemeral"
    found = open_escalations(session)
    assert [(e.state, e.scheduled_for) for e in found] == [("scheduled", "2027-01")] * 3
    defers = session.exec(select(AuditLog).where(AuditLog.action == "escalation.defer")).all()
    assert len(defers) == 3 and {row.actor for row in defers} == {BOSS}  # one per escalation, not per click
    wait_for(lambda: "Deferred to the committee of Tuesday 5 January 2027" in shown(agenda_now(fake_slack)))
    assert f"{ids.COMMITTEE_DEFER}{initiative.id}" not in action_ids(agenda_now(fake_slack))
    # the January agenda has it again
    assert (
        committee_at(baton, fake_slack, clock, datetime(2027, 1, 5, 9, 1, tzinfo=UTC))[0] == "2027-01 queued"
    )
    [january] = [
        m
        for m in fake_slack.messages(LEADERSHIP_CHANNEL)
        if m["text"].startswith("Arbitration committee 2027-01")
    ]
    assert TITLE in shown(january) and f"{ids.COMMITTEE_DEFER}{initiative.id}" in action_ids(january)


def test_one_decision_closes_the_initiatives_escalations_and_the_minutes_post_it_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    initiative = escalated(session, fake_slack, baton)
    committee_at(baton, fake_slack, clock, FIRST_TUESDAY + timedelta(minutes=1))
    clock.now = FIRST_TUESDAY + timedelta(minutes=30)
    before = len(fake_slack.responses)
    click(baton, fake_slack, ids.COMMITTEE_DECIDE, initiative, STRANGER)
    assert f"<@{BOSS}>" in answer_to(fake_slack, before)["text"]
    assert fake_slack.calls_to("views.open") == []

    click(baton, fake_slack, ids.COMMITTEE_DECIDE, initiative, BOSS)
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    assert view["callback_id"] == ids.COMMITTEE_DECISION_MODAL
    assert "closes every open escalation" in shown(view)
    values = decision_values("Hire the contractor now", owner=OWNER, due="2026-12-15")
    assert post_signed(baton.url, view_submission_body(view, user=BOSS, values=values)).status_code == 200
    [decision] = wait_for(lambda: session.exec(select(Decision)).all())
    assert (decision.decision, decision.decided_by, decision.committee) == (
        "Hire the contractor now",
        BOSS,
        "2026-12",
    )
    assert open_escalations(session) == []
    session.expire_all()
    assert {e.state for e in session.exec(select(Escalation))} == {"decided"}
    # submitted again (a double click on Submit): refused in the modal, nothing recorded twice
    again = post_signed(baton.url, view_submission_body(view, user=BOSS, values=values))
    assert again.json()["response_action"] == "errors"
    assert len(session.exec(select(Decision)).all()) == 1
    wait_for(lambda: "Decided in this committee" in shown(agenda_now(fake_slack)))
    assert action_ids(agenda_now(fake_slack)) == [f"{ids.COMMITTEE_STATUS}{initiative.id}"]

    # the minutes: not before the day is over, then once, with who decided and the follow-up
    assert minutes_at(baton, fake_slack, clock, END_OF_DAY - timedelta(minutes=1)) == []
    assert minutes_at(baton, fake_slack, clock, END_OF_DAY + timedelta(minutes=1)) == [
        "2026-12:minutes queued"
    ]
    assert minutes_at(baton, fake_slack, clock, END_OF_DAY + timedelta(hours=3)) == ["2026-12:minutes sent"]
    minutes = [m for m in fake_slack.posts() if m["text"].startswith("Minutes")]
    assert len(minutes) == 1
    text = shown(minutes[0])
    assert "Hire the contractor now" in text and f"<@{BOSS}>" in text and f"<@{OWNER}>" in text
    assert "2026-12-15" in text and "Tuesday 1 December 2026" in text


def test_open_status_answers_privately_and_a_click_on_another_message_changes_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    initiative = escalated(session, fake_slack, baton)
    committee_at(baton, fake_slack, clock, FIRST_TUESDAY + timedelta(minutes=1))
    before = len(fake_slack.responses)
    click(baton, fake_slack, ids.COMMITTEE_STATUS, initiative, STRANGER)
    status = answer_to(fake_slack, before)
    assert status["response_type"] == "ephemeral" and TITLE in json.dumps(status, ensure_ascii=False)
    assert status.get("replace_original") is False

    # the agenda's buttons, as if on the alert (a forged or stale container): refused, nothing moves
    alert = fake_slack.messages(LEADERSHIP_CHANNEL)[0]
    before = len(fake_slack.responses)
    click(baton, fake_slack, ids.COMMITTEE_DEFER, initiative, BOSS, ts=alert["ts"])
    assert "not a committee agenda" in answer_to(fake_slack, before)["text"]
    assert {e.scheduled_for for e in open_escalations(session)} == {None}


def test_a_committee_that_decided_nothing_posts_no_minutes(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    escalated(session, fake_slack, baton)
    committee_at(baton, fake_slack, clock, FIRST_TUESDAY + timedelta(minutes=1))
    assert minutes_at(baton, fake_slack, clock, END_OF_DAY + timedelta(minutes=1)) == []
    assert [m for m in fake_slack.posts() if m["text"].startswith("Minutes")] == []


def test_a_long_agenda_is_split_between_items_and_a_click_in_its_thread_rewrites_that_part(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    seed(session, fake_slack)  # the objective, the people
    objective_id = session.exec(select(Initiative)).one().objective_id
    initiatives = []
    for n in range(40):
        row = Initiative(
            objective_id=objective_id,
            title=f"Initiative {n:02d} " + "x" * 120,
            title_key=f"initiative {n:02d}",
            created_at=T0,
            updated_at=T0,
        )
        session.add(row)
        session.flush()
        session.add(RaciAssignment(initiative_id=row.id or 0, letter=RaciLetter.ACCOUNTABLE, user_id=BOSS))
        initiatives.append(row)
    session.commit()
    workspace = load_workspace(session, baton.deps.settings)
    openings = [Opening(row.id or 0, "manual", "y" * 900) for row in initiatives]
    open_escalations_of(
        session, openings, workspace=workspace, cycle="2026-W48", channel=LEADERSHIP_CHANNEL, now=T0
    )
    session.commit()
    committee_at(baton, fake_slack, clock, FIRST_TUESDAY + timedelta(minutes=1))
    parts = [m for m in fake_slack.messages(LEADERSHIP_CHANNEL) if m["text"].startswith("Arbitration")]
    assert len(parts) > 2
    for part in parts:  # each item whole in one part: its three blocks together, ids unique
        block_ids = [b["block_id"] for b in part["blocks"] if "block_id" in b]
        assert len(block_ids) == len(set(block_ids)) and len(part["blocks"]) <= 50
        items = {b.rsplit(":", 1)[1] for b in block_ids if b.startswith("committee_")}
        for item in items:
            assert {
                f"{p}{item}" for p in ("committee_item:", "committee_preread:", "committee_actions:")
            } <= set(block_ids)
    last = parts[-1]
    target = next(
        b["block_id"] for b in last["blocks"] if b.get("block_id", "").startswith("committee_actions:")
    )
    initiative = session.get_one(Initiative, int(target.rsplit(":", 1)[1]))
    before = len(fake_slack.responses)
    agenda = {**last}
    action = button(agenda, f"{ids.COMMITTEE_DEFER}{initiative.id}")
    post_signed(baton.url, block_actions_body(agenda, action, BOSS, fake_slack.response_url()))
    assert "January 2027" in answer_to(fake_slack, before)["text"]

    def part_now() -> dict[str, Any]:
        return next(m for m in fake_slack.messages(LEADERSHIP_CHANNEL) if m["ts"] == last["ts"])

    wait_for(lambda: "Deferred to the committee" in shown(part_now()))
    assert part_now()["thread_ts"] == parts[0]["ts"]  # the reply in the thread was rewritten, in place

    def about(block: dict[str, Any]) -> str:
        return str(block.get("block_id", "")).rpartition(":")[2].partition("~")[0]

    rewritten = [b["block_id"] for b in part_now()["blocks"] if about(b) == str(initiative.id)]
    assert len(rewritten) == 3 and all(b.endswith("~1") for b in rewritten)  # a new block_id per iteration
    untouched = [b for b in part_now()["blocks"] if about(b) != str(initiative.id)]
    assert untouched == [b for b in last["blocks"] if about(b) != str(initiative.id)]
