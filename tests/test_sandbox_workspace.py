"""The sandbox workspace answers the Web API as Slack does where a person's client shows the difference:
trigger ids, modal stacks, view updates, ephemeral messages, response_url semantics."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.directory import LEA, LEADERSHIP, populate
from bot.sandbox.workspace import Target, Workspace, with_ids

MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Update"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
}
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "Prompt"}}]


@pytest.fixture
def workspace() -> Iterator[Workspace]:
    ws = Workspace()
    populate(ws)
    ws.start()
    yield ws
    ws.stop()


@pytest.fixture
def client(workspace: Workspace) -> WebClient:
    return WebClient(token=workspace.token, base_url=workspace.api_url)


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as refused:
        call()
    return str(refused.value.response["error"])


def test_a_trigger_opens_one_modal_for_the_person_who_acted(workspace: Workspace, client: WebClient) -> None:
    trigger = workspace.trigger(LEA.id)
    opened = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert workspace.top_modal(LEA.id)["id"] == opened["id"]  # type: ignore[index]
    assert opened["blocks"][0]["block_id"]  # Slack fills in the ids the app left out
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == "invalid_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="made-up", view=MODAL)) == "invalid_trigger_id"


def test_a_trigger_expires_after_three_seconds(
    workspace: Workspace, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    trigger = workspace.trigger(LEA.id)
    later = time.monotonic() + 3.5
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == "expired_trigger_id"


def test_push_update_and_hash(workspace: Workspace, client: WebClient) -> None:
    root = client.views_open(trigger_id=workspace.trigger(LEA.id), view=MODAL)["view"]
    pushed = client.views_push(trigger_id=workspace.trigger(LEA.id), view=MODAL)["view"]
    assert workspace.modal_depth(LEA.id) == 2 and pushed["previous_view_id"] == root["id"]
    changed = {**MODAL, "title": {"type": "plain_text", "text": "Changed"}}
    updated = client.views_update(view_id=root["id"], view=changed, hash=root["hash"])["view"]
    assert updated["id"] == root["id"] and updated["hash"] != root["hash"]
    assert workspace.view(root["id"])["title"]["text"] == "Changed"  # type: ignore[index]
    assert error_of(lambda: client.views_update(view_id=root["id"], view=MODAL, hash=root["hash"])) == (
        "hash_conflict"
    )
    client.views_push(trigger_id=workspace.trigger(LEA.id), view=MODAL)
    assert error_of(lambda: client.views_push(trigger_id=workspace.trigger(LEA.id), view=MODAL)) == (
        "push_limit_reached"
    )


def test_invalid_views_are_refused_and_shown(workspace: Workspace, client: WebClient) -> None:
    too_long = {**MODAL, "title": {"type": "plain_text", "text": "A title far longer than Slack allows"}}
    error = error_of(lambda: client.views_open(trigger_id=workspace.trigger(LEA.id), view=too_long))
    assert error.startswith("invalid_arguments")
    assert workspace.refusals[-1]["method"] == "views.open"


def test_home_is_published_per_person_and_keeps_its_id(workspace: Workspace, client: WebClient) -> None:
    home = {"type": "home", "blocks": BLOCKS}
    first = client.views_publish(user_id=LEA.id, view=home)["view"]
    second = client.views_publish(user_id=LEA.id, view=home)["view"]
    assert first["id"] == second["id"] and workspace.homes[LEA.id]["blocks"][0]["block_id"]
    assert error_of(lambda: client.views_publish(user_id="U0NOBODY1", view=home)) == "user_not_found"


def test_ephemeral_messages_are_seen_only_by_their_person(workspace: Workspace, client: WebClient) -> None:
    client.chat_postEphemeral(channel=LEADERSHIP, user=LEA.id, text="only Léa")
    assert [m["text"] for m in workspace.history(LEADERSHIP, LEA.id)] == ["only Léa"]
    assert workspace.history(LEADERSHIP, "U0CAMILLE") == []


def test_channel_names_reach_the_channel(workspace: Workspace, client: WebClient) -> None:
    client.chat_postMessage(channel="#leadership", text="digest")
    assert [m["text"] for m in workspace.history(LEADERSHIP, LEA.id)] == ["digest"]


def test_response_url_replaces_the_message_acted_on_unless_told_otherwise(
    workspace: Workspace, client: WebClient
) -> None:
    dm = workspace.dm_of(LEA.id)
    posted = client.chat_postMessage(channel=LEA.id, text="prompt", blocks=BLOCKS)
    url = workspace.response_url_for(Target(LEA.id, dm, posted["ts"]))
    name = url.rsplit("/", 1)[1]
    workspace.respond(name, {"text": "answered"})
    assert [m["text"] for m in workspace.history(dm, LEA.id)] == ["answered"]
    workspace.respond(name, {"text": "just for you", "replace_original": False})
    shown = workspace.history(dm, LEA.id)
    assert [m["text"] for m in shown] == ["answered", "just for you"]
    assert "ephemeral_for" in shown[1]
    workspace.respond(name, {"delete_original": True})
    assert [m["text"] for m in workspace.history(dm, LEA.id)] == ["just for you"]


def test_slash_command_responses_are_ephemeral_unless_in_channel(workspace: Workspace) -> None:
    name = workspace.response_url_for(Target(LEA.id, LEADERSHIP)).rsplit("/", 1)[1]
    workspace.respond(name, {"text": "private"})
    workspace.respond(name, {"text": "public", "response_type": "in_channel"})
    assert [m["text"] for m in workspace.history(LEADERSHIP, "U0CAMILLE")] == ["public"]
    assert [m["text"] for m in workspace.history(LEADERSHIP, LEA.id)] == ["private", "public"]


def test_every_block_and_element_gets_an_id() -> None:
    blocks = with_ids(
        [
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "x"}}],
            },
            {"type": "section", "block_id": "mine", "text": {"type": "mrkdwn", "text": "y"}},
        ]
    )
    assert blocks[0]["block_id"] and blocks[0]["elements"][0]["action_id"]
    assert blocks[1]["block_id"] == "mine"


def test_message_timestamps_follow_the_sandbox_clock(workspace: Workspace, client: WebClient) -> None:
    from datetime import UTC, datetime

    workspace.clock = lambda: datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    ts = client.chat_postMessage(channel=LEADERSHIP, text="hello")["ts"]
    assert float(ts) == pytest.approx(datetime(2026, 11, 23, 8, 0, tzinfo=UTC).timestamp())
