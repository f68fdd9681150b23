"""Who is responsible, accountable, consulted and informed, with the holders of the roles named."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from bot.domain.portfolio import (
    RACI,
    RaciMember,
)
from bot.domain.roadmap import Owner
from storage.models import (
    Initiative,
    RaciAssignment,
    RaciLetter,
    Role,
    RoleMember,
    Status,
)

RACI_QUERY = (  # five columns: more than sqlmodel's `select` is typed for
    sa.select(
        col(RaciAssignment.initiative_id),
        col(RaciAssignment.letter),
        col(RaciAssignment.user_id),
        col(Role.name),
        col(RoleMember.user_id),
    )
    .select_from(RaciAssignment)
    .join(Role, col(Role.id) == RaciAssignment.role_id, isouter=True)
    .join(RoleMember, col(RoleMember.role_id) == RaciAssignment.role_id, isouter=True)
    .where(col(RaciAssignment.initiative_id).in_(bindparam("initiative_ids", expanding=True)))
    .order_by(col(RaciAssignment.id), col(RoleMember.user_id))
)


def raci_of(session: Session, initiative_id: int) -> dict[RaciLetter, list[RaciMember]]:
    """The whole RACI of an initiative, letter by letter, roles resolved to their holders now."""
    return racis_of(session, [initiative_id])[initiative_id]


def racis_of(
    session: Session, initiative_ids: Iterable[int]
) -> dict[int, dict[RaciLetter, list[RaciMember]]]:
    """`raci_of` for many initiatives, in one query."""
    ids = list(dict.fromkeys(initiative_ids))
    entries: dict[int, dict[RaciLetter, dict[tuple[str | None, str | None], list[str]]]] = {
        initiative_id: {letter: {} for letter in RACI} for initiative_id in ids
    }
    if ids:
        rows = session.execute(RACI_QUERY, {"initiative_ids": ids})
        for initiative_id, letter, user, role, holder in rows:
            holders = entries[initiative_id][RaciLetter(letter)].setdefault((user, role), [])
            if holder:
                holders.append(holder)
    return {
        initiative_id: {
            letter: [RaciMember(user, role, tuple(holders)) for (user, role), holders in members.items()]
            for letter, members in letters.items()
        }
        for initiative_id, letters in entries.items()
    }


def owners_by_initiative(session: Session) -> dict[int, list[Owner]]:
    """Each initiative's R: roles and Slack users."""
    owners: dict[int, list[Owner]] = defaultdict(list)
    rows = session.exec(
        select(RaciAssignment, Role)
        .join(Role, col(RaciAssignment.role_id) == Role.id, isouter=True)
        .where(RaciAssignment.letter == RaciLetter.RESPONSIBLE)
        .order_by(col(RaciAssignment.id))
    )
    for assignment, role in rows:
        owner = Owner("role", role.name) if role else Owner("user", str(assignment.user_id))
        owners[assignment.initiative_id].append(owner)
    return owners


def responsible_ids(session: Session) -> dict[int, tuple[str, ...]]:
    """Each initiative's R as Slack user ids, roles resolved to their holders now: plain rows, cheap."""
    rows = session.connection().execute(
        select(col(RaciAssignment.initiative_id), col(RaciAssignment.user_id), col(RoleMember.user_id))
        .join(RoleMember, col(RoleMember.role_id) == RaciAssignment.role_id, isouter=True)
        .where(col(RaciAssignment.letter) == RaciLetter.RESPONSIBLE)
    )
    people: dict[int, dict[str, None]] = defaultdict(dict)
    for initiative_id, direct, through_role in rows:
        if user := direct or through_role:
            people[initiative_id][user] = None
    return {initiative_id: tuple(users) for initiative_id, users in people.items()}


def responsible_people(session: Session) -> dict[str, list[Initiative]]:
    """Who answers for what this week: each person in the R of an open initiative, directly or through a
    role (resolved to its holders now, so a new CFO gets the CFO's initiatives at once)."""
    rows = session.exec(
        select(Initiative, RaciAssignment.user_id, RoleMember.user_id)
        .join(RaciAssignment, col(RaciAssignment.initiative_id) == Initiative.id)
        .join(RoleMember, col(RoleMember.role_id) == RaciAssignment.role_id, isouter=True)
        .where(col(Initiative.archived).is_(False), RaciAssignment.letter == RaciLetter.RESPONSIBLE)
        .order_by(col(Initiative.title_key))
    )
    people: dict[str, dict[int, Initiative]] = defaultdict(dict)
    for initiative, direct, through_role in rows:
        user = direct or through_role
        if user and initiative.status not in (Status.DONE, Status.DROPPED):
            people[user][initiative.id or 0] = initiative
    return {user: list(initiatives.values()) for user, initiatives in sorted(people.items())}
