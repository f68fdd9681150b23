"""The monthly arbitration committee: on its day (by default the first Tuesday of the month, 10:00 in the
organisation's time zone), its agenda goes to the leadership channel(s), once per month and channel.

The agenda lists every escalation still open (scheduled for the committee or not), weightiest first
(`impact` of the rule), then oldest first, each with the decision it needs. An agenda is worth posting
only on the day itself: one missed (Baton was down all day) is not posted late.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.delivery.claims import Thread, queue_once
from bot.domain.cycles import month_key
from bot.domain.escalation import committee_due, impact
from bot.domain.ritual import NotQueued, RitualName, RitualResult
from bot.portfolio import latest_checkins
from bot.views.committee import AgendaItem, agenda_messages
from bot.workspace import workspace_of
from storage.models import Escalation, Initiative

COMMITTEE = RitualName.COMMITTEE


def run_committee(engine: Engine, *, now: datetime, settings: Settings) -> list[RitualResult]:
    workspace = workspace_of(engine, settings)
    tz, slot = workspace.tz, workspace.committee
    month = month_key(now, tz)
    due = committee_due(month, tz, weekday=slot.weekday, week=slot.week, hour=slot.hour)
    day_after = datetime.combine(due.astimezone(tz).date() + timedelta(days=1), time(), tzinfo=tz)
    return post_when_due(
        engine,
        ritual=COMMITTEE,
        cycle=month,
        channels=workspace.leadership,
        due=due,
        missed=day_after,
        now=now,
        build=lambda session: agenda_messages(month, agenda(session, now), workspace.language),
    )


def agenda(session: Session, now: datetime) -> list[AgendaItem]:
    """Every escalation not yet decided or resolved, weightiest rule first, then oldest first."""
    rows = session.exec(
        select(Escalation, Initiative)
        .join(Initiative, col(Escalation.initiative_id) == Initiative.id)
        .where(col(Escalation.open_key).is_not(None))
    ).all()
    latest = latest_checkins(session)
    items = []
    for escalation, initiative in sorted(
        rows, key=lambda r: (impact(r[0].rule), r[0].opened_at, r[0].id or 0)
    ):
        last = latest.get(initiative.id or 0)
        items.append(
            AgendaItem(
                escalation=escalation,
                title=initiative.title,
                age_days=max((now - escalation.opened_at).days, 0),
                decision_needed=(last.decision_needed or "").strip() if last else "",
                options=(last.decision_options or "").strip() if last else "",
            )
        )
    return items


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
