"""The escalation rules over crafted histories: each fires, stays quiet, can be switched off and tuned;
the settings as `baton settings` writes them; the committee's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.cycles import cycle_monday
from bot.domain.escalation import (
    DEFAULTS,
    Rule,
    Subject,
    committee_day,
    committee_due,
    describe_rules,
    enabled_rules,
    evaluate,
    next_committee,
    per_cycle,
    tune_rule,
)
from bot.domain.progress import make_plan
from storage.models import CheckIn, CheckInSource, Direction, Status

NOW_CYCLE = "2026-W48"
PARIS = ZoneInfo("Europe/Paris")


def answer(
    cycle: str,
    status: str = "on_track",
    *,
    kpi: float | None = None,
    confidence: int | None = None,
    decision: str | None = None,
    options: str | None = None,
) -> CheckIn:
    monday = cycle_monday(cycle)
    return CheckIn(
        initiative_id=1,
        cycle=cycle,
        author="U0OWNER01",
        status=Status(status),
        kpi_value=kpi,
        confidence=confidence,
        decision_needed=decision,
        decision_options=options,
        source=CheckInSource.MODAL,
        submitted_at=datetime(monday.year, monday.month, monday.day, 10, tzinfo=UTC),
    )


def subject(
    *answers: CheckIn, cycle: str = NOW_CYCLE, started: str = "2026-W40", plan: object = None
) -> Subject:
    return Subject(answers=per_cycle(list(answers)), cycle=cycle, started=started, plan=plan)  # type: ignore[arg-type]


def rules(found: list) -> dict[str, object]:
    return {finding.rule: finding for finding in found}


def quiet(**overrides: dict) -> dict:
    """Every rule off but those given (to test one rule at a time)."""
    return {rule: {"enabled": False} for rule in DEFAULTS} | {
        rule: {"enabled": True, **params} for rule, params in overrides.items()
    }


# -- off track ---------------------------------------------------------------------------------------
def test_off_track_fires_on_the_latest_answer_and_says_since_when() -> None:
    found = evaluate(
        subject(answer("2026-W45"), answer("2026-W46", "off_track"), answer("2026-W47", "off_track")),
        quiet(off_track={}),
    )
    [finding] = found
    assert (finding.rule, finding.since, finding.facts) == (
        "off_track",
        "2026-W46",
        {"cycle": "2026-W47", "cycles": 2},
    )


def test_off_track_is_quiet_once_back_on_track_and_when_switched_off() -> None:
    assert (
        evaluate(subject(answer("2026-W46", "off_track"), answer("2026-W47", "at_risk")), quiet(off_track={}))
        == []
    )
    history = subject(answer("2026-W47", "off_track"))
    assert evaluate(history, quiet()) == []
    assert "off_track" in rules(evaluate(history, {}))  # on by default
    assert "off_track" not in rules(evaluate(history, {"off_track": {"enabled": False}}))


def test_the_newest_answer_of_a_cycle_is_the_one_that_counts() -> None:
    late_fix = answer("2026-W47", "on_track")
    late_fix.submitted_at += timedelta(hours=3)
    assert evaluate(subject(answer("2026-W47", "off_track"), late_fix), quiet(off_track={})) == []


# -- at risk, cycle after cycle -----------------------------------------------------------------------
def test_at_risk_for_two_answered_cycles_fires_and_one_does_not() -> None:
    once = subject(answer("2026-W46", "on_track"), answer("2026-W47", "at_risk"))
    twice = subject(
        answer("2026-W45", "on_track"), answer("2026-W46", "at_risk"), answer("2026-W47", "at_risk")
    )
    assert evaluate(once, quiet(at_risk_streak={})) == []
    [finding] = evaluate(twice, quiet(at_risk_streak={}))
    assert (finding.since, finding.facts["cycles"]) == ("2026-W46", 2)


def test_at_risk_streak_is_tuned_by_its_cycles() -> None:
    twice = subject(answer("2026-W46", "at_risk"), answer("2026-W47", "at_risk"))
    assert evaluate(twice, quiet(at_risk_streak={"cycles": 3})) == []
    thrice = subject(
        answer("2026-W45", "at_risk"), answer("2026-W46", "at_risk"), answer("2026-W47", "at_risk")
    )
    assert [f.rule for f in evaluate(thrice, quiet(at_risk_streak={"cycles": 3}))] == ["at_risk_streak"]


# -- confidence ---------------------------------------------------------------------------------------
def test_a_confidence_drop_of_two_points_fires_until_it_climbs_back() -> None:
    dropped = subject(
        answer("2026-W45", confidence=4), answer("2026-W46", confidence=4), answer("2026-W47", confidence=2)
    )
    [finding] = evaluate(dropped, quiet(confidence_drop={}))
    assert (finding.since, finding.facts) == ("2026-W47", {"before": 4, "now": 2})
    slow_slide = subject(
        answer("2026-W45", confidence=5), answer("2026-W46", confidence=4), answer("2026-W47", confidence=3)
    )
    [finding] = evaluate(slow_slide, quiet(confidence_drop={}))
    assert (finding.since, finding.facts) == ("2026-W47", {"before": 5, "now": 3})
    still_low = subject(
        answer("2026-W45", confidence=4), answer("2026-W46", confidence=2), answer("2026-W47", confidence=2)
    )
    assert evaluate(still_low, quiet(confidence_drop={}))[0].since == "2026-W46"  # the same situation
    recovered = subject(
        answer("2026-W45", confidence=4), answer("2026-W46", confidence=2), answer("2026-W47", confidence=3)
    )
    assert evaluate(recovered, quiet(confidence_drop={})) == []


def test_a_one_point_dip_is_quiet_unless_tuned() -> None:
    dip = subject(answer("2026-W46", confidence=4), answer("2026-W47", confidence=3))
    assert evaluate(dip, quiet(confidence_drop={})) == []
    assert [f.rule for f in evaluate(dip, quiet(confidence_drop={"points": 1}))] == ["confidence_drop"]
    assert (
        evaluate(subject(answer("2026-W47", confidence=1)), quiet(confidence_drop={})) == []
    )  # nothing before


# -- KPI projection -------------------------------------------------------------------------------------
def plan() -> object:
    return make_plan(
        baseline=0.0, target=100.0, direction=Direction.UP, quarter="2026-Q4", due=date(2026, 12, 31)
    )


def test_a_kpi_trend_that_misses_the_target_fires_and_one_that_reaches_it_does_not() -> None:
    slow = subject(
        answer("2026-W44", kpi=10), answer("2026-W46", kpi=14), answer("2026-W47", kpi=16), plan=plan()
    )
    [finding] = evaluate(slow, quiet(projection_miss={}))
    assert finding.since == "2026-W46" and finding.facts["target"] == 100.0
    assert finding.facts["projected"] < 95 and finding.facts["due"] == date(2026, 12, 31)
    fast = subject(
        answer("2026-W44", kpi=50), answer("2026-W46", kpi=75), answer("2026-W47", kpi=85), plan=plan()
    )
    assert evaluate(fast, quiet(projection_miss={})) == []


def test_no_projection_without_a_plan_two_values_or_after_the_due_date() -> None:
    values = (answer("2026-W46", kpi=10), answer("2026-W47", kpi=11))
    assert evaluate(subject(*values), quiet(projection_miss={})) == []  # no baseline or target
    assert evaluate(subject(values[1], plan=plan()), quiet(projection_miss={})) == []  # one value: no trend
    assert evaluate(subject(*values, cycle="2027-W02", plan=plan()), quiet(projection_miss={})) == []


# -- silence ----------------------------------------------------------------------------------------
def test_silent_for_two_ended_cycles_fires() -> None:
    assert evaluate(subject(answer("2026-W46"), cycle="2026-W48"), quiet(silent={})) == []  # W47 only
    [finding] = evaluate(subject(answer("2026-W45"), cycle="2026-W48"), quiet(silent={}))
    assert (finding.since, finding.facts) == ("2026-W48", {"cycles": 2, "last": "2026-W45"})
    [later] = evaluate(subject(answer("2026-W45"), cycle="2026-W49"), quiet(silent={}))
    assert (later.since, later.facts["cycles"]) == ("2026-W48", 3)  # the same silence, one cycle longer


def test_silence_counts_from_creation_and_is_tuned() -> None:
    assert evaluate(subject(cycle="2026-W48", started="2026-W46"), quiet(silent={})) == []
    [never] = evaluate(subject(cycle="2026-W48", started="2026-W45"), quiet(silent={}))
    assert never.facts == {"cycles": 2, "last": ""}
    assert evaluate(subject(answer("2026-W45"), cycle="2026-W48"), quiet(silent={"cycles": 3})) == []


def test_weeks_nobody_was_asked_are_not_silence() -> None:
    """Last answer in W44; W45 and W46 away (no prompt went out), asked again in W47 and W48."""
    silence = subject(answer("2026-W44"), cycle="2026-W49")
    away = Subject(**{**vars(silence), "asked": frozenset({"2026-W47"}), "asked_from": "2026-W40"})
    assert evaluate(away, quiet(silent={})) == []  # only W47 was asked, and has ended
    back = Subject(**{**vars(away), "asked": frozenset({"2026-W47", "2026-W48"}), "cycle": "2026-W50"})
    [finding] = evaluate(back, quiet(silent={}))
    assert (finding.since, finding.facts) == ("2026-W49", {"cycles": 2, "last": "2026-W44"})
    before_the_window = Subject(**{**vars(away), "asked_from": "2026-W47"})  # W45, W46 unknown: asked
    assert evaluate(before_the_window, quiet(silent={}))[0].facts["cycles"] == 3


# -- a decision is needed -----------------------------------------------------------------------------
def test_a_decision_asked_for_in_the_latest_answer_fires() -> None:
    asked = subject(
        answer("2026-W46"),
        answer("2026-W47", "at_risk", decision="Hire a contractor?", options="A: yes; B: no"),
    )
    [finding] = evaluate(asked, quiet(decision_needed={}))
    assert finding.facts == {"decision": "Hire a contractor?", "options": "A: yes; B: no"}
    answered = subject(answer("2026-W46", decision="Hire a contractor?"), answer("2026-W47", decision="  "))
    assert evaluate(answered, quiet(decision_needed={})) == []


def test_every_rule_fires_together_in_the_order_of_impact() -> None:
    history = subject(
        answer("2026-W43", "at_risk", kpi=10, confidence=5),
        answer("2026-W44", "off_track", kpi=11, confidence=2, decision="Cut scope?"),
        cycle="2026-W48",
        plan=plan(),
    )
    assert [f.rule for f in evaluate(history, {})] == [
        "off_track",
        "decision_needed",
        "projection_miss",
        "confidence_drop",
        "silent",
    ]


def test_enabled_rules_merge_the_defaults_with_the_settings() -> None:
    tuned = enabled_rules({"silent": {"cycles": 4}, "off_track": {"enabled": False}})
    assert Rule.OFF_TRACK not in tuned and tuned[Rule.SILENT] == {"cycles": 4}
    assert tuned[Rule.AT_RISK_STREAK] == {"cycles": 2} and tuned[Rule.CONFIDENCE_DROP] == {"points": 2}


# -- settings ---------------------------------------------------------------------------------------
def test_rule_settings_switch_off_tune_and_show() -> None:
    rules = tune_rule({}, "rule.at_risk_streak", "off")
    rules = tune_rule(rules, "rule.silent.cycles", "3")
    shown = describe_rules(rules)
    assert rules == {"at_risk_streak": {"enabled": False}, "silent": {"cycles": 3}}
    assert shown["rule.at_risk_streak"] == "off" and shown["rule.silent.cycles"] == "3"
    assert shown["rule.confidence_drop.points"] == "2" and shown["rule.off_track"] == "on"
    assert enabled_rules(rules)[Rule.SILENT] == {"cycles": 3} and Rule.AT_RISK_STREAK not in enabled_rules(
        rules
    )
    assert tune_rule(rules, "rule.at_risk_streak", "on")["at_risk_streak"] == {"enabled": True}


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("rule.nonsense", "off", "unknown rule"),
        ("rule.off_track", "maybe", "on or off"),
        ("rule.off_track.cycles", "2", "no parameter"),
        ("rule.silent.cycles", "0", "from 1 to 13"),
        ("rule.confidence_drop.points", "9", "from 1 to 4"),
    ],
)
def test_bad_rule_settings_are_refused_with_what_is_expected(name: str, value: str, says: str) -> None:
    rules: dict = {"silent": {"cycles": 3}}
    with pytest.raises(ValueError, match=says):
        tune_rule(rules, name, value)
    assert rules == {"silent": {"cycles": 3}}


# -- the committee's day ----------------------------------------------------------------------------
def test_committee_day_is_the_nth_weekday_and_five_means_the_last() -> None:
    assert committee_day(2026, 12, 1, 1) == date(2026, 12, 1)  # first Tuesday of December 2026
    assert committee_day(2027, 1, 1, 1) == date(2027, 1, 5)
    assert committee_day(2026, 12, 1, 2) == date(2026, 12, 8)
    assert committee_day(2026, 12, 1, 5) == date(2026, 12, 29)  # the last Tuesday
    assert committee_day(2027, 2, 1, 5) == date(2027, 2, 23)  # February 2027 has four Tuesdays


def test_the_next_committee_is_this_months_until_it_meets() -> None:
    due = committee_due("2026-12", PARIS, weekday=1, week=1, hour=10)
    assert due == datetime(2026, 12, 1, 9, tzinfo=UTC)  # 10:00 in Paris
    kwargs = {"weekday": 1, "week": 1, "hour": 10}
    assert next_committee(datetime(2026, 11, 23, 9, tzinfo=UTC), PARIS, **kwargs) == "2026-12"
    assert next_committee(datetime(2026, 12, 1, 8, 59, tzinfo=UTC), PARIS, **kwargs) == "2026-12"
    assert next_committee(datetime(2026, 12, 1, 9, tzinfo=UTC), PARIS, **kwargs) == "2027-01"
