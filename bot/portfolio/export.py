"""`baton export`: initiatives, roles and check-ins as plain data."""

from __future__ import annotations

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
