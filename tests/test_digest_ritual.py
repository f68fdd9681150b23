"""The digest ritual, queued in the outbox and sent by its sender through the fake Slack: thread order,
team digests, the chart, failures, and exactly-once across reruns, restarts and a crash half-way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.delivery.claims import RETRY_FAILED_AFTER
from bot.delivery.sender import METADATA_EVENT, Sender, SenderConfig
from bot.rituals.digest import DIGEST, run_digest, run_digests
from bot.sandbox.webapi import FakeSlack
from bot.slack import make_sender_client
from bot.workspace import workspace_of
from storage.db import make_engine
from storage.models import Delivery, DeliveryMethod, DeliveryState, RitualRun, WorkspaceSettings
from tests.conftest import LEADERSHIP_CHANNEL, ManualClock, deliver
from tests.digest_fixtures import DIGEST_TIME, Portfolio

FINANCE_CHANNEL, SALES_CHANNEL = "C0FINANCE1", "C0SALES001"
PNG = b"\x89PNG\r\n\x1a\n"


def seed(session: Session, count: int, departments: tuple[str, ...] = ("Finance", "Sales")) -> None:
    p = Portfolio(session)
    for n in range(count):
        initiative = p.initiative(
            f"Initiative {n:03d}", department=departments[n % len(departments)], baseline=0, target=100
        )
        p.checkins(
            initiative, {"2026-W47": ("on_track", n % 50), "2026-W48": ("at_risk", n % 60, f"Comment {n}")}
        )
    session.commit()


def digest_posts(fake: FakeSlack, channel: str = LEADERSHIP_CHANNEL) -> list[dict]:
    return [p for p in fake.posts() if p["channel"] == channel]


def part_labels(posts: list[dict]) -> list[str]:
    return [p["blocks"][-1]["elements"][0]["text"] for p in posts]


def in_order(count: int) -> list[str]:
    return [f"Part {n} of {count}" for n in range(1, count + 1)]


def states(session: Session) -> dict[tuple[str, str], str]:
    session.expire_all()
    return {(r.ritual, r.target): r.state for r in session.exec(select(RitualRun))}


def refuse_post(fake: FakeSlack, n: int, error: str) -> Callable[..., Any]:
    """Make Slack refuse the `n`th chat.postMessage from now with `error`; the fake's own answer, back."""
    original = fake.answer
    calls = {"posts": 0}

    def answer(method: str, args: dict, token: str | None):  # type: ignore[no-untyped-def]
        if method == "chat.postMessage":
            calls["posts"] += 1
            if calls["posts"] == n:
                return 200, {"ok": False, "error": error}, {}
        return original(method, args, token)

    fake.answer = answer  # type: ignore[method-assign]
    return original


def queued_digest(engine: Engine, settings: Settings, now=DIGEST_TIME):  # type: ignore[no-untyped-def]
    return run_digest(engine, now=now, workspace=workspace_of(engine, settings), channel=LEADERSHIP_CHANNEL)


def test_the_chart_is_uploaded_first_and_shown_in_the_head_then_the_detail_follows_in_its_thread(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 120)
    outcome = queued_digest(engine, settings)
    assert outcome.state == "queued" and fake_slack.posts() == []  # the claim and its messages, in one go
    assert states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "queued"}
    deliver(engine, fake_slack, lambda: DIGEST_TIME)
    posts = digest_posts(fake_slack)
    assert len(posts) > 2 and outcome.detail == f"{len(posts)} message(s) and a file"
    head, thread = posts[0], posts[1:]
    assert head["thread_ts"] is None and head["metadata"]["event_type"] == METADATA_EVENT
    assert all(p["thread_ts"] == head["ts"] for p in thread)
    assert part_labels(thread) == in_order(len(thread))
    titles = [b["accessory"]["value"] for p in thread for b in p["blocks"] if "accessory" in b]
    assert len(titles) == 120 and len(set(titles)) == 120
    [chart] = fake_slack.files  # uploaded before the head, shared with nobody: no message of its own
    assert chart["bytes"].startswith(PNG) and chart["name"] == "digest-2026-W48.png"
    assert chart["channel"] is None and chart["thread_ts"] is None
    assert chart["title"] == "Portfolio 2026-Q4" and chart["alt_txt"]
    [image] = [b for b in head["blocks"] if b["type"] == "image"]
    assert image["slack_file"] == {"id": chart["id"]} and image["alt_text"] == chart["alt_txt"]
    assert all(m.get("subtype") != "file_share" for m in fake_slack.messages(LEADERSHIP_CHANNEL))
    assert states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "sent"}
    [run] = session.exec(select(RitualRun)).all()
    assert run.message_ts == head["ts"]


def test_a_head_slack_refuses_while_its_file_is_processed_is_posted_again_with_it(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 3)
    fake_slack.fail("chat.postMessage", "invalid_blocks")  # Slack has not finished processing the upload
    queued_digest(engine, settings)
    clock = ManualClock(DIGEST_TIME)
    sender = Sender(engine, make_sender_client(settings), clock, SenderConfig(channel_interval=0))
    assert sender.drain().retried == 1 and digest_posts(fake_slack) == []
    clock.now += timedelta(minutes=1)  # past the backoff
    assert sender.drain().failed == 0
    [head, *_] = digest_posts(fake_slack)
    [chart] = fake_slack.files
    assert [b["slack_file"]["id"] for b in head["blocks"] if b["type"] == "image"] == [chart["id"]]
    assert states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "sent"}


def test_team_digests_go_to_their_channels_filtered(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 6, ("Finance", "Sales", "Ops"))
    session.add(WorkspaceSettings(team_channels={"Finance": FINANCE_CHANNEL, "Sales": SALES_CHANNEL}))
    session.commit()
    outcomes = run_digests(engine, now=DIGEST_TIME, settings=settings)
    assert [(o.channel, o.state) for o in outcomes] == [
        (LEADERSHIP_CHANNEL, "queued"),
        (FINANCE_CHANNEL, "queued"),
        (SALES_CHANNEL, "queued"),
    ]
    deliver(engine, fake_slack, lambda: DIGEST_TIME)
    finance_head, finance_detail = digest_posts(fake_slack, FINANCE_CHANNEL)
    assert finance_head["blocks"][0]["text"]["text"] == "Finance — weekly digest 2026-W48"
    shown = [b["text"]["text"] for b in finance_detail["blocks"] if "accessory" in b]
    assert len(shown) == 2 and all("Initiative 000" in s or "Initiative 003" in s for s in shown)
    _, leadership = digest_posts(fake_slack)
    assert len([b for b in leadership["blocks"] if "accessory" in b]) == 6
    assert len(fake_slack.files) == 3  # a chart per digest, each shown in its own head
    heads = [p for p in fake_slack.posts() if p["thread_ts"] is None]
    assert sorted(
        b["slack_file"]["id"] for p in heads for b in p["blocks"] if b["type"] == "image"
    ) == sorted(f["id"] for f in fake_slack.files)
    again = run_digests(engine, now=DIGEST_TIME + timedelta(hours=1), settings=settings)
    assert {o.state for o in again} == {"sent"} and all(o.already_handled for o in again)
    deliver(engine, fake_slack, lambda: DIGEST_TIME + timedelta(hours=1))
    assert len(fake_slack.posts()) == 6


def test_the_leadership_channel_setting_overrides_the_environment(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    session.add(WorkspaceSettings(leadership_channel="C0BOARD001"))
    session.commit()
    [outcome] = run_digests(engine, now=DIGEST_TIME, settings=settings)
    assert outcome.channel == "C0BOARD001" and outcome.state == "queued"
    deliver(engine, fake_slack, lambda: DIGEST_TIME)
    assert [p["channel"] for p in fake_slack.posts()] == ["C0BOARD001"]


def test_a_failed_upload_never_holds_the_text_back(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 3)
    fake_slack.fail("files.completeUploadExternal", "invalid_arguments")
    assert queued_digest(engine, settings).state == "queued"
    assert deliver(engine, fake_slack, lambda: DIGEST_TIME).failed == 1
    head, *thread = digest_posts(fake_slack)
    assert fake_slack.files == [] and thread  # the head and its detail, without the chart
    assert [b for b in head["blocks"] if b["type"] == "image"] == []
    assert states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "sent"}
    [chart] = session.exec(select(Delivery).where(Delivery.method == DeliveryMethod.FILE)).all()
    assert (chart.state, chart.error) == (DeliveryState.FAILED, "invalid_arguments")


def test_not_due_before_the_digest_hour(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 1)
    early = DIGEST_TIME - timedelta(hours=1)  # 15:30 in Paris: due at 16:00
    outcome = queued_digest(engine, settings, early)
    assert outcome.state == "not due" and session.exec(select(Delivery)).all() == []


def test_twice_or_after_a_restart_it_posts_once(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings, database_url: str
) -> None:
    seed(session, 70)
    first = queued_digest(engine, settings)
    again = queued_digest(engine, settings)  # before the sender has sent anything
    deliver(engine, fake_slack, lambda: DIGEST_TIME)
    posted = len(fake_slack.posts())
    restarted_engine = make_engine(database_url)  # a new process: nothing in memory survives
    try:
        restarted = queued_digest(restarted_engine, settings, DIGEST_TIME + timedelta(hours=3))
        deliver(restarted_engine, fake_slack, lambda: DIGEST_TIME + timedelta(hours=3))
    finally:
        restarted_engine.dispose()
    assert (first.state, again.state, restarted.state) == ("queued", "queued", "sent")
    assert again.already_handled and restarted.already_handled
    assert "(already handled)" in again.summary() and "(already handled)" in restarted.summary()
    assert posted > 1 and len(fake_slack.posts()) == posted and len(fake_slack.files) == 1


def test_a_part_refused_half_way_is_retried_without_a_second_head(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 120)
    original = refuse_post(fake_slack, 3, "fatal_error")
    assert queued_digest(engine, settings).state == "queued"
    clock = ManualClock(DIGEST_TIME)
    sender = Sender(engine, make_sender_client(settings), clock, SenderConfig(channel_interval=0))
    assert sender.drain().retried == 1  # part 2, refused; the parts after it wait for it
    total = len(session.exec(select(Delivery).where(Delivery.method == DeliveryMethod.POST)).all()) - 1
    assert part_labels(digest_posts(fake_slack)[1:]) == in_order(total)[:1]  # the head and part 1
    assert states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "sent"}  # the head is out
    fake_slack.answer = original  # type: ignore[method-assign]

    clock.now += timedelta(minutes=10)  # past the backoff
    assert sender.drain().failed == 0
    posts = digest_posts(fake_slack)
    assert [p["thread_ts"] is None for p in posts].count(True) == 1
    assert part_labels(posts[1:]) == in_order(total) and total > 3
    assert len(fake_slack.calls_to("conversations.replies")) == 1  # part 3 was looked up in the thread


def test_a_part_slack_refuses_for_good_stops_the_rest_and_says_why(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 120)
    refuse_post(fake_slack, 2, "msg_too_long")
    queued_digest(engine, settings)
    stats = deliver(engine, fake_slack, lambda: DIGEST_TIME)
    upload, head, *parts = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
    assert (upload.method, head.state) == (DeliveryMethod.FILE, DeliveryState.SENT)
    assert stats.sent == 2 and stats.failed == len(parts) and len(digest_posts(fake_slack)) == 1
    assert parts[0].error == "msg_too_long"
    assert {p.error for p in parts[1:]} == {"parent_failed: msg_too_long"}  # no hole in the thread


def test_a_sender_that_died_after_the_head_was_posted_is_taken_over_and_finds_it(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 120)
    queued_digest(engine, settings)
    # A sender on another host claimed the head, posted it and died before recording it: Slack has the
    # head (with its delivery id), the outbox still says `sending`.
    head_row = session.exec(select(Delivery).where(col(Delivery.ritual_run_id).is_not(None))).one()
    with engine.begin() as connection:
        connection.execute(
            update(Delivery)
            .where(col(Delivery.id) == head_row.id)
            .values(state=DeliveryState.SENDING, claimed_by="elsewhere:1:dead", claimed_at=DIGEST_TIME)
        )
    posted = {**head_row.payload, "blocks": [b for b in head_row.payload["blocks"] if b["type"] != "image"]}
    head = make_sender_client(settings).chat_postMessage(
        channel=LEADERSHIP_CHANNEL,
        metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery_id": head_row.id}},
        **posted,
    )
    clock = ManualClock(DIGEST_TIME + timedelta(seconds=30))
    sender = Sender(engine, make_sender_client(settings), clock, SenderConfig(channel_interval=0))
    assert sender.drain().sent == 1 and len(fake_slack.posts()) == 1  # the chart; the head: maybe alive
    clock.now += timedelta(minutes=2)
    stats = sender.drain_all(timeout=60)
    assert stats.recovered == 1  # found in the channel's history by its delivery id, not posted again
    posts = digest_posts(fake_slack)
    assert posts[0]["ts"] == head["ts"] and all(p["thread_ts"] == head["ts"] for p in posts[1:])
    assert part_labels(posts[1:]) == in_order(len(posts) - 1) and len(fake_slack.files) == 1


@pytest.mark.parametrize("language", ["fr"])
def test_the_digest_speaks_the_workspace_language(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings, language: str
) -> None:
    seed(session, 2)
    session.add(WorkspaceSettings(language=language))
    session.commit()
    queued_digest(engine, settings)
    deliver(engine, fake_slack, lambda: DIGEST_TIME)
    post, detail = digest_posts(fake_slack)
    assert post["blocks"][0]["text"]["text"] == "Synthèse hebdomadaire — 2026-W48"
    assert detail["blocks"][-1]["elements"][0]["text"] == "Partie 1 sur 1"
    assert fake_slack.files[0]["title"] == "Portefeuille 2026-Q4"


def test_a_digest_slack_refused_is_queued_again_after_a_pause_not_at_every_tick(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 3)
    fake_slack.fail("chat.postMessage", "channel_not_found")
    assert queued_digest(engine, settings).state == "queued"
    deliver(engine, fake_slack, lambda: DIGEST_TIME)
    assert states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "failed"}
    soon = DIGEST_TIME + RETRY_FAILED_AFTER - timedelta(seconds=30)  # the ticks in between
    refused = queued_digest(engine, settings, soon)
    assert refused.state == "failed" and refused.failed and refused.already_handled
    later = DIGEST_TIME + RETRY_FAILED_AFTER
    assert queued_digest(engine, settings, later).state == "queued"
    deliver(engine, fake_slack, lambda: later)
    heads = [p for p in digest_posts(fake_slack) if p["thread_ts"] is None]
    assert len(heads) == 1 and states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "sent"}
