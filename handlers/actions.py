"""Buttons of the check-in DM."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import answers
from bot.answers import PromptMessage
from bot.deps import deps_of
from bot.home import publish_home
from bot.i18n import t
from bot.people import language_for, speaks
from bot.permissions import can_update, refusal
from bot.portfolio import latest_checkin
from bot.rituals import digest
from bot.views import ids
from bot.views.checkin import notice_modal, update_modal
from bot.views.prompt import PromptRef, away_modal, is_reminder, listed_initiatives
from bot.workspace import workspace_of
from storage.db import session_scope
from storage.models import Initiative, Status


def answer_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    deps = deps_of(context)
    ack()
    recorded = answers.answer(
        deps.engine,
        deps.settings,
        ref=PromptRef.decode(action["value"]),
        status=Status(action["action_id"].removeprefix(ids.PROMPT_ANSWER)),
        author=body["user"]["id"],
        message=_message(body),
        now=deps.clock(),
    )
    if recorded:
        deps.outbox_ready.set()
    else:
        _closed(respond, speaks(deps.engine, body["user"]["id"]))


def details_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    deps = deps_of(context)
    ack()
    ref = PromptRef.decode(action["value"])
    message = _message(body)
    with session_scope(deps.engine) as session:
        lang = language_for(session, body["user"]["id"])
        initiative = session.get(Initiative, ref.initiative_id)
        if initiative is None or answers.is_closed(session, deps.settings, ref.cycle, deps.clock()):
            _closed(respond, lang)
            return
        view = update_modal(
            initiative,
            previous=latest_checkin(session, initiative.id or 0),
            origin={"cycle": ref.cycle, "owner": ref.owner, "dm": vars(message)},
            lang=lang,
        )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def snooze_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    deps = deps_of(context)
    ack()
    until = answers.snooze(
        deps.engine, ref=PromptRef.decode(action["value"]), user=body["user"]["id"], now=deps.clock()
    )
    when = f"<!date^{int(until.timestamp())}^{{time}}|{until:%H:%M} UTC>"  # Slack shows it in their zone
    lang = speaks(deps.engine, body["user"]["id"])
    respond(text=t("prompt.snoozed", lang, time=when), response_type="ephemeral", replace_original=False)


def skip_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    deps = deps_of(context)
    ack()
    answers.skip_week(
        deps.engine,
        ref=PromptRef.decode(action["value"]),
        user=body["user"]["id"],
        message=_message(body),
        now=deps.clock(),
    )
    deps.outbox_ready.set()


def away_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = deps_of(context)
    ack()
    today = workspace_of(deps.engine, deps.settings).today(deps.clock())
    view = away_modal(
        PromptRef.decode(action["value"]), today.isoformat(), speaks(deps.engine, body["user"]["id"])
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def home_update_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = deps_of(context)
    ack()
    user = body["user"]["id"]
    with session_scope(deps.engine) as session:
        lang = language_for(session, user)
        initiative = session.get(Initiative, int(action["value"]))
        if initiative is None:
            return
        if can_update(session, deps.settings, client, user, initiative.id or 0):
            previous = latest_checkin(session, initiative.id or 0)
            view = update_modal(initiative, previous=previous, lang=lang)
        else:
            view = notice_modal(refusal(session, initiative, "refused.update", lang), lang)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def digest_details_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    deps = deps_of(context)
    ack()
    answer = digest.details(deps.engine, int(action["value"]), speaks(deps.engine, body["user"]["id"]))
    respond(**answer, replace_original=False)


def home_paged(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = deps_of(context)
    ack()
    publish_home(
        deps.engine,
        deps.settings,
        client,
        body["user"]["id"],
        members=deps.leadership,
        now=deps.clock(),
        page=int(action["value"]),
    )


def register(app: App) -> None:
    app.action(re.compile("^" + re.escape(ids.PROMPT_ANSWER)))(answer_clicked)
    app.action(ids.PROMPT_DETAILS)(details_clicked)
    app.action(ids.PROMPT_SNOOZE)(snooze_clicked)
    app.action(ids.PROMPT_SKIP)(skip_clicked)
    app.action(ids.PROMPT_AWAY)(away_clicked)
    app.action(ids.HOME_UPDATE)(home_update_clicked)
    app.action(ids.DIGEST_DETAILS)(digest_details_clicked)
    app.action(ids.HOME_PAGE)(home_paged)


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
