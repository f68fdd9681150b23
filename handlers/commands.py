"""`/okr` and its subcommands. Every answer that concerns only the asker is ephemeral."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import replies
from bot.deps import AFTER_ACK, Deps, ack_now, deps_of, lang_of, workspace_of_request
from bot.i18n import t
from bot.logs import get_logger
from bot.people import speaks_if_known
from bot.replies import Asker, Modal, Reply
from bot.rituals.digest import preview as digest_preview
from bot.views import ids
from bot.views.help import help_message
from bot.views.portfolio import notice

log = get_logger(__name__)


@dataclass(frozen=True)
class Call:
    """One `/okr` call, as a subcommand receives it: who asks, what follows the subcommand's name."""

    asker: Asker
    text: str
    trigger_id: str
    respond: Respond
    deps: Deps


@dataclass(frozen=True)
class Subcommand:
    usage: str  # as `/okr help` lists it, after "/okr "
    help: str  # the catalog key of its line in `/okr help`
    run: Callable[[Call], Reply]


def _queued(call: Call, answer: tuple[Reply, bool]) -> Reply:
    reply, queued = answer
    if queued:
        call.deps.outbox_ready.set()
    return reply


# Every subcommand, in the order `/okr help` lists them: this table is the routing and the help.
COMMANDS: dict[str, Subcommand] = {
    "update": Subcommand("update [initiative]", "help.update", lambda c: replies.update(c.asker, c.text)),
    "status": Subcommand(
        "status initiative", "help.status", lambda c: replies.by_name(c.asker, "status", c.text)
    ),
    "list": Subcommand(
        "list [mine | team NAME | quarter 2026-Q4]", "help.list", lambda c: replies.listing(c.asker, c.text)
    ),
    "who": Subcommand("who", "help.who", lambda c: replies.who(c.asker)),
    "digest": Subcommand(
        "digest",
        "digest.help",  # this week's leadership digest, previewed to the asker only
        lambda c: digest_preview(c.deps.engine, c.asker.workspace, c.asker.now, c.asker.lang),
    ),
    "escalate": Subcommand(
        "escalate initiative reason",
        "esc.help.escalate",
        lambda c: _queued(c, replies.escalate(c.asker, c.text)),
    ),
    "decisions": Subcommand(
        "decisions [quarter]", "decisions.help", lambda c: replies.decisions(c.asker, c.text)
    ),
    "new": Subcommand("new", "help.new", lambda c: replies.new_initiative(c.asker)),
    "edit": Subcommand("edit initiative", "help.edit", lambda c: replies.by_name(c.asker, "edit", c.text)),
    "role": Subcommand(
        "role list | set NAME @person…", "help.role", lambda c: replies.roles(c.asker, c.text)
    ),
    "import": Subcommand("import", "help.import", lambda c: replies.import_form(c.asker)),
    "settings": Subcommand("settings", "help.settings", lambda c: replies.settings_form(c.asker)),
    "archive": Subcommand(
        "archive initiative", "help.archive", lambda c: replies.by_name(c.asker, "archive", c.text)
    ),
}
ALIASES = {"roles": "role"}
HELP = [(sub.usage, sub.help) for sub in COMMANDS.values()] + [("help", "help.help")]


# Slack sends what a person typed with `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` (its three control
# characters), and its own markup (`<@U…|name>`, `<#C…|name>`) as is: the three entities, decoded in one pass,
# give back what was typed, so `&amp;lt;` (a typed `&lt;`) stays `&lt;`.
SLACK_ENTITIES = re.compile(r"&(amp|lt|gt);")
TYPED = {"amp": "&", "lt": "<", "gt": ">"}


def typed_text(text: str) -> str:
    """A slash command's text as the person typed it; views escape it again, once, where they show it."""
    return SLACK_ENTITIES.sub(lambda entity: TYPED[entity[1]], text)


def _subcommand(command: dict[str, Any]) -> tuple[str, Subcommand | None, str]:
    """The subcommand's name as typed, its table entry (None for help or a name Baton does not know),
    and the text after it, its entities decoded: the only place where `/okr` text enters Baton."""
    name, _, rest = typed_text(command.get("text") or "").strip().partition(" ")
    return name, COMMANDS.get(ALIASES.get(name.lower(), name.lower())), rest.strip()


def okr_ack(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    """`/okr help` (or a subcommand Baton does not know) is the ack itself, in the asker's language; for
    someone Baton has never looked up, whose language it does not know yet, it comes just after (`okr`).
    Anything else is acked at once and answered by `okr`, after the ack."""
    name, subcommand, _ = _subcommand(command)
    lang = speaks_if_known(deps_of(context).engine, command["user_id"]) if subcommand is None else None
    if lang is not None:
        ack(**help_message(HELP, unknown=_unknown(name), lang=lang))
        return
    ack()
    if subcommand is None:
        context[AFTER_ACK] = "help"


def okr(command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    """`/okr SUBCOMMAND …` after the ack: through response_url, or a modal."""
    name, subcommand, rest = _subcommand(command)
    if subcommand is None:
        if context.get(AFTER_ACK) == "help":  # the middleware has looked the newcomer up meanwhile
            respond(**help_message(HELP, unknown=_unknown(name), lang=lang_of(context)))
        return
    call = Call(
        _asker(context, client, command["user_id"]), rest, command["trigger_id"], respond, deps_of(context)
    )
    deliver(call.asker, respond, call.trigger_id, subcommand.run(call))


def _unknown(name: str) -> str | None:
    """What was typed instead of a subcommand, for the help to name it (nothing for `help` itself)."""
    return name if name.lower() not in ("", "help") else None


def initiative_picked(
    body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """The choice among several initiatives that matched: the command goes on with it, authorised as if
    typed (the picker's command and option are the sender's to change: each command checks again)."""
    asker = _asker(context, client, body["user"]["id"])
    command = action["action_id"].removeprefix(ids.PICK_INITIATIVE)
    picked = str((action.get("selected_option") or {}).get("value") or "")
    if command not in replies.USAGE or not (picked.isascii() and picked.isdigit() and len(picked) < 19):
        log.warning("picker.unknown", user=asker.user, command=command[:40])  # a picker Baton never made
        deliver(asker, respond, body["trigger_id"], notice(t("modal.error_gone", asker.lang)), replace=True)
        return
    reply = replies.on_initiative(asker, command, int(picked))
    deliver(asker, respond, body["trigger_id"], reply, replace=True)


def register(app: App) -> None:
    app.command("/okr")(ack=okr_ack, lazy=[okr])
    app.action(re.compile("^" + re.escape(ids.PICK_INITIATIVE)))(ack=ack_now, lazy=[initiative_picked])


def deliver(asker: Asker, respond: Respond, trigger_id: str, reply: Reply, *, replace: bool = False) -> None:
    """A message for the asker (in place of the picker it answers), or a modal."""
    if not isinstance(reply, Modal):
        respond(**({**reply, "replace_original": True} if replace else reply))
        return
    try:
        asker.client.views_open(trigger_id=trigger_id, view=reply.view)
    except SlackApiError as exc:
        log.warning("views.open.failed", error=exc.response.get("error"))
        respond(t("help.modal_failed", asker.lang))


def _asker(context: BoltContext, client: WebClient, user: str) -> Asker:
    deps = deps_of(context)
    return Asker(
        engine=deps.engine,
        settings=deps.settings,
        client=client,
        workspace=workspace_of_request(context),
        user=user,
        lang=lang_of(context),
        now=deps.clock(),
    )
