"""`baton sandbox --demo`: the example roadmap, its roles held by the sandbox's people, and four weeks of
check-ins, so the first digest already has trends to show and something to escalate.

The story: onboarding gets faster week after week; the ERP roll-out slows down and is at risk; the
pricing review misses its margin two weeks running and needs a decision; the managers' coaching
programme is on track.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from bot.audit import audit
from bot.config import Settings
from bot.domain.cycles import cycle_key
from bot.domain.portfolio import Details
from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap, record_checkin, set_role_members
from bot.sandbox.directory import CAMILLE, JORDAN, LEA, PRIYA, TEAM_CHANNELS
from bot.workspace import load_workspace
from storage.db import session_scope
from storage.models import (
    CheckInSource,
    Direction,
    Initiative,
    Objective,
    RaciAssignment,
    RaciLetter,
    Status,
    WorkspaceSettings,
)

ACTOR = "sandbox-demo"
# The example roadmap, installed with Baton (tests and benches read it too): the stories below are written
# for its titles.
ROADMAP = Path(__file__).with_name("roadmap-q1.md")
ROLES = {
    "Ops Manager": [LEA.id],
    "CHRO": [LEA.id],
    "PMO": [CAMILLE.id],
    "IT": [JORDAN.id],
    "CFO": [PRIYA.id],
    "Sales": [JORDAN.id],
}
ON, RISK, OFF = Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK
# The demo's escalations are the story's: pricing off track and needing a decision, the ERP at risk.
QUIET_RULES = {"projection_miss": {"enabled": False}, "confidence_drop": {"enabled": False}}


@dataclass(frozen=True)
class Week:
    status: Status
    kpi: float
    author: str
    confidence: int
    comment: str
    blockers: str | None = None
    decision_needed: str | None = None
    decision_options: str | None = None


@dataclass(frozen=True)
class Story:
    title_start: str  # how the roadmap's title starts
    accountable: str  # the roadmap names who is responsible; the demo adds who is accountable
    department: str
    baseline: float
    target: float
    direction: Direction
    weeks: tuple[Week, ...]  # oldest first; the last one is the current week


STORIES = (
    Story(
        "Standardiser",
        CAMILLE.id,
        "Operations",
        30,
        24,
        Direction.DOWN,
        (
            Week(ON, 29.5, LEA.id, 4, "Nouveau parcours d’accueil testé avec 12 clients."),
            Week(ON, 28.8, LEA.id, 4, "Checklist d’activation partagée avec le support."),
            Week(ON, 28.0, LEA.id, 4, "Les comptes entreprise passent au parcours standard."),
            Week(ON, 27.2, LEA.id, 5, "Délai en baisse pour la 4e semaine."),
        ),
    ),
    Story(
        "Déploiement ERP",
        PRIYA.id,
        "IT",
        40,
        100,
        Direction.UP,
        (
            Week(ON, 48, CAMILLE.id, 4, "Espagne et Italie en production."),
            Week(ON, 55, JORDAN.id, 4, "US subsidiaries trained."),
            Week(
                RISK, 58, JORDAN.id, 3, "US go-live slips a week.", blockers="Bank connector not certified."
            ),
            Week(RISK, 59, CAMILLE.id, 2, "Adoption stalls.", blockers="Bank connector still not certified."),
        ),
    ),
    Story(
        "Revue prix",
        PRIYA.id,
        "Finance",
        12,
        15,
        Direction.UP,
        (
            Week(ON, 12.1, PRIYA.id, 4, "Segment analysis done."),
            Week(RISK, 11.8, JORDAN.id, 3, "Discounts above plan in the SMB segment."),
            Week(OFF, 11.4, PRIYA.id, 2, "Margin down again: discounting continues."),
            Week(
                OFF,
                11.0,
                PRIYA.id,
                2,
                "Margin 11.0 % against 15 % targeted.",
                blockers="Sales and finance disagree on the SMB price list.",
                decision_needed="Raise SMB prices by 4 % or cap discounts at 8 %?",
                decision_options="A: +4 % SMB list prices · B: discounts capped at 8 % · C: wait for Q1",
            ),
        ),
    ),
    Story(
        "Programme",
        CAMILLE.id,
        "Operations",
        20,
        22,
        Direction.UP,
        (
            Week(ON, 20, LEA.id, 3, "Première promotion de 15 managers lancée."),
            Week(ON, 20.5, LEA.id, 4, "Ateliers de feedback planifiés."),
            Week(ON, 21, LEA.id, 4, "Sondage pulse : +1 pt."),
            Week(ON, 21.5, LEA.id, 4, "Deuxième promotion ouverte."),
        ),
    ),
)


def clear_tables(engine: Engine) -> None:
    """The demo starts from an empty database (the schema stays)."""
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


def load_demo(engine: Engine, settings: Settings, now: datetime) -> None:
    rows = parse_roadmap(ROADMAP.read_text(encoding="utf-8-sig"), ROADMAP.name)
    with session_scope(engine) as session:
        workspace = load_workspace(session, settings)
        tz, quarter = workspace.tz, workspace.quarter(now)
        import_roadmap(session, rows, quarter=quarter, actor=ACTOR, now=now - timedelta(weeks=5))
        for role, members in ROLES.items():
            set_role_members(session, name=role, members=members, actor=ACTOR, now=now - timedelta(weeks=5))
        cadence = session.get(WorkspaceSettings, 1) or WorkspaceSettings()
        cadence.team_channels = dict(TEAM_CHANNELS)
        cadence.escalation_contact = PRIYA.id
        cadence.escalation_rules = dict(QUIET_RULES)
        session.add(cadence)
        initiatives = list(session.exec(select(Initiative)))
        for story in STORIES:
            initiative = next(i for i in initiatives if i.title.startswith(story.title_start))
            _tell(session, initiative, story, now, tz)
        audit(session, actor=ACTOR, action="sandbox.demo", entity="settings", entity_id=1, at=now)


def _tell(session: Session, initiative: Initiative, story: Story, now: datetime, tz: tzinfo) -> None:
    objective = session.get(Objective, initiative.objective_id)
    if objective is not None:
        objective.department = story.department
    initiative.kpi_baseline, initiative.kpi_target = story.baseline, story.target
    initiative.kpi_direction = story.direction
    session.add(
        RaciAssignment(
            initiative_id=initiative.id,  # type: ignore[arg-type]
            letter=RaciLetter.ACCOUNTABLE,
            user_id=story.accountable,
        )
    )
    this_monday = _monday_10(now, tz)
    for index, week in enumerate(story.weeks):  # oldest first: the last one is the current status
        age = len(story.weeks) - 1 - index
        submitted = this_monday - timedelta(weeks=age) + timedelta(minutes=7 * len(week.comment))
        if submitted >= now:  # the current week's answers are not in yet
            continue
        record_checkin(
            session,
            initiative=initiative,
            author=week.author,
            status=week.status,
            kpi_value=week.kpi,
            comment=week.comment,
            source=CheckInSource.MODAL,
            cycle=cycle_key(submitted, tz),
            now=submitted,
            details=Details(
                confidence=week.confidence,
                blockers=week.blockers,
                decision_needed=week.decision_needed,
                decision_options=week.decision_options,
            ),
        )


def _monday_10(now: datetime, tz: tzinfo) -> datetime:
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, 10, tzinfo=tz)
