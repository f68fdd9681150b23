"""The alert, the decision modal, the decision log, the agenda and the review: within Slack's limits in
every language, user text escaped, long content split into the thread."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.domain.escalation import RULES, Facts, Finding, Rule
from bot.domain.portfolio import RaciMember
from bot.i18n import LANGUAGES
from bot.sandbox.blockkit import message_problem, view_problem
from bot.views import ids
from bot.views.blocks import MESSAGE_TEXT_BUDGET, text_size
from bot.views.checkin import InvalidForm
from bot.views.committee import AgendaItem, agenda_messages
from bot.views.escalation import (
    AlertData,
    alert_message,
    decision_modal,
    decisions_message,
    read_decision,
    reason_text,
)
from bot.views.review import ReviewItem, review_messages
from storage.models import CheckIn, CheckInSource, Decision, Escalation, Initiative, RaciLetter, Status

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
LONG = "<!channel> " + "x" * 5000


def initiative(number: int = 1, title: str = "Déploiement ERP phase 2") -> Initiative:
    return Initiative(
        id=number,
        objective_id=1,
        title=title,
        title_key=title.lower(),
        kpi_unit="%",
        kpi_baseline=0.0,
        kpi_target=100.0,
        created_at=NOW,
        updated_at=NOW,
    )


def escalation(state: str = "open", rule: str = "off_track", **fields: object) -> Escalation:
    values: dict = {
        "id": 7,
        "initiative_id": 1,
        "rule": rule,
        "state": state,
        "reason": LONG,
        "cycle": "2026-W48",
        "opened_at": NOW,
        "updated_at": NOW,
        "sla_deadline": NOW,
    }
    return Escalation(**(values | fields))


def decision() -> Decision:
    return Decision(
        id=3,
        initiative_id=1,
        escalation_id=7,
        decision=LONG,
        rationale=LONG,
        decided_by="U0BOSS001",
        decided_at=NOW,
        follow_up_owner="U0OWNER01",
        follow_up_due=date(2026, 12, 15),
    )


def checkin(cycle: str) -> CheckIn:
    return CheckIn(
        initiative_id=1,
        cycle=cycle,
        author="U0OWNER01",
        status=Status.OFF_TRACK,
        kpi_value=12.5,
        confidence=2,
        decision_needed=LONG,
        decision_options=LONG,
        source=CheckInSource.MODAL,
        submitted_at=NOW,
    )


RACI = {
    RaciLetter.RESPONSIBLE: [RaciMember("U0OWNER01")],
    RaciLetter.ACCOUNTABLE: [RaciMember(None, "CFO", ("U0CFO0001", "U0CFO0002"))],
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("state", ["open", "acknowledged", "scheduled", "decided", "resolved"])
def test_the_alert_fits_slack_escapes_user_text_and_offers_what_makes_sense(lang: str, state: str) -> None:
    data = AlertData(
        escalation(
            state,
            level=2,
            acknowledged_by="U0BOSS001",
            acknowledged_at=NOW,
            closed_at=NOW,
            closed_by="U0BOSS001" if state == "decided" else None,
            scheduled_for="2026-12",
        ),
        initiative(),
        [checkin(f"2026-W4{n}") for n in (8, 7, 6, 5)],
        RACI,
        decision() if state == "decided" else None,
    )
    message = alert_message(data, lang)
    assert message_problem(message["text"], message["blocks"]) is None
    shown = json.dumps(message["blocks"])
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "CFO (<@U0CFO0001>, <@U0CFO0002>)" in shown
    buttons = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    expected = {
        "open": [ids.ESC_ACKNOWLEDGE, ids.ESC_SCHEDULE, ids.ESC_DECIDE, ids.ESC_RESOLVE],
        "acknowledged": [ids.ESC_SCHEDULE, ids.ESC_DECIDE, ids.ESC_RESOLVE],
        "scheduled": [ids.ESC_DECIDE, ids.ESC_RESOLVE],
    }
    assert buttons == expected.get(state, [])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_decision_modal_fits_and_reads_back(lang: str) -> None:
    view = decision_modal(escalation(), initiative(title="x" * 300), where=("C0LEADERS1", "1.2"), lang=lang)
    assert view_problem(view) is None
    values = {
        ids.ESC_DECISION_BLOCK: {ids.ESC_DECISION_ACTION: {"value": " Go "}},
        ids.ESC_OWNER_BLOCK: {ids.ESC_OWNER_ACTION: {"selected_user": "U0OWNER01"}},
        ids.ESC_DUE_BLOCK: {ids.ESC_DUE_ACTION: {"selected_date": "2026-11-23"}},
    }
    form = read_decision({**view, "state": {"values": values}}, today=date(2026, 11, 23))
    assert (form.escalation_id, form.decision, form.rationale, form.follow_up_owner) == (
        7,
        "Go",
        None,
        "U0OWNER01",
    )
    assert (form.follow_up_due, form.where, form.lang) == (date(2026, 11, 23), ("C0LEADERS1", "1.2"), lang)
    with pytest.raises(InvalidForm) as refused:
        read_decision({**view, "state": {"values": values}}, today=date(2026, 11, 24))
    assert set(refused.value.errors) == {ids.ESC_DUE_BLOCK}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_decision_log_is_clipped_within_one_message(lang: str) -> None:
    rows = [(decision(), initiative()) for _ in range(60)]
    message = decisions_message(rows, quarter="2026-Q4", lang=lang)
    assert message_problem(message["text"], message["blocks"]) is None
    shown = len(message["blocks"]) - 2  # the title and the "…and N more" line
    assert 0 < shown <= 20 and text_size(message["blocks"]) <= MESSAGE_TEXT_BUDGET
    assert message["response_type"] == "ephemeral" and f"{60 - shown} " in json.dumps(message["blocks"][-1])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_long_agenda_and_review_continue_in_the_thread(lang: str) -> None:
    items = [AgendaItem(n, f"Initiative {n}", "%", [escalation()], (), n, LONG, LONG) for n in range(80)]
    agenda = agenda_messages("2026-12", items, lang)
    reviews = review_messages(
        "2026-Q4",
        [
            ReviewItem(
                initiative(n, f"Initiative {n} " + "y" * 200),
                "Finance",
                70.0,
                0.7,
                [Status.ON_TRACK, None] * 7,
                [decision()] * 8,
            )
            for n in range(80)
        ],
        lang,
    )
    for messages in (agenda, reviews):
        assert len(messages) > 1
        for message in messages:
            assert message_problem(message["text"], message["blocks"]) is None


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_reason_in_every_language(lang: str, rule: str) -> None:
    facts_by_rule: dict[str, Facts] = {
        "off_track": {"cycle": "2026-W47", "cycles": 2},
        "decision_needed": {"decision": "Cut scope?", "options": ""},
        "projection_miss": {"projected": 61.25, "target": 100.0, "due": date(2026, 12, 31)},
        "at_risk_streak": {"cycles": 2},
        "confidence_drop": {"before": 4, "now": 2},
        "silent": {"cycles": 2, "last": "2026-W45"},
    }
    facts = facts_by_rule[rule]
    text = reason_text(Finding(Rule(rule), "2026-W47", facts), "%", lang)
    assert text and "{" not in text
    if rule == "projection_miss":
        number = "61,25 %" if lang == "fr" else "61.25 %"  # the reader's decimal mark (CLDR, by Babel)
        assert number in text and "100 %" in text and "2026-12-31" in text
