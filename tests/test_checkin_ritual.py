"""The Monday check-in and its reminders, driven by an injected clock: who is prompted when, exactly once.

Owners live in Paris, New York and Singapore (the example roadmap's roles mapped to them); the clock walks
through a week and every claim, outbox row and fake-Slack post is counted.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, delete
from sqlmodel import col, select

from bot.answers import go_away
from bot.config import Settings
from bot.delivery.sender import Sender, SenderConfig
from bot.domain.cycles import quarter_key
from bot.domain.ritual import RitualResult
from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap, record_checkin
from bot.rituals.checkin import run_checkin, run_reminders
from bot.sandbox.webapi import FakeSlack
from bot.slack import make_client, make_sender_client
from bot.views.prompt import is_reminder, listed_initiatives
from storage.db import session_scope
from storage.models import (
    Away,
    CheckInSource,
    CycleSkip,
    Delivery,
    Initiative,
    Person,
    RaciAssignment,
    RaciLetter,
    RitualRun,
    Role,
    RoleMember,
    Snooze,
    Status,
    WorkspaceSettings,
)
from tests.conftest import EXAMPLE_ROADMAP

PARIS, NEW_YORK, SINGAPORE = "U0PARIS01", "U0NEWYORK", "U0SINGAP1"
PEOPLE = {
    PARIS: ("Paris", "Europe/Paris"),
    NEW_YORK: ("New York", "America/New_York"),
    SINGAPORE: ("Singapore", "Asia/Singapore"),
}
HOLDERS = {"Ops Manager": PARIS, "PMO": PARIS, "CFO": NEW_YORK, "Sales": NEW_YORK, "CHRO": SINGAPORE}
# the example roadmap's initiatives, by the start of their title
ONBOARDING, ERP, PRICING, COACH = "Standardiser", "Déploiement ERP", "Revue prix", "Programme"
OWNED = {PARIS: {ONBOARDING, ERP}, NEW_YORK: {PRICING}, SINGAPORE: {COACH}}

CYCLE = "2026-W48"
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # 00:00 UTC
DUE = {  # Monday 09:00 in each owner's zone, in UTC
    SINGAPORE: MONDAY.replace(hour=1),
    PARIS: MONDAY.replace(hour=8),
    NEW_YORK: MONDAY.replace(hour=14),
}
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def dm(user: str) -> str:
    """The DM channel the fake Slack posts to for a user id."""
    return "D" + user[1:]


def rendered(payload: dict[str, Any]) -> str:
    return json.dumps(payload["blocks"], ensure_ascii=False)


@dataclass
class World:
    """Baton's database, the fake Slack and the rituals, at an instant the test chooses."""

    engine: Engine
    slack: FakeSlack
    settings: Settings
    client: WebClient
    queued: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    skipped: list[tuple[datetime, str, str]] = field(default_factory=list)

    # -- setting the scene ----------------------------------------------------------------------------
    def import_roadmap(self, *, at: datetime, holders: dict[str, str] = HOLDERS) -> None:
        """The example roadmap, for the quarter of the week after `at` (its initiatives run then)."""
        rows = parse_roadmap(EXAMPLE_ROADMAP.read_text(encoding="utf-8"), EXAMPLE_ROADMAP.name)
        quarter = quarter_key(at + 7 * DAY, UTC)
        with session_scope(self.engine) as session:
            import_roadmap(session, rows, quarter=quarter, actor="test", now=at)
            session.flush()
            roles = {role.name: role.id for role in session.exec(select(Role))}
            for role, user in holders.items():
                session.add(RoleMember(role_id=roles[role], user_id=user))  # type: ignore[arg-type]

    def add(self, *rows: Any) -> None:
        with session_scope(self.engine) as session:
            for row in rows:
                session.merge(row)

    def initiative(self, prefix: str) -> Initiative:
        with session_scope(self.engine) as session:
            found = [i for i in session.exec(select(Initiative)) if i.title.startswith(prefix)]
        assert len(found) == 1, prefix
        return found[0]

    def answer(self, prefix: str, *, author: str, at: datetime, cycle: str = CYCLE) -> None:
        with session_scope(self.engine) as session:
            record_checkin(
                session,
                initiative=session.merge(self.initiative(prefix)),
                author=author,
                status=Status.ON_TRACK,
                kpi_value=None,
                comment=None,
                source=CheckInSource.SLASH,
                cycle=cycle,
                now=at,
            )

    # -- the rituals ----------------------------------------------------------------------------------
    def tick(self, now: datetime) -> RitualResult:
        report = run_checkin(self.engine, self.client, now=now, settings=self.settings)
        for user in report.queued:
            self.queued[user].append(now)
        self.skipped.extend((now, user, reason) for user, reason in report.skipped)
        return report

    def walk(self, start: datetime, hours: int, step: timedelta = HOUR) -> None:
        for n in range(hours):
            self.tick(start + n * step)

    def remind(self, now: datetime) -> RitualResult:
        return run_reminders(self.engine, now=now, settings=self.settings)

    def send(self) -> list[dict[str, Any]]:
        """Drain the outbox into the fake Slack; every post so far."""
        sender = Sender(
            self.engine,
            make_sender_client(self.settings),
            lambda: datetime(2030, 1, 1, tzinfo=UTC),
            config=SenderConfig(channel_interval=0.0),
        )
        stats = sender.drain_all(timeout=30)
        assert stats.failed == 0
        return self.slack.posts()

    # -- what happened --------------------------------------------------------------------------------
    def deliveries(self, kind: str | None = None) -> list[Delivery]:
        with session_scope(self.engine) as session:
            query = select(Delivery).order_by(col(Delivery.id))
            if kind:
                query = query.where(Delivery.kind == kind)
            return list(session.exec(query))

    def runs(self, ritual: str = "checkin") -> list[RitualRun]:
        with session_scope(self.engine) as session:
            query = select(RitualRun).where(RitualRun.ritual == ritual).order_by(col(RitualRun.id))
            return list(session.exec(query))

    def run_of(self, target: str, ritual: str = "checkin", cycle: str = CYCLE) -> RitualRun:
        found = [r for r in self.runs(ritual) if r.target == target and r.cycle == cycle]
        assert len(found) == 1, (ritual, cycle, target, found)
        return found[0]

    def listed(self, delivery: Delivery) -> set[str]:
        """The initiatives a DM lists, by the prefixes of OWNED."""
        prefixes = {prefix for owned in OWNED.values() for prefix in owned}
        titles = {self.initiative(prefix).id: prefix for prefix in prefixes}
        return {titles[i] for i in listed_initiatives(delivery.payload["blocks"])}


@pytest.fixture
def bare(engine: Engine, fake_slack: FakeSlack, settings: Settings) -> World:
    """The three owners known to Slack; no roadmap yet."""
    for user, (name, tz) in PEOPLE.items():
        fake_slack.add_user(user, name=name, tz=tz)
    return World(engine, fake_slack, settings, make_client(settings))


@pytest.fixture
def world(bare: World) -> World:
    """The example roadmap, imported the Wednesday before the week of Monday 2026-11-23."""
    bare.import_roadmap(at=MONDAY - 5 * DAY + 12 * HOUR)
    return bare


def prompt_for(world: World, user: str) -> Delivery:
    found = [d for d in world.deliveries("prompt") if d.channel == user]
    assert len(found) == 1, (user, found)
    return found[0]


def reasons(report: RitualResult) -> dict[str, str]:
    return dict(report.skipped)


# --- 1. Monday, hour by hour -------------------------------------------------------------------------


def test_a_week_hour_by_hour_prompts_each_owner_once_at_nine_local(world: World) -> None:
    world.walk(MONDAY - DAY, hours=8 * 24)  # Sunday 00:00 UTC to the next Sunday 23:00 UTC

    assert world.queued == {user: [due] for user, due in DUE.items()}
    assert world.queued[SINGAPORE] == [datetime(2026, 11, 23, 1, tzinfo=UTC)]
    assert world.queued[PARIS] == [datetime(2026, 11, 23, 8, tzinfo=UTC)]
    assert world.queued[NEW_YORK] == [datetime(2026, 11, 23, 14, tzinfo=UTC)]
    assert world.skipped == []  # nothing was due before the roadmap existed

    prompts = world.deliveries("prompt")
    assert sorted(d.channel for d in prompts) == sorted(PEOPLE)  # one DM per owner, not per initiative
    for user, owned in OWNED.items():
        assert world.listed(prompt_for(world, user)) == owned
    assert {(r.target, r.cycle, r.state, r.due_at) for r in world.runs()} == {
        (user, CYCLE, "queued", due) for user, due in DUE.items()
    }

    posts = world.send()
    assert Counter(post["channel"] for post in posts) == {dm(PARIS): 1, dm(NEW_YORK): 1, dm(SINGAPORE): 1}
    paris = next(post for post in posts if post["channel"] == dm(PARIS))
    assert "Standardiser" in rendered(paris) and "Déploiement ERP phase 2" in rendered(paris)
    assert "Revue prix" not in rendered(paris)
    assert paris["text"].startswith("Check-in 2026-W48")
    assert {r.state for r in world.runs()} == {"sent"}


def test_moving_the_clock_to_nine_in_each_zone_prompts_exactly_that_owner(world: World) -> None:
    """The issue's done-when: Monday 09:00 in Singapore, Paris, New York, then one reminder each."""
    for user in (SINGAPORE, PARIS, NEW_YORK):
        assert world.tick(DUE[user] - timedelta(minutes=1)).queued == ()
        assert world.tick(DUE[user]).queued == (user,)
        assert world.tick(DUE[user] + timedelta(minutes=1)).queued == ()
    for user in (SINGAPORE, PARIS, NEW_YORK):
        assert world.remind(DUE[user] + DAY - timedelta(minutes=1)).queued == ()
        assert world.remind(DUE[user] + DAY).queued == (user,)
        assert world.remind(DUE[user] + DAY + timedelta(minutes=1)).queued == ()

    posts = world.send()
    assert Counter(post["channel"] for post in posts) == {dm(user): 2 for user in PEOPLE}
    reminded = Counter(post["channel"] for post in posts if is_reminder(post["blocks"]))
    assert reminded == {dm(user): 1 for user in PEOPLE}


def test_owners_east_of_the_date_line_are_prompted_on_sunday_utc(bare: World) -> None:
    auckland, honolulu = "U0AUCKLND", "U0HONOLUL"
    bare.slack.add_user(auckland, name="Auckland", tz="Pacific/Auckland")
    bare.slack.add_user(honolulu, name="Honolulu", tz="Pacific/Honolulu")
    bare.import_roadmap(at=MONDAY - 5 * DAY, holders={"CFO": auckland, "CHRO": honolulu})

    bare.walk(MONDAY - DAY, hours=2 * 24)  # Sunday and Monday, UTC

    assert bare.queued == {
        auckland: [datetime(2026, 11, 22, 20, tzinfo=UTC)],  # Sunday 20:00 UTC = Monday 09:00 NZDT
        honolulu: [datetime(2026, 11, 23, 19, tzinfo=UTC)],  # Monday 19:00 UTC = Monday 09:00 HST
    }
    assert bare.run_of(auckland).cycle == CYCLE  # the organisation's week that starts a few hours later
    assert bare.run_of(honolulu).cycle == CYCLE
    assert bare.skipped == []


def test_more_than_twenty_owners_are_looked_up_with_one_users_list(bare: World) -> None:
    zones = ["Europe/Paris", "America/New_York", "Asia/Singapore", "Asia/Kolkata"]
    many = [f"U0MANY{n:03d}" for n in range(24)]
    for n, user in enumerate(many):
        bare.slack.add_user(user, name=user, tz=zones[n % len(zones)])
    bare.import_roadmap(at=MONDAY - 5 * DAY, holders={})
    erp = bare.initiative(ERP).id
    assert erp is not None
    bare.add(*(RaciAssignment(initiative_id=erp, letter=RaciLetter.RESPONSIBLE, user_id=u) for u in many))

    bare.walk(MONDAY, hours=24)

    assert bare.slack.calls_to("users.info") == []
    assert len(bare.slack.calls_to("users.list")) == 1  # fresh for a day afterwards
    assert sorted(bare.queued) == many
    kolkata = [user for n, user in enumerate(many) if zones[n % len(zones)] == "Asia/Kolkata"]
    assert {bare.queued[user][0] for user in kolkata} == {MONDAY.replace(hour=4)}  # 09:00 IST is 03:30 UTC
    assert {bare.run_of(user).due_at for user in kolkata} == {MONDAY.replace(hour=3, minute=30)}
    assert all(len(times) == 1 for times in bare.queued.values())


def test_without_a_slack_time_zone_an_owner_is_prompted_in_the_organisation_zone(world: World) -> None:
    world.slack.add_user(SINGAPORE, name="Singapore", tz="")  # Slack gives no zone
    world.add(WorkspaceSettings(id=1, timezone="America/New_York"))  # the organisation's, over BATON_TIMEZONE

    world.walk(MONDAY, hours=24)

    assert world.queued == {
        PARIS: [DUE[PARIS]],
        NEW_YORK: [DUE[NEW_YORK]],
        SINGAPORE: [DUE[NEW_YORK]],  # 09:00 in New York
    }


def test_done_and_archived_initiatives_are_not_asked_about(world: World) -> None:
    world.answer(ONBOARDING, author=PARIS, at=MONDAY - 3 * DAY, cycle="2026-W47")
    with session_scope(world.engine) as session:
        session.merge(world.initiative(ONBOARDING)).status = Status.DONE
        session.merge(world.initiative(COACH)).archived = True

    world.walk(MONDAY, hours=24)

    assert sorted(world.queued) == [NEW_YORK, PARIS]
    assert world.listed(prompt_for(world, PARIS)) == {ERP}


# --- 2. Never twice ----------------------------------------------------------------------------------


def test_a_double_tick_prompts_once(world: World) -> None:
    for user in (SINGAPORE, PARIS, NEW_YORK):
        assert world.tick(DUE[user]).queued == (user,)
        again = world.tick(DUE[user])
        assert (again.queued, again.skipped) == ((), ())
    assert len(world.deliveries()) == 3
    assert len(world.send()) == 3
    assert world.tick(DUE[NEW_YORK] + HOUR).queued == ()  # sent rows are claims too
    assert len(world.send()) == 3


def test_a_restart_that_replays_the_day_prompts_nobody_again(world: World) -> None:
    world.walk(MONDAY, hours=24)
    assert len(world.deliveries()) == 3
    world.walk(MONDAY, hours=24)  # the clock jumped back a day, then runs forward again
    world.walk(MONDAY + 3 * HOUR + timedelta(minutes=17), hours=24, step=timedelta(minutes=23))
    world.tick(MONDAY + 2 * DAY)  # ... and jumps forward
    assert world.queued == {user: [due] for user, due in DUE.items()}
    assert world.skipped == []
    assert len(world.deliveries()) == 3
    assert len(world.runs()) == 3
    assert len(world.send()) == 3


def test_missed_ticks_still_prompt_each_owner_once_within_the_grace_window(world: World) -> None:
    world.walk(MONDAY, hours=5, step=5 * HOUR)  # 00:00, 05:00, 10:00, 15:00, 20:00 UTC
    assert world.queued == {
        SINGAPORE: [MONDAY.replace(hour=5)],
        PARIS: [MONDAY.replace(hour=10)],
        NEW_YORK: [MONDAY.replace(hour=15)],
    }
    assert world.run_of(PARIS).due_at == DUE[PARIS]  # late, but for the time it was due
    assert len(world.deliveries()) == 3


def test_two_ticks_at_the_same_instant_in_parallel_prompt_once(world: World) -> None:
    """Two threads (on PostgreSQL: two replicas sharing the database) run the very first tick together:
    both learn the same new people from Slack at once, and both succeed."""
    now = MONDAY.replace(hour=14)  # Paris 6 h late (in grace), New York due, Singapore's waits for Tuesday
    barrier = threading.Barrier(2)
    reports: list[RitualResult] = []

    def replica() -> None:
        barrier.wait()
        reports.append(world.tick(now))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(reports) == 2
    queued = [user for report in reports for user in report.queued]
    assert sorted(queued) == [NEW_YORK, PARIS]
    assert [user for report in reports for user, _ in report.skipped] == []
    assert sorted(d.channel for d in world.deliveries()) == [NEW_YORK, PARIS]
    assert len(world.runs()) == 2
    assert Counter(post["channel"] for post in world.send()) == {dm(PARIS): 1, dm(NEW_YORK): 1}


def test_two_ticks_in_parallel_after_the_people_are_known_both_succeed_and_prompt_once(world: World) -> None:
    world.tick(MONDAY)  # learns everyone's time zone; nothing is due yet
    now = MONDAY.replace(hour=14)
    barrier = threading.Barrier(2)
    reports: list[RitualResult] = []

    def replica() -> None:
        barrier.wait()
        reports.append(run_checkin(world.engine, world.client, now=now, settings=world.settings))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(reports) == 2
    assert sorted(user for report in reports for user in report.queued) == [NEW_YORK, PARIS]
    assert len(world.deliveries()) == 2


# --- 3. Grace ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("late", [timedelta(0), 5 * HOUR, 6 * HOUR], ids=["on time", "5h late", "6h late"])
def test_a_prompt_is_caught_up_within_the_grace_window(world: World, late: timedelta) -> None:
    report = world.tick(DUE[PARIS] + late)
    assert PARIS in report.queued
    assert world.run_of(PARIS).state == "queued"
    assert prompt_for(world, PARIS).payload["text"].startswith("Check-in 2026-W48")


@pytest.mark.parametrize("late", [6 * HOUR + timedelta(minutes=1), 7 * HOUR, 20 * HOUR])
def test_a_prompt_missed_beyond_the_grace_window_waits_for_the_next_working_morning(
    world: World, late: timedelta
) -> None:
    """Baton was down on Monday morning: Paris is prompted on Tuesday at 09:00, their time, saying so."""
    assert PARIS not in world.tick(DUE[PARIS] + late).queued  # Monday afternoon or night: not now
    assert [run for run in world.runs() if run.target == PARIS] == []  # nothing recorded yet
    assert PARIS not in world.tick(DUE[PARIS] + DAY - timedelta(minutes=1)).queued
    assert world.tick(DUE[PARIS] + DAY).queued == (PARIS,)
    run = world.run_of(PARIS)
    assert (run.state, run.due_at) == ("queued", DUE[PARIS] + DAY)
    assert "late" in rendered(prompt_for(world, PARIS).payload)
    assert PARIS not in world.tick(DUE[PARIS] + DAY + HOUR).queued  # once
    assert world.remind(DUE[PARIS] + DAY + DAY).queued == (PARIS,)  # a day after the late prompt


def test_a_prompt_missed_until_the_weekend_is_recorded_and_never_sent(world: World) -> None:
    saturday = DUE[PARIS] + 5 * DAY
    report = world.tick(saturday)
    assert PARIS not in report.queued
    assert reasons(report)[PARIS].startswith("missed")
    run = world.run_of(PARIS)
    assert (run.state, run.due_at) == ("skipped", DUE[PARIS])
    world.walk(saturday, hours=40)
    assert [d for d in world.deliveries() if d.channel == PARIS] == []
    assert dm(PARIS) not in {post["channel"] for post in world.send()}


def test_the_next_working_morning_passes_over_a_holiday(world: World) -> None:
    world.add(WorkspaceSettings(id=1, holidays=[{"date": "2026-11-24", "country": None, "name": "Fête"}]))
    for hours in range(7, 3 * 24, 1):
        world.tick(DUE[PARIS] + hours * HOUR)
    assert world.queued[PARIS] == [DUE[PARIS] + 2 * DAY]  # Wednesday 09:00, not the Tuesday holiday


def test_a_late_prompt_goes_to_the_delegate_of_someone_away_that_morning(world: World) -> None:
    delegate = "U0DELEG01"
    world.slack.add_user(delegate, name="Delegate", tz="Europe/Paris")
    world.add(
        Away(
            user_id=PARIS,
            starts_on=date(2026, 11, 24),
            ends_on=date(2026, 11, 27),
            delegate_id=delegate,
            created_at=MONDAY,
        )
    )
    assert world.tick(DUE[PARIS] + DAY).queued == (PARIS,)
    assert prompt_for(world, delegate)
    assert [d for d in world.deliveries("prompt") if d.channel == PARIS] == []


def test_the_grace_window_is_a_setting(world: World) -> None:
    world.add(WorkspaceSettings(id=1, grace_hours=1))
    assert PARIS not in world.tick(DUE[PARIS] + 2 * HOUR).queued  # missed: Tuesday morning, then
    world.add(WorkspaceSettings(id=1, grace_hours=12))
    assert NEW_YORK in world.tick(DUE[NEW_YORK] + 11 * HOUR).queued


# --- 4. Daylight saving time -------------------------------------------------------------------------


def at(day: str, hour: int) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(hour=hour)


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        pytest.param(
            ["2027-03-22", "2027-03-29"],  # Europe springs forward on Sunday 2027-03-28
            {
                PARIS: [at("2027-03-22", 8), at("2027-03-29", 7)],
                NEW_YORK: [at("2027-03-22", 13), at("2027-03-29", 13)],  # EDT since 2027-03-14
                SINGAPORE: [at("2027-03-22", 1), at("2027-03-29", 1)],
            },
            id="spring 2027",
        ),
        pytest.param(
            ["2026-10-26", "2026-11-02"],  # Europe fell back on 2026-10-25, the US on 2026-11-01
            {
                PARIS: [at("2026-10-26", 8), at("2026-11-02", 8)],
                NEW_YORK: [at("2026-10-26", 13), at("2026-11-02", 14)],
                SINGAPORE: [at("2026-10-26", 1), at("2026-11-02", 1)],
            },
            id="autumn 2026",
        ),
        pytest.param(
            ["2026-03-02", "2026-03-09"],  # the US springs forward on Sunday 2026-03-08
            {
                PARIS: [at("2026-03-02", 8), at("2026-03-09", 8)],
                NEW_YORK: [at("2026-03-02", 14), at("2026-03-09", 13)],
                SINGAPORE: [at("2026-03-02", 1), at("2026-03-09", 1)],
            },
            id="US spring 2026",
        ),
    ],
)
def test_nine_local_on_both_sides_of_a_dst_change(
    bare: World, weeks: list[str], expected: dict[str, list[datetime]]
) -> None:
    first_monday = at(weeks[0], 0)
    bare.import_roadmap(at=first_monday - 5 * DAY)
    for monday in weeks:
        bare.walk(at(monday, 0), hours=24)  # Monday, UTC
    assert bare.queued == expected
    assert bare.skipped == []
    assert len(bare.deliveries("prompt")) == 6


# --- 5. Reminders ------------------------------------------------------------------------------------


@pytest.fixture
def prompted(world: World) -> World:
    """Everyone prompted on Monday; Paris answered one of two initiatives, New York everything."""
    for user in (SINGAPORE, PARIS, NEW_YORK):
        world.tick(DUE[user])
    world.answer(ONBOARDING, author=PARIS, at=DUE[PARIS] + HOUR)
    world.answer(PRICING, author=NEW_YORK, at=DUE[NEW_YORK] + HOUR)
    assert len(world.deliveries("prompt")) == 3
    return world


def test_reminders_come_after_the_delay_and_list_only_what_is_missing(prompted: World) -> None:
    assert prompted.remind(DUE[SINGAPORE] + DAY - timedelta(seconds=1)).queued == ()
    assert prompted.remind(DUE[SINGAPORE] + DAY).queued == (SINGAPORE,)
    assert prompted.remind(DUE[PARIS] + DAY - timedelta(seconds=1)).queued == ()
    assert prompted.remind(DUE[PARIS] + DAY).queued == (PARIS,)
    assert prompted.remind(DUE[NEW_YORK] + DAY).queued == ()  # New York answered everything
    assert prompted.remind(DUE[NEW_YORK] + DAY + HOUR).queued == ()  # and twice is once

    reminders = prompted.deliveries("reminder")
    assert sorted(d.channel for d in reminders) == [PARIS, SINGAPORE]
    paris = next(d for d in reminders if d.channel == PARIS)
    assert prompted.listed(paris) == {ERP}
    assert "Déploiement ERP phase 2" in rendered(paris.payload)
    assert "Standardiser" not in rendered(paris.payload)
    assert "Standardiser" not in paris.payload["text"]
    assert "Still waiting for an update on 1" in rendered(paris.payload)
    assert is_reminder(paris.payload["blocks"])
    assert {(r.target, r.cycle, r.due_at) for r in prompted.runs("reminder")} == {
        (PARIS, CYCLE, DUE[PARIS] + DAY),
        (SINGAPORE, CYCLE, DUE[SINGAPORE] + DAY),
    }

    posts = prompted.send()
    assert Counter(post["channel"] for post in posts) == {dm(PARIS): 2, dm(SINGAPORE): 2, dm(NEW_YORK): 1}


def test_a_reminder_walk_over_the_week_sends_one_reminder_per_unanswered_owner(prompted: World) -> None:
    queued: list[str] = []
    for n in range(3 * 24):
        queued += prompted.remind(MONDAY + n * HOUR).queued
    assert sorted(queued) == [PARIS, SINGAPORE]
    assert len(prompted.deliveries("reminder")) == 2


def test_an_owner_who_answers_before_the_reminder_is_not_reminded(prompted: World) -> None:
    prompted.answer(ERP, author=PARIS, at=DUE[PARIS] + 20 * HOUR)
    assert prompted.remind(DUE[SINGAPORE] + DAY).queued == (SINGAPORE,)
    assert prompted.remind(DUE[PARIS] + DAY).queued == ()
    assert [d.channel for d in prompted.deliveries("reminder")] == [SINGAPORE]


def test_a_skipped_week_has_no_reminder(prompted: World) -> None:
    prompted.add(CycleSkip(user_id=PARIS, cycle=CYCLE, created_at=DUE[PARIS] + HOUR))
    assert prompted.remind(DUE[SINGAPORE] + DAY).queued == (SINGAPORE,)
    assert prompted.remind(DUE[PARIS] + DAY).queued == ()
    assert [d.channel for d in prompted.deliveries("reminder")] == [SINGAPORE]


def test_a_skip_of_another_week_does_not_silence_this_one(prompted: World) -> None:
    prompted.add(CycleSkip(user_id=PARIS, cycle="2026-W47", created_at=MONDAY - 7 * DAY))
    assert prompted.remind(DUE[PARIS] + DAY).queued == (PARIS,)


def test_a_snooze_brings_one_reminder_at_the_time_asked(prompted: World) -> None:
    until = DUE[PARIS] + 2 * HOUR
    prompted.add(Snooze(user_id=PARIS, cycle=CYCLE, until=until, created_at=DUE[PARIS]))
    assert prompted.remind(until - timedelta(seconds=1)).queued == ()
    assert prompted.remind(until).queued == (PARIS,)
    assert prompted.remind(until).queued == ()
    assert prompted.remind(until + HOUR).queued == ()

    (snoozed,) = prompted.runs("snooze")
    assert (snoozed.cycle, snoozed.due_at, snoozed.state) == (CYCLE, until, "queued")
    (reminder,) = prompted.deliveries("reminder")
    assert reminder.channel == PARIS
    assert prompted.listed(reminder) == {ERP}
    assert Counter(post["channel"] for post in prompted.send())[dm(PARIS)] == 2


def test_a_snooze_after_answering_everything_brings_nothing(prompted: World) -> None:
    until = DUE[PARIS] + 2 * HOUR
    prompted.add(Snooze(user_id=PARIS, cycle=CYCLE, until=until, created_at=DUE[PARIS]))
    prompted.answer(ERP, author=PARIS, at=until - HOUR)
    assert prompted.remind(until).queued == ()
    assert prompted.remind(DUE[PARIS] + DAY).queued == ()
    assert prompted.deliveries("reminder") == []


def test_a_reminder_too_late_for_the_grace_window_is_recorded_not_sent(prompted: World) -> None:
    report = prompted.remind(DUE[PARIS] + DAY + 7 * HOUR)
    assert PARIS not in report.queued
    assert reasons(report)[PARIS].startswith("missed")
    assert prompted.run_of(PARIS, "reminder").state == "skipped"
    assert PARIS not in prompted.remind(DUE[PARIS] + DAY + 8 * HOUR).queued
    assert PARIS not in {d.channel for d in prompted.deliveries("reminder")}


def test_no_reminder_for_a_prompt_that_was_never_sent(world: World) -> None:
    world.add(WorkspaceSettings(id=1, holidays=[{"date": "2026-11-23", "country": None, "name": "Fête"}]))
    for user in (SINGAPORE, PARIS, NEW_YORK):
        world.tick(DUE[user])
    assert world.remind(DUE[PARIS] + DAY).queued == ()
    assert world.deliveries() == []


# --- 6. Holidays, out of office, deleted people ------------------------------------------------------


def tick_each_owner(world: World) -> tuple[list[str], dict[str, str]]:
    queued: list[str] = []
    skipped: dict[str, str] = {}
    for user in (SINGAPORE, PARIS, NEW_YORK):
        report = world.tick(DUE[user])
        queued += report.queued
        skipped |= reasons(report)
    return queued, skipped


def test_a_holiday_for_everyone_skips_everyone(world: World) -> None:
    world.add(WorkspaceSettings(id=1, holidays=[{"date": "2026-11-23", "country": None, "name": "Fête"}]))
    queued, skipped = tick_each_owner(world)
    assert queued == []
    assert skipped == {user: "holiday: Fête" for user in PEOPLE}
    assert {run.state for run in world.runs()} == {"skipped"}
    assert world.deliveries() == []


def test_a_holiday_on_another_day_skips_nobody(world: World) -> None:
    world.add(WorkspaceSettings(id=1, holidays=[{"date": "2026-11-22", "country": None, "name": "Sunday"}]))
    queued, skipped = tick_each_owner(world)
    assert sorted(queued) == sorted(PEOPLE)
    assert skipped == {}


def test_a_country_holiday_skips_only_the_people_of_that_country(world: World) -> None:
    world.add(
        WorkspaceSettings(id=1, holidays=[{"date": "2026-11-23", "country": "FR", "name": "Fête FR"}]),
        Person(user_id=PARIS, country="FR"),
        Person(user_id=NEW_YORK, country="US"),
    )
    queued, skipped = tick_each_owner(world)
    assert sorted(queued) == [NEW_YORK, SINGAPORE]
    assert skipped == {PARIS: "holiday: Fête FR"}
    assert world.run_of(PARIS).state == "skipped"


def test_without_a_country_set_the_slack_time_zone_says_which_holidays_apply(world: World) -> None:
    """Thanksgiving is a US holiday: the New York owner (Slack time zone America/New_York) is skipped."""
    world.add(
        WorkspaceSettings(id=1, holidays=[{"date": "2026-11-23", "country": "US", "name": "Thanksgiving"}])
    )
    queued, skipped = tick_each_owner(world)
    assert sorted(queued) == [PARIS, SINGAPORE]
    assert skipped == {NEW_YORK: "holiday: Thanksgiving"}


def test_out_of_office_without_a_delegate_skips_the_prompt(world: World) -> None:
    world.add(
        Away(user_id=PARIS, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 23), created_at=MONDAY - DAY)
    )
    queued, skipped = tick_each_owner(world)
    assert sorted(queued) == [NEW_YORK, SINGAPORE]
    assert skipped == {PARIS: "out of office"}
    assert PARIS not in {d.channel for d in world.deliveries()}


def test_out_of_office_that_ended_on_sunday_does_not_skip(world: World) -> None:
    world.add(
        Away(
            user_id=PARIS, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 22), created_at=MONDAY - DAY
        ),
        Away(user_id=NEW_YORK, starts_on=date(2026, 11, 24), ends_on=date(2026, 11, 30), created_at=MONDAY),
    )
    queued, skipped = tick_each_owner(world)
    assert sorted(queued) == sorted(PEOPLE)
    assert skipped == {}


def test_out_of_office_with_a_delegate_prompts_the_delegate(world: World) -> None:
    delegate = "U0DELEG01"
    world.slack.add_user(delegate, name="Delegate", tz="Europe/Paris")
    world.add(
        Away(
            user_id=PARIS,
            starts_on=date(2026, 11, 23),
            ends_on=date(2026, 11, 27),
            delegate_id=delegate,
            created_at=MONDAY - DAY,
        )
    )
    queued, skipped = tick_each_owner(world)
    assert sorted(queued) == sorted(PEOPLE)
    assert skipped == {}
    prompts = world.deliveries("prompt")
    assert sorted(d.channel for d in prompts) == sorted([delegate, NEW_YORK, SINGAPORE])
    on_behalf = prompt_for(world, delegate)
    assert world.listed(on_behalf) == OWNED[PARIS]
    assert f"You are answering for <@{PARIS}>" in rendered(on_behalf.payload)
    assert "answering for" not in rendered(prompt_for(world, NEW_YORK).payload)

    assert world.remind(DUE[PARIS] + DAY).queued == (PARIS,)
    (reminder,) = world.deliveries("reminder")
    assert reminder.channel == delegate  # the reminder follows the prompt

    posts = world.send()
    assert Counter(post["channel"] for post in posts)[dm(delegate)] == 2
    assert dm(PARIS) not in {post["channel"] for post in posts}


def test_an_owner_who_goes_away_after_the_prompt_gets_neither_reminder_nor_snooze_reminder(
    prompted: World,
) -> None:
    """Paris was prompted on Monday, snoozed, then went away until 18 December: nothing more comes."""
    until = DUE[PARIS] + 2 * HOUR
    prompted.add(
        Snooze(user_id=PARIS, cycle=CYCLE, until=until, created_at=DUE[PARIS]),
        Away(user_id=PARIS, starts_on=date(2026, 11, 23), ends_on=date(2026, 12, 18), created_at=DUE[PARIS]),
    )
    snoozed = prompted.remind(until)
    assert prompted.remind(DUE[SINGAPORE] + DAY).queued == (SINGAPORE,)  # the others are still reminded
    reminded = prompted.remind(DUE[PARIS] + DAY)
    assert PARIS not in snoozed.queued + reminded.queued
    assert reasons(snoozed)[PARIS] == reasons(reminded)[PARIS] == "out of office"
    assert PARIS not in {d.channel for d in prompted.deliveries("reminder")}
    runs = prompted.runs("reminder") + prompted.runs("snooze")
    assert [run.state for run in runs if run.target.startswith(PARIS)] == ["skipped", "skipped"]


def test_going_away_mid_week_hands_this_weeks_prompt_and_its_reminder_to_the_delegate(
    prompted: World,
) -> None:
    delegate = "U0DELEG01"
    prompted.slack.add_user(delegate, name="Delegate", tz="Europe/Paris")
    left = DUE[PARIS] + 2 * HOUR
    go_away(
        prompted.engine,
        user=PARIS,
        starts_on=date(2026, 11, 23),
        ends_on=date(2026, 12, 18),
        delegate=delegate,
        now=left,
        cycle=CYCLE,
    )
    handed = [d for d in prompted.deliveries("prompt") if d.channel == delegate]
    assert len(handed) == 1 and prompted.listed(handed[0]) == OWNED[PARIS]
    assert handed[0].payload["text"] == "Check-in 2026-W48: Déploiement ERP phase 2"  # the one to answer
    assert prompted.run_of(f"{PARIS}@{delegate}").due_at == left
    assert PARIS not in prompted.remind(DUE[PARIS] + DAY).queued  # a day after the handover, not before
    assert prompted.remind(left + DAY).queued == (PARIS,)
    [reminder] = prompted.deliveries("reminder")
    assert reminder.channel == delegate and prompted.listed(reminder) == {ERP}


def test_an_absence_that_starts_after_the_reminder_day_does_not_stop_the_reminder(prompted: World) -> None:
    prompted.add(
        Away(user_id=PARIS, starts_on=date(2026, 11, 25), ends_on=date(2026, 12, 18), created_at=DUE[PARIS])
    )
    assert prompted.remind(DUE[PARIS] + DAY).queued == (PARIS,)  # Tuesday: Paris is still in


def test_a_delegate_who_goes_away_is_not_reminded_either(world: World) -> None:
    delegate = "U0DELEG01"
    world.slack.add_user(delegate, name="Delegate", tz="Europe/Paris")
    world.add(
        Away(
            user_id=PARIS,
            starts_on=date(2026, 11, 23),
            ends_on=date(2026, 11, 27),
            delegate_id=delegate,
            created_at=MONDAY - DAY,
        )
    )
    tick_each_owner(world)
    world.add(
        Away(user_id=delegate, starts_on=date(2026, 11, 24), ends_on=date(2026, 11, 24), created_at=MONDAY)
    )
    report = world.remind(DUE[PARIS] + DAY)
    assert PARIS not in report.queued and reasons(report)[PARIS] == "out of office"


def test_someone_unknown_to_slack_is_skipped_as_deactivated(world: World) -> None:
    gone = "U0GONE001"
    with session_scope(world.engine) as session:
        chro = session.exec(select(Role).where(Role.name == "CHRO")).one()
        session.exec(delete(RoleMember).where(col(RoleMember.role_id) == chro.id))
        session.add(RoleMember(role_id=chro.id, user_id=gone))  # type: ignore[arg-type]

    world.walk(MONDAY, hours=24)

    assert sorted(world.queued) == [NEW_YORK, PARIS]
    assert [(user, reason) for _, user, reason in world.skipped] == [
        (gone, "deactivated or unknown in Slack")
    ]
    assert "deactivated" in world.skipped[0][2]
    assert world.run_of(gone).state == "skipped"
    with session_scope(world.engine) as session:
        assert session.get_one(Person, gone).deleted
    assert gone not in {d.channel for d in world.deliveries()}


# --- 7. Already answered -----------------------------------------------------------------------------


def test_an_owner_who_answered_everything_before_monday_is_not_prompted(world: World) -> None:
    sunday = MONDAY - 6 * HOUR
    world.answer(PRICING, author=NEW_YORK, at=sunday)
    world.answer(ONBOARDING, author=PARIS, at=sunday)  # Paris answered one of two

    world.walk(MONDAY, hours=24)

    assert sorted(world.queued) == [PARIS, SINGAPORE]
    assert [(user, reason) for _, user, reason in world.skipped] == [(NEW_YORK, "already answered")]
    assert world.run_of(NEW_YORK).state == "skipped"
    assert NEW_YORK not in {d.channel for d in world.deliveries()}
    assert world.listed(prompt_for(world, PARIS)) == OWNED[PARIS]  # both, one marked as answered
    assert NEW_YORK not in world.remind(DUE[NEW_YORK] + DAY).queued


def test_an_answer_for_another_cycle_does_not_count(world: World) -> None:
    world.answer(PRICING, author=NEW_YORK, at=MONDAY - 7 * DAY, cycle="2026-W47")
    assert NEW_YORK in world.tick(DUE[NEW_YORK]).queued


# --- 8. Roles resolve when they are used -------------------------------------------------------------


def test_a_new_role_holder_gets_the_next_cycle_prompt(world: World) -> None:
    new_chro = "U0NEWCHRO"
    world.slack.add_user(new_chro, name="New CHRO", tz="Europe/London")
    world.walk(MONDAY, hours=24)
    assert world.queued[SINGAPORE] == [DUE[SINGAPORE]]

    with session_scope(world.engine) as session:
        chro = session.exec(select(Role).where(Role.name == "CHRO")).one()
        session.exec(delete(RoleMember).where(col(RoleMember.role_id) == chro.id))
        session.add(RoleMember(role_id=chro.id, user_id=new_chro))  # type: ignore[arg-type]

    next_monday = MONDAY + 7 * DAY
    world.walk(next_monday, hours=24)

    assert world.queued[new_chro] == [next_monday.replace(hour=9)]  # 09:00 in London, GMT
    assert world.queued[SINGAPORE] == [DUE[SINGAPORE]]  # not prompted for 2026-W49
    assert world.queued[PARIS] == [DUE[PARIS], DUE[PARIS] + 7 * DAY]
    new_prompt = prompt_for(world, new_chro)
    assert world.listed(new_prompt) == {COACH}
    assert world.run_of(new_chro, cycle="2026-W49").state == "queued"
