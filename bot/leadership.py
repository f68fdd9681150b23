"""Leadership: the members of the leadership channel(s), the weekly digest's targets. Like admins, they
see the portfolio in their App Home.

Members are asked of Slack (conversations.members, every page) and kept in this process for ten minutes,
so opening the App Home seldom calls Slack. A channel Slack will not list (not_in_channel,
channel_not_found, network trouble) has no members: logged, remembered for a minute, never raised.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.logs import get_logger
from bot.workspace.channels import UnknownChannel, channel_id

log = get_logger(__name__)

MEMBERS_TTL = timedelta(minutes=10)
FAILURE_TTL = timedelta(minutes=1)  # retried sooner than a success, yet not at every App Home opening
PAGE_SIZE = 200


@dataclass(frozen=True)
class _Entry:
    members: frozenset[str]
    fetched: datetime
    expires: datetime


class ChannelMembers:
    """The members of channels (by id or `#name`), each channel looked up at most once per TTL.
    Thread-safe: listeners run in Bolt's thread pool."""

    def __init__(self, ttl: timedelta = MEMBERS_TTL, failure_ttl: timedelta = FAILURE_TTL) -> None:
        self.ttl, self.failure_ttl = ttl, failure_ttl
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def of(self, client: WebClient, channel: str, *, now: datetime) -> frozenset[str]:
        with self._lock:
            entry = self._entries.get(channel)
        if entry is not None and entry.fetched <= now < entry.expires:  # a clock set back refetches
            return entry.members
        members = _fetch_members(client, channel)
        ttl = self.ttl if members is not None else self.failure_ttl
        entry = _Entry(members or frozenset(), now, now + ttl)
        with self._lock:
            self._entries[channel] = entry
        return entry.members

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def is_leadership(
    client: WebClient, user: str, *, channels: Iterable[str], members: ChannelMembers, now: datetime
) -> bool:
    """Whether `user` is in one of the leadership `channels` (the Workspace's)."""
    return any(user in members.of(client, channel, now=now) for channel in channels)


def _fetch_members(client: WebClient, channel: str) -> frozenset[str] | None:
    """Every member of `channel`, or None (logged) when Slack cannot say."""
    try:
        channel_id = _channel_id(client, channel)
        if channel_id is None:
            log.warning("leadership.members_failed", channel=channel, error="channel_not_found")
            return None
        pages = client.conversations_members(channel=channel_id, limit=PAGE_SIZE)  # iterating follows cursors
        return frozenset(member for page in pages for member in page["members"])
    except SlackApiError as exc:
        log.warning("leadership.members_failed", channel=channel, error=exc.response.get("error"))
    except OSError as exc:  # Slack unreachable
        log.warning("leadership.members_failed", channel=channel, error=repr(exc))
    return None


def _channel_id(client: WebClient, channel: str) -> str | None:
    """A channel id as given; a `#name` (a row saved before names were resolved when given) looked up among
    the channels Slack lists to Baton, as bot/workspace/channels.py does when a setting is given."""
    try:
        return channel_id(client, channel)
    except UnknownChannel:
        return None
