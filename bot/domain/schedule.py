"""When things are due: pure functions of an instant, a cadence and people's time zones.

A cycle is an ISO week in the organisation's time zone (`2026-W48`). Each owner is prompted on the
cycle's check-in weekday at the check-in hour *in their own time zone*, so an owner in Singapore is
prompted hours before one in New York for the same cycle. DST is the time zone database's business:
09:00 stays 09:00 local on both sides of a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.cycles import cycle_day, cycle_key

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as settings write them; 0 = Monday


@dataclass(frozen=True)
class Holiday:
    day: date
    country: str | None = None  # None: everyone's holiday
    name: str = ""


@dataclass(frozen=True)
class Cadence:
    tz: ZoneInfo  # the organisation's
    checkin_weekday: int = 0  # Monday
    checkin_hour: int = 9
    reminder_delay: timedelta = timedelta(hours=24)
    grace: timedelta = timedelta(hours=6)
    digest_weekday: int = 0
    digest_hour: int = 16
    holidays: tuple[Holiday, ...] = field(default_factory=tuple)

    @staticmethod
    def holidays_from(entries: Iterable[dict[str, Any]]) -> tuple[Holiday, ...]:
        return tuple(
            Holiday(date.fromisoformat(e["date"]), e.get("country") or None, e.get("name", ""))
            for e in entries
        )


class Timing(StrEnum):
    EARLY = "early"  # not due yet
    DUE = "due"  # due, and not too late to send
    MISSED = "missed"  # due longer ago than the grace window: recorded, not sent


def cycle_start(cycle: str, tz: tzinfo, weekday: int = 0, hour: int = 0) -> datetime:
    """The instant of `weekday` at `hour` in the cycle's week, as a clock in `tz` shows it, in UTC."""
    return datetime.combine(cycle_day(cycle, weekday), time(hour), tzinfo=tz).astimezone(UTC)


def cycles_around(now: datetime, tz: tzinfo) -> list[str]:
    """The cycles whose check-in may fall due now somewhere on Earth (time zones reach ±14 h)."""
    seen: list[str] = []
    for shift in (-1, 0, 1):
        cycle = cycle_key(now + timedelta(days=shift), tz)
        if cycle not in seen:
            seen.append(cycle)
    return seen


def checkin_due(cycle: str, cadence: Cadence, person_tz: tzinfo | None) -> datetime:
    """When an owner living in `person_tz` (the organisation's when unknown) is prompted for `cycle`."""
    return cycle_start(cycle, person_tz or cadence.tz, cadence.checkin_weekday, cadence.checkin_hour)


def digest_due(cycle: str, cadence: Cadence) -> datetime:
    return cycle_start(cycle, cadence.tz, cadence.digest_weekday, cadence.digest_hour)


def timing(due: datetime, now: datetime, grace: timedelta) -> Timing:
    if now < due:
        return Timing.EARLY
    return Timing.DUE if now - due <= grace else Timing.MISSED


def catch_up_due(
    cycle: str, due: datetime, now: datetime, cadence: Cadence, tz: tzinfo, country: str | None
) -> datetime | None:
    """When a prompt that was due at `due` but missed by longer than the grace window (Baton was down) is
    sent instead: at the check-in hour of the owner's next working morning (Monday to Friday, not one of
    their holidays) whose grace window has not passed — now, or later this cycle. None once the cycle has
    no such morning left: then nobody was asked, and nobody is blamed."""
    day = due.astimezone(tz).date()
    last = cycle_day(cycle, 6)
    while (day := day + timedelta(days=1)) <= last:
        if day.weekday() >= 5 or holiday_on(day, country, cadence.holidays):
            continue
        morning = datetime.combine(day, time(cadence.checkin_hour), tzinfo=tz).astimezone(UTC)
        if timing(morning, now, cadence.grace) is not Timing.MISSED:
            return morning
    return None


def holiday_on(day: date, country: str | None, holidays: Sequence[Holiday]) -> Holiday | None:
    """The holiday that falls on `day` for someone in `country`, if any."""
    return next((h for h in holidays if h.day == day and h.country in (None, country)), None)


def zone(name: str | None) -> ZoneInfo | None:
    """A person's time zone from Slack's IANA name, or None when Slack gave none Baton knows."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return None
