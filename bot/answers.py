"""What owners do from the check-in DM: answer in one click, snooze, skip the week, go out of office.

Each answer is recorded once (a double click or a retried request finds the first one) and the DM is
rewritten in place through the outbox, so it shows what was recorded and cannot be answered twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.audit import audit
from bot.config import Settings
from bot.delivery.outbox import enqueue_post, enqueue_update
from bot.i18n import DEFAULT
from bot.people import language_for
from bot.permissions import can_update
from bot.portfolio import answers_in_cycle, latest_checkin, record_checkin
from bot.views import ids
from bot.views.checkin import UpdateForm, checkin_confirmation, update_modal
from bot.views.prompt import PromptItem, PromptRef, away_confirmation, prompt_message
from bot.workspace import Workspace, load_workspace
from storage.db import session_scope
from storage.models import Away, CheckIn, CheckInSource, CycleSkip, DeliveryKind, Initiative, Snooze, Status

SNOOZE_FOR = timedelta(hours=2)


class InvalidAway(ValueError):
    def __init__(self, field: str, key: str) -> None:
        super().__init__(key)
        self.field = field  # "until" or "delegate"
        self.key = key  # the message, in bot.i18n


@dataclass(frozen=True)
class PromptMessage:
    """The DM being acted on: where it is, and what it lists."""

    channel: str
    ts: str
    recipient: str
    listed: list[int]
    reminder: bool


def is_closed(workspace: Workspace, cycle: str, now: datetime) -> bool:
    """A cycle closes when the organisation's week is over: its answers can be edited until then."""
    return cycle < workspace.cycle(now)


@dataclass(frozen=True)
class UpdateRefused:
    """Why a submitted update was not saved: the modal shows `key` under `block`."""

    block: str
    key: str
    values: dict[str, str]


def submit_update(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    *,
    form: UpdateForm,
    author: str,
    state_blocks: Iterable[str],
    now: datetime,
) -> UpdateRefused | None:
    """A submitted update modal, checked and saved in one transaction before Slack gets its answer;
    None when saved."""
    with session_scope(engine) as session:
        initiative = session.get(Initiative, form.initiative_id)
        if initiative is None or initiative.archived:
            return UpdateRefused(ids.STATUS_BLOCK, "modal.error_gone", {})
        # Checked again here: the modal's picker may offer initiatives the author cannot update, and
        # roles may have changed since it opened. A check-in DM's modal answers for whoever Baton
        # prompted (a delegate too). R/A people pass on the database alone; only others (admins by
        # their Slack flag, or a refusal) cost a users.info before the answer.
        if "dm" not in form.origin and not can_update(session, settings, client, author, initiative.id or 0):
            block = ids.INITIATIVE_BLOCK if ids.INITIATIVE_BLOCK in state_blocks else ids.STATUS_BLOCK
            return UpdateRefused(block, "update.refused_in_modal", {})  # plain text: no mentions
        workspace = load_workspace(session, settings)  # once for this submission
        cycle = form.origin.get("cycle")
        if cycle and is_closed(workspace, cycle, now):
            return UpdateRefused(ids.STATUS_BLOCK, "modal.error_closed", {"cycle": cycle})
        save_update(session, workspace, form=form, initiative=initiative, author=author, now=now)
    return None


def prompt_modal(
    engine: Engine, workspace: Workspace, *, ref: PromptRef, message: PromptMessage, lang: str, now: datetime
) -> dict[str, Any] | None:
    """The update modal a check-in DM's Details button opens; None once the cycle has closed."""
    with session_scope(engine) as session:
        initiative = session.get(Initiative, ref.initiative_id)
        if initiative is None or is_closed(workspace, ref.cycle, now):
            return None
        return update_modal(
            initiative,
            previous=latest_checkin(session, initiative.id or 0),
            origin={"cycle": ref.cycle, "owner": ref.owner, "dm": vars(message)},
            lang=lang,
        )


def save_update(
    session: Session,
    workspace: Workspace,
    *,
    form: UpdateForm,
    initiative: Initiative,
    author: str,
    now: datetime,
) -> CheckIn:
    """Record a modal's update. Opened from a check-in DM, it refreshes that DM; otherwise the author
    gets a confirmation by DM."""
    cycle = form.origin.get("cycle") or workspace.cycle(now)
    checkin = record_checkin(
        session,
        initiative=initiative,
        author=author,
        status=form.status,
        kpi_value=form.kpi_value,
        comment=form.comment,
        source=CheckInSource.MODAL,
        cycle=cycle,
        now=now,
        details=form.details,
    )
    if "dm" in form.origin:
        message = PromptMessage(**form.origin["dm"])
        refresh(session, ref=PromptRef(cycle, form.origin["owner"]), message=message, now=now)
    else:
        enqueue_post(
            session,
            kind=DeliveryKind.CONFIRMATION,
            channel=author,
            message=checkin_confirmation(initiative, checkin, form.lang),
            now=now,
        )
    return checkin


def answer(
    engine: Engine,
    workspace: Workspace,
    *,
    ref: PromptRef,
    status: Status,
    author: str,
    message: PromptMessage,
    now: datetime,
) -> bool:
    """Record a one-click answer and queue the DM's refresh; False when the cycle has closed.
    The same click twice records once: a second identical status is no new answer, and two clicks
    racing share a dedupe key, so the loser's transaction is rolled back whole."""
    try:
        with session_scope(engine) as session:
            initiative = session.get(Initiative, ref.initiative_id)
            if initiative is None or is_closed(workspace, ref.cycle, now):
                return False
            previous = answers_in_cycle(session, ref.cycle).get(initiative.id or 0)
            # two clicks racing find the same previous answer, hence the same key: one row wins
            dedupe_key = f"dm:{initiative.id}:{ref.cycle}:{status.value}:{previous.id if previous else 0}"
            if previous is None or previous.status != status:  # the same status again is the same answer
                record_checkin(
                    session,
                    initiative=initiative,
                    author=author,
                    status=status,
                    kpi_value=None,
                    comment=None,
                    source=CheckInSource.DM_BUTTON,
                    cycle=ref.cycle,
                    now=now,
                    dedupe_key=dedupe_key,
                )
            refresh(session, ref=ref, message=message, now=now)
    except IntegrityError:
        pass  # the twin click won the race, and recorded (and refreshed) the same answer
    return True


def refresh(session: Session, *, ref: PromptRef, message: PromptMessage, now: datetime) -> None:
    """Queue the rewrite of the DM with what is recorded now."""
    answers = answers_in_cycle(session, ref.cycle)
    initiatives = {
        i.id: i for i in session.exec(select(Initiative).where(col(Initiative.id).in_(message.listed)))
    }
    items = [PromptItem(initiatives[i], answers.get(i)) for i in message.listed if i in initiatives]
    skipped = session.get(CycleSkip, (ref.owner, ref.cycle)) is not None
    body = prompt_message(
        cycle=ref.cycle,
        owner=ref.owner,
        recipient=message.recipient,
        items=items,
        reminder=message.reminder,
        skipped=skipped,
        lang=language_for(session, message.recipient),
    )
    enqueue_update(
        session, kind=DeliveryKind.CONFIRMATION, channel=message.channel, ts=message.ts, message=body, now=now
    )


def snooze(engine: Engine, *, ref: PromptRef, user: str, now: datetime) -> datetime:
    """Ask for a reminder in two hours; returns when it will come. While one is still to come for the
    owner and cycle, that one: a double click makes one snooze and one reminder, and both say its time."""
    key = f"{ref.owner}:{ref.cycle}"  # Snooze.pending_key, unique: two clicks racing insert one row
    try:
        with session_scope(engine) as session:
            pending = session.exec(select(Snooze).where(Snooze.pending_key == key)).first()
            if pending is not None and pending.until > now:
                return pending.until
            if pending is not None:  # its reminder has come: a new snooze may be asked for
                pending.pending_key = None
                session.add(pending)
                session.flush()
            until = now + SNOOZE_FOR
            snoozed = Snooze(user_id=ref.owner, cycle=ref.cycle, until=until, created_at=now, pending_key=key)
            session.add(snoozed)
            audit(
                session,
                actor=user,
                action="prompt.snooze",
                entity="person",
                entity_id=ref.owner,
                at=now,
                cycle=ref.cycle,
                until=until.isoformat(),
            )
        return until
    except IntegrityError:  # the twin click won the race and committed first: its snooze is the one
        with session_scope(engine) as session:
            return session.exec(select(Snooze).where(Snooze.pending_key == key)).one().until


def skip_week(engine: Engine, *, ref: PromptRef, user: str, message: PromptMessage, now: datetime) -> None:
    try:
        with session_scope(engine) as session:
            if session.get(CycleSkip, (ref.owner, ref.cycle)) is None:
                session.add(CycleSkip(user_id=ref.owner, cycle=ref.cycle, created_at=now))
                audit(
                    session,
                    actor=user,
                    action="prompt.skip",
                    entity="person",
                    entity_id=ref.owner,
                    at=now,
                    cycle=ref.cycle,
                )
            session.flush()
            refresh(session, ref=ref, message=message, now=now)
    except IntegrityError:  # a twin click skipped the week first, and refreshed the DM
        pass


def go_away(
    engine: Engine,
    *,
    user: str,
    starts_on: date,
    ends_on: date,
    delegate: str | None,
    now: datetime,
    lang: str = DEFAULT,
) -> Away:
    """Out of office from `starts_on` to `ends_on` (both included); prompts go to `delegate` meanwhile.
    InvalidAway says what is wrong, and with which field."""
    if ends_on < starts_on:
        raise InvalidAway("until", "away.error_past")
    if delegate == user:
        raise InvalidAway("delegate", "away.error_self")
    with session_scope(engine) as session:
        away = Away(user_id=user, starts_on=starts_on, ends_on=ends_on, delegate_id=delegate, created_at=now)
        session.add(away)
        session.flush()
        audit(
            session,
            actor=user,
            action="away.create",
            entity="away",
            entity_id=away.id,
            at=now,
            ends_on=ends_on.isoformat(),
            delegate=delegate,
        )
        enqueue_post(
            session,
            kind=DeliveryKind.CONFIRMATION,
            channel=user,
            message=away_confirmation(away, lang),
            now=now,
        )
    return away
