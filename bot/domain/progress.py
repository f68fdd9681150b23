"""A KPI's planned path from baseline to target, and where its history says it is heading.

Shared by the digest ("on pace / behind", sparklines), the escalation rules ("projection misses target by
the due date") and the quarterly review (the OKR score). Pure functions over plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.domain.cycles import cycle_of, quarter_bounds
from storage.models import Direction

# Within this share of the baseline→target span of the plan counts as on pace: a KPI read a day early
# is not "behind".
PACE_TOLERANCE = 0.05
PROJECTION_POINTS = 8  # the projection fits a line through this many latest values
SPARK = "▁▂▃▄▅▆▇█"


class Pace(StrEnum):
    ON_PACE = "on_pace"
    BEHIND = "behind"
    UNKNOWN = "unknown"  # no baseline, target or value to judge by


@dataclass(frozen=True)
class Plan:
    baseline: float
    target: float
    direction: Direction
    start: date  # the quarter's first day: the baseline holds then
    due: date  # the target holds then
    planned: Mapping[str, float] = field(default_factory=dict)  # per cycle, where the roadmap gives them

    @property
    def span(self) -> float:
        return self.target - self.baseline


def make_plan(
    *,
    baseline: float | None,
    target: float | None,
    direction: Direction,
    quarter: str,
    due: date | None,
    planned: Mapping[str, float] | None = None,
    started: date | None = None,
) -> Plan | None:
    """The plan of an initiative, or None when it has no baseline or no target to plan between. Its path
    starts when the initiative does (`started`, its creation or import) if that is later than the first
    day of the quarter: one created on 2 December is not behind a path that began on 1 October."""
    if baseline is None or target is None:
        return None
    first, end = quarter_bounds(quarter)
    due = due or end
    start = min(max(first, started or first), max(due, first))
    return Plan(baseline, target, direction, start, max(due, start), planned or {})


def planned_at(plan: Plan, day: date) -> float:
    """Where the KPI should be on `day`: the roadmap's planned value for that cycle (or the last one
    before it), else the straight line from baseline at the start to target at the due date."""
    cycle = cycle_of(day)
    given = [c for c in plan.planned if c <= cycle]
    if given:
        return plan.planned[max(given)]
    if day <= plan.start:
        return plan.baseline
    if day >= plan.due:
        return plan.target
    elapsed = (day - plan.start).days / max((plan.due - plan.start).days, 1)
    return plan.baseline + plan.span * elapsed


def ahead_of(direction: Direction, value: float, reference: float) -> float:
    """How far `value` is past `reference` in the KPI's good direction (negative: short of it)."""
    return (
        value - reference if direction == Direction.UP else reference - value
    )  # a str from the database too


def pace(plan: Plan | None, day: date, value: float | None) -> Pace:
    if plan is None or value is None:
        return Pace.UNKNOWN
    slack = abs(plan.span) * PACE_TOLERANCE
    return Pace.ON_PACE if ahead_of(plan.direction, value, planned_at(plan, day)) >= -slack else Pace.BEHIND


def projected(points: Sequence[tuple[date, float]], on: date) -> float | None:
    """The value on `on` of the least-squares line through the latest values; None with fewer than two
    distinct days to draw it through."""
    latest = sorted(points)[-PROJECTION_POINTS:]
    if len({day for day, _ in latest}) < 2:
        return None
    xs = [(day - latest[0][0]).days for day, _ in latest]
    ys = [value for _, value in latest]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return mean_y + slope * ((on - latest[0][0]).days - mean_x)


def misses_target(plan: Plan, points: Sequence[tuple[date, float]]) -> bool:
    """True when the trend of the values, carried to the due date, falls short of the target (beyond the
    tolerance); False when it reaches it or when there is no trend yet."""
    value = projected(points, plan.due)
    if value is None:
        return False
    return ahead_of(plan.direction, value, plan.target) < -abs(plan.span) * PACE_TOLERANCE


def advance(plan: Plan | None, value: float | None) -> float | None:
    """The share of the way from baseline to target covered so far, as it is: below 0 when the KPI went
    the wrong way, past 1 beyond the target (the chart shows it; the quarter's `score` keeps to 0..1)."""
    if plan is None or value is None:
        return None
    if plan.span == 0:
        return 1.0 if ahead_of(plan.direction, value, plan.target) >= 0 else 0.0
    return round((value - plan.baseline) / plan.span, 2)


def score(plan: Plan | None, reached: float | None) -> float | None:
    """The OKR score: the share of the way from baseline to target that was covered, from 0 to 1."""
    covered = advance(plan, reached)
    return None if covered is None else min(max(covered, 0.0), 1.0)


def sparkline(values: Sequence[float | None]) -> str:
    """`▁▃▅█`: the values scaled between their own minimum and maximum; a gap is a space."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    steps = len(SPARK) - 1
    return "".join(
        " " if v is None else SPARK[round((v - low) / (high - low) * steps) if high > low else steps // 2]
        for v in values
    )
