"""The clock is injected everywhere time matters, so tests and the sandbox can say what time it is."""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(instant: datetime) -> Clock:
    if instant.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware instant")
    return lambda: instant


def offset_clock(start: datetime) -> Clock:
    """A clock that starts at `start` and runs at the real pace (for `--at`: rituals then sending)."""
    if start.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware instant")
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)
