"""Initiatives: created and edited from a spec (all or nothing), listed, found by name, archived."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.audit import audit
from bot.delivery.claims import one_at_a_time
from bot.domain.portfolio import (
    CLOSED_ESCALATIONS,
    RACI,
    InitiativeSpec,
)
from bot.domain.text import best_matches, key
from storage.models import (
    Escalation,
    Initiative,
    Objective,
    RaciAssignment,
    RaciLetter,
    Role,
)


def ensure_objective(
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
        set_department(session, objective, department, actor=actor, now=now)
    return objective


def set_department(
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


def initiative_in_quarter(session: Session, title: str, quarter: str) -> Initiative | None:
    return session.exec(
        select(Initiative)
        .join(Objective, col(Initiative.objective_id) == Objective.id)
        .where(Objective.quarter == quarter, Initiative.title_key == key(title))
    ).first()


def set_raci(session: Session, initiative_id: int, letter: RaciLetter, owners: set[tuple[str, Any]]) -> bool:
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


# What creates initiatives (the initiative modal, an import) runs one at a time: rare admin writes, each a
# check for a twin then an insert, which two requests at once would both pass.
PORTFOLIO_WRITES = "portfolio"


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
    if initiative_id is None:  # the same form submitted twice at once: the second finds the first's twin
        one_at_a_time(session, PORTFOLIO_WRITES)
    twin = initiative_in_quarter(session, spec.title, spec.quarter)
    if twin is not None and twin.id != initiative_id:
        problems["title"] = ("initiative.error_duplicate", {"quarter": spec.quarter})
    initiative = session.get(Initiative, initiative_id) if initiative_id is not None else None
    if initiative_id is not None and initiative is None:
        problems["title"] = ("initiative.error_gone", {})
    if problems:
        raise Rejected(problems)
    objective = ensure_objective(session, spec.objective, spec.quarter, spec.department, actor=actor, now=now)
    if spec.department is None and objective.department is not None:
        set_department(session, objective, None, actor=actor, now=now)  # cleared in the form
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
        if set_raci(session, initiative.id, letter, owners):  # type: ignore[arg-type]
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


def quarters_of(session: Session) -> dict[int, str]:
    """Each objective's quarter, by objective id (what an initiative's `objective_id` points to)."""
    rows = session.connection().execute(select(col(Objective.id), col(Objective.quarter)))
    return {objective_id or 0: quarter for objective_id, quarter in rows}


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
