"""Load: 200 concurrent signed modal submissions and slash commands for 10 s against one `baton serve`.

One run: the fake Slack Web API (its own process, as in bench/ack_latency.py), a fresh database (SQLite in a
temporary directory, or `--database-url` PostgreSQL, whose public schema is emptied) seeded with one
initiative per client, each client its R person, and a real `baton serve` process. `--clients` threads
each hold one keep-alive connection and send, one after the other until `--seconds` have passed, the
update modal's view_submission for their own initiative (built by Baton's `update_modal`, a unique token in
the highlights) and `/okr update <title>`. Then the check-ins are counted in the database.

    .venv/bin/python bench/load.py [--clients 200] [--seconds 10] [--database-url URL] [--check]

Printed: requests, p50/p95/p99/max ack latency (from sending the POST to reading the whole answer), acks
over Slack's 3 s, errors (no 200), modals refused (`response_action: errors`: the user was told), lost
(a submission acked as saved whose token is not in the database), duplicated (rows beyond one per token),
the RSS of the ack process (and of its workers) at start and at the end. Exit 1 on lost or duplicated
rows or failed requests, 2 with --check when the goal (p99 < 1 s, memory flat) is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from ack_latency import (  # noqa: E402  (bench/ is a folder of scripts, not a package)
    SIGNING_SECRET,
    TOKEN,
    FakeSlackProcess,
    Procs,
    baton_command,
    free_port,
    interruptible,
    percentile,
    tail,
    wait_healthy,
)
from slack_sdk.signature import SignatureVerifier  # noqa: E402
from sqlalchemy import func, text  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bot.views import ids  # noqa: E402
from bot.views.checkin import update_modal  # noqa: E402
from storage.db import make_engine, session_scope, upgrade  # noqa: E402
from storage.models import CheckIn, Initiative, Objective, RaciAssignment  # noqa: E402

SLACK_DEADLINE = 3.0
GOAL_P99 = 1.0
MEMORY_SLACK = 1.25  # the ack process may grow by a quarter (caches warming), not with the load
TOKEN_PREFIX = "bench-load-"
WORKERS: list[int] = []  # pids of baton serve's worker processes


# -- the database ----------------------------------------------------------------------------------
def seed(url: str, clients: int) -> list[tuple[str, int, str]]:
    """A fresh schema, one initiative per client with the client as its R; (user, initiative id, title)."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    now = datetime.now(UTC)
    seeded = []
    with session_scope(engine) as session:
        objective = Objective(title="Load", title_key="load", quarter="2026-Q4", created_at=now)
        session.add(objective)
        session.flush()
        for n in range(clients):
            user, title = f"U0LOAD{n:04d}", f"Load initiative {n:04d}"
            initiative = Initiative(
                objective_id=objective.id,  # type: ignore[arg-type]
                title=title,
                title_key=title.lower(),
                created_at=now,
                updated_at=now,
            )
            session.add(initiative)
            session.flush()
            session.add(RaciAssignment(initiative_id=initiative.id, letter="R", user_id=user))  # type: ignore[arg-type]
            seeded.append((user, initiative.id or 0, title))
    engine.dispose()
    return seeded


def stored_tokens(url: str) -> dict[str, int]:
    """How many check-ins hold each bench token."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        rows = session.exec(
            select(CheckIn.comment, func.count())
            .where(col(CheckIn.comment).startswith(TOKEN_PREFIX))
            .group_by(col(CheckIn.comment))
        ).all()
    engine.dispose()
    return {str(comment): int(count) for comment, count in rows}


# -- the clients -----------------------------------------------------------------------------------
@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)  # tokens of submissions acked as saved
    refused: list[str] = field(default_factory=list)  # answered with errors in the modal: the user knows
    commands: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One person: a keep-alive connection, their initiative, alternating a submission and a command."""

    def __init__(self, n: int, user: str, initiative_id: int, title: str, port: int, response_url: str):
        self.n, self.user, self.port, self.response_url = n, user, port, response_url
        self.title = title
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        initiative = Initiative(id=initiative_id, objective_id=1, title=title, title_key=title.lower())
        self.view = update_modal(initiative, lang="en")
        self.sent = 0
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def submission(self, token: str) -> str:
        values = {
            ids.STATUS_BLOCK: {
                ids.STATUS_ACTION: {"type": "radio_buttons", "selected_option": {"value": "on_track"}}
            },
            ids.KPI_BLOCK: {ids.KPI_ACTION: {"type": "plain_text_input", "value": str(self.sent)}},
            ids.COMMENT_BLOCK: {ids.COMMENT_ACTION: {"type": "plain_text_input", "value": token}},
        }
        team = {"id": "T0BATON01", "domain": "baton"}
        payload = {
            "type": "view_submission",
            "team": team,
            "user": {
                "id": self.user,
                "username": self.user.lower(),
                "name": self.user.lower(),
                "team_id": team["id"],
            },
            "api_app_id": "A0BATON01",
            "token": "legacy-verification-token",
            "trigger_id": f"13345224609.738474920.{self.n:08x}{self.sent:024x}",
            "view": {
                **self.view,
                "id": f"V0LOAD{self.n:04d}",
                "team_id": team["id"],
                "state": {"values": values},
                "hash": f"{time.time():.0f}.{self.sent}",
                "app_id": "A0BATON01",
                "bot_id": "B0BATON01",
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }
        return urlencode({"payload": json.dumps(payload)})

    def command(self) -> str:
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": "T0BATON01",
                "team_domain": "baton",
                "channel_id": "C0GENERAL1",
                "channel_name": "general",
                "user_id": self.user,
                "user_name": self.user.lower(),
                "command": "/okr",
                "text": f"update {self.title}",
                "api_app_id": "A0BATON01",
                "is_enterprise_install": "false",
                "response_url": self.response_url,
                "trigger_id": f"13345224609.738474920.{self.n:08x}{self.sent:024x}",
            }
        )

    def post(self, body: str) -> tuple[int, bytes, float]:
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": str(self.verifier.generate_signature(timestamp=stamp, body=body)),
        }
        started = time.perf_counter()
        try:
            self.conn.request("POST", "/slack/events", body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        return response.status, data, time.perf_counter() - started

    def run(self, start: threading.Event, until: list[float], results: Results, interval: float) -> None:
        start.wait()
        next_at = time.monotonic() + interval * (self.n % 100) / 100  # paced clients start spread out
        while (now := time.monotonic()) < until[0]:
            if interval:  # open loop: one request per `interval` s, whatever the answers take
                if now < next_at:
                    time.sleep(next_at - now)
                    continue
                next_at += interval
            is_submission = self.sent % 2 == 0
            token = f"{TOKEN_PREFIX}{self.n:04d}-{self.sent:05d}"
            body = self.submission(token) if is_submission else self.command()
            self.sent += 1
            try:
                status, data, elapsed = self.post(body)
            except (OSError, http.client.HTTPException) as exc:
                with results.lock:
                    results.errors.append(type(exc).__name__)
                continue
            with results.lock:
                results.latencies.append(elapsed)
                if status != 200:
                    results.errors.append(f"HTTP {status}")
                elif not is_submission:
                    results.commands += 1
                elif data and "errors" in json.loads(data).get("response_action", ""):
                    results.refused.append(token)
                else:
                    results.saved.append(token)
        self.conn.close()


# -- memory ----------------------------------------------------------------------------------------
def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process `pid` (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# -- the run ---------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="200 concurrent modal submissions and commands for 10 s.")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (default: 200)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the load (default: 10)")
    parser.add_argument(
        "--database-url", help="PostgreSQL URL (its public schema is emptied); default SQLite"
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=0.0,
        help="seconds between one client's requests (default 0: each sends as soon as it is answered)",
    )
    parser.add_argument("--log-level", default="WARNING", help="Baton's LOG_LEVEL (default: WARNING)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--check", action="store_true", help="exit 2 when the goal is missed")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.interval < 0:
        parser.error("--clients and --seconds must be positive, --interval not negative")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="baton-load-"))
    procs = Procs()
    try:
        with interruptible():
            return run(args, tmp, procs)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"load: {exc}", file=sys.stderr)
        return 1
    finally:
        # baton serve's workers ignore SIGTERM and finish what they were given, which after a load is
        # minutes of calls to a fake Slack that is gone: they would eat the next run's CPU
        for pid in WORKERS:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        procs.stop_all()
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path, procs: Procs) -> int:
    url = args.database_url or f"sqlite:///{tmp / 'baton.db'}"
    people = seed(url, args.clients)
    logs = {name: tmp / f"{name}.log" for name in ("fake-slack", "baton")}
    with logs["fake-slack"].open("wb") as log:
        slack = FakeSlackProcess(log)
    procs.add("fake-slack", slack.process)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BATON_", "DATABASE_", "PORT"))}
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=url,
        BATON_TIMEZONE="Europe/Paris",
        LOG_LEVEL=args.log_level,
    )
    port = free_port()
    with logs["baton"].open("wb") as log:
        server = procs.add(
            "baton",
            subprocess.Popen(
                [*baton_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=tmp,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
        )
    wait_healthy("baton", server, port, logs["baton"])
    WORKERS.extend(children(server.pid))
    rss_start = rss_mb(server.pid), sum(rss_mb(child) for child in children(server.pid))
    cpu_start = cpu_seconds(server.pid), cpu_seconds(os.getpid())

    results = Results()
    clients = [
        Client(n, user, iid, title, port, slack.response_url) for n, (user, iid, title) in enumerate(people)
    ]
    start, until = threading.Event(), [0.0]
    threads = [
        threading.Thread(target=c.run, args=(start, until, results, args.interval), daemon=True)
        for c in clients
    ]
    for thread in threads:
        thread.start()
    until[0] = time.monotonic() + args.seconds
    began = time.monotonic()
    start.set()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    rss_end = rss_mb(server.pid), sum(rss_mb(child) for child in children(server.pid))
    cpu = cpu_seconds(server.pid) - cpu_start[0], cpu_seconds(os.getpid()) - cpu_start[1]
    if server.poll() is not None:
        raise RuntimeError(f"baton serve exited with {server.returncode}:\n{tail(logs['baton'])}")

    stored = stored_tokens(url)
    lost = [token for token in results.saved if token not in stored]
    duplicated = sum(count - 1 for count in stored.values())
    unexpected = [token for token in stored if token not in results.saved]  # stored, yet told it was not
    report(args, url, results, wall, rss_start, rss_end, lost, duplicated, unexpected)
    requests = max(1, len(results.latencies))
    print(
        f"CPU ms per request: ack process {cpu[0] * 1000 / requests:.1f}, "
        f"these clients {cpu[1] * 1000 / requests:.1f}; load average {os.getloadavg()[0]:.1f}"
    )
    if lost or duplicated or results.errors:
        return 1
    p99 = percentile(results.latencies, 99)
    missed = p99 >= GOAL_P99 or rss_end[0] > rss_start[0] * MEMORY_SLACK
    return 2 if args.check and missed else 0


def report(
    args: argparse.Namespace,
    url: str,
    results: Results,
    wall: float,
    rss_start: tuple[float, float],
    rss_end: tuple[float, float],
    lost: list[str],
    duplicated: int,
    unexpected: list[str],
) -> None:
    ms = [latency * 1000 for latency in results.latencies]
    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    over = sum(1 for latency in results.latencies if latency >= SLACK_DEADLINE)
    pace = f"one request per {args.interval:g} s each" if args.interval else "closed loop"
    print(
        f"{database}: {args.clients} clients ({pace}) for {args.seconds:.0f} s, {os.cpu_count()} CPUs; "
        f"{len(ms)} requests ({len(ms) / wall:.0f}/s): {len(results.saved) + len(results.refused)} "
        f"submissions, {results.commands} commands"
    )
    print(
        f"ack ms: p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  p99 {percentile(ms, 99):.0f}  "
        f"max {max(ms, default=float('nan')):.0f}   over 3 s: {over}   errors: {len(results.errors)}"
    )
    print(
        f"saved: {len(results.saved)}  refused in the modal: {len(results.refused)}  lost: {len(lost)}  "
        f"duplicated: {duplicated}  stored though refused: {len(unexpected)}"
    )
    print(
        f"RSS MB, ack process: {rss_start[0]:.0f} -> {rss_end[0]:.0f}   "
        f"workers: {rss_start[1]:.0f} -> {rss_end[1]:.0f}"
    )
    goal = percentile(ms, 99) < GOAL_P99 * 1000 and not lost and not duplicated and not results.errors
    print(f"goal (p99 < {GOAL_P99 * 1000:.0f} ms, none lost or duplicated): {'PASS' if goal else 'FAIL'}")
    for error in sorted(set(results.errors))[:5]:
        print(f"error: {error} (x{results.errors.count(error)})")


if __name__ == "__main__":
    with suppress(BrokenPipeError):
        sys.exit(main())
