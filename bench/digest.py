"""How long the weekly digest takes to build, how many SQL statements it runs, and how much memory it needs.

For each portfolio size (default 60, 500 and 2,000 initiatives, each with 52 weekly check-ins), a fresh
schema is seeded in bulk, then the leadership digest is built as the ritual builds it — its data
(`build_digest`) and its messages (`digest_messages`), not the posting — several times. Reported: the
median and worst build time, the number of statements one build runs (counted with SQLAlchemy's
`before_cursor_execute`: it must not grow with the portfolio), the peak of Python memory during one build
(tracemalloc), the time to draw the chart, and the ratio of the median to the 0.5 s goal.

    .venv/bin/python bench/digest.py
    .venv/bin/python bench/digest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/baton_d
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event, insert, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import load_settings
from bot.domain.cycles import shift
from bot.report import chart_png
from bot.rituals.digest import build_digest
from bot.views.digest import digest_messages
from storage.db import make_engine, session_scope, upgrade
from storage.models import CheckIn, Initiative, Objective, RaciAssignment

GOAL_SECONDS = 0.5
NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # Monday of 2026-W48, after the 16:00 Paris digest
CYCLE = "2026-W48"
DEPARTMENTS = ("Finance", "Sales", "Operations", "IT", "HR", "Marketing", "Legal", "Procurement")
STATUSES = ("on_track", "on_track", "on_track", "at_risk", "off_track")
BATCH = 10_000
T = TypeVar("T")


def reset(url: str) -> Engine:
    """A fresh, migrated schema: a new SQLite file, or PostgreSQL's public schema recreated."""
    database = make_url(url).database
    if url.startswith("sqlite") and database:
        Path(database).unlink(missing_ok=True)
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def seed(engine: Engine, initiatives: int, weeks: int) -> int:
    """Objectives, initiatives with a KPI plan, one owner each, and `weeks` check-ins each: bulk inserts."""
    created = NOW - timedelta(weeks=weeks + 1)
    cycles = [shift(CYCLE, -back) for back in range(weeks - 1, -1, -1)]
    with engine.begin() as connection:
        connection.execute(
            insert(Objective),
            [
                {
                    "title": d,
                    "title_key": d.lower(),
                    "department": d,
                    "quarter": "2026-Q4",
                    "created_at": created,
                }
                for d in DEPARTMENTS
            ],
        )
        connection.execute(
            insert(Initiative),
            [
                {
                    "objective_id": 1 + n % len(DEPARTMENTS),
                    "title": f"Initiative {n:05d}",
                    "title_key": f"initiative {n:05d}",
                    "kpi_name": "Activation time",
                    "kpi_unit": "%",
                    "kpi_baseline": 0.0,
                    "kpi_target": 100.0,
                    "kpi_direction": "up",
                    "kpi_current": float(weeks + n % 40),
                    "due_date": date(2026, 12, 31),
                    "planned": {},
                    "depends_on": [],
                    "status": STATUSES[(n + weeks - 1) % len(STATUSES)],
                    "archived": False,
                    "created_at": created,
                    "updated_at": created,
                }
                for n in range(1, initiatives + 1)
            ],
        )
        connection.execute(
            insert(RaciAssignment),
            [
                {"initiative_id": n, "letter": "R", "user_id": f"U{n % 400:08d}"}
                for n in range(1, initiatives + 1)
            ],
        )
        rows: list[dict[str, Any]] = []
        for n in range(1, initiatives + 1):
            for week, cycle in enumerate(cycles):
                if n % 17 == 0 and week >= weeks - 3:
                    continue  # a few owners have stopped answering
                rows.append(
                    {
                        "initiative_id": n,
                        "cycle": cycle,
                        "author": f"U{n % 400:08d}",
                        "status": STATUSES[(n + week) % len(STATUSES)],
                        "kpi_value": float(week + n % 40),
                        "comment": f"Week {week}: steady progress on the rollout, next milestone in sight",
                        "decision_needed": "Choose a vendor" if n % 97 == 0 and week == weeks - 1 else None,
                        "source": "modal",
                        "submitted_at": created + timedelta(weeks=week + 1),
                    }
                )
                if len(rows) >= BATCH:
                    connection.execute(insert(CheckIn), rows)
                    rows = []
        if rows:
            connection.execute(insert(CheckIn), rows)
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM checkin")).scalar_one())


def counted(engine: Engine, work: Callable[[], T]) -> tuple[T, int, float]:
    """`work()`, the statements it ran and its time in seconds."""
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, statements, elapsed


def verdict(results: list[dict[str, Any]], queries: str, check: bool) -> int:
    """Whether `queries` stayed the same at every size and the median within the goal; the exit status."""
    constant = len({r["queries"] for r in results}) == 1
    within = all(r["median_s"] <= GOAL_SECONDS for r in results)
    print(
        f"{queries} count constant across sizes: {'yes' if constant else 'NO'}; "
        f"median within {GOAL_SECONDS} s at every size: {'yes' if within else 'NO'}"
    )
    return 2 if check and not (constant and within) else 0


def build(engine: Engine, settings: Any) -> list[dict[str, Any]]:
    with session_scope(engine) as session:
        data = build_digest(session, settings, NOW)
    return digest_messages(data)


def measure(url: str, initiatives: int, weeks: int, runs: int) -> dict[str, Any]:
    engine = reset(url)
    started = time.perf_counter()
    checkins = seed(engine, initiatives, weeks)
    seeded = time.perf_counter() - started
    settings = load_settings(_env_file=None, database_url=url, baton_timezone="Europe/Paris")
    build(engine, settings)  # warm-up: connection pool, statement caches
    messages, statements, _ = counted(engine, lambda: build(engine, settings))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        build(engine, settings)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    build(engine, settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with session_scope(engine) as session:
        data = build_digest(session, settings, NOW)
    started = time.perf_counter()
    chart_png(data)
    chart = time.perf_counter() - started
    engine.dispose()
    return {
        "initiatives": initiatives,
        "checkins": checkins,
        "seed_s": seeded,
        "queries": statements,
        "messages": len(messages),
        "median_s": statistics.median(times),
        "max_s": max(times),
        "peak_mib": peak / 2**20,
        "chart_s": chart,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--sizes", default="60,500,2000", help="initiatives per run (default: 60,500,2000)")
    parser.add_argument("--weeks", type=int, default=52, help="check-ins per initiative (default: 52)")
    parser.add_argument("--runs", type=int, default=7, help="timed builds per size (default: 7)")
    parser.add_argument(
        "--check", action="store_true", help="exit 2 if the goal or the constant count is missed"
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        url = options.database_url or f"sqlite:///{Path(directory) / 'bench.db'}"
        backend = url.split(":", 1)[0]
        print(
            f"digest build on {backend}: {options.weeks} weekly check-ins per initiative, {options.runs} runs"
        )
        print(
            f"{'initiatives':>11} {'check-ins':>10} {'seed s':>7} {'queries':>7} {'messages':>8} "
            f"{'median s':>8} {'max s':>6} {'peak MiB':>8} {'chart s':>7} {'/ 0.5 s':>7}"
        )
        results = []
        for size in (int(s) for s in options.sizes.split(",")):
            r = measure(url, size, options.weeks, options.runs)
            results.append(r)
            print(
                f"{r['initiatives']:>11} {r['checkins']:>10} {r['seed_s']:>7.1f} {r['queries']:>7} "
                f"{r['messages']:>8} {r['median_s']:>8.3f} {r['max_s']:>6.3f} {r['peak_mib']:>8.1f} "
                f"{r['chart_s']:>7.2f} {r['median_s'] / GOAL_SECONDS:>6.2f}x",
                flush=True,
            )
    return verdict(results, "query", options.check)


if __name__ == "__main__":
    sys.exit(main())
