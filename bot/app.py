"""The composition root: build_app(deps) → a Bolt App with every handler module registered."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.slack import make_client
from handlers import register_all


def build_app(deps: Deps, *, client: WebClient | None = None, socket_mode: bool = False) -> App:
    """The Bolt app. In HTTP mode every request's signature is verified; Socket Mode has no signatures."""
    client = client or make_client(deps.settings)
    app = App(
        client=client,
        signing_secret="" if socket_mode else deps.settings.secret("SLACK_SIGNING_SECRET"),
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        logger=logging.getLogger("slack_bolt"),
    )
    register_all(app, deps)
    return app
