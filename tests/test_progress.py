"""The planned path, pace, projection and score of a KPI."""

from datetime import date

import pytest

from bot.domain.progress import (
    Pace,
    Plan,
    ahead_of,
    make_plan,
    misses_target,
    pace,
    planned_at,
    projected,
    score,
    sparkline,
)
from storage.models import Direction


def plan(direction: Direction = Direction.UP, planned: dict[str, float] | None = None) -> Plan:
    made = make_plan(
        baseline=0.0,
        target=100.0 if direction is Direction.UP else -100.0,
        direction=direction,
        quarter="2026-Q4",
        due=date(2026, 12, 31),
        planned=planned,
    )
    assert made is not None
    return made


def test_no_plan_without_baseline_or_target() -> None:
    assert make_plan(baseline=None, target=5, direction=Direction.UP, quarter="2026-Q4", due=None) is None
    assert pace(None, date(2026, 11, 1), 5.0) is Pace.UNKNOWN


def test_linear_path_from_baseline_to_target() -> None:
    p = plan()
    assert planned_at(p, date(2026, 10, 1)) == 0
    assert planned_at(p, date(2026, 12, 31)) == 100
    assert planned_at(p, date(2027, 2, 1)) == 100
    assert planned_at(p, date(2026, 11, 15)) == pytest.approx(45 / 91 * 100)


def test_planned_values_per_cycle_win_over_the_line() -> None:
    p = plan(planned={"2026-W45": 10.0, "2026-W47": 80.0})
    assert planned_at(p, date(2026, 11, 4)) == 10.0  # W45
    assert planned_at(p, date(2026, 11, 11)) == 10.0  # W46: the last planned value before it
    assert planned_at(p, date(2026, 11, 18)) == 80.0


def test_pace_follows_the_direction() -> None:
    mid = date(2026, 11, 15)  # about half way
    assert pace(plan(), mid, 60.0) is Pace.ON_PACE
    assert pace(plan(), mid, 30.0) is Pace.BEHIND
    assert pace(plan(Direction.DOWN), mid, -60.0) is Pace.ON_PACE
    assert pace(plan(Direction.DOWN), mid, -30.0) is Pace.BEHIND


def test_projection_is_the_trend_carried_forward() -> None:
    points = [(date(2026, 10, 5), 0.0), (date(2026, 10, 12), 7.0), (date(2026, 10, 19), 14.0)]
    assert projected(points, date(2026, 10, 26)) == pytest.approx(21.0)
    assert projected(points[:1], date(2026, 10, 26)) is None
    slow = [(date(2026, 10, 5), 0.0), (date(2026, 11, 2), 10.0)]
    assert misses_target(plan(), slow)
    fast = [(date(2026, 10, 5), 0.0), (date(2026, 11, 2), 50.0)]
    assert not misses_target(plan(), fast)
    assert not misses_target(plan(), slow[:1])


def test_score_is_the_share_of_the_way_covered() -> None:
    assert score(plan(), 50.0) == 0.5
    assert score(plan(), 150.0) == 1.0
    assert score(plan(), -10.0) == 0.0
    assert score(plan(Direction.DOWN), -75.0) == 0.75
    assert score(None, 3.0) is None


def test_sparkline() -> None:
    assert sparkline([1.0, 2.0, 3.0]) == "▁▅█"
    assert sparkline([1.0, None, 1.0]) == "▄ ▄"
    assert sparkline([]) == ""


def test_a_direction_read_back_from_the_database_as_text_counts_the_same() -> None:
    assert ahead_of("up", 5.0, 3.0) == ahead_of(Direction.UP, 5.0, 3.0) == 2.0  # type: ignore[arg-type]
    assert ahead_of("down", 5.0, 3.0) == -2.0  # type: ignore[arg-type]


def test_the_path_starts_when_the_initiative_does() -> None:
    """Created on 2 December, due 31 December: at its first answer on 7 December it is on pace at 16 %,
    where a path from 1 October would already ask for 74 %."""
    late = make_plan(
        baseline=0.0,
        target=100.0,
        direction=Direction.UP,
        quarter="2026-Q4",
        due=date(2026, 12, 31),
        started=date(2026, 12, 2),
    )
    assert late is not None and late.start == date(2026, 12, 2)
    assert planned_at(late, date(2026, 12, 7)) == pytest.approx(100 * 5 / 29)
    assert pace(late, date(2026, 12, 7), 16.0) is Pace.ON_PACE
    assert pace(plan(), date(2026, 12, 7), 16.0) is Pace.BEHIND  # the quarter's path would blame it


def test_a_start_before_the_quarter_or_after_the_due_date_stays_within_them() -> None:
    def start(started: date) -> date:
        made = make_plan(
            baseline=0.0,
            target=1.0,
            direction=Direction.UP,
            quarter="2026-Q4",
            due=date(2026, 11, 30),
            started=started,
        )
        assert made is not None
        return made.start

    assert start(date(2026, 8, 1)) == date(2026, 10, 1)  # created last quarter, carried over
    assert start(date(2026, 12, 15)) == date(2026, 11, 30)  # created after its due date
