"""Parse a quarterly roadmap (a Markdown table or a CSV file) into rows, all or nothing.

Columns, in English or French, emoji and typographic quotes tolerated:
Initiative | Objective/Objectif | KPI | Owner/Responsable, and optionally Department/Département,
Quarter/Trimestre, Baseline/Référence, Target/Cible, Due/Échéance. An owner like `CFO + Sales` names
two roles; `<@U0123ABCD>` names a Slack user, and so does an e-mail address once looked up in Slack
(`with_people`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.domain.cycles import OUT_OF_RANGE, YEARS, parse_quarter
from bot.domain.kpi import MAX_KPI, Target, kpi_unit, parse_number, parse_target, target_value
from bot.domain.text import key, tidy

REQUIRED = ("initiative", "objective", "kpi", "owner")
_HEADERS = {
    "initiative": "initiative",
    "initiatives": "initiative",
    "objective": "objective",
    "objectif": "objective",
    "kpi": "kpi",
    "indicateur": "kpi",
    "owner": "owner",
    "owners": "owner",
    "responsable": "owner",
    "responsables": "owner",
    "department": "department",
    "departement": "department",
    "team": "department",
    "equipe": "department",
    "direction": "department",
    "quarter": "quarter",
    "trimestre": "quarter",
    "baseline": "baseline",
    "reference": "baseline",
    "valeur initiale": "baseline",
    "target": "target",
    "cible": "target",
    "due": "due",
    "due date": "due",
    "echeance": "due",
}
# `&` only between spaces, so that `R&D` or `P&L` stays one role
_OWNER_SEPARATORS = re.compile(r"\s*(?:\+|,|;|/|\bet\b|\band\b)\s*|\s+&\s+", re.I)
# A Slack user id holds digits: an all-caps role such as `WORKFORCE` is not one
USER_MENTION = re.compile(r"^<?@?([UW](?=[A-Z0-9]*\d)[A-Z0-9]{6,})(?:\|[^>]*)?>?$")
_EMAIL = re.compile(r"^[^@\s<>|]+@[^@\s<>|]+\.[^@\s<>|]+$")
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")  # `|-|`, `|---|`, `|:--:|`
# Bounds far above any real roadmap (a few hundred initiatives, a few dozen kB), so that a huge file is
# refused before it is read whole or parsed: a 55 MB CSV once took 860 MB to parse.
MAX_ROADMAP_BYTES = 2_000_000
MAX_ROADMAP_ROWS = 2_000
MAX_CELLS = 50  # per row: the table has 10 known columns at most


class RoadmapError(Exception):
    """The file cannot be imported; `problems` names each line and what is wrong with it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Owner:
    kind: str  # "role", "user", or "email" until `with_people` turns it into its user
    ref: str  # role name, Slack user id, or e-mail address (lower case)

    def __str__(self) -> str:
        """A role by its name, a person as a Slack mention (as the roadmap writes them)."""
        return self.ref if self.kind == "role" else f"<@{self.ref}>"


@dataclass(frozen=True)
class RoadmapRow:
    line: int
    initiative: str
    objective: str
    kpi_name: str
    owners: tuple[Owner, ...]
    department: str | None = None
    quarter: str | None = None
    target: Target | None = None
    baseline: float | None = None
    target_level: float | None = None
    due: date | None = None
    kpi_unit: str | None = field(default=None)


def parse_roadmap(text: str, filename: str = "") -> list[RoadmapRow]:
    """Every row of the roadmap, or a RoadmapError listing every problem found."""
    text = text.lstrip("\ufeff")
    if len(text) > MAX_ROADMAP_BYTES:  # characters: never more than the UTF-8 file's bytes
        raise RoadmapError([too_big(len(text), "characters")])
    is_csv = filename.lower().endswith(".csv") or not _looks_like_markdown(text)
    table = _csv_cells(text) if is_csv else _markdown_cells(text)
    if not table:
        raise RoadmapError(
            ["the file holds no table: expected a header row Initiative | Objective | KPI | Owner"]
        )
    if len(table) > MAX_ROADMAP_ROWS + 1:
        raise RoadmapError(
            [f"the table has more than {MAX_ROADMAP_ROWS:,} rows: split it into several files"]
        )
    (header_line, header), *body = table
    if len(header) > MAX_CELLS:
        raise RoadmapError([f"line {header_line}: more than {MAX_CELLS} columns"])
    columns, problems = _columns(header_line, header)
    if problems:
        raise RoadmapError(problems)
    rows: list[RoadmapRow] = []
    seen: dict[str, int] = {}
    for line, cells in body:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > MAX_CELLS:
            problems.append(f"line {line}: more than {MAX_CELLS} cells, expected {len(columns)}")
            continue
        if len(cells) != len(columns):
            problems.append(f"line {line}: {len(cells)} cells, expected {len(columns)}")
            continue
        row, row_problems = _row(line, dict(zip(columns, cells, strict=True)))
        problems.extend(row_problems)
        if row is None:
            continue
        first = seen.setdefault(key(row.initiative), line)
        if first != line:
            problems.append(f"line {line}: initiative {row.initiative!r} already appears on line {first}")
        rows.append(row)
    if not rows and not problems:
        problems.append("the table has a header but no initiative")
    if problems:
        raise RoadmapError(problems)
    return rows


def too_big(size: int | None, unit: str = "bytes") -> str:
    """The problem of a roadmap of `size` bytes (or characters), None when more than the limit was read."""
    limit = f"the {MAX_ROADMAP_BYTES:,} {unit} a roadmap may hold"
    held = f"{size:,} {unit}, more than {limit}" if size is not None else f"more than {limit}"
    return f"the roadmap holds {held}: split it into several files"


def _looks_like_markdown(text: str) -> bool:
    # a title or prose may come before the table: `_markdown_cells` skips it
    return any(line.lstrip().startswith("|") for line in text.splitlines())


def _markdown_cells(text: str) -> list[tuple[int, list[str]]]:
    table: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line.startswith("|"):
            if table:
                break  # the table has ended; prose after it is not ours to read
            continue
        if len(table) > MAX_ROADMAP_ROWS + 1:
            break  # the header and one row past the limit are enough to refuse the table
        if line.count("|") > MAX_CELLS + 1:
            table.append((number, ["…"] * (MAX_CELLS + 1)))  # reported as a row with too many cells
            continue
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip("|"))]
        if all(_SEPARATOR_CELL.match(cell.replace(" ", "")) for cell in cells):
            continue
        table.append((number, cells))
    return table


def _csv_cells(text: str) -> list[tuple[int, list[str]]]:
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    table: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if len(table) > MAX_ROADMAP_ROWS + 1:
                break  # the header and one row past the limit are enough to refuse the table
            if cells:
                table.append((reader.line_num, [cell.strip() for cell in cells[: MAX_CELLS + 1]]))
    except csv.Error as exc:  # a field past csv's size limit, a NUL byte, a stray quote at the end
        raise RoadmapError([f"line {reader.line_num}: {exc}"]) from None
    return table


def _columns(line: int, header: list[str]) -> tuple[list[str], list[str]]:
    columns, problems = [], []
    for cell in header:
        name = _HEADERS.get(key(cell))
        if name is None:
            problems.append(f"line {line}: unknown column {tidy(cell)!r}")
        elif name in columns:
            problems.append(f"line {line}: column {tidy(cell)!r} appears twice")
        columns.append(name or "")
    problems.extend(f"line {line}: missing column {name!r}" for name in REQUIRED if name not in columns)
    return columns, problems


def _row(line: int, cells: dict[str, str]) -> tuple[RoadmapRow | None, list[str]]:
    values = {name: tidy(value, keep_quotes=True) for name, value in cells.items()}  # French as written
    problems = [f"line {line}: {name} is empty" for name in REQUIRED if not values[name]]
    owners: list[Owner] = []
    for part in _OWNER_SEPARATORS.split(values["owner"]):
        if not part:
            continue
        mention = USER_MENTION.match(part)
        if mention:
            owners.append(Owner("user", mention[1]))
        elif _EMAIL.match(part):
            owners.append(Owner("email", part.lower()))  # looked up in Slack before anything is written
        elif "@" in part:
            problems.append(
                f"line {line}: owner {part!r} is neither a role, a Slack user <@U…> nor an e-mail"
            )
        else:
            owners.append(Owner("role", part))

    def number(name: str) -> float | None:
        if not values.get(name):
            return None
        try:
            return parse_number(values[name])
        except ValueError:
            problems.append(f"line {line}: {name} {values[name]!r} is not a number")
            return None

    baseline, target_level = number("baseline"), number("target")
    quarter = due = None
    if values.get("quarter"):
        try:
            quarter = parse_quarter(values["quarter"])
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
    if values.get("due"):
        due = _parse_date(values["due"])
        if due is None:
            problems.append(f"line {line}: due date {values['due']!r} is not a date like 2026-12-31")
        elif due.year not in YEARS:
            problems.append(f"line {line}: due date {values['due']!r} {OUT_OF_RANGE}")
    if problems:
        return None, problems
    target = parse_target(values["objective"])
    if target_level is None and target is not None:
        target_level = target_value(baseline, target)
    # `+999…9 %` (309 digits) reads as an infinite target: refused as KPI numbers past 15 digits are
    if target is not None and not (abs(target.change) < MAX_KPI and abs(target_level or 0) < MAX_KPI):
        return None, [f"line {line}: the objective's target is too large a number"]
    return (
        RoadmapRow(
            line=line,
            initiative=values["initiative"],
            objective=values["objective"],
            kpi_name=values["kpi"],
            # `100 % des entités live` says the KPI is a percentage even when its name does not
            kpi_unit=kpi_unit(values["kpi"])
            or (target.unit if target and target.mode == "absolute" else None),
            owners=tuple(owners),
            department=values.get("department") or None,
            quarter=quarter,
            target=target,
            baseline=baseline,
            target_level=target_level,
            due=due,
        ),
        [],
    )


def _parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def emails_in(rows: Sequence[RoadmapRow]) -> set[str]:
    return {owner.ref for row in rows for owner in row.owners if owner.kind == "email"}


def with_people(rows: Sequence[RoadmapRow], people: Mapping[str, tuple[str, bool]]) -> list[RoadmapRow]:
    """The rows with each e-mail owner replaced by its Slack user (`people`: e-mail → (user id,
    deactivated)); a RoadmapError names each line whose e-mail is unknown or deactivated."""
    problems = []
    for row in rows:
        for owner in row.owners:
            if owner.kind != "email":
                continue
            if owner.ref not in people:
                problems.append(f"line {row.line}: no Slack user has the e-mail {owner.ref!r}")
            elif people[owner.ref][1]:
                problems.append(
                    f"line {row.line}: the Slack user with the e-mail {owner.ref!r} is deactivated"
                )
    if problems:
        raise RoadmapError(problems)
    return [
        replace(
            row,
            owners=tuple(Owner("user", people[o.ref][0]) if o.kind == "email" else o for o in row.owners),
        )
        for row in rows
    ]
