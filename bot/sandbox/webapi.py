"""A Slack Web API on 127.0.0.1: records every call and answers as Slack does.

Tests and benchmarks point `SLACK_API_URL` at it. It checks the bot token, Block Kit limits and the
arguments each method needs, answers `response_url` posts, keeps the messages it was sent (with their
metadata) so `conversations.history` can find them again, enforces Slack's rate limits when asked to
(per channel and per workspace, 429 with `Retry-After`), and can be told to fail or hang a method to
rehearse what Slack does on a bad day.

Run it in its own process with `python -m bot.sandbox.webapi --port 0` (see `main`): it prints one JSON
line with its `api_url`, serves until SIGTERM/SIGINT, and exposes `GET /_record` and `POST /_reset`.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import itertools
import json
import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

from bot.sandbox.blockkit import message_problem, view_problem

TEAM_ID = "T0BATON01"
BOT_USER_ID = "U0BATONBOT"
BOT_ID = "B0BATON01"
HISTORY_LIMIT, HISTORY_MAX_LIMIT = 100, 1000
Answer = tuple[int, dict[str, Any], dict[str, str]]  # HTTP status, body, headers
Message = dict[str, Any]


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    delay: float = 0.0  # seconds it waited before being processed (latency, a hang)


@dataclass
class Failure:
    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1


@dataclass
class Hang:
    seconds: float
    times: int = 1


@dataclass
class _Bucket:
    """Slack's workspace-wide limit on chat.postMessage, as a token bucket."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # 16 keep-alive clients plus bursts of fresh connections (urllib's WebClient)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (a killed process) is Slack's everyday life, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class FakeSlack:
    token: str = "xoxb-test-token"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # posts to response_url
    refused_responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (error, post)
    channel_interval: float | None = None  # seconds between two chat.postMessage to one channel
    workspace_rate: float | None = None  # chat.postMessage per second across the workspace
    workspace_burst: float | None = None  # the workspace bucket's capacity (default: workspace_rate)
    latency: float = 0.0  # seconds every API call waits before it is processed
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False)  # the rate limits' clock
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _hangs: dict[str, list[Hang]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None
    _messages: dict[str, list[Message]] = field(default_factory=dict, repr=False)  # by channel, by ts
    _posts: list[Message] = field(default_factory=list, repr=False)
    _last_ts: Decimal = field(default=Decimal(0), repr=False)
    _last_post: dict[str, float] = field(default_factory=dict, repr=False)  # channel -> monotonic time
    _bucket: _Bucket | None = field(default=None, repr=False)
    _ratelimited: int = field(default=0, repr=False)
    files: list[dict[str, Any]] = field(default_factory=list)  # files shared (files upload v2), in order
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> conversation, with members
    _uploads: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)  # file id -> pending upload

    handler_class: ClassVar[type[_Handler]]  # the HTTP handler (the sandbox adds its web page to it)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeSlack:
        handler = type("Handler", (self.handler_class,), {"slack": self})
        self._server = _Server(("127.0.0.1", port), handler)
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server, "start() the fake Slack first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    def response_url(self, name: str = "r1") -> str:
        return self.base_url + f"response/{name}"

    # -- what tests look at ----------------------------------------------------------------------
    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call.args for call in self.calls if call.method == method]

    def messages(self, channel: str) -> list[Message]:
        """The messages stored in `channel` (a user id means its DM), oldest first, replies included."""
        with self._lock:
            return copy.deepcopy(self._messages.get(self._channel(channel), []))

    def posts(self) -> list[Message]:
        """Every successful chat.postMessage, in order, as stored (with `channel`, and as later updated)."""
        with self._lock:
            return copy.deepcopy(self._posts)

    @property
    def ratelimited(self) -> int:
        """How many chat.postMessage calls the rate limits refused (injected failures not counted)."""
        with self._lock:
            return self._ratelimited

    def record(self, *, with_posts: bool = True) -> dict[str, Any]:
        """What `GET /_record` answers: stored posts (or only their number), calls per method, 429s."""
        with self._lock:
            counts: dict[str, int] = {}
            for call in self.calls:
                counts[call.method] = counts.get(call.method, 0) + 1
            posts = copy.deepcopy(self._posts) if with_posts else []
            return {
                "posts": posts,
                "post_count": len(self._posts),
                "calls": counts,
                "ratelimited": self._ratelimited,
            }

    def reset(self) -> None:
        """Forget calls, responses, messages, pending failures and hangs, and rate-limit state (not users)."""
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.refused_responses.clear()
            self._failures.clear()
            self._hangs.clear()
            self._messages.clear()
            self._posts.clear()
            self.files.clear()
            self._uploads.clear()
            self._last_post.clear()
            self._bucket = None
            self._ratelimited = 0

    def fail(
        self, method: str, error: str, *, status: int = 200, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` fail like Slack would (e.g. 429 ratelimited)."""
        with self._lock:
            self._failures.setdefault(method, []).append(Failure(error, status, retry_after, times))

    def hang(self, method: str, seconds: float, times: int = 1) -> None:
        """Make the next `times` calls of `method` wait `seconds`, then be processed as usual (slow Slack)."""
        with self._lock:
            self._hangs.setdefault(method, []).append(Hang(seconds, times))

    def respond(self, name: str, args: dict[str, Any]) -> str | None:
        """A post to `response_url(name)`: kept for tests to read (the sandbox shows it instead), or, like
        Slack, refused when its message is (the error, for a 400); a `delete_original` has no message."""
        problem = (
            None if args.get("delete_original") else message_problem(args.get("text"), args.get("blocks"))
        )
        with self._lock:
            if problem:
                self.refused_responses.append((problem, args))
            else:
                self.responses.append(args)
        return problem

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        tz: str = "Europe/Paris",
        locale: str = "en-US",
        email: str | None = None,
    ) -> None:
        user = {
            "id": user_id,
            "name": name,
            "real_name": name,
            "tz": tz,
            "locale": locale,
            "deleted": False,
            "is_bot": False,
            "team_id": TEAM_ID,
            "profile": {"real_name": name, **({"email": email} if email else {})},
        }
        with self._lock:
            self.users[user_id] = user

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: list[str],
        topic: str = "",
        private: bool = False,
        archived: bool = False,
    ) -> None:
        """A channel; Baton reads its history only if BOT_USER_ID is among `members` (or joins it)."""
        with self._lock:
            self.channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "is_channel": True,
                "is_private": private,
                "is_archived": archived,
                "members": list(members),
                "topic": topic,
            }

    def add_member(self, channel_id: str, user_id: str) -> None:
        """`user_id` joins `channel_id` (created, named after its id, if it is new)."""
        if channel_id not in self.channels:
            self.add_channel(channel_id, channel_id.lower(), members=[])
        with self._lock:
            self.channels[channel_id]["members"].append(user_id)

    # -- the API ---------------------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any], token: str | None) -> Answer:
        with self._lock:
            failure = _take(self._failures, method)
            hang = _take(self._hangs, method)
            delay = self.latency + (hang.seconds if hang else 0.0)
            self.calls.append(Call(method, args, delay))
        if delay > 0:
            time.sleep(delay)
        if failure:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return failure.status, {"ok": False, "error": failure.error}, headers
        if token != self.token:
            return 200, {"ok": False, "error": "invalid_auth" if token else "not_authed"}, {}
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(
            self, "_" + method.replace(".", "_"), None
        )
        if handler is None:
            return 404, {"ok": False, "error": "unknown_method"}, {}
        with self._lock:  # one call at a time past this point: rate limits and the store stay consistent
            if method == "chat.postMessage":
                retry_after = self._rate_limit(self._channel(str(args.get("channel", ""))))
                if retry_after is not None:
                    self._ratelimited += 1
                    return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
            body = handler(args)
        return 200, ({"ok": True, **body} if "error" not in body else {"ok": False, **body}), {}

    def _rate_limit(self, channel: str) -> int | None:
        """Seconds to wait (for `Retry-After`) if a post to `channel` now would break a limit, else None."""
        now, waits = self.monotonic(), []
        last = self._last_post.get(channel)
        if self.channel_interval is not None and last is not None and now - last < self.channel_interval:
            waits.append(self.channel_interval - (now - last))
        bucket = self._workspace_bucket(now)
        if bucket is not None and bucket.tokens < 1:
            waits.append((1 - bucket.tokens) / bucket.rate)
        return max(1, math.ceil(max(waits))) if waits else None

    def _workspace_bucket(self, now: float) -> _Bucket | None:
        if self.workspace_rate is None:
            return None
        if self._bucket is None:
            capacity = self.workspace_burst if self.workspace_burst is not None else self.workspace_rate
            self._bucket = _Bucket(self.workspace_rate, capacity, capacity, now)
        self._bucket.refill(now)
        return self._bucket

    def _admit_post(self, channel: str) -> None:
        """A post went through: it counts against the channel's and the workspace's limits."""
        now = self.monotonic()
        self._last_post[channel] = now
        bucket = self._workspace_bucket(now)
        if bucket is not None:
            bucket.tokens -= 1

    def _new_ts(self) -> str:
        """Slack's message ids: the time in microseconds, unique and increasing across the workspace."""
        ts = max(Decimal(f"{time.time():.6f}"), self._last_ts + Decimal("0.000001"))
        self._last_ts = ts
        return f"{ts:.6f}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://baton-sandbox.slack.com/",
            "team": "Baton",
            "user": "baton",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def _channel(self, channel: str) -> str:
        return "D" + channel[1:] if channel.startswith(("U", "W")) else channel  # a user id posts to the DM

    def _find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"error": "channel_not_found"}
        problem = message_problem(args.get("text"), args.get("blocks"))
        if problem:
            return {"error": problem}
        if bad_file := self._slack_file_problem(args.get("blocks")):
            return bad_file
        metadata, bad = _metadata(args.get("metadata"))
        if bad:
            return {"error": "invalid_metadata_format"}
        channel, ts = self._channel(args["channel"]), self._new_ts()
        message: Message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "channel": channel,
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": args.get("blocks") or [],
            "thread_ts": str(args["thread_ts"]) if args.get("thread_ts") else None,
        }
        if _flag(args.get("reply_broadcast")):
            message["reply_broadcast"] = True
        if metadata is not None:
            message["metadata"] = metadata
        self._messages.setdefault(channel, []).append(message)
        self._posts.append(message)
        self._admit_post(channel)
        return {"channel": channel, "ts": ts, "message": _public(message, with_metadata=True)}

    def _slack_file_problem(self, blocks: Any) -> dict[str, Any] | None:
        """Slack's answer to an image block whose `slack_file` it cannot show: one of `id` or `url`, of an
        image file that exists (uploaded and completed) and that the poster (the bot, here) can see."""
        images = {
            f["id"]: f for f in self.files if f["name"].lower().endswith((".png", ".jpg", ".jpeg", ".gif"))
        }
        for index, block in enumerate(blocks if isinstance(blocks, list) else []):
            if not isinstance(block, dict) or block.get("type") != "image" or "slack_file" not in block:
                continue
            ref = block["slack_file"] if isinstance(block["slack_file"], dict) else {}
            known = ("url" in ref) != ("id" in ref) and (
                str(ref.get("id", "")) in images or any(i in str(ref.get("url", "")) for i in images)
            )
            if not known:
                error = f"invalid slack file [json-pointer:/blocks/{index}/slack_file]"
                return {
                    "error": "invalid_blocks",
                    "errors": [error],
                    "response_metadata": {"messages": [f"[ERROR] {error}"]},
                }
        return None

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"error": "channel_not_found"}
        channel = self._channel(str(args["channel"]))
        message = self._find(channel, str(args.get("ts", "")))
        if message is None:
            return {"error": "message_not_found"}
        problem = message_problem(args.get("text"), args.get("blocks"))
        if problem:
            return {"error": problem}
        if bad_file := self._slack_file_problem(args.get("blocks")):
            return bad_file
        metadata, bad = _metadata(args.get("metadata"))
        if bad:
            return {"error": "invalid_metadata_format"}
        if "text" in args:
            message["text"] = args["text"] or ""
        if "blocks" in args:  # Slack keeps the previous blocks unless new ones (or []) are given
            message["blocks"] = args["blocks"] or []
        if metadata is not None:
            message["metadata"] = metadata
        message["edited"] = {"user": BOT_USER_ID, "ts": self._new_ts()}
        public = _public(message, with_metadata=True)
        return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": public}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user"):
            return {"error": "user_not_found"}
        problem = message_problem(args.get("text"), args.get("blocks"))
        return {"error": problem} if problem else {"message_ts": self._new_ts()}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first; thread replies stay in their thread (unless broadcast), as on Slack."""
        channel = str(args.get("channel") or "")
        refused = self._unreadable(channel)
        if refused:
            return {"error": refused}
        try:
            oldest, latest = _ts_bound(args.get("oldest")), _ts_bound(args.get("latest"))
            before = _ts_bound(_cursor_ts(args.get("cursor")))
            limit = int(args.get("limit") or HISTORY_LIMIT)
        except (ValueError, InvalidOperation):
            return {"error": "invalid_arguments"}
        limit = min(max(limit, 1), HISTORY_MAX_LIMIT)
        inclusive = _flag(args.get("inclusive"))
        stored = self._messages.get(channel, [])
        replies: dict[str, int] = {}
        for message in stored:
            if _is_reply(message):
                replies[message["thread_ts"]] = replies.get(message["thread_ts"], 0) + 1
        found = []
        for message in reversed(stored):
            ts = Decimal(message["ts"])
            if _is_reply(message) and not message.get("reply_broadcast"):
                continue
            if before is not None and ts >= before:
                continue
            if oldest is not None and (ts < oldest if inclusive else ts <= oldest):
                continue
            if latest is not None and (ts > latest if inclusive else ts >= latest):
                continue
            found.append(message)
        page, has_more = found[:limit], len(found) > limit
        messages = [_public(m, with_metadata=_flag(args.get("include_all_metadata"))) for m in page]
        for message in messages:
            if message["ts"] in replies:
                message.update(thread_ts=message["ts"], reply_count=replies[message["ts"]])
        next_cursor = _cursor(page[-1]["ts"]) if has_more else ""
        return {"messages": messages, "has_more": has_more, "response_metadata": {"next_cursor": next_cursor}}

    def _unreadable(self, channel: str) -> str | None:
        """Why history or replies of `channel` cannot be read: Slack takes a conversation id only (a `#name`
        or a user id is `channel_not_found`), and reads a channel only to its members (`not_in_channel`,
        even where chat:write.public lets Baton post). A channel id the fake was not told of is taken as one
        Baton is in."""
        if not channel or channel.startswith(("U", "W", "#")):
            return "channel_not_found"
        known = self.channels.get(channel)
        if known is not None and BOT_USER_ID not in known["members"]:
            return "not_in_channel"
        return None

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        """Baton joins a public channel by id (scope channels:join); a private one must invite it."""
        channel = self.channels.get(str(args.get("channel") or ""))
        if channel is None:
            return {"error": "channel_not_found"}
        if channel["is_archived"]:
            return {"error": "is_archived"}
        if channel["is_private"]:
            return {"error": "method_not_supported_for_channel_type"}
        already = BOT_USER_ID in channel["members"]
        if not already:
            channel["members"].append(BOT_USER_ID)
        public = {k: v for k, v in channel.items() if k != "members"} | {"is_member": True}
        warning = {"warning": "already_in_channel", "response_metadata": {"warnings": ["already_in_channel"]}}
        return {"channel": public} | (warning if already else {})

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread, oldest first (parent then replies), without pagination."""
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        refused = self._unreadable(channel)
        if refused:
            return {"error": refused}
        parent = self._find(channel, ts)
        if parent is None:
            return {"error": "thread_not_found"}
        thread = [parent] + [m for m in self._messages[channel] if _is_reply(m) and m["thread_ts"] == ts]
        with_metadata = _flag(args.get("include_all_metadata"))
        messages = [_public(m, with_metadata=with_metadata) for m in thread]
        messages[0].update(thread_ts=ts, reply_count=len(thread) - 1)
        return {"messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"error": "invalid_trigger_id"}
        return self._view(args)

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._views_open(args)

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("view_id") and not args.get("external_id"):
            return {"error": "not_found"}
        return self._view(args)

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            return {"error": "user_not_found"}
        return self._view(args)

    def _view(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        problem = view_problem(view)
        if problem:
            return {"error": problem}
        return {"view": {**view, "id": f"V{next(self._ts):08d}", "team_id": TEAM_ID}}  # type: ignore[dict-item]

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(args.get("user", ""))
        return {"user": user} if user else {"error": "user_not_found"}

    def _users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        """Deactivated users are found too, flagged `deleted`, as Slack does."""
        email = str(args.get("email", "")).lower()
        for user in self.users.values():
            if user.get("profile", {}).get("email", "").lower() == email:
                return {"user": user}
        return {"error": "users_not_found"}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every known user, a page at a time (the cursor is the index of the next one)."""
        users = sorted(self.users.values(), key=lambda user: user["id"])
        return _paged(users, args, "members", default_limit=200)

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        """A channel's member ids, a page at a time (the cursor is the index of the next one)."""
        channel = self.channels.get(str(args.get("channel") or ""))
        if channel is None:
            return {"error": "channel_not_found"}
        return _paged(channel["members"], args, "members", default_limit=100)

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """The channels, without their members (as Slack lists them), a page at a time: of the `types` asked
        (public_channel by default), archived ones left out on `exclude_archived`, and a private channel
        only to its members."""
        types = set(str(args.get("types") or "public_channel").split(","))

        def listed(c: dict[str, Any]) -> bool:
            if c["is_archived"] and _flag(args.get("exclude_archived")):
                return False
            if c["is_private"]:
                return "private_channel" in types and BOT_USER_ID in c["members"]
            return "public_channel" in types

        channels = [
            {k: v for k, v in c.items() if k != "members"} | {"num_members": len(c["members"])}
            for c in sorted(self.channels.values(), key=lambda c: str(c["id"]))
            if listed(c)
        ]
        return _paged(channels, args, "channels", default_limit=100)

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", ""))
        if not users:
            return {"error": "users_list_not_supplied"}
        return {"channel": {"id": self._channel(users.split(",")[0])}}

    # -- files upload v2 (slack_sdk's files_upload_v2): get an upload URL, POST the bytes, complete ------
    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit():
            return {"error": "invalid_arguments"}
        file_id = f"F{next(self._ts):010d}"
        self._uploads[file_id] = {"name": filename, "length": int(length), "alt_txt": args.get("alt_txt")}
        return {"upload_url": self.base_url + f"upload/{file_id}", "file_id": file_id}

    def receive_upload(self, file_id: str, data: bytes) -> int:
        """The upload URL's POST: the bytes of a file announced by files.getUploadURLExternal."""
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None or len(data) != upload["length"]:
                return 400
            upload["bytes"] = data
            return 200

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            wanted = json.loads(args["files"]) if isinstance(args.get("files"), str) else args.get("files")
        except json.JSONDecodeError:
            return {"error": "invalid_json"}
        if not isinstance(wanted, list) or not wanted:
            return {"error": "invalid_arguments"}
        if any("bytes" not in self._uploads.get(str(f.get("id")), {}) for f in wanted):
            return {"error": "file_not_found"}
        channel = self._channel(str(args["channel_id"])) if args.get("channel_id") else None
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
        if thread_ts and (channel is None or self._find(channel, thread_ts) is None):
            return {"error": "invalid_thread_ts"}
        shared = []
        for item in wanted:
            upload = self._uploads.pop(str(item["id"]))
            title = item.get("title") or upload["name"]
            shared.append({"id": item["id"], "name": upload["name"], "title": title})
            self.files.append(
                {
                    **shared[-1],
                    "bytes": upload["bytes"],
                    "alt_txt": upload["alt_txt"],
                    "channel": channel,
                    "thread_ts": thread_ts,
                }
            )
        if channel is not None:  # Slack shares the files as a message, in the thread when given one
            message: Message = {
                "type": "message",
                "subtype": "file_share",
                "user": BOT_USER_ID,
                "channel": channel,
                "ts": self._new_ts(),
                "text": str(args.get("initial_comment") or ""),
                "files": shared,
                "thread_ts": thread_ts,
            }
            self._messages.setdefault(channel, []).append(message)
        return {"files": shared}


def _paged(items: list[Any], args: dict[str, Any], key: str, *, default_limit: int) -> dict[str, Any]:
    """One page of `items` under `key`, as Slack's cursor pagination gives it."""
    try:
        limit = max(1, min(int(args.get("limit") or default_limit), 1000))
        start = int(args.get("cursor") or 0)
    except ValueError:
        return {"error": "invalid_cursor"}
    following = start + limit
    cursor = str(following) if following < len(items) else ""
    return {key: items[start:following], "response_metadata": {"next_cursor": cursor}}


def _take(queue: dict[str, list[Any]], method: str) -> Any:
    """The next pending Failure or Hang for `method` (each has `times`), used up one call at a time."""
    pending = queue.get(method)
    if not pending:
        return None
    item = pending[0]
    item.times -= 1
    if item.times <= 0:
        pending.pop(0)
    return item


def _metadata(value: Any) -> tuple[dict[str, Any] | None, bool]:
    """Slack's message metadata, from a dict or a JSON string: (metadata or None, whether it is malformed)."""
    if value is None or value == "":
        return None, False
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None, True
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("event_type"), str)
        or not isinstance(value.get("event_payload", {}), dict)
    ):
        return None, True
    return {"event_type": value["event_type"], "event_payload": value.get("event_payload", {})}, False


def _public(message: Message, *, with_metadata: bool) -> Message:
    """A stored message as Slack's API shows it: no `channel` key, no empty `thread_ts`."""
    shown = {k: copy.deepcopy(v) for k, v in message.items() if k != "channel" and v is not None}
    if not with_metadata:
        shown.pop("metadata", None)
    return shown


def _is_reply(message: Message) -> bool:
    return bool(message.get("thread_ts")) and message["thread_ts"] != message["ts"]


def _flag(value: Any) -> bool:
    """Booleans arrive as true/false in JSON bodies and as "1"/"true" in forms."""
    return value is True or str(value).lower() in ("1", "true")


def _ts_bound(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "", "0") else None


def _cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _cursor_ts(cursor: Any) -> str | None:
    if not cursor:
        return None
    try:
        decoded = base64.b64decode(str(cursor), validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("bad cursor") from exc
    if not decoded.startswith("next_ts:"):
        raise ValueError("bad cursor")
    return decoded.removeprefix("next_ts:")


class _Handler(BaseHTTPRequestHandler):
    slack: FakeSlack
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries Content-Length
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stalls

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        self._dispatch(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _dispatch(self, raw: bytes) -> None:
        url = urlparse(self.path)
        if url.path.startswith("/upload/") and self.command == "POST":  # raw file bytes, not a form
            status = self.slack.receive_upload(url.path.removeprefix("/upload/"), raw)
            self._send(status, {"ok": status == 200}, {})
            return
        try:
            args = {name: values[-1] for name, values in parse_qs(url.query).items()}
            args.update(_decode(raw.decode(), self.headers.get("Content-Type", "")))
        except (ValueError, UnicodeDecodeError):
            self._send(400, {"ok": False, "error": "invalid_json"}, {})
            return
        if url.path == "/_record":  # ?posts=0: counts only, cheap enough to poll
            self._send(200, self.slack.record(with_posts=parse_qs(url.query).get("posts") != ["0"]), {})
        elif url.path == "/_reset" and self.command == "POST":
            self.slack.reset()
            self._send(200, {"ok": True}, {})
        elif url.path.startswith("/response/"):
            problem = self.slack.respond(url.path.removeprefix("/response/"), args)
            self._send(
                400 if problem else 200, {"ok": False, "error": problem} if problem else {"ok": True}, {}
            )
        elif url.path.startswith("/api/"):
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.pop("token", None)
            self._send(*self.slack.answer(url.path.removeprefix("/api/"), args, token))
        else:
            self._send(404, {"ok": False, "error": "not_found"}, {})

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read calls, not logs
        pass


FakeSlack.handler_class = _Handler


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    """Slack accepts JSON and form bodies; in forms, structured arguments arrive as JSON strings."""
    if "json" in content_type:
        return dict(json.loads(raw or "{}"))
    args: dict[str, Any] = {name: values[-1] for name, values in parse_qs(raw).items()}
    for name in ("blocks", "view", "metadata", "attachments"):
        if isinstance(args.get(name), str):
            with contextlib.suppress(json.JSONDecodeError):
                args[name] = json.loads(args[name])
    return args


def main(argv: list[str] | None = None) -> int:
    """Serve a FakeSlack in this process until SIGTERM/SIGINT; print `{"api_url": ...}` once it listens."""
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox.webapi", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=FakeSlack.token)
    parser.add_argument("--channel-interval", type=float, default=None)
    parser.add_argument("--workspace-rate", type=float, default=None)
    parser.add_argument("--workspace-burst", type=float, default=None)
    parser.add_argument("--latency", type=float, default=0.0)
    options = parser.parse_args(argv)
    slack = FakeSlack(
        token=options.token,
        channel_interval=options.channel_interval,
        workspace_rate=options.workspace_rate,
        workspace_burst=options.workspace_burst,
        latency=options.latency,
    ).start(options.port)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    print(json.dumps({"api_url": slack.api_url}), flush=True)
    while not stopping.wait(0.2):
        pass
    slack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
