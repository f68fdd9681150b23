"""Listeners are module-level functions, tested as the starter template tests them: imported, and called
with a mocked `ack` and a context holding the app's Deps (what the middleware puts there)."""

from __future__ import annotations

from unittest.mock import MagicMock

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.deps import Deps, deps_of
from bot.sandbox.webapi import FakeSlack
from bot.views import help as help_view
from handlers import commands, errors, events, with_deps
from tests.conftest import RunningBaton


def context_for(deps: Deps) -> BoltContext:
    context = BoltContext()
    with_deps(deps)(context, lambda: None)
    return context


def test_the_middleware_hands_every_listener_the_apps_deps(baton: RunningBaton) -> None:
    called = MagicMock()
    context = BoltContext()
    with_deps(baton.deps)(context, called)
    assert deps_of(context) is baton.deps and called.call_count == 1  # and the chain goes on


def test_okr_help_is_answered_in_the_ack_itself(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    ack, respond = MagicMock(), MagicMock()
    command = {"text": "help", "user_id": "U0OWNER001", "trigger_id": "t"}
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    before = len(fake_slack.calls)
    commands.okr(ack=ack, command=command, client=client, respond=respond, context=context_for(baton.deps))
    [answer] = [call.kwargs for call in ack.call_args_list]
    assert "/okr update" in str(answer["blocks"]) and respond.call_count == 0
    assert len(fake_slack.calls) == before  # no Web API call: nothing before the ack, nothing after it


def test_an_unknown_subcommand_gets_the_help_naming_it(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    ack = MagicMock()
    command = {"text": "frobnicate now", "user_id": "U0OWNER001", "trigger_id": "t"}
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    commands.okr(
        ack=ack, command=command, client=client, respond=MagicMock(), context=context_for(baton.deps)
    )
    assert "frobnicate" in str(ack.call_args.kwargs)


def test_only_the_home_tab_rebuilds_the_home(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    event = {"type": "app_home_opened", "user": "U0OWNER001", "tab": "messages"}
    before = len(fake_slack.calls)
    events.home_opened(event=event, client=client, context=context_for(baton.deps))
    assert len(fake_slack.calls) == before  # not even the person's profile was looked up


def test_an_unexpected_error_is_a_bare_500_never_a_trace() -> None:
    response = errors.on_error(error=RuntimeError("boom"), body={"type": "block_actions"})
    assert (response.status, response.body) == (500, "")


def test_help_lists_exactly_the_subcommands_okr_routes() -> None:
    listed = {usage.split()[0] for usage, _ in help_view.SUBCOMMANDS}
    assert listed == (commands.SUBCOMMANDS - {"roles"}) | {"help"}  # `roles` is `role`'s alias
