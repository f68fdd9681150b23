"""Importing a quarterly roadmap: objectives, initiatives, roles and owners, idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.audit import audit
from bot.config import Settings
from bot.delivery.claims import one_at_a_time
from bot.domain.roadmap import RoadmapRow, emails_in
from bot.domain.text import key
from bot.portfolio.initiatives import PORTFOLIO_WRITES, ensure_objective, initiative_in_quarter, set_raci
from bot.workspace import load_workspace
from storage.db import session_scope
from storage.models import (
    Initiative,
    RaciLetter,
    Role,
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


def import_rows(
    engine: Engine,
    settings: Settings,
    rows: Sequence[RoadmapRow],
    *,
    quarter: str | None,
    actor: str,
    now: datetime,
) -> ImportReport:
    """`import_roadmap` in a transaction of its own; rows without a quarter go in `quarter`, else in the
    workspace's current one."""
    with session_scope(engine) as session:
        default = quarter or load_workspace(session, settings).quarter(now)
        return import_roadmap(session, rows, quarter=default, actor=actor, now=now)


def import_roadmap(
    session: Session, rows: Sequence[RoadmapRow], *, quarter: str, actor: str, now: datetime
) -> ImportReport:
    """Create or update what the roadmap says; a row identical to what is stored changes nothing.
    Owners named by e-mail must have been turned into their Slack users first (`roadmap.with_people`)."""
    if emails := emails_in(rows):
        raise ValueError(f"e-mail owners not looked up in Slack: {sorted(emails)}")
    one_at_a_time(session, PORTFOLIO_WRITES)  # two imports at once: the second finds what the first made
    report = ImportReport()
    roles = {role.name_key: role for role in session.exec(select(Role))}
    for row in rows:
        row_quarter = row.quarter or quarter
        objective = ensure_objective(
            session, row.objective, row_quarter, row.department, actor=actor, now=now
        )
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
        initiative = initiative_in_quarter(session, row.initiative, row_quarter)
        if initiative is None:
            initiative = Initiative(title_key=key(row.initiative), created_at=now, updated_at=now, **desired)
            session.add(initiative)
            session.flush()
            set_raci(session, initiative.id, RaciLetter.RESPONSIBLE, owners)  # type: ignore[arg-type]
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
        if initiative.carried_from_id is not None:
            # carried over from last quarter: what the roadmap leaves blank keeps the level reached then
            desired = {
                name: value
                for name, value in desired.items()
                if value is not None or name not in ("kpi_baseline", "kpi_target", "kpi_name", "kpi_unit")
            }
        changed = [name for name, value in desired.items() if getattr(initiative, name) != value]
        for name in changed:
            setattr(initiative, name, desired[name])
        if set_raci(session, initiative.id, RaciLetter.RESPONSIBLE, owners):  # type: ignore[arg-type]
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
