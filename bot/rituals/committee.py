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

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain.escalation import committee_due, impact, month_key
from bot.logs import get_logger
from bot.people import workspace_language
from bot.portfolio import latest_checkins
from bot.rituals.cadence import load_cadence, workspace_row
from bot.rituals.claims import claim, finish
from bot.rituals.digest import RitualOutcome, digest_targets
from bot.views.committee import AgendaItem, agenda_messages
from storage.db import session_scope
from storage.models import Escalation, Initiative

log = get_logger(__name__)

COMMITTEE = "committee"


def run_committee(
    engine: Engine, client: WebClient, *, now: datetime, settings: Settings
) -> list[RitualOutcome]:
    with session_scope(engine) as session:
        tz = load_cadence(session, settings).tz
        row = workspace_row(session)
        channels = digest_targets(session, settings).leadership
    month = month_key(now, tz)
    due = committee_due(
        month, tz, weekday=row.committee_weekday, week=row.committee_week, hour=row.committee_hour
    )
    day_after = datetime.combine(due.astimezone(tz).date() + timedelta(days=1), time(), tzinfo=tz)
    return post_when_due(
        engine,
        client,
        ritual=COMMITTEE,
        cycle=month,
        channels=channels,
        due=due,
        missed=day_after,
        now=now,
        build=lambda session: agenda_messages(month, agenda(session, now), workspace_language(session)),
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
    client: WebClient,
    *,
    ritual: str,
    cycle: str,
    channels: Sequence[str],
    due: datetime,
    missed: datetime,
    now: datetime,
    build: Callable[[Session], Sequence[dict[str, Any]]],
) -> list[RitualOutcome]:
    """A ritual of the leadership channel(s), worth posting from `due` until `missed`: then `build`'s
    messages (built once) are posted once in each channel; before, it is not due, and after, not sent late."""
    if not channels:
        return [RitualOutcome(ritual, cycle, "-", "no leadership channel")]
    if not due <= now < missed:
        state = "not due" if now < due else "missed"
        return [
            RitualOutcome(ritual, cycle, c, state, f"due {due.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
            for c in channels
        ]
    with session_scope(engine) as session:
        messages = build(session)
    return [
        post_once(engine, client, ritual=ritual, cycle=cycle, channel=c, messages=messages, now=now)
        for c in channels
    ]


def post_once(
    engine: Engine,
    client: WebClient,
    *,
    ritual: str,
    cycle: str,
    channel: str,
    messages: Sequence[dict[str, Any]],
    now: datetime,
) -> RitualOutcome:
    """Post `messages` once for (ritual, cycle, channel): the first to the channel, the rest in its thread.
    Slack refusing the first message leaves the claim `failed`, so the next run tries again; a part of the
    thread refused after the first message went out is recorded and not retried (a second first message
    would be worse than a shorter thread)."""
    taken = claim(engine, ritual=ritual, cycle=cycle, target=channel, now=now)
    if taken.run_id is None:
        return RitualOutcome(ritual, cycle, channel, taken.state, "already handled")
    metadata = {"event_type": f"baton_{ritual}", "event_payload": {"cycle": cycle, "run_id": taken.run_id}}
    try:
        head = client.chat_postMessage(channel=channel, metadata=metadata, **messages[0])
    except (SlackApiError, OSError) as exc:
        error = _error(exc)
        finish(engine, taken.run_id, state="failed", now=now, error=error)
        log.warning("ritual.failed", ritual=ritual, cycle=cycle, channel=channel, error=error)
        return RitualOutcome(ritual, cycle, channel, "failed", error)
    problem = None
    for number, message in enumerate(messages[1:], start=2):
        try:
            client.chat_postMessage(channel=head["channel"], thread_ts=head["ts"], **message)
        except (SlackApiError, OSError) as exc:
            problem = f"part {number} of {len(messages)}: {_error(exc)}"
            log.warning("ritual.part_failed", ritual=ritual, cycle=cycle, channel=channel, error=problem)
            break
    finish(engine, taken.run_id, state="sent", now=now, message_ts=head["ts"], error=problem)
    log.info("ritual.sent", ritual=ritual, cycle=cycle, channel=channel, messages=len(messages))
    return RitualOutcome(ritual, cycle, channel, "sent", problem or f"{len(messages)} message(s)")


def _error(exc: Exception) -> str:
    return str(exc.response.get("error")) if isinstance(exc, SlackApiError) else type(exc).__name__
