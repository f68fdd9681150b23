"""HTTP: `POST /slack/events` for Slack, `GET /healthz` for load balancers, served by waitress."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.lazy import LAZY_FUNCTION, LAZY_ONLY, Workers
from storage.db import ping

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

SERVER_THREADS = 16
LAZY_MARKS = ["HTTP_" + name.upper().replace("-", "_") for name in (LAZY_ONLY, LAZY_FUNCTION)]


def make_wsgi(app: App, engine: Engine, *, workers: Workers | None = None) -> WSGIApplication:
    """`workers`: `baton serve`'s worker processes, told when a request is being answered."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _health(engine, workers, start_response)
        for mark in LAZY_MARKS:  # only Baton's own second dispatch is lazy-only (bot/lazy.py)
            environ.pop(mark, None)
        if workers:
            workers.answering()
        return slack(environ, start_response)

    return wsgi


def _health(engine: Engine, workers: Workers | None, start_response: StartResponse) -> list[bytes]:
    try:
        ping(engine)
    except SQLAlchemyError:
        status, body = "503 Service Unavailable", {"status": "error", "db": "unreachable"}
    else:
        status, body = "200 OK", {"status": "ok", "db": "ok"}
    if workers and not workers.alive():  # acks would still go out, but nothing after them: restart Baton
        status, body = "503 Service Unavailable", {**body, "status": "error", "workers": "stopped"}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def serve(wsgi: WSGIApplication, *, host: str, port: int) -> None:
    waitress.serve(wsgi, host=host, port=port, threads=SERVER_THREADS, ident="baton")
