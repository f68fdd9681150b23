"""The weekly digest: the leadership channel(s), and each department's team channel when it has one.

Each (cycle, channel) is claimed once (`RitualRun`), in the transaction that queues the digest in the
outbox: the chart uploaded first (shared with nobody), then the head message in the channel showing it,
then the detail in order in its thread. The outbox's sender posts them (paced per channel, retried, looked
up before any resend), so a crash or a refused part never makes a second first message, and a part waits
for the one before it; a chart that fails to upload leaves the head without it, never holds it back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.delivery.claims import Thread, queue_once
from bot.delivery.outbox import PENDING_FILE, File
from bot.digest_data import digest_as_of, load_digest
from bot.domain.cycles import cycle_monday, cycle_of, quarter_bounds
from bot.domain.digest import DigestData
from bot.domain.ritual import NotQueued, RitualName, RitualResult
from bot.domain.schedule import digest_due
from bot.i18n import t
from bot.logs import get_logger
from bot.portfolio import history, open_escalations, raci_of
from bot.views.digest import Chart, digest_messages, preview_message
from bot.views.portfolio import notice, status_message
from bot.workspace import Workspace, workspace_of
from storage.db import session_scope
from storage.models import Initiative

log = get_logger(__name__)

DIGEST = RitualName.DIGEST


def run_digests(engine: Engine, *, now: datetime, settings: Settings) -> list[RitualResult]:
    """Every digest due at `now`: the leadership channel(s)', then each department's team channel's."""
    workspace = workspace_of(engine, settings)  # one load for every channel's digest
    results = [run_digest(engine, now=now, workspace=workspace, channel=c) for c in workspace.leadership]
    for department, channel in sorted(workspace.teams.items()):
        team = run_digest(engine, now=now, workspace=workspace, channel=channel, department=department)
        results.append(team)
    return results or [RitualResult(DIGEST, notes=("no leadership or team channel is set",))]


def build_digest(
    session: Session, workspace: Workspace, now: datetime, *, department: str | None = None
) -> DigestData:
    """This cycle's digest as of `now` (see `digest_as_of`)."""
    return digest_as_of(session, workspace, now, department=department)


def run_digest(
    engine: Engine,
    *,
    now: datetime,
    workspace: Workspace,
    channel: str,
    department: str | None = None,
) -> RitualResult:
    """Queue this cycle's digest for `channel` once it is due (digest day and hour, organisation's time),
    once per cycle however often it runs; `department` makes it that team's digest."""
    cycle = workspace.cycle(now)
    due = digest_due(cycle, workspace.cadence)
    if now < due:
        return RitualResult(
            DIGEST, cycle, channel, NotQueued.NOT_DUE, detail=f"due at {due:%Y-%m-%d %H:%M} UTC"
        )

    def build(session: Session) -> Thread:
        data = build_digest(session, workspace, now, department=department)
        chart = _chart(data, workspace.language)
        shown = Chart(PENDING_FILE, chart.title, chart.alt_txt) if chart else None
        return Thread(digest_messages(data, workspace.language, shown), chart)

    return queue_once(engine, ritual=DIGEST, cycle=cycle, channel=channel, now=now, build=build)


def _chart(data: DigestData, lang: str) -> File | None:
    """The chart, uploaded before the head message shows it; a chart that cannot be drawn is logged and
    left out, never holding the text back."""
    from bot.report import chart_png  # matplotlib is slow to import: only when a chart is drawn

    try:
        png = chart_png(data, lang)
    except ValueError as exc:
        log.warning("digest.chart_failed", cycle=data.cycle, error=str(exc))
        return None
    return File(
        filename=f"digest-{data.cycle}.png",
        content=png,
        title=t("digest.chart.title", lang, quarter=data.quarter),
        alt_txt=t("digest.chart.alt", lang, quarter=data.quarter),
        in_head=True,
    )


# -- what the digest's other surfaces answer -----------------------------------------------------------


def preview(engine: Engine, workspace: Workspace, now: datetime, lang: str) -> dict[str, Any]:
    """`/okr digest`: this week's leadership digest, its first message, for the asker only."""
    with session_scope(engine) as session:
        return preview_message(build_digest(session, workspace, now), lang)


def details(engine: Engine, initiative_id: int | None, lang: str) -> dict[str, Any]:
    """An initiative's Details button: its `/okr status`, for the one who clicked (what anyone may ask with
    `/okr status`, so the id the button carries needs no other check); None is a value Baton never made."""
    with session_scope(engine) as session:
        initiative = session.get(Initiative, initiative_id) if initiative_id is not None else None
        if initiative is None:
            return notice(t("modal.error_gone", lang))
        found = initiative.id or 0
        return status_message(
            initiative,
            raci_of(session, found),
            history(session, found),
            open_escalations(session, found),
            lang,
        )


def quarter_as_of(quarter: str, now: datetime, workspace: Workspace) -> tuple[str, date]:
    """The cycle and day a report on `quarter` stands at: today while it runs, its last day once over."""
    first, last = quarter_bounds(quarter)
    today = min(max(workspace.today(now), first), last)
    return cycle_of(today), today


def report_data(session: Session, workspace: Workspace, quarter: str, now: datetime) -> DigestData:
    """`baton report`: the quarter's initiatives as the digest sees them, as of its last cycle so far."""
    cycle, today = quarter_as_of(quarter, now, workspace)
    start = datetime.combine(cycle_monday(cycle), datetime.min.time(), tzinfo=workspace.tz)
    return load_digest(session, cycle=cycle, today=today, quarter=quarter, since=start, only_quarter=True)
