"""Fan-out benchmark: N owners each due a Monday prompt, sent through Baton's outbox to a rate-limited Slack.

The fake Slack runs in its own process and enforces ~1 message per second per channel and a workspace-wide
rate (a token bucket: `--workspace-rate` per second, `--burst` at once), answering 429 with Retry-After past
it. `baton rituals run checkin --at MONDAY` runs as a real process against a fresh SQLite database (or
`--database-url`). Printed per run: wall time, the lower bound the rate limit imposes ((N - burst) / rate),
their ratio, duplicates and losses (read from the fake's record); then the same with the process killed
(SIGKILL) halfway through the fan-out and restarted.

    .venv/bin/python bench/fanout.py --owners 1000 --workspace-rate 20
    .venv/bin/python bench/fanout.py --owners 10000 --workspace-rate 100
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text

from storage.db import make_engine, session_scope, upgrade
from storage.models import Initiative, Objective, Person, RaciAssignment

ROOT = Path(__file__).resolve().parents[1]
MONDAY = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # Monday 09:30 in Paris
TOKEN = "xoxb-bench-token"


def start_fake(args: argparse.Namespace) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-m",
        "bot.sandbox.webapi",
        "--token",
        TOKEN,
        "--channel-interval",
        "1",
        "--workspace-rate",
        str(args.workspace_rate),
        "--workspace-burst",
        str(args.burst),
    ]
    fake = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert fake.stdout is not None
    return fake, json.loads(fake.stdout.readline())["api_url"]


def seed(database_url: str, owners: int) -> None:
    """`owners` people in Paris, each responsible for one initiative, their time zones already known."""
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    week_before = MONDAY - timedelta(days=7)
    with session_scope(engine) as session:
        objective = Objective(title="Grow", title_key="grow", quarter="2026-Q4", created_at=week_before)
        session.add(objective)
        session.flush()
        for n in range(owners):
            user = f"U{n:08d}"
            session.add(Person(user_id=user, name=user, tz="Europe/Paris", fetched_at=MONDAY))
            initiative = Initiative(
                objective_id=objective.id,
                title=f"Initiative {n}",
                title_key=f"initiative {n}",
                created_at=week_before,
                updated_at=week_before,
            )
            session.add(initiative)
            session.flush()
            session.add(RaciAssignment(initiative_id=initiative.id, letter="R", user_id=user))
    engine.dispose()


def record(api_url: str, *, with_posts: bool = True) -> dict:
    params = {} if with_posts else {"posts": "0"}
    return httpx.get(api_url.removesuffix("api/") + "_record", params=params, timeout=60).json()


def run(args: argparse.Namespace, api_url: str, *, kill_halfway: bool) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="baton-fanout-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'baton.db'}"
    seed(database_url, args.owners)
    httpx.post(api_url.removesuffix("api/") + "_reset", timeout=10)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "BATON_TIMEZONE": "Europe/Paris",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "bot", "rituals", "run", "checkin", "--at", MONDAY.isoformat()]
    started, started_at = time.perf_counter(), time.time()
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL)
    if kill_halfway:
        while record(api_url, with_posts=False)["post_count"] < args.owners // 2:
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait()
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL)
    if process.wait() != 0:
        raise SystemExit(f"baton exited with {process.returncode}")
    wall = time.perf_counter() - started
    seen = record(api_url)
    per_channel = Counter(post["channel"] for post in seen["posts"])
    stamps = sorted(float(post["ts"]) for post in seen["posts"])
    bound = max(0, args.owners - args.burst) / args.workspace_rate
    return {
        "wall": wall,
        "bound": bound,
        "ratio": wall / bound if bound else float("nan"),
        "duplicates": sum(n - 1 for n in per_channel.values()),
        "lost": args.owners - len(per_channel),
        "ratelimited": seen["ratelimited"],
        "first": stamps[0] - started_at,
        "window": stamps[-1] - stamps[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--workspace-rate", type=float, default=20.0, help="messages per second (default 20)")
    parser.add_argument(
        "--burst", type=int, default=None, help="token bucket size (default: one second's worth)"
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file per run")
    parser.add_argument("--skip-kill", action="store_true", help="only the clean run")
    args = parser.parse_args()
    args.burst = int(args.workspace_rate) if args.burst is None else args.burst
    fake, api_url = start_fake(args)
    try:
        print(
            f"{args.owners} owners, workspace rate {args.workspace_rate:g}/s (burst {args.burst}), "
            f"1 message/s per channel, database {args.database_url or 'SQLite'}"
        )
        print(
            f"{'run':<22}{'wall s':>9}{'bound s':>9}{'ratio':>8}{'dups':>6}{'lost':>6}{'429s':>7}"
            f"{'1st post s':>12}{'fan-out s':>11}"
        )
        runs = [("clean", False)] + ([] if args.skip_kill else [("killed and restarted", True)])
        failed = False
        for name, kill in runs:
            r = run(args, api_url, kill_halfway=kill)
            print(
                f"{name:<22}{r['wall']:>9.1f}{r['bound']:>9.1f}{r['ratio']:>7.3f}x{r['duplicates']:>6}"
                f"{r['lost']:>6}{r['ratelimited']:>7}{r['first']:>12.1f}{r['window']:>11.1f}"
            )
            failed |= bool(r["duplicates"] or r["lost"] or r["ratio"] > 1.1)
        print("goal: within 1.1x of the bound, 0 duplicates, 0 lost:", "FAIL" if failed else "PASS")
        return 1 if failed else 0
    finally:
        fake.terminate()
        fake.wait()


if __name__ == "__main__":
    sys.exit(main())
