"""Issue 6, played over a simulated quarter: 60 initiatives in 4 departments with 13 weeks of check-ins,
a few drifting off plan and one off track. The Monday digest reads well and continues in its thread with
the chart; the off-track initiative raises one alert, acknowledged and closed with a recorded decision that
its owner receives and `/okr decisions` lists; an ignored alert re-escalates once per level; the committee
agenda and the quarterly review come out on their days only.

Rituals run at the injected clock's instant (`bot.scheduler.run_ritual`), the running app's outbox sender
posts to the fake Slack, and people act through signed requests; assertions read what Slack recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import Session

from bot.delivery.sender import SenderConfig
from bot.sandbox.blockkit import message_problem
from bot.sandbox.webapi import FakeSlack
from bot.scheduler import run_ritual
from bot.views import ids
from bot.views.digest import SCREEN_PX, height_px
from storage.models import RaciAssignment, RaciLetter, WorkspaceSettings
from tests.conftest import ADMIN, LEADERSHIP_CHANNEL, ManualClock, RunningBaton, outbox_sent
from tests.digest_fixtures import Portfolio
from tests.slack_requests import post_signed, slash_command_body, view_submission_body, wait_for
from tests.test_escalation_workflow import action_ids, click, decision_values

DEPARTMENTS = ("Finance", "Sales", "Operations", "People")
OWNERS = {department: f"U0{department[:3].upper()}OWNR" for department in DEPARTMENTS}
SPONSOR = "U0SPONSOR1"  # accountable (A) for the initiatives that drift or slip
CONTACT = "U0CHIEF001"  # the escalation contact, second level of the ladder
CYCLES = [f"2026-W{week}" for week in range(40, 53)]  # the quarter's 13 weeks
DRIFTING = (5, 20, 35)  # their KPI stalls from W46; they turn at risk in W52
OFF_TRACK = 50  # at risk in W51, off track in W52
SILENT = 10  # no answer in W51 and W52
TITLE = "Initiative {:02d}"
# Monday of 2026-W52 at 16:00 in Paris: the digest is due.
DIGEST_TIME = datetime(2026, 12, 21, 15, tzinfo=UTC)
FIRST_TUESDAY_OF_JANUARY = datetime(2027, 1, 5, 9, tzinfo=UTC)  # 10:00 in Paris
NEXT_QUARTER = datetime(2027, 1, 1, 8, tzinfo=UTC)  # 09:00 in Paris


@pytest.fixture
def sender_config() -> SenderConfig:
    """Slack's one post per second per channel would only slow this down: what is posted is the same."""
    return SenderConfig(channel_interval=0.02)


@pytest.fixture
def quarter(session: Session, fake_slack: FakeSlack, clock: ManualClock) -> None:
    """Sixty initiatives (0 → 100 by 31 December), fifteen per department, and their weekly check-ins."""
    portfolio = Portfolio(session)
    for n in range(60):
        department = DEPARTMENTS[n % 4]
        initiative = portfolio.initiative(
            TITLE.format(n),
            department=department,
            owners=(OWNERS[department],),
            baseline=0,
            target=100,
            created=datetime(2026, 9, 28, tzinfo=UTC),
        )
        history: dict[str, tuple[Any, ...]] = {}
        for week, cycle in enumerate(CYCLES):
            value = round(100 * (week + 1) / 14, 1)  # on the straight line to the target
            if n in DRIFTING:
                value = min(value, round(100 * 7 / 14, 1))
                history[cycle] = ("at_risk" if cycle == CYCLES[-1] else "on_track", value)
            elif n == OFF_TRACK:
                status = {CYCLES[-2]: "at_risk", CYCLES[-1]: "off_track"}.get(cycle, "on_track")
                history[cycle] = (
                    status,
                    value,
                    "The vendor went bankrupt" if status == "off_track" else None,
                )
            elif n == SILENT and cycle in CYCLES[-2:]:
                continue
            else:
                history[cycle] = ("on_track", value)
        portfolio.checkins(initiative, history)
        if n in (*DRIFTING, OFF_TRACK):
            session.add(
                RaciAssignment(
                    initiative_id=initiative.id or 0, letter=RaciLetter.ACCOUNTABLE, user_id=SPONSOR
                )
            )
    for owner in OWNERS.values():  # each owner was asked every Monday
        portfolio.prompted(owner, *CYCLES)
    session.add(WorkspaceSettings(escalation_contact=CONTACT))
    session.commit()
    for user in (*OWNERS.values(), SPONSOR, CONTACT, ADMIN):
        fake_slack.add_user(user, name=user, tz="Europe/Paris")
    clock.now = DIGEST_TIME


def run(baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, ritual: str, at: datetime) -> str:
    clock.now = at
    results = run_ritual(ritual, baton.deps, WebClient(token=fake_slack.token, base_url=fake_slack.api_url))
    baton.deps.outbox_ready.set()
    return "\n".join(result.summary() for result in results)


def channel(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    """The leadership channel as people see it now (threads included, edits applied)."""
    return fake_slack.messages(LEADERSHIP_CHANNEL)


def alert_of(fake_slack: FakeSlack, n: int) -> dict[str, Any]:
    [alert] = [
        m
        for m in channel(fake_slack)
        if not m["thread_ts"] and m["text"].startswith("Escalation for " + TITLE.format(n))
    ]
    return alert


def alerts(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in channel(fake_slack) if not m["thread_ts"] and m["text"].startswith("Escalation")]


def replies_to(fake_slack: FakeSlack, message: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in channel(fake_slack) if m["thread_ts"] == message["ts"]]


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def item(messages: list[dict[str, Any]], n: int) -> str:
    """How the digest shows initiative `n`: the text of its section (the one with a Details button)."""
    title = f"*{TITLE.format(n)}*"
    found: Iterator[str] = (b["text"]["text"] for m in messages for b in m["blocks"] if "accessory" in b)
    return next(text for text in found if title in text)


def settle(fake_slack: FakeSlack, expected: int) -> list[dict[str, Any]]:
    """Wait until the leadership channel holds `expected` messages, then return them."""
    return wait_for(lambda: len(channel(fake_slack)) == expected and channel(fake_slack))


def test_the_monday_digest_reads_well_continues_in_its_thread_and_shows_the_chart(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, quarter: None
) -> None:
    assert "not due" in run(baton, fake_slack, clock, "digest", DIGEST_TIME - timedelta(minutes=5))
    assert channel(fake_slack) == []
    summary = run(baton, fake_slack, clock, "digest", DIGEST_TIME)
    assert "queued (3 message(s) and a file)" in summary, summary
    wait_for(lambda: outbox_sent(baton.deps.engine))
    messages = channel(fake_slack)
    head, parts = messages[0], messages[1:]

    # every message is one Slack accepts, and the thread reads in order
    assert all(message_problem(m["text"], m["blocks"]) is None for m in messages)
    assert head["thread_ts"] is None and all(m["thread_ts"] == head["ts"] for m in parts)
    assert len(parts) >= 2
    assert [m["blocks"][-1]["elements"][0]["text"] for m in parts] == [
        f"Part {n} of {len(parts)}" for n in range(1, len(parts) + 1)
    ]
    everything = "".join(shown(m) for m in parts)
    assert all(everything.count(f"*{TITLE.format(n)}*") == 1 for n in range(60))  # each once, none dropped
    assert all(m["blocks"][0]["type"] == "header" for m in parts)  # each part under its department

    # the head, one screen: a header, the counts with their change since last week, what turned red, who
    # did not answer, the chart
    top = shown(head)
    assert head["blocks"][0]["text"]["text"] == "Weekly digest — 2026-W52"
    counts = (
        "On track: *56* (−3) · :large_orange_circle: At risk: *3* (+2) · :red_circle: Off track: *1* (+1)"
    )
    assert f"*60 initiatives* — :large_green_circle: {counts}" in top
    assert "4 status change(s) since last week" in top  # three turned orange, one red
    assert f"• :red_circle: {TITLE.format(OFF_TRACK)} (was :large_orange_circle:)" in top
    assert f"<@{OWNERS[DEPARTMENTS[SILENT % 4]]}> (2 weeks)" in top
    assert head["text"].startswith("Weekly digest 2026-W52")  # the notification's text
    assert height_px(head["blocks"]) <= SCREEN_PX
    # each department's counts head its part of the thread; what changed shows on the initiative
    assert '"Operations"' in everything and ":large_green_circle: On track: *14* · " in everything
    for n in DRIFTING:
        assert f"*{TITLE.format(n)}*  (:large_green_circle: → :large_orange_circle:)" in item(parts, n)

    # each initiative: KPI against target, its trend over the quarter, on pace or behind plan
    assert "KPI: 92.9 % (target 100 %) `▁▂▃▄▅▆▇█` · :white_check_mark: on pace" in item(parts, 0)
    drifting = item(parts, DRIFTING[0])
    assert "KPI: 50 % (target 100 %)" in drifting and "behind plan" in drifting

    # the chart: a PNG uploaded with files upload v2 before the head, shared with nobody, shown in it
    [png] = fake_slack.files
    assert png["bytes"].startswith(b"\x89PNG\r\n\x1a\n") and png["channel"] is None
    assert [b["slack_file"]["id"] for b in head["blocks"] if b["type"] == "image"] == [png["id"]]

    # once: a later tick that Monday posts nothing more
    assert "already handled" in run(baton, fake_slack, clock, "digest", DIGEST_TIME + timedelta(hours=2))
    wait_for(lambda: outbox_sent(baton.deps.engine))
    assert len(channel(fake_slack)) == len(messages) == 3 and len(fake_slack.files) == 1


def test_an_off_track_initiative_raises_one_alert_acknowledged_and_closed_with_a_decision(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, quarter: None
) -> None:
    run(baton, fake_slack, clock, "escalations", DIGEST_TIME)
    run(baton, fake_slack, clock, "escalations", DIGEST_TIME + timedelta(minutes=1))
    settle(fake_slack, 4)  # the off-track one, and the three whose trend misses the target
    assert len(alerts(fake_slack)) == 4
    alert = alert_of(fake_slack, OFF_TRACK)
    assert "Off track" in shown(alert) and f"<@{OWNERS['Operations']}>" in shown(alert)
    assert action_ids(alert) == [ids.ESC_ACKNOWLEDGE, ids.ESC_SCHEDULE, ids.ESC_DECIDE, ids.ESC_RESOLVE]

    # acknowledged by an admin: the alert says who, in place
    click(baton, fake_slack, ids.ESC_ACKNOWLEDGE, ADMIN, message=alert)
    wait_for(lambda: f"Acknowledged by <@{ADMIN}>" in shown(alert_of(fake_slack, OFF_TRACK)))
    assert ids.ESC_ACKNOWLEDGE not in action_ids(alert_of(fake_slack, OFF_TRACK))

    # Record decision: the modal, then its submission
    click(baton, fake_slack, ids.ESC_DECIDE, ADMIN, message=alert_of(fake_slack, OFF_TRACK))
    modal = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    assert modal["callback_id"] == ids.ESC_DECISION_MODAL
    owner = OWNERS["Operations"]
    values = decision_values("Switch to the second vendor", owner=owner, due="2027-01-15")
    assert post_signed(baton.url, view_submission_body(modal, user=ADMIN, values=values)).status_code == 200

    # the owner (and the accountable sponsor) get it by DM; the alert shows it, without buttons
    for person in (owner, SPONSOR):
        dm = wait_for(partial(fake_slack.messages, person))
        assert "Switch to the second vendor" in shown(dm[-1]) and TITLE.format(OFF_TRACK) in shown(dm[-1])
    wait_for(lambda: "Decided by" in shown(alert_of(fake_slack, OFF_TRACK)))
    assert action_ids(alert_of(fake_slack, OFF_TRACK)) == []

    # /okr decisions lists it
    before = len(fake_slack.responses)
    body = slash_command_body("decisions", user=owner, response_url=fake_slack.response_url())
    assert post_signed(baton.url, body).status_code == 200
    log = wait_for(lambda: fake_slack.responses[before:])[-1]
    assert log["response_type"] == "ephemeral"
    assert "Switch to the second vendor" in json.dumps(log, ensure_ascii=False)

    # still off track: more scans raise nothing new
    run(baton, fake_slack, clock, "escalations", DIGEST_TIME + timedelta(hours=1))
    assert len(alerts(fake_slack)) == 4 and replies_to(fake_slack, alert_of(fake_slack, OFF_TRACK)) == []


def test_an_ignored_alert_re_escalates_once_per_level_never_twice(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, quarter: None
) -> None:
    run(baton, fake_slack, clock, "escalations", DIGEST_TIME)
    settle(fake_slack, 4)
    ignored = alert_of(fake_slack, DRIFTING[0])
    click(baton, fake_slack, ids.ESC_ACKNOWLEDGE, ADMIN, message=alert_of(fake_slack, OFF_TRACK))
    wait_for(lambda: "Acknowledged by" in shown(alert_of(fake_slack, OFF_TRACK)))

    for minutes in (0, 10, 60):  # within the 48 h SLA: nothing
        run(baton, fake_slack, clock, "escalations", DIGEST_TIME + timedelta(hours=47, minutes=minutes - 60))
    assert replies_to(fake_slack, ignored) == []

    past_sla = DIGEST_TIME + timedelta(hours=48, minutes=1)
    for minutes in (0, 1, 30, 600):  # several ticks past the SLA: one re-escalation, to the accountable
        run(baton, fake_slack, clock, "escalations", past_sla + timedelta(minutes=minutes))
    settle(fake_slack, 4 + 3)  # each of the three ignored alerts, once; not the acknowledged one
    [first] = replies_to(fake_slack, ignored)
    assert f"<@{SPONSOR}>" in first["text"]
    assert replies_to(fake_slack, alert_of(fake_slack, OFF_TRACK)) == []

    second_sla = past_sla + timedelta(hours=48, minutes=1)
    # the second level: the escalation contact, once; and no third, even past a third SLA (still in W52:
    # a tick in the next week would open that week's escalations, another story)
    for later in (timedelta(0), timedelta(hours=1), timedelta(hours=5), timedelta(hours=48, minutes=59)):
        run(baton, fake_slack, clock, "escalations", second_sla + later)
    wait_for(lambda: outbox_sent(baton.deps.engine))  # everything those ticks queued is out
    assert len(channel(fake_slack)) == 4 + 3 + 3
    [_, second] = replies_to(fake_slack, ignored)
    assert f"<@{CONTACT}>" in second["text"]
    assert len(alerts(fake_slack)) == 4


def test_the_committee_agenda_and_the_quarterly_review_come_out_on_their_days_only(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, quarter: None
) -> None:
    run(baton, fake_slack, clock, "escalations", DIGEST_TIME)
    settle(fake_slack, 4)
    posted: dict[tuple[str, date], int] = {}
    day = date(2026, 12, 22)
    while day <= date(2027, 2, 3):  # every morning for six weeks, at 09:05 and 10:05 in Paris
        for hour_utc in (8, 9):
            at = datetime(day.year, day.month, day.day, hour_utc, 5, tzinfo=UTC)
            for ritual in ("committee", "review"):
                before = len(channel(fake_slack))
                run(baton, fake_slack, clock, ritual, at)
                wait_for(lambda: outbox_sent(baton.deps.engine))  # what it queued is out
                if len(channel(fake_slack)) > before:
                    posted[(ritual, day)] = posted.get((ritual, day), 0) + len(channel(fake_slack)) - before
        day += timedelta(days=1)
    assert {key for key in posted} == {
        ("review", date(2027, 1, 1)),  # the first day of the next quarter
        ("committee", date(2027, 1, 5)),  # the first Tuesday of January
        ("committee", date(2027, 2, 2)),  # and of February
    }
    tops = [m for m in channel(fake_slack) if not m["thread_ts"]]
    review = next(m for m in tops if m["text"].startswith("Quarterly"))
    assert "Quarterly review — 2026-Q4" in shown(review) and "score" in shown(review)
    january = next(m for m in tops if m["text"].startswith("Arbitration") and "2027-01" in shown(m))
    for n in DRIFTING:
        assert TITLE.format(n) in "".join(shown(m) for m in [january, *replies_to(fake_slack, january)])
