"""Events: the App Home, rebuilt whenever it is opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.home import home_for
from bot.leadership import is_leadership
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
    now = deps.clock()
    refresh_people(deps.engine, client, [user], now=now)  # a newcomer's Slack language
    portfolio = is_admin(deps.settings, client, user) or is_leadership(
        deps.engine, deps.settings, client, user, members=deps.leadership, now=now
    )
    with session_scope(deps.engine) as session:
        view = home_for(session, deps.settings, user=user, portfolio=portfolio, now=now, page=page)
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("home.publish_failed", user=user, error=exc.response.get("error"))
