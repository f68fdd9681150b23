"""Issue 13, rules 1-3: channel names are not ids, Baton reads only where it is a member, and every part of a
thread goes out through the paced outbox.

Slack's rules, as the fake now applies them: conversations.history, .replies, .members and .join take a
conversation id (`channel`: "ID of conversation", an unknown value is `channel_not_found`), history is
refused to a non-member (`not_in_channel`, although chat:write.public lets it post), conversations.join
makes the bot a member of a public channel (`method_not_supported_for_channel_type` for a private one,
`already_in_channel` as a warning), and chat.postMessage is paced at about one message per second per
channel (429 with Retry-After)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot import replies
from bot.clock import system_clock
from bot.config import ConfigError, Settings
from bot.delivery.outbox import enqueue_post, enqueue_thread
from bot.delivery.sender import Sender, SenderConfig
from bot.sandbox.webapi import BOT_USER_ID, FakeSlack
from bot.workspace.channels import resolve_channel_settings, resolved_settings
from bot.workspace.settings import SettingError
from storage.models import AuditLog, Delivery, DeliveryKind, DeliveryState, WorkspaceSettings
from tests.conftest import ADMIN, ManualClock, run_baton
from tests.slack_requests import wait_for

COMEX = "C0COMEX001"


def client_of(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.token, base_url=fake.api_url, timeout=2, retry_handlers=[])


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()  # type: ignore[operator]
    return str(raised.value.response["error"])


# -- the fake ---------------------------------------------------------------------------------------
def test_the_fake_reads_channels_by_id_only_and_only_as_a_member(fake_slack: FakeSlack) -> None:
    fake_slack.add_channel(COMEX, "comex", members=["U0CEO00001"])
    fake_slack.add_channel("G0SECRET01", "secret", members=["U0CEO00001"], private=True)
    client = client_of(fake_slack)
    posted = client.chat_postMessage(channel=COMEX, text="hello")  # chat:write.public: posting is fine
    for method in (client.conversations_history, client.conversations_members, client.conversations_join):
        assert error_of(lambda m=method: m(channel="#comex")) == "channel_not_found"
    assert error_of(lambda: client.conversations_replies(channel="#comex", ts=posted["ts"])) == (
        "channel_not_found"
    )
    assert error_of(lambda: client.conversations_history(channel=COMEX)) == "not_in_channel"
    assert error_of(lambda: client.conversations_replies(channel=COMEX, ts=posted["ts"])) == "not_in_channel"
    assert error_of(lambda: client.conversations_join(channel="G0SECRET01")) == (
        "method_not_supported_for_channel_type"
    )
    joined = client.conversations_join(channel=COMEX)
    assert joined["channel"]["id"] == COMEX and joined["channel"]["is_member"] and "warning" not in joined
    assert BOT_USER_ID in fake_slack.channels[COMEX]["members"]
    assert client.conversations_join(channel=COMEX)["warning"] == "already_in_channel"
    assert [m["ts"] for m in client.conversations_history(channel=COMEX)["messages"]] == [posted["ts"]]


def test_the_fake_lists_private_channels_only_to_their_members(fake_slack: FakeSlack) -> None:
    fake_slack.add_channel("G0SECRET01", "secret", members=["U0CEO00001"], private=True)
    fake_slack.add_channel("G0OURS0001", "ours", members=[BOT_USER_ID], private=True)
    fake_slack.add_channel("C0OLD00001", "old", members=[], archived=True)
    client = client_of(fake_slack)
    listed = client.conversations_list(types="public_channel,private_channel", exclude_archived=True)
    assert [c["id"] for c in listed["channels"]] == ["G0OURS0001"]
    assert [c["id"] for c in client.conversations_list()["channels"]] == ["C0OLD00001"]


# -- names become ids, once, when the setting is given ----------------------------------------------
def test_a_channel_name_is_resolved_to_its_id_across_pages_and_the_channel_joined(
    fake_slack: FakeSlack,
) -> None:
    for n in range(250):  # the one wanted is on the second page of 200
        fake_slack.add_channel(f"C0AAA{n:04d}", f"team-{n:03d}", members=[])
    fake_slack.add_channel("C0ZZCOMEX1", "comex", members=["U0CEO00001"])
    fake_slack.add_channel("C0ZZFIN001", "finance", members=[])
    changes, notes = resolve_channel_settings(
        client_of(fake_slack),
        {"leadership_channel": "#comex", "team_channels": "Finance=#finance,Ops=", "checkin_hour": "9"},
    )
    assert changes == {
        "leadership_channel": "C0ZZCOMEX1",
        "team_channels": "Finance=C0ZZFIN001,Ops=",
        "checkin_hour": "9",
    }
    assert notes == ["#comex (C0ZZCOMEX1)", "#finance (C0ZZFIN001)"]
    assert len(fake_slack.calls_to("conversations.list")) >= 2  # paged with the cursor
    assert BOT_USER_ID in fake_slack.channels["C0ZZCOMEX1"]["members"]  # joined: Baton can read it back
    assert BOT_USER_ID in fake_slack.channels["C0ZZFIN001"]["members"]


def test_a_private_channel_that_cannot_be_joined_is_named_to_the_admin(fake_slack: FakeSlack) -> None:
    fake_slack.add_channel("G0BOARD001", "board", members=[BOT_USER_ID], private=True)
    fake_slack.add_channel("C0LOCKED01", "locked", members=[], private=True)
    changes, notes = resolve_channel_settings(client_of(fake_slack), {"leadership_channel": "#board"})
    assert changes == {"leadership_channel": "G0BOARD001"} and notes == ["#board (G0BOARD001)"]
    _, notes = resolve_channel_settings(client_of(fake_slack), {"leadership_channel": "C0LOCKED01"})
    assert notes == [
        "Baton could not join <#C0LOCKED01> (method_not_supported_for_channel_type): invite @Baton to it"
    ]


def test_the_modal_stores_the_id_of_a_named_channel_or_refuses_it_writing_nothing(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock, settings: Settings
) -> None:
    fake_slack.add_channel(COMEX, "comex", members=[])
    client = client_of(fake_slack)
    with pytest.raises(SettingError) as refused:
        replies.save_settings(
            engine,
            settings,
            {"leadership_channel": "#nowhere", "checkin_hour": "7"},
            actor=ADMIN,
            now=clock(),
            client=client,
        )
    assert refused.value.name == "leadership_channel"
    why = "no channel #nowhere that Baton can see: invite @Baton or give the channel id"
    assert why in str(refused.value)
    assert session.get(WorkspaceSettings, 1) is None and not session.exec(select(AuditLog)).all()
    notes = replies.save_settings(
        engine, settings, {"leadership_channel": "#comex"}, actor=ADMIN, now=clock(), client=client
    )
    assert notes == [f"#comex ({COMEX})"]
    session.expire_all()
    assert session.get_one(WorkspaceSettings, 1).leadership_channel == COMEX
    assert not fake_slack.calls_to("conversations.join")  # within the ack: no call for what is an id


def test_leadership_channel_from_the_environment_is_resolved_at_start_up(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel(COMEX, "comex", members=[])
    named = settings.model_copy(update={"leadership_channel": "#comex"})
    assert resolved_settings(named, client_of(fake_slack)).leadership_channel == COMEX
    assert BOT_USER_ID in fake_slack.channels[COMEX]["members"]
    missing = settings.model_copy(update={"leadership_channel": "#nowhere"})
    with pytest.raises(ConfigError) as stopped:
        resolved_settings(missing, client_of(fake_slack))
    assert str(stopped.value) == (
        "invalid setting LEADERSHIP_CHANNEL: no channel #nowhere that Baton can see: "
        "invite @Baton or give the channel id"
    )


def test_the_cli_says_which_id_a_channel_name_is_and_refuses_an_unknown_one(
    env: dict[str, str], tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel(COMEX, "comex", members=[])
    changed = run_baton(env, tmp_path, "settings", "set", "leadership_channel=#comex")
    assert changed.returncode == 0, changed.stderr
    lines = changed.stdout.splitlines()
    assert f"#comex ({COMEX})" in lines and f"leadership_channel={COMEX}" in lines
    refused = run_baton(env, tmp_path, "settings", "set", "checkin_hour=7", "leadership_channel=#nowhere")
    assert refused.returncode == 1
    assert "leadership_channel: no channel #nowhere that Baton can see: invite @Baton" in refused.stderr
    shown = run_baton(env, tmp_path, "settings", "show").stdout.splitlines()
    assert f"leadership_channel={COMEX}" in shown and "checkin_hour=9" in shown  # nothing half-applied


def test_a_leadership_channel_name_slack_does_not_know_stops_start_up_in_one_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = run_baton({**env, "LEADERSHIP_CHANNEL": "#nowhere"}, tmp_path, "rituals", "run", "digest")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "baton: invalid setting LEADERSHIP_CHANNEL: no channel #nowhere that Baton can see: "
        "invite @Baton or give the channel id"
    ]


# -- the sender never depends on reading history ---------------------------------------------------
def sender_of(engine: Engine, fake: FakeSlack, clock: object, **config: object) -> Sender:
    return Sender(engine, client_of(fake), clock, SenderConfig(**config))  # type: ignore[arg-type]


def test_a_timed_out_post_where_baton_cannot_read_is_sent_not_retried_forever(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    fake_slack.add_channel("G0BOARD001", "board", members=["U0CEO00001"], private=True)  # cannot be joined
    delivery = enqueue_post(
        session, kind=DeliveryKind.ESCALATION, channel="G0BOARD001", message={"text": "alert"}, now=clock()
    )
    session.commit()
    fake_slack.fail("chat.postMessage", "internal_error", status=500)
    sender = sender_of(engine, fake_slack, clock)
    assert sender.drain().retried == 1
    clock.now += timedelta(minutes=10)
    stats = sender.drain()  # history says not_in_channel: the outbox's own record decides, and it goes
    assert (stats.sent, stats.retried, stats.failed) == (1, 0, 0)
    session.refresh(delivery)
    assert delivery.state == DeliveryState.SENT and delivery.message_ts == fake_slack.posts()[0]["ts"]
    assert len(fake_slack.posts()) == 1


def test_a_timed_out_post_to_a_public_channel_baton_is_not_in_is_found_after_joining(
    engine: Engine, session: Session, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    fake_slack.add_channel(COMEX, "comex", members=["U0CEO00001"])
    enqueue_post(session, kind=DeliveryKind.DIGEST, channel=COMEX, message={"text": "digest"}, now=clock())
    session.commit()
    fake_slack.hang("chat.postMessage", 1.5)  # answers after our timeout, and posts all the same
    sender = Sender(
        engine,
        WebClient(token=fake_slack.token, base_url=fake_slack.api_url, timeout=1, retry_handlers=[]),
        clock,
    )
    assert sender.drain().retried == 1
    wait_for(lambda: fake_slack.posts())
    clock.now += timedelta(minutes=10)
    stats = sender.drain()
    assert (stats.sent, stats.recovered) == (1, 1)  # joined, read, found: not posted twice
    assert len(fake_slack.posts()) == 1 and fake_slack.calls_to("conversations.join")


# -- pacing of every part ---------------------------------------------------------------------------
def test_every_part_of_a_digest_and_a_review_is_paced_in_order_and_a_refused_part_retried(
    engine: Engine, session: Session, fake_slack: FakeSlack
) -> None:
    """Slack's ~1 message per second per channel, scaled down: the fake refuses a post that comes sooner
    than 0.2 s after the last one to that channel; the sender paces each channel at 0.45 s. Parts are
    thread replies (children): they are paced like heads, by the channel they go to."""
    fake_slack.channel_interval = 0.2
    fake_slack.add_channel(COMEX, "comex", members=["U0CEO00001"])  # not joined: no history to lean on
    now = system_clock()
    enqueue_thread(
        session,
        kind=DeliveryKind.DIGEST,
        channel=COMEX,
        messages=[{"text": f"digest {n}"} for n in range(1, 14)],
        now=now,
    )
    enqueue_thread(
        session,
        kind=DeliveryKind.REVIEW,
        channel=COMEX,
        messages=[{"text": f"review {n}"} for n in range(1, 5)],
        now=now,
    )
    session.commit()
    fake_slack.fail("chat.postMessage", "internal_error", status=500)  # a part Slack refuses: retried
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)  # and one it defers
    sender = sender_of(engine, fake_slack, system_clock, channel_interval=0.45, backoff=0.05)
    stats = sender.drain_all(timeout=60)
    assert (stats.sent, stats.failed, stats.retried) == (17, 0, 1)
    assert fake_slack.ratelimited == 0  # the fake's own pacing refused none of the 17
    posts = fake_slack.posts()
    assert len(posts) == 17
    for name, count in (("digest", 13), ("review", 4)):
        thread = [p for p in posts if p["text"].startswith(name)]
        head = thread[0]
        assert [p["text"] for p in thread] == [f"{name} {n}" for n in range(1, count + 1)]  # in order
        assert head["thread_ts"] is None and all(p["thread_ts"] == head["ts"] for p in thread[1:])
    session.expire_all()
    rows = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
    assert all(row.state == DeliveryState.SENT and row.message_ts for row in rows)


def test_the_settings_row_never_stores_a_channel_name(session: Session, clock: ManualClock) -> None:
    """Below the services that resolve names, the row itself refuses one: only ids are stored."""
    from bot.workspace.settings import save_settings

    for changes in ({"leadership_channel": "#comex"}, {"team_channels": "Finance=#finance"}):
        with pytest.raises(SettingError) as refused:
            save_settings(session, changes, actor="cli", now=clock())
        assert "must be looked up in Slack first: give the channel id" in str(refused.value)
