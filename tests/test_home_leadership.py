"""App Home for leadership: the members of the leadership channel(s) see the portfolio as admins do.
Members come from conversations.members, every page, kept ten minutes; a Slack failure means no portfolio."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot import leadership
from bot.leadership import ChannelMembers
from bot.sandbox.directory import JORDAN, PRIYA
from bot.sandbox.runner import Running, start
from bot.sandbox.webapi import FakeSlack
from storage.models import WorkspaceSettings
from tests.conftest import ADMIN, LEADERSHIP_CHANNEL, ManualClock, RunningBaton
from tests.slack_requests import wait_for
from tests.test_home import open_home, published, roadmap  # noqa: F401  (roadmap: a fixture)

EXECUTIVE = "U0EXEC001"
OWNER = "U0PARIS01"  # responsible for two initiatives of the roadmap, neither admin nor leadership
PORTFOLIO = "Portfolio by department"
FRIDAY_10_PARIS = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the sandbox demo's Friday


@pytest.fixture
def people(fake_slack: FakeSlack) -> None:
    fake_slack.add_user(EXECUTIVE, name="Executive")
    fake_slack.add_user(OWNER, name="Owner")


def home_text(baton: RunningBaton, fake_slack: FakeSlack, user: str, count: int = 1) -> str:
    assert open_home(baton, user).status_code == 200
    return json.dumps(published(fake_slack, user, count), ensure_ascii=False)


@pytest.mark.usefixtures("people", "roadmap")
def test_a_leadership_member_who_is_not_an_admin_sees_the_portfolio(
    baton: RunningBaton, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel(LEADERSHIP_CHANNEL, "leadership", members=["U0SOMEONE", EXECUTIVE])
    text = home_text(baton, fake_slack, EXECUTIVE)
    assert (
        PORTFOLIO in text
        and "*No department* " + ":white_large_square:" * 4 + "\\n:white_circle: No update yet 4" in text
    )
    assert "What changed in 2026-W48* (0)" in text and "Your initiatives* (0)" in text
    asked = [(c["channel"], c["limit"]) for c in fake_slack.calls_to("conversations.members")]
    assert asked == [(LEADERSHIP_CHANNEL, "200")]


@pytest.mark.usefixtures("people", "roadmap")
def test_someone_outside_the_channel_does_not(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    fake_slack.add_channel(LEADERSHIP_CHANNEL, "leadership", members=[EXECUTIVE])
    text = home_text(baton, fake_slack, OWNER)
    assert "Your initiatives* (2)" in text and PORTFOLIO not in text and "What changed" not in text


@pytest.mark.usefixtures("people", "roadmap")
def test_members_are_asked_once_per_ten_minutes(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    fake_slack.add_channel(LEADERSHIP_CHANNEL, "leadership", members=[EXECUTIVE])
    assert PORTFOLIO in home_text(baton, fake_slack, EXECUTIVE)
    clock.now += timedelta(minutes=9, seconds=59)
    assert PORTFOLIO in home_text(baton, fake_slack, EXECUTIVE, 2)
    assert PORTFOLIO not in home_text(baton, fake_slack, OWNER)  # answered from the same lookup
    assert len(fake_slack.calls_to("conversations.members")) == 1
    fake_slack.channels[LEADERSHIP_CHANNEL]["members"].remove(EXECUTIVE)  # they left the channel
    clock.now += timedelta(seconds=1)
    assert PORTFOLIO not in home_text(baton, fake_slack, EXECUTIVE, 3)
    assert len(fake_slack.calls_to("conversations.members")) == 2


@pytest.mark.usefixtures("roadmap")
def test_an_admin_is_not_looked_up(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    assert PORTFOLIO in home_text(baton, fake_slack, ADMIN)
    assert fake_slack.calls_to("conversations.members") == []


@pytest.mark.usefixtures("people", "roadmap")
@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "internal_error"])
def test_slack_failing_means_no_portfolio_and_no_crash(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, error: str
) -> None:
    fake_slack.add_channel(LEADERSHIP_CHANNEL, "leadership", members=[EXECUTIVE])
    fake_slack.fail("conversations.members", error, status=500 if error == "internal_error" else 200)
    text = home_text(baton, fake_slack, EXECUTIVE)
    assert "Your initiatives* (0)" in text and PORTFOLIO not in text
    home_text(baton, fake_slack, EXECUTIVE, 2)
    assert len(fake_slack.calls_to("conversations.members")) == 1  # the failure is remembered a minute
    clock.now += timedelta(minutes=1)
    assert PORTFOLIO in home_text(baton, fake_slack, EXECUTIVE, 3)  # then asked again


@pytest.mark.usefixtures("people", "roadmap")
def test_every_page_of_members_is_read(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    crowd = [f"U{n:08d}" for n in range(450)]
    fake_slack.add_channel(LEADERSHIP_CHANNEL, "leadership", members=[*crowd, EXECUTIVE])
    assert PORTFOLIO in home_text(baton, fake_slack, EXECUTIVE)  # the last of 451
    cursors = [call.get("cursor") for call in fake_slack.calls_to("conversations.members")]
    assert cursors == [None, "200", "400"]


@pytest.mark.usefixtures("people", "roadmap")
def test_a_channel_set_by_name_in_the_workspace_settings(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    fake_slack.add_channel(LEADERSHIP_CHANNEL, "leadership", members=[OWNER])  # LEADERSHIP_CHANNEL, unused
    fake_slack.add_channel("C0OTHER01", "general", members=[OWNER, EXECUTIVE])
    fake_slack.add_channel("C0COMEX01", "comex", members=[EXECUTIVE])
    session.add(WorkspaceSettings(leadership_channel="#comex"))
    session.commit()
    assert PORTFOLIO in home_text(baton, fake_slack, EXECUTIVE)
    assert PORTFOLIO not in home_text(baton, fake_slack, OWNER)
    assert [c["channel"] for c in fake_slack.calls_to("conversations.members")] == ["C0COMEX01"]
    assert len(fake_slack.calls_to("conversations.list")) == 1  # the name is resolved once, and kept


def test_several_leadership_channels_and_an_unknown_name(
    fake_slack: FakeSlack, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[dict[str, Any]] = []
    monkeypatch.setattr(leadership.log, "warning", lambda event, **fields: logged.append(fields))
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    fake_slack.add_channel("C0COMEX01", "comex", members=[EXECUTIVE])
    members = ChannelMembers()
    for _ in range(2):
        assert members.of(client, "#board", now=clock()) == frozenset()
        assert members.of(client, "C0COMEX01", now=clock()) == {EXECUTIVE}
    assert logged == [{"channel": "#board", "error": "channel_not_found"}]  # logged once, not per opening
    members.clear()
    assert members.of(client, "#comex", now=clock()) == {EXECUTIVE}
    assert len(fake_slack.calls_to("conversations.members")) == 2


def test_slack_unreachable_is_no_one(clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    logged: list[dict[str, Any]] = []
    monkeypatch.setattr(leadership.log, "warning", lambda event, **fields: logged.append(fields))
    nowhere = WebClient(
        token="xoxb-test-token", base_url="http://127.0.0.1:9/api/", timeout=2, retry_handlers=[]
    )
    assert ChannelMembers().of(nowhere, LEADERSHIP_CHANNEL, now=clock()) == frozenset()
    assert len(logged) == 1 and "Connection refused" in logged[0]["error"]


def test_the_fake_lists_channels_without_members(fake_slack: FakeSlack) -> None:
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    fake_slack.add_member("C0NEW0001", EXECUTIVE)
    listed = client.conversations_list()["channels"]
    assert listed == [
        {
            "id": "C0NEW0001",
            "name": "c0new0001",
            "is_channel": True,
            "is_private": False,
            "is_archived": False,
            "topic": "",
            "num_members": 1,
        }
    ]
    assert client.conversations_members(channel="C0NEW0001")["members"] == [EXECUTIVE]


@pytest.fixture
def sandbox(engine: Engine, database_url: str) -> Iterator[Running]:
    handle = start(port=0, database_url=database_url, start_at=FRIDAY_10_PARIS, demo=True)
    yield handle
    handle.stop()


def test_in_the_sandbox_the_cfo_sees_the_portfolio(sandbox: Running) -> None:
    """Priya (CFO, executive, not an admin) is in #leadership; Jordan is not."""
    workspace = sandbox.sandbox.workspace
    for person in (PRIYA, JORDAN):
        sandbox.sandbox.open_home(person.id)
    homes = {p.id: json.dumps(wait_for(partial(workspace.homes.get, p.id))) for p in (PRIYA, JORDAN)}
    assert PORTFOLIO in homes[PRIYA.id] and PORTFOLIO not in homes[JORDAN.id]
