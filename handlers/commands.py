"""`/okr` and its subcommands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.i18n import t
from bot.logs import get_logger
from bot.people import speaks
from bot.portfolio import active_initiatives, find_initiatives
from bot.views.checkin import update_modal
from bot.views.help import help_message
from storage.db import session_scope

log = get_logger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.command("/okr")
    def okr(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        subcommand, _, rest = (command.get("text") or "").strip().partition(" ")
        lang = speaks(deps.engine, command["user_id"])
        match subcommand.lower():
            case "" | "help":
                ack(**help_message(lang=lang))
            case "update":
                ack()
                open_update(
                    deps, client, respond, trigger_id=command["trigger_id"], query=rest.strip(), lang=lang
                )
            case _:
                ack(**help_message(unknown=subcommand, lang=lang))


def open_update(
    deps: Deps, client: WebClient, respond: Respond, *, trigger_id: str, query: str, lang: str
) -> None:
    """Open the update modal on the initiative `query` names, or on a picker when it names none or several."""
    with session_scope(deps.engine) as session:
        matches = find_initiatives(session, query) if query else []
        if len(matches) == 1:
            view = update_modal(matches[0], lang=lang)
        else:
            choices = matches or active_initiatives(session)
            if not choices:
                respond(t("help.none", lang))
                return
            view = update_modal(None, choices, unmatched=query if query and not matches else None, lang=lang)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open.failed", error=exc.response.get("error"))
        respond(t("help.modal_failed", lang))
