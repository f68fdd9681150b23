"""The baseline for bench/ack_latency.py: a bare Bolt app that only acks `/okr`.

It is built and served the way Baton is (bot/app.py, bot/server.py): a Bolt `App` with a `WebClient` on
`SLACK_API_URL`, `process_before_response=True`, behind `SlackRequestHandler` on waitress with the same
thread count. It registers no Baton handler and touches no database, so the difference between the two is
what Baton does per request.

    SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... SLACK_API_URL=http://127.0.0.1:PORT/api/ \\
        python bench/bare_app.py --port 3001

`GET /healthz` answers 200 so the benchmark can wait for it as it waits for Baton.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.server import serve  # the same waitress server and thread count as `baton serve`

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment


def build_app(token: str, signing_secret: str, api_url: str) -> App:
    app = App(
        token=token,
        signing_secret=signing_secret,
        client=WebClient(token=token, base_url=api_url),
        process_before_response=True,  # as Baton: the listener's return is the response
    )

    @app.command("/okr")
    def okr(ack: Ack) -> None:
        ack()

    return app


def make_wsgi(app: App) -> WSGIApplication:
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            payload = b'{"status": "ok"}'
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
            start_response("200 OK", headers)
            return [payload]
        return slack(environ, start_response)

    return wsgi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A bare Bolt app that only acks /okr (a baseline).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3001")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default=os.environ.get("SLACK_BOT_TOKEN"))
    parser.add_argument("--signing-secret", default=os.environ.get("SLACK_SIGNING_SECRET"))
    parser.add_argument("--api-url", default=os.environ.get("SLACK_API_URL", "https://slack.com/api/"))
    args = parser.parse_args(argv)
    if not args.token or not args.signing_secret:
        parser.error("set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or --token and --signing-secret)")
    app = build_app(args.token, args.signing_secret, args.api_url)
    serve(make_wsgi(app), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
