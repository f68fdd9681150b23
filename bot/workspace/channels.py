"""Channel settings as Slack knows them. Slack's conversations.history, .replies, .members and .join take a
channel id only (a `#name` is `channel_not_found`), so a name is resolved once, when the setting is given
(`/okr settings`, `baton settings set`, `LEADERSHIP_CHANNEL` at start-up), and only ids are stored and used.
Baton also joins the public channels it posts to, so that it can read them back (conversations.join); a
private one it cannot join: the admin is told to invite it.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import ConfigError, Settings
from bot.logs import get_logger
from bot.workspace.settings import SettingError

log = get_logger(__name__)

PAGE_SIZE = 200
CHANNEL_SETTINGS = ("leadership_channel", "team_channels")


class UnknownChannel(ValueError):
    """A `#name` that no channel Baton can see bears (or Slack could not be asked)."""


def channel_id(client: WebClient, channel: str) -> str:
    """The id of `channel`: an id as given; a `#name` looked up among the channels Slack lists to Baton
    (public and private, not archived, every page)."""
    if not channel.startswith("#"):
        return channel
    name = channel[1:].lower()
    try:
        pages = client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=PAGE_SIZE
        )
        for page in pages:  # iterating a SlackResponse follows next_cursor
            for found in page.get("channels") or []:
                if str(found.get("name", "")).lower() == name:
                    return str(found["id"])
    except SlackApiError as exc:
        raise UnknownChannel(f"cannot look {channel} up in Slack ({exc.response.get('error')})") from None
    except OSError as exc:
        raise UnknownChannel(f"cannot look {channel} up in Slack ({type(exc).__name__})") from None
    raise UnknownChannel(f"no channel {channel} that Baton can see: invite @Baton or give the channel id")


def join(client: WebClient, channel: str) -> str | None:
    """Make Baton a member of the public channel `channel` (an id), so it can read what it posted there.
    None when it is a member; otherwise a note for the admin (a private channel must invite it)."""
    if not channel.startswith("C"):
        return None  # a DM or a group: nothing to join
    try:
        client.conversations_join(channel=channel)
        return None
    except SlackApiError as exc:
        error = str(exc.response.get("error"))
    except OSError as exc:
        error = type(exc).__name__
    log.warning("channel.join_failed", channel=channel, error=error)
    return f"Baton could not join <#{channel}> ({error}): invite @Baton to it"


def resolve_channel_settings(
    client: WebClient, changes: dict[str, str], *, join_channels: bool = True
) -> tuple[dict[str, str], list[str]]:
    """`changes` with every channel name replaced by its id, and what to tell the admin (`#name (C…)`, a
    channel Baton could not join). A name Slack does not know raises SettingError naming the setting, before
    anything is written. Without `join_channels` (a modal's ack, which must answer within 3 s) only names
    cost a call to Slack: the sender joins a channel when it first needs to read it."""
    resolved, notes = dict(changes), []
    for name in CHANNEL_SETTINGS:
        if name not in changes:
            continue
        try:
            resolved[name], said = _resolve_value(client, name, changes[name], join_channels)
        except UnknownChannel as exc:
            raise SettingError(name, str(exc)) from None
        notes.extend(said)
    return resolved, notes


def _resolve_value(client: WebClient, name: str, text: str, join_channels: bool) -> tuple[str, list[str]]:
    """The setting's text with each `#name` replaced by its id; anything else is left for the setting's
    own validation (bot/workspace/settings.py) to accept or refuse."""
    separator = "," if name == "team_channels" else None
    items = text.split(",") if separator else re.split(r"([,\s]+)", text)
    out, notes = [], []
    for item in items:
        head, equals, channel = item.rpartition("=") if separator else ("", "", item)
        channel = channel.strip()
        if separator and not equals:
            out.append(item)  # not DEPARTMENT=CHANNEL: the validation says so
            continue
        resolved = channel_id(client, channel) if channel.startswith("#") else channel
        if channel.startswith("#"):
            notes.append(f"{channel} ({resolved})")
        if join_channels and re.fullmatch(r"C[A-Z0-9]+", resolved):
            note = join(client, resolved)
            if note:
                notes.append(note)
        out.append(f"{head}={resolved}" if separator else (resolved if channel else item))
    return (separator or "").join(out), notes


def resolved_settings(settings: Settings, client: WebClient) -> Settings:
    """`settings` with LEADERSHIP_CHANNEL as an id, resolved once at start-up (and the channel it names
    joined); a name Slack does not know stops start-up with a ConfigError naming the setting."""
    channel = settings.leadership_channel
    if not channel:
        return settings
    try:
        resolved = channel_id(client, channel)
    except UnknownChannel as exc:
        raise ConfigError(f"invalid setting LEADERSHIP_CHANNEL: {exc}") from None
    if resolved != channel:  # an id is used as given: the sender joins it when it first must read it
        log.info("channel.resolved", setting="LEADERSHIP_CHANNEL", name=channel, channel=resolved)
        join(client, resolved)
    update: dict[str, Any] = {"leadership_channel": resolved}
    return settings.model_copy(update=update)
