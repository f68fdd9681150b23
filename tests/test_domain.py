"""Pure domain functions: text normalisation and matching, cycles and quarters, KPI numbers and targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.cycles import (
    cycle_day,
    cycle_key,
    cycle_monday,
    cycles_between,
    month_first,
    month_key,
    next_month,
    next_quarter,
    parse_quarter,
    previous_quarter,
    quarter_bounds,
    quarter_cycles,
    quarter_key,
    shift,
    weeks_between,
)
from bot.domain.kpi import Target, kpi_unit, parse_number, parse_target, target_value
from bot.domain.text import best_matches, fold, key, tidy
from storage.models import Direction, TargetMode

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

# --- text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "tidied"),
    [
        ("Standardiser l’onboarding", "Standardiser l'onboarding"),
        ("‘Managers’ “Coach” «ERP»", '\'Managers\' "Coach" "ERP"'),
        ("Initiative 🚀", "Initiative"),
        ("  KPI\u00a0 📊\t(jours)\n", "KPI (jours)"),
        ("1\u202f250", "1 250"),
        ("Cafe\u0301", "Café"),  # decomposed accent recomposed (NFC)
        ("zero\u200bwidth", "zerowidth"),  # format characters dropped
        ("-20 % de temps", "-20 % de temps"),
        ("", ""),
    ],
)
def test_tidy(raw: str, tidied: str) -> None:
    assert tidy(raw) == tidied


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Déploiement ERP", "deploiement erp"),
        ("ÉCHÉANCE", "echeance"),
        ("Straße", "strasse"),
        ("Cafe\u0301 ☕", "cafe"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Déploiement ERP phase 2", "  deploiement   erp PHASE 2 "),
        ("Programme “Managers Coach”", 'programme "managers coach"'),
        ("Revue prix-frais", "revue prix frais"),
        ("Initiative 🚀", "INITIATIVE"),
    ],
)
def test_key_identifies_names_a_person_would_call_the_same(a: str, b: str) -> None:
    assert key(a) == key(b)


def test_key_keeps_different_names_apart() -> None:
    assert key("ERP phase 2") != key("ERP phase 3")
    assert key("Revue prix-frais") == "revue prix frais"


@dataclass(frozen=True)
class Item:
    title: str


ITEMS = [
    Item("Standardiser l’onboarding clients"),
    Item("Déploiement ERP phase 2"),
    Item("Revue prix-frais par segment"),
    Item("Programme “Managers Coach”"),
    Item("Revue des contrats fournisseurs"),
]


def titles(query: str, items: list[Item] = ITEMS) -> list[str]:
    return [item.title for item in best_matches(query, {item: key(item.title) for item in items})]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("erp", ["Déploiement ERP phase 2"]),
        ("deploiement", ["Déploiement ERP phase 2"]),
        ("DEPLOIEMENT", ["Déploiement ERP phase 2"]),
        ("Déploi ERP", ["Déploiement ERP phase 2"]),
        ("onboarding", ["Standardiser l’onboarding clients"]),
        ("Programe Managers Coach", ["Programme “Managers Coach”"]),  # typo: a close spelling
        ("revue", ["Revue prix-frais par segment", "Revue des contrats fournisseurs"]),  # ambiguous
        ("quantum computing", []),
        ("", []),
        ("   ", []),
        ("🚀", []),
    ],
)
def test_best_matches(query: str, expected: list[str]) -> None:
    assert titles(query) == expected


def test_an_exact_name_wins_over_longer_names_it_prefixes() -> None:
    items = [Item("ERP"), Item("ERP phase 2"), Item("Déploiement ERP")]
    assert titles("erp", items) == ["ERP"]


def test_every_word_of_the_query_must_match() -> None:
    items = [Item("ERP phase 2"), Item("ERP phase 3"), Item("CRM phase 2")]
    assert titles("erp 2", items) == ["ERP phase 2"]
    assert titles("phase", items) == ["ERP phase 2", "ERP phase 3", "CRM phase 2"]


def test_best_matches_returns_the_candidates_themselves() -> None:
    assert best_matches("erp", {7: key("Déploiement ERP phase 2"), 9: key("ERP")}) == [9]
    assert best_matches("phase", {7: key("Déploiement ERP phase 2"), 9: key("ERP")}) == [7]


# --- cycles ---------------------------------------------------------------------------------------


def test_cycle_key_depends_on_the_organisation_time_zone() -> None:
    sunday_night_utc = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # a Sunday
    assert sunday_night_utc.weekday() == 6
    assert cycle_key(sunday_night_utc, PARIS) == "2026-W49"  # already Monday 00:30 in Paris
    assert cycle_key(sunday_night_utc, NEW_YORK) == "2026-W48"  # still Sunday 18:30 in New York
    assert cycle_key(sunday_night_utc, UTC) == "2026-W48"


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        (datetime(2026, 12, 31, 12, tzinfo=UTC), PARIS, "2026-W53"),
        (datetime(2027, 1, 1, 12, tzinfo=UTC), PARIS, "2026-W53"),  # ISO year lags the calendar
        (datetime(2027, 1, 3, 22, 59, tzinfo=UTC), PARIS, "2026-W53"),  # Sunday 23:59 in Paris
        (datetime(2027, 1, 3, 23, 0, tzinfo=UTC), PARIS, "2027-W01"),  # Monday 00:00 in Paris
        (datetime(2027, 1, 4, 12, tzinfo=UTC), PARIS, "2027-W01"),
        (datetime(2025, 12, 29, 12, tzinfo=UTC), PARIS, "2026-W01"),  # ISO year ahead of the calendar
        (datetime(2026, 3, 2, 9, tzinfo=UTC), PARIS, "2026-W10"),  # zero-padded week
        # the same instant read in another offset
        (datetime(2026, 11, 30, 8, 30, tzinfo=timezone(timedelta(hours=9))), NEW_YORK, "2026-W48"),
    ],
)
def test_cycle_key_iso_weeks(instant: datetime, tz: ZoneInfo, expected: str) -> None:
    assert cycle_key(instant, tz) == expected


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), UTC, "2026-Q1"),
        (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), UTC, "2026-Q1"),
        (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), PARIS, "2026-Q2"),  # already April 1st in Paris
        (datetime(2026, 6, 30, 12, tzinfo=UTC), PARIS, "2026-Q2"),
        (datetime(2026, 9, 15, 12, tzinfo=UTC), PARIS, "2026-Q3"),
        (datetime(2026, 10, 1, 2, tzinfo=UTC), NEW_YORK, "2026-Q3"),  # still September 30th in New York
        (datetime(2026, 12, 31, 16, tzinfo=UTC), TOKYO, "2027-Q1"),  # already 2027 in Tokyo
    ],
)
def test_quarter_key(instant: datetime, tz: ZoneInfo, expected: str) -> None:
    assert quarter_key(instant, tz) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-Q4", "2026-Q4"), ("2026-q4", "2026-Q4"), (" 2027-Q1 ", "2027-Q1")],
)
def test_parse_quarter(text: str, expected: str) -> None:
    assert parse_quarter(text) == expected


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "Q4 2026", "2026Q4", "26-Q4", "2026-Q4x", ""])
def test_parse_quarter_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not a quarter like 2026-Q4"):
        parse_quarter(text)


def test_quarter_bounds_and_cycle_monday() -> None:
    assert quarter_bounds("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds("2027-Q1") == (date(2027, 1, 1), date(2027, 3, 31))
    assert cycle_monday("2026-W48") == date(2026, 11, 23)


def test_cycles_count_in_iso_weeks_across_the_year() -> None:
    assert cycle_day("2026-W48", 1) == date(2026, 11, 24)  # its Tuesday
    assert cycle_day("2026-W53", 6) == date(2027, 1, 3)  # ISO 2026 ends on a Sunday of 2027
    assert shift("2026-W52", 1) == "2026-W53" and shift("2026-W53", 1) == "2027-W01"
    assert shift("2027-W01", -2) == "2026-W52"
    assert weeks_between("2026-W52", "2027-W02") == 3 and weeks_between("2027-W02", "2026-W52") == -3
    assert cycles_between("2026-W52", "2027-W01") == ["2026-W52", "2026-W53", "2027-W01"]
    assert cycles_between("2027-W01", "2026-W52") == []


def test_months_and_quarters_roll_over_the_year() -> None:
    assert month_key(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), PARIS) == "2026-12"  # already December
    assert month_first("2026-12") == date(2026, 12, 1)
    assert (next_month("2026-11"), next_month("2026-12")) == ("2026-12", "2027-01")
    assert (previous_quarter("2027-Q1"), previous_quarter("2026-Q4")) == ("2026-Q4", "2026-Q3")
    assert (next_quarter("2026-Q4"), next_quarter("2026-Q1")) == ("2027-Q1", "2026-Q2")


def test_quarter_cycles_cover_every_iso_week_of_the_quarter() -> None:
    cycles = quarter_cycles("2026-Q4")
    assert (cycles[0], cycles[-1], len(cycles)) == ("2026-W40", "2026-W53", 14)


# --- KPI ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("-3.5", -3.5),
        ("12,5", 12.5),
        ("1 250", 1250),
        ("1\u202f250", 1250),  # narrow no-break space, as French locales group thousands
        ("1\u00a0250,75", 1250.75),
        ("−4", -4),  # unicode minus sign
        ("+7", 7),
        ("  0  ", 0),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["12 jours", "abc", "", "   ", "12 %", "1.2.3", "12,", "--4", "1e3", "nan"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("objective", "target"),
    [
        ("-20 % de temps d’activation", Target(TargetMode.RELATIVE, -20, Direction.DOWN, "%")),
        ("100 % des entités live", Target(TargetMode.ABSOLUTE, 100, Direction.UP, "%")),
        ("+3 pts de marge", Target(TargetMode.POINTS, 3, Direction.UP, "pts")),
        ("+10 % eNPS", Target(TargetMode.RELATIVE, 10, Direction.UP, "%")),
        ("−2 points de churn", Target(TargetMode.POINTS, -2, Direction.DOWN, "pts")),
        ("– 12,5 % de coûts", Target(TargetMode.RELATIVE, -12.5, Direction.DOWN, "%")),
        ("-1 pt d'attrition", Target(TargetMode.POINTS, -1, Direction.DOWN, "pts")),
        ("🎯 +5\u00a0% de CA", Target(TargetMode.RELATIVE, 5, Direction.UP, "%")),
        ("95% SLA", Target(TargetMode.ABSOLUTE, 95, Direction.UP, "%")),
    ],
)
def test_parse_target(objective: str, target: Target) -> None:
    assert parse_target(objective) == target


@pytest.mark.parametrize(
    "objective",
    [
        "Réduire le temps d'activation",
        "Atteindre 100 % des entités",  # the amount must lead the objective
        "+3 ptsx",  # `pts` must be a whole word
        "+3 jours",
        "",
    ],
)
def test_parse_target_none(objective: str) -> None:
    assert parse_target(objective) is None


@pytest.mark.parametrize(
    ("baseline", "target", "level"),
    [
        (10, Target(TargetMode.RELATIVE, -20, Direction.DOWN, "%"), 8),
        (40, Target(TargetMode.RELATIVE, 10, Direction.UP, "%"), 44),
        (12.5, Target(TargetMode.POINTS, 3, Direction.UP, "pts"), 15.5),
        (12.5, Target(TargetMode.POINTS, -2, Direction.DOWN, "pts"), 10.5),
        (35, Target(TargetMode.ABSOLUTE, 100, Direction.UP, "%"), 100),
        (None, Target(TargetMode.ABSOLUTE, 100, Direction.UP, "%"), 100),
        (None, Target(TargetMode.RELATIVE, -20, Direction.DOWN, "%"), None),
        (None, Target(TargetMode.POINTS, 3, Direction.UP, "pts"), None),
        (0, Target(TargetMode.POINTS, 3, Direction.UP, "pts"), 3),  # a zero baseline is a baseline
    ],
)
def test_target_value(baseline: float | None, target: Target, level: float | None) -> None:
    if level is None:
        assert target_value(baseline, target) is None
    else:
        assert target_value(baseline, target) == pytest.approx(level)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("Délai moyen (jours)", "jours"),
        ("Marge nette (%)", "%"),
        ("Coût ( k€ )", "k€"),
        ("Taux d'adoption", None),
        ("(jours) délai", None),  # only a trailing unit
        ("", None),
    ],
)
def test_kpi_unit(name: str, unit: str | None) -> None:
    assert kpi_unit(name) == unit
