"""The calendar arithmetic of the rituals, all of it: cycles (ISO weeks), months (the committee's) and
quarters (the roadmap's), as keys (`2026-W48`, `2026-12`, `2026-Q4`) and the days they cover.

An instant becomes a key in the organisation's time zone; keys and days are plain values after that.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
# The years a date, an instant or a quarter that people give may fall in: the rituals add days, weeks and
# quarters to them and write four-digit years, which overflows or goes wrong near year 1 and year 9999.
YEARS = range(1970, 9999)
OUT_OF_RANGE = f"is out of range: the year must be between {YEARS[0]} and {YEARS[-1]}"


# -- cycles: ISO weeks ---------------------------------------------------------------------------------
def cycle_key(instant: datetime, tz: tzinfo) -> str:
    """The check-in cycle of an instant: its ISO week where the organisation is, e.g. `2026-W48`."""
    return cycle_of(instant.astimezone(tz).date())


def cycle_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def cycle_day(cycle: str, weekday: int) -> date:
    """The `weekday` (0 = Monday) of the cycle's week: `2026-W48`, 1 → Tuesday 2026-11-24."""
    year, week = cycle.split("-W")
    return date.fromisocalendar(int(year), int(week), weekday + 1)


def cycle_monday(cycle: str) -> date:
    """`2026-W48` → the Monday of that ISO week."""
    return cycle_day(cycle, 0)


def shift(cycle: str, weeks: int) -> str:
    """The cycle `weeks` after `cycle` (before it when negative)."""
    return cycle_of(cycle_monday(cycle) + timedelta(weeks=weeks))


def weeks_between(first: str, last: str) -> int:
    """How many weeks `last` comes after `first` (negative when before)."""
    return (cycle_monday(last) - cycle_monday(first)).days // 7


def cycles_between(first: str, last: str) -> list[str]:
    """Every cycle from `first` to `last`, both included, in order."""
    cycles, current = [], first
    while current <= last:
        cycles.append(current)
        current = shift(current, 1)
    return cycles


# -- months: the arbitration committee's ---------------------------------------------------------------
def month_key(instant: datetime, tz: tzinfo) -> str:
    local = instant.astimezone(tz)
    return f"{local.year}-{local.month:02d}"


def month_first(month: str) -> date:
    """`2026-12` → 2026-12-01."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


def next_month(month: str) -> str:
    first = month_first(month)
    return f"{first.year + first.month // 12}-{first.month % 12 + 1:02d}"


# -- quarters ------------------------------------------------------------------------------------------
def quarter_key(instant: datetime, tz: tzinfo) -> str:
    local = instant.astimezone(tz)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> str:
    """`2026-Q4` (or `2026-q4`) → `2026-Q4`; anything else is a ValueError."""
    match = _QUARTER.match(text.strip().upper())
    if not match:
        raise ValueError(f"{text!r} is not a quarter like 2026-Q4")
    if int(match[1]) not in YEARS:  # 9999-Q4 has no next quarter: the rituals would fail at every tick
        raise ValueError(f"{text!r} {OUT_OF_RANGE}")
    return f"{match[1]}-Q{match[2]}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """`2026-Q4` → (2026-10-01, 2026-12-31)."""
    year, number = int(quarter[:4]), int(quarter[-1])
    first = date(year, 3 * number - 2, 1)
    following = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return first, following - timedelta(days=1)


def previous_quarter(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[-1])
    return f"{year - 1}-Q4" if number == 1 else f"{year}-Q{number - 1}"


def next_quarter(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[-1])
    return f"{year + 1}-Q1" if number == 4 else f"{year}-Q{number + 1}"


def quarter_cycles(quarter: str) -> list[str]:
    """Every ISO week with a day in `quarter`, in order."""
    first, last = quarter_bounds(quarter)
    return cycles_between(cycle_of(first), cycle_of(last))


def in_quarter(cycle: str, quarter: str) -> bool:
    """Whether the ISO week `cycle` has a day in `quarter` (its first and last weeks are shared)."""
    first, last = quarter_bounds(quarter)
    return cycle_of(first) <= cycle <= cycle_of(last)
