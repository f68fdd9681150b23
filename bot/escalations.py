"""Escalations and the decision log: opening one, its alert in the leadership channel, and what people
do with it (acknowledge, schedule for the committee, record a decision, resolve).

The alert is posted through the outbox in the same transaction that opens the escalation, and every
later change rewrites it in place (chat.update), never as a new post. One escalation per initiative and
rule is open at a time: `open_key` is unique while it is open, so two replicas opening the same one
agree on a single row (and a single alert).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.audit import audit, audit_all
from bot.config import Settings
from bot.delivery.claims import Due, insert_claims
from bot.delivery.outbox import (
    Post,
    enqueue_post,
    enqueue_posts,
    enqueue_reply,
    enqueue_update,
    replace_pending,
)
from bot.domain.cycles import quarter_bounds
from bot.domain.escalation import MANUAL, next_committee
from bot.domain.portfolio import CLOSED_ESCALATIONS, people_of
from bot.domain.text import best_matches
from bot.logs import get_logger
from bot.people import language_for
from bot.permissions import is_admin
from bot.portfolio import ACTIVE_TITLE_KEYS, find_initiatives, histories, raci_of, racis_of
from bot.views.blocks import escape
from bot.views.escalation import AlertData, DecisionForm, alert_message, decision_dm, level_reply
from bot.workspace import Workspace
from storage.db import session_scope
from storage.models import (
    Decision,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Escalation,
    EscalationState,
    Initiative,
    RaciLetter,
    Ritual,
    RitualRun,
    RunState,
)

RITUAL = Ritual.ESCALATION  # claims of alerts and re-escalation replies
log = get_logger(__name__)
RECENT_UPDATES = 4


def open_key(initiative_id: int, rule: str) -> str:
    return f"{initiative_id}:{rule}"


def alert_target(escalation_id: int | None) -> str:
    return f"alert:{escalation_id}"


# -- RACI -------------------------------------------------------------------------------------------
def accountable(session: Session, initiative_id: int) -> list[str]:
    return people_of(raci_of(session, initiative_id)[RaciLetter.ACCOUNTABLE])


# -- the alert --------------------------------------------------------------------------------------
def alerts_data(session: Session, escalations: Sequence[Escalation]) -> list[AlertData]:
    """What the alerts of these escalations show, in a fixed number of queries however many they are."""
    initiative_ids = [escalation.initiative_id for escalation in escalations]
    initiatives = session.exec(select(Initiative).where(col(Initiative.id).in_(initiative_ids)))
    by_id = {initiative.id: initiative for initiative in initiatives}
    decisions = session.exec(
        select(Decision)
        .where(col(Decision.escalation_id).in_([escalation.id for escalation in escalations]))
        .order_by(col(Decision.id))
    )
    latest_decision = {decision.escalation_id: decision for decision in decisions}  # the newest wins
    recent = histories(session, initiative_ids, RECENT_UPDATES)
    racis = racis_of(session, initiative_ids)
    return [
        AlertData(
            escalation=escalation,
            initiative=by_id[escalation.initiative_id],
            recent=recent[escalation.initiative_id],
            raci=racis[escalation.initiative_id],
            decision=latest_decision.get(escalation.id),
        )
        for escalation in escalations
    ]


def render_alerts(session: Session, escalations: Sequence[Escalation], lang: str) -> list[dict[str, Any]]:
    """The alerts as they stand, in `lang` (the workspace's: an alert is read by a whole channel)."""
    return [alert_message(data, lang) for data in alerts_data(session, escalations)]


def render_alert(session: Session, escalation: Escalation, lang: str) -> dict[str, Any]:
    [message] = render_alerts(session, [escalation], lang)
    return message


@dataclass(frozen=True)
class Opening:
    """An escalation to open: the rule that fired for an initiative, and what it saw."""

    initiative_id: int
    rule: str
    reason: str


def open_escalations(
    session: Session,
    openings: Sequence[Opening],
    *,
    workspace: Workspace,
    cycle: str,
    channel: str,
    now: datetime,
    opened_by: str | None = None,
) -> list[Escalation]:
    """Open escalations and queue their alerts, in the caller's transaction and in a fixed number of
    statements however many they are (bulk inserts: the caller keeps batches to a few hundred). One whose
    key is taken (opened meanwhile by another run or replica: theirs stands) is left out, alert and all:
    the unique `open_key` decides, and only the rows this call inserted are returned and alerted."""
    if not openings:
        return []
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Escalation).on_conflict_do_nothing(index_elements=["open_key"]).returning(col(Escalation.id))
    )
    # in key order: replicas racing for the same keys take them in the same order (no deadlock on PostgreSQL)
    ordered = sorted(openings, key=lambda opening: (opening.initiative_id, opening.rule))
    rows = [
        {
            "initiative_id": opening.initiative_id,
            "rule": opening.rule,
            "open_key": open_key(opening.initiative_id, opening.rule),
            "state": EscalationState.OPEN,
            "reason": opening.reason,
            "cycle": cycle,
            "opened_by": opened_by,
            "opened_at": now,
            "updated_at": now,
            "sla_deadline": now + workspace.sla,
            "level": 0,
            "channel": channel,
        }
        for opening in ordered
    ]
    inserted = list(session.execute(statement, rows).scalars())
    if not inserted:
        return []
    escalations = list(
        session.exec(select(Escalation).where(col(Escalation.id).in_(inserted)).order_by(col(Escalation.id)))
    )
    claims = insert_claims(
        session,
        ritual=RITUAL,
        items=[Due(cycle, alert_target(escalation.id), state=RunState.QUEUED) for escalation in escalations],
        now=now,
    )
    posts = [
        Post(channel, message, claims[(cycle, alert_target(escalation.id))])
        for escalation, message in zip(
            escalations, render_alerts(session, escalations, workspace.language), strict=True
        )
    ]
    enqueue_posts(session, kind=DeliveryKind.ESCALATION, posts=posts, now=now)
    audit_escalations(
        session,
        "open",
        [(e.id, {"initiative_id": e.initiative_id, "rule": e.rule, "reason": e.reason}) for e in escalations],
        actor=opened_by or "baton",
        now=now,
    )
    return escalations


def open_escalation(
    session: Session,
    *,
    initiative_id: int,
    rule: str,
    reason: str,
    workspace: Workspace,
    cycle: str,
    channel: str,
    now: datetime,
    opened_by: str | None = None,
) -> Escalation | None:
    """Open one escalation and queue its alert; None when one of this rule is already open for this
    initiative."""
    opened = open_escalations(
        session,
        [Opening(initiative_id, rule, reason)],
        workspace=workspace,
        cycle=cycle,
        channel=channel,
        now=now,
        opened_by=opened_by,
    )
    return opened[0] if opened else None


def posted_alerts(session: Session, escalation_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Where the alerts of these escalations were posted, once the sender has posted them."""
    targets = {alert_target(i): i for i in escalation_ids}
    if not targets:
        return {}
    rows = session.exec(
        select(RitualRun.target, Delivery.message_channel, Delivery.message_ts)
        .join(Delivery, col(Delivery.ritual_run_id) == RitualRun.id)
        .where(
            RitualRun.ritual == RITUAL,
            col(RitualRun.target).in_(list(targets)),
            Delivery.state == DeliveryState.SENT,
        )
    )
    return {targets[target]: (channel, ts) for target, channel, ts in rows if channel and ts}


def locate(session: Session, escalation: Escalation, where: tuple[str, str] | None = None) -> bool:
    """Make sure the row knows where its alert is, from the outbox's record of its post; False when the
    alert is not posted yet. `where` (what a click or a modal says) is never taken for it: a click can
    name any message Baton posted, the digest too, and its rewrite would replace that message."""
    if escalation.message_ts is None:
        found = posted_alerts(session, [escalation.id or 0]).get(escalation.id or 0)
        if found:
            escalation.channel, escalation.message_ts = found
    if where is not None and where != (escalation.channel, escalation.message_ts):
        log.warning("escalation.not_its_alert", escalation_id=escalation.id, channel=where[0], ts=where[1])
    return escalation.message_ts is not None


def refresh_alert(
    session: Session,
    escalation: Escalation,
    *,
    lang: str,
    now: datetime,
    where: tuple[str, str] | None = None,
) -> None:
    """Rewrite the alert to show the escalation as it is now: a chat.update of the posted message; while
    its post waits in the outbox, the queued post itself; while the post is in flight, an update that
    the sender holds until the post has its ts. Whatever moment it comes, the change reaches Slack."""
    session.flush()
    message = render_alert(session, escalation, lang)
    if locate(session, escalation, where):
        assert escalation.channel and escalation.message_ts
        enqueue_update(
            session,
            kind=DeliveryKind.ESCALATION,
            channel=escalation.channel,
            ts=escalation.message_ts,
            message=message,
            now=now,
        )
        return
    post = alert_post(session, escalation)
    if post is None:
        return
    if post.state == DeliveryState.PENDING and replace_pending(session, post, message, now=now):
        return
    enqueue_update(
        session, kind=DeliveryKind.ESCALATION, channel=post.channel, parent=post, message=message, now=now
    )


def alert_post(session: Session, escalation: Escalation) -> Delivery | None:
    """The outbox row that posts (or posted) this escalation's alert."""
    return session.exec(
        select(Delivery)
        .join(RitualRun, col(Delivery.ritual_run_id) == RitualRun.id)
        .where(RitualRun.ritual == RITUAL, RitualRun.target == alert_target(escalation.id))
        .order_by(col(Delivery.id).desc())
    ).first()


def reply_to_alert(
    session: Session, escalation: Escalation, message: dict[str, Any], *, now: datetime
) -> None:
    """A reply in the alert's thread: a child of the alert's post, which the sender threads under it once
    the post has its ts (at once when it has)."""
    post = alert_post(session, escalation)
    if post is not None:
        enqueue_reply(session, kind=DeliveryKind.ESCALATION, parent=post, message=message, now=now)
    elif escalation.channel:  # no alert was ever queued: say it in the channel
        enqueue_post(
            session, kind=DeliveryKind.ESCALATION, channel=escalation.channel, message=message, now=now
        )


def settle_alerts(session: Session) -> None:
    """Alerts posted since the last look: their escalations learn where they are (a click or a
    re-escalation then needs no lookup). Once every alert is settled this is one query that finds nothing."""
    unsettled = session.exec(select(Escalation.id).where(col(Escalation.message_ts).is_(None))).all()
    for escalation_id, (channel, ts) in posted_alerts(session, filter(None, unsettled)).items():
        escalation = session.get_one(Escalation, escalation_id)
        escalation.channel, escalation.message_ts = channel, ts


# -- what the scan does to open escalations --------------------------------------------------------------
TOP_LEVEL = 2  # the re-escalation ladder: 1 the initiative's accountable people, 2 the escalation contact


def follow_rule(engine: Engine, escalation_id: int, reason: str, *, lang: str, now: datetime) -> bool:
    """What the rule sees changed (another silent week, a new decision asked for): the alert follows."""
    with session_scope(engine) as session:
        escalation = session.get_one(Escalation, escalation_id)
        if escalation.open_key is None:
            return False
        escalation.reason, escalation.updated_at = reason, now
        refresh_alert(session, escalation, lang=lang, now=now)
    return True


def close_by_rule(engine: Engine, escalation_id: int, *, lang: str, now: datetime) -> bool:
    """The rule no longer holds and nobody has touched the escalation: Baton resolves it."""
    with session_scope(engine) as session:
        escalation = session.get_one(Escalation, escalation_id)
        if escalation.state != EscalationState.OPEN:  # a person took it meanwhile: theirs to close
            return False
        close(session, escalation, state=EscalationState.RESOLVED, by=None, now=now)
        audit_escalation(
            session, escalation_id, "resolve", actor="baton", now=now, why="the rule no longer holds"
        )
        refresh_alert(session, escalation, lang=lang, now=now)
    return True


def reescalate(
    engine: Engine,
    escalation_id: int,
    *,
    level: int,
    sla: timedelta,
    contact: str | None,
    lang: str,
    now: datetime,
) -> bool:
    """One level up the ladder, posted once in the alert's thread (however many runs race: the level moves
    by a conditional update in the same transaction as the reply); the alert shows it too."""
    if level > TOP_LEVEL or (level == TOP_LEVEL and not contact):
        return False
    with session_scope(engine) as session:
        row = session.get_one(Escalation, escalation_id)
        who = accountable(session, row.initiative_id) if level == 1 else [contact or ""]
        if not conditional_level(session, row, level=level, deadline=now + sla, now=now):
            return False
        hours = int(sla.total_seconds() // 3600)
        reply_to_alert(session, row, level_reply(level, who, hours, lang), now=now)
        audit_escalation(session, row.id, "reescalate", actor="baton", now=now, level=level, mentioned=who)
        refresh_alert(session, row, lang=lang, now=now)
    return True


def audit_escalation(
    session: Session, escalation_id: int | None, action: str, *, actor: str, now: datetime, **details: Any
) -> None:
    """The audit row of `escalation.<action>` on one escalation."""
    audit_escalations(session, action, [(escalation_id, details)], actor=actor, now=now)


def audit_escalations(
    session: Session,
    action: str,
    entries: Iterable[tuple[int | None, dict[str, Any]]],
    *,
    actor: str,
    now: datetime,
) -> None:
    """The audit rows of `escalation.<action>` on many escalations: (escalation id, details) each."""
    audit_all(
        session, actor=actor, action=f"escalation.{action}", entity="escalation", at=now, entries=entries
    )


def close(
    session: Session, escalation: Escalation, *, state: EscalationState, by: str | None, now: datetime
) -> None:
    """Closed for good: its key is freed so that a new situation can open a new escalation."""
    escalation.state, escalation.open_key = state, None
    escalation.closed_by, escalation.closed_at, escalation.updated_at = by, now, now


# -- what people do with an escalation -----------------------------------------------------------------
@dataclass(frozen=True)
class Refusal:
    key: str  # a message key
    values: dict[str, Any]  # ready for mrkdwn: user text escaped


def may_arbitrate(
    session: Session, escalation: Escalation, user: str, *, is_admin: Callable[[], bool]
) -> Refusal | None:
    """Admins and the initiative's accountable people (A, directly or through a role) may act on an
    escalation; anyone else is told who can. (`is_admin` may ask Slack: it is asked last.)"""
    people = accountable(session, escalation.initiative_id)
    if user in people or is_admin():
        return None
    initiative = session.get_one(Initiative, escalation.initiative_id)
    who = ", ".join(f"<@{u}>" for u in people)
    values = {"title": escape(initiative.title), "who": who}
    return Refusal("esc.refused" if who else "esc.refused_admins", values)


def still_open(escalation: Escalation) -> Refusal | None:
    if escalation.state in CLOSED_ESCALATIONS:
        return Refusal(f"esc.closed_{EscalationState(escalation.state).value}", {})
    return None


def acknowledge(session: Session, escalation: Escalation, *, user: str, now: datetime) -> None:
    if escalation.acknowledged_by is None:
        escalation.acknowledged_by, escalation.acknowledged_at = user, now
    if escalation.state == EscalationState.OPEN:
        escalation.state = EscalationState.ACKNOWLEDGED
    escalation.updated_at = now
    audit_escalation(session, escalation.id, "acknowledge", actor=user, now=now)


def schedule(
    session: Session, workspace: Workspace, escalation: Escalation, *, user: str, now: datetime
) -> str:
    """On the agenda of the next arbitration committee (scheduling it acknowledges it too)."""
    committee = next_committee(
        now,
        workspace.tz,
        weekday=workspace.committee.weekday,
        week=workspace.committee.week,
        hour=workspace.committee.hour,
    )
    acknowledge(session, escalation, user=user, now=now)
    escalation.state, escalation.scheduled_for = EscalationState.SCHEDULED, committee
    audit_escalation(session, escalation.id, "schedule", actor=user, now=now, committee=committee)
    return committee


def resolve(session: Session, escalation: Escalation, *, user: str, now: datetime) -> None:
    close(session, escalation, state=EscalationState.RESOLVED, by=user, now=now)
    audit_escalation(session, escalation.id, "resolve", actor=user, now=now)


def decide(
    session: Session, escalation: Escalation, form: DecisionForm, *, user: str, now: datetime
) -> Decision:
    """Log the decision, close the escalation, and tell the owner (R), the accountable (A) and the
    follow-up owner by DM, each in their language."""
    decision = Decision(
        initiative_id=escalation.initiative_id,
        escalation_id=escalation.id,
        committee=escalation.scheduled_for,
        decision=form.decision,
        rationale=form.rationale,
        decided_by=user,
        decided_at=now,
        follow_up_owner=form.follow_up_owner,
        follow_up_due=form.follow_up_due,
    )
    session.add(decision)
    close(session, escalation, state=EscalationState.DECIDED, by=user, now=now)
    session.flush()
    audit(
        session,
        actor=user,
        action="decision.create",
        entity="decision",
        entity_id=decision.id,
        at=now,
        escalation_id=escalation.id,
        initiative_id=escalation.initiative_id,
        decision=form.decision,
        follow_up_owner=form.follow_up_owner,
        follow_up_due=form.follow_up_due.isoformat() if form.follow_up_due else None,
    )
    initiative = session.get_one(Initiative, escalation.initiative_id)
    letters = raci_of(session, escalation.initiative_id)
    told = people_of([*letters[RaciLetter.RESPONSIBLE], *letters[RaciLetter.ACCOUNTABLE]])
    for person in dict.fromkeys([*told, *([form.follow_up_owner] if form.follow_up_owner else [])]):
        message = decision_dm(initiative, decision, language_for(session, person))
        enqueue_post(session, kind=DeliveryKind.DECISION, channel=person, message=message, now=now)
    return decision


# -- `/okr escalate` and `/okr decisions` ------------------------------------------------------------------
def escalate_by_hand(
    session: Session,
    *,
    initiative: Initiative,
    reason: str,
    user: str,
    workspace: Workspace,
    cycle: str,
    channel: str,
    now: datetime,
) -> tuple[Escalation, bool]:
    """Open a manual escalation, or add this reason to the one already open; (escalation, opened now)."""
    opened = open_escalation(
        session,
        initiative_id=initiative.id or 0,
        rule=MANUAL,
        reason=reason,
        workspace=workspace,
        cycle=cycle,
        channel=channel,
        now=now,
        opened_by=user,
    )
    if opened is not None:
        return opened, True
    existing = session.exec(
        select(Escalation).where(Escalation.open_key == open_key(initiative.id or 0, MANUAL))
    ).one()
    # kept apart, not appended to the text: the view escapes what people wrote, not Baton's own mention
    existing.more_reasons = [*existing.more_reasons, {"user": user, "reason": reason, "at": now.isoformat()}]
    existing.updated_at = now
    audit_escalation(session, existing.id, "update", actor=user, now=now, reason=reason)
    refresh_alert(session, existing, lang=workspace.language, now=now)
    return existing, False


def decision_log(session: Session, quarter: str | None, tz: tzinfo) -> list[tuple[Decision, Initiative]]:
    """The decisions, newest first; with `quarter`, those taken during it (in the organisation's time)."""
    query = select(Decision, Initiative).join(Initiative, col(Decision.initiative_id) == Initiative.id)
    if quarter:
        first, last = quarter_bounds(quarter)
        query = query.where(
            col(Decision.decided_at) >= datetime.combine(first, time(), tzinfo=tz),
            col(Decision.decided_at) < datetime.combine(last + timedelta(days=1), time(), tzinfo=tz),
        )
    return list(session.exec(query.order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())))


def conditional_level(
    session: Session, escalation: Escalation, *, level: int, deadline: datetime, now: datetime
) -> bool:
    """Move an unacknowledged escalation from `level - 1` to `level`, once: whoever changes the row
    (one run, one replica) posts the re-escalation; the others see it already done."""
    changed = session.execute(
        update(Escalation)
        .where(
            col(Escalation.id) == escalation.id,
            col(Escalation.level) == level - 1,
            col(Escalation.state) == EscalationState.OPEN,
        )
        .values(level=level, sla_deadline=deadline, updated_at=now)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(escalation)
    return True


# -- entry points for the buttons and the modal ----------------------------------------------------------


def arbitrable(
    session: Session, settings: Settings, client: WebClient, escalation_id: int, user: str
) -> Escalation | Refusal:
    """The escalation `user` means to act on, if it is still open and theirs to act on; else why not."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        return Refusal("esc.gone", {})
    refusal = still_open(escalation) or may_arbitrate(
        session, escalation, user, is_admin=lambda: is_admin(settings, client, user)
    )
    return refusal or escalation


def hold(session: Session, escalation: Escalation) -> Refusal | None:
    """Two clicks or submissions at once on one escalation: write its row first (PostgreSQL locks the row,
    SQLite the database) so that the second waits for the first's transaction, then sees what it did."""
    session.execute(
        update(Escalation)
        .where(col(Escalation.id) == escalation.id)
        .values(updated_at=col(Escalation.updated_at))
    )
    session.refresh(escalation)
    return still_open(escalation)


def act(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    *,
    workspace: Workspace,
    action: str,
    escalation_id: int,
    user: str,
    where: tuple[str, str] | None,
    now: datetime,
) -> Refusal | None:
    """A button of the alert, clicked by `user`: the escalation moves on and its alert is rewritten, in one
    transaction; or the refusal that says why not."""
    with session_scope(engine) as session:
        escalation = arbitrable(session, settings, client, escalation_id, user)
        if isinstance(escalation, Refusal):
            return escalation
        if refusal := hold(session, escalation):
            return refusal
        if (action == "acknowledge" and escalation.acknowledged_by) or (
            action == "schedule" and escalation.state == EscalationState.SCHEDULED
        ):
            return None  # done already (a double click, two people at once): nothing to record twice
        if action == "acknowledge":
            acknowledge(session, escalation, user=user, now=now)
        elif action == "schedule":
            schedule(session, workspace, escalation, user=user, now=now)
        else:
            resolve(session, escalation, user=user, now=now)
        refresh_alert(session, escalation, lang=workspace.language, now=now, where=where)
    return None


def decision_form_for(
    engine: Engine, settings: Settings, client: WebClient, *, escalation_id: int, user: str
) -> tuple[Escalation, Initiative] | Refusal:
    """What the decision modal is about, if `user` may record it."""
    with session_scope(engine) as session:
        escalation = arbitrable(session, settings, client, escalation_id, user)
        if isinstance(escalation, Refusal):
            return escalation
        return escalation, session.get_one(Initiative, escalation.initiative_id)


def record_decision(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    *,
    workspace: Workspace,
    form: DecisionForm,
    user: str,
    now: datetime,
) -> Refusal | None:
    """The decision modal, submitted: the decision logged, the escalation closed, the alert rewritten and
    the people concerned told, in one transaction."""
    with session_scope(engine) as session:
        escalation = arbitrable(session, settings, client, form.escalation_id, user)
        if isinstance(escalation, Refusal):
            return escalation
        if refusal := hold(session, escalation):
            return refusal
        decide(session, escalation, form, user=user, now=now)
        refresh_alert(session, escalation, lang=workspace.language, now=now, where=form.where)
    return None


def initiative_and_reason(session: Session, text: str) -> tuple[list[Initiative], str, str]:
    """`/okr escalate <initiative> <reason>`: the initiatives the first words name (the longest run of
    words that names any), those words, and the rest as the reason. A name in quotes is taken whole."""
    text = text.strip()
    if text[:1] in ('"', "“"):
        name, _, reason = text[1:].partition("”" if text[0] == "“" else '"')
        return find_initiatives(session, name), name, reason.strip()
    words = text.split()
    keys = {row.id: row.title_key for row in session.execute(ACTIVE_TITLE_KEYS)}
    for cut in range(len(words) - 1, 0, -1):  # at least one word is left for the reason
        ids = best_matches(" ".join(words[:cut]), keys)
        if ids:
            found = session.exec(select(Initiative).where(col(Initiative.id).in_(ids))).all()
            return sorted(found, key=lambda i: i.title_key), " ".join(words[:cut]), " ".join(words[cut:])
    return [], words[0] if words else "", " ".join(words[1:])
