"""Events: the App Home, rebuilt whenever it is opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.deps import ack_now, deps_of, lang_of, workspace_of_request
from bot.home import publish_home


def home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab") == "home":
        deps = deps_of(context)
        publish_home(
            deps.engine,
            deps.settings,
            client,
            event["user"],
            workspace=workspace_of_request(context),
            lang=lang_of(context),
            members=deps.leadership,
            now=deps.clock(),
        )


def register(app: App) -> None:
    app.event("app_home_opened")(ack=ack_now, lazy=[home_opened])
