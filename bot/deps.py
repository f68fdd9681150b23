"""What every listener and ritual needs, built once at start-up and handed down."""

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bot.clock import Clock
from bot.config import Settings
from bot.leadership import ChannelMembers


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
    # Set when something was written to the outbox, so the sender sends it now rather than at its next poll.
    outbox_ready: threading.Event = field(default_factory=threading.Event)
    # Who is in the leadership channel(s), kept a few minutes: the App Home shows them the portfolio.
    leadership: ChannelMembers = field(default_factory=ChannelMembers)


def deps_of(context: Mapping[str, Any]) -> Deps:
    """The Deps a listener runs with: the middleware (`handlers.register_all`) puts them in Bolt's context."""
    deps = context["deps"]
    assert isinstance(deps, Deps)
    return deps
