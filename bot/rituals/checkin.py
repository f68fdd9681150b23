"""The Monday check-in: one DM per owner per cycle at their local check-in hour, and the reminders.

Each prompt and reminder is claimed by its key (ritual, cycle, person) in the same transaction as its
outbox row, so a restart, a double tick, a clock jump or a second replica never prompts anyone twice.
A prompt missed for longer than the grace window (Baton was down) is sent at the owner's next working
morning instead, saying it is late; one whose cycle has no such morning left is recorded as skipped, and
nobody is counted as not answering a question they were never asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import col, select

from bot.config import Settings
from bot.delivery.claims import Due, claimed_keys, insert_claims
from bot.delivery.outbox import Post, enqueue_posts
from bot.domain.cycles import in_quarter
from bot.domain.ritual import RitualName, RitualResult
from bot.domain.schedule import (
    Cadence,
    Timing,
    catch_up_due,
    checkin_due,
    cycles_around,
    holiday_on,
    timing,
    zone,
)
from bot.i18n import language
from bot.people import country_of, refresh_people
from bot.portfolio import answers_in_cycle, quarters_of, responsible_people
from bot.views.prompt import PromptItem, prompt_message
from bot.workspace import load_workspace
from storage.db import session_scope
from storage.models import (
    Away,
    CycleSkip,
    Delivery,
    DeliveryKind,
    Initiative,
    Person,
    Ritual,
    RitualRun,
    RunState,
    Snooze,
)

PROMPT, REMINDER, SNOOZE = Ritual.PROMPT, Ritual.REMINDER, Ritual.SNOOZE
MISSED = "missed: due longer ago than the grace window"
OUT_OF_OFFICE = "out of office"


def run_checkin(engine: Engine, client: WebClient, *, now: datetime, settings: Settings) -> RitualResult:
    """Queue the prompts due at `now`: each owner's, at the check-in hour in their own time zone."""
    with session_scope(engine) as session:
        owners = responsible_people(session)
        quarters = quarters_of(session)
    refresh_people(engine, client, owners, now=now)
    queued: list[str] = []
    skipped: list[tuple[str, str]] = []  # (who, why)
    with session_scope(engine) as session:
        workspace = load_workspace(session, settings)
        cadence = workspace.cadence
        cycles = cycles_around(now, cadence.tz)
        taken = claimed_keys(session, PROMPT, cycles)
        people = {p.user_id: p for p in session.exec(select(Person).where(col(Person.user_id).in_(owners)))}
        aways: dict[str, list[Away]] = defaultdict(list)
        for away in session.exec(select(Away).where(col(Away.user_id).in_(owners))):
            aways[away.user_id].append(away)
        speaks = _languages(people, workspace.language)
        found: list[tuple[Due, str, list[PromptItem], bool]] = []  # what is due, to whom, listing what, late
        for cycle in cycles:
            answers = answers_in_cycle(session, cycle)
            for user, theirs in owners.items():
                initiatives = [i for i in theirs if in_quarter(cycle, quarters[i.objective_id])]
                if (cycle, user) in taken or not initiatives:
                    continue  # prompted already, or nothing of theirs runs this cycle (its quarter ended)
                person = people.get(user)
                tz = zone(person.tz if person else None) or cadence.tz
                due = checkin_due(cycle, cadence, tz)
                when, late = timing(due, now, cadence.grace), False
                if when is Timing.MISSED and not _newer_than(initiatives, due):
                    catch_up = catch_up_due(cycle, due, now, cadence, tz, country_of(person))
                    if catch_up is not None:  # Baton was down: their next working morning instead
                        due, when, late = catch_up, timing(catch_up, now, cadence.grace), True
                if when is Timing.EARLY or (when is Timing.MISSED and _newer_than(initiatives, due)):
                    continue  # not due yet, or it was due before this person had anything to answer for
                recipient, reason = _recipient(
                    user, person, due.astimezone(tz).date(), when, cadence, aways[user]
                )
                items = [
                    PromptItem(initiative, answers.get(initiative.id or 0)) for initiative in initiatives
                ]
                if reason is None and all(item.answer for item in items):
                    reason = "already answered"
                state = RunState.SKIPPED if reason else RunState.QUEUED
                found.append((Due(cycle, user, due, state, reason), recipient, items, late))
        claimed = insert_claims(session, ritual=PROMPT, items=[item for item, *_ in found], now=now)
        posts = []
        for item, recipient, items, late in found:
            run_id = claimed.get((item.cycle, item.target))
            if run_id is None:
                continue  # another run claimed it first
            if item.error:
                skipped.append((item.target, item.error))
                continue
            message = prompt_message(
                cycle=item.cycle,
                owner=item.target,
                recipient=recipient,
                items=items,
                late=late,
                lang=speaks(recipient),
            )
            posts.append(Post(recipient, message, run_id))
            queued.append(item.target)
        enqueue_posts(session, kind=DeliveryKind.PROMPT, posts=posts, now=now)
    return RitualResult(RitualName.CHECKIN, queued=tuple(queued), skipped=tuple(skipped))


def _languages(people: dict[str, Person], default: str) -> Callable[[str], str]:
    """Who speaks what: a person's Slack locale, else the workspace's language."""
    return lambda user: language(people[user].locale if user in people else None, default)


def _newer_than(initiatives: Sequence[Initiative], instant: datetime) -> bool:
    return all(initiative.created_at > instant for initiative in initiatives)


def _recipient(
    user: str, person: Person | None, local_day: date, when: Timing, cadence: Cadence, aways: Sequence[Away]
) -> tuple[str, str | None]:
    """Who gets the prompt (the owner, or their delegate), or why nobody does."""
    if when is Timing.MISSED:
        return user, MISSED
    if person is not None and person.deleted:
        return user, "deactivated or unknown in Slack"
    holiday = holiday_on(local_day, country_of(person), cadence.holidays)
    if holiday is not None:
        return user, f"holiday: {holiday.name or holiday.day.isoformat()}"
    away = _away_on(local_day, aways)
    if away is not None:
        return (away.delegate_id, None) if away.delegate_id else (user, OUT_OF_OFFICE)
    return user, None


def _away_on(local_day: date, aways: Sequence[Away]) -> Away | None:
    return next((a for a in aways if a.starts_on <= local_day <= a.ends_on), None)


def run_reminders(engine: Engine, *, now: datetime, settings: Settings) -> RitualResult:
    """Queue a reminder to every prompted owner who has not answered everything after the reminder delay,
    and the reminders owners asked for with Snooze. Each lists only what is still missing. Nobody out of
    office that day (in their own zone) is reminded, whether the prompt came before they left or not."""
    queued: list[str] = []
    skipped: list[tuple[str, str]] = []  # (who, why)
    with session_scope(engine) as session:
        workspace = load_workspace(session, settings)
        cadence = workspace.cadence
        cycles = cycles_around(now, cadence.tz)
        prompts = session.exec(
            select(RitualRun, Delivery)
            .join(Delivery, col(Delivery.ritual_run_id) == RitualRun.id)
            .where(
                RitualRun.ritual == PROMPT,
                col(RitualRun.cycle).in_(cycles),
                col(RitualRun.state).in_((RunState.QUEUED, RunState.SENT)),
            )
            .order_by(col(RitualRun.id))
        ).all()
        if not prompts:
            return RitualResult(RitualName.REMINDERS)
        owners = responsible_people(session)
        quarters = quarters_of(session)
        skips = {
            (s.user_id, s.cycle)
            for s in session.exec(select(CycleSkip).where(col(CycleSkip.cycle).in_(cycles)))
        }
        snoozes: dict[tuple[str, str], list[Snooze]] = defaultdict(list)
        for snooze in session.exec(select(Snooze).where(col(Snooze.cycle).in_(cycles))):
            snoozes[(snooze.user_id, snooze.cycle)].append(snooze)
        recipients = set(owners) | {delivery.channel for _, delivery in prompts}
        people = {
            p.user_id: p for p in session.exec(select(Person).where(col(Person.user_id).in_(recipients)))
        }
        aways: dict[str, list[Away]] = defaultdict(list)
        for away in session.exec(select(Away).where(col(Away.user_id).in_(recipients))):
            aways[away.user_id].append(away)
        speaks = _languages(people, workspace.language)
        taken = {ritual: claimed_keys(session, ritual, cycles) for ritual in (REMINDER, SNOOZE)}
        answers = {cycle: answers_in_cycle(session, cycle) for cycle in cycles}
        found: dict[Ritual, list[tuple[Due, str, str, list[Initiative]]]] = {REMINDER: [], SNOOZE: []}
        live: dict[tuple[str, str], tuple[RitualRun, Delivery]] = {}
        for prompt, delivery in prompts:  # a handover (`owner@delegate`) replaces the owner's own prompt
            live[(prompt.target.partition("@")[0], prompt.cycle)] = (prompt, delivery)
        for (user, cycle), (prompt, delivery) in live.items():
            missing = [
                i
                for i in owners.get(user, [])
                if (i.id or 0) not in answers[cycle] and in_quarter(cycle, quarters[i.objective_id])
            ]
            if not missing or (user, cycle) in skips or prompt.due_at is None:
                continue
            due_items = [(REMINDER, user, prompt.due_at + cadence.reminder_delay)] + [
                (SNOOZE, f"{user}@{s.until.isoformat()}", s.until) for s in snoozes[(user, cycle)]
            ]
            for ritual, target, due in due_items:
                when = timing(due, now, cadence.grace)
                if (cycle, target) in taken[ritual] or when is Timing.EARLY:
                    continue
                reason = MISSED if when is Timing.MISSED else None
                person = people.get(delivery.channel)
                local_day = due.astimezone(zone(person.tz if person else None) or cadence.tz).date()
                if reason is None and _away_on(local_day, aways[delivery.channel]):
                    reason = OUT_OF_OFFICE  # whoever the prompt went to is away now: nobody is nagged
                item = Due(cycle, target, due, RunState.SKIPPED if reason else RunState.QUEUED, reason)
                found[ritual].append((item, user, delivery.channel, missing))
        posts = []
        for ritual, entries in found.items():
            claimed = insert_claims(session, ritual=ritual, items=[entry[0] for entry in entries], now=now)
            for item, user, channel, missing in entries:
                run_id = claimed.get((item.cycle, item.target))
                if run_id is None:
                    continue
                if item.error:
                    skipped.append((user, item.error))
                    continue
                message = prompt_message(
                    cycle=item.cycle,
                    owner=user,
                    recipient=channel,
                    items=[PromptItem(initiative, None) for initiative in missing],
                    reminder=True,
                    lang=speaks(channel),
                )
                posts.append(Post(channel, message, run_id))
                queued.append(user)
        enqueue_posts(session, kind=DeliveryKind.REMINDER, posts=posts, now=now)
    return RitualResult(RitualName.REMINDERS, queued=tuple(queued), skipped=tuple(skipped))
