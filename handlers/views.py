"""Modal submissions."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.logs import get_logger
from bot.portfolio import record_checkin
from bot.views import ids
from bot.views.checkin import InvalidForm, checkin_confirmation, read_update
from storage.db import session_scope
from storage.models import CheckInSource, Initiative

log = get_logger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.view(ids.UPDATE_MODAL)
    def submit_update(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        try:
            form = read_update(view)
        except InvalidForm as invalid:
            ack(response_action="errors", errors=invalid.errors)
            return
        user = body["user"]["id"]
        with session_scope(deps.engine) as session:
            initiative = session.get(Initiative, form.initiative_id)
            if initiative is None or initiative.archived:
                ack(response_action="errors", errors={ids.STATUS_BLOCK: "This initiative no longer exists."})
                return
            ack()
            checkin = record_checkin(
                session,
                initiative=initiative,
                author=user,
                status=form.status,
                kpi_value=form.kpi_value,
                comment=form.comment,
                source=CheckInSource.MODAL,
                now=deps.clock(),
                tz=deps.settings.org_timezone,
            )
        try:
            client.chat_postMessage(channel=user, **checkin_confirmation(initiative, checkin))
        except SlackApiError as exc:  # the check-in is stored; only the receipt is lost
            log.warning("confirmation.failed", user=user, error=exc.response.get("error"))
