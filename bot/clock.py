"""The clock is injected everywhere time matters, so tests and the sandbox can say what time it is."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(instant: datetime) -> Clock:
    if instant.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware instant")
    return lambda: instant
