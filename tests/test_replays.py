"""Replays, retries and double clicks act once: signed requests over HTTP to the running app.

A replay is the same signed request sent again inside Slack's 5-minute signature window (same body, same
timestamp, same signature); a retry is Slack resending an event (`X-Slack-Retry-Num`) it thinks was not
received; a double click is two different requests that mean the same thing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, col, select

from bot import answers
from bot.delivery.replays import REPLAY_MEMORY, Replays, request_key
from bot.rituals.checkin import run_reminders
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from storage.models import AuditLog, Decision, Initiative, Person, SeenRequest, Snooze
from tests import test_escalation_workflow as workflow
from tests.conftest import ADMIN, EXAMPLE_ROADMAP, ManualClock, RunningBaton
from tests.slack_requests import TEAM, signed_headers, slash_command_body, view_submission_body, wait_for
from tests.test_initiative_modal import opened_modal, state
from tests.test_portfolio_commands import PARIS, load_roadmap
from tests.test_prompt_actions import (
    ERP,
    OWNER,
    OWNER_DM,
    block_actions_body,
    button,
    checkins,
    click,
    initiative,
    prompted,
    settled,
)
from tests.test_slack_scenarios import filled


def post(baton: RunningBaton, body: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{baton.url}/slack/events", content=body, headers=headers, timeout=10)


def snoozes(session: Session) -> list[Snooze]:
    session.expire_all()
    return list(session.exec(select(Snooze).order_by(col(Snooze.id))))


# -- replays ---------------------------------------------------------------------------------------
def test_a_replayed_modal_submission_records_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    click(baton, fake_slack, dm, ids.PROMPT_DETAILS, initiative(session, ERP).id)
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    body = view_submission_body(view, user=OWNER, values=filled("at_risk", "62,5", "Two entities left"))
    headers = signed_headers(body)  # what an attacker who saw the request holds: the same bytes, signed
    assert post(baton, body, headers).status_code == 200
    wait_for(lambda: checkins(session))
    replayed = post(baton, body, headers)
    assert (replayed.status_code, replayed.content) == (200, b"")  # acknowledged, nothing else
    settled(session, fake_slack)
    [checkin] = checkins(session)
    assert (checkin.status, checkin.kpi_value) == ("at_risk", 62.5)


def test_a_replayed_click_is_acknowledged_and_ignored_even_when_the_first_is_still_running(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    body = block_actions_body(dm, button(dm, ids.PROMPT_SNOOZE), OWNER, fake_slack.response_url())
    headers = signed_headers(body)
    statuses: list[int] = []
    start = threading.Barrier(3)

    def send() -> None:
        start.wait()
        statuses.append(post(baton, body, headers).status_code)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert statuses == [200, 200, 200]
    wait_for(lambda: fake_slack.responses)
    settled(session, fake_slack)
    assert len(fake_slack.responses) == 1  # one "Snoozed" reply: the replays were not acted on
    assert len(snoozes(session)) == 1


def test_a_new_request_is_acted_on_after_a_replay(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    """The key is the request, not the person or the command: the same command typed again is new."""
    known(session, OWNER)
    first = slash_command_body("help", user=OWNER, response_url=fake_slack.response_url(), trigger_id="1.2.a")
    again = slash_command_body("help", user=OWNER, response_url=fake_slack.response_url(), trigger_id="1.2.b")
    headers = signed_headers(first)
    assert b"/okr" in post(baton, first, headers).content
    assert post(baton, first, headers).content == b""  # the replay
    assert b"/okr" in post(baton, again, signed_headers(again)).content


def known(session: Session, user: str) -> None:
    """Someone Baton has looked up in Slack: `/okr help` is answered in the ack itself, in their language."""
    session.add(Person(user_id=user, locale="en-US", fetched_at=datetime(2026, 11, 23, tzinfo=UTC)))
    session.commit()


# -- Events API retries ----------------------------------------------------------------------------
def home_opened(event_id: str, user: str = OWNER) -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM["id"],
            "api_app_id": "A0BATON01",
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": OWNER_DM,
                "tab": "home",
                "event_ts": "1764000000.000100",
            },
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1764000000,
            "authorizations": [{"team_id": TEAM["id"], "user_id": "U0BATONBOT", "is_bot": True}],
            "is_ext_shared_channel": False,
        }
    )


def event_headers(body: str, retry: int | None = None) -> dict[str, str]:
    headers = {**signed_headers(body), "Content-Type": "application/json"}
    if retry is not None:  # how Slack marks a retry; it signs it anew, with a new timestamp
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return headers


def test_an_event_retried_by_slack_is_answered_and_ignored(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    fake_slack.add_user(OWNER, name="Paris", tz="Europe/Paris")
    body = home_opened("Ev0HOME00001")
    assert post(baton, body, event_headers(body)).status_code == 200
    wait_for(lambda: fake_slack.calls_to("views.publish"))
    for retry in (1, 2, 3):  # Slack retries three times: at once, after a minute, after five
        retried = post(baton, body, event_headers(body, retry))
        assert (retried.status_code, retried.content) == (200, b"")
    settled(session, fake_slack)
    assert len(fake_slack.calls_to("views.publish")) == 1
    other = home_opened("Ev0HOME00002")  # another opening of the Home is another event
    post(baton, other, event_headers(other, retry=1))  # a retry whose first delivery never arrived
    wait_for(lambda: len(fake_slack.calls_to("views.publish")) == 2)


# -- when the key cannot be written ----------------------------------------------------------------
@contextmanager
def replay_table_locked(engine: Engine) -> Iterator[None]:
    """Another process holds what the INSERT of a key needs: SQLite's write lock, PostgreSQL's table."""
    if engine.dialect.name == "sqlite":
        assert engine.url.database
        holder = sqlite3.connect(engine.url.database, timeout=10)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
    else:
        with engine.connect() as connection, connection.begin():
            connection.exec_driver_sql("LOCK TABLE seenrequest IN ACCESS EXCLUSIVE MODE")
            yield


def test_a_request_goes_through_when_its_key_cannot_be_written(
    baton: RunningBaton, fake_slack: FakeSlack, engine: Engine, session: Session
) -> None:
    """Not dropped, and not held: the ack waits for the lock a moment, then answers as if the key were new
    (the action's own idempotency then holds)."""
    known(session, OWNER)
    body = slash_command_body("help", user=OWNER, response_url=fake_slack.response_url(), trigger_id="1.2.c")
    with replay_table_locked(engine):
        started = time.monotonic()
        answered = post(baton, body, signed_headers(body))
        elapsed = time.monotonic() - started
    assert answered.status_code == 200 and b"/okr" in answered.content
    assert elapsed < 2.5  # Slack's deadline is 3 s; the wait for the key's lock is 0.5 s


def test_an_unreachable_database_lets_requests_through_and_is_not_asked_again_at_once() -> None:
    broken = create_engine("sqlite:////nonexistent-dir/baton.db")
    replays = Replays(broken, lambda: datetime(2026, 11, 23, tzinfo=UTC))
    assert replays.first_time("body:x") and replays.first_time("body:x")
    started = time.monotonic()
    assert replays.first_time("body:y")  # skipped for a few seconds after a failure: no wait at all
    assert time.monotonic() - started < 0.5  # far from a connect attempt's wait


# -- keys and their pruning ------------------------------------------------------------------------
def test_each_kind_of_request_has_its_key() -> None:
    event = json.loads(home_opened("Ev1"))
    assert request_key(event, json.dumps(event)) == "event:Ev1"
    assert request_key({**event, "event_time": 1}, "other bytes") == "event:Ev1"  # a retry, however sent
    a = slash_command_body("help", user=OWNER, response_url="http://r", trigger_id="1.2.a")
    b = slash_command_body("help", user=OWNER, response_url="http://r", trigger_id="1.2.b")
    assert request_key({}, a) == request_key({}, a) != request_key({}, b)
    assert request_key({"type": "block_suggestion", "value": "erp"}, "x") is None  # only reads
    assert request_key({"type": "url_verification", "challenge": "c"}, "x") is None
    assert str(request_key({"type": "block_actions", "trigger_id": "t"}, "")).startswith("body:")  # Socket


def test_keys_are_forgotten_after_an_hour(engine: Engine, session: Session) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    replays = Replays(engine, clock)
    assert replays.first_time("body:old")
    clock.now += timedelta(minutes=30)
    assert replays.first_time("body:recent")
    assert not replays.first_time("body:old")
    clock.now += REPLAY_MEMORY - timedelta(minutes=29)
    replays.prune()
    [recent] = session.exec(select(SeenRequest)).all()
    assert (recent.key, recent.seen_at) == ("body:recent", datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    clock.now += timedelta(minutes=2)
    replays.prune()  # pruned a moment ago: not again yet
    assert len(session.exec(select(SeenRequest)).all()) == 1


# -- double clicks: two requests that mean the same thing -----------------------------------------
def test_snooze_clicked_twice_makes_one_snooze_and_one_reminder(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    assert click(baton, fake_slack, dm, ids.PROMPT_SNOOZE).status_code == 200
    wait_for(lambda: fake_slack.responses)
    clock.now += timedelta(minutes=10)  # a second click, a little later: the same snooze
    assert click(baton, fake_slack, dm, ids.PROMPT_SNOOZE).status_code == 200
    replies = wait_for(lambda: len(fake_slack.responses) == 2 and fake_slack.responses)
    assert all("11:30" in reply["text"] for reply in replies)  # 09:30 + 2 h, both times
    [snooze] = snoozes(session)
    assert snooze.until == datetime(2026, 11, 23, 11, 30, tzinfo=UTC)

    clock.now = snooze.until
    reminders = run_reminders(baton.deps.engine, now=clock(), settings=baton.deps.settings)
    assert reminders.queued == (OWNER,)
    wait_for(lambda: len(fake_slack.posts()) == 2)  # the prompt, then one reminder

    # Once the reminder has come, Snooze asks for another one.
    assert click(baton, fake_slack, dm, ids.PROMPT_SNOOZE).status_code == 200
    third = wait_for(lambda: len(fake_slack.responses) == 3 and fake_slack.responses[2])
    assert "13:30" in third["text"]
    assert [s.until.hour for s in snoozes(session)] == [11, 13]


def test_two_simultaneous_snoozes_make_one(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    bodies = [
        block_actions_body(dm, button(dm, ids.PROMPT_SNOOZE), OWNER, fake_slack.response_url())
        for _ in range(4)
    ]
    assert len(set(bodies)) == 4  # four different requests (each click has its own action_ts)
    start = threading.Barrier(len(bodies))

    def send(body: str) -> None:
        start.wait()
        post(baton, body, signed_headers(body))

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    replies = wait_for(lambda: len(fake_slack.responses) == 4 and fake_slack.responses)
    assert len(snoozes(session)) == 1
    assert {reply["text"] for reply in replies} == {replies[0]["text"]}  # the same time for all four


# -- escalations: two clicks, or two submissions, at once ------------------------------------------
def alerted(baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock) -> None:
    workflow.seed(session, fake_slack)
    assert workflow.scan(baton.deps.engine, baton.deps.settings, clock()).opened == 1
    baton.deps.outbox_ready.set()
    wait_for(lambda: workflow.leadership_posts(fake_slack))


def at_once(baton: RunningBaton, bodies: list[str]) -> list[httpx.Response]:
    """Post every body at the same moment, each from its own thread (two people, or one double click)."""
    responses: list[httpx.Response] = []
    start = threading.Barrier(len(bodies))

    def send(body: str) -> None:
        start.wait()
        responses.append(post(baton, body, signed_headers(body)))

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    return responses


def audited(session: Session, action: str) -> int:
    session.expire_all()
    return len(session.exec(select(AuditLog).where(AuditLog.action == action)).all())


def test_acknowledge_clicked_twice_is_recorded_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    alerted(baton, fake_slack, session, clock)
    alert = workflow.alert_now(fake_slack)
    url = fake_slack.response_url()
    clicks = [block_actions_body(alert, button(alert, ids.ESC_ACKNOWLEDGE), workflow.BOSS, url) for _ in "ab"]
    at_once(baton, clicks)
    wait_for(lambda: workflow.escalations(session)[0].state == "acknowledged")
    clock.now += timedelta(minutes=1)  # and once more, a moment later, on the copy the client still shows
    workflow.click(baton, fake_slack, ids.ESC_ACKNOWLEDGE, workflow.BOSS, message=alert)
    settled(session, fake_slack)
    assert audited(session, "escalation.acknowledge") == 1
    [escalation] = workflow.escalations(session)
    assert escalation.acknowledged_at == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # the first click's


def resubmitted(body: str, trigger_id: str) -> str:
    """The same modal submitted again: a new request (Slack gives each submission its own trigger_id)."""
    payload = json.loads(parse_qs(body)["payload"][0])
    return urlencode({"payload": json.dumps({**payload, "trigger_id": trigger_id})})


def test_a_decision_submitted_twice_at_once_is_logged_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    alerted(baton, fake_slack, session, clock)
    workflow.click(baton, fake_slack, ids.ESC_DECIDE, workflow.BOSS)
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    values = workflow.decision_values("Extend to Q1", owner=workflow.OWNER, due="2026-12-15")
    body = view_submission_body(view, user=workflow.BOSS, values=values)
    responses = at_once(baton, [resubmitted(body, "1.2.first"), resubmitted(body, "1.2.second")])
    assert [r.status_code for r in responses] == [200, 200]
    settled(session, fake_slack)
    session.expire_all()
    assert len(session.exec(select(Decision)).all()) == 1
    assert audited(session, "decision.create") == 1
    assert len(fake_slack.messages(workflow.OWNER)) == 1  # the owner is told once


# -- /okr new submitted twice at once ----------------------------------------------------------------
def test_a_new_initiative_submitted_twice_at_once_is_created_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    load_roadmap(session, fake_slack)
    view = opened_modal(baton, fake_slack, "new", ADMIN)
    typed = {"title": "Cut churn", "objective": "-20 % de temps d’activation", "people_R": [PARIS]}
    body = view_submission_body(view, user=ADMIN, values=state(view, **typed))
    responses = at_once(baton, [resubmitted(body, f"1.2.{n}") for n in range(4)])
    assert [r.status_code for r in responses] == [200] * 4
    session.expire_all()
    assert len(session.exec(select(Initiative).where(Initiative.title == "Cut churn")).all()) == 1
    answers = [json.dumps(r.json()) for r in responses]
    assert sum("is created" in answer for answer in answers) == 1
    assert sum("already exists in 2026-Q4" in answer for answer in answers) == 3  # the twins say why


def test_skip_this_week_clicked_at_once_is_recorded_once_and_no_click_fails(
    baton: RunningBaton,
    fake_slack: FakeSlack,
    session: Session,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    outcomes: list[str] = []  # each click's skip_week, once it has returned or raised
    skip_week = answers.skip_week

    def counted(*args: Any, **kwargs: Any) -> Any:
        try:
            result = skip_week(*args, **kwargs)
        except Exception as error:
            outcomes.append(type(error).__name__)
            raise
        outcomes.append("done")
        return result

    monkeypatch.setattr(answers, "skip_week", counted)
    url = fake_slack.response_url()
    at_once(baton, [block_actions_body(dm, button(dm, ids.PROMPT_SKIP), OWNER, url) for _ in range(4)])
    wait_for(lambda: len(outcomes) == 4)
    assert outcomes == ["done"] * 4  # before: IntegrityError for the clicks that lost the race
    assert audited(session, "prompt.skip") == 1


def test_a_roadmap_import_submitted_twice_at_once_creates_each_initiative_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    post(baton, *signed(slash_command_body("import", user=ADMIN, response_url=fake_slack.response_url())))
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    text, quarter = EXAMPLE_ROADMAP.read_text(encoding="utf-8"), "2026-Q4"
    values = {
        ids.IMPORT_TEXT_BLOCK: {ids.IMPORT_TEXT_ACTION: {"type": "plain_text_input", "value": text}},
        ids.IMPORT_QUARTER_BLOCK: {ids.IMPORT_QUARTER_ACTION: {"type": "plain_text_input", "value": quarter}},
    }
    body = view_submission_body(view, user=ADMIN, values=values)
    responses = at_once(baton, [resubmitted(body, f"1.2.{n}") for n in range(3)])
    assert [r.status_code for r in responses] == [200] * 3
    session.expire_all()
    titles = [i.title_key for i in session.exec(select(Initiative))]
    assert len(titles) == 4 and len(set(titles)) == 4  # the example roadmap's four, once each
    shown = sorted(json.dumps(r.json(), ensure_ascii=False) for r in responses)
    assert sum("4 created" in text for text in shown) == 1  # the others found them: 4 unchanged
    assert sum("4 unchanged" in text for text in shown) == 2


def signed(body: str) -> tuple[str, dict[str, str]]:
    return body, signed_headers(body)
