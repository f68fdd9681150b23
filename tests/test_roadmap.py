"""`parse_roadmap`: the quarterly roadmap as a strategy office writes it, Markdown or CSV, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.roadmap import Owner, RoadmapError, RoadmapRow, parse_roadmap
from bot.domain.text import key
from storage.models import Direction, TargetMode
from tests.conftest import EXAMPLE_ROADMAP as EXAMPLE

HEADER_MD = "| Initiative | Objective | KPI | Owner |\n|---|---|---|---|\n"


def problems_of(text: str, filename: str = "") -> list[str]:
    with pytest.raises(RoadmapError) as caught:
        parse_roadmap(text, filename)
    assert caught.value.problems, "a RoadmapError always names its problems"
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def summary(rows: list[RoadmapRow]) -> list[tuple[object, ...]]:
    """Everything a row says except its line number (which differs between formats)."""
    return [
        (
            r.initiative,
            r.objective,
            r.kpi_name,
            r.owners,
            r.department,
            r.quarter,
            r.target,
            r.baseline,
            r.target_level,
            r.due,
            r.kpi_unit,
        )
        for r in rows
    ]


# --- The real example file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_rows() -> list[RoadmapRow]:
    return parse_roadmap(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)


def test_example_has_four_rows_in_file_order(example_rows: list[RoadmapRow]) -> None:
    assert [row.initiative for row in example_rows] == [
        "Standardiser l’onboarding clients",
        "Déploiement ERP phase 2",
        "Revue prix-frais par segment",
        "Programme “Managers Coach”",
    ]
    # the header is line 1 and the separator line 2: data starts on line 3
    assert [row.line for row in example_rows] == [3, 4, 5, 6]


def test_example_emoji_headers_are_tolerated(example_rows: list[RoadmapRow]) -> None:
    # `Initiative 🚀 | Objectif 🎯 | KPI 📊 | Responsable 👤` maps to the four required columns
    assert [row.kpi_name for row in example_rows] == [
        "Délai moyen (jours)",
        "Taux d’adoption",
        "Marge nette (%)",
        "eNPS trimestriel",
    ]


def test_example_typographic_apostrophes_are_kept_as_written(example_rows: list[RoadmapRow]) -> None:
    """French is shown as the strategy office wrote it; matching folds the quotes (`l'onboarding` typed
    finds `l’onboarding`)."""
    assert example_rows[0].objective == "-20 % de temps d’activation"
    assert key(example_rows[0].initiative) == key("Standardiser l'onboarding clients")


def test_example_owners_are_roles_split_on_plus(example_rows: list[RoadmapRow]) -> None:
    assert [row.owners for row in example_rows] == [
        (Owner("role", "Ops Manager"),),
        (Owner("role", "PMO"), Owner("role", "IT")),
        (Owner("role", "CFO"), Owner("role", "Sales")),
        (Owner("role", "CHRO"),),
    ]


def test_example_targets(example_rows: list[RoadmapRow]) -> None:
    onboarding, erp, pricing, coach = example_rows

    assert onboarding.target is not None
    assert (onboarding.target.mode, onboarding.target.change) == (TargetMode.RELATIVE, -20)
    assert onboarding.target.direction is Direction.DOWN
    assert onboarding.target_level is None  # a relative target waits for its baseline
    assert onboarding.kpi_unit == "jours"

    assert erp.target is not None
    assert (erp.target.mode, erp.target.change) == (TargetMode.ABSOLUTE, 100)
    assert erp.target_level == 100
    assert erp.kpi_unit == "%"  # from `100 %`, although `Taux d'adoption` names no unit

    assert pricing.target is not None
    assert (pricing.target.mode, pricing.target.change, pricing.target.unit) == (TargetMode.POINTS, 3, "pts")
    assert pricing.target.direction is Direction.UP
    assert pricing.kpi_unit == "%"  # from `Marge nette (%)`

    assert coach.target is not None
    assert (coach.target.mode, coach.target.change) == (TargetMode.RELATIVE, 10)
    assert coach.target.direction is Direction.UP
    assert coach.kpi_unit is None


def test_example_has_no_optional_values(example_rows: list[RoadmapRow]) -> None:
    for row in example_rows:
        assert (row.department, row.quarter, row.baseline, row.due) == (None, None, None, None)


def test_markdown_table_after_a_title_and_before_prose() -> None:
    # Fixed bug: a Markdown file whose first line was a title was read as CSV and rejected.
    text = (
        "# Roadmap Q1\n\nAs agreed in the committee:\n\n" + HEADER_MD + "| A | +3 pts | K | CFO |\n\nNotes.\n"
    )
    rows = parse_roadmap(text, "roadmap.md")
    assert [(row.line, row.initiative) for row in rows] == [(7, "A")]


@pytest.mark.parametrize("separator", ["|---|---|---|---|", "|-|-|-|-|", "| :--- | :---: | ---: | --- |"])
def test_markdown_separator_rows_are_not_data(separator: str) -> None:
    # Fixed bug: `|-|-|` (valid GFM) used to be imported as an initiative named "-".
    text = f"| Initiative | Objective | KPI | Owner |\n{separator}\n| A | +3 pts | K | CFO |\n"
    assert [row.initiative for row in parse_roadmap(text)] == ["A"]


def test_markdown_escaped_pipe_stays_in_the_cell() -> None:
    rows = parse_roadmap(HEADER_MD + r"| Make \| buy study | +3 pts | K | CFO |" + "\n")
    assert rows[0].initiative == "Make | buy study"


def test_blank_rows_are_skipped() -> None:
    rows = parse_roadmap(HEADER_MD + "| A | +3 pts | K | CFO |\n|  |  |  |  |\n| B | +3 pts | K | CFO |\n")
    assert [(row.line, row.initiative) for row in rows] == [(3, "A"), (5, "B")]


# --- Headers --------------------------------------------------------------------------------------


def test_english_headers() -> None:
    rows = parse_roadmap(HEADER_MD + "| Cut churn | -5 % churn | Churn (%) | CSM |\n")
    assert rows[0].initiative == "Cut churn"
    assert rows[0].objective == "-5 % churn"
    assert rows[0].kpi_name == "Churn (%)"
    assert rows[0].owners == (Owner("role", "CSM"),)


def test_columns_may_come_in_any_order_and_case() -> None:
    text = "| OWNER | kpi | objectif | INITIATIVES |\n|---|---|---|---|\n| CFO | Marge | +3 pts | A |\n"
    row = parse_roadmap(text)[0]
    assert (row.initiative, row.objective, row.kpi_name, row.owners) == (
        "A",
        "+3 pts",
        "Marge",
        (Owner("role", "CFO"),),
    )


@pytest.mark.parametrize(
    ("headers", "cells"),
    [
        (
            "Initiative | Objective | KPI | Owner | Department | Quarter | Baseline | Target | Due",
            "A | -20 % temps | Délai (jours) | PMO | Finance | 2026-q4 | 10 | 7,5 | 2026-12-31",
        ),
        (
            "Initiative | Objectif | KPI | Responsable | Département | Trimestre | Référence | Cible"
            " | Échéance",
            "A | -20 % temps | Délai (jours) | PMO | Finance | 2026-Q4 | 10 | 7,5 | 31/12/2026",
        ),
    ],
    ids=["english", "french"],
)
def test_optional_columns(headers: str, cells: str) -> None:
    row = parse_roadmap(f"| {headers} |\n|{'---|' * 9}\n| {cells} |\n")[0]
    assert row.department == "Finance"
    assert row.quarter == "2026-Q4"
    assert row.baseline == 10
    assert row.target_level == 7.5  # an explicit Target column wins over the computed -20 %
    assert row.due == date(2026, 12, 31)
    assert row.kpi_unit == "jours"


@pytest.mark.parametrize(
    ("objective", "baseline", "level"),
    [
        ("-20 % de temps d'activation", "10", 8),
        ("+10 % eNPS", "40", 44),
        ("+3 pts de marge", "12,5", 15.5),
        ("100 % des entités live", "35", 100),
        ("Réduire les délais", "10", None),  # no target we can read
    ],
)
def test_baseline_and_target_compute_the_target_level(
    objective: str, baseline: str, level: float | None
) -> None:
    text = (
        "| Initiative | Objective | KPI | Owner | Baseline |\n|---|---|---|---|---|\n"
        f"| A | {objective} | K | PMO | {baseline} |\n"
    )
    row = parse_roadmap(text)[0]
    assert row.baseline == pytest.approx(float(baseline.replace(",", ".")))
    if level is None:
        assert row.target is None
        assert row.target_level is None
    else:
        assert row.target_level == pytest.approx(level)


# --- Owners ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("<@U0123ABCD>", (Owner("user", "U0123ABCD"),)),
        ("<@U0123ABCD|jane>", (Owner("user", "U0123ABCD"),)),
        ("PMO + <@W0123ABCD>", (Owner("role", "PMO"), Owner("user", "W0123ABCD"))),
        ("CFO, Sales; IT", (Owner("role", "CFO"), Owner("role", "Sales"), Owner("role", "IT"))),
        ("CFO et Sales", (Owner("role", "CFO"), Owner("role", "Sales"))),
        ("CFO and Sales", (Owner("role", "CFO"), Owner("role", "Sales"))),
        ("Sales & Marketing", (Owner("role", "Sales"), Owner("role", "Marketing"))),
        # Fixed bugs: `R&D` used to become roles `R` and `D`; an all-caps role of 7+ letters
        # starting with U or W (`WORKFORCE`) used to be taken for a Slack user id.
        ("R&D", (Owner("role", "R&D"),)),
        ("WORKFORCE", (Owner("role", "WORKFORCE"),)),
        ("Head of Brand", (Owner("role", "Head of Brand"),)),  # `and` inside a word does not split
    ],
)
def test_owners(owner: str, expected: tuple[Owner, ...]) -> None:
    cell = owner.replace("|", "\\|")  # a pipe inside a Markdown cell is escaped
    assert parse_roadmap(HEADER_MD + f"| A | +3 pts | K | {cell} |\n", "roadmap.md")[0].owners == expected


def test_an_email_owner_is_kept_for_a_slack_lookup_and_a_handle_is_rejected() -> None:
    [row] = parse_roadmap(HEADER_MD + "| B | +3 pts | K | Jane.Doe@Acme.com + CFO |\n", "roadmap.md")
    assert row.owners == (Owner("email", "jane.doe@acme.com"), Owner("role", "CFO"))
    problems = problems_of(HEADER_MD + "| A | +3 pts | K | CFO |\n| B | +3 pts | K | @jane |\n")
    assert problems == ["line 4: owner '@jane' is neither a role, a Slack user <@U…> nor an e-mail"]


# --- CSV ------------------------------------------------------------------------------------------

CSV_COMMA = (
    "Initiative,Objective,KPI,Owner,Baseline\n"
    "Standardiser l'onboarding,-20 % de temps d'activation,Délai moyen (jours),Ops Manager,10\n"
    '"Déploiement ERP, phase 2",100 % des entités live,Taux d\'adoption,PMO + IT,"12,5"\n'
)
CSV_SEMICOLON = (
    "Initiative;Objective;KPI;Owner;Baseline\n"
    "Standardiser l'onboarding;-20 % de temps d'activation;Délai moyen (jours);Ops Manager;10\n"
    "Déploiement ERP, phase 2;100 % des entités live;Taux d'adoption;PMO + IT;12,5\n"
)
MARKDOWN_SAME = (
    "| Initiative | Objective | KPI | Owner | Baseline |\n|---|---|---|---|---|\n"
    "| Standardiser l'onboarding | -20 % de temps d'activation | Délai moyen (jours) | Ops Manager | 10 |\n"
    "| Déploiement ERP, phase 2 | 100 % des entités live | Taux d'adoption | PMO + IT | 12,5 |\n"
)


@pytest.mark.parametrize(
    ("text", "filename"),
    [
        (CSV_COMMA, "roadmap.csv"),
        (CSV_SEMICOLON, "roadmap.csv"),
        ("\ufeff" + CSV_SEMICOLON, "roadmap.csv"),
        ("\ufeff" + CSV_COMMA, "export.CSV"),
        (CSV_SEMICOLON, ""),  # no name: not Markdown, so CSV
        ("\ufeff" + MARKDOWN_SAME, "roadmap.md"),
    ],
    ids=["comma", "semicolon", "semicolon-bom", "comma-bom-uppercase-ext", "semicolon-no-filename", "md-bom"],
)
def test_csv_and_markdown_give_the_same_rows(text: str, filename: str) -> None:
    rows = parse_roadmap(text, filename)
    assert summary(rows) == summary(parse_roadmap(MARKDOWN_SAME, "roadmap.md"))
    assert [row.line for row in rows] == ([3, 4] if "|" in text else [2, 3])
    assert rows[0].initiative == "Standardiser l'onboarding"  # the BOM is not part of the first header
    assert rows[0].target_level == pytest.approx(8)
    assert rows[1].initiative == "Déploiement ERP, phase 2"
    assert rows[1].baseline == 12.5
    assert rows[1].owners == (Owner("role", "PMO"), Owner("role", "IT"))


def test_csv_errors_carry_csv_line_numbers() -> None:
    text = "Initiative;Objective;KPI;Owner\n\nA;+3 pts;K;CFO\nB;+3 pts;;CFO\n"
    assert problems_of(text, "roadmap.csv") == ["line 4: kpi is empty"]


# --- Errors: each with its line, all of them at once ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "| Initiative | Objective | KPI |\n|---|---|---|\n| A | +3 pts | K |\n",
            ["line 1: missing column 'owner'"],
        ),
        (
            HEADER_MD.replace("| Owner |", "| Owner | Budget 💶 |") + "| A | +3 pts | K | CFO | 10 |\n",
            ["line 1: unknown column 'Budget'"],
        ),
        (
            "| Initiative | Objective | KPI | Owner | Cible | Target |\n|---|---|---|---|---|---|\n",
            ["line 1: column 'Target' appears twice"],
        ),
        (HEADER_MD + "| A |  | K | CFO |\n", ["line 3: objective is empty"]),
        (HEADER_MD + "| A | +3 pts | K |\n", ["line 3: 3 cells, expected 4"]),
        (HEADER_MD + "| A | +3 pts | K | CFO | extra |\n", ["line 3: 5 cells, expected 4"]),
        (
            HEADER_MD + "| Déploiement ERP | +3 pts | K | CFO |\n| DEPLOIEMENT  erp | +1 pts | K | IT |\n",
            ["line 4: initiative 'DEPLOIEMENT erp' already appears on line 3"],
        ),
        (HEADER_MD, ["the table has a header but no initiative"]),
        ("", ["the file holds no table: expected a header row Initiative | Objective | KPI | Owner"]),
    ],
    ids=[
        "missing-column",
        "unknown-column",
        "duplicate-column",
        "empty-cell",
        "too-few-cells",
        "too-many-cells",
        "duplicate-initiative",
        "no-rows",
        "empty-file",
    ],
)
def test_structural_problems(text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Quarter", "2026-Q5", "line 3: '2026-Q5' is not a quarter like 2026-Q4"),
        ("Baseline", "12 jours", "line 3: baseline '12 jours' is not a number"),
        ("Target", "beaucoup", "line 3: target 'beaucoup' is not a number"),
        ("Due", "2026-13-01", "line 3: due date '2026-13-01' is not a date like 2026-12-31"),
        ("Due", "fin Q4", "line 3: due date 'fin Q4' is not a date like 2026-12-31"),
    ],
)
def test_bad_optional_values(column: str, value: str, message: str) -> None:
    text = (
        f"| Initiative | Objective | KPI | Owner | {column} |\n|---|---|---|---|---|\n"
        f"| A | +3 pts | K | CFO | {value} |\n"
    )
    assert problems_of(text) == [message]


def test_every_problem_is_reported_together_and_nothing_is_returned() -> None:
    text = (
        "| Initiative | Objective | KPI | Owner | Quarter | Baseline | Due |\n"
        "|---|---|---|---|---|---|---|\n"
        "| Good one | +3 pts | K | CFO | 2026-Q4 | 10 | 2026-12-31 |\n"  # line 3
        "| B | +3 pts |  | jane@acme | 2026-Q5 | abc | demain |\n"  # line 4: five problems
        "| C | +3 pts | K | CFO |\n"  # line 5
        "| good ONE | +3 pts | K | CFO | 2026-Q4 | 10 | 2026-12-31 |\n"  # line 6
    )
    assert problems_of(text) == [
        "line 4: kpi is empty",
        "line 4: owner 'jane@acme' is neither a role, a Slack user <@U…> nor an e-mail",
        "line 4: baseline 'abc' is not a number",
        "line 4: '2026-Q5' is not a quarter like 2026-Q4",
        "line 4: due date 'demain' is not a date like 2026-12-31",
        "line 5: 4 cells, expected 7",
        "line 6: initiative 'good ONE' already appears on line 3",
    ]


def test_header_problems_are_all_reported() -> None:
    problems = problems_of(
        "| Initiative | Objective | Budget | Notes |\n|---|---|---|---|\n| A | B | 1 | x |\n"
    )
    assert problems == [
        "line 1: unknown column 'Budget'",
        "line 1: unknown column 'Notes'",
        "line 1: missing column 'kpi'",
        "line 1: missing column 'owner'",
    ]
