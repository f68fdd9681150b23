"""The portfolio: objectives, initiatives, roles, RACI and check-ins, and the queries that own them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.audit import audit
from bot.domain.portfolio import (
    CLOSED_ESCALATIONS,
    NO_DETAILS,
    RACI,
    Details,
    InitiativeSpec,
    RaciMember,
    StatusChange,
)
from bot.domain.roadmap import USER_MENTION, Owner, RoadmapRow, emails_in
from bot.domain.text import best_matches, key
from storage.models import (
    CheckIn,
    CheckInSource,
    Escalation,
    Initiative,
    Objective,
    RaciAssignment,
    RaciLetter,
    Role,
    RoleMember,
    Status,
)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    roles_created: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} initiatives created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged; {len(self.roles_created)} roles created"
            + (f" ({', '.join(self.roles_created)})" if self.roles_created else "")
        )


def import_roadmap(
    session: Session, rows: Sequence[RoadmapRow], *, quarter: str, actor: str, now: datetime
) -> ImportReport:
    """Create or update what the roadmap says; a row identical to what is stored changes nothing.
    Owners named by e-mail must have been turned into their Slack users first (`roadmap.with_people`)."""
    if emails := emails_in(rows):
        raise ValueError(f"e-mail owners not looked up in Slack: {sorted(emails)}")
    report = ImportReport()
    roles = {role.name_key: role for role in session.exec(select(Role))}
    for row in rows:
        row_quarter = row.quarter or quarter
        objective = _objective(session, row.objective, row_quarter, row.department, actor=actor, now=now)
        owner_roles = []
        for owner in row.owners:
            if owner.kind == "role" and key(owner.ref) not in roles:
                role = Role(name=owner.ref, name_key=key(owner.ref))
                session.add(role)
                session.flush()
                roles[role.name_key] = role
                report.roles_created.append(role.name)
                audit(
                    session,
                    actor=actor,
                    action="role.create",
                    entity="role",
                    entity_id=role.id,
                    at=now,
                    name=role.name,
                )
            if owner.kind == "role":
                owner_roles.append(roles[key(owner.ref)].id)
        desired: dict[str, Any] = {
            "objective_id": objective.id,
            "title": row.initiative,
            "kpi_name": row.kpi_name,
            "kpi_unit": row.kpi_unit,
            "kpi_baseline": row.baseline,
            "kpi_target": row.target_level,
            "kpi_direction": row.target.direction if row.target else "up",
            "target_mode": row.target.mode if row.target else None,
            "target_change": row.target.change if row.target else None,
            "due_date": row.due,
        }
        owners = {("role", role_id) for role_id in owner_roles} | {
            ("user", owner.ref) for owner in row.owners if owner.kind == "user"
        }
        initiative = _initiative_in_quarter(session, row.initiative, row_quarter)
        if initiative is None:
            initiative = Initiative(title_key=key(row.initiative), created_at=now, updated_at=now, **desired)
            session.add(initiative)
            session.flush()
            _set_raci(session, initiative.id, RaciLetter.RESPONSIBLE, owners)  # type: ignore[arg-type]
            report.created.append(row.initiative)
            audit(
                session,
                actor=actor,
                action="initiative.create",
                entity="initiative",
                entity_id=initiative.id,
                at=now,
                title=row.initiative,
                line=row.line,
            )
            continue
        changed = [name for name, value in desired.items() if getattr(initiative, name) != value]
        for name in changed:
            setattr(initiative, name, desired[name])
        if _set_raci(session, initiative.id, RaciLetter.RESPONSIBLE, owners):  # type: ignore[arg-type]
            changed.append("responsible")
        if not changed:
            report.unchanged.append(row.initiative)
            continue
        initiative.updated_at = now
        report.updated.append(row.initiative)
        audit(
            session,
            actor=actor,
            action="initiative.update",
            entity="initiative",
            entity_id=initiative.id,
            at=now,
            changed=changed,
            line=row.line,
        )
    return report


def _objective(
    session: Session, title: str, quarter: str, department: str | None, *, actor: str, now: datetime
) -> Objective:
    """The objective of that title in that quarter, created if new (the same title is the same objective);
    a department given is set on it."""
    objective = session.exec(
        select(Objective).where(Objective.quarter == quarter, Objective.title_key == key(title))
    ).first()
    if objective is None:
        objective = Objective(
            title=title, title_key=key(title), department=department, quarter=quarter, created_at=now
        )
        session.add(objective)
        session.flush()
        audit(
            session,
            actor=actor,
            action="objective.create",
            entity="objective",
            entity_id=objective.id,
            at=now,
            title=title,
            quarter=quarter,
        )
    elif department:
        _set_department(session, objective, department, actor=actor, now=now)
    return objective


def _set_department(
    session: Session, objective: Objective, department: str | None, *, actor: str, now: datetime
) -> None:
    if objective.department == department:
        return
    objective.department = department
    audit(
        session,
        actor=actor,
        action="objective.update",
        entity="objective",
        entity_id=objective.id,
        at=now,
        department=department,
    )


def _initiative_in_quarter(session: Session, title: str, quarter: str) -> Initiative | None:
    return session.exec(
        select(Initiative)
        .join(Objective, col(Initiative.objective_id) == Objective.id)
        .where(Objective.quarter == quarter, Initiative.title_key == key(title))
    ).first()


def _set_raci(session: Session, initiative_id: int, letter: RaciLetter, owners: set[tuple[str, Any]]) -> bool:
    """Make one letter of the RACI exactly `owners` (("user", id) or ("role", role id)); True when that
    changed anything."""
    current = session.exec(
        select(RaciAssignment).where(
            RaciAssignment.initiative_id == initiative_id, RaciAssignment.letter == letter
        )
    ).all()
    have = {("role", a.role_id) if a.role_id is not None else ("user", a.user_id) for a in current}
    if have == owners:
        return False
    for assignment in current:
        session.delete(assignment)
    session.flush()
    for kind, ref in sorted(owners, key=str):
        session.add(
            RaciAssignment(
                initiative_id=initiative_id,
                letter=letter,
                role_id=ref if kind == "role" else None,
                user_id=ref if kind == "user" else None,
            )
        )
    return True


class Rejected(ValueError):
    """What makes a spec unsavable: field name → (message key, its values). Nothing was written."""

    def __init__(self, problems: dict[str, tuple[str, dict[str, str]]]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def save_initiative(
    session: Session, spec: InitiativeSpec, *, initiative_id: int | None, actor: str, now: datetime
) -> Initiative:
    """Create an initiative (`initiative_id` None) or change one to match `spec`, RACI included; all or
    nothing: every problem is found before anything is written, and raised as Rejected."""
    roles = {role.name_key: role for role in session.exec(select(Role))}
    problems: dict[str, tuple[str, dict[str, str]]] = {}
    for letter in RACI:
        unknown = [name for name in spec.roles.get(letter, ()) if key(name) not in roles]
        if unknown:
            known = ", ".join(role.name for role in sorted(roles.values(), key=lambda r: r.name_key))
            problems[f"roles_{letter.value}"] = (
                "initiative.error_roles",
                {"names": ", ".join(unknown), "known": known or "—"},
            )
    if not spec.people.get(RaciLetter.RESPONSIBLE) and not spec.roles.get(RaciLetter.RESPONSIBLE):
        problems["people_R"] = ("initiative.error_no_owner", {})
    twin = _initiative_in_quarter(session, spec.title, spec.quarter)
    if twin is not None and twin.id != initiative_id:
        problems["title"] = ("initiative.error_duplicate", {"quarter": spec.quarter})
    initiative = session.get(Initiative, initiative_id) if initiative_id is not None else None
    if initiative_id is not None and initiative is None:
        problems["title"] = ("initiative.error_gone", {})
    if problems:
        raise Rejected(problems)
    objective = _objective(session, spec.objective, spec.quarter, spec.department, actor=actor, now=now)
    if spec.department is None and objective.department is not None:
        _set_department(session, objective, None, actor=actor, now=now)  # cleared in the form
    desired: dict[str, Any] = {
        "objective_id": objective.id,
        "title": spec.title,
        "title_key": key(spec.title),
        "kpi_name": spec.kpi_name,
        "kpi_unit": spec.kpi_unit,
        "kpi_baseline": spec.kpi_baseline,
        "kpi_target": spec.kpi_target,
        "kpi_direction": spec.kpi_direction,
        "due_date": spec.due_date,
    }
    if initiative is None:
        initiative = Initiative(created_at=now, updated_at=now, **desired)
        session.add(initiative)
        session.flush()
        changed = ["created"]
    else:
        changed = [name for name, value in desired.items() if getattr(initiative, name) != value]
        for name in changed:
            setattr(initiative, name, desired[name])
    for letter in RACI:
        owners = {("user", user) for user in spec.people.get(letter, ())} | {
            ("role", roles[key(name)].id) for name in spec.roles.get(letter, ())
        }
        if _set_raci(session, initiative.id, letter, owners):  # type: ignore[arg-type]
            changed.append(f"raci_{letter.value}")
    if changed:
        initiative.updated_at = now
        audit(
            session,
            actor=actor,
            action="initiative.create" if changed[0] == "created" else "initiative.update",
            entity="initiative",
            entity_id=initiative.id,
            at=now,
            title=initiative.title,
            changed=changed,
        )
    return initiative


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


def active_initiatives(session: Session) -> list[Initiative]:
    return list(
        session.exec(
            select(Initiative).where(col(Initiative.archived).is_(False)).order_by(col(Initiative.title_key))
        )
    )


ACTIVE_TITLE_KEYS = select(Initiative.id, Initiative.title_key).where(col(Initiative.archived).is_(False))


def listed_initiatives(
    session: Session, *, department: str | None = None, quarter: str | None = None
) -> list[Initiative]:
    """The active initiatives of the departments whose name matches `department` leniently (case, accents,
    prefixes) and of `quarter`, by title."""
    query = (
        select(Initiative, Objective.department)
        .join(Objective, col(Initiative.objective_id) == Objective.id)
        .where(col(Initiative.archived).is_(False))
        .order_by(col(Initiative.title_key))
    )
    if quarter:
        query = query.where(Objective.quarter == quarter)
    rows = list(session.exec(query))
    if department is None:
        return [initiative for initiative, _ in rows]
    names = {name for _, name in rows if name}
    wanted = set(best_matches(department, {name: key(name) for name in names}))
    return [initiative for initiative, name in rows if name in wanted]


def departments(session: Session) -> list[str]:
    """The departments that have active initiatives, by name."""
    rows = session.exec(
        select(Objective.department)
        .join(Initiative, col(Initiative.objective_id) == Objective.id)
        .where(col(Initiative.archived).is_(False), col(Objective.department).is_not(None))
        .distinct()
    )
    return sorted((name for name in rows if name), key=key)


def open_escalations(session: Session, initiative_id: int) -> list[Escalation]:
    """The escalations of an initiative not yet decided or resolved, oldest first."""
    return list(
        session.exec(
            select(Escalation)
            .where(
                Escalation.initiative_id == initiative_id,
                col(Escalation.state).not_in([state.value for state in CLOSED_ESCALATIONS]),
            )
            .order_by(col(Escalation.opened_at), col(Escalation.id))
        )
    )


def find_initiatives(session: Session, query: str) -> list[Initiative]:
    """The active initiatives whose title best matches what a person typed (see `best_matches`).
    Matching reads only the stored title keys; just the matches are loaded."""
    ids = best_matches(query, {row.id: row.title_key for row in session.execute(ACTIVE_TITLE_KEYS)})
    if not ids:
        return []
    matches = session.exec(select(Initiative).where(col(Initiative.id).in_(ids))).all()
    return sorted(matches, key=lambda initiative: initiative.title_key)


def record_checkin(
    session: Session,
    *,
    initiative: Initiative,
    author: str,
    status: Status,
    kpi_value: float | None,
    comment: str | None,
    source: CheckInSource,
    cycle: str,
    now: datetime,
    details: Details = NO_DETAILS,
    dedupe_key: str | None = None,
) -> CheckIn:
    """Append a check-in to the history; the initiative's current status and KPI follow the latest one.

    A `dedupe_key` is unique: a second submission racing the first fails the whole transaction with an
    IntegrityError, so nothing of it is written (see `rituals.answers.answer`).
    """
    checkin = CheckIn(
        initiative_id=initiative.id,  # type: ignore[arg-type]
        cycle=cycle,
        author=author,
        status=status,
        kpi_value=kpi_value,
        comment=comment,
        **vars(details),
        source=source,
        submitted_at=now,
        dedupe_key=dedupe_key,
    )
    session.add(checkin)
    session.flush()
    initiative.status = status
    if kpi_value is not None:
        initiative.kpi_current = kpi_value
    initiative.updated_at = now
    audit(
        session,
        actor=author,
        action="checkin.create",
        entity="checkin",
        entity_id=checkin.id,
        at=now,
        initiative_id=initiative.id,
        cycle=cycle,
        status=str(status),
        kpi_value=kpi_value,
        source=str(source),
        **{name: value for name, value in vars(details).items() if value is not None},
    )
    return checkin


def latest_checkin(session: Session, initiative_id: int) -> CheckIn | None:
    """The newest check-in of an initiative, in any cycle: the update modal's defaults."""
    return next(iter(history(session, initiative_id, limit=1)), None)


def latest_checkins(session: Session) -> dict[int, CheckIn]:
    """The newest check-in of each initiative that has one."""
    newest = (
        select(CheckIn.initiative_id, func.max(CheckIn.id).label("id")).group_by(col(CheckIn.initiative_id))
    ).subquery()
    rows = session.exec(select(CheckIn).join(newest, col(CheckIn.id) == newest.c.id))
    return {checkin.initiative_id: checkin for checkin in rows}


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
        for checkin in _checkins_of(session, titles)
    ]
    return {"initiatives": initiatives, "roles": roles, "checkins": checkins}


def _checkins_of(session: Session, initiative_ids: Iterable[int | None]) -> list[CheckIn]:
    ids = [i for i in initiative_ids if i is not None]
    if not ids:
        return []
    return list(
        session.exec(
            select(CheckIn)
            .where(col(CheckIn.initiative_id).in_(ids))
            .order_by(col(CheckIn.submitted_at), col(CheckIn.id))
        )
    )


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


def answers_in_cycle(session: Session, cycle: str) -> dict[int, CheckIn]:
    """The latest check-in of each initiative in `cycle`."""
    newest = (
        select(func.max(CheckIn.id).label("id"))
        .where(CheckIn.cycle == cycle)
        .group_by(col(CheckIn.initiative_id))
    ).subquery()
    rows = session.exec(select(CheckIn).join(newest, col(CheckIn.id) == newest.c.id))
    return {checkin.initiative_id: checkin for checkin in rows}


def status_changes(session: Session, cycle: str) -> list[StatusChange]:
    """The active initiatives whose status in `cycle` differs from their last one before it."""
    before_cycle = (
        select(func.max(CheckIn.id).label("id"))
        .where(CheckIn.cycle < cycle)
        .group_by(col(CheckIn.initiative_id))
    ).subquery()
    earlier = {
        checkin.initiative_id: checkin.status
        for checkin in session.exec(select(CheckIn).join(before_cycle, col(CheckIn.id) == before_cycle.c.id))
    }
    current = answers_in_cycle(session, cycle)
    changed = [i for i, c in current.items() if i in earlier and earlier[i] != c.status]
    if not changed:
        return []
    initiatives = session.exec(
        select(Initiative)
        .where(col(Initiative.id).in_(changed), col(Initiative.archived).is_(False))
        .order_by(col(Initiative.title_key))
    )
    return [
        StatusChange(i, Status(earlier[i.id or 0]), Status(current[i.id or 0].status)) for i in initiatives
    ]


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


def missing_updates(session: Session, cycle: str) -> dict[str, list[Initiative]]:
    """Each owner who has not answered for every initiative of theirs in `cycle`, with what is missing."""
    answers = answers_in_cycle(session, cycle)
    missing = {
        user: [i for i in initiatives if (i.id or 0) not in answers]
        for user, initiatives in responsible_people(session).items()
    }
    return {user: initiatives for user, initiatives in missing.items() if initiatives}


NEWEST_FIRST = (col(CheckIn.submitted_at).desc(), col(CheckIn.id).desc())


def history(session: Session, initiative_id: int, limit: int = 8) -> list[CheckIn]:
    """The latest check-ins of an initiative, newest first."""
    return list(
        session.exec(
            select(CheckIn).where(CheckIn.initiative_id == initiative_id).order_by(*NEWEST_FIRST).limit(limit)
        )
    )


def histories(session: Session, initiative_ids: Iterable[int], limit: int = 8) -> dict[int, list[CheckIn]]:
    """`history` for many initiatives, in one query (the newest `limit` of each, ranked in the database)."""
    ids = list(dict.fromkeys(initiative_ids))
    found: dict[int, list[CheckIn]] = {initiative_id: [] for initiative_id in ids}
    if not ids:
        return found
    rank = func.row_number().over(partition_by=col(CheckIn.initiative_id), order_by=NEWEST_FIRST)
    ranked = select(CheckIn, rank.label("rank")).where(col(CheckIn.initiative_id).in_(ids)).subquery()
    latest = aliased(CheckIn, ranked)
    query = select(latest).where(ranked.c.rank <= limit).order_by(ranked.c.initiative_id, ranked.c.rank)
    for checkin in session.exec(query):
        found[checkin.initiative_id].append(checkin)
    return found


def holders(session: Session, role_id: int) -> list[str]:
    return list(
        session.exec(
            select(RoleMember.user_id).where(RoleMember.role_id == role_id).order_by(col(RoleMember.user_id))
        )
    )


def department_counts(session: Session) -> dict[str | None, Counter[str | None]]:
    """Active initiatives' statuses, counted per department (None: initiatives without one)."""
    counts: dict[str | None, Counter[str | None]] = defaultdict(Counter)
    rows = session.exec(
        select(Objective.department, Initiative.status)
        .join(Objective, col(Initiative.objective_id) == Objective.id)
        .where(col(Initiative.archived).is_(False))
    )
    for department, status in rows:
        counts[department][status] += 1
    return dict(counts)


def archive(session: Session, initiative: Initiative, *, actor: str, now: datetime) -> None:
    """Out of the prompts, lists and digests; its history stays."""
    initiative.archived = True
    initiative.updated_at = now
    audit(
        session,
        actor=actor,
        action="initiative.archive",
        entity="initiative",
        entity_id=initiative.id,
        at=now,
        title=initiative.title,
    )
