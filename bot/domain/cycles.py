"""Cycles (ISO weeks) and quarters, always in the organisation's time zone."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def cycle_key(instant: datetime, tz: tzinfo) -> str:
    """The check-in cycle of an instant: its ISO week where the organisation is, e.g. `2026-W48`."""
    year, week, _ = instant.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def quarter_key(instant: datetime, tz: tzinfo) -> str:
    local = instant.astimezone(tz)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> str:
    """`2026-Q4` (or `2026-q4`) → `2026-Q4`; anything else is a ValueError."""
    match = _QUARTER.match(text.strip().upper())
    if not match:
        raise ValueError(f"{text!r} is not a quarter like 2026-Q4")
    return f"{match[1]}-Q{match[2]}"
