"""How long the escalation scan takes, and how many SQL statements it runs.

`run_escalations` runs every 30 s in the scheduler tick of `baton serve`, in the same process (and under
the same GIL) as the request handlers: a scan that finds nothing new must be cheap. For each portfolio size
(default 200 and 2,000 initiatives, each with 12 weekly check-ins, seeded in bulk like `bench/digest.py`)
the first scan opens the alerts the rules call for (in bulk, a fixed number of statements per chunk of
500), then the steady-state scan — the next ticks, nothing new — runs `--runs` times.
Reported: alerts opened, the first scan's time and statements, the steady scan's statements (counted with
SQLAlchemy's `before_cursor_execute`: they must not grow with the portfolio), its median and worst time,
and the ratio of the median to the 0.5 s goal.

    .venv/bin/python bench/escalations.py
    .venv/bin/python bench/escalations.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/baton_e
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.digest import GOAL_SECONDS, NOW, counted, reset, seed, verdict
from bot.config import Settings, load_settings
from bot.domain.ritual import RitualResult
from bot.logs import configure_logging
from bot.rituals.escalations import run_escalations

TICK = timedelta(seconds=30)


def scan(engine: Engine, settings: Settings, tick: int) -> RitualResult:
    return run_escalations(engine, now=NOW + tick * TICK, settings=settings)


def measure(url: str, initiatives: int, weeks: int, runs: int) -> dict[str, Any]:
    engine = reset(url)
    checkins = seed(engine, initiatives, weeks)
    settings = load_settings(
        _env_file=None, database_url=url, baton_timezone="Europe/Paris", leadership_channel="C0LEADERS"
    )
    first, first_statements, first_s = counted(engine, lambda: scan(engine, settings, 0))
    _, statements, _ = counted(engine, lambda: scan(engine, settings, 1))
    times = []
    for tick in range(2, runs + 2):
        report, _, elapsed = counted(engine, lambda: scan(engine, settings, tick))  # noqa: B023
        assert (report.opened, report.updated, report.closed) == (0, 0, 0), report.summary()
        times.append(elapsed)
    engine.dispose()
    return {
        "initiatives": initiatives,
        "checkins": checkins,
        "opened": first.opened,
        "first_s": first_s,
        "first_queries": first_statements,
        "queries": statements,
        "median_s": statistics.median(times),
        "max_s": max(times),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--sizes", default="200,2000", help="initiatives per run (default: 200,2000)")
    parser.add_argument("--weeks", type=int, default=12, help="check-ins per initiative (default: 12)")
    parser.add_argument("--runs", type=int, default=9, help="timed steady scans per size (default: 9)")
    parser.add_argument(
        "--check", action="store_true", help="exit 2 if the goal or the constant count is missed"
    )
    options = parser.parse_args(argv)
    configure_logging("WARNING")  # one line per scan is not what is measured
    with tempfile.TemporaryDirectory() as directory:
        url = options.database_url or f"sqlite:///{Path(directory) / 'bench.db'}"
        backend = url.split(":", 1)[0]
        print(
            f"escalation scan on {backend}: {options.weeks} weekly check-ins per initiative, "
            f"{options.runs} steady runs"
        )
        print(
            f"{'initiatives':>11} {'check-ins':>10} {'opened':>6} {'1st s':>6} {'1st queries':>11} "
            f"{'queries':>7} {'median s':>8} {'max s':>6} {'/ 0.5 s':>7}"
        )
        results = []
        for size in (int(s) for s in options.sizes.split(",")):
            r = measure(url, size, options.weeks, options.runs)
            results.append(r)
            print(
                f"{r['initiatives']:>11} {r['checkins']:>10} {r['opened']:>6} {r['first_s']:>6.2f} "
                f"{r['first_queries']:>11} {r['queries']:>7} {r['median_s']:>8.3f} {r['max_s']:>6.3f} "
                f"{r['median_s'] / GOAL_SECONDS:>6.2f}x",
                flush=True,
            )
    return verdict(results, "steady-state query", options.check)


if __name__ == "__main__":
    sys.exit(main())
