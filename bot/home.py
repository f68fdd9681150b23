"""What a person's App Home shows, read from the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.leadership import ChannelMembers, is_leadership
from bot.logs import get_logger
from bot.permissions import is_admin
from bot.portfolio import answers_in_cycle, department_counts, responsible_people, status_changes
from bot.views.home import home_view
from bot.workspace import Workspace
from storage.db import session_scope

log = get_logger(__name__)


def home_for(
    session: Session, *, cycle: str, user: str, lang: str, portfolio: bool, page: int = 1
) -> dict[str, Any]:
    """`portfolio`: whether they also see the portfolio and what changed (admins and leadership)."""
    return home_view(
        cycle=cycle,
        mine=responsible_people(session).get(user, []),
        answers=answers_in_cycle(session, cycle),
        portfolio=department_counts(session) if portfolio else None,
        changes=status_changes(session, cycle) if portfolio else (),
        page=page,
        lang=lang,
    )


def publish_home(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    user: str,
    *,
    workspace: Workspace,
    lang: str,
    members: ChannelMembers,
    now: datetime,
    page: int = 1,
) -> None:
    """Rebuild a person's App Home (after it is opened, paged, or after they update an initiative), in
    `lang`, theirs."""
    portfolio = is_admin(settings, client, user) or is_leadership(
        client, user, channels=workspace.leadership, members=members, now=now
    )
    with session_scope(engine) as session:
        view = home_for(
            session, cycle=workspace.cycle(now), user=user, lang=lang, portfolio=portfolio, page=page
        )
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("home.publish_failed", user=user, error=exc.response.get("error"))
