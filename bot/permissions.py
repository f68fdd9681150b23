"""Who may do what. Admins: the people in BATON_ADMINS and the workspace's Slack admins and owners.
An initiative is updated by its R and A people (directly or through a role, as held now) and by admins.

Every check here reads who asks from `user.id` (which Slack sets) and the rest from the database, as it is
now: a button's value, a modal's private_metadata or a click's container are whatever the sender chose,
so they may say which thing is meant, never who may act on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.config import Settings
from bot.domain.portfolio import people_of
from bot.i18n import t
from bot.logs import get_logger
from bot.portfolio import raci_of
from bot.views.blocks import escape
from storage.models import Initiative, RaciLetter

UPDATERS = (RaciLetter.RESPONSIBLE, RaciLetter.ACCOUNTABLE)

log = get_logger(__name__)


class NotAllowed(Exception):
    """A request its sender may not make; nothing was written. `key` names the plain-text message (a
    modal's field error, or an ephemeral answer); `action`, the message naming what was refused."""

    def __init__(self, key: str, action: str | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.action = action

    def text(self, lang: str) -> str:
        return t(self.key, lang, **({"action": t(self.action, lang)} if self.action else {}))


def log_refusal(action: str, user: str, **about: object) -> None:
    """A refused request, for whoever reads the logs: who, what, on which thing; never what they typed."""
    log.warning("permission.refused", action=action, user=user, **about)


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


def updaters(session: Session, initiative_id: int) -> Updaters:
    raci = raci_of(session, initiative_id)
    members = [member for letter in UPDATERS for member in raci[letter]]
    return Updaters(frozenset(people_of(members)), tuple(dict.fromkeys(m.role for m in members if m.role)))


def can_update(
    session: Session, settings: Settings, client: WebClient, user_id: str, initiative_id: int
) -> bool:
    return user_id in updaters(session, initiative_id).people or is_admin(settings, client, user_id)


def refusal(session: Session, initiative: Initiative, key: str, lang: str) -> str:
    """Who may update or edit this initiative instead of the asker (`key`: the message that says so)."""
    who = updaters(session, initiative.id or 0).mentions()
    return t(key if who else f"{key}_nobody", lang, title=escape(initiative.title), who=who)


def require_admin(settings: Settings, client: WebClient, user_id: str, action: str) -> None:
    """NotAllowed (logged) unless `user_id` is an admin; `action` is the message naming what they asked."""
    if not is_admin(settings, client, user_id):
        log_refusal(action, user_id)
        raise NotAllowed("access.admins_only", action)


def require_updater(
    session: Session, settings: Settings, client: WebClient, user_id: str, initiative_id: int, action: str
) -> None:
    """NotAllowed (logged) unless `user_id` may update or edit the initiative now."""
    if not can_update(session, settings, client, user_id, initiative_id):
        log_refusal(action, user_id, initiative_id=initiative_id)
        raise NotAllowed("access.not_yours")
