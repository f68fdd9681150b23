"""What every listener and ritual needs, built once at start-up and handed down."""

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.sender import Signal
from bot.home import publish_home
from bot.leadership import ChannelMembers
from bot.workspace import Workspace


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
    # Set when something was written to the outbox, so the sender sends it now rather than at its next poll.
    outbox_ready: Signal = field(default_factory=threading.Event)
    # Who is in the leadership channel(s), kept a few minutes: the App Home shows them the portfolio.
    leadership: ChannelMembers = field(default_factory=ChannelMembers)

    def __deepcopy__(self, memo: dict[int, Any]) -> "Deps":
        return self  # one for the process: Bolt deep-copies a request's context for its lazy functions


# A word an ack function leaves in `context` for its lazy functions (bot/lazy.py carries it over).
AFTER_ACK = "after_ack"


def ack_now(ack: Callable[..., None]) -> None:
    """The ack function of a listener whose work is all after the ack (its lazy function)."""
    ack()


def lang_of(context: Mapping[str, Any]) -> str:
    """The language of whoever the request comes from, for the work after the ack (the middleware,
    `handlers.with_deps`, resolves it for lazy functions only: an ack never waits for it)."""
    return str(context["lang"])


def workspace_of_request(context: Mapping[str, Any]) -> Workspace:
    """The Workspace, loaded once for the work after the ack (by the same middleware)."""
    workspace = context["workspace"]
    assert isinstance(workspace, Workspace)
    return workspace


def publish_home_of(context: Mapping[str, Any], client: WebClient, user: str, *, page: int = 1) -> None:
    """`publish_home` for the work after an ack, with what the middleware resolved for it."""
    deps = deps_of(context)
    publish_home(
        deps.engine,
        deps.settings,
        client,
        user,
        workspace=workspace_of_request(context),
        lang=lang_of(context),
        members=deps.leadership,
        now=deps.clock(),
        page=page,
    )


def deps_of(context: Mapping[str, Any]) -> Deps:
    """The Deps a listener runs with: the middleware (`handlers.register_all`) puts them in Bolt's context."""
    deps = context["deps"]
    assert isinstance(deps, Deps)
    return deps
