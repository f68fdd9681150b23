"""Events: the App Home, rebuilt whenever it is opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.deps import ack_now, publish_home_of


def home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab") == "home":
        publish_home_of(context, client, event["user"])


def register(app: App) -> None:
    app.event("app_home_opened")(ack=ack_now, lazy=[home_opened])
