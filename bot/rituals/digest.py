"""The weekly leadership digest (a first, plain version: counts by status and last updates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.config import Settings
from bot.delivery.outbox import failed_deliveries
from bot.domain.cycles import cycle_key
from bot.domain.schedule import digest_due
from bot.logs import get_logger
from bot.portfolio import active_initiatives, latest_checkins, owners_by_initiative
from bot.rituals.cadence import load_cadence
from bot.rituals.claims import claim, finish
from bot.views.digest import digest_messages
from storage.db import session_scope

log = get_logger(__name__)


@dataclass(frozen=True)
class RitualOutcome:
    ritual: str
    cycle: str
    target: str
    state: str  # sent, failed, not due, or the state of an item claimed earlier (sent, claimed)
    detail: str = ""

    def summary(self) -> str:
        return f"{self.ritual} {self.cycle} → {self.target}: {self.state}" + (
            f" ({self.detail})" if self.detail else ""
        )


def run_digest(
    engine: Engine, client: WebClient, *, now: datetime, settings: Settings, channel: str
) -> RitualOutcome:
    """Post this cycle's digest to `channel` once it is due (digest day and hour, organisation's time),
    once per cycle however often it runs."""
    with session_scope(engine) as session:
        cadence = load_cadence(session, settings)
    cycle = cycle_key(now, cadence.tz)
    due = digest_due(cycle, cadence)
    if now < due:
        return RitualOutcome("digest", cycle, channel, "not due", f"due at {due:%Y-%m-%d %H:%M} UTC")
    taken = claim(engine, ritual="digest", cycle=cycle, target=channel, now=now)
    if taken.run_id is None:
        return RitualOutcome("digest", cycle, channel, taken.state, "already handled for this cycle")
    with session_scope(engine) as session:
        messages = digest_messages(
            cycle,
            active_initiatives(session),
            latest_checkins(session),
            owners_by_initiative(session),
            undelivered=failed_deliveries(session, since=now - timedelta(days=7)),
        )
    metadata = {"event_type": "baton_digest", "event_payload": {"cycle": cycle, "run_id": taken.run_id}}
    try:
        first = client.chat_postMessage(channel=channel, metadata=metadata, **messages[0])
        for message in messages[1:]:
            client.chat_postMessage(channel=first["channel"], thread_ts=first["ts"], **message)
    except (SlackApiError, OSError) as exc:
        error = str(exc.response.get("error")) if isinstance(exc, SlackApiError) else type(exc).__name__
        finish(engine, taken.run_id, state="failed", now=now, error=error)
        log.warning("ritual.failed", ritual="digest", cycle=cycle, channel=channel, error=error)
        return RitualOutcome("digest", cycle, channel, "failed", error)
    finish(engine, taken.run_id, state="sent", now=now, message_ts=first["ts"])
    log.info("ritual.sent", ritual="digest", cycle=cycle, channel=channel, messages=len(messages))
    return RitualOutcome("digest", cycle, channel, "sent", f"{len(messages)} message(s)")
