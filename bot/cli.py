"""The `baton` command."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.clock import offset_clock, system_clock
from bot.config import ConfigError, Settings, load_settings
from bot.deps import Deps
from bot.domain.cycles import OUT_OF_RANGE, YEARS, parse_quarter, quarter_cycles
from bot.domain.ritual import RitualName
from bot.domain.roadmap import (
    MAX_ROADMAP_BYTES,
    MAX_ROADMAP_ROWS,
    RoadmapError,
    emails_in,
    parse_roadmap,
    too_big,
    with_people,
)
from bot.logs import configure_logging, get_logger
from bot.workspace import load_workspace, workspace_of
from storage.db import SchemaBehind, make_engine, open_current, session_scope, upgrade

if TYPE_CHECKING:
    from slack_bolt import App

log = get_logger("baton")


class CommandError(Exception):
    """A problem the user can fix: printed as one line (or a short report), never as a traceback."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="baton",
        description="Baton runs a strategy office's rituals in Slack. Settings come from the "
        "environment and .env (see .env.example).",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve Slack over HTTP (POST /slack/events, GET /healthz)",
        description="Serve Slack over HTTP: POST /slack/events and GET /healthz.",
    )
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT, or 3000)")
    serve.add_argument("--host", help="address to bind (default: BATON_HOST, or 0.0.0.0)")
    serve.set_defaults(run=cmd_serve)

    socket = commands.add_parser(
        "socket",
        help="connect to Slack in Socket Mode (needs SLACK_APP_TOKEN)",
        description="Connect to Slack over Socket Mode: no public URL needed.",
    )
    socket.set_defaults(run=cmd_socket)

    sandbox = commands.add_parser(
        "sandbox",
        help="try Baton in a browser: a local Slack workspace, no credentials, no network",
        description="Start a local emulation of Slack with Baton wired to it (signed requests, "
        "SLACK_API_URL) and serve its web page at http://127.0.0.1:PORT/: channels, DMs, the App Home, "
        "modals, a user switcher and a clock to make the rituals happen. Needs no Slack setting.",
    )
    sandbox.add_argument("--port", type=int, help="the page and the Web API (default: PORT, or 3000)")
    sandbox.add_argument(
        "--demo",
        action="store_true",
        help="empty the database, then load the example roadmap, its roles held by demo people in three "
        "time zones, and four weeks of check-ins",
    )
    sandbox.add_argument(
        "--database-url",
        default="sqlite:///sandbox.db",
        help="default: sqlite:///sandbox.db (DATABASE_URL is not used)",
    )
    sandbox.add_argument(
        "--at", help="start the clock at this instant, ISO-8601 (default: now; no offset: Paris)"
    )
    sandbox.set_defaults(run=cmd_sandbox)

    imp = commands.add_parser(
        "import",
        help="import a roadmap (Markdown table or CSV), all or nothing",
        description="Import a quarterly roadmap: a Markdown table or a CSV file with "
        "the columns Initiative, Objective/Objectif, KPI, Owner/Responsable. Any bad line "
        "is reported and nothing is written. Importing the same file twice changes nothing. A file above "
        f"{MAX_ROADMAP_BYTES:,} bytes or {MAX_ROADMAP_ROWS:,} rows is refused: split it.",
    )
    imp.add_argument("file", type=Path, help="the roadmap file (.md or .csv)")
    imp.add_argument(
        "--quarter", help="quarter of rows without a Quarter column, e.g. 2026-Q4 (default: now)"
    )
    imp.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
    imp.set_defaults(run=cmd_import)

    export = commands.add_parser(
        "export",
        help="export initiatives, roles and the check-in history",
        description="Export the portfolio. JSON holds initiatives, roles and "
        "check-ins; CSV holds the check-in history, one row per check-in, every text quoted and a text that "
        "a spreadsheet would run as a formula (starting with = + - @, a tab or a line break) preceded by a "
        "single quote. A number JSON cannot hold (infinite, NaN) is written null.",
    )
    export.add_argument("--format", choices=("json", "csv"), default="json", help="default: json")
    export.add_argument("--output", type=Path, help="write to this file (default: standard output)")
    export.add_argument("--quarter", help="only this quarter, e.g. 2026-Q4; JSON then holds its review too")
    export.set_defaults(run=cmd_export)

    rituals = commands.add_parser(
        "rituals", help="run the rituals by hand", description="Run rituals by hand."
    )
    ritual_commands = rituals.add_subparsers(dest="rituals_command", required=True, metavar="ACTION")
    run = ritual_commands.add_parser(
        "run",
        help="run what a ritual has due at an instant (idempotent)",
        description="Run what a ritual has due at an instant. Running it again "
        "for the same cycle sends nothing twice. escalations: the rules, alerts and re-escalations; "
        "committee: the arbitration committee's agenda on its day; review: the quarterly review on the "
        "first day of the next quarter.",
    )
    run.add_argument("ritual", choices=list(RitualName))
    run.add_argument("--at", help="the instant, ISO-8601 (default: now; without an offset: BATON_TIMEZONE)")
    run.set_defaults(run=cmd_rituals_run)
    status = ritual_commands.add_parser(
        "status",
        help="this cycle: due, sent, answered, failed, per ritual",
        description="Show the current cycle: what each ritual had due, what "
        "was sent, answered, failed or skipped, and the outbox.",
    )
    status.add_argument("--at", help="the instant, ISO-8601 (default: now)")
    status.set_defaults(run=cmd_rituals_status)

    roles = commands.add_parser("roles", help="who holds each role", description="Roles and their holders.")
    role_commands = roles.add_subparsers(dest="roles_command", required=True, metavar="ACTION")
    role_list = role_commands.add_parser("list", help="every role and its holders", description="List roles.")
    role_list.set_defaults(run=cmd_roles_list)
    role_set = role_commands.add_parser(
        "set",
        help="make these people the holders of a role",
        description="Make these Slack users the holders of a role (created if new). Every initiative whose "
        "owner is the role follows at once.",
    )
    role_set.add_argument("name", help="the role, e.g. CFO")
    role_set.add_argument("users", nargs="*", metavar="USER", help="Slack user ids (U0123ABCD); none: nobody")
    role_set.set_defaults(run=cmd_roles_set)

    cadence = commands.add_parser(
        "settings",
        help="the cadence: time zone, days, hours, holidays",
        description="The workspace's cadence.",
    )
    cadence_commands = cadence.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    cadence_show = cadence_commands.add_parser(
        "show", help="print the cadence", description="Print the cadence."
    )
    cadence_show.set_defaults(run=cmd_settings_show)
    cadence_set = cadence_commands.add_parser(
        "set",
        help="change the cadence: KEY=VALUE ...",
        description="Change the cadence, e.g. `baton settings set checkin_day=mon checkin_hour=9 "
        "holidays=2026-12-25,2027-05-01@FR`. Keys: timezone, checkin_day, checkin_hour, "
        "reminder_delay_hours, grace_hours, digest_day, digest_hour, language (en|fr), "
        "holidays (DATE or DATE@COUNTRY, comma-separated), leadership_channel (C0123ABCD or #name), "
        "team_channels (Finance=C0123,Ops=C0456; `Ops=` removes Ops's), escalation_sla_hours, "
        "escalation_contact (a user id), committee_day, committee_week (1-4, 5 = last), committee_hour; "
        "escalation rules: rule.NAME=on|off and "
        "rule.NAME.PARAM=N (e.g. rule.at_risk_streak.cycles=3; `baton settings show` lists them).",
    )
    cadence_set.add_argument("changes", nargs="+", metavar="KEY=VALUE")
    cadence_set.set_defaults(run=cmd_settings_set)

    report = commands.add_parser(
        "report",
        help="the quarter's review (PDF, PNG or HTML) or the digest's chart, for people outside Slack",
        description="Write a quarter's report; the format follows the file name. --kind review (the default "
        "once the quarter is over, and always for .pdf): the quarterly review, initiatives ranked by score "
        "and grouped achieved / partly / missed, baseline -> target -> reached, score bars, the status "
        "week by week with its legend and the decisions (the close-out's too), as .pdf (A4 landscape "
        "pages), .png (one image) or .html. --kind digest (the default while the quarter runs): the "
        "digest's chart (statuses week by week, KPI progress toward target) as .png, or an HTML page with "
        "the chart and one row per initiative.",
    )
    report.add_argument("--quarter", required=True, help="the quarter, e.g. 2026-Q4")
    report.add_argument("--output", type=Path, required=True, help="review.pdf, review.png or review.html")
    report.add_argument(
        "--kind",
        choices=("review", "digest"),
        help="default: review once the quarter is over (or for a .pdf), digest before",
    )
    report.add_argument("--language", choices=("en", "fr"), help="default: the workspace's language")
    report.add_argument("--at", help="the instant the report stands at, ISO-8601 (default: now)")
    report.set_defaults(run=cmd_report)

    db = commands.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_upgrade = db_commands.add_parser(
        "upgrade",
        help="apply the schema migrations",
        description="Bring the database schema to the newest migration.",
    )
    db_upgrade.set_defaults(run=cmd_db_upgrade)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        return int(args.run(args, settings) or 0)
    except (ConfigError, CommandError) as exc:
        print(f"baton: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unreachable"
        print(f"baton: cannot use the database at DATABASE_URL: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def open_database(settings: Settings) -> Engine:
    try:
        return open_current(settings.database_url)
    except SchemaBehind as exc:
        raise CommandError(str(exc)) from None


def _deps(settings: Settings) -> Deps:
    return Deps(settings=settings, engine=open_database(settings), clock=system_clock)


def _leadership_resolved(settings: Settings) -> Settings:
    """LEADERSHIP_CHANNEL as an id (a `#name` asked of Slack once); a name Slack does not know stops
    start-up with one line naming the setting."""
    from bot.slack import make_client
    from bot.workspace.channels import resolved_settings

    return resolved_settings(settings, make_client(settings)) if settings.leadership_channel else settings


def _build_app(deps: Deps, *, socket_mode: bool = False) -> App:
    """The Bolt app; building it checks the bot token with Slack (auth.test)."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot.app import build_app

    try:
        return build_app(deps, socket_mode=socket_mode)
    except BoltError as exc:
        cause = exc.__context__
        reason = cause.response.get("error") if isinstance(cause, SlackApiError) else str(exc)
        raise CommandError(f"Slack refused SLACK_BOT_TOKEN ({reason})") from None
    except OSError as exc:
        raise CommandError(f"cannot reach Slack at SLACK_API_URL: {exc}") from None


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import multiprocessing

    from bot.lazy import Workers, WorkersFailed
    from bot.server import make_wsgi, serve

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    host = settings.baton_host
    if args.host:  # --host overrides BATON_HOST, validated the same way
        try:
            host = load_settings(baton_host=args.host).baton_host
        except ConfigError:
            raise CommandError(f"--host {args.host}: must be an IP address or a host name") from None
    settings = _leadership_resolved(settings)
    # Shared: whichever process queues a message wakes the sender (in the first worker, bot/lazy.py).
    outbox_ready = multiprocessing.get_context("spawn").Event()
    deps = Deps(
        settings=settings, engine=open_database(settings), clock=system_clock, outbox_ready=outbox_ready
    )
    app = _build_app(deps)
    port = args.port or settings.port
    try:
        workers = Workers(settings, processes=max(2, os.cpu_count() or 2), outbox_ready=outbox_ready)
    except WorkersFailed as exc:
        raise CommandError(str(exc)) from None
    workers.attach(app)
    log.info(
        "baton.serve",
        host=host,
        port=port,
        slack_api_url=settings.slack_api_url,
        workers=len(workers.processes),
    )
    signal.signal(signal.SIGTERM, _stop)  # a clean stop: the workers finish what they were given
    try:
        gc.collect()
        gc.freeze()  # start-up objects live forever: keep them out of every later collection's work
        serve(make_wsgi(app, deps.engine, workers=workers), host=host, port=port)
    finally:
        workers.stop()
    return 0


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


def cmd_socket(args: argparse.Namespace, settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.scheduler import rituals_in_background

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    settings = _leadership_resolved(settings)
    deps = _deps(settings)
    app = _build_app(deps, socket_mode=True)
    log.info("baton.socket", slack_api_url=settings.slack_api_url)
    with rituals_in_background(deps, app.client):
        handler = SocketModeHandler(app, settings.secret("SLACK_APP_TOKEN"), web_client=app.client)
        handler.start()  # type: ignore[no-untyped-call]  # slack_bolt leaves it unannotated
    return 0


def cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    import threading

    from bot.sandbox.runner import start

    if "log_level" not in settings.model_fields_set:  # the page tells what happens; keep the terminal quiet
        configure_logging("WARNING")
    start_at = system_clock().replace(second=0, microsecond=0)
    if args.at:
        start_at = _instant(args.at, ZoneInfo("Europe/Paris"))  # the sandbox's people work in Paris
    port = args.port or settings.port
    try:
        handle = start(port=port, database_url=args.database_url, start_at=start_at, demo=args.demo)
    except OSError as exc:
        raise CommandError(f"cannot listen on port {port} ({exc.strerror}): try --port {port + 1}") from None
    stop = threading.Event()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    paris = start_at.astimezone(ZoneInfo("Europe/Paris"))
    print(f"Baton sandbox: open {handle.url} (it is {paris:%a %d %b %H:%M} in Paris; Ctrl-C stops)")
    try:
        while not stop.wait(0.5):
            pass
    finally:
        handle.stop()
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.portfolio import import_roadmap

    text = _read_roadmap(args.file)
    now = system_clock()
    try:
        rows = parse_roadmap(text, args.file.name)
        engine = open_database(settings)
        if emails := emails_in(rows):  # owners named by e-mail: their Slack users, or a problem per line
            rows = with_people(rows, _people_by_email(settings, engine, emails, now))
    except RoadmapError as exc:
        report = "\n".join(f"  {problem}" for problem in exc.problems)
        raise CommandError(
            f"{args.file}: {len(exc.problems)} problem(s), nothing imported:\n{report}"
        ) from None
    with session_scope(engine) as session:
        quarter = _quarter(args.quarter) or load_workspace(session, settings).quarter(now)
        result = import_roadmap(session, rows, quarter=quarter, actor="cli", now=now)
        if args.dry_run:
            session.rollback()
    print(("Dry run, nothing written: " if args.dry_run else "Imported: ") + result.summary())
    return 0


def _read_roadmap(path: Path) -> str:
    """The file's text, refused before it is read whole when it is bigger than any roadmap; a bounded
    read, so that a pipe or a device that says it is empty is bounded too."""
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_ROADMAP_BYTES:
                raise CommandError(f"{path}: {too_big(size)}")
            data = file.read(MAX_ROADMAP_BYTES + 1)
        if len(data) > MAX_ROADMAP_BYTES:
            raise CommandError(f"{path}: {too_big(None)}")  # a pipe or a device: its size is unknown
        return data.decode("utf-8-sig")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"cannot read {path}: not UTF-8 text (byte {exc.start + 1})") from None


def _people_by_email(
    settings: Settings, engine: Engine, emails: set[str], now: datetime
) -> dict[str, tuple[str, bool]]:
    from slack_sdk.errors import SlackApiError

    from bot.people import people_by_email
    from bot.slack import make_client

    settings.require("SLACK_BOT_TOKEN")
    try:
        return people_by_email(engine, make_client(settings), emails, now=now)
    except (SlackApiError, OSError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
        raise CommandError(f"cannot look up the owners' e-mails in Slack: {error}") from None


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.portfolio.export import checkins_csv, export_portfolio, to_json
    from bot.rituals.review import review_export

    engine = open_database(settings)
    with session_scope(engine) as session:
        data = export_portfolio(session, _quarter(args.quarter))
        if args.quarter:  # the quarterly review: baseline → target → reached, score, statuses, decisions
            data["review"] = review_export(session, _quarter(args.quarter) or "")
    text = to_json(data) if args.format == "json" else checkins_csv(data)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"--output: cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    return 0


def cmd_rituals_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery.outbox import failed_deliveries
    from bot.delivery.sender import Sender
    from bot.scheduler import run_ritual
    from bot.slack import make_client, make_sender_client

    settings.require(
        "SLACK_BOT_TOKEN", *(("LEADERSHIP_CHANNEL",) if args.ritual == RitualName.DIGEST else ())
    )
    settings = _leadership_resolved(settings)
    engine = open_database(settings)
    at = _at(args, engine, settings)
    clock = offset_clock(at) if at else system_clock
    deps = Deps(settings=settings, engine=engine, clock=clock)
    started = clock()
    results = run_ritual(args.ritual, deps, make_client(settings))
    for result in results:
        print(result.summary())
    stats = Sender(deps.engine, make_sender_client(settings), deps.clock).drain_all()
    if stats.sent or stats.failed:
        print(
            f"outbox: {stats.sent} sent ({stats.recovered} found already posted), {stats.failed} failed, "
            f"{stats.ratelimited} rate-limited answers waited out"
        )
    with session_scope(deps.engine) as session:
        failed = failed_deliveries(session, since=started)
    for delivery in failed:
        print(f"failed: {delivery.kind} to {delivery.channel}: {delivery.error}")
    # a claim found failed (Slack refused it, too recently to try again), or what Slack refused this time,
    # whatever ritual queued it
    return 1 if failed or any(result.failed for result in results) else 0


def cmd_rituals_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.rituals.status import cycle_status

    engine = open_database(settings)
    now = _at(args, engine, settings) or system_clock()
    with session_scope(engine) as session:
        print(cycle_status(session, settings, now).render())
    return 0


def cmd_roles_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.portfolio import roles_with_members

    with session_scope(open_database(settings)) as session:
        for role, members in roles_with_members(session):
            print(f"{role.name}: {' '.join(members) or '(nobody)'}")
    return 0


def cmd_roles_set(args: argparse.Namespace, settings: Settings) -> int:
    from bot.portfolio import set_role_members

    try:
        with session_scope(open_database(settings)) as session:
            role = set_role_members(
                session, name=args.name, members=args.users, actor="cli", now=system_clock()
            )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(f"{role.name}: {' '.join(args.users) or '(nobody)'}")
    return 0


def cmd_settings_show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.workspace.settings import describe
    from storage.models import WorkspaceSettings

    with session_scope(open_database(settings)) as session:
        row = session.get(WorkspaceSettings, 1) or WorkspaceSettings()
        for name, value in describe(row, settings).items():
            print(f"{name}={value}")
    return 0


def cmd_settings_set(args: argparse.Namespace, settings: Settings) -> int:
    from bot.workspace.channels import CHANNEL_SETTINGS, resolve_channel_settings
    from bot.workspace.settings import save_settings

    changes = {}
    for item in args.changes:
        name, equals, value = item.partition("=")
        if not equals:
            raise CommandError(f"{item!r}: write KEY=VALUE, e.g. checkin_hour=9")
        changes[name.strip()] = value
    notes: list[str] = []
    try:
        if any(name.strip() in CHANNEL_SETTINGS for name in changes):  # names become ids, asked of Slack
            from bot.slack import make_client

            changes, notes = resolve_channel_settings(make_client(settings), changes)
        with session_scope(open_database(settings)) as session:
            save_settings(session, changes, actor="cli", now=system_clock())
    except ValueError as exc:
        raise CommandError(f"settings not changed: {exc}") from None
    for note in notes:
        print(note)
    return cmd_settings_show(args, settings)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.report import ReviewReport, chart_png, report_html, review_html, review_pdf, review_png
    from bot.rituals.digest import report_data
    from bot.rituals.review import quarter_review

    suffix = args.output.suffix.lower()
    if suffix not in (".png", ".html", ".pdf"):
        raise CommandError(f"--output: {args.output} must end in .pdf, .png or .html")
    quarter = _quarter(args.quarter) or ""
    engine = open_database(settings)
    workspace = workspace_of(engine, settings)
    now = _instant(args.at, workspace.tz) if args.at else system_clock()
    over = quarter < workspace.quarter(now)
    kind = args.kind or ("review" if over or suffix == ".pdf" else "digest")
    if kind == "digest" and suffix == ".pdf":
        raise CommandError("--output: the digest's report is a .png or .html; a .pdf is the review's")
    lang = args.language or workspace.language
    with session_scope(engine) as session:
        if kind == "review":
            review = ReviewReport(quarter, quarter_cycles(quarter), quarter_review(session, quarter))
        else:
            data = report_data(session, workspace, quarter, now)
    try:
        if kind == "review":
            if suffix == ".pdf":
                args.output.write_bytes(review_pdf(review, lang))
            elif suffix == ".png":
                args.output.write_bytes(review_png(review, lang))
            else:
                args.output.write_text(review_html(review, lang), encoding="utf-8")
        else:
            png = chart_png(data, lang)
            if suffix == ".png":
                args.output.write_bytes(png)
            else:
                args.output.write_text(report_html(data, lang, png), encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"--output: cannot write {args.output}: {exc.strerror or exc}") from None
    if kind == "review":
        print(
            f"{args.output}: the {quarter} review, {len(review.items)} initiatives, "
            f"average score {review.average()}"
        )
    else:
        print(f"{args.output}: {quarter} as of {data.cycle}, {len(data.items)} initiatives")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(make_engine(settings.database_url))
    print("Database schema is up to date.")
    return 0


def _quarter(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return parse_quarter(text)  # years 1970-9998 only
    except ValueError as exc:
        raise CommandError(f"--quarter: {exc}") from None


def _instant(text: str, zone: tzinfo) -> datetime:
    """`--at`: an ISO-8601 instant; without an offset, read in `zone` (the workspace's)."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at: {text!r} is not an ISO-8601 instant like 2026-11-23T16:00+01:00") from None
    if instant.year not in YEARS:
        raise CommandError(f"--at: {text!r} {OUT_OF_RANGE}")
    return instant if instant.tzinfo else instant.replace(tzinfo=zone)


def _at(args: argparse.Namespace, engine: Engine, settings: Settings) -> datetime | None:
    """The instant `--at` names, read in the workspace's time zone; None without `--at`."""
    if not args.at:
        return None
    return _instant(args.at, workspace_of(engine, settings).tz)
