"""The composition root: build_app(deps) → a Bolt App with every handler module registered."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.lazy import in_threads
from bot.slack import make_client
from handlers import register_all


def build_app(
    deps: Deps, *, client: WebClient | None = None, socket_mode: bool = False, token_verification: bool = True
) -> App:
    """The Bolt app. In HTTP mode every request's signature is verified; Socket Mode has no signatures.
    Listeners answer Slack in their ack function and work in their lazy ones (bot/lazy.py): those run in
    threads unless `baton serve` gives them to worker processes."""
    client = client or make_client(deps.settings)
    app = App(
        client=client,
        signing_secret="" if socket_mode else deps.settings.secret("SLACK_SIGNING_SECRET"),
        request_verification_enabled=not socket_mode,
        process_before_response=True,  # the ack function's answer is the response; the rest is lazy
        token_verification_enabled=token_verification,
        logger=logging.getLogger("slack_bolt"),
    )
    register_all(app, deps)
    in_threads(app)
    return app
