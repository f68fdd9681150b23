"""Who may do what. Admins: the people in BATON_ADMINS and the workspace's Slack admins and owners.
An initiative is updated by its R and A people (directly or through a role, as held now) and by admins."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from bot.config import Settings
from storage.models import RaciAssignment, RaciLetter, Role, RoleMember

UPDATERS = (RaciLetter.RESPONSIBLE, RaciLetter.ACCOUNTABLE)


def is_admin(settings: Settings, client: WebClient, user_id: str) -> bool:
    if user_id in settings.admins:
        return True
    try:
        user = client.users_info(user=user_id)["user"]
    except (SlackApiError, OSError):  # Slack unreachable: the safe answer is no
        return False
    return bool(user.get("is_admin") or user.get("is_owner"))


@dataclass(frozen=True)
class Updaters:
    """The R and A of an initiative: people named directly, and roles with their current holders."""

    people: frozenset[str]
    roles: tuple[str, ...]

    def mentions(self) -> str:
        named = [f"<@{user}>" for user in sorted(self.people)] + list(self.roles)
        return ", ".join(named)


# Built once: it runs for every update, and building a statement costs more than running this one.
UPDATERS_QUERY = (
    select(RaciAssignment.user_id, Role.name, RoleMember.user_id)
    .select_from(RaciAssignment)
    .join(Role, col(Role.id) == RaciAssignment.role_id, isouter=True)
    .join(RoleMember, col(RoleMember.role_id) == RaciAssignment.role_id, isouter=True)
    .where(
        RaciAssignment.initiative_id == bindparam("initiative_id"), col(RaciAssignment.letter).in_(UPDATERS)
    )
)


def updaters(session: Session, initiative_id: int) -> Updaters:
    rows = session.execute(UPDATERS_QUERY, {"initiative_id": initiative_id})
    people: set[str] = set()
    roles: list[str] = []
    for direct, role, holder in rows:
        people.update(user for user in (direct, holder) if user)
        if role and role not in roles:
            roles.append(role)
    return Updaters(frozenset(people), tuple(roles))


def can_update(
    session: Session, settings: Settings, client: WebClient, user_id: str, initiative_id: int
) -> bool:
    return user_id in updaters(session, initiative_id).people or is_admin(settings, client, user_id)
