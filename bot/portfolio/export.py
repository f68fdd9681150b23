"""`baton export`: initiatives, roles and check-ins as plain data, then as JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from sqlmodel import Session, col, select

from bot.portfolio.checkins import checkins_of
from bot.portfolio.raci import owners_by_initiative
from bot.portfolio.roles import roles_with_members
from storage.models import (
    Initiative,
    Objective,
)


def export_portfolio(session: Session, quarter: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """What a strategy office takes elsewhere: initiatives, roles and the whole check-in history."""
    query = select(Initiative, Objective).join(Objective, col(Initiative.objective_id) == Objective.id)
    if quarter:
        query = query.where(Objective.quarter == quarter)
    pairs = list(session.exec(query.order_by(col(Objective.quarter), col(Initiative.title_key))))
    owners = owners_by_initiative(session)
    titles = {initiative.id: initiative.title for initiative, _ in pairs}
    initiatives = [
        {
            "title": initiative.title,
            "objective": objective.title,
            "department": objective.department,
            "quarter": objective.quarter,
            "kpi": {
                "name": initiative.kpi_name,
                "unit": initiative.kpi_unit,
                "baseline": initiative.kpi_baseline,
                "target": initiative.kpi_target,
                "direction": str(initiative.kpi_direction),
                "current": initiative.kpi_current,
            },
            "target": {"mode": initiative.target_mode, "change": initiative.target_change}
            if initiative.target_mode
            else None,
            "due_date": initiative.due_date.isoformat() if initiative.due_date else None,
            "status": initiative.status,
            "archived": initiative.archived,
            "owners": [str(owner) for owner in owners.get(initiative.id or 0, [])],
        }
        for initiative, objective in pairs
    ]
    roles = [{"name": role.name, "members": members} for role, members in roles_with_members(session)]
    checkins = [
        {
            "initiative": titles[checkin.initiative_id],
            "author": checkin.author,
            "status": checkin.status,
            "kpi_value": checkin.kpi_value,
            "confidence": checkin.confidence,
            "progress": checkin.progress,
            "comment": checkin.comment,
            "next_steps": checkin.next_steps,
            "blockers": checkin.blockers,
            "decision_needed": checkin.decision_needed,
            "cycle": checkin.cycle,
            "source": checkin.source,
            "submitted_at": checkin.submitted_at.isoformat(),
        }
        for checkin in checkins_of(session, titles)
    ]
    return {"initiatives": initiatives, "roles": roles, "checkins": checkins}


CSV_FIELDS = (
    "initiative",
    "cycle",
    "submitted_at",
    "author",
    "status",
    "kpi_value",
    "confidence",
    "progress",
    "comment",
    "next_steps",
    "blockers",
    "decision_needed",
    "source",
)
# OWASP's CSV Injection page (owasp.org/www-community/attacks/CSV_Injection): a spreadsheet reads a cell
# that starts with one of these as a formula, or splits it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def finite(data: Any) -> Any:
    """`data` with every infinite or NaN number replaced by None: JSON has no such numbers, and a
    spreadsheet would read `inf` as text."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {name: finite(value) for name, value in data.items()}
    if isinstance(data, list | tuple):
        return [finite(value) for value in data]
    return data


def to_json(data: dict[str, Any]) -> str:
    # allow_nan=False: a non-finite number that `finite` missed fails here rather than writing `NaN`
    return json.dumps(finite(data), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def spreadsheet_cell(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, with a single quote in front, as OWASP
    recommends; numbers stay numbers (a KPI value of -3.5 is written -3.5, unquoted)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def checkins_csv(data: dict[str, Any]) -> str:
    """The check-in history, one row per check-in. Every text is quoted and numbers are not: a
    separator inside a text (`;` where a spreadsheet's locale splits on it) cannot start a new cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=CSV_FIELDS,
        lineterminator="\n",
        quoting=csv.QUOTE_NONNUMERIC,
        extrasaction="ignore",
    )
    writer.writeheader()
    for checkin in finite(data["checkins"]):
        writer.writerow({name: spreadsheet_cell(value) for name, value in checkin.items()})
    return buffer.getvalue()
