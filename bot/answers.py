"""What owners do from the check-in DM: answer in one click, snooze, skip the week, go out of office.

Each answer is recorded once (a double click or a retried request finds the first one) and the DM is
rewritten in place through the outbox, so it shows what was recorded and cannot be answered twice.

A click says which DM it comes from (its container) and a button's value names a cycle, an owner and an
initiative: all of it is the sender's to choose. So the DM is looked up among the prompts Baton recorded
sending (`find_prompt`): the cycle, the owner and the initiatives it lists are the claim's and the
delivery's, and only the person it was sent to may act on it (the owner, or the delegate Baton prompted
instead). A server-side lookup rather than a signed value: it checks what holds now (a closed cycle, a
message that is not a prompt) and needs no key to keep or rotate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.audit import audit
from bot.config import Settings
from bot.delivery.claims import Due, insert_claims
from bot.delivery.outbox import Post, enqueue_post, enqueue_posts, enqueue_update
from bot.domain.cycles import in_quarter
from bot.i18n import DEFAULT, t
from bot.people import language_for
from bot.permissions import can_update, is_admin, log_refusal
from bot.portfolio import (
    answers_in_cycle,
    latest_checkin,
    missing_updates,
    quarters_of,
    record_checkin,
    responsible_people,
)
from bot.views import ids
from bot.views.checkin import UpdateForm, checkin_confirmation, update_modal
from bot.views.prompt import (
    PromptItem,
    PromptRef,
    away_confirmation,
    is_reminder,
    listed_initiatives,
    prompt_message,
)
from bot.workspace import Workspace, load_workspace
from storage.db import session_scope
from storage.models import (
    Away,
    CheckIn,
    CheckInSource,
    CycleSkip,
    Delivery,
    DeliveryKind,
    DeliveryMethod,
    Initiative,
    Ritual,
    RitualRun,
    RunState,
    Snooze,
    Status,
)

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


# The claims whose deliveries are check-in DMs: the Monday prompt, the reminder, the snoozed reminder
# (whose target is `owner@until`).
PROMPT_RITUALS = (Ritual.PROMPT, Ritual.REMINDER, Ritual.SNOOZE)


class Refused(StrEnum):
    """Why a click on a check-in DM did nothing: the message that says so."""

    CLOSED = "prompt.closed"
    NOT_YOURS = "access.not_your_prompt"


@dataclass(frozen=True)
class Click:
    """What a click on a check-in DM claims, none of it trusted: where the DM is (the container), and the
    button's value (a PromptRef). `find_prompt` turns it into the Prompt Baton sent, or nothing."""

    user: str  # body.user.id: Slack sets it
    channel: str | None
    ts: str | None
    value: str | None  # the button's value

    def ref(self) -> PromptRef | None:
        try:
            ref = PromptRef.decode(self.value or "")
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        initiative = ref.initiative_id
        if initiative is not None and (type(initiative) is not int):  # JSON: an int, or nothing
            return None
        return ref


@dataclass(frozen=True)
class Prompt:
    """A check-in DM as Baton recorded sending it: whose initiatives, which cycle, to whom, where."""

    ref: PromptRef  # the cycle and the owner, from the claim
    message: PromptMessage  # from the delivery: where it is, its recipient and what it lists


def find_prompt(session: Session, *, cycle: object, channel: object, ts: object, user: str) -> Prompt | None:
    """The check-in DM at (`channel`, `ts`) of `cycle`, if Baton sent it to `user`; None otherwise. The
    cycle only narrows the search to one cycle's claims: a cycle that is not a real one finds nothing."""
    if not (isinstance(cycle, str) and isinstance(channel, str) and isinstance(ts, str)):
        return None
    found = session.exec(
        select(RitualRun, Delivery)
        .join(Delivery, col(Delivery.ritual_run_id) == RitualRun.id)
        .where(
            col(RitualRun.ritual).in_(PROMPT_RITUALS),
            RitualRun.cycle == cycle,
            Delivery.method == DeliveryMethod.POST,
            Delivery.message_channel == channel,
            Delivery.message_ts == ts,
            Delivery.channel == user,  # the recipient: a DM is posted to a user id
        )
    ).first()
    if found is None:
        return None
    run, delivery = found
    blocks = delivery.payload.get("blocks") or []
    message = PromptMessage(channel, ts, user, listed_initiatives(blocks), is_reminder(blocks))
    return Prompt(PromptRef(run.cycle, run.target.partition("@")[0]), message)


def clicked_prompt(session: Session, click: Click, action: str) -> tuple[Prompt, int | None] | None:
    """The prompt a click acts on and the initiative its button names (one the DM lists), or None (logged)
    when the click does not come from a DM Baton sent to whoever clicked."""
    claimed = click.ref()
    prompt = None
    if claimed is not None:
        prompt = find_prompt(
            session, cycle=claimed.cycle, channel=click.channel, ts=click.ts, user=click.user
        )
    initiative_id = claimed.initiative_id if claimed else None
    if prompt is None or (initiative_id is not None and initiative_id not in prompt.message.listed):
        log_refusal(action, click.user, channel=click.channel, ts=click.ts)
        return None
    return prompt, initiative_id


def verified_prompt(engine: Engine, click: Click, action: str) -> Prompt | None:
    """`clicked_prompt` in a session of its own (for what needs only to know whose prompt it is)."""
    with session_scope(engine) as session:
        found = clicked_prompt(session, click, action)
    return found[0] if found else None


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
        # The metadata says which DM the modal came from; only a DM Baton sent to the author, listing
        # this initiative, counts (it answers for whoever Baton prompted, a delegate too), and its cycle
        # is the claim's. Anything else is an update like `/okr update`'s, for the current cycle, and is
        # checked again here: the picker may offer initiatives the author cannot update, and roles may
        # have changed since it opened. R/A people pass on the database alone; only others (admins by
        # their Slack flag, or a refusal) cost a users.info before the answer.
        prompt = _dm_of(session, form, author)
        if prompt is None and not can_update(session, settings, client, author, initiative.id or 0):
            log_refusal("update.submit", author, initiative_id=initiative.id)
            block = ids.INITIATIVE_BLOCK if ids.INITIATIVE_BLOCK in state_blocks else ids.STATUS_BLOCK
            return UpdateRefused(block, "update.refused_in_modal", {})  # plain text: no mentions
        workspace = load_workspace(session, settings)  # once for this submission
        if prompt is not None and is_closed(workspace, prompt.ref.cycle, now):
            return UpdateRefused(ids.STATUS_BLOCK, "modal.error_closed", {"cycle": prompt.ref.cycle})
        save_update(
            session, workspace, form=form, initiative=initiative, author=author, now=now, prompt=prompt
        )
    return None


def _dm_of(session: Session, form: UpdateForm, author: str) -> Prompt | None:
    """The check-in DM an update modal was opened from, if its metadata names one Baton sent to the author
    that lists the initiative."""
    dm = form.origin.get("dm")
    if not isinstance(dm, dict):
        return None
    prompt = find_prompt(
        session, cycle=form.origin.get("cycle"), channel=dm.get("channel"), ts=dm.get("ts"), user=author
    )
    if prompt is None or form.initiative_id not in prompt.message.listed:
        return None
    return prompt


def prompt_modal(
    engine: Engine, workspace: Workspace, *, click: Click, lang: str, now: datetime
) -> dict[str, Any] | Refused:
    """The update modal a check-in DM's Details button opens; or why not (the cycle closed, not your DM).
    The modal's metadata names the DM (cycle, channel, ts) so that its submission can find it again."""
    with session_scope(engine) as session:
        found = clicked_prompt(session, click, "prompt.details")
        if found is None:
            return Refused.NOT_YOURS
        prompt, initiative_id = found
        initiative = session.get(Initiative, initiative_id) if initiative_id is not None else None
        if initiative is None or is_closed(workspace, prompt.ref.cycle, now):
            return Refused.CLOSED
        where = {"channel": prompt.message.channel, "ts": prompt.message.ts}
        return update_modal(
            initiative,
            previous=latest_checkin(session, initiative.id or 0),
            cycle=prompt.ref.cycle,
            origin={"cycle": prompt.ref.cycle, "dm": where},
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
    prompt: Prompt | None = None,
) -> CheckIn:
    """Record a modal's update. Opened from a check-in DM (`prompt`, as Baton sent it), it counts for that
    DM's cycle and refreshes it; otherwise it counts for the current cycle and the author gets a
    confirmation by DM."""
    cycle = prompt.ref.cycle if prompt else workspace.cycle(now)
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
    if prompt is not None:
        refresh(session, ref=prompt.ref, message=prompt.message, now=now)
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
    engine: Engine, workspace: Workspace, *, click: Click, status: Status, now: datetime
) -> Refused | None:
    """Record a one-click answer and queue the DM's refresh; None when recorded, else why not.
    The same click twice records once: a second identical status is no new answer, and two clicks
    racing share a dedupe key, so the loser's transaction is rolled back whole."""
    author = click.user
    try:
        with session_scope(engine) as session:
            found = clicked_prompt(session, click, "prompt.answer")
            if found is None or found[1] is None:
                return Refused.NOT_YOURS
            prompt, initiative_id = found
            ref, message = prompt.ref, prompt.message
            initiative = session.get(Initiative, initiative_id)
            if initiative is None or is_closed(workspace, ref.cycle, now):
                return Refused.CLOSED
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
    return None


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


def skip_week(engine: Engine, *, click: Click, now: datetime) -> Refused | None:
    """Skip the DM's week for its owner; None when done (or already done), else why not."""
    user = click.user
    try:
        with session_scope(engine) as session:
            found = clicked_prompt(session, click, "prompt.skip")
            if found is None:
                return Refused.NOT_YOURS
            ref, message = found[0].ref, found[0].message
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
    return None


def go_away(
    engine: Engine,
    *,
    user: str,
    starts_on: date,
    ends_on: date,
    delegate: str | None,
    now: datetime,
    cycle: str | None = None,
    lang: str = DEFAULT,
) -> Away:
    """Out of office from `starts_on` to `ends_on` (both included); prompts go to `delegate` meanwhile.
    The delegate is told at once, and gets this `cycle`'s prompt if the owner had already been sent it
    and has not answered everything (the check-in ritual sends them the later ones).
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
        if delegate is not None:
            _hand_over(session, away, delegate, cycle, now)
    return away


def _hand_over(session: Session, away: Away, delegate: str, cycle: str | None, now: datetime) -> None:
    """Tell the delegate, and give them this cycle's prompt when the owner's went out already: claimed as
    `owner@delegate`, so that their clicks are recognised as a prompt Baton sent them."""
    lang = language_for(session, delegate)
    notice = {"text": t("away.delegate_told", lang, owner=away.user_id, until=away.ends_on.isoformat())}
    enqueue_post(session, kind=DeliveryKind.CONFIRMATION, channel=delegate, message=notice, now=now)
    if cycle is None or not _prompted_in_person(session, away.user_id, cycle):
        return
    quarters = quarters_of(session)
    theirs = responsible_people(session).get(away.user_id, [])
    answers = answers_in_cycle(session, cycle)
    items = [
        PromptItem(i, answers.get(i.id or 0)) for i in theirs if in_quarter(cycle, quarters[i.objective_id])
    ]
    if not items or all(item.answer for item in items):
        return
    target = f"{away.user_id}@{delegate}"
    claimed = insert_claims(
        session, ritual=Ritual.PROMPT, items=[Due(cycle, target, now, RunState.QUEUED)], now=now
    )
    run_id = claimed.get((cycle, target))
    if run_id is not None:
        message = prompt_message(cycle=cycle, owner=away.user_id, recipient=delegate, items=items, lang=lang)
        enqueue_posts(session, kind=DeliveryKind.PROMPT, posts=[Post(delegate, message, run_id)], now=now)


def _prompted_in_person(session: Session, user: str, cycle: str) -> bool:
    """Whether `user`'s own prompt of `cycle` went out to them (not already to a delegate)."""
    return (
        session.exec(
            select(Delivery.id)
            .join(RitualRun, col(Delivery.ritual_run_id) == RitualRun.id)
            .where(
                RitualRun.ritual == Ritual.PROMPT,
                RitualRun.cycle == cycle,
                RitualRun.target == user,
                col(RitualRun.state).in_((RunState.QUEUED, RunState.SENT)),
                Delivery.channel == user,
            )
        ).first()
        is not None
    )


NUDGE = "nudge"  # a reminder the strategy office sends by hand: `owner@nudge`, once per owner and cycle


def nudge(
    engine: Engine, settings: Settings, client: WebClient, *, owner: str, by: str, cycle: str, now: datetime
) -> str:
    """The App Home's Nudge: a reminder now to `owner` (or the delegate their prompt went to), listing
    what they were asked and have not answered; once per cycle. Only admins may. What happened: `sent`,
    `already`, `nothing` (left to answer) or `refused`."""
    if not is_admin(settings, client, by):
        log_refusal("home.nudge", by, owner=owner)
        return "refused"
    with session_scope(engine) as session:
        missing = missing_updates(session, cycle).get(owner, [])
        if not missing:
            return "nothing"
        target = f"{owner}@{NUDGE}"
        claimed = insert_claims(
            session, ritual=Ritual.REMINDER, items=[Due(cycle, target, now, RunState.QUEUED)], now=now
        )
        run_id = claimed.get((cycle, target))
        if run_id is None:
            return "already"
        recipient = _prompted_to(session, owner, cycle) or owner
        items = [PromptItem(initiative, None) for initiative in missing]
        lang = language_for(session, recipient)
        message = prompt_message(
            cycle=cycle, owner=owner, recipient=recipient, items=items, reminder=True, lang=lang
        )
        enqueue_posts(session, kind=DeliveryKind.REMINDER, posts=[Post(recipient, message, run_id)], now=now)
        audit(session, actor=by, action="prompt.nudge", entity="person", entity_id=owner, at=now, cycle=cycle)
    return "sent"


def nudged(session: Session, cycle: str) -> set[str]:
    """The owners nudged already this cycle."""
    targets = session.exec(
        select(RitualRun.target).where(
            RitualRun.ritual == Ritual.REMINDER,
            RitualRun.cycle == cycle,
            col(RitualRun.target).like(f"%@{NUDGE}"),
        )
    )
    return {target.partition("@")[0] for target in targets}


def _prompted_to(session: Session, owner: str, cycle: str) -> str | None:
    """Who `owner`'s latest prompt of `cycle` went to (themselves, or a delegate)."""
    return session.exec(
        select(Delivery.channel)
        .join(RitualRun, col(Delivery.ritual_run_id) == RitualRun.id)
        .where(
            RitualRun.ritual == Ritual.PROMPT,
            RitualRun.cycle == cycle,
            col(RitualRun.target).in_([owner, *_handovers(session, owner, cycle)]),
        )
        .order_by(col(RitualRun.id).desc())
    ).first()


def _handovers(session: Session, owner: str, cycle: str) -> list[str]:
    return list(
        session.exec(
            select(RitualRun.target).where(
                RitualRun.ritual == Ritual.PROMPT,
                RitualRun.cycle == cycle,
                col(RitualRun.target).like(f"{owner}@%"),
            )
        )
    )
