"""What a person's App Home shows, read from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.answers import nudged
from bot.config import Settings
from bot.digest_data import digest_as_of
from bot.domain.portfolio import people_of
from bot.leadership import ChannelMembers, is_leadership
from bot.logs import get_logger
from bot.permissions import is_admin
from bot.portfolio import (
    answers_in_cycle,
    department_counts,
    missing_updates,
    racis_of,
    responsible_people,
    status_changes,
)
from bot.views.digest import head_blocks
from bot.views.home import Waiting, home_view
from bot.workspace import Workspace
from storage.db import session_scope
from storage.models import Escalation, EscalationState, Initiative, RaciLetter

log = get_logger(__name__)


@dataclass(frozen=True)
class Roles:
    """What a person's Home shows besides their own initiatives: the strategy office (admins) sees the
    portfolio, what waits on it and who is late; an executive (a leadership channel's member), this week's
    exceptions as the digest's head states them; an accountable (A) person, what waits on them."""

    admin: bool = False
    executive: bool = False


def home_for(
    session: Session,
    *,
    workspace: Workspace,
    now: datetime,
    user: str,
    lang: str,
    roles: Roles | None = None,
    page: int = 1,
) -> dict[str, Any]:
    cycle = workspace.cycle(now)
    roles = roles or Roles()
    portfolio = roles.admin or roles.executive
    return home_view(
        cycle=cycle,
        mine=responsible_people(session).get(user, []),
        answers=answers_in_cycle(session, cycle),
        waiting=waiting_on(session, user, everyone=roles.admin),
        exceptions=head_blocks(digest_as_of(session, workspace, now), lang) if portfolio else (),
        overdue=missing_updates(session, cycle) if roles.admin else None,
        nudged=nudged(session, cycle) if roles.admin else (),
        portfolio=department_counts(session) if portfolio else None,
        changes=status_changes(session, cycle) if portfolio else (),
        page=page,
        lang=lang,
    )


def waiting_on(session: Session, user: str, *, everyone: bool) -> list[Waiting]:
    """The escalations still open that wait on `user`: those of the initiatives they are accountable (A)
    for, or every one for the strategy office (`everyone`), the weightiest state first."""
    rows = session.exec(
        select(Escalation, Initiative.title)
        .join(Initiative, col(Escalation.initiative_id) == Initiative.id)
        .where(col(Escalation.open_key).is_not(None))
        .order_by(col(Escalation.opened_at), col(Escalation.id))
    ).all()
    if not everyone:
        racis = racis_of(session, [escalation.initiative_id for escalation, _ in rows])
        rows = [r for r in rows if user in people_of(racis[r[0].initiative_id][RaciLetter.ACCOUNTABLE])]
    return [Waiting(title, escalation.rule, EscalationState(escalation.state)) for escalation, title in rows]


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
    admin = is_admin(settings, client, user)  # an admin sees all an executive does: no channel lookup
    executive = not admin and is_leadership(
        client, user, channels=workspace.leadership, members=members, now=now
    )
    roles = Roles(admin=admin, executive=executive)
    with session_scope(engine) as session:
        view = home_for(session, workspace=workspace, now=now, user=user, lang=lang, roles=roles, page=page)
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("home.publish_failed", user=user, error=exc.response.get("error"))
