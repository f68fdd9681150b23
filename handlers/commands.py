"""`/okr` and its subcommands. Every answer that concerns only the asker is ephemeral."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.i18n import t
from bot.logs import get_logger
from bot.people import speaks
from bot.permissions import can_update, is_admin, updaters
from bot.portfolio import (
    NotAPerson,
    active_initiatives,
    archive,
    find_initiatives,
    history,
    holders,
    latest_checkin,
    missing_updates,
    owners_by_initiative,
    responsible_people,
    roles_with_members,
    set_role_members,
)
from bot.rituals.cadence import current_cycle
from bot.rituals.digest import preview as digest_preview
from bot.views.checkin import update_modal
from bot.views.help import help_message
from bot.views.portfolio import (
    import_modal,
    list_message,
    notice,
    role_set_message,
    roles_message,
    status_message,
    who_message,
)
from storage.db import session_scope

log = get_logger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.command("/okr")
    def okr(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        subcommand, _, rest = (command.get("text") or "").strip().partition(" ")
        user, rest, name = command["user_id"], rest.strip(), subcommand.lower()
        if name not in ("update", "who", "list", "status", "role", "roles", "archive", "import", "digest"):  # help
            lang = speaks(deps.engine, user)
            ack(**help_message(unknown=subcommand if name not in ("", "help") else None, lang=lang))
            return
        ack()  # the rest answers through response_url or a modal: nothing before the ack but parsing
        lang = speaks(deps.engine, user)
        match name:
            case "update":
                open_update(
                    deps, client, respond, user=user, trigger_id=command["trigger_id"], query=rest, lang=lang
                )
            case "digest":  # this week's leadership digest, previewed to the asker only
                respond(**digest_preview(deps.engine, deps.settings, deps.clock(), lang))
            case "who":
                with session_scope(deps.engine) as session:
                    cycle = current_cycle(session, deps.settings, deps.clock())
                    respond(**who_message(cycle, missing_updates(session, cycle), lang))
            case "list":
                with session_scope(deps.engine) as session:
                    mine = rest.lower() == "mine"
                    shown = responsible_people(session).get(user, []) if mine else active_initiatives(session)
                    respond(**list_message(shown, owners_by_initiative(session), mine=mine, lang=lang))
            case "status":
                respond(**status_of(deps, rest, lang))
            case "archive":
                respond(**archive_initiative(deps, client, user, rest, lang))
            case "import":
                if refusal := admins_only(deps, client, user, "action.import", lang):
                    respond(**refusal)
                else:
                    client.views_open(trigger_id=command["trigger_id"], view=import_modal(lang))
            case _:
                respond(**roles(deps, client, user, rest, lang))


def open_update(
    deps: Deps, client: WebClient, respond: Respond, *, user: str, trigger_id: str, query: str, lang: str
) -> None:
    """Open the update modal on the initiative `query` names, or on a picker when it names none or several.
    Only the initiative's R and A people, and admins, may update it; others are told who can."""
    with session_scope(deps.engine) as session:
        matches = find_initiatives(session, query) if query else []
        if len(matches) == 1:
            initiative = matches[0]
            if not can_update(session, deps.settings, client, user, initiative.id or 0):
                who = updaters(session, initiative.id or 0).mentions()
                key = "refused.update" if who else "refused.update_nobody"
                respond(**notice(t(key, lang, title=initiative.title, who=who)))
                return
            view = update_modal(initiative, previous=latest_checkin(session, initiative.id or 0), lang=lang)
        else:
            choices = matches or active_initiatives(session)
            if not choices:
                respond(t("help.none", lang))
                return
            if not is_admin(deps.settings, client, user):
                choices = [c for c in choices if user in updaters(session, c.id or 0).people] or choices
            view = update_modal(None, choices, unmatched=query if query and not matches else None, lang=lang)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open.failed", error=exc.response.get("error"))
        respond(t("help.modal_failed", lang))


def status_of(deps: Deps, query: str, lang: str) -> dict[str, Any]:
    if not query:
        return notice(t("status.usage", lang))
    with session_scope(deps.engine) as session:
        matches = find_initiatives(session, query)
        if not matches:
            return notice(t("status.not_found", lang, query=query))
        if len(matches) > 1:
            titles = ", ".join(f"“{m.title}”" for m in matches[:10])
            return notice(t("status.ambiguous", lang, query=query, titles=titles))
        initiative = matches[0]
        who = updaters(session, initiative.id or 0).mentions()
        return status_message(initiative, who, history(session, initiative.id or 0), lang)


def roles(deps: Deps, client: WebClient, user: str, text: str, lang: str) -> dict[str, Any]:
    """`role list`, or `role set NAME @person…` for admins."""
    action, _, rest = text.partition(" ")
    if action.lower() in ("", "list"):
        with session_scope(deps.engine) as session:
            return roles_message(roles_with_members(session), lang)
    if action.lower() != "set" or not rest.strip():
        return notice(t("roles.usage", lang))
    if refusal := admins_only(deps, client, user, "action.roles", lang):
        return refusal
    words = rest.split()
    first_person = next((i for i, word in enumerate(words) if word.startswith(("<@", "@"))), len(words))
    name, people = " ".join(words[:first_person]), words[first_person:]
    try:
        with session_scope(deps.engine) as session:
            role = set_role_members(session, name=name, members=people, actor=user, now=deps.clock())
            members = holders(session, role.id or 0)
    except NotAPerson as exc:
        return notice(t("roles.bad_user", lang, who=exc.who))
    return role_set_message(role, members, lang)


def admins_only(deps: Deps, client: WebClient, user: str, action: str, lang: str) -> dict[str, Any] | None:
    """None for an admin; for anyone else, the refusal that says who can."""
    if is_admin(deps.settings, client, user):
        return None
    admins = ", ".join(f"<@{admin}>" for admin in sorted(deps.settings.admins))
    key = "refused.admins" if admins else "refused.admins_none"
    return notice(t(key, lang, action=t(action, lang), admins=admins))


def archive_initiative(deps: Deps, client: WebClient, user: str, query: str, lang: str) -> dict[str, Any]:
    if refusal := admins_only(deps, client, user, "action.archive", lang):
        return refusal
    if not query:
        return notice(t("archive.usage", lang))
    with session_scope(deps.engine) as session:
        matches = find_initiatives(session, query)
        if len(matches) != 1:
            titles = ", ".join(f"“{m.title}”" for m in matches[:10])
            key = "status.ambiguous" if matches else "status.not_found"
            return notice(t(key, lang, query=query, titles=titles))
        archive(session, matches[0], actor=user, now=deps.clock())
        return notice(t("archive.done", lang, title=matches[0].title))
