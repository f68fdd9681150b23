"""manifest.yml against Slack's app manifest reference, field by field.

The rules are Slack's, as its manifest reference writes them (https://docs.slack.dev/reference/app-manifest,
mirrored field by field in Slack's own @slack/web-api types, `packages/web-api/src/types/request/manifest.ts`,
and in SchemaStore's slack-app-manifest.json): names and lengths, the bot user's display name
(a-z 0-9 - _ . only), slash commands, interactivity, events and bot scopes. An unknown key is refused, as the
schema (additionalProperties: false) refuses it. The sandbox page must offer what the manifest allows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import web

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"

# Slack's granular bot scopes (the reference's list, as @slack/web-api's BotScope type holds it).
BOT_SCOPES = set(
    [
        "app_mentions:read",
        "bookmarks:read",
        "bookmarks:write",
        "calls:read",
        "calls:write",
        "channels:history",
        "channels:join",
        "channels:manage",
        "channels:read",
        "channels:write.invites",
        "channels:write.topic",
        "chat:write",
        "chat:write.customize",
        "chat:write.public",
        "commands",
        "conversations.connect:manage",
        "conversations.connect:read",
        "conversations.connect:write",
        "datastore:read",
        "datastore:write",
        "dnd:read",
        "emoji:read",
        "files:read",
        "files:write",
        "groups:history",
        "groups:read",
        "groups:write",
        "groups:write.invites",
        "groups:write.topic",
        "im:history",
        "im:read",
        "im:write",
        "incoming-webhook",
        "links.embed:write",
        "links:read",
        "links:write",
        "metadata.message:read",
        "mpim:history",
        "mpim:read",
        "mpim:write",
        "mpim:write.invites",
        "mpim:write.topic",
        "pins:read",
        "pins:write",
        "reactions:read",
        "reactions:write",
        "reminders:read",
        "reminders:write",
        "remote_files:read",
        "remote_files:share",
        "remote_files:write",
        "team.billing:read",
        "team.preferences:read",
        "team:read",
        "tokens.basic",
        "triggers:read",
        "triggers:write",
        "usergroups:read",
        "usergroups:write",
        "users.profile:read",
        "users:read",
        "users:read.email",
        "users:write",
        "workflow.steps:execute",
    ]
)
# The keys the reference defines, per section (what Baton's manifest may use).
KEYS = {
    "": {"_metadata", "display_information", "features", "oauth_config", "settings"},
    "display_information": {"name", "description", "long_description", "background_color"},
    "features": {"app_home", "bot_user", "shortcuts", "slash_commands", "unfurl_domains"},
    "features.app_home": {"home_tab_enabled", "messages_tab_enabled", "messages_tab_read_only_enabled"},
    "features.bot_user": {"display_name", "always_online"},
    "slash_command": {"command", "description", "should_escape", "url", "usage_hint"},
    "oauth_config": {"redirect_urls", "scopes", "token_management_enabled"},
    "oauth_config.scopes": {"bot", "user"},
    "settings": {
        "allowed_ip_address_ranges",
        "event_subscriptions",
        "incoming_webhooks",
        "interactivity",
        "org_deploy_enabled",
        "socket_mode_enabled",
        "token_rotation_enabled",
    },
    "settings.interactivity": {"is_enabled", "request_url", "message_menu_options_url"},
    "settings.event_subscriptions": {"request_url", "bot_events", "user_events"},
}


# -- a reader for the YAML the manifest is written in (block mappings, lists, scalars, comments) ----------
def _scalar(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return {"true": True, "false": False}.get(text, int(text) if text.isdigit() else text)


def _strip_comment(line: str) -> str:
    quote = None
    for at, char in enumerate(line):
        if char in "\"'" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and (at == 0 or line[at - 1] == " "):
            return line[:at].rstrip()
    return line.rstrip()


KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?:\s+(.*))?$")


def read_yaml(text: str) -> Any:
    lines = [
        (len(s) - len(s.lstrip()), s.strip()) for s in map(_strip_comment, text.splitlines()) if s.strip()
    ]

    def block(at: int, indent: int) -> tuple[Any, int]:
        if lines[at][1].startswith("- "):
            items: list[Any] = []
            while at < len(lines) and lines[at][0] == indent and lines[at][1].startswith("- "):
                item = lines[at][1][2:].strip()
                if KEY.match(item):  # a mapping in a list: its first key is on the dash's line
                    lines[at] = (indent + 2, item)
                    value, at = block(at, indent + 2)
                else:
                    value, at = _scalar(item), at + 1
                items.append(value)
            return items, at
        mapping: dict[str, Any] = {}
        while at < len(lines) and lines[at][0] == indent:
            match = KEY.match(lines[at][1])
            assert match, f"not YAML this reader knows: {lines[at][1]!r}"
            key, rest = match[1], match[2]
            assert key not in mapping, f"duplicate key {key}"
            if rest:
                mapping[key], at = _scalar(rest), at + 1
            else:
                assert at + 1 < len(lines) and lines[at + 1][0] > indent, f"{key} has no value"
                mapping[key], at = block(at + 1, lines[at + 1][0])
        return mapping, at

    parsed, end = block(0, lines[0][0])
    assert end == len(lines), f"unread YAML from {lines[end][1]!r}"
    return parsed


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return dict(read_yaml(MANIFEST.read_text(encoding="utf-8")))


# -- the rules ---------------------------------------------------------------------------------------------
def problems(manifest: dict[str, Any]) -> list[str]:
    """Every field of `manifest` that breaks a rule of Slack's manifest reference."""
    found: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            found.append(what)

    def keys(section: str, value: Any) -> None:
        check(isinstance(value, dict), f"{section or 'the manifest'} must be a mapping")
        if isinstance(value, dict):
            unknown = set(value) - KEYS[section]
            check(not unknown, f"{section}: unknown keys {sorted(unknown)}")

    def https(value: Any, what: str) -> None:
        check(isinstance(value, str) and value.startswith("https://"), f"{what} must be a full https URL")

    keys("", manifest)
    display = manifest.get("display_information", {})
    keys("display_information", display)
    name = display.get("name")
    check(isinstance(name, str) and 1 <= len(name) <= 35, "display_information.name: 1-35 characters")
    check(len(display.get("description", "")) <= 140, "display_information.description: at most 140")
    check(
        len(display.get("long_description", "")) <= 4000, "display_information.long_description: at most 4000"
    )
    if "background_color" in display:
        color = str(display["background_color"])
        check(bool(re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", color)), "background_color: #rgb or #rrggbb")

    features = manifest.get("features", {})
    keys("features", features)
    home = features.get("app_home", {})
    keys("features.app_home", home)
    for flag, value in home.items():
        check(isinstance(value, bool), f"features.app_home.{flag} must be a boolean")
    bot = features.get("bot_user", {})
    keys("features.bot_user", bot)
    display_name = bot.get("display_name")
    check(
        isinstance(display_name, str) and bool(re.fullmatch(r"[a-z0-9._-]{1,80}", display_name)),
        f"features.bot_user.display_name {display_name!r}: at most 80 characters, a-z 0-9 - _ . only",
    )
    check(isinstance(bot.get("always_online", False), bool), "features.bot_user.always_online: a boolean")
    socket_mode = manifest.get("settings", {}).get("socket_mode_enabled") is True
    commands = features.get("slash_commands", [])
    check(isinstance(commands, list) and len(commands) <= 50, "features.slash_commands: at most 50")
    for command in commands:
        keys("slash_command", command)
        slash = command.get("command", "")
        check(slash.startswith("/") and len(slash) <= 32, f"{slash}: a leading / and at most 32 characters")
        description = command.get("description")
        check(isinstance(description, str) and 1 <= len(description) <= 2000, f"{slash}: description 1-2000")
        check(len(command.get("usage_hint", "")) <= 1000, f"{slash}: usage_hint at most 1000 characters")
        check(isinstance(command.get("should_escape", False), bool), f"{slash}: should_escape is a boolean")
        if not socket_mode:
            https(command.get("url"), f"{slash}: url")

    oauth = manifest.get("oauth_config", {})
    keys("oauth_config", oauth)
    scopes = oauth.get("scopes", {})
    keys("oauth_config.scopes", scopes)
    bot_scopes = scopes.get("bot", [])
    check(len(bot_scopes) <= 255, "oauth_config.scopes.bot: at most 255")
    check(len(set(bot_scopes)) == len(bot_scopes), "oauth_config.scopes.bot: a scope listed twice")
    unknown_scopes = sorted(set(bot_scopes) - BOT_SCOPES)
    check(not unknown_scopes, f"oauth_config.scopes.bot: not bot scopes {unknown_scopes}")
    check(not commands or "commands" in bot_scopes, "slash commands need the commands scope")

    settings = manifest.get("settings", {})
    keys("settings", settings)
    interactivity = settings.get("interactivity")
    if interactivity is not None:
        keys("settings.interactivity", interactivity)
        check(
            isinstance(interactivity.get("is_enabled"), bool), "settings.interactivity.is_enabled is required"
        )
        if interactivity.get("is_enabled") and not socket_mode:
            https(interactivity.get("request_url"), "settings.interactivity.request_url")
    events = settings.get("event_subscriptions")
    if events is not None:
        keys("settings.event_subscriptions", events)
        bot_events = events.get("bot_events", [])
        check(len(bot_events) <= 100, "settings.event_subscriptions.bot_events: at most 100")
        check(
            all(isinstance(e, str) and re.fullmatch(r"[a-z_.]+", e) for e in bot_events),
            "settings.event_subscriptions.bot_events: event type names",
        )
        if bot_events and not socket_mode:
            https(events.get("request_url"), "settings.event_subscriptions.request_url")
    for flag in ("org_deploy_enabled", "socket_mode_enabled", "token_rotation_enabled"):
        check(isinstance(settings.get(flag, False), bool), f"settings.{flag} must be a boolean")
    return found


def test_the_manifest_follows_slacks_manifest_reference(manifest: dict[str, Any]) -> None:
    assert problems(manifest) == []
    assert manifest["features"]["bot_user"]["display_name"] == "baton"
    assert manifest["features"]["slash_commands"][0]["command"] == "/okr"
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("features", "bot_user", "display_name"), "Baton", "a-z 0-9 - _ . only"),
        (("features", "bot_user", "display_name"), "baton bot", "a-z 0-9 - _ . only"),
        (("display_information", "name"), "B" * 36, "1-35 characters"),
        (("display_information", "description"), "d" * 141, "at most 140"),
        (("display_information", "background_color"), "navy", "#rgb or #rrggbb"),
        (("features", "app_home", "messages_tab_read_only_enabled"), "yes", "must be a boolean"),
        (("oauth_config", "scopes", "bot"), ["commands", "chat:write:bot"], "not bot scopes"),
        (("settings", "interactivity", "request_url"), "http://baton.example.com", "full https URL"),
        (("settings", "interactivity", "colour"), "red", "unknown keys"),
    ],
)
def test_each_rule_refuses_what_slack_refuses(
    manifest: dict[str, Any], path: tuple[str, ...], value: Any, problem: str
) -> None:
    broken = read_yaml(MANIFEST.read_text(encoding="utf-8"))
    *parents, last = path
    target = broken
    for key in parents:
        target = target[key]
    target[last] = value
    assert any(problem in found for found in problems(broken)), problems(broken)


def test_a_slash_command_description_and_hint_within_slacks_lengths(manifest: dict[str, Any]) -> None:
    command = dict(manifest["features"]["slash_commands"][0], description="d" * 2001, usage_hint="u" * 1001)
    broken = {**manifest, "features": {**manifest["features"], "slash_commands": [command]}}
    assert {"/okr: description 1-2000", "/okr: usage_hint at most 1000 characters"} <= set(problems(broken))


def test_the_sandbox_offers_a_message_box_only_where_the_manifest_allows_one(
    manifest: dict[str, Any],
) -> None:
    read_only = manifest["features"]["app_home"]["messages_tab_read_only_enabled"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert web.MESSAGES_TAB_READ_ONLY is read_only
