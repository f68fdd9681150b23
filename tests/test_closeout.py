"""The quarter's close-out, as Slack drives it: the review posted after the quarter offers it to the
strategy office; each submission records one initiative (achieved, carried over or dropped, with a reason)
once, tells the review's thread and shows the next; a carried-over initiative continues in the next quarter
with its history, and next quarter's roadmap import finds it instead of making a second one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap
from bot.portfolio.closeout import Outcome, Refused, close_out, history_with_earlier
from bot.rituals.review import quarter_review, run_review
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from bot.views.blocks import MAX_BLOCKS_VIEW, MAX_OPTIONS
from bot.views.review import closeout_modal
from storage.models import (
    AuditLog,
    Decision,
    Escalation,
    EscalationState,
    Initiative,
    Objective,
    RaciAssignment,
    RaciLetter,
)
from tests.conftest import ADMIN, LEADERSHIP_CHANNEL, ManualClock, RunningBaton, deliver
from tests.slack_requests import post_signed, view_submission_body, wait_for
from tests.test_escalation_workflow import BOSS, OWNER, STRANGER, TITLE, report, seed
from tests.test_prompt_actions import block_actions_body, button

NEXT_QUARTER = datetime(2027, 1, 1, 8, tzinfo=UTC)  # 09:00 in Paris on 1 January: the review is due


def quarter_with_history(session: Session, fake_slack: FakeSlack) -> Initiative:
    initiative = seed(session, fake_slack, status="on_track")
    session.add(report(initiative, "2026-W45", "on_track", kpi_value=40.0))
    session.add(report(initiative, "2026-W50", "at_risk", kpi_value=70.0))
    session.commit()
    return initiative


def posted_review(engine: Engine, settings: Settings, fake_slack: FakeSlack) -> dict[str, Any]:
    run_review(engine, now=NEXT_QUARTER, settings=settings)
    deliver(engine, fake_slack, lambda: NEXT_QUARTER)
    [review] = [p for p in fake_slack.posts() if p["channel"] == LEADERSHIP_CHANNEL and "review" in p["text"]]
    return review


def values(initiative_id: int, outcome: str, reason: str) -> dict[str, dict[str, Any]]:
    return {
        ids.CLOSEOUT_INITIATIVE_BLOCK: {
            ids.CLOSEOUT_INITIATIVE_ACTION: {
                "type": "static_select",
                "selected_option": {"value": str(initiative_id)},
            }
        },
        ids.CLOSEOUT_OUTCOME_BLOCK: {
            ids.CLOSEOUT_OUTCOME_ACTION: {"type": "radio_buttons", "selected_option": {"value": outcome}}
        },
        ids.CLOSEOUT_REASON_BLOCK: {
            ids.CLOSEOUT_REASON_ACTION: {"type": "plain_text_input", "value": reason}
        },
    }


def closeouts(session: Session) -> list[Decision]:
    session.expire_all()
    return list(session.exec(select(Decision).where(col(Decision.outcome).is_not(None))))


def test_an_admin_carries_an_initiative_over_from_the_review_once_and_its_history_follows(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    engine, settings = baton.deps.engine, baton.deps.settings
    clock.now = NEXT_QUARTER + timedelta(hours=2)
    old = quarter_with_history(session, fake_slack)
    session.add(  # left open at the quarter's end: it waited for the close-out
        Escalation(
            initiative_id=old.id or 0,
            rule="at_risk_streak",
            open_key=f"{old.id}:at_risk_streak",
            cycle="2026-W50",
            opened_at=NEXT_QUARTER,
            updated_at=NEXT_QUARTER,
            sla_deadline=NEXT_QUARTER,
        )
    )
    session.commit()
    review = posted_review(engine, settings, fake_slack)
    shown = json.dumps(review["blocks"], ensure_ascii=False)
    assert "Partly achieved" not in shown and "*Achieved* (score 0.7 or more) · 1" in shown  # 0.70: green
    assert "One dot per week, 2026-W40 → 2026-W53" in shown and ":white_circle: no update" in shown

    # someone else is refused, privately, and no modal opens
    refused = block_actions_body(
        review, button(review, ids.CLOSEOUT_OPEN), STRANGER, fake_slack.response_url()
    )
    assert post_signed(baton.url, refused).status_code == 200
    assert "Only the strategy office" in wait_for(lambda: fake_slack.responses)[-1]["text"]
    assert fake_slack.calls_to("views.open") == []

    # an admin opens it: one initiative at a time, the outcome suggested by its grade
    opened = block_actions_body(review, button(review, ids.CLOSEOUT_OPEN), ADMIN, fake_slack.response_url())
    assert post_signed(baton.url, opened).status_code == 200
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    assert view["callback_id"] == ids.CLOSEOUT_MODAL
    [select_block] = [b for b in view["blocks"] if b.get("block_id") == ids.CLOSEOUT_INITIATIVE_BLOCK]
    assert select_block["element"]["initial_option"]["value"] == str(old.id)
    [outcome_block] = [b for b in view["blocks"] if b.get("block_id") == ids.CLOSEOUT_OUTCOME_BLOCK]
    assert outcome_block["element"]["initial_option"]["value"] == "achieved"

    # a stranger who forges the submission is refused in the modal: nothing is written
    forged = post_signed(
        baton.url, view_submission_body(view, user=STRANGER, values=values(old.id or 0, "dropped", "x"))
    )
    assert forged.json()["response_action"] == "errors" and closeouts(session) == []
    empty = post_signed(
        baton.url, view_submission_body(view, user=ADMIN, values=values(old.id or 0, "dropped", " "))
    )
    assert ids.CLOSEOUT_REASON_BLOCK in empty.json()["errors"] and closeouts(session) == []

    # carried over: a double click (two submissions, each its own request) records once
    chosen = values(old.id or 0, "carried_over", "Vendor late; <finish> in Q1")
    first = post_signed(baton.url, view_submission_body(view, user=ADMIN, values=chosen))
    assert first.json()["response_action"] == "update"
    assert "Every initiative of 2026-Q4 is closed out." in json.dumps(first.json()["view"])
    twice = post_signed(baton.url, view_submission_body(view, user=ADMIN, values=chosen))
    assert twice.json()["errors"] == {
        ids.CLOSEOUT_INITIATIVE_BLOCK: "That initiative was closed out already."
    }
    [decision] = closeouts(session)
    assert (decision.outcome, decision.rationale, decision.decided_by) == (
        "carried_over",
        "Vendor late; <finish> in Q1",
        ADMIN,
    )

    # the next quarter's initiative: same title, target and RACI, from the value reached, linked back
    [new] = session.exec(select(Initiative).where(Initiative.carried_from_id == old.id)).all()
    objective = session.get(Objective, new.objective_id)
    assert objective is not None and objective.quarter == "2027-Q1" and objective.title == "Operations"
    assert (new.title, new.kpi_baseline, new.kpi_target, new.kpi_current) == (TITLE, 70.0, 100.0, 70.0)
    raci = {
        (a.letter, a.user_id)
        for a in session.exec(select(RaciAssignment).where(RaciAssignment.initiative_id == new.id))
    }
    assert raci == {(RaciLetter.RESPONSIBLE, OWNER), (RaciLetter.ACCOUNTABLE, BOSS)}
    assert [c.cycle for c in history_with_earlier(session, new.id or 0)] == [
        "2026-W50",
        "2026-W47",
        "2026-W45",
    ]
    [escalation] = session.exec(select(Escalation)).all()
    assert (escalation.state, escalation.open_key) == (EscalationState.RESOLVED, None)
    assert "initiative.closeout" in {row.action for row in session.exec(select(AuditLog))}

    # told in the review's thread, escaped; the review's data carries the decision
    reply = wait_for(lambda: [p for p in fake_slack.posts() if p.get("thread_ts") == review["ts"]])[-1]
    told = json.dumps(reply["blocks"], ensure_ascii=False)
    assert f"<@{ADMIN}> closed out *{TITLE}*: *Carried over* to 2027-Q1" in told and "&lt;finish&gt;" in told
    [item] = quarter_review(session, "2026-Q4")
    assert item.closeout is not None and item.closeout.outcome == "carried_over"


def test_achieved_and_dropped_set_the_status_and_the_quarter_must_be_over(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    old = quarter_with_history(session, fake_slack)
    try:
        close_out(
            session,
            quarter="2026-Q4",
            today_quarter="2026-Q4",
            initiative_id=old.id or 0,
            outcome=Outcome.ACHIEVED,
            reason="done",
            actor=ADMIN,
            now=NEXT_QUARTER,
        )
    except Refused as refused:
        assert refused.key == "closeout.error.not_over"
    else:
        raise AssertionError("closed out before the quarter ended")
    assert closeouts(session) == []
    for outcome, status in ((Outcome.ACHIEVED, "done"), (Outcome.DROPPED, "dropped")):
        initiative = Initiative(
            objective_id=old.objective_id,
            title=f"Other {outcome}",
            title_key=f"other {outcome}",
            created_at=NEXT_QUARTER,
            updated_at=NEXT_QUARTER,
        )
        session.add(initiative)
        session.flush()
        recorded = close_out(
            session,
            quarter="2026-Q4",
            today_quarter="2027-Q1",
            initiative_id=initiative.id or 0,
            outcome=outcome,
            reason="  said   why ",
            actor=ADMIN,
            now=NEXT_QUARTER,
        )
        assert (recorded.initiative.status, recorded.reason, recorded.carried_to) == (
            status,
            "said why",
            None,
        )
    session.commit()
    assert session.exec(select(Objective).where(Objective.quarter == "2027-Q1")).all() == []


def test_next_quarters_roadmap_import_finds_the_carried_over_initiative(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    old = quarter_with_history(session, fake_slack)
    recorded = close_out(
        session,
        quarter="2026-Q4",
        today_quarter="2027-Q1",
        initiative_id=old.id or 0,
        outcome=Outcome.CARRIED_OVER,
        reason="not finished",
        actor=ADMIN,
        now=NEXT_QUARTER,
    )
    session.commit()
    carried = recorded.carried_to
    assert carried is not None
    roadmap = (
        "| Initiative | Objective | KPI | Owner |\n|---|---|---|---|\n"
        f"| {TITLE} | Finish the rollout | Adoption | <@{OWNER}> |\n"
        f"| New thing | Finish the rollout | Usage | <@{OWNER}> |\n"
    )
    result = import_roadmap(session, parse_roadmap(roadmap), quarter="2027-Q1", actor="cli", now=NEXT_QUARTER)
    session.commit()
    assert result.created == ["New thing"] and result.updated == [TITLE]
    [again] = session.exec(
        select(Initiative).where(Initiative.title == TITLE, col(Initiative.id) != old.id)
    ).all()
    assert again.id == carried.id and again.carried_from_id == old.id
    assert (again.kpi_baseline, again.kpi_target) == (70.0, 100.0)  # the roadmap left them blank


def test_the_closeout_modal_fits_slacks_limits_with_many_initiatives(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    old = quarter_with_history(session, fake_slack)
    for number in range(150):
        session.add(
            Initiative(
                objective_id=old.objective_id,
                title=f"Initiative {number:03} " + "x" * 80,
                title_key=f"initiative {number:03}",
                created_at=NEXT_QUARTER,
                updated_at=NEXT_QUARTER,
            )
        )
    session.commit()
    items = quarter_review(session, "2026-Q4")
    view = closeout_modal("2026-Q4", "2027-Q1", items)
    assert len(view["blocks"]) <= MAX_BLOCKS_VIEW
    [select_block] = [b for b in view["blocks"] if b.get("block_id") == ids.CLOSEOUT_INITIATIVE_BLOCK]
    options = select_block["element"]["options"]
    assert len(options) == MAX_OPTIONS and all(len(o["text"]["text"]) <= 75 for o in options)
    assert options[0]["value"] == str(old.id)  # ranked: the scored one first
    assert "151" in json.dumps(view) and len(json.dumps(view)) < 100_000
