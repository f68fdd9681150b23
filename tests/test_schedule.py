"""`bot.domain.schedule`: when a check-in falls due, for whom, in which cycle — pure functions of time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.domain.cycles import cycle_key
from bot.domain.schedule import (
    Cadence,
    Holiday,
    Timing,
    checkin_due,
    cycle_start,
    cycles_around,
    digest_due,
    holiday_on,
    timing,
    zone,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
SINGAPORE = ZoneInfo("Asia/Singapore")
AUCKLAND = ZoneInfo("Pacific/Auckland")
HONOLULU = ZoneInfo("Pacific/Honolulu")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14, the earliest clock on Earth
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC-11

ORG = Cadence(tz=PARIS)  # the defaults: Monday 09:00, reminder after 24 h, grace 6 h


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- the defaults ----------------------------------------------------------------------------------


def test_the_default_cadence_is_monday_nine_with_a_day_of_delay_and_six_hours_of_grace() -> None:
    assert (ORG.checkin_weekday, ORG.checkin_hour) == (0, 9)
    assert ORG.reminder_delay == timedelta(hours=24)
    assert ORG.grace == timedelta(hours=6)
    assert ORG.holidays == ()


# --- Monday 09:00 in each owner's zone -------------------------------------------------------------


@pytest.mark.parametrize(
    ("person_tz", "expected"),
    [
        (PARIS, utc(2026, 11, 23, 8)),  # CET, UTC+1
        (NEW_YORK, utc(2026, 11, 23, 14)),  # EST, UTC-5
        (SINGAPORE, utc(2026, 11, 23, 1)),  # UTC+8, no DST
        (AUCKLAND, utc(2026, 11, 22, 20)),  # NZDT, UTC+13: Monday 09:00 there is still Sunday in UTC
        (HONOLULU, utc(2026, 11, 23, 19)),  # UTC-10, no DST
    ],
)
def test_checkin_is_due_at_nine_on_the_owners_own_monday(person_tz: ZoneInfo, expected: datetime) -> None:
    due = checkin_due("2026-W48", ORG, person_tz)
    assert due == expected
    assert due.tzinfo == UTC
    local = due.astimezone(person_tz)
    assert (local.date(), local.hour, local.minute) == (date(2026, 11, 23), 9, 0)


def test_the_order_of_prompts_across_the_globe() -> None:
    order = sorted(
        [PARIS, NEW_YORK, SINGAPORE, AUCKLAND, HONOLULU], key=lambda tz: checkin_due("2026-W48", ORG, tz)
    )
    assert order == [AUCKLAND, SINGAPORE, PARIS, NEW_YORK, HONOLULU]


def test_an_owner_without_a_known_zone_is_prompted_in_the_organisation_zone() -> None:
    assert checkin_due("2026-W48", ORG, None) == utc(2026, 11, 23, 8)
    assert checkin_due("2026-W48", Cadence(tz=NEW_YORK), None) == utc(2026, 11, 23, 14)


def test_another_day_and_hour() -> None:
    thursday_at_14 = Cadence(tz=PARIS, checkin_weekday=3, checkin_hour=14)
    assert checkin_due("2026-W48", thursday_at_14, SINGAPORE) == utc(2026, 11, 26, 6)
    assert checkin_due("2026-W48", thursday_at_14, NEW_YORK) == utc(2026, 11, 26, 19)


def test_the_digest_is_due_in_the_organisation_zone() -> None:
    assert digest_due("2026-W48", ORG) == utc(2026, 11, 23, 15)  # Monday 16:00 in Paris
    friday_noon = Cadence(tz=NEW_YORK, digest_weekday=4, digest_hour=12)
    assert digest_due("2026-W48", friday_noon) == utc(2026, 11, 27, 17)


# --- daylight saving time --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cycle", "person_tz", "expected"),
    [
        # Europe springs forward on Sunday 2027-03-28: 09:00 in Paris moves from 08:00 to 07:00 UTC
        ("2027-W12", PARIS, utc(2027, 3, 22, 8)),
        ("2027-W13", PARIS, utc(2027, 3, 29, 7)),
        # ... and falls back on Sunday 2026-10-25
        ("2026-W43", PARIS, utc(2026, 10, 19, 7)),
        ("2026-W44", PARIS, utc(2026, 10, 26, 8)),
        # the US falls back on Sunday 2026-11-01: 09:00 in New York moves from 13:00 to 14:00 UTC
        ("2026-W44", NEW_YORK, utc(2026, 10, 26, 13)),
        ("2026-W45", NEW_YORK, utc(2026, 11, 2, 14)),
        # ... and springs forward on Sunday 2026-03-08
        ("2026-W10", NEW_YORK, utc(2026, 3, 2, 14)),
        ("2026-W11", NEW_YORK, utc(2026, 3, 9, 13)),
        # the southern hemisphere: Auckland leaves NZDT on Sunday 2027-04-04 (Monday 09:00 = Sunday UTC)
        ("2027-W13", AUCKLAND, utc(2027, 3, 28, 20)),
        ("2027-W14", AUCKLAND, utc(2027, 4, 4, 21)),
        # Singapore and Honolulu have no DST: the same UTC hour all year
        ("2027-W12", SINGAPORE, utc(2027, 3, 22, 1)),
        ("2027-W13", SINGAPORE, utc(2027, 3, 29, 1)),
        ("2026-W26", HONOLULU, utc(2026, 6, 22, 19)),
        ("2026-W50", HONOLULU, utc(2026, 12, 7, 19)),
    ],
)
def test_nine_stays_nine_local_across_dst_changes(
    cycle: str, person_tz: ZoneInfo, expected: datetime
) -> None:
    due = checkin_due(cycle, ORG, person_tz)
    assert due == expected
    assert due.astimezone(person_tz).hour == 9


def test_while_europe_and_the_us_disagree_on_dst_the_gap_between_paris_and_new_york_shrinks() -> None:
    # 2027-03-14 .. 2027-03-28: New York is already on EDT, Paris still on CET
    def gap(cycle: str) -> timedelta:
        return checkin_due(cycle, ORG, NEW_YORK) - checkin_due(cycle, ORG, PARIS)

    assert [gap(cycle) for cycle in ("2027-W10", "2027-W11", "2027-W12", "2027-W13")] == [
        timedelta(hours=6),
        timedelta(hours=5),
        timedelta(hours=5),
        timedelta(hours=6),
    ]


def test_cycle_start_at_midnight_on_the_day_of_a_change() -> None:
    # Sunday 2027-03-28 00:00 in Paris is still CET; Sunday 2026-10-25 00:00 is still CEST
    assert cycle_start("2027-W12", PARIS, weekday=6) == utc(2027, 3, 27, 23)
    assert cycle_start("2026-W43", PARIS, weekday=6) == utc(2026, 10, 24, 22)


# --- ISO weeks and years ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cycle", "tz", "expected"),
    [
        ("2026-W48", PARIS, utc(2026, 11, 22, 23)),  # Monday 00:00 in Paris
        ("2026-W01", PARIS, utc(2025, 12, 28, 23)),  # ISO 2026 starts on Monday 2025-12-29
        ("2026-W53", PARIS, utc(2026, 12, 27, 23)),  # 2026 has 53 ISO weeks
        ("2027-W01", PARIS, utc(2027, 1, 3, 23)),
        ("2026-W53", UTC, utc(2026, 12, 28)),
        ("2026-W53", AUCKLAND, utc(2026, 12, 27, 11)),
    ],
)
def test_cycle_start_is_monday_midnight_where_the_clock_is(
    cycle: str, tz: ZoneInfo, expected: datetime
) -> None:
    assert cycle_start(cycle, tz) == expected


def test_week_53_and_the_next_year_first_week() -> None:
    assert checkin_due("2026-W53", ORG, PARIS) == utc(2026, 12, 28, 8)
    assert checkin_due("2027-W01", ORG, PARIS) == utc(2027, 1, 4, 8)
    # Auckland's Monday 09:00 of week 53 is Sunday 2026-12-27 in UTC; of 2027-W01 Sunday 2027-01-03
    assert checkin_due("2026-W53", ORG, AUCKLAND) == utc(2026, 12, 27, 20)
    assert checkin_due("2027-W01", ORG, AUCKLAND) == utc(2027, 1, 3, 20)
    # New York's week 53 prompt comes in the calendar year 2026, the next one in 2027
    assert checkin_due("2026-W53", ORG, NEW_YORK) == utc(2026, 12, 28, 14)
    assert checkin_due("2027-W01", ORG, NEW_YORK) == utc(2027, 1, 4, 14)


def test_a_week_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError):
        cycle_start("2027-W53", PARIS)  # 2027 has 52 ISO weeks


def test_consecutive_cycles_are_one_week_apart_over_a_year_boundary() -> None:
    weeks = [f"2026-W{week:02d}" for week in (50, 51, 52, 53)] + ["2027-W01", "2027-W02"]
    dues = [checkin_due(week, ORG, SINGAPORE) for week in weeks]  # no DST: exactly 7 days apart
    assert all(b - a == timedelta(days=7) for a, b in pairwise(dues))


# --- timing: early, due, missed --------------------------------------------------------------------

DUE = utc(2026, 11, 23, 8)
GRACE = timedelta(hours=6)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (DUE - timedelta(days=1), Timing.EARLY),
        (DUE - TICK, Timing.EARLY),
        (DUE, Timing.DUE),
        (DUE + timedelta(hours=5), Timing.DUE),
        (DUE + GRACE, Timing.DUE),  # the edge of the grace window still catches up
        (DUE + GRACE + TICK, Timing.MISSED),
        (DUE + timedelta(hours=7), Timing.MISSED),
        (DUE + timedelta(days=7), Timing.MISSED),
    ],
)
def test_timing(now: datetime, expected: Timing) -> None:
    assert timing(DUE, now, GRACE) is expected


def test_timing_compares_instants_not_wall_clocks() -> None:
    in_paris = DUE.astimezone(PARIS)  # 09:00 local
    assert timing(DUE, in_paris, GRACE) is Timing.DUE
    assert timing(DUE, (DUE - TICK).astimezone(SINGAPORE), GRACE) is Timing.EARLY
    assert timing(DUE, (DUE + GRACE + TICK).astimezone(HONOLULU), GRACE) is Timing.MISSED


def test_without_grace_only_the_due_instant_itself_is_due() -> None:
    assert timing(DUE, DUE, timedelta(0)) is Timing.DUE
    assert timing(DUE, DUE + TICK, timedelta(0)) is Timing.MISSED


# --- holidays --------------------------------------------------------------------------------------

CHRISTMAS = Holiday(date(2026, 12, 25), None, "Christmas")
ARMISTICE = Holiday(date(2026, 11, 11), "FR", "Armistice")
THANKSGIVING = Holiday(date(2026, 11, 26), "US", "Thanksgiving")
HOLIDAYS = (CHRISTMAS, ARMISTICE, THANKSGIVING)


@pytest.mark.parametrize(
    ("day", "country", "expected"),
    [
        (date(2026, 12, 25), None, CHRISTMAS),  # everyone's holiday
        (date(2026, 12, 25), "FR", CHRISTMAS),
        (date(2026, 12, 25), "SG", CHRISTMAS),
        (date(2026, 11, 11), "FR", ARMISTICE),  # only France's
        (date(2026, 11, 11), "US", None),
        (date(2026, 11, 11), None, None),  # nobody knows where they are: not a country's holiday
        (date(2026, 11, 26), "US", THANKSGIVING),
        (date(2026, 11, 26), "FR", None),
        (date(2026, 12, 24), None, None),
        (date(2026, 12, 26), "FR", None),
    ],
)
def test_holiday_on(day: date, country: str | None, expected: Holiday | None) -> None:
    assert holiday_on(day, country, HOLIDAYS) == expected


def test_no_holidays() -> None:
    assert holiday_on(date(2026, 12, 25), "FR", ()) is None


def test_holidays_from_the_settings_list() -> None:
    holidays = Cadence.holidays_from(
        [
            {"date": "2026-12-25", "country": None, "name": "Noël"},
            {"date": "2026-11-11", "country": "FR", "name": "Armistice"},
            {"date": "2027-01-01", "country": ""},  # an empty country is everyone's; the name is optional
        ]
    )
    assert holidays == (
        Holiday(date(2026, 12, 25), None, "Noël"),
        Holiday(date(2026, 11, 11), "FR", "Armistice"),
        Holiday(date(2027, 1, 1), None, ""),
    )
    assert holiday_on(date(2027, 1, 1), "SG", holidays) == Holiday(date(2027, 1, 1), None, "")


# --- cycles around an instant ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "org_tz", "expected"),
    [
        (utc(2026, 11, 25, 12), PARIS, ["2026-W48"]),  # mid-week: one cycle
        (utc(2026, 11, 23, 0, 30), PARIS, ["2026-W47", "2026-W48"]),  # Monday 01:30 in Paris
        (utc(2026, 11, 22, 20), PARIS, ["2026-W47", "2026-W48"]),  # Sunday 21:00 in Paris
        (utc(2026, 11, 22, 20), NEW_YORK, ["2026-W47", "2026-W48"]),  # Sunday 15:00 in New York
        (utc(2026, 11, 21, 12), PARIS, ["2026-W47"]),  # Saturday
        (utc(2026, 11, 23, 5), NEW_YORK, ["2026-W47", "2026-W48"]),  # still Monday 00:00 in New York
        (utc(2026, 11, 23, 4, 59), NEW_YORK, ["2026-W47", "2026-W48"]),  # Sunday 23:59 in New York
        (utc(2027, 1, 3, 22), PARIS, ["2026-W53", "2027-W01"]),  # Sunday 23:00 in Paris, year boundary
        (utc(2027, 1, 4, 12), PARIS, ["2026-W53", "2027-W01"]),
        (utc(2026, 12, 27, 20), AUCKLAND, ["2026-W52", "2026-W53"]),  # Monday 09:00 in Auckland
    ],
)
def test_cycles_around(now: datetime, org_tz: ZoneInfo, expected: list[str]) -> None:
    assert cycles_around(now, org_tz) == expected


ZONES = [PARIS, NEW_YORK, SINGAPORE, AUCKLAND, HONOLULU, KIRITIMATI, PAGO_PAGO, UTC]
CYCLES = ["2026-W10", "2026-W11", "2026-W44", "2026-W45", "2026-W53", "2027-W01", "2027-W13"]


@pytest.mark.parametrize("org_tz", ZONES, ids=str)
def test_every_owner_prompt_is_within_the_cycles_a_tick_looks_at(org_tz: ZoneInfo) -> None:
    """From its due instant to the end of the grace window, a prompt's cycle is one a tick considers,
    whatever the owner's zone and the organisation's (east and west of UTC, across DST and years)."""
    cadence = Cadence(tz=org_tz)
    for cycle in CYCLES:
        for person_tz in ZONES:
            due = checkin_due(cycle, cadence, person_tz)
            for late in (timedelta(0), cadence.grace / 2, cadence.grace):
                assert cycle in cycles_around(due + late, org_tz), (cycle, person_tz, late)


def test_the_cycle_of_a_prompt_is_the_organisation_week_not_the_owner_one() -> None:
    # Auckland's Monday 09:00 is still Sunday in Paris: the prompt belongs to the Paris week that starts next
    due = checkin_due("2026-W48", ORG, AUCKLAND)
    assert cycle_key(due, PARIS) == "2026-W47"
    assert "2026-W48" in cycles_around(due, PARIS)


# --- zones from Slack ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/Paris", PARIS),
        ("America/New_York", NEW_YORK),
        ("Asia/Singapore", SINGAPORE),
        ("America/Indiana/Indianapolis", ZoneInfo("America/Indiana/Indianapolis")),
        (None, None),
        ("", None),
        ("Mars/Olympus_Mons", None),
        ("../../etc/passwd", None),
        ("Europe/Paris/", None),
    ],
)
def test_zone(name: str | None, expected: ZoneInfo | None) -> None:
    assert zone(name) == expected
