"""HTTP: `POST /slack/events` for Slack, `GET /healthz` for load balancers, served by waitress.

The server faces the internet (behind a reverse proxy, README): a request body is capped before it is
read, and its Slack signature is checked on the raw bytes before anything parses it.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from waitress.server import create_server

from bot.lazy import LAZY_FUNCTION, LAZY_ONLY, Workers
from bot.logs import get_logger
from storage.db import POOL_SIZE, ping

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = get_logger(__name__)

SERVER_THREADS = POOL_SIZE  # one pooled database connection per thread: no ack waits for a connection
LAZY_MARKS = ["HTTP_" + name.upper().replace("-", "_") for name in (LAZY_ONLY, LAZY_FUNCTION)]
# Slack's payloads stay far below: a view is at most 100 blocks, its private_metadata 3,000 characters, a
# text input 3,000; Baton's largest modal (the roadmap import) sends tens of KB, form-encoded.
MAX_BODY_BYTES = 1 << 20
HEALTH_SECONDS = 1.5  # /healthz answers within this, whatever the database does (load balancers wait ~2 s)

# waitress for a public endpoint: its defaults (100 connections, idle ones kept 120 s, looked at every
# 30 s) let 100 silent sockets lock Slack out. Idle sockets now go after 10 s, checked every second,
# and far more of them fit (poll(), not select(), so past 1,024 descriptors).
WAITRESS_OPTIONS: dict[str, Any] = {
    "threads": SERVER_THREADS,
    "connection_limit": 2000,
    "channel_timeout": 10,
    "cleanup_interval": 1,
    "backlog": 2048,
    "asyncore_use_poll": True,
    "max_request_body_size": MAX_BODY_BYTES,
    "max_request_header_size": 64 * 1024,
    "ident": "baton",
}


def make_wsgi(app: App, engine: Engine, *, workers: Workers | None = None) -> WSGIApplication:
    """`workers`: `baton serve`'s worker processes, told when a request is being answered."""
    slack = _SlackHandler(app, path="/slack/events")
    verifier = SignatureVerifier(app._signing_secret)  # Bolt keeps it; no public accessor
    health = _Health(engine)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _health(health, workers, start_response)
        for mark in LAZY_MARKS:  # only Baton's own second dispatch is lazy-only (bot/lazy.py)
            environ.pop(mark, None)
        if method == "POST" and path == "/slack/events":
            refused = _refused(environ, verifier)
            if refused:
                return _answer(start_response, *refused)
        if workers:
            workers.answering()
        return slack(environ, start_response)

    return wsgi


def _refused(environ: WSGIEnvironment, verifier: SignatureVerifier) -> tuple[str, dict[str, str]] | None:
    """Why a POST to /slack/events is refused before Bolt sees it, or None (its body is then re-readable).
    Too big: 413, unread. Unsigned, badly signed, stale or not UTF-8: 401, unparsed."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", {"error": "bad content length"}
    if length > MAX_BODY_BYTES:
        log.warning("http.refused", reason="body_too_large", content_length=length)
        return "413 Request Entity Too Large", {"error": "request body too large"}
    body: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    try:
        valid = verifier.is_valid(body, timestamp, signature)
    except ValueError:  # a timestamp that is not a number, a body that is not UTF-8
        valid = False
    if not valid:  # logged without the body or the headers: they are an attacker's to choose
        log.warning("http.refused", reason="invalid_signature", content_length=length)
        return "401 Unauthorized", {"error": "invalid request"}
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return None


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, except that a signed body Bolt cannot parse (not JSON where JSON is due, not
    an object) is a 400 rather than a 500 with a traceback."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            bolt_request = BoltRequest(
                body=request.get_body(), query=request.query_string, headers=request.get_headers()
            )
        except Exception as exc:  # anything Bolt's parser trips on is the sender's fault
            log.warning("http.refused", reason="malformed_body", error=type(exc).__name__)
            return BoltResponse(status=400, body={"error": "invalid request"})
        return self.app.dispatch(bolt_request)


def _answer(start_response: StartResponse, status: str, body: dict[str, str]) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class _Health:
    """The database check of /healthz, bounded in time: at most one ping in flight, shared by every
    caller, and an answer after HEALTH_SECONDS whether it has returned or not (a partition must give a
    503 now, not when the TCP stack gives up)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="healthz")
        self.lock = threading.Lock()
        self.pending: Future[None] | None = None

    def database_ok(self) -> bool:
        with self.lock:
            if self.pending is None or self.pending.done():
                self.pending = self.pool.submit(ping, self.engine)
            pending = self.pending
        try:
            pending.result(timeout=HEALTH_SECONDS)
        except (SQLAlchemyError, FutureTimeout):
            return False
        return True


def _health(health: _Health, workers: Workers | None, start_response: StartResponse) -> list[bytes]:
    if health.database_ok():
        status, body = "200 OK", {"status": "ok", "db": "ok"}
    else:
        status, body = "503 Service Unavailable", {"status": "error", "db": "unreachable"}
    if workers and not workers.alive():  # acks would still go out, but nothing after them: restart Baton
        status, body = "503 Service Unavailable", {**body, "status": "error", "workers": "stopped"}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def make_server(wsgi: WSGIApplication, *, host: str, port: int) -> Any:
    """The waitress server `baton serve` runs (port 0: a free one, in `.effective_port`)."""
    return create_server(wsgi, host=host, port=port, **WAITRESS_OPTIONS)


def serve(wsgi: WSGIApplication, *, host: str, port: int) -> None:
    server = make_server(wsgi, host=host, port=port)
    server.print_listen("Serving on http://{}:{}")
    server.run()
