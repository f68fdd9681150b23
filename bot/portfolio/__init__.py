"""The portfolio: objectives, initiatives, roles, RACI and check-ins, and the queries that own them.
One module per concept; everything public is importable from `bot.portfolio`."""

from bot.portfolio.checkins import (
    NEWEST_FIRST,
    answers_in_cycle,
    asked,
    histories,
    history,
    latest_checkin,
    latest_checkins,
    missing_updates,
    record_checkin,
    status_changes,
)
from bot.portfolio.export import export_portfolio
from bot.portfolio.initiatives import (
    ACTIVE_TITLE_KEYS,
    Rejected,
    active_initiatives,
    archive,
    department_counts,
    departments,
    find_initiatives,
    listed_initiatives,
    open_escalations,
    quarters_of,
    save_initiative,
)
from bot.portfolio.raci import (
    RACI_QUERY,
    owners_by_initiative,
    raci_of,
    racis_of,
    responsible_ids,
    responsible_people,
)
from bot.portfolio.roadmap_import import ImportReport, import_roadmap, import_rows
from bot.portfolio.roles import NotAPerson, holders, roles_with_members, set_role_members

__all__ = [
    "ACTIVE_TITLE_KEYS",
    "NEWEST_FIRST",
    "RACI_QUERY",
    "ImportReport",
    "NotAPerson",
    "Rejected",
    "active_initiatives",
    "answers_in_cycle",
    "archive",
    "asked",
    "department_counts",
    "departments",
    "export_portfolio",
    "find_initiatives",
    "histories",
    "history",
    "holders",
    "import_roadmap",
    "import_rows",
    "latest_checkin",
    "latest_checkins",
    "listed_initiatives",
    "missing_updates",
    "open_escalations",
    "owners_by_initiative",
    "quarters_of",
    "raci_of",
    "racis_of",
    "record_checkin",
    "responsible_ids",
    "responsible_people",
    "roles_with_members",
    "save_initiative",
    "set_role_members",
    "status_changes",
]
