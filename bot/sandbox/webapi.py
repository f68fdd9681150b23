"""A Slack Web API on 127.0.0.1: records every call and answers as Slack does.

Tests and benchmarks point `SLACK_API_URL` at it. It checks the bot token, Block Kit limits and the
arguments each method needs, answers `response_url` posts, and can be told to fail a method (e.g. with a
429 and `Retry-After`) to rehearse what Slack does on a bad day.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from bot.sandbox.blockkit import message_problem, view_problem

TEAM_ID = "T0BATON01"
BOT_USER_ID = "U0BATONBOT"
Answer = tuple[int, dict[str, Any], dict[str, str]]  # HTTP status, body, headers


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class Failure:
    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1


@dataclass
class FakeSlack:
    token: str = "xoxb-test-token"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # posts to response_url
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeSlack:
        handler = type("Handler", (_Handler,), {"slack": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
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

    def fail(
        self, method: str, error: str, *, status: int = 200, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` fail like Slack would (e.g. 429 ratelimited)."""
        with self._lock:
            self._failures.setdefault(method, []).append(Failure(error, status, retry_after, times))

    def add_user(self, user_id: str, *, name: str, tz: str = "Europe/Paris", locale: str = "en-US") -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": name,
            "real_name": name,
            "tz": tz,
            "locale": locale,
            "deleted": False,
            "is_bot": False,
            "team_id": TEAM_ID,
        }

    # -- the API ---------------------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any], token: str | None) -> Answer:
        with self._lock:
            self.calls.append(Call(method, args))
            failure = self._next_failure(method)
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
        body = handler(args)
        return 200, ({"ok": True, **body} if "error" not in body else {"ok": False, **body}), {}

    def _next_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _new_ts(self) -> str:
        return f"1767225600.{next(self._ts):06d}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://baton-sandbox.slack.com/",
            "team": "Baton",
            "user": "baton",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": "B0BATON01",
        }

    def _channel(self, channel: str) -> str:
        return "D" + channel[1:] if channel.startswith(("U", "W")) else channel  # a user id posts to the DM

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"error": "channel_not_found"}
        problem = message_problem(args.get("text"), args.get("blocks"))
        if problem:
            return {"error": problem}
        channel, ts = self._channel(args["channel"]), self._new_ts()
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
            "thread_ts": args.get("thread_ts"),
        }
        return {"channel": channel, "ts": ts, "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel") or not args.get("ts"):
            return {"error": "message_not_found"}
        problem = message_problem(args.get("text"), args.get("blocks"))
        return {"error": problem} if problem else {"channel": args["channel"], "ts": args["ts"]}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user"):
            return {"error": "user_not_found"}
        problem = message_problem(args.get("text"), args.get("blocks"))
        return {"error": problem} if problem else {"message_ts": self._new_ts()}

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

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", ""))
        if not users:
            return {"error": "users_list_not_supplied"}
        return {"channel": {"id": self._channel(users.split(",")[0])}}


class _Handler(BaseHTTPRequestHandler):
    slack: FakeSlack
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        args = _decode(raw, self.headers.get("Content-Type", ""))
        if path.startswith("/response/"):
            with self.slack._lock:
                self.slack.responses.append(args)
            self._send(200, {"ok": True}, {})
            return
        if not path.startswith("/api/"):
            self._send(404, {"ok": False, "error": "not_found"}, {})
            return
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.pop("token", None)
        self._send(*self.slack.answer(path.removeprefix("/api/"), args, token))

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
