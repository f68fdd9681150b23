"""The last resort: an unexpected error is logged with its context, never shown to users as a trace."""

from typing import Any

from slack_bolt import App, BoltResponse

from bot.logs import get_logger

log = get_logger(__name__)


def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    log.error("listener.failed", kind=body.get("type") or body.get("command"), exc_info=error)
    return BoltResponse(status=500, body="")


def register(app: App) -> None:
    app.error(on_error)
