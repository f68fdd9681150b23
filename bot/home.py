"""What a person's App Home shows, read from the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.config import Settings
from bot.people import language_for
from bot.portfolio import answers_in_cycle, department_counts, responsible_people, status_changes
from bot.views.home import home_view
from bot.workspace.settings import current_cycle


def home_for(
    session: Session, settings: Settings, *, user: str, portfolio: bool, now: datetime, page: int = 1
) -> dict[str, Any]:
    """`portfolio`: whether they also see the portfolio and what changed (admins and leadership)."""
    cycle = current_cycle(session, settings, now)
    return home_view(
        cycle=cycle,
        mine=responsible_people(session).get(user, []),
        answers=answers_in_cycle(session, cycle),
        portfolio=department_counts(session) if portfolio else None,
        changes=status_changes(session, cycle) if portfolio else (),
        page=page,
        lang=language_for(session, user),
    )
