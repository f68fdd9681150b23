"""What Slack sends an app, built from what a person did in the sandbox page, and signed as Slack signs it.

Slash commands are form posts; interactions (`block_actions`, `view_submission`, `view_closed`) are a
form with one `payload` field holding JSON; events arrive as a JSON `event_callback` envelope. Every
request carries `X-Slack-Request-Timestamp` and `X-Slack-Signature` (v0, HMAC-SHA256 of
`v0:{timestamp}:{body}` with the app's signing secret).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from bot.sandbox.webapi import BOT_USER_ID, TEAM_ID

TEAM = {"id": TEAM_ID, "domain": "baton-sandbox"}
APP_ID = "A0BATON01"
FORM = "application/x-www-form-urlencoded"

# Element types whose value a person sets, and the key under which Slack reports each one's value.
STATE_KEYS = {
    "plain_text_input": "value",
    "number_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "static_select": "selected_option",
    "external_select": "selected_option",
    "radio_buttons": "selected_option",
    "overflow": "selected_option",
    "checkboxes": "selected_options",
    "multi_static_select": "selected_options",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
}
INITIAL_KEYS = {
    "value": "initial_value",
    "selected_option": "initial_option",
    "selected_options": "initial_options",
    "selected_date": "initial_date",
    "selected_time": "initial_time",
    "selected_user": "initial_user",
    "selected_users": "initial_users",
    "selected_conversation": "initial_conversation",
    "selected_conversations": "initial_conversations",
    "selected_channel": "initial_channel",
    "selected_channels": "initial_channels",
}


def sign(body: str, secret: str, *, timestamp: int | None = None, content_type: str = FORM) -> dict[str, str]:
    """The headers Slack sends with `body`. The timestamp is the real time: Bolt refuses stale requests."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def new_trigger_id() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:28]}"


def user_ref(user: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "username": user["name"], "name": user["name"], "team_id": TEAM_ID}


# How Slack writes a picked person or channel into a command's text (the manifest's `should_escape: true`):
# these reach the app as they are, while the `&`, `<` and `>` a person typed arrive as HTML entities.
MENTION = re.compile(r"<[@#][UWCG][A-Z0-9]+(?:\|[^<>]*)?>")


def escaped_as_slack(text: str) -> str:
    """A slash command's `text` as Slack sends it: `&`, `<`, `>` escaped, mentions left as Slack made them."""
    parts, mentions = MENTION.split(text), MENTION.findall(text)
    texts = [escaped(part) for part in parts]
    return "".join(piece for pair in zip(texts, [*mentions, ""], strict=True) for piece in pair)


def escaped(typed: str) -> str:
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def picked_label(user: Mapping[str, Any]) -> str:
    """What the composer shows for a person picked from its @ menu: `@Priya Shah`."""
    profile = user.get("profile") or {}
    return "@" + str(profile.get("display_name") or profile.get("real_name") or user["name"])


def command_text(typed: str, picked: Sequence[Mapping[str, Any]]) -> str:
    """A command's `text` as Slack sends it with should_escape: what was typed with `&`, `<`, `>` escaped
    (a typed `<@U…>` too: only the menu makes mentions), and each person picked from the @ menu, where
    their label still stands (in the order picked), as `<@U…|username>`. A plain `@Priya Shah` typed
    without the menu stays text, as on Slack."""
    out, rest = [], typed
    for user in picked:
        before, found, after = rest.partition(picked_label(user))
        if not found:
            continue  # edited away after it was picked: what remains is text
        out += [escaped(before), f"<@{user['id']}|{user['name']}>"]
        rest = after
    return "".join(out) + escaped(rest)


def slash_command(
    text: str,
    *,
    user: Mapping[str, Any],
    channel: Mapping[str, Any],
    response_url: str,
    trigger_id: str,
    command: str = "/okr",
    picked: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """`text` is Slack's markup (mentions kept, the rest escaped), or, with `picked`, what the page's
    composer holds and the people picked from its @ menu (`command_text`)."""
    return urlencode(
        {
            "token": "sandbox-verification-token",
            "team_id": TEAM_ID,
            "team_domain": TEAM["domain"],
            "channel_id": channel["id"],
            "channel_name": channel["name"],
            "user_id": user["id"],
            "user_name": user["name"],
            "command": command,
            "text": escaped_as_slack(text) if picked is None else command_text(text, picked),
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def _interaction(kind: str, user: Mapping[str, Any], trigger_id: str | None, **rest: Any) -> str:
    payload = {
        "type": kind,
        "team": TEAM,
        "user": user_ref(user),
        "api_app_id": APP_ID,
        "token": "sandbox-verification-token",
        **({"trigger_id": trigger_id} if trigger_id else {}),
        "is_enterprise_install": False,
        "enterprise": None,
        **rest,
    }
    return urlencode({"payload": json.dumps(payload)})


def message_actions(
    *,
    user: Mapping[str, Any],
    action: dict[str, Any],
    message: Mapping[str, Any],
    channel: Mapping[str, Any],
    ephemeral: bool,
    response_url: str,
    trigger_id: str,
    state: dict[str, Any] | None = None,
) -> str:
    """A `block_actions` from a message (a DM, a channel message or an ephemeral one)."""
    shown = {k: v for k, v in message.items() if k in ("type", "user", "bot_id", "ts", "text", "blocks")}
    return _interaction(
        "block_actions",
        user,
        trigger_id,
        container={
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel["id"],
            "is_ephemeral": ephemeral,
        },
        channel={"id": channel["id"], "name": channel["name"]},
        message={**shown, "app_id": APP_ID, "team": TEAM_ID},
        state={"values": state or {}},
        response_url=response_url,
        actions=[action],
    )


def view_actions(
    *, user: Mapping[str, Any], action: dict[str, Any], view: dict[str, Any], trigger_id: str
) -> str:
    """A `block_actions` from a modal or the App Home: no response_url, the view with its state."""
    return _interaction(
        "block_actions",
        user,
        trigger_id,
        container={"type": "view", "view_id": view["id"]},
        view=view,
        actions=[action],
    )


def view_submission(*, user: Mapping[str, Any], view: dict[str, Any], trigger_id: str) -> str:
    return _interaction("view_submission", user, trigger_id, view=view, response_urls=[])


def view_closed(*, user: Mapping[str, Any], view: dict[str, Any]) -> str:
    return _interaction("view_closed", user, None, view=view, is_cleared=False)


def event_callback(event: dict[str, Any], *, event_time: int) -> str:
    """An Events API envelope (JSON body) around `event`."""
    return json.dumps(
        {
            "token": "sandbox-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": event_time,
            "authorizations": [
                {"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
        }
    )


# -- elements, actions and form state ---------------------------------------------------------------
def elements(blocks: Sequence[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every interactive element of `blocks`, with its block: accessories, actions, input elements."""
    for block in blocks:
        found = [
            *(block.get("elements", []) if block.get("type") == "actions" else []),
            *([block["accessory"]] if isinstance(block.get("accessory"), dict) else []),
            *([block["element"]] if block.get("type") == "input" and "element" in block else []),
        ]
        for element in found:
            if element.get("action_id"):
                yield block, element


def find_element(blocks: Sequence[dict[str, Any]], block_id: str, action_id: str) -> dict[str, Any] | None:
    return next(
        (e for b, e in elements(blocks) if b.get("block_id") == block_id and e["action_id"] == action_id),
        None,
    )


def options_of(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    groups = element.get("option_groups") or []
    return [*(element.get("options") or []), *(o for g in groups for o in g.get("options", []))]


def chosen(element: Mapping[str, Any], values: Sequence[str]) -> Any:
    """The value Slack reports for `element` given what was picked or typed (`values`, strings)."""
    key = STATE_KEYS.get(str(element.get("type")))
    present = [v for v in values if v != ""]
    if key is None:
        return None
    if key in ("selected_option", "selected_options"):
        picked = [o for o in options_of(element) if o.get("value") in present]
        return picked if key == "selected_options" else (picked[0] if picked else None)
    if key in ("selected_users", "selected_conversations", "selected_channels"):
        return present
    return present[0] if present else None


def action_of(
    block: Mapping[str, Any], element: Mapping[str, Any], values: Sequence[str], action_ts: str
) -> dict[str, Any]:
    """The `actions[0]` Slack reports when a person clicks a button or picks a value."""
    action: dict[str, Any] = {
        "type": element["type"],
        "action_id": element["action_id"],
        "block_id": block["block_id"],
        "action_ts": action_ts,
    }
    if element["type"] == "button":
        action["text"] = element.get("text")
        for name in ("value", "style", "url"):
            if name in element:
                action[name] = element[name]
        return action
    key = STATE_KEYS.get(element["type"])
    if key:
        action[key] = chosen(element, values)
    if "placeholder" in element:
        action["placeholder"] = element["placeholder"]
    return action


def state_values(view: Mapping[str, Any], form: Mapping[str, Sequence[str]]) -> dict[str, dict[str, Any]]:
    """`view.state.values` as Slack reports it, from a form whose fields are named `block_id/action_id`.

    Every input of the view is there, the empty ones with a null value (an empty list for multi-selects).
    """
    values: dict[str, dict[str, Any]] = {}
    for block, element in elements(view.get("blocks", [])):
        key = STATE_KEYS.get(element["type"])
        if key is None or element["type"] == "overflow":  # an overflow menu holds no state
            continue
        picked = form.get(f"{block['block_id']}/{element['action_id']}", [])
        values.setdefault(block["block_id"], {})[element["action_id"]] = {
            "type": element["type"],
            key: chosen(element, picked),
        }
    return values


def initial_state(element: Mapping[str, Any]) -> list[str]:
    """What a form field shows before anyone touches it (the values `chosen` would read back)."""
    key = STATE_KEYS.get(str(element.get("type")))
    initial = element.get(INITIAL_KEYS.get(key or "", ""))
    if initial is None:
        return []
    if key == "selected_option":
        return [initial.get("value", "")]
    if key == "selected_options":
        return [o.get("value", "") for o in initial]
    return [str(v) for v in initial] if isinstance(initial, list) else [str(initial)]
