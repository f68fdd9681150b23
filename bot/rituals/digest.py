"""The weekly digest: the leadership channel(s), and each department's team channel when it has one.

Each (cycle, channel) is claimed once (`RitualRun`). The digest is posted as its first message in the
channel and the rest, in order, in its thread; every message carries metadata naming the cycle and its
part number. The claim becomes `sent` only once every part is posted. A run that fails half-way (Slack
refused a part) records `failed` with the first message's ts, and the next run posts only the parts the
thread lacks; a run that died half-way (its claim stays `claimed`) is taken over after `LEASE`, and
finds the first message by its metadata in the channel's history before posting anything. So there is
never a second head, and nothing is lost. The chart follows the text as a file in the thread, claimed on
its own: a failed upload is logged and recorded, and never holds the text back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from bot.config import Settings
from bot.digest_data import DigestData, load_digest, shift
from bot.domain.cycles import cycle_key, quarter_key
from bot.domain.progress import cycle_monday, cycle_of, quarter_bounds
from bot.domain.schedule import Cadence, digest_due
from bot.i18n import t
from bot.logs import get_logger
from bot.people import workspace_language
from bot.portfolio import history, open_escalations, raci_of
from bot.rituals.cadence import load_cadence
from bot.rituals.claims import claim, finish
from bot.views.digest import digest_messages, preview_message
from bot.views.portfolio import notice, status_message
from storage.db import session_scope
from storage.models import Initiative, RitualRun, WorkspaceSettings

log = get_logger(__name__)

DIGEST, CHART = "digest", "digest_chart"
EVENT = "baton_digest"  # the metadata event type of every digest message
LEASE = timedelta(minutes=10)  # a claim this old and still `claimed`: its run died, another takes over
HISTORY_PAGES = 5  # how far back (pages of 200) a retry looks for the first message


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


@dataclass(frozen=True)
class Targets:
    leadership: list[str]
    teams: dict[str, str]  # department → channel


def digest_targets(session: Session, settings: Settings) -> Targets:
    """The leadership channel(s) (the settings row's, else LEADERSHIP_CHANNEL; several may be given,
    comma-separated) and each department's team channel."""
    row = session.get(WorkspaceSettings, 1) or WorkspaceSettings()
    leadership = row.leadership_channel or settings.leadership_channel or ""
    return Targets([c for c in re.split(r"[,\s]+", leadership) if c], dict(row.team_channels))


def run_digests(
    engine: Engine, client: WebClient, *, now: datetime, settings: Settings
) -> list[RitualOutcome]:
    """Every digest due at `now`: leadership's, then the teams'."""
    with session_scope(engine) as session:
        targets = digest_targets(session, settings)
    outcomes = [run_digest(engine, client, now=now, settings=settings, channel=c) for c in targets.leadership]
    for department, channel in sorted(targets.teams.items()):
        outcomes.append(
            run_digest(engine, client, now=now, settings=settings, channel=channel, department=department)
        )
    return outcomes


def build_digest(
    session: Session, settings: Settings, now: datetime, *, department: str | None = None
) -> DigestData:
    """This cycle's digest as of `now`: decisions and undelivered messages since the previous digest."""
    cadence = load_cadence(session, settings)
    cycle = cycle_key(now, cadence.tz)
    return load_digest(
        session,
        cycle=cycle,
        today=now.astimezone(cadence.tz).date(),
        quarter=quarter_key(now, cadence.tz),
        since=digest_due(shift(cycle, -1), cadence),
        department=department,
    )


def run_digest(
    engine: Engine,
    client: WebClient,
    *,
    now: datetime,
    settings: Settings,
    channel: str,
    department: str | None = None,
) -> RitualOutcome:
    """Post this cycle's digest to `channel` once it is due (digest day and hour, organisation's time),
    once per cycle however often it runs; `department` makes it that team's digest."""
    with session_scope(engine) as session:
        cadence = load_cadence(session, settings)
    cycle = cycle_key(now, cadence.tz)
    due = digest_due(cycle, cadence)
    if now < due:
        return RitualOutcome(DIGEST, cycle, channel, "not due", f"due at {due:%Y-%m-%d %H:%M} UTC")
    run = _claim(engine, cycle, channel, now)
    if isinstance(run, str):
        return RitualOutcome(DIGEST, cycle, channel, run, "already handled for this cycle")
    with session_scope(engine) as session:
        data = build_digest(session, settings, now, department=department)
        lang = workspace_language(session)
    messages = digest_messages(data, lang)
    head: Head | None = None
    try:
        head, posted = _resume(client, channel, cycle, run, due)
        for number, message in enumerate(messages, start=1):
            if number in posted:
                continue
            metadata = {"event_type": EVENT, "event_payload": _payload(cycle, run, number, len(messages))}
            if head is None:
                answer = client.chat_postMessage(channel=channel, metadata=metadata, **message)
                head = Head(str(answer["channel"]), str(answer["ts"]))
                _record_head(engine, run.id, head.ts)
            else:
                client.chat_postMessage(channel=head.channel, thread_ts=head.ts, metadata=metadata, **message)
    except (SlackClientError, OSError) as exc:
        error = _error(exc)
        finish(engine, run.id, state="failed", now=now, message_ts=head.ts if head else None, error=error)
        log.warning("ritual.failed", ritual=DIGEST, cycle=cycle, channel=channel, error=error)
        return RitualOutcome(DIGEST, cycle, channel, "failed", error)
    assert head is not None  # there is always a first message
    finish(engine, run.id, state="sent", now=now, message_ts=head.ts)
    log.info("ritual.sent", ritual=DIGEST, cycle=cycle, channel=channel, messages=len(messages))
    detail = f"{len(messages)} message(s)" + _chart(engine, client, data, lang, head, now)
    return RitualOutcome(DIGEST, cycle, channel, "sent", detail)


@dataclass(frozen=True)
class Run:
    id: int
    resumed: bool  # a retry of a run that failed or died: something may be posted already
    head_ts: str | None  # the first message, when the earlier run recorded it


@dataclass(frozen=True)
class Head:
    channel: str
    ts: str


def _claim(engine: Engine, cycle: str, channel: str, now: datetime) -> Run | str:
    """Ours to post: a new claim, a `failed` one taken back, or a `claimed` one whose run died (after
    `LEASE`); else the state of the claim that holds it."""
    taken = claim(engine, ritual=DIGEST, cycle=cycle, target=channel, now=now, lease=LEASE)
    if taken.run_id is None:
        return taken.state
    return Run(taken.run_id, taken.resumed, taken.message_ts)


def _record_head(engine: Engine, run_id: int, ts: str) -> None:
    """Remember the first message as soon as it is posted, so a retry threads under it."""
    with session_scope(engine) as session:
        session.execute(update(RitualRun).where(col(RitualRun.id) == run_id).values(message_ts=ts))


def _payload(cycle: str, run: Run, number: int, total: int) -> dict[str, Any]:
    return {"cycle": cycle, "run_id": run.id, "part": number, "parts": total}


def _resume(
    client: WebClient, channel: str, cycle: str, run: Run, due: datetime
) -> tuple[Head | None, set[int]]:
    """Where an earlier run stopped: the first message (if it was posted) and the parts already there."""
    if not run.resumed:
        return None, set()
    head_ts = run.head_ts or _find_head(client, channel, cycle, due)
    if head_ts is None:
        return None, set()
    thread = client.conversations_replies(channel=channel, ts=head_ts, include_all_metadata=True, limit=1000)
    posted = {
        int(part)
        for message in thread.get("messages") or []
        if (part := _part_of(message, cycle)) is not None
    }
    return Head(channel, head_ts), posted | {1}


def _find_head(client: WebClient, channel: str, cycle: str, due: datetime) -> str | None:
    for message in _history(client, channel, oldest=f"{due.timestamp():.6f}"):
        if _part_of(message, cycle) == 1:
            return str(message["ts"])
    return None


def _history(client: WebClient, channel: str, *, oldest: str) -> Iterator[dict[str, Any]]:
    cursor = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=channel, oldest=oldest, limit=200, include_all_metadata=True, cursor=cursor
        )
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def _part_of(message: dict[str, Any], cycle: str) -> int | None:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") != EVENT or payload.get("cycle") != cycle:
        return None
    part = payload.get("part")
    return int(part) if isinstance(part, int | str) and str(part).isdigit() else None


def _error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error"))
    return str(exc) if isinstance(exc, SlackClientError) else type(exc).__name__


def _chart(engine: Engine, client: WebClient, data: DigestData, lang: str, head: Head, now: datetime) -> str:
    """Upload the chart into the digest's thread, once; what happened, for the outcome's detail."""
    taken = claim(engine, ritual=CHART, cycle=data.cycle, target=head.channel, now=now)
    if taken.run_id is None:
        return ""
    from bot.report import chart_png  # matplotlib is slow to import: only when a chart is drawn

    try:
        png = chart_png(data, lang)
        client.files_upload_v2(
            channel=head.channel,
            thread_ts=head.ts,
            content=png,
            filename=f"digest-{data.cycle}.png",
            title=t("digest.chart.title", lang, quarter=data.quarter),
            alt_txt=t("digest.chart.alt", lang, quarter=data.quarter),
        )
    except (SlackClientError, OSError, ValueError) as exc:
        error = _error(exc)
        finish(engine, taken.run_id, state="failed", now=now, error=error)
        log.warning("digest.chart_failed", cycle=data.cycle, channel=head.channel, error=error)
        return f", chart not uploaded: {error}"
    finish(engine, taken.run_id, state="sent", now=now, message_ts=head.ts)
    return ", chart uploaded"


# -- what the digest's other surfaces answer -----------------------------------------------------------


def preview(engine: Engine, settings: Settings, now: datetime, lang: str) -> dict[str, Any]:
    """`/okr digest`: this week's leadership digest, its first message, for the asker only."""
    with session_scope(engine) as session:
        return preview_message(build_digest(session, settings, now), lang)


def details(engine: Engine, initiative_id: int, lang: str) -> dict[str, Any]:
    """An initiative's Details button: its `/okr status`, for the one who clicked."""
    with session_scope(engine) as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            return notice(t("status.not_found", lang, query=str(initiative_id)))
        return status_message(
            initiative,
            raci_of(session, initiative_id),
            history(session, initiative_id),
            open_escalations(session, initiative_id),
            lang,
        )


def quarter_as_of(quarter: str, now: datetime, cadence: Cadence) -> tuple[str, date]:
    """The cycle and day a report on `quarter` stands at: today while it runs, its last day once over."""
    first, last = quarter_bounds(quarter)
    today = min(max(now.astimezone(cadence.tz).date(), first), last)
    return cycle_of(today), today


def report_data(session: Session, settings: Settings, quarter: str, now: datetime) -> DigestData:
    """`baton report`: the quarter's initiatives as the digest sees them, as of its last cycle so far."""
    cadence = load_cadence(session, settings)
    cycle, today = quarter_as_of(quarter, now, cadence)
    start = datetime.combine(cycle_monday(cycle), datetime.min.time(), tzinfo=cadence.tz)
    return load_digest(session, cycle=cycle, today=today, quarter=quarter, since=start, only_quarter=True)
