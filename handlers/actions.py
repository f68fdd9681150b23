"""Buttons of the check-in DM."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot import answers
from bot.answers import PromptMessage
from bot.deps import ack_now, deps_of, lang_of, publish_home_of, workspace_of_request
from bot.i18n import t
from bot.replies import update_from_home
from bot.rituals import digest
from bot.views import ids
from bot.views.prompt import PromptRef, away_modal, is_reminder, listed_initiatives
from storage.models import Status


def answer_clicked(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    deps = deps_of(context)
    recorded = answers.answer(
        deps.engine,
        workspace_of_request(context),
        ref=PromptRef.decode(action["value"]),
        status=Status(action["action_id"].removeprefix(ids.PROMPT_ANSWER)),
        author=body["user"]["id"],
        message=_message(body),
        now=deps.clock(),
    )
    if recorded:
        deps.outbox_ready.set()
    else:
        _closed(respond, lang_of(context))


def details_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    deps, lang = deps_of(context), lang_of(context)
    view = answers.prompt_modal(
        deps.engine,
        workspace_of_request(context),
        ref=PromptRef.decode(action["value"]),
        message=_message(body),
        lang=lang,
        now=deps.clock(),
    )
    if view is None:
        _closed(respond, lang)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def snooze_clicked(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    deps = deps_of(context)
    until = answers.snooze(
        deps.engine, ref=PromptRef.decode(action["value"]), user=body["user"]["id"], now=deps.clock()
    )
    when = f"<!date^{int(until.timestamp())}^{{time}}|{until:%H:%M} UTC>"  # Slack shows it in their zone
    respond(
        text=t("prompt.snoozed", lang_of(context), time=when),
        response_type="ephemeral",
        replace_original=False,
    )


def skip_clicked(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    deps = deps_of(context)
    answers.skip_week(
        deps.engine,
        ref=PromptRef.decode(action["value"]),
        user=body["user"]["id"],
        message=_message(body),
        now=deps.clock(),
    )
    deps.outbox_ready.set()


def away_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    today = workspace_of_request(context).today(deps_of(context).clock())
    view = away_modal(PromptRef.decode(action["value"]), today.isoformat(), lang_of(context))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def home_update_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = deps_of(context)
    view = update_from_home(
        deps.engine,
        deps.settings,
        client,
        user=body["user"]["id"],
        initiative_id=int(action["value"]),
        lang=lang_of(context),
    )
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def digest_details_clicked(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    answer = digest.details(deps_of(context).engine, int(action["value"]), lang_of(context))
    respond(**answer, replace_original=False)


def home_paged(body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Previous or Next of the App Home's pager: the page its button carries."""
    publish_home_of(context, client, body["user"]["id"], page=int(action["value"]))


def register(app: App) -> None:
    app.action(re.compile("^" + re.escape(ids.PROMPT_ANSWER)))(ack=ack_now, lazy=[answer_clicked])
    app.action(ids.PROMPT_DETAILS)(ack=ack_now, lazy=[details_clicked])
    app.action(ids.PROMPT_SNOOZE)(ack=ack_now, lazy=[snooze_clicked])
    app.action(ids.PROMPT_SKIP)(ack=ack_now, lazy=[skip_clicked])
    app.action(ids.PROMPT_AWAY)(ack=ack_now, lazy=[away_clicked])
    app.action(ids.HOME_UPDATE)(ack=ack_now, lazy=[home_update_clicked])
    app.action(ids.DIGEST_DETAILS)(ack=ack_now, lazy=[digest_details_clicked])
    for pager in (ids.HOME_PAGE_PREVIOUS, ids.HOME_PAGE_NEXT):  # Previous and Next: one listener
        app.action(pager)(ack=ack_now, lazy=[home_paged])


def _closed(respond: Respond, lang: str) -> None:
    respond(text=t("prompt.closed", lang), response_type="ephemeral", replace_original=False)


def _message(body: dict[str, Any]) -> PromptMessage:
    blocks = body.get("message", {}).get("blocks", [])
    return PromptMessage(
        channel=body["container"]["channel_id"],
        ts=body["container"]["message_ts"],
        recipient=body["user"]["id"],
        listed=listed_initiatives(blocks),
        reminder=is_reminder(blocks),
    )
