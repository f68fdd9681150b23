"""User text that tries to ping everyone or forge a link reaches no one through the escalation surfaces:
the alerts (blocks and notification text), the `/okr escalate` replies and refusals, the decision modal and
DM, `/okr decisions`, the committee agenda and the quarterly review. The text comes from an initiative's
title, a check-in's decision needed and options, an escalation reason and a decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlmodel import Session, select

from bot.rituals.committee import run_committee
from bot.rituals.review import run_review
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from storage.models import Decision, EscalationState
from tests.conftest import LEADERSHIP_CHANNEL, ManualClock, RunningBaton
from tests.slack_requests import post_signed, view_submission_body, wait_for
from tests.test_committee import posts_about, ritual_at
from tests.test_escalation_workflow import (
    BOSS,
    OWNER,
    STRANGER,
    click,
    decision_values,
    escalations,
    leadership_posts,
    report,
    scan,
    seed,
)
from tests.test_portfolio_commands import command
from tests.test_portfolio_escaping import HOSTILE
from tests.test_portfolio_escaping import assert_inert as assert_parsed_inert

FORGED = "<!channel> <https://evil.example|click>"


def parsed(node: Any) -> Any:
    """`node` without its plain-text objects (a header, a modal's title): Slack shows those as typed and
    parses neither mentions nor links there, so they are not escaped (that would show `&lt;`)."""
    if isinstance(node, dict):
        return {key: parsed(value) for key, value in node.items() if not is_plain(value)}
    if isinstance(node, list):
        return [parsed(item) for item in node if not is_plain(item)]
    return node


def is_plain(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "plain_text"


def assert_inert(surface: str, node: Any) -> None:
    """Every text Slack parses for mentions and links (mrkdwn, a message's notification text) is inert."""
    assert_parsed_inert(surface, parsed(node))


def test_hostile_text_is_inert_on_every_escalation_surface(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    engine, settings = baton.deps.engine, baton.deps.settings
    initiative = seed(session, fake_slack, status="at_risk")
    initiative.title = f"ERP {HOSTILE}"
    session.add(report(initiative, "2026-W48", "at_risk", decision_needed=HOSTILE, decision_options=HOSTILE))
    session.commit()

    # the rules open "decision needed" and "at risk twice": both alerts, in blocks and text
    assert scan(engine, settings, clock()).opened == 2
    baton.deps.outbox_ready.set()
    for alert in wait_for(lambda: len(leadership_posts(fake_slack)) == 2 and leadership_posts(fake_slack)):
        assert_inert("a rule's alert", alert)

    # /okr escalate: its answers, and the manual alert with the reason, as first given and as added to
    first = command(baton, fake_slack, f"escalate ERP the vendor {FORGED} & {HOSTILE}", OWNER)
    assert "is escalated to leadership" in first["text"]
    assert_inert("/okr escalate", first)
    clock.now += timedelta(seconds=1)
    assert_inert("/okr escalate again", command(baton, fake_slack, f"escalate ERP also {HOSTILE}", OWNER))
    assert_inert("/okr escalate refused", command(baton, fake_slack, "escalate ERP no", STRANGER))
    not_found = command(baton, fake_slack, f"escalate {HOSTILE} it", OWNER)
    assert "No initiative" in not_found["text"]
    assert_inert("/okr escalate, nothing found", not_found)
    manual = wait_for(lambda: len(leadership_posts(fake_slack)) == 3 and leadership_posts(fake_slack)[2])
    assert_inert("the manual alert", manual)
    # the reason added while the alert's post may still be in flight shows without any scan
    wait_for(lambda: "also" in str(fake_slack.messages(LEADERSHIP_CHANNEL)[2]))
    assert_inert("the manual alert, with a reason added", fake_slack.messages(LEADERSHIP_CHANNEL)[2])
    # Baton's own mention of who added it stays a mention; only what they wrote is escaped
    assert f"Also raised by <@{OWNER}>: also &lt;" in str(fake_slack.messages(LEADERSHIP_CHANNEL)[2])

    # a stranger's click is refused by name; the accountable records a decision through the modal
    before = len(fake_slack.responses)
    click(baton, fake_slack, ids.ESC_ACKNOWLEDGE, STRANGER)
    assert_inert("the refusal of a click", wait_for(lambda: fake_slack.responses[before:])[-1])
    click(baton, fake_slack, ids.ESC_DECIDE, BOSS)
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    assert_inert("the decision modal", view)
    values = decision_values(HOSTILE, owner=OWNER)
    values[ids.ESC_RATIONALE_BLOCK][ids.ESC_RATIONALE_ACTION]["value"] = HOSTILE
    assert post_signed(baton.url, view_submission_body(view, user=BOSS, values=values)).status_code == 200
    wait_for(lambda: session.exec(select(Decision)).all())
    for person in (OWNER, BOSS):
        dm = wait_for(partial(fake_slack.messages, person))[-1]
        assert_inert(f"the decision DM to {person}", dm)
    wait_for(lambda: "Decided by" in str(fake_slack.messages(LEADERSHIP_CHANNEL)[0]))
    assert_inert("the decided alert", fake_slack.messages(LEADERSHIP_CHANNEL)[0])
    assert_inert("/okr decisions", command(baton, fake_slack, "decisions", STRANGER))
    assert_inert("/okr decisions, a bad quarter", command(baton, fake_slack, f"decisions {HOSTILE}", OWNER))
    assert [e.state for e in escalations(session)].count(EscalationState.OPEN) == 2

    # the committee's agenda (the open escalations) and the quarterly review (with the decision)
    rituals = [
        (run_committee, datetime(2026, 12, 1, 9, 5, tzinfo=UTC), "Arbitration"),
        (run_review, datetime(2027, 1, 1, 8, 5, tzinfo=UTC), "Quarterly"),
    ]
    for ritual, now, word in rituals:
        assert ritual_at(ritual, engine, settings, fake_slack)(now) == ["queued"]
        posted = posts_about(fake_slack, word)
        assert posted and "ERP" in str(posted)
        for message in posted:
            assert_inert(word, message)
