"""The monthly arbitration committee: on its day (by default the first Tuesday of the month, 10:00 in the
organisation's time zone), its agenda goes to the leadership channel(s), once per month and channel; at
the end of that day, the minutes of what it decided.

The agenda lists each initiative with an open escalation once (scheduled for the committee or not),
weightiest rule first (`impact`), then oldest first, with the pre-read and three buttons: Record
decision, Defer to next committee, Open status. An agenda is worth posting only on the day itself: one
missed (Baton was down all day) is not posted late.

The minutes are due when the committee's day ends (00:00 the next day, in the organisation's zone) and
worth posting for `MINUTES_CATCH_UP` after that. They list the decisions taken from the agenda's post to
that end: those recorded from the agenda (their `committee` is the month) and those of the escalations
that were open when it was posted. A committee that decided nothing posts no minutes: the agenda already
says what was on the table, and an empty post would be noise every month.

The buttons are the escalation alert's rules applied to an initiative: who may act is checked again here
(admins and the initiative's A people), the initiative is the button's but the escalations are read from
the database, and the agenda is the message Baton posted, found from the outbox's record of its post.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot import escalations
from bot.config import Settings
from bot.delivery.claims import Thread, queue_once
from bot.delivery.outbox import enqueue_update
from bot.domain.cycles import month_first, month_key, next_month
from bot.domain.escalation import committee_due, impact
from bot.domain.portfolio import CLOSED_ESCALATIONS
from bot.domain.ritual import NotQueued, RitualName, RitualResult
from bot.escalations import Refusal
from bot.i18n import t
from bot.portfolio import histories
from bot.views import ids
from bot.views.blocks import escape
from bot.views.committee import (
    PREREAD_CHECKINS,
    AgendaItem,
    MinutesEntry,
    agenda_messages,
    minutes_messages,
    replace_item,
)
from bot.views.escalation import DecisionForm, decision_modal, rule_name
from bot.workspace import Workspace, workspace_of
from storage.db import session_scope
from storage.models import (
    Decision,
    Delivery,
    DeliveryKind,
    DeliveryMethod,
    Escalation,
    EscalationState,
    Initiative,
    Ritual,
    RitualRun,
)

COMMITTEE = RitualName.COMMITTEE
MINUTES = ":minutes"  # the minutes' claim: the month's cycle + this (one claim kind per ritual)
MINUTES_CATCH_UP = timedelta(days=7)
MAX_PARTS = 20  # how far up a thread the agenda's first message can be


def meeting(workspace: Workspace, month: str) -> datetime:
    """When the committee of `month` meets, in the organisation's zone."""
    slot = workspace.committee
    due = committee_due(month, workspace.tz, weekday=slot.weekday, week=slot.week, hour=slot.hour)
    return due.astimezone(workspace.tz)


def run_committee(engine: Engine, *, now: datetime, settings: Settings) -> list[RitualResult]:
    """The agenda's results, one per channel; then the minutes' when they were due and had decisions."""
    workspace = workspace_of(engine, settings)
    month = month_key(now, workspace.tz)
    due = meeting(workspace, month)
    day_after = datetime.combine(due.date() + timedelta(days=1), time(), tzinfo=workspace.tz)
    results = post_when_due(
        engine,
        ritual=COMMITTEE,
        cycle=month,
        channels=workspace.leadership,
        due=due.astimezone(UTC),
        missed=day_after,
        now=now,
        build=lambda session: agenda_messages(
            month, agenda(session, now, month, workspace), workspace.language, meeting=due
        ),
    )
    return results + run_minutes(engine, now=now, workspace=workspace)


def run_minutes(engine: Engine, *, now: datetime, workspace: Workspace) -> list[RitualResult]:
    """The minutes of this month's committee and of last month's (a committee on the month's last day
    ends in the next month), when their day is over and they decided something."""
    results: list[RitualResult] = []
    month = month_key(now, workspace.tz)
    previous = month_first(month) - timedelta(days=1)
    for each in (f"{previous.year}-{previous.month:02d}", month):
        try:
            met = meeting(workspace, each)
        except ValueError:  # before the calendar's first month
            continue
        ends = datetime.combine(met.date() + timedelta(days=1), time(), tzinfo=workspace.tz)
        if not ends <= now < ends + MINUTES_CATCH_UP:
            continue
        with session_scope(engine) as session:
            if not minutes_of(session, each, met, ends)[0]:
                continue  # nothing decided: no minutes
        results += post_when_due(
            engine,
            ritual=COMMITTEE,
            cycle=each + MINUTES,
            channels=workspace.leadership,
            due=ends,
            missed=ends + MINUTES_CATCH_UP,
            now=now,
            build=lambda session, each=each, met=met, ends=ends: minutes_messages(  # type: ignore[misc]
                each, *minutes_of(session, each, met, ends), workspace.language, meeting=met
            ),
        )
    return results


def agenda(session: Session, now: datetime, month: str, workspace: Workspace) -> list[AgendaItem]:
    """Each initiative with an escalation not yet decided or resolved, once: its escalations weightiest
    first; the initiatives by their weightiest escalation, then the oldest."""
    rows = session.exec(
        select(Escalation, Initiative)
        .join(Initiative, col(Escalation.initiative_id) == Initiative.id)
        .where(col(Escalation.open_key).is_not(None))
    ).all()
    grouped: dict[int, tuple[Initiative, list[Escalation]]] = {}
    for escalation, initiative in sorted(rows, key=lambda r: _weight(r[0])):
        grouped.setdefault(initiative.id or 0, (initiative, []))[1].append(escalation)
    recent = histories(session, list(grouped), PREREAD_CHECKINS)
    return [
        _item(initiative, found, recent[initiative_id], now, month, workspace)
        for initiative_id, (initiative, found) in grouped.items()
    ]


def _weight(escalation: Escalation) -> tuple[int, datetime, int]:
    return impact(escalation.rule), escalation.opened_at, escalation.id or 0


def _item(
    initiative: Initiative,
    found: Sequence[Escalation],
    recent: Sequence[Any],
    now: datetime,
    month: str,
    workspace: Workspace,
    decision: Decision | None = None,
) -> AgendaItem:
    latest = recent[0] if recent else None
    still = [e for e in found if e.state not in CLOSED_ESCALATIONS]
    later = [e.scheduled_for for e in still if e.scheduled_for and e.scheduled_for > month]
    deferred = meeting(workspace, min(later)) if still and len(later) == len(still) else None
    return AgendaItem(
        initiative_id=initiative.id or 0,
        title=initiative.title,
        kpi_unit=initiative.kpi_unit,
        escalations=list(found),
        recent=list(recent),
        age_days=max((now - min(e.opened_at for e in found)).days, 0),
        decision_needed=(latest.decision_needed or "").strip() if latest else "",
        options=(latest.decision_options or "").strip() if latest else "",
        decision=decision,
        deferred_to=deferred,
    )


def minutes_of(
    session: Session, month: str, met: datetime, ends: datetime
) -> tuple[list[MinutesEntry], list[str]]:
    """The decisions the committee of `month` took (see the module's docstring), oldest first, and the
    initiatives it deferred to a later committee."""
    rows = session.exec(
        select(Decision, Initiative, Escalation)
        .join(Initiative, col(Decision.initiative_id) == Initiative.id)
        .join(Escalation, col(Decision.escalation_id) == Escalation.id, isouter=True)
        .where(col(Decision.decided_at) >= met, col(Decision.decided_at) < ends)
        .order_by(col(Decision.decided_at), col(Decision.id))
    ).all()
    entries = [
        MinutesEntry(initiative.title, decision)
        for decision, initiative, escalation in rows
        if decision.committee == month or (escalation is not None and escalation.opened_at <= met)
    ]
    deferred = session.exec(
        select(Initiative.title)
        .join(Escalation, col(Escalation.initiative_id) == Initiative.id)
        .where(col(Escalation.open_key).is_not(None), col(Escalation.scheduled_for) > month)
        .distinct()
        .order_by(col(Initiative.title))
    ).all()
    return entries, list(deferred)


def post_when_due(
    engine: Engine,
    *,
    ritual: RitualName,
    cycle: str,
    channels: Sequence[str],
    due: datetime,
    missed: datetime,
    now: datetime,
    build: Callable[[Session], Sequence[dict[str, Any]]],
) -> list[RitualResult]:
    """A ritual of the leadership channel(s), worth posting from `due` until `missed`: then `build`'s
    messages are queued once for each channel (the first in the channel, the rest in its thread); before,
    it is not due, and after, not sent late."""
    if not channels:
        return [RitualResult(ritual, cycle, "-", NotQueued.NO_CHANNEL)]
    if not due <= now < missed:
        state = NotQueued.NOT_DUE if now < due else NotQueued.MISSED
        when = f"due {due.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        return [RitualResult(ritual, cycle, c, state, detail=when) for c in channels]
    return [
        queue_once(
            engine,
            ritual=ritual,
            cycle=cycle,
            channel=channel,
            now=now,
            build=lambda session: Thread(build(session)),
        )
        for channel in channels
    ]


# -- the agenda's buttons --------------------------------------------------------------------------------
def agenda_at(session: Session, where: tuple[str, str] | None) -> tuple[str, Delivery] | None:
    """The committee month of the agenda message at `where` (channel, ts) and the outbox row that posted
    it; None when Baton posted no agenda there (what a click says is only looked up, never believed)."""
    if where is None:
        return None
    post = session.exec(
        select(Delivery).where(
            Delivery.kind == DeliveryKind.COMMITTEE,
            Delivery.method == DeliveryMethod.POST,
            Delivery.message_channel == where[0],
            Delivery.message_ts == where[1],
        )
    ).first()
    head = post
    for _ in range(MAX_PARTS):  # a part in the thread: up to the first message, which has the claim
        if head is None or head.ritual_run_id is not None or head.parent_id is None:
            break
        head = session.get(Delivery, head.parent_id)
    if post is None or head is None or head.ritual_run_id is None:
        return None
    run = session.get(RitualRun, head.ritual_run_id)
    if run is None or run.ritual != Ritual.COMMITTEE or run.cycle.endswith(MINUTES):
        return None
    return run.cycle, post


def open_of(session: Session, initiative_id: int) -> list[Escalation]:
    """The initiative's escalations still open, weightiest first."""
    found = session.exec(
        select(Escalation).where(
            Escalation.initiative_id == initiative_id, col(Escalation.open_key).is_not(None)
        )
    ).all()
    return sorted(found, key=_weight)


def _arbitrable(
    session: Session, settings: Settings, client: WebClient, initiative_id: int, user: str
) -> list[Escalation] | Refusal:
    """The initiative's open escalations, held (a second click waits for the first, then sees what it
    did), if `user` may act on them; else why not."""
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        return Refusal("esc.gone", {})
    found = open_of(session, initiative_id)
    if not found:
        return Refusal("committee.nothing_open", {"title": escape(initiative.title)})
    checked = escalations.arbitrable(session, settings, client, found[0].id or 0, user)
    if isinstance(checked, Refusal):
        return checked
    held = [e for e in found if escalations.hold(session, e) is None]
    return held or Refusal("committee.nothing_open", {"title": escape(initiative.title)})


def defer(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    *,
    workspace: Workspace,
    initiative_id: int,
    user: str,
    where: tuple[str, str] | None,
    now: datetime,
) -> Refusal | Deferred:
    """Defer to next committee: the initiative's open escalations go on the agenda of the committee after
    the one whose agenda was clicked, audited, their alerts and the agenda item rewritten; what to tell the
    one who clicked. Twice (a double click) defers once."""
    with session_scope(engine) as session:
        found_agenda = agenda_at(session, where)
        if found_agenda is None:
            return Refusal("committee.not_agenda", {})
        month, _ = found_agenda
        found = _arbitrable(session, settings, client, initiative_id, user)
        if isinstance(found, Refusal):
            return found
        target = next_month(month)
        for escalation in found:
            if escalation.scheduled_for is not None and escalation.scheduled_for >= target:
                continue  # deferred already: nothing to record twice
            if escalation.acknowledged_by is None:  # deferring it acknowledges it, as scheduling does
                escalations.acknowledge(session, escalation, user=user, now=now)
            escalation.state, escalation.scheduled_for = EscalationState.SCHEDULED, target
            escalations.audit_escalation(
                session, escalation.id, "defer", actor=user, now=now, committee=target, deferred_from=month
            )
            escalations.refresh_alert(session, escalation, lang=workspace.language, now=now)
        refresh_item(session, workspace, initiative_id, month, where, now=now)
        return Deferred(escape(session.get_one(Initiative, initiative_id).title), meeting(workspace, target))


@dataclass(frozen=True)
class Deferred:
    """What a deferral tells the one who clicked: the initiative (escaped) and the committee it goes to."""

    title: str
    committee: datetime


def decision_view(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    *,
    initiative_id: int,
    user: str,
    where: tuple[str, str] | None,
    lang: str,
) -> dict[str, Any] | Refusal:
    """Record decision: the escalation alert's decision modal, for every open escalation of the initiative
    (one decision closes them all), if `user` may record it."""
    with session_scope(engine) as session:
        if agenda_at(session, where) is None:
            return Refusal("committee.not_agenda", {})
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            return Refusal("esc.gone", {})
        found = open_of(session, initiative_id)
        if not found:
            return Refusal("committee.nothing_open", {"title": escape(initiative.title)})
        checked = escalations.arbitrable(session, settings, client, found[0].id or 0, user)
        if isinstance(checked, Refusal):
            return checked
        view = decision_modal(found[0], initiative, where=where, lang=lang)
        rules = ", ".join(rule_name(e.rule, lang) for e in found)
        about = {
            **view["blocks"][0],
            "text": {
                "type": "mrkdwn",
                "text": t("committee.modal.about", lang, title=escape(initiative.title), rules=rules),
            },
        }
        metadata = json.loads(view["private_metadata"])
        return {
            **view,
            "callback_id": ids.COMMITTEE_DECISION_MODAL,
            "private_metadata": json.dumps(metadata),
            "blocks": [about, *view["blocks"][1:]],
        }


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
    """The agenda's decision modal, submitted: one decision logged for the initiative (on its weightiest
    open escalation, in this committee), every open escalation of it closed as decided, their alerts and
    the agenda item rewritten, the people concerned told, in one transaction."""
    with session_scope(engine) as session:
        first = session.get(Escalation, form.escalation_id)
        if first is None:
            return Refusal("esc.gone", {})
        found = _arbitrable(session, settings, client, first.initiative_id, user)
        if isinstance(found, Refusal):
            return escalations.still_open(first) or found
        found_agenda = agenda_at(session, form.where)
        decision = escalations.decide(session, found[0], form, user=user, now=now)
        if found_agenda is not None:
            decision.committee = found_agenda[0]
        for other in found[1:]:
            escalations.close(session, other, state=EscalationState.DECIDED, by=user, now=now)
            escalations.audit_escalation(
                session, other.id, "decide", actor=user, now=now, decision_id=decision.id
            )
        for escalation in found:
            escalations.refresh_alert(session, escalation, lang=workspace.language, now=now)
        if found_agenda is not None:
            refresh_item(
                session, workspace, first.initiative_id, found_agenda[0], form.where, now=now, closed=found
            )
    return None


def refresh_item(
    session: Session,
    workspace: Workspace,
    initiative_id: int,
    month: str,
    where: tuple[str, str] | None,
    *,
    now: datetime,
    closed: Sequence[Escalation] = (),
) -> None:
    """Rewrite the initiative's item in the agenda message at `where` as it stands now: a chat.update of
    that message, from its latest content in the outbox (its other items untouched)."""
    found_agenda = agenda_at(session, where)
    if found_agenda is None or where is None:
        return
    _, post = found_agenda
    session.flush()
    current = _latest_content(session, post, where)
    initiative = session.get_one(Initiative, initiative_id)
    escalations_now = list(closed) or open_of(session, initiative_id)
    if not escalations_now:
        return
    decision = None
    if closed:
        decision = session.exec(
            select(Decision)
            .where(col(Decision.escalation_id).in_([e.id for e in closed]))
            .order_by(col(Decision.id).desc())
        ).first()
    recent = histories(session, [initiative_id], PREREAD_CHECKINS)[initiative_id]
    item = _item(initiative, escalations_now, recent, now, month, workspace, decision)
    message = replace_item(current, item, workspace.language)
    message = {key: value for key, value in message.items() if key != "ts"}
    enqueue_update(
        session, kind=DeliveryKind.COMMITTEE, channel=where[0], ts=where[1], message=message, now=now
    )


def _latest_content(session: Session, post: Delivery, where: tuple[str, str]) -> dict[str, Any]:
    """The agenda message as Baton last wrote it: its newest chat.update, else its post."""
    updates = session.exec(
        select(Delivery)
        .where(
            Delivery.kind == DeliveryKind.COMMITTEE,
            Delivery.method == DeliveryMethod.UPDATE,
            Delivery.channel == where[0],
        )
        .order_by(col(Delivery.id).desc())
    ).all()
    for update in updates:
        if update.payload.get("ts") == where[1]:
            return dict(update.payload)
    return dict(post.payload)
