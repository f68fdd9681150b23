"""Listeners are module-level functions, tested as the starter template tests them: imported, and called
with a mocked `ack` and a context holding the app's Deps (what the middleware puts there)."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest.mock import MagicMock

from slack_bolt import BoltContext, BoltRequest
from slack_sdk import WebClient
from sqlmodel import Session

from bot.app import build_app
from bot.deps import Deps, deps_of, lang_of, workspace_of_request
from bot.sandbox.webapi import FakeSlack
from handlers import commands, events, with_deps
from storage.models import Person
from tests.conftest import RunningBaton
from tests.slack_requests import wait_for


def request(*, lazy: bool) -> BoltRequest:
    return BoltRequest(body="{}", headers={"x-slack-bolt-lazy-only": ["1"]} if lazy else {})


def context_for(
    deps: Deps, *, lazy: bool = False, user: str = "U0OWNER001", client: WebClient | None = None
) -> BoltContext:
    context = BoltContext(user_id=user, client=client)
    with_deps(deps)(context, request(lazy=lazy), lambda: None)
    return context


def test_the_middleware_hands_every_listener_the_apps_deps(baton: RunningBaton) -> None:
    called = MagicMock()
    context = BoltContext()
    with_deps(baton.deps)(context, request(lazy=False), called)
    assert deps_of(context) is baton.deps and called.call_count == 1  # and the chain goes on
    assert "lang" not in context and "workspace" not in context  # an ack function reads nothing


def test_the_work_after_an_ack_gets_the_workspace_and_the_readers_language(
    baton: RunningBaton, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U0FRENCH01", name="Amélie", locale="fr-FR")
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    context = context_for(baton.deps, lazy=True, user="U0FRENCH01", client=client)
    assert lang_of(context) == "fr"  # a newcomer, looked up in Slack first
    assert workspace_of_request(context).tz.key == baton.deps.settings.org_timezone.key


def known(session: Session, user: str = "U0OWNER001") -> None:
    """Someone Baton has looked up already: it knows which language to answer them in."""
    session.add(Person(user_id=user, locale="en-US", fetched_at=datetime(2026, 11, 23, tzinfo=UTC)))
    session.commit()


def test_okr_help_is_answered_in_the_ack_itself(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    known(session)
    ack, respond = MagicMock(), MagicMock()
    command = {"text": "help", "user_id": "U0OWNER001", "trigger_id": "t"}
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    before = len(fake_slack.calls)
    commands.okr_ack(ack=ack, command=command, context=context_for(baton.deps))
    [answer] = [call.kwargs for call in ack.call_args_list]
    assert "/okr update" in str(answer["blocks"])
    lazy = context_for(baton.deps, lazy=True, client=client)
    before = len(fake_slack.calls)
    commands.okr(command=command, client=client, respond=respond, context=lazy)
    assert respond.call_count == 0 and len(fake_slack.calls) == before  # nothing after the ack


def test_an_unknown_subcommand_gets_the_help_naming_it(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    known(session)
    ack = MagicMock()
    command = {"text": "frobnicate now", "user_id": "U0OWNER001", "trigger_id": "t"}
    commands.okr_ack(ack=ack, command=command, context=context_for(baton.deps))
    assert "frobnicate" in str(ack.call_args.kwargs)


def test_only_the_home_tab_rebuilds_the_home(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    event = {"type": "app_home_opened", "user": "U0OWNER001", "tab": "messages"}
    context = context_for(baton.deps, lazy=True, client=client)  # the middleware knows who it is now
    before = len(fake_slack.calls)
    events.home_opened(event=event, client=client, context=context)
    assert len(fake_slack.calls) == before  # no views.publish


def test_help_is_generated_from_the_table_that_routes_okr() -> None:
    listed = [usage.split()[0] for usage, _ in commands.HELP]
    assert listed == [*commands.COMMANDS, "help"]
    assert all(name == sub.usage.split()[0] for name, sub in commands.COMMANDS.items())
    assert set(commands.ALIASES.values()) <= commands.COMMANDS.keys()


def test_socket_mode_runs_the_work_after_the_ack_too(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    """Socket Mode has no raw body nor signature: the lazy function's second dispatch takes the payload
    itself, and answers as the HTTP one does."""
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    app = build_app(baton.deps, client=client, socket_mode=True)
    command = {"command": "/okr", "text": "who", "user_id": "U0OWNER001", "team_id": "T0BATON01"}
    command |= {"trigger_id": "1.2.3", "channel_id": "D0OWNER001", "response_url": fake_slack.response_url()}
    response = app.dispatch(BoltRequest(body=command, mode="socket_mode"))
    assert response.status == 200 and not response.body  # the ack: nothing to show yet
    [answer] = wait_for(lambda: fake_slack.responses)
    assert answer["response_type"] == "ephemeral"
