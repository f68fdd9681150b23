"""The sandbox's clock: Baton's injected clock, which the page moves forward to make the rituals happen.

Between two jumps it runs at the real pace, so snoozes, retries and backoffs behave as they would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.cycles import month_first, month_key, next_month, next_quarter, quarter_bounds, quarter_key
from bot.i18n import t

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


class SandboxClock:
    """A clock that can be set; it keeps ticking from wherever it was set."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware instant")
        self._lock = threading.Lock()
        self._anchor, self._origin = start.astimezone(UTC), time.monotonic()

    def __call__(self) -> datetime:
        with self._lock:
            return self._anchor + timedelta(seconds=time.monotonic() - self._origin)

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._anchor, self._origin = instant.astimezone(UTC), time.monotonic()


def next_weekday_at(now: datetime, weekday: int, hour: int, tz: ZoneInfo) -> datetime:
    """The first `weekday` (0 = Monday) at `hour`:00 in `tz` strictly after `now`."""
    local = now.astimezone(tz)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    candidate = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
    if candidate <= now:
        candidate += timedelta(days=7)
        candidate = datetime(candidate.year, candidate.month, candidate.day, hour, tzinfo=tz)  # across DST
    return candidate.astimezone(UTC)


def first_weekday_of_next_month(now: datetime, weekday: int, hour: int, tz: ZoneInfo) -> datetime:
    first = month_first(next_month(month_key(now, tz)))
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz).astimezone(UTC)


def end_of_quarter(now: datetime, hour: int, tz: ZoneInfo) -> datetime:
    """The last working day of the quarter at `hour`:00 (the next quarter's once that has passed)."""
    quarter = quarter_key(now, tz)
    for _ in range(2):
        _, day = quarter_bounds(quarter)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        candidate = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
        if candidate > now:
            return candidate.astimezone(UTC)
        quarter = next_quarter(quarter)
    raise AssertionError("unreachable: the next quarter always ends later")


@dataclass(frozen=True)
class Jump:
    key: str
    label: str
    to: Callable[[datetime], datetime]


JUMPS: tuple[Jump, ...] = (
    Jump("monday-paris", "Monday 09:00 Paris", lambda now: next_weekday_at(now, 0, 9, PARIS)),
    Jump("monday-new-york", "Monday 09:00 New York", lambda now: next_weekday_at(now, 0, 9, NEW_YORK)),
    Jump("monday-digest", "Monday 16:00", lambda now: next_weekday_at(now, 0, 16, PARIS)),
    Jump("plus-hour", "+1 hour", lambda now: now + timedelta(hours=1)),
    Jump("plus-day", "+1 day", lambda now: now + timedelta(days=1)),
    Jump("plus-week", "+1 week", lambda now: now + timedelta(weeks=1)),
    Jump(
        "committee",
        "First Tuesday of next month",
        lambda now: first_weekday_of_next_month(now, 1, 10, PARIS),
    ),
    Jump("quarter-end", "End of quarter", lambda now: end_of_quarter(now, 17, PARIS)),
)


def jump(key: str) -> Jump:
    for candidate in JUMPS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def short(instant: datetime, tz: ZoneInfo, lang: str = "en") -> str:
    """'Mon 23 Nov 09:00' in `tz`, with the day and month in `lang`."""
    local = instant.astimezone(tz)
    day, month = (
        t("sandbox.days", lang).split()[local.weekday()],
        t("sandbox.months", lang).split()[local.month - 1],
    )
    return f"{day} {local.day} {month} {local:%H:%M}"


def describe(instant: datetime, lang: str = "en") -> str:
    """'Monday 23 Nov 2026, 09:00 in Paris (08:00 UTC, 03:00 in New York)'."""
    paris, new_york = instant.astimezone(PARIS), instant.astimezone(NEW_YORK)
    if lang != "en":  # English keeps its long day names; other languages say it the short way
        utc = instant.astimezone(UTC)
        there = short(instant, NEW_YORK, lang)
        return f"{short(instant, PARIS, lang)} Paris ({utc:%H:%M} UTC, {there} New York)"
    return (
        f"{paris:%A} {paris.day} {paris:%b %Y}, {paris:%H:%M} in Paris "
        f"({instant.astimezone(UTC):%H:%M} UTC, {new_york:%a %H:%M} in New York)"
    )
