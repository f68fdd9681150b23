"""Events: the App Home, rebuilt whenever it is opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.home import home_for
from bot.logs import get_logger
from bot.people import refresh_people
from bot.permissions import is_admin
from storage.db import session_scope

log = get_logger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") == "home":
            publish_home(deps, client, event["user"])


def publish_home(deps: Deps, client: WebClient, user: str, page: int = 1) -> None:
    """Rebuild a person's App Home (after it is opened, paged, or after they update an initiative)."""
    refresh_people(deps.engine, client, [user], now=deps.clock())  # a newcomer's Slack language
    admin = is_admin(deps.settings, client, user)
    with session_scope(deps.engine) as session:
        view = home_for(session, deps.settings, user=user, admin=admin, now=deps.clock(), page=page)
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("home.publish_failed", user=user, error=exc.response.get("error"))
