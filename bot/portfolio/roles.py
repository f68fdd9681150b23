"""Roles (CFO, PMO...) and the Slack users who hold them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from bot.audit import audit
from bot.domain.roadmap import USER_MENTION
from bot.domain.text import key
from storage.models import (
    Role,
    RoleMember,
)


class NotAPerson(ValueError):
    def __init__(self, who: str) -> None:
        super().__init__(f"{who!r} is not a Slack user id like U0123ABCD")
        self.who = who


def set_role_members(
    session: Session, *, name: str, members: Sequence[str], actor: str, now: datetime
) -> Role:
    """Make `members` (Slack user ids, or `<@U…>` mentions) the holders of role `name`, creating it if new.
    Every initiative of the role follows at once: roles are resolved when used."""
    users = []
    for member in members:
        match = USER_MENTION.match(member.strip())
        if not match:
            raise NotAPerson(member)
        users.append(match[1])
    role = session.exec(select(Role).where(Role.name_key == key(name))).first()
    if role is None:
        role = Role(name=name.strip(), name_key=key(name))
        session.add(role)
        session.flush()
    for holder in session.exec(select(RoleMember).where(RoleMember.role_id == role.id)):
        session.delete(holder)
    session.flush()
    for user in dict.fromkeys(users):
        session.add(RoleMember(role_id=role.id, user_id=user))  # type: ignore[arg-type]
    audit(
        session,
        actor=actor,
        action="role.set",
        entity="role",
        entity_id=role.id,
        at=now,
        name=role.name,
        members=users,
    )
    return role


def roles_with_members(session: Session) -> list[tuple[Role, list[str]]]:
    members: dict[int, list[str]] = defaultdict(list)
    for member in session.exec(select(RoleMember).order_by(col(RoleMember.user_id))):
        members[member.role_id].append(member.user_id)
    return [
        (role, members.get(role.id or 0, []))
        for role in session.exec(select(Role).order_by(col(Role.name_key)))
    ]


def holders(session: Session, role_id: int) -> list[str]:
    return list(
        session.exec(
            select(RoleMember.user_id).where(RoleMember.role_id == role_id).order_by(col(RoleMember.user_id))
        )
    )
