"""What an attacker (or a typo) gives `baton`: dates at the ends of the calendar, an output it cannot
write, a roadmap far bigger than any real one. One line naming what is wrong, exit 1, no traceback."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.domain.cycles import parse_quarter
from bot.domain.roadmap import MAX_CELLS, MAX_ROADMAP_BYTES, MAX_ROADMAP_ROWS, RoadmapError, parse_roadmap
from bot.sandbox.webapi import FakeSlack
from storage.models import Initiative
from tests.conftest import ADMIN, EXAMPLE_ROADMAP, RunningBaton, run_baton
from tests.slack_requests import post_signed, slash_command_body, wait_for
from tests.test_cli import count
from tests.test_portfolio_commands import submit_import

HEADER = "Initiative,Objective,KPI,Owner\n"


def refused(result: object, *expected: str) -> str:
    """The one line of stderr of a command that was refused (exit 1): it holds every `expected`."""
    assert result.returncode == 1, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("baton: "), stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("rituals", "status", "--at", "0001-01-01"), "--at"),
        (("rituals", "run", "checkin", "--at", "9999-12-31T23:59"), "--at"),
        (("rituals", "run", "reminders", "--at", "0001-01-01"), "--at"),
        (("rituals", "run", "review", "--at", "0001-01-01T00:00+14:00"), "--at"),
        (("report", "--quarter", "2026-Q4", "--output", "r.png", "--at", "9999-12-31T23:59"), "--at"),
        (("report", "--quarter", "9999-Q4", "--output", "r.html"), "--quarter"),
        (("export", "--quarter", "0001-Q1"), "--quarter"),
        (("import", str(EXAMPLE_ROADMAP), "--quarter", "9999-Q4"), "--quarter"),
    ],
)
def test_a_date_at_the_ends_of_the_calendar_is_one_line_naming_its_option(
    env: dict, tmp_path: Path, args: tuple[str, ...], option: str
) -> None:
    refused(run_baton(env, tmp_path, *args), f"{option}: ", "out of range", "1970", "9998")


def test_the_first_and_last_years_allowed_run_every_ritual(env: dict, tmp_path: Path, engine: Engine) -> None:
    assert run_baton(env, tmp_path, "import", str(EXAMPLE_ROADMAP), "--quarter", "2027-Q1").returncode == 0
    for at in ("1970-01-01T00:00", "9998-12-31T23:59"):
        for ritual in ("checkin", "reminders", "escalations", "committee", "review"):
            done = run_baton(env, tmp_path, "rituals", "run", ritual, "--at", at)
            assert "Traceback" not in done.stderr and done.returncode == 0, (ritual, at, done.stderr)
        report = run_baton(env, tmp_path, "report", "--quarter", "9998-Q4", "--output", "r.html", "--at", at)
        assert report.returncode == 0, report.stderr


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A file in a directory this process may not write to (root ignores modes, not /sys)."""
    if os.geteuid() == 0:
        yield Path("/sys/baton-export.json")
        return
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    yield locked / "export.json"
    locked.chmod(0o700)


def test_an_output_that_cannot_be_written_is_one_line(env: dict, tmp_path: Path, unwritable: Path) -> None:
    for output, reason in (
        (tmp_path, "Is a directory"),
        (tmp_path / "missing" / "export.json", "No such file or directory"),
        (unwritable, "Permission denied"),
    ):
        refused(
            run_baton(env, tmp_path, "export", "--output", str(output)), "--output: ", str(output), reason
        )
        report = run_baton(env, tmp_path, "report", "--quarter", "2026-Q4", "--output", f"{output}.png")
        if output != tmp_path:  # `tmp.png` is a file name in a directory that exists
            refused(report, "--output: ", reason)


def test_a_roadmap_bigger_than_the_limit_is_refused_before_it_is_read(
    env: dict, tmp_path: Path, engine: Engine
) -> None:
    huge = tmp_path / "roadmap.csv"
    row = "Cut churn,-15 % churn,Monthly churn (%),CFO\n"
    with huge.open("w", encoding="utf-8") as file:
        file.write(HEADER)
        file.write(row * (MAX_ROADMAP_BYTES // len(row) + 1))
    size = huge.stat().st_size
    assert MAX_ROADMAP_BYTES < size < MAX_ROADMAP_BYTES + len(row) + len(HEADER)
    started = time.monotonic()
    line = refused(run_baton(env, tmp_path, "import", str(huge)), f"{size:,} bytes", f"{MAX_ROADMAP_BYTES:,}")
    assert time.monotonic() - started < 20, line  # a process start, not a parse of 2 MB
    assert count(engine, Initiative) == 0


def test_a_stream_without_a_size_is_read_only_up_to_the_limit(env: dict, tmp_path: Path) -> None:
    refused(run_baton(env, tmp_path, "import", "/dev/zero"), f"more than the {MAX_ROADMAP_BYTES:,} bytes")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (HEADER + "x" * (MAX_ROADMAP_BYTES + 1), f"{MAX_ROADMAP_BYTES + len(HEADER) + 1:,} characters"),
        (
            HEADER + "Cut churn,Grow,Churn,CFO\n" * (MAX_ROADMAP_ROWS + 1),
            f"more than {MAX_ROADMAP_ROWS:,} rows",
        ),
        (
            "| Initiative | Objective | KPI | Owner |\n"
            + "| Cut | Grow | Churn | CFO |\n" * (MAX_ROADMAP_ROWS + 1),
            f"more than {MAX_ROADMAP_ROWS:,} rows",
        ),
        (HEADER + '"' + "x" * 200_000 + '",Grow,Churn,CFO\n', "field larger than field limit"),
        (HEADER + "x," * 500_000 + "\n", f"line 2: more than {MAX_CELLS} cells"),
        ("| Initiative | Objective | KPI | Owner |\n|" + " |" * 500_000 + "\n", "line 2: more than"),
        ("| Initiative |" + " x |" * 1_000 + "\n| a |\n", f"line 1: more than {MAX_CELLS} columns"),
    ],
)
def test_a_pasted_or_imported_table_is_bounded(text: str, problem: str) -> None:
    """The import modal pastes its text into the same parser: whatever Slack lets through, the parser
    refuses what no roadmap holds, with one problem rather than one per row."""
    with pytest.raises(RoadmapError) as refusal:
        parse_roadmap(text, "roadmap.csv" if text.startswith(HEADER) else "roadmap.md")
    assert len(refusal.value.problems) == 1 and problem in refusal.value.problems[0]


def test_a_roadmap_at_the_row_limit_still_imports() -> None:
    rows = "".join(f"Initiative {n},Grow,Churn,CFO\n" for n in range(MAX_ROADMAP_ROWS))
    assert len(parse_roadmap(HEADER + rows, "roadmap.csv")) == MAX_ROADMAP_ROWS


def test_a_forged_paste_past_slacks_limit_meets_the_same_bounds_in_the_modal(
    baton: RunningBaton, fake_slack: FakeSlack, engine: Engine
) -> None:
    """Slack stops a person at 3,000 characters; a forged submission is stopped by the parser's bounds,
    under the field, with nothing written."""
    post_signed(baton.url, slash_command_body("import", user=ADMIN, response_url=fake_slack.response_url()))
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    rows = "".join(f"| I{n} | Grow | Churn | CFO |\n" for n in range(MAX_ROADMAP_ROWS + 1))
    answer = submit_import(baton, view, "| Initiative | Objective | KPI | Owner |\n" + rows)
    assert answer["response_action"] == "errors"
    assert f"more than {MAX_ROADMAP_ROWS:,} rows" in answer["errors"]["import_text"]
    assert count(engine, Initiative) == 0


def test_a_roadmap_naming_years_at_the_ends_of_the_calendar_is_refused_line_by_line(
    env: dict, tmp_path: Path, engine: Engine
) -> None:
    """A quarter 9999-Q4, once imported, failed the escalation scan at every tick (its next quarter is
    year 10000); due dates in year 1 or 9999 are refused with it."""
    roadmap = tmp_path / "roadmap.csv"
    roadmap.write_text(
        HEADER.strip()
        + ",Quarter,Due\n"
        + "Fine,Grow,Churn,CFO,2026-Q4,2026-12-31\n"
        + "Last,Grow,Churn,CFO,9999-Q4,2026-12-31\n"
        + "First,Grow,Churn,CFO,0001-Q1,2026-12-31\n"
        + "Late,Grow,Churn,CFO,2026-Q4,31/12/9999\n"
        + "Early,Grow,Churn,CFO,2026-Q4,0001-01-01\n"
        + "Edges,Grow,Churn,CFO,9998-Q4,1970-01-01\n",
        encoding="utf-8",
    )
    done = run_baton(env, tmp_path, "import", str(roadmap))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "4 problem(s), nothing imported" in done.stderr
    for line in (3, 4, 5, 6):
        assert f"line {line}: " in done.stderr
    assert done.stderr.count("out of range: the year must be between 1970 and 9998") == 4
    assert "line 7" not in done.stderr and count(engine, Initiative) == 0


@pytest.mark.parametrize(
    ("text", "quarter"),
    [("1970-Q1", "1970-Q1"), ("9998-q4", "9998-Q4"), ("1969-Q4", None), ("9999-Q1", None)],
)
def test_a_quarter_is_read_in_the_years_the_rituals_can_count_in(text: str, quarter: str | None) -> None:
    if quarter:
        assert parse_quarter(text) == quarter
    else:
        with pytest.raises(ValueError, match="out of range"):
            parse_quarter(text)


@pytest.mark.parametrize("objective", ["+" + "9" * 400 + " %", "-" + "9" * 16 + " pts", "9" * 309 + " %"])
def test_an_objective_whose_target_is_past_fifteen_digits_is_refused(objective: str) -> None:
    """Read as it was, `+999…9 %` made an infinite target, stored (PostgreSQL keeps Infinity) and then
    exported as `Infinity`."""
    with pytest.raises(RoadmapError) as refusal:
        parse_roadmap(f"{HEADER.strip()},Baseline\nGrow,{objective},Revenue,CFO,10\n", "roadmap.csv")
    assert refusal.value.problems == ["line 2: the objective's target is too large a number"]
