"""Escalation rules: pure functions over an initiative's history that say what needs leadership's eyes.

Each rule looks at the newest answer of each cycle (oldest first) and returns a `Finding`, or None. A
finding carries `since`, the cycle in which the situation it describes began: an escalation of the same
rule closed (decided or resolved) from that cycle on means this situation was handled, so it is not
opened again until the situation ends and a new one begins (on track for a week, then off track again).

Every rule can be switched off or tuned in `WorkspaceSettings.escalation_rules`
(`{"at_risk_streak": {"enabled": false}}`, `{"silent": {"cycles": 3}}`); a rule missing there runs with
the defaults below. Also here: the day of the monthly arbitration committee.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from bot.domain.cycles import cycle_monday, month_first, month_key, next_month, shift, weeks_between
from bot.domain.progress import PROJECTION_POINTS, Plan, make_plan, misses_target, projected
from storage.models import Direction, Status


class Rule(StrEnum):
    """Why an escalation is open (`Escalation.rule`): a rule of the scan, or a person."""

    OFF_TRACK = "off_track"
    DECISION_NEEDED = "decision_needed"
    PROJECTION_MISS = "projection_miss"
    AT_RISK_STREAK = "at_risk_streak"
    CONFIDENCE_DROP = "confidence_drop"
    SILENT = "silent"
    MANUAL = "manual"  # `/okr escalate`: opened by a person, never by a rule


MANUAL = Rule.MANUAL
# Each rule's parameters and their defaults; the order is the order of impact (the committee's agenda).
DEFAULTS: dict[Rule, dict[str, int]] = {
    Rule.OFF_TRACK: {},
    Rule.DECISION_NEEDED: {},
    Rule.PROJECTION_MISS: {},
    Rule.AT_RISK_STREAK: {"cycles": 2},
    Rule.CONFIDENCE_DROP: {"points": 2},
    Rule.SILENT: {"cycles": 2},
}
RULES = tuple(DEFAULTS)
LIMITS = {"cycles": (1, 13), "points": (1, 4)}  # a quarter has 13 cycles; confidence goes from 1 to 5
IMPACT = (
    Rule.OFF_TRACK,
    Rule.DECISION_NEEDED,
    MANUAL,
    Rule.PROJECTION_MISS,
    Rule.AT_RISK_STREAK,
    Rule.CONFIDENCE_DROP,
)
# How many cycles back the scan reads: the longest streak a rule can be tuned to, plus the points a KPI's
# projection is drawn through. A situation that began earlier counts from the window's first cycle.
WINDOW = LIMITS["cycles"][1] + PROJECTION_POINTS

Facts = dict[str, Any]  # what a rule saw, for the reason text (`esc.reason.<rule>`)


@dataclass(frozen=True)
class Finding:
    rule: Rule
    since: str  # the cycle the situation began in
    facts: Facts = field(default_factory=dict)


class Answer(Protocol):
    """What the rules read of a check-in: a `CheckIn`, or a row of just these columns (the scan's)."""

    @property
    def id(self) -> int | None: ...
    @property
    def cycle(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def kpi_value(self) -> float | None: ...
    @property
    def confidence(self) -> int | None: ...
    @property
    def decision_needed(self) -> str | None: ...
    @property
    def decision_options(self) -> str | None: ...
    @property
    def submitted_at(self) -> datetime: ...


A = TypeVar("A", bound=Answer)


class Planned(Protocol):
    """What an initiative's KPI plan is drawn from: an `Initiative`, or a row of these columns."""

    @property
    def kpi_baseline(self) -> float | None: ...
    @property
    def kpi_target(self) -> float | None: ...
    @property
    def kpi_direction(self) -> str: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def planned(self) -> Mapping[str, float]: ...
    @property
    def created_at(self) -> datetime: ...


def plan_of(initiative: Planned, quarter: str) -> Plan | None:
    """The initiative's KPI plan in `quarter` (its direction as stored, a plain string, made a Direction)."""
    return make_plan(
        baseline=initiative.kpi_baseline,
        target=initiative.kpi_target,
        direction=Direction(initiative.kpi_direction),
        quarter=quarter,
        due=initiative.due_date,
        planned=initiative.planned,
        started=initiative.created_at.date(),
    )


@dataclass(frozen=True)
class Subject:
    """What the rules look at for one initiative."""

    answers: Sequence[Answer]  # the newest answer of each cycle, oldest first (see `per_cycle`)
    cycle: str  # the current cycle
    started: str  # the cycle the initiative was created in: silence is counted from there at the earliest
    plan: Plan | None = None
    answered: str | None = None  # the latest cycle ever answered, when `answers` are only a recent window
    # The cycles its owners were asked in (their prompt went out), from `asked_from` on; earlier cycles, or
    # all of them when None, count as asked.
    asked: frozenset[str] | None = None
    asked_from: str = ""

    def was_asked(self, cycle: str) -> bool:
        return self.asked is None or cycle < self.asked_from or cycle in self.asked


def per_cycle(checkins: Iterable[A]) -> list[A]:
    """The newest check-in of each cycle, oldest cycle first."""
    newest: dict[str, A] = {}
    for checkin in sorted(checkins, key=lambda c: (c.submitted_at, c.id or 0)):
        newest[checkin.cycle] = checkin
    return [newest[cycle] for cycle in sorted(newest)]


def _trailing(answers: Sequence[Answer], holds: Callable[[Answer], bool]) -> list[Answer]:
    """The longest run of answers at the end of `answers` for which `holds` is true."""
    run: list[Answer] = []
    for answer in reversed(answers):
        if not holds(answer):
            break
        run.insert(0, answer)
    return run


def off_track(subject: Subject) -> Finding | None:
    run = _trailing(subject.answers, lambda a: a.status == Status.OFF_TRACK)
    if not run:
        return None
    return Finding(Rule.OFF_TRACK, run[0].cycle, {"cycle": run[-1].cycle, "cycles": len(run)})


def at_risk_streak(subject: Subject, *, cycles: int) -> Finding | None:
    """At risk in each of the last `cycles` answered cycles (a week without an answer neither breaks nor
    extends the streak: `silent` speaks for it)."""
    run = _trailing(subject.answers, lambda a: a.status == Status.AT_RISK)
    if len(run) < cycles:
        return None
    return Finding(Rule.AT_RISK_STREAK, run[0].cycle, {"cycles": len(run)})


def confidence_drop(subject: Subject, *, points: int) -> Finding | None:
    """The confidence is `points` or more below its highest earlier level; it holds until it climbs back."""
    known = [(a.cycle, a.confidence) for a in subject.answers if a.confidence is not None]
    dropped: list[tuple[str, int, int]] = []  # (cycle, earlier peak, confidence) of the trailing run
    for index in range(len(known) - 1, 0, -1):
        peak = max(confidence for _, confidence in known[:index])
        cycle, confidence = known[index]
        if peak - confidence < points:
            break
        dropped.insert(0, (cycle, peak, confidence))
    if not dropped:
        return None
    _, peak, now = dropped[-1]
    return Finding(Rule.CONFIDENCE_DROP, dropped[0][0], {"before": peak, "now": now})


def projection_miss(subject: Subject) -> Finding | None:
    """The KPI's trend, carried to the due date, falls short of the target. Judged until the due date:
    after it, the KPI reached its target or did not, and the quarterly review says which."""
    plan = subject.plan
    if plan is None or cycle_monday(subject.cycle) > plan.due:
        return None
    points = [
        (a.submitted_at.date(), a.kpi_value, a.cycle) for a in subject.answers if a.kpi_value is not None
    ]
    since = None
    for end in range(len(points), 1, -1):
        if not misses_target(plan, [(day, value) for day, value, _ in points[:end]]):
            break
        since = points[end - 1][2]
    if since is None:
        return None
    value = projected([(day, value) for day, value, _ in points], plan.due)
    return Finding(Rule.PROJECTION_MISS, since, {"projected": value, "target": plan.target, "due": plan.due})


def silent(subject: Subject, *, cycles: int) -> Finding | None:
    """No answer in the last `cycles` cycles that have ended (the current one is still running), counting
    only the cycles its owners were asked in: away, skipping or never prompted is not silence."""
    last = subject.answers[-1].cycle if subject.answers else subject.answered
    reference = max(last or subject.started, subject.started)
    ended = [shift(reference, weeks) for weeks in range(1, weeks_between(reference, subject.cycle))]
    missed = [cycle for cycle in ended if subject.was_asked(cycle)]
    if len(missed) < cycles:
        return None
    since = shift(missed[cycles - 1], 1)
    return Finding(Rule.SILENT, since, {"cycles": len(missed), "last": last or ""})


def decision_needed(subject: Subject) -> Finding | None:
    run = _trailing(subject.answers, lambda a: bool((a.decision_needed or "").strip()))
    if not run:
        return None
    latest = run[-1]
    facts = {
        "decision": (latest.decision_needed or "").strip(),
        "options": (latest.decision_options or "").strip(),
    }
    return Finding(Rule.DECISION_NEEDED, run[0].cycle, facts)


CHECKS: dict[str, Callable[..., Finding | None]] = {
    Rule.OFF_TRACK: off_track,
    Rule.DECISION_NEEDED: decision_needed,
    Rule.PROJECTION_MISS: projection_miss,
    Rule.AT_RISK_STREAK: at_risk_streak,
    Rule.CONFIDENCE_DROP: confidence_drop,
    Rule.SILENT: silent,
}


def enabled_rules(configured: Mapping[str, Any]) -> dict[Rule, dict[str, int]]:
    """The rules that run, each with its parameters: the defaults, tuned by `configured`."""
    rules: dict[Rule, dict[str, int]] = {}
    for rule, defaults in DEFAULTS.items():
        given = configured.get(rule) or {}
        if given.get("enabled", True):
            rules[rule] = {name: int(given.get(name, value)) for name, value in defaults.items()}
    return rules


def evaluate(subject: Subject, configured: Mapping[str, Any]) -> list[Finding]:
    """Every enabled rule that holds for `subject`, in the order of impact."""
    findings = (CHECKS[rule](subject, **params) for rule, params in enabled_rules(configured).items())
    return [finding for finding in findings if finding is not None]


def impact(rule: str) -> int:
    """Lower is weightier: the committee's agenda and the digest list the weightiest first."""
    return IMPACT.index(rule) if rule in IMPACT else len(IMPACT)


# -- the monthly arbitration committee ----------------------------------------------------------------
def committee_day(year: int, month: int, weekday: int, week: int) -> date:
    """The `week`-th `weekday` of the month (0 = Monday; week 1 = first ... 5 = last)."""
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (min(week, 5) - 1))
    last_day = date(year, month, monthrange(year, month)[1])
    while day > last_day:  # "5th" Tuesday of a month that has four: the last one
        day -= timedelta(weeks=1)
    return day


def committee_due(month: str, tz: tzinfo, *, weekday: int, week: int, hour: int) -> datetime:
    """When the committee of `month` (`2026-12`) meets, in UTC: its agenda is posted then."""
    first = month_first(month)
    day = committee_day(first.year, first.month, weekday, week)
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def next_committee(now: datetime, tz: tzinfo, *, weekday: int, week: int, hour: int) -> str:
    """The committee an escalation scheduled now goes to: this month's if it has not met yet, else next."""
    month = month_key(now, tz)
    if now < committee_due(month, tz, weekday=weekday, week=week, hour=hour):
        return month
    return next_month(month)


# -- the rules' settings, as `baton settings show|set` reads and writes them (`rule.silent.cycles=3`) ----
RULE_PREFIX = "rule."


def is_rule_setting(name: str) -> bool:
    return name.startswith(RULE_PREFIX)


def describe_rules(configured: Mapping[str, Any]) -> dict[str, str]:
    """`rule.off_track=on`, `rule.silent.cycles=2`, ...: every rule and parameter, as in effect."""
    shown = {}
    for rule, defaults in DEFAULTS.items():
        given = configured.get(rule) or {}
        shown[f"{RULE_PREFIX}{rule}"] = "on" if given.get("enabled", True) else "off"
        for name, value in defaults.items():
            shown[f"{RULE_PREFIX}{rule}.{name}"] = str(given.get(name, value))
    return shown


def tune_rule(configured: Mapping[str, Any], name: str, text: str) -> dict[str, Any]:
    """`rule.at_risk_streak=off` or `rule.at_risk_streak.cycles=3` applied to a copy of `configured`; a
    ValueError says what is expected."""
    given, _, param = name.removeprefix(RULE_PREFIX).partition(".")
    text = text.strip()
    if given not in DEFAULTS:
        raise ValueError(f"unknown rule; one of {', '.join(RULES)}")
    rule = Rule(given)
    tuned = {key: dict(value) for key, value in configured.items()}
    entry = tuned.setdefault(rule, {})
    if not param:
        if text.lower() not in ("on", "off"):
            raise ValueError("on or off")
        entry["enabled"] = text.lower() == "on"
    elif param in DEFAULTS[rule]:
        low, high = LIMITS[param]
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        entry[param] = int(text)
    else:
        known = ", ".join(DEFAULTS[rule]) or "none"
        raise ValueError(f"{rule} has no parameter {param!r} (its parameters: {known})")
    return tuned
