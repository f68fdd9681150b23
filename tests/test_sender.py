"""The outbox sender: exactly once, whatever Slack or the process does."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.outbox import enqueue_post, enqueue_update, replace_pending
from bot.delivery.sender import HOST, METADATA_EVENT, DrainStats, RateGate, Sender, SenderConfig
from bot.rituals.digest import run_digest
from bot.sandbox.webapi import FakeSlack
from bot.workspace import workspace_of
from storage.models import Delivery, DeliveryKind, DeliveryState, RitualRun
from tests.conftest import ManualClock, run_baton
from tests.conftest import seed_owners as seed
from tests.slack_requests import wait_for

MONDAY_0930_PARIS = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
CHECKIN_AT_MONDAY = [
    sys.executable,
    "-m",
    "bot",
    "rituals",
    "run",
    "checkin",
    "--at",
    MONDAY_0930_PARIS.isoformat(),
]


def sender_for(engine: Engine, fake: FakeSlack, clock: Clock, **config: object) -> Sender:
    client = WebClient(token=fake.token, base_url=fake.api_url, timeout=1, retry_handlers=[])
    return Sender(engine, client, clock, SenderConfig(**config))  # type: ignore[arg-type]


def queue(session: Session, clock: ManualClock, channels: list[str]) -> list[int]:
    deliveries = [
        enqueue_post(
            session,
            kind=DeliveryKind.PROMPT,
            channel=channel,
            message={"text": f"hello {channel}"},
            now=clock(),
        )
        for channel in channels
    ]
    session.commit()
    return [d.id for d in deliveries]  # type: ignore[misc]


def states(session: Session) -> dict[str, int]:
    session.expire_all()
    counts: dict[str, int] = {}
    for delivery in session.exec(select(Delivery)):
        counts[delivery.state] = counts.get(delivery.state, 0) + 1
    return counts


def posts_per_channel(fake: FakeSlack) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post in fake.posts():
        counts[post["channel"]] = counts.get(post["channel"], 0) + 1
    return counts


def test_every_message_is_sent_once_with_its_delivery_id(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    ids = queue(session, clock, [f"U0OWNER{n:03d}" for n in range(5)])
    stats = sender_for(engine, fake_slack, clock).drain()
    assert stats.sent == 5 and states(session) == {"sent": 5}
    assert sorted(p["metadata"]["event_payload"]["delivery_id"] for p in fake_slack.posts()) == sorted(ids)
    assert {p["metadata"]["event_type"] for p in fake_slack.posts()} == {METADATA_EVENT}
    row = session.get_one(Delivery, ids[0])
    assert row.message_ts and row.message_channel == "D0OWNER000" and row.sent_at == clock()


def test_a_429_storm_is_waited_out(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    queue(session, clock, ["U0OWNER001", "U0OWNER002"])
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1, times=4)
    started = time.monotonic()
    stats = sender_for(engine, fake_slack, clock, concurrency=2).drain()
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert (stats.sent, stats.ratelimited, stats.failed) == (2, 4, 0)
    assert posts_per_channel(fake_slack) == {"D0OWNER001": 1, "D0OWNER002": 1}


def test_5xx_is_retried_with_backoff_and_sent_once(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    [delivery_id] = queue(session, clock, ["U0OWNER001"])
    fake_slack.fail("chat.postMessage", "internal_error", status=500, times=2)
    sender = sender_for(engine, fake_slack, clock)
    assert sender.drain().retried == 1
    row = session.get_one(Delivery, delivery_id)
    session.refresh(row)
    assert row.state == "pending" and row.attempts == 1 and row.next_attempt_at > clock()
    assert sender.drain().sent == 0  # not due before its backoff
    clock.now += timedelta(minutes=10)
    assert sender.drain().retried == 1
    clock.now += timedelta(minutes=10)
    assert sender.drain().sent == 1
    assert posts_per_channel(fake_slack) == {"D0OWNER001": 1}


@pytest.mark.parametrize(
    "error", ["channel_not_found", "user_not_found", "account_inactive", "not_in_channel"]
)
def test_definitive_errors_are_recorded_not_retried(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock, error: str
) -> None:
    run = RitualRun(
        ritual="checkin", cycle="2026-W48", target="U0GONE0001", state="queued", claimed_at=clock()
    )
    session.add(run)
    session.flush()
    delivery = enqueue_post(
        session,
        kind=DeliveryKind.PROMPT,
        channel="U0GONE0001",
        message={"text": "hi"},
        now=clock(),
        ritual_run_id=run.id,
    )
    session.commit()
    fake_slack.fail("chat.postMessage", error)
    stats = sender_for(engine, fake_slack, clock).drain()
    assert (stats.sent, stats.failed) == (0, 1)
    session.expire_all()
    assert session.get_one(Delivery, delivery.id).error == error
    assert (session.get_one(RitualRun, run.id).state, session.get_one(RitualRun, run.id).error) == (
        "failed",
        error,
    )
    clock.now += timedelta(hours=1)
    assert sender_for(engine, fake_slack, clock).drain().sent == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_timed_out_post_that_did_land_is_found_not_resent(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    [delivery_id] = queue(session, clock, ["U0OWNER001"])
    fake_slack.hang("chat.postMessage", 1.5)  # Slack answers after our 1 s timeout, but posts all the same
    sender = sender_for(engine, fake_slack, clock)
    assert sender.drain().retried == 1
    wait_for(lambda: fake_slack.posts())  # the slow request lands meanwhile
    clock.now += timedelta(minutes=10)
    stats = sender.drain()
    assert (stats.sent, stats.recovered) == (1, 1)
    assert posts_per_channel(fake_slack) == {"D0OWNER001": 1}
    row = session.get_one(Delivery, delivery_id)
    session.refresh(row)
    assert row.message_ts == fake_slack.posts()[0]["ts"]


def test_a_row_left_by_a_dead_sender_is_checked_before_any_resend(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    posted, lost, _fresh = queue(session, clock, ["U0OWNER001", "U0OWNER002", "U0OWNER003"])
    # Another host's sender claimed two rows, posted the first, and died before recording anything.
    for delivery_id in (posted, lost):
        row = session.get_one(Delivery, delivery_id)
        row.state, row.claimed_by, row.claimed_at = DeliveryState.SENDING, "elsewhere:4242:dead", clock()
    session.commit()
    WebClient(token=fake_slack.token, base_url=fake_slack.api_url).chat_postMessage(
        channel="U0OWNER001",
        text="hello",
        metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery_id": posted}},
    )
    sender = sender_for(engine, fake_slack, clock)
    assert sender.drain().sent == 1  # only the fresh row: the others are within their lease
    clock.now += timedelta(minutes=5)  # the lease has run out
    stats = sender.drain()
    assert (stats.sent, stats.recovered) == (2, 1)
    assert posts_per_channel(fake_slack) == {"D0OWNER001": 1, "D0OWNER002": 1, "D0OWNER003": 1}
    assert states(session) == {"sent": 3}


def test_a_row_of_a_dead_process_on_this_host_is_taken_over_at_once(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    [delivery_id] = queue(session, clock, ["U0OWNER001"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    row = session.get_one(Delivery, delivery_id)
    row.state, row.claimed_by, row.claimed_at = DeliveryState.SENDING, f"{HOST}:{gone.pid}:x", clock()
    session.commit()
    assert sender_for(engine, fake_slack, clock).drain().sent == 1
    assert posts_per_channel(fake_slack) == {"D0OWNER001": 1}


def test_two_senders_share_the_outbox_without_duplicates(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    channels = [f"U0OWNER{n:03d}" for n in range(120)]
    queue(session, clock, channels)
    fake_slack.latency = 0.01
    first, second = sender_for(engine, fake_slack, clock), sender_for(engine, fake_slack, clock)
    threads = [threading.Thread(target=s.drain_all) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert posts_per_channel(fake_slack) == {"D" + c[1:]: 1 for c in channels}
    senders = {d.claimed_by for d in session.exec(select(Delivery))}
    assert senders == {first.worker_id, second.worker_id}


def seed_owners(session: Session, fake: FakeSlack, count: int) -> list[str]:
    """`count` owners in Paris, each responsible for one initiative created a week before."""
    owners = [f"U0OWN{n:05d}" for n in range(count)]
    seed(session, fake, owners, created_at=MONDAY_0930_PARIS - timedelta(days=7))
    return owners


def test_two_baton_processes_prompt_everyone_exactly_once(
    env: dict[str, str], tmp_path: Path, session: Session, fake_slack: FakeSlack
) -> None:
    owners = seed_owners(session, fake_slack, 160)
    fake_slack.latency = 0.03
    processes = [
        subprocess.Popen(
            CHECKIN_AT_MONDAY,
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert posts_per_channel(fake_slack) == {"D" + owner[1:]: 1 for owner in owners}
    session.expire_all()
    assert len(session.exec(select(RitualRun).where(RitualRun.ritual == "checkin")).all()) == len(owners)
    assert len({d.claimed_by for d in session.exec(select(Delivery))}) == 2  # both processes sent some


def test_killed_mid_fan_out_then_restarted_prompts_everyone_exactly_once(
    env: dict[str, str], tmp_path: Path, session: Session, fake_slack: FakeSlack
) -> None:
    owners = seed_owners(session, fake_slack, 150)
    fake_slack.latency = 0.05
    victim = subprocess.Popen(
        CHECKIN_AT_MONDAY, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(fake_slack.posts()) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert 40 <= len(fake_slack.posts()) < len(owners), "the kill must land mid fan-out"
    session.expire_all()
    assert (
        session.exec(select(Delivery).where(col(Delivery.state) == DeliveryState.SENDING)).first() is not None
    )
    fake_slack.latency = 0.0
    restarted = run_baton(
        env,
        tmp_path,
        "rituals",
        "run",
        "checkin",
        "--at",
        (MONDAY_0930_PARIS + timedelta(minutes=1)).isoformat(),
    )
    assert restarted.returncode == 0, restarted.stderr
    assert posts_per_channel(fake_slack) == {"D" + owner[1:]: 1 for owner in owners}
    session.expire_all()
    assert states(session) == {"sent": len(owners)}


def test_the_next_digest_reports_what_could_not_be_delivered(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock, settings: Settings
) -> None:
    queue(session, clock, ["U0GONE0001", "U0OWNER001"])
    fake_slack.fail("chat.postMessage", "user_not_found")
    sender_for(engine, fake_slack, clock, concurrency=1).drain()
    outcome = run_digest(
        engine,
        now=clock() + timedelta(hours=8),
        workspace=workspace_of(engine, settings),
        channel="C0LEADERS1",
    )
    assert outcome.state == "queued"
    clock.now += timedelta(hours=8)
    sender_for(engine, fake_slack, clock).drain_all()
    [digest] = [p for p in fake_slack.posts() if p["channel"] == "C0LEADERS1"]
    notes = [e["text"] for b in digest["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert notes == [
        ":warning: 1 message(s) could not be delivered: prompt to <@U0GONE0001> (user_not_found)"
    ]


def test_429s_of_requests_already_in_flight_do_not_stretch_the_pause() -> None:
    gate = RateGate(channel_interval=0.0)
    sent = time.monotonic()
    gate.pause(0.3, sent_at=sent)
    gate.pause(5.0, sent_at=sent)  # sent before the pause began: its 429 is old news
    started = time.monotonic()
    gate.wait("C0LEADERS1")
    assert 0.2 <= time.monotonic() - started < 1.0
    gate.pause(0.3, sent_at=time.monotonic())  # a request sent after the pause: a new 429, a new pause
    started = time.monotonic()
    gate.wait("C0LEADERS1")
    assert time.monotonic() - started >= 0.2


# -- deliveries that wait for another's message ----------------------------------------------------
def claimed_in_flight(engine: Engine, fake: FakeSlack, clock: ManualClock) -> tuple[Sender, Delivery]:
    """A sender that has claimed the one queued post and not sent it yet: the post is in flight."""
    sender = sender_for(engine, fake, clock)
    [(post, verify)] = sender._claim(1)
    assert post.state == DeliveryState.SENDING and not verify
    return sender, post


def test_an_update_of_a_post_in_flight_waits_for_its_ts_then_edits_it(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    queue(session, clock, ["C0ALERTS01"])
    sender, post = claimed_in_flight(engine, fake_slack, clock)
    parent = session.get_one(Delivery, post.id)
    assert not replace_pending(session, parent, {"text": "too late"}, now=clock())  # a sender holds it
    enqueue_update(
        session,
        kind=DeliveryKind.ESCALATION,
        channel=parent.channel,
        parent=parent,
        message={"text": "v2"},
        now=clock(),
    )
    enqueue_update(
        session,
        kind=DeliveryKind.ESCALATION,
        channel=parent.channel,
        parent=parent,
        message={"text": "v3"},
        now=clock(),
    )
    session.commit()
    assert sender.drain().sent == 0  # the update cannot go before the post it edits
    assert fake_slack.calls_to("chat.update") == []
    sender._send(post, False)  # the post lands
    assert sender.drain().sent == 1  # the two updates were one: only the newest content matters
    [message] = fake_slack.messages("C0ALERTS01")
    assert message["text"] == "v3" and len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("chat.update")[0]["ts"] == message["ts"]


def test_a_queued_post_takes_new_content_until_a_sender_claims_it(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    [delivery_id] = queue(session, clock, ["C0ALERTS01"])
    assert replace_pending(session, session.get_one(Delivery, delivery_id), {"text": "v2"}, now=clock())
    session.commit()
    assert sender_for(engine, fake_slack, clock).drain().sent == 1
    assert [m["text"] for m in fake_slack.messages("C0ALERTS01")] == ["v2"]


def test_a_reply_waits_for_its_parent_and_is_looked_up_in_the_thread_before_a_resend(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    [parent_id] = queue(session, clock, ["C0ALERTS01"])
    reply = enqueue_post(
        session, kind=DeliveryKind.DIGEST, channel="C0ALERTS01", message={"text": "part 2"}, now=clock()
    )
    reply.parent_id = parent_id
    session.commit()
    fake_slack.hang("chat.postMessage", 1.5, times=2)  # both time out on our side, and land all the same
    sender = sender_for(engine, fake_slack, clock)
    assert sender.drain().retried == 1  # the parent; its reply waits for it
    wait_for(lambda: len(fake_slack.posts()) == 1)
    clock.now += timedelta(minutes=10)
    stats = sender.drain()  # the parent is found in the history; its reply goes, and times out in turn
    assert (stats.recovered, stats.retried, len(fake_slack.posts())) == (1, 1, 1)
    wait_for(lambda: len(fake_slack.posts()) == 2)
    clock.now += timedelta(minutes=10)
    assert sender.drain().recovered == 1  # found among the thread's replies, not posted twice
    head, part = fake_slack.posts()
    assert part["thread_ts"] == head["ts"] and len(fake_slack.posts()) == 2
    assert fake_slack.calls_to("conversations.replies")[-1]["ts"] == head["ts"]


def test_a_delivery_whose_parent_failed_fails_saying_why(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    [parent_id] = queue(session, clock, ["C0NOWHERE1"])
    child = enqueue_update(
        session,
        kind=DeliveryKind.ESCALATION,
        channel="C0NOWHERE1",
        parent=session.get_one(Delivery, parent_id),
        message={"text": "v2"},
        now=clock(),
    )
    session.commit()
    fake_slack.fail("chat.postMessage", "channel_not_found")
    assert sender_for(engine, fake_slack, clock).drain().failed == 2
    session.expire_all()
    assert session.get_one(Delivery, child.id).error == "parent_failed: channel_not_found"
    assert fake_slack.calls_to("chat.update") == []


def test_a_sender_waiting_out_a_long_retry_after_keeps_its_rows_from_another_replica(
    engine: Engine, session: Session, fake_slack: FakeSlack
) -> None:
    def now() -> datetime:
        return datetime.now(UTC)  # leases are compared across senders: both on the real clock

    queue(session, ManualClock(now()), ["U0OWNER001", "U0OWNER002"])
    # Retry-After longer than the lease: a sender that stopped renewing would look dead meanwhile
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=4, times=2)
    config = {"lease": timedelta(seconds=3), "concurrency": 2}
    waiting, replica = (
        sender_for(engine, fake_slack, now, **config),
        sender_for(engine, fake_slack, now, **config),
    )
    result: list[DrainStats] = []
    thread = threading.Thread(target=lambda: result.append(waiting.drain()))
    thread.start()

    def both_held_one_429_seen() -> bool:
        """The waiting sender holds both rows and Slack has answered it 429 (whether it then sends the
        second row at once or after the first's wait, as a loaded machine may schedule it)."""
        with Session(engine) as probe:
            states = probe.exec(select(Delivery.state)).all()
        return bool(fake_slack.calls_to("chat.postMessage")) and states == [DeliveryState.SENDING] * 2

    wait_for(both_held_one_429_seen)
    taken = DrainStats()
    while thread.is_alive():  # the other replica looks for abandoned rows all along
        taken.add(replica.drain())
        thread.join(timeout=0.2)
    assert (taken.sent, taken.recovered) == (0, 0)
    assert (result[0].sent, result[0].ratelimited) == (2, 2)
    assert posts_per_channel(fake_slack) == {"D0OWNER001": 1, "D0OWNER002": 1}
