"""Buttons of the check-in DM, the App Home and the digest. A click's container and a button's value
are the sender's to choose: bot.answers finds the DM Baton sent to whoever clicked, or refuses."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot import answers
from bot.answers import Click, Refused
from bot.deps import ack_now, deps_of, lang_of, publish_home_of, workspace_of_request
from bot.i18n import t
from bot.replies import update_from_home
from bot.rituals import digest
from bot.views import ids
from bot.views.prompt import ONE_CLICK, PromptRef, away_modal
from handlers import buttons
from storage.models import Status


def answer_clicked(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    deps = deps_of(context)
    status = action["action_id"].removeprefix(ids.PROMPT_ANSWER)
    if status not in ONE_CLICK:  # an action_id Baton never made (`done` is not a one-click answer)
        refused: Refused | None = Refused.NOT_YOURS
    else:
        refused = answers.answer(
            deps.engine,
            workspace_of_request(context),
            click=_click(body, action),
            status=Status(status),
            now=deps.clock(),
        )
    if refused:
        _refuse(respond, refused, lang_of(context))
    else:
        deps.outbox_ready.set()


def details_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    deps, lang = deps_of(context), lang_of(context)
    view = answers.prompt_modal(
        deps.engine, workspace_of_request(context), click=_click(body, action), lang=lang, now=deps.clock()
    )
    if isinstance(view, Refused):
        _refuse(respond, view, lang)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def snooze_clicked(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    deps = deps_of(context)
    prompt = answers.verified_prompt(deps.engine, _click(body, action), "prompt.snooze")
    if prompt is None:
        _refuse(respond, Refused.NOT_YOURS, lang_of(context))
        return
    until = answers.snooze(deps.engine, ref=prompt.ref, user=body["user"]["id"], now=deps.clock())
    when = f"<!date^{int(until.timestamp())}^{{time}}|{until:%H:%M} UTC>"  # Slack shows it in their zone
    respond(
        text=t("prompt.snoozed", lang_of(context), time=when),
        response_type="ephemeral",
        replace_original=False,
    )


def skip_clicked(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    deps = deps_of(context)
    refused = answers.skip_week(deps.engine, click=_click(body, action), now=deps.clock())
    if refused:
        _refuse(respond, refused, lang_of(context))
    else:
        deps.outbox_ready.set()


def away_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    today = workspace_of_request(context).today(deps_of(context).clock())
    user = body["user"]["id"]  # the modal sets who clicked out of office, whatever the button says
    view = away_modal(_click(body, action).ref() or PromptRef("", user), today.isoformat(), lang_of(context))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def home_update_clicked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = deps_of(context)
    initiative_id = buttons.number(action)
    if initiative_id is None:
        return  # a value Baton never made: nothing to open
    view = update_from_home(
        deps.engine,
        deps.settings,
        client,
        user=body["user"]["id"],
        initiative_id=initiative_id,
        cycle=workspace_of_request(context).cycle(deps.clock()),
        lang=lang_of(context),
    )
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def digest_details_clicked(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """The initiative's status, for the one who clicked alone: a new ephemeral answer, never a change
    to the message clicked (whatever the click says it is, the digest stays as Baton posted it)."""
    answer = digest.details(deps_of(context).engine, buttons.number(action), lang_of(context))
    respond(**answer, replace_original=False)


def home_paged(body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Previous or Next of the App Home's pager: the page its button carries."""
    publish_home_of(context, client, body["user"]["id"], page=buttons.number(action) or 1)


def home_nudged(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The strategy office's Nudge on an owner who is late: a reminder now (re-authorised: admins only),
    and the Home again, the owner marked nudged."""
    deps, user = deps_of(context), body["user"]["id"]
    owner = str(action.get("value") or "")
    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", owner):
        return  # a value Baton never made
    outcome = answers.nudge(
        deps.engine,
        deps.settings,
        client,
        owner=owner,
        by=user,
        cycle=workspace_of_request(context).cycle(deps.clock()),
        now=deps.clock(),
    )
    if outcome == "sent":
        deps.outbox_ready.set()
    publish_home_of(context, client, user)  # the owner now shows as nudged


def register(app: App) -> None:
    app.action(re.compile("^" + re.escape(ids.PROMPT_ANSWER)))(ack=ack_now, lazy=[answer_clicked])
    app.action(ids.PROMPT_DETAILS)(ack=ack_now, lazy=[details_clicked])
    app.action(ids.PROMPT_SNOOZE)(ack=ack_now, lazy=[snooze_clicked])
    app.action(ids.PROMPT_SKIP)(ack=ack_now, lazy=[skip_clicked])
    app.action(ids.PROMPT_AWAY)(ack=ack_now, lazy=[away_clicked])
    app.action(ids.HOME_NUDGE)(ack=ack_now, lazy=[home_nudged])
    app.action(ids.HOME_UPDATE)(ack=ack_now, lazy=[home_update_clicked])
    app.action(ids.DIGEST_DETAILS)(ack=ack_now, lazy=[digest_details_clicked])
    for pager in (ids.HOME_PAGE_PREVIOUS, ids.HOME_PAGE_NEXT):  # Previous and Next: one listener
        app.action(pager)(ack=ack_now, lazy=[home_paged])


def _refuse(respond: Respond, refused: Refused, lang: str) -> None:
    respond(text=t(refused.value, lang), response_type="ephemeral", replace_original=False)


def _click(body: dict[str, Any], action: dict[str, Any]) -> Click:
    """What the click says about itself, to be checked: who (Slack's), where and which (the sender's)."""
    container = body.get("container") or {}
    return Click(
        user=body["user"]["id"],
        channel=container.get("channel_id"),
        ts=container.get("message_ts"),
        value=action.get("value"),
    )
