"""KPI numbers and the targets that objectives state in words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.text import tidy
from storage.models import Direction, TargetMode

MAX_KPI = 1e15  # exclusive: 15 digits before the decimal point
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# A signed or unsigned amount followed by `%` or `pt(s)`/`point(s)`, at the start of the objective text.
_TARGET = re.compile(r"^(?P<sign>[-+−–]?)\s*(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>%|pts?\b|points?\b)", re.I)
_UNIT_IN_PARENS = re.compile(r"\(([^()]+)\)\s*$")


def parse_number(text: str) -> float:
    """A number as people type it: `12`, `-3.5`, `12,5` (French), `1 250`; a ValueError otherwise, and
    for anything of more than 15 digits before the point: past that a float is no longer exact, and past
    308 digits it is infinite, which PostgreSQL stores and no chart or plan can use."""
    cleaned = tidy(text).replace(" ", "").replace("\u2212", "-")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"{text!r} is not a number")
    number = float(cleaned.replace(",", "."))
    if not abs(number) < MAX_KPI:
        raise ValueError(f"{text!r} is too large a number")
    return number


@dataclass(frozen=True)
class Target:
    mode: TargetMode
    change: float  # signed for relative and points targets; the level for absolute ones
    direction: Direction
    unit: str  # "%" or "pts"


def parse_target(objective: str) -> Target | None:
    """The structured target in an objective's text, or None when it states none we can read.

    `-20 % de temps d'activation` → relative -20; `+3 pts de marge` → points +3;
    `100 % des entités live` → absolute 100; `+10 % eNPS` → relative +10.
    """
    match = _TARGET.match(tidy(objective))
    if not match:
        return None
    amount = float(match["amount"].replace(",", "."))
    sign = match["sign"]
    negative = sign in ("-", "−", "–")
    direction = Direction.DOWN if negative else Direction.UP
    if match["unit"].lower().startswith("p"):
        return Target(TargetMode.POINTS, -amount if negative else amount, direction, "pts")
    if not sign:
        return Target(TargetMode.ABSOLUTE, amount, direction, "%")
    return Target(TargetMode.RELATIVE, -amount if negative else amount, direction, "%")


def target_value(baseline: float | None, target: Target) -> float | None:
    """The KPI level a target means; None while a relative target still waits for its baseline."""
    if target.mode is TargetMode.ABSOLUTE:
        return target.change
    if baseline is None:
        return None
    if target.mode is TargetMode.RELATIVE:
        return baseline * (1 + target.change / 100)
    return baseline + target.change


def kpi_unit(kpi_name: str) -> str | None:
    """The unit a KPI name states in parentheses: `Délai moyen (jours)` → `jours`."""
    match = _UNIT_IN_PARENS.search(kpi_name)
    return match[1].strip() if match else None
