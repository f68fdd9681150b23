"""The digest ritual through the fake Slack: thread order, team digests, the chart, failures, and
exactly-once across reruns, restarts and a crash half-way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.rituals.digest import CHART, DIGEST, EVENT, LEASE, run_digest, run_digests
from bot.sandbox.webapi import FakeSlack
from storage.db import make_engine
from storage.models import RitualRun, WorkspaceSettings
from tests.conftest import LEADERSHIP_CHANNEL
from tests.digest_fixtures import DIGEST_TIME, Portfolio

FINANCE_CHANNEL, SALES_CHANNEL = "C0FINANCE1", "C0SALES001"
PNG = b"\x89PNG\r\n\x1a\n"


def client_for(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.token, base_url=fake.api_url)


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


def states(session: Session) -> dict[tuple[str, str], str]:
    session.expire_all()
    return {(r.ritual, r.target): r.state for r in session.exec(select(RitualRun))}


def test_a_long_digest_continues_in_the_thread_in_order_then_the_chart(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 120)
    outcome = run_digest(
        engine, client_for(fake_slack), now=DIGEST_TIME, settings=settings, channel=LEADERSHIP_CHANNEL
    )
    assert outcome.state == "sent", outcome
    posts = digest_posts(fake_slack)
    assert len(posts) > 2
    head = posts[0]
    assert head["thread_ts"] is None and head["metadata"]["event_type"] == EVENT
    assert all(p["thread_ts"] == head["ts"] for p in posts[1:])
    assert [p["metadata"]["event_payload"]["part"] for p in posts] == list(range(1, len(posts) + 1))
    assert [p["blocks"][-1]["elements"][0]["text"] for p in posts] == [
        f"Part {n} of {len(posts)}" for n in range(1, len(posts) + 1)
    ]
    titles = [b["accessory"]["value"] for p in posts for b in p["blocks"] if "accessory" in b]
    assert len(titles) == 120 and len(set(titles)) == 120
    [chart] = fake_slack.files
    assert chart["bytes"].startswith(PNG) and chart["name"] == "digest-2026-W48.png"
    assert chart["channel"] == LEADERSHIP_CHANNEL and chart["thread_ts"] == head["ts"]
    assert chart["title"] == "Portfolio 2026-Q4" and chart["alt_txt"]
    thread = fake_slack.messages(LEADERSHIP_CHANNEL)
    assert thread[-1]["subtype"] == "file_share"  # the chart comes after the whole text
    assert states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "sent", (CHART, LEADERSHIP_CHANNEL): "sent"}


def test_team_digests_go_to_their_channels_filtered(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 6, ("Finance", "Sales", "Ops"))
    session.add(WorkspaceSettings(team_channels={"Finance": FINANCE_CHANNEL, "Sales": SALES_CHANNEL}))
    session.commit()
    outcomes = run_digests(engine, client_for(fake_slack), now=DIGEST_TIME, settings=settings)
    assert [(o.target, o.state) for o in outcomes] == [
        (LEADERSHIP_CHANNEL, "sent"),
        (FINANCE_CHANNEL, "sent"),
        (SALES_CHANNEL, "sent"),
    ]
    [finance] = digest_posts(fake_slack, FINANCE_CHANNEL)
    assert finance["blocks"][0]["text"]["text"] == "Finance — weekly digest 2026-W48"
    shown = [b["text"]["text"] for b in finance["blocks"] if "accessory" in b]
    assert len(shown) == 2 and all("Initiative 000" in s or "Initiative 003" in s for s in shown)
    [leadership] = digest_posts(fake_slack)
    assert len([b for b in leadership["blocks"] if "accessory" in b]) == 6
    assert {f["channel"] for f in fake_slack.files} == {LEADERSHIP_CHANNEL, FINANCE_CHANNEL, SALES_CHANNEL}
    again = run_digests(
        engine, client_for(fake_slack), now=DIGEST_TIME + timedelta(hours=1), settings=settings
    )
    assert {o.state for o in again} == {"sent"} and all("already handled" in o.detail for o in again)
    assert len(fake_slack.posts()) == 3


def test_the_leadership_channel_setting_overrides_the_environment(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    session.add(WorkspaceSettings(leadership_channel="C0BOARD001"))
    session.commit()
    [outcome] = run_digests(engine, client_for(fake_slack), now=DIGEST_TIME, settings=settings)
    assert outcome.target == "C0BOARD001" and outcome.state == "sent"


def test_a_failed_upload_never_holds_the_text_back(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 3)
    fake_slack.fail("files.completeUploadExternal", "not_in_channel")
    outcome = run_digest(
        engine, client_for(fake_slack), now=DIGEST_TIME, settings=settings, channel=LEADERSHIP_CHANNEL
    )
    assert outcome.state == "sent" and "chart not uploaded: not_in_channel" in outcome.detail
    assert len(digest_posts(fake_slack)) == 1 and fake_slack.files == []
    assert states(session) == {(DIGEST, LEADERSHIP_CHANNEL): "sent", (CHART, LEADERSHIP_CHANNEL): "failed"}
    [chart] = [r for r in session.exec(select(RitualRun)) if r.ritual == CHART]
    assert chart.error == "not_in_channel"


def test_not_due_before_the_digest_hour(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 1)
    early = DIGEST_TIME - timedelta(hours=1)  # 15:30 in Paris: due at 16:00
    outcome = run_digest(
        engine, client_for(fake_slack), now=early, settings=settings, channel=LEADERSHIP_CHANNEL
    )
    assert outcome.state == "not due" and fake_slack.posts() == []


def test_twice_or_after_a_restart_it_posts_once(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings, database_url: str
) -> None:
    seed(session, 70)
    first = run_digest(
        engine, client_for(fake_slack), now=DIGEST_TIME, settings=settings, channel=LEADERSHIP_CHANNEL
    )
    posted = len(fake_slack.posts())
    again = run_digest(
        engine, client_for(fake_slack), now=DIGEST_TIME, settings=settings, channel=LEADERSHIP_CHANNEL
    )
    restarted_engine = make_engine(database_url)  # a new process: nothing in memory survives
    try:
        restarted = run_digest(
            restarted_engine,
            client_for(fake_slack),
            now=DIGEST_TIME + LEASE * 3,
            settings=settings,
            channel=LEADERSHIP_CHANNEL,
        )
    finally:
        restarted_engine.dispose()
    assert first.state == "sent" and again.state == "sent" and restarted.state == "sent"
    assert "already handled" in again.detail and "already handled" in restarted.detail
    assert len(fake_slack.posts()) == posted and len(fake_slack.files) == 1


def test_a_part_refused_half_way_is_retried_without_a_second_head(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 120)
    client = client_for(fake_slack)
    original = fake_slack.answer
    calls = {"posts": 0}

    def third_post_fails(method: str, args: dict, token: str | None):  # type: ignore[no-untyped-def]
        if method == "chat.postMessage":
            calls["posts"] += 1
            if calls["posts"] == 3:
                return 200, {"ok": False, "error": "fatal_error"}, {}
        return original(method, args, token)

    fake_slack.answer = third_post_fails  # type: ignore[method-assign]
    failed = run_digest(engine, client, now=DIGEST_TIME, settings=settings, channel=LEADERSHIP_CHANNEL)
    assert failed.state == "failed" and failed.detail == "fatal_error"
    assert len(digest_posts(fake_slack)) == 2  # the head and part 2
    [run] = session.exec(select(RitualRun).where(RitualRun.ritual == DIGEST)).all()
    assert run.message_ts == digest_posts(fake_slack)[0]["ts"]
    fake_slack.answer = original  # type: ignore[method-assign]

    retried = run_digest(
        engine, client, now=DIGEST_TIME + timedelta(minutes=5), settings=settings, channel=LEADERSHIP_CHANNEL
    )
    assert retried.state == "sent"
    posts = digest_posts(fake_slack)
    assert [p["thread_ts"] is None for p in posts].count(True) == 1
    parts = [p["metadata"]["event_payload"]["part"] for p in posts]
    assert (
        parts == list(range(1, len(posts) + 1))
        and parts[-1] == posts[0]["metadata"]["event_payload"]["parts"]
    )


def test_a_run_that_died_after_the_head_is_taken_over_and_finds_it_by_its_metadata(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings
) -> None:
    seed(session, 120)
    client = client_for(fake_slack)
    assert (
        run_digest(engine, client, now=DIGEST_TIME, settings=settings, channel=LEADERSHIP_CHANNEL).state
        == "sent"
    )
    full = digest_posts(fake_slack)
    # Rewind to a crash right after the head was posted, before its ts was recorded: only the head is in
    # Slack, and the claim is still `claimed` with no message_ts.
    fake_slack.reset()
    head = client.chat_postMessage(
        channel=LEADERSHIP_CHANNEL,
        text=full[0]["text"],
        blocks=full[0]["blocks"],
        metadata=full[0]["metadata"],
    )
    with engine.begin() as connection:
        connection.execute(update(RitualRun).values(state="claimed", message_ts=None, finished_at=None))
        connection.execute(RitualRun.__table__.delete().where(col(RitualRun.ritual) == CHART))  # type: ignore[attr-defined]

    too_soon = run_digest(
        engine, client, now=DIGEST_TIME + LEASE / 2, settings=settings, channel=LEADERSHIP_CHANNEL
    )
    assert too_soon.state == "claimed" and len(fake_slack.posts()) == 1  # it may still be running
    taken_over = run_digest(
        engine, client, now=DIGEST_TIME + LEASE * 2, settings=settings, channel=LEADERSHIP_CHANNEL
    )
    assert taken_over.state == "sent"
    posts = digest_posts(fake_slack)
    assert posts[0]["ts"] == head["ts"] and all(p["thread_ts"] == head["ts"] for p in posts[1:])
    assert len(posts) == len(full)
    assert [p["metadata"]["event_payload"]["part"] for p in posts] == list(range(1, len(full) + 1))


@pytest.mark.parametrize("language", ["fr"])
def test_the_digest_speaks_the_workspace_language(
    engine: Engine, session: Session, fake_slack: FakeSlack, settings: Settings, language: str
) -> None:
    seed(session, 2)
    session.add(WorkspaceSettings(language=language))
    session.commit()
    run_digest(engine, client_for(fake_slack), now=DIGEST_TIME, settings=settings, channel=LEADERSHIP_CHANNEL)
    [post] = digest_posts(fake_slack)
    assert post["blocks"][0]["text"]["text"] == "Point hebdomadaire — 2026-W48"
    assert fake_slack.files[0]["title"] == "Portefeuille 2026-Q4"
