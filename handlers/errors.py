"""The last resort: an unexpected error is logged with its context, never shown to users as a trace."""

from typing import Any

from slack_bolt import App, BoltResponse

from bot.deps import Deps
from bot.logs import get_logger

log = get_logger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        log.error("listener.failed", kind=body.get("type") or body.get("command"), exc_info=error)
        return BoltResponse(status=500, body="")
