"""The sandbox's Slack workspace: the fake Web API plus what a person's Slack client would show.

On top of `FakeSlack` it knows channels and people, keeps ephemeral messages, the modals each person has
open (a stack, as `views.push` builds it), each person's App Home, the trigger ids it handed out (which
expire after 3 s and serve once, as on Slack) and what each `response_url` answers. Message timestamps
follow the sandbox clock, so messages sort by the time Baton thinks it is. Every change bumps `version`,
which the page polls.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.sandbox.blockkit import message_problem, view_problem
from bot.sandbox.payloads import APP_ID, new_trigger_id
from bot.sandbox.webapi import BOT_ID, BOT_USER_ID, TEAM_ID, Answer, FakeSlack, Message, _flag, _is_reply

TRIGGER_SECONDS = 3.0  # a trigger_id is good for 3 s, once
PUSH_LIMIT = 3  # modals stack at most 3 deep
CHANGING = ("chat.", "views.", "files.")  # calls that change what a person sees


def _system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Target:
    """Where a response_url's answers go: the person who acted, the conversation, the message acted on."""

    user: str
    channel: str
    message_ts: str | None = None  # None for a slash command
    ephemeral: bool = False


@dataclass
class Workspace(FakeSlack):
    clock: Callable[[], datetime] = _system_clock
    ephemerals: list[Message] = field(default_factory=list)
    modals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # user -> stack, top last
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # user -> published App Home
    refusals: list[dict[str, Any]] = field(default_factory=list)  # calls Slack refused, newest last
    version: int = 0
    page: Any = field(default=None, repr=False)  # what serves the web page (bot.sandbox.web)
    _triggers: dict[str, tuple[str, float]] = field(default_factory=dict, repr=False)
    _targets: dict[str, Target] = field(default_factory=dict, repr=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    # -- people and conversations ----------------------------------------------------------------
    def add_person(
        self, user_id: str, *, name: str, title: str, tz: str, locale: str, is_admin: bool = False
    ) -> None:
        self.add_user(user_id, name=name, tz=tz, locale=locale)
        with self._lock:
            user = self.users[user_id]
            user.update(name=name.split()[0].lower(), is_admin=is_admin, is_owner=False)
            user["profile"] = {"real_name": name, "display_name": name, "title": title}

    def dm_of(self, user_id: str) -> str:
        """The id of a person's DM with Baton."""
        return self._channel(user_id)

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        if conversation_id in self.channels:
            return self.channels[conversation_id]
        user = self.users.get("U" + conversation_id[1:], {})
        return {"id": conversation_id, "name": "directmessage", "is_im": True, "user": user.get("id")}

    def names(self) -> tuple[dict[str, str], dict[str, str]]:
        with self._lock:
            users = {uid: u["real_name"] for uid, u in self.users.items()}
            users[BOT_USER_ID] = "Baton"
            return users, {cid: c["name"] for cid, c in self.channels.items()}

    def _channel(self, channel: str) -> str:
        if channel.startswith("#"):  # Slack accepts a channel's name
            found = next((c for c in self.channels.values() if c["name"] == channel[1:]), None)
            if found is not None:
                return str(found["id"])
        return super()._channel(channel)

    # -- what the page shows -----------------------------------------------------------------------
    def changed(self) -> None:
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    def history(self, channel: str, viewer: str) -> list[Message]:
        """A conversation as `viewer` sees it: its messages and viewer's ephemerals, oldest first."""
        with self._lock:
            stored = copy.deepcopy(self._messages.get(channel, []))
            mine = [
                copy.deepcopy(e)
                for e in self.ephemerals
                if e["channel"] == channel and e["ephemeral_for"] == viewer
            ]
        shown = sorted(stored + mine, key=lambda message: Decimal(message["ts"]))
        counts: dict[str, int] = {}
        for message in shown:
            if _is_reply(message):
                counts[message["thread_ts"]] = counts.get(message["thread_ts"], 0) + 1
        for message in shown:
            message["reply_count"] = counts.get(message["ts"], 0)
        return shown

    def message(self, channel: str, ts: str) -> Message | None:
        with self._lock:
            found = self._find(channel, ts) or next(
                (e for e in self.ephemerals if e["channel"] == channel and e["ts"] == ts), None
            )
            return copy.deepcopy(found) if found else None

    def post_as(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> Message:
        """A person writes in a conversation."""
        with self._lock:
            message: Message = {
                "type": "message",
                "user": user,
                "channel": channel,
                "ts": self._new_ts(),
                "text": text,
                "blocks": [],
                "thread_ts": thread_ts,
            }
            self._messages.setdefault(channel, []).append(message)
        self.changed()
        return message

    def bot_post(self, channel: str, body: dict[str, Any]) -> None:
        """Baton's answer for everyone in the conversation (a command answered `in_channel`)."""
        with self._lock:
            self._store_post(channel, body)
        self.changed()

    def ephemeral(self, user: str, channel: str, body: dict[str, Any], *, sender: str = BOT_USER_ID) -> None:
        with self._lock:
            self._store_ephemeral(user, channel, body, sender=sender)
        self.changed()

    def _store_ephemeral(self, user: str, channel: str, body: dict[str, Any], *, sender: str) -> str:
        ts = self._new_ts()
        self.ephemerals.append(
            {
                "type": "message",
                "user": sender,
                "channel": channel,
                "ts": ts,
                "text": body.get("text") or "",
                "blocks": with_ids(body.get("blocks") or []),
                "thread_ts": body.get("thread_ts"),
                "ephemeral_for": user,
            }
        )
        return ts

    def dismiss(self, user: str, channel: str, ts: str) -> None:
        with self._lock:
            self.ephemerals = [
                e
                for e in self.ephemerals
                if not (e["ephemeral_for"] == user and e["channel"] == channel and e["ts"] == ts)
            ]
        self.changed()

    # -- triggers and response URLs ----------------------------------------------------------------
    def trigger(self, user: str) -> str:
        trigger_id = new_trigger_id()
        with self._lock:
            self._triggers[trigger_id] = (user, time.monotonic())
        return trigger_id

    def _use_trigger(self, trigger_id: str) -> tuple[str | None, str | None]:
        """(the person whose action made it, None) or (None, Slack's error)."""
        found = self._triggers.pop(trigger_id, None)
        if found is None:
            return None, "invalid_trigger_id"
        if time.monotonic() - found[1] > TRIGGER_SECONDS:
            return None, "expired_trigger_id"
        return found[0], None

    def response_url_for(self, target: Target) -> str:
        name = "s" + hashlib.sha1(f"{target}{time.monotonic_ns()}".encode()).hexdigest()[:20]
        with self._lock:
            self._targets[name] = target
        return self.response_url(name)

    def respond(self, name: str, args: dict[str, Any]) -> str | None:
        """A post to a response_url, shown as Slack shows it: for an action on a message it replaces that
        message unless `replace_original` is false; otherwise it is a new message, ephemeral unless
        `response_type` is `in_channel`. One whose message Slack would refuse is refused, as by the fake."""
        target = self._targets.get(name)
        if target is None or (
            not _flag(args.get("delete_original")) and message_problem(args.get("text"), args.get("blocks"))
        ):
            return super().respond(name, args)
        with self._lock:
            self.responses.append(args)
            original = self._original(target)
            if original is not None and _flag(args.get("delete_original")):
                self._remove(original)
            elif original is not None and str(args.get("replace_original", "true")).lower() != "false":
                original.update(text=args.get("text") or "", blocks=with_ids(args.get("blocks") or []))
            elif args.get("response_type") == "in_channel":
                self._store_post(target.channel, args)
            else:
                self._store_ephemeral(target.user, target.channel, args, sender=BOT_USER_ID)
        self.changed()
        return None

    def _original(self, target: Target) -> Message | None:
        if target.message_ts is None:
            return None
        if target.ephemeral:
            return next((e for e in self.ephemerals if e["ts"] == target.message_ts), None)
        return self._find(target.channel, target.message_ts)

    def _remove(self, message: Message) -> None:
        if message in self.ephemerals:
            self.ephemerals.remove(message)
        else:
            self._messages[message["channel"]].remove(message)

    def _store_post(self, channel: str, body: dict[str, Any]) -> None:
        message: Message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "channel": channel,
            "ts": self._new_ts(),
            "text": body.get("text") or "",
            "blocks": with_ids(body.get("blocks") or []),
            "thread_ts": None,
        }
        self._messages.setdefault(channel, []).append(message)

    # -- views as the page manipulates them ----------------------------------------------------------
    def top_modal(self, user: str) -> dict[str, Any] | None:
        with self._lock:
            stack = self.modals.get(user) or []
            return copy.deepcopy(stack[-1]) if stack else None

    def modal_depth(self, user: str) -> int:
        with self._lock:
            return len(self.modals.get(user) or [])

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._view_by(view_id=view_id)
            return copy.deepcopy(found) if found else None

    def close_view(self, user: str, view_id: str, *, all_views: bool = False) -> None:
        with self._lock:
            stack = self.modals.get(user) or []
            if all_views:
                stack.clear()
            else:
                stack[:] = [v for v in stack if v["id"] != view_id]
        self.changed()

    def replace_view(self, user: str, view_id: str, view: dict[str, Any]) -> str | None:
        """`response_action: update` from a submission: the view in place, or Slack's error."""
        with self._lock:
            problem = view_problem(view)
            if problem:
                return problem
            current = self._view_by(view_id=view_id)
            if current is None:
                return "not_found"
            current.clear()
            current.update(self._complete(view, user, view_id=view_id))
        self.changed()
        return None

    def push_view(self, user: str, view: dict[str, Any]) -> str | None:
        with self._lock:
            problem = view_problem(view) or self._push(user, view)
        self.changed()
        return problem

    def set_state(self, view_id: str, values: dict[str, Any]) -> None:
        with self._lock:
            found = self._view_by(view_id=view_id)
            if found is not None:
                found["state"] = {"values": values}

    # -- the Web API, where it differs from the plain fake -------------------------------------------
    def answer(self, method: str, args: dict[str, Any], token: str | None) -> Answer:
        status, body, headers = super().answer(method, args, token)
        if not body.get("ok"):
            with self._lock:
                self.refusals.append({"method": method, "error": body.get("error"), "at": self.clock()})
        if not body.get("ok") or method.startswith(CHANGING):
            self.changed()
        return status, body, headers

    def _new_ts(self) -> str:
        """Message ids follow the sandbox clock, so messages sort by the time Baton lives in."""
        ts = max(Decimal(f"{self.clock().timestamp():.6f}"), self._last_ts + Decimal("0.000001"))
        self._last_ts = ts
        return f"{ts:.6f}"

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._ids_on_stored(super()._chat_postMessage(args))

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._ids_on_stored(super()._chat_update(args))

    def _ids_on_stored(self, body: dict[str, Any]) -> dict[str, Any]:
        """The message a chat call stored gets the ids Slack would give its blocks."""
        if "error" not in body:
            stored = self._find(body["channel"], body["ts"])
            if stored is not None:
                stored["blocks"] = with_ids(stored["blocks"])
        return body

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"error": "channel_not_found"}
        if args.get("user") not in self.users:
            return {"error": "user_not_in_channel"}
        problem = message_problem(args.get("text"), args.get("blocks"))
        if problem:
            return {"error": problem}
        channel = self._channel(str(args["channel"]))
        return {"message_ts": self._store_ephemeral(str(args["user"]), channel, args, sender=BOT_USER_ID)}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        if channel not in self.channels and not channel.startswith("D"):
            return {"error": "channel_not_found"}
        return {"channel": self.conversation(channel)}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user, error = self._use_trigger(str(args.get("trigger_id") or ""))
        if error or user is None:
            return {"error": error}
        problem = view_problem(args.get("view"))
        if problem:
            return {"error": problem}
        view = self._complete(args["view"], user)
        self.modals[user] = [view]
        return {"view": public_view(copy.deepcopy(view))}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        user, error = self._use_trigger(str(args.get("trigger_id") or ""))
        if error or user is None:
            return {"error": error}
        problem = view_problem(args.get("view")) or self._push(user, args["view"])
        return {"error": problem} if problem else {"view": public_view(copy.deepcopy(self.modals[user][-1]))}

    def _push(self, user: str, view: dict[str, Any]) -> str | None:
        stack = self.modals.get(user) or []
        if not stack:
            return "not_found"
        if len(stack) >= PUSH_LIMIT:
            return "push_limit_reached"
        stack.append(self._complete(view, user, previous=stack[-1]))
        return None

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        current = self._view_by(view_id=args.get("view_id"), external_id=args.get("external_id"))
        if current is None:
            return {"error": "not_found"}
        if args.get("hash") and args["hash"] != current["hash"]:
            return {"error": "hash_conflict"}
        problem = view_problem(args.get("view"))
        if problem:
            return {"error": problem}
        updated = self._complete(args["view"], current["_user"], view_id=current["id"])
        updated.update(root_view_id=current["root_view_id"], previous_view_id=current["previous_view_id"])
        updated["state"] = current["state"]
        current.clear()
        current.update(updated)
        return {"view": public_view(copy.deepcopy(current))}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user_id") or "")
        if user not in self.users:
            return {"error": "user_not_found"}
        problem = view_problem(args.get("view"))
        if problem:
            return {"error": problem}
        previous = self.homes.get(user)
        self.homes[user] = self._complete(args["view"], user, view_id=previous["id"] if previous else None)
        return {"view": public_view(copy.deepcopy(self.homes[user]))}

    def _complete(
        self,
        view: dict[str, Any],
        user: str,
        *,
        view_id: str | None = None,
        previous: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A view as Slack stores it: ids everywhere, an id, a hash, a state, its place in the stack."""
        view_id = view_id or f"V{next(self._ts):08d}"
        stored = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            **copy.deepcopy(view),
            "blocks": with_ids(view.get("blocks", [])),
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ts):08d}",
            "root_view_id": previous["root_view_id"] if previous else view_id,
            "previous_view_id": previous["id"] if previous else None,
            "_user": user,
        }
        return stored

    def _view_by(self, *, view_id: Any = None, external_id: Any = None) -> dict[str, Any] | None:
        for view in [*(v for stack in self.modals.values() for v in stack), *self.homes.values()]:
            if (view_id and view["id"] == view_id) or (
                external_id and view.get("external_id") == external_id
            ):
                return view
        return None


def public_view(view: dict[str, Any]) -> dict[str, Any]:
    """A stored view as Slack sends it to the app (without the sandbox's own bookkeeping)."""
    return {k: v for k, v in view.items() if not k.startswith("_")}


def with_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Slack gives every block a block_id and every interactive element an action_id the app left out."""
    out = copy.deepcopy(blocks)
    for index, block in enumerate(out):
        block.setdefault("block_id", _short_id(f"block{index}{block.get('type')}"))
        children = [*block.get("elements", [])] if block.get("type") == "actions" else []
        children += [block[k] for k in ("accessory", "element") if isinstance(block.get(k), dict)]
        for position, child in enumerate(children):
            if child.get("type") not in ("image", "mrkdwn", "plain_text"):
                child.setdefault("action_id", _short_id(f"{block['block_id']}{position}"))
    return out


def _short_id(seed: str) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()[:5]
