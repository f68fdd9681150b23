"""`/okr` and its subcommands. Every answer that concerns only the asker is ephemeral."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import escalations
from bot.deps import Deps, deps_of
from bot.domain.cycles import parse_quarter, quarter_key
from bot.domain.portfolio import people_of
from bot.i18n import t
from bot.logs import get_logger
from bot.people import deactivated_people, refresh_people, speaks
from bot.permissions import can_update, is_admin, refusal, updaters
from bot.portfolio import (
    NotAPerson,
    active_initiatives,
    archive,
    departments,
    find_initiatives,
    history,
    holders,
    latest_checkin,
    listed_initiatives,
    missing_updates,
    open_escalations,
    owners_by_initiative,
    raci_of,
    responsible_people,
    roles_with_members,
    set_role_members,
)
from bot.rituals.digest import preview as digest_preview
from bot.views import ids
from bot.views.blocks import escape
from bot.views.checkin import update_modal
from bot.views.escalation import decisions_message
from bot.views.help import help_message
from bot.views.initiative import initiative_modal
from bot.views.portfolio import (
    import_modal,
    list_message,
    notice,
    picker_message,
    role_set_message,
    roles_message,
    status_message,
    who_message,
)
from bot.views.settings import settings_modal
from bot.workspace import load_workspace
from bot.workspace.settings import current_cycle, load_cadence, workspace_row
from storage.db import session_scope
from storage.models import Initiative, Objective

log = get_logger(__name__)


SUBCOMMANDS = frozenset(
    [
        "update",
        "new",
        "edit",
        "who",
        "list",
        "status",
        "role",
        "roles",
        "archive",
        "import",
        "settings",
        "digest",
        "escalate",
        "decisions",
    ]
)


def okr(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    """`/okr SUBCOMMAND …`: help is the ack itself; everything else answers after it."""
    deps = deps_of(context)
    subcommand, _, rest = (command.get("text") or "").strip().partition(" ")
    user, rest, name = command["user_id"], rest.strip(), subcommand.lower()
    if name not in SUBCOMMANDS:  # help, or a subcommand Baton does not know: the help
        lang = speaks(deps.engine, user)
        ack(**help_message(unknown=subcommand if name not in ("", "help") else None, lang=lang))
        return
    ack()  # the rest answers through response_url or a modal: nothing before the ack but parsing
    refresh_people(deps.engine, client, [user], now=deps.clock())  # a newcomer's Slack language
    lang = speaks(deps.engine, user)
    match name:
        case "update":
            open_update(
                deps, client, respond, user=user, trigger_id=command["trigger_id"], query=rest, lang=lang
            )
        case "new":
            if refusal := admins_only(deps, client, user, "action.new", lang):
                respond(**refusal)
            else:
                with session_scope(deps.engine) as session:
                    quarter = quarter_key(deps.clock(), load_cadence(session, deps.settings).tz)
                open_modal(
                    client,
                    respond,
                    command["trigger_id"],
                    initiative_modal(quarter=quarter, lang=lang),
                    lang,
                )
        case "edit":
            respond_or_continue(
                deps, client, respond, "edit", user, rest, lang, trigger_id=command["trigger_id"]
            )
        case "digest":  # this week's leadership digest, previewed to the asker only
            respond(**digest_preview(deps.engine, deps.settings, deps.clock(), lang))
        case "who":
            with session_scope(deps.engine) as session:
                cycle = current_cycle(session, deps.settings, deps.clock())
                missing = missing_updates(session, cycle)
                respond(**who_message(cycle, missing, lang, deactivated_people(session, missing)))
        case "list":
            respond(**list_of(deps, user, rest, lang))
        case "status" | "archive":
            respond_or_continue(deps, client, respond, name, user, rest, lang)
        case "import":
            if refusal := admins_only(deps, client, user, "action.import", lang):
                respond(**refusal)
            else:
                open_modal(client, respond, command["trigger_id"], import_modal(lang), lang)
        case "settings":
            if refusal := admins_only(deps, client, user, "action.settings", lang):
                respond(**refusal)
            else:
                with session_scope(deps.engine) as session:
                    row, teams = workspace_row(session), departments(session)
                    zone = load_workspace(session, deps.settings).tz.key  # what applies while unset
                    view = settings_modal(row, teams, zone, lang=lang)
                open_modal(client, respond, command["trigger_id"], view, lang)
        case "escalate":
            respond(**escalate_command(deps, client, user, rest, lang))
        case "decisions":
            respond(**decisions_command(deps, rest, lang))
        case _:
            respond(**roles(deps, client, user, rest, lang))


def initiative_picked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    """The choice among several initiatives that matched: the command goes on with it."""
    ack()
    deps, user = deps_of(context), body["user"]["id"]
    continue_command(
        deps,
        client,
        respond,
        action["action_id"].removeprefix(ids.PICK_INITIATIVE),
        user,
        int(action["selected_option"]["value"]),
        speaks(deps.engine, user),
        trigger_id=body["trigger_id"],
        replace=True,
    )


def register(app: App) -> None:
    app.command("/okr")(okr)
    app.action(re.compile("^" + re.escape(ids.PICK_INITIATIVE)))(initiative_picked)


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
                respond(**refused(session, initiative, "refused.update", lang))
                return
            view = update_modal(initiative, previous=latest_checkin(session, initiative.id or 0), lang=lang)
        else:
            choices = matches or active_initiatives(session)
            if not choices:
                respond(t("help.none", lang))
                return
            if not is_admin(deps.settings, client, user):
                choices = [c for c in choices if user in updaters(session, c.id or 0).people]
                if not choices:  # a picker of initiatives they may not update would only end in a refusal
                    respond(**notice(t("update.none_yours", lang)))
                    return
            view = update_modal(None, choices, unmatched=query if query and not matches else None, lang=lang)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open.failed", error=exc.response.get("error"))
        respond(t("help.modal_failed", lang))


def open_modal(client: WebClient, respond: Respond, trigger_id: str, view: dict[str, Any], lang: str) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open.failed", error=exc.response.get("error"))
        respond(t("help.modal_failed", lang))


USAGE = {"status": "status.usage", "edit": "edit.usage", "archive": "archive.usage"}


def respond_or_continue(
    deps: Deps,
    client: WebClient,
    respond: Respond,
    command: str,
    user: str,
    query: str,
    lang: str,
    *,
    trigger_id: str = "",
) -> None:
    """`/okr status|edit|archive <initiative>`: one match continues the command; several, a picker whose
    choice continues it (never a guess); none, a message saying so."""
    if command == "archive" and (refusal := admins_only(deps, client, user, "action.archive", lang)):
        respond(**refusal)
        return
    if not query:
        respond(**notice(t(USAGE[command], lang)))
        return
    with session_scope(deps.engine) as session:
        matches = find_initiatives(session, query)
    if not matches:
        respond(**notice(t("status.not_found", lang, query=escape(query))))
    elif len(matches) > 1:
        respond(**picker_message(command, matches, query, lang))
    else:
        continue_command(
            deps, client, respond, command, user, matches[0].id or 0, lang, trigger_id=trigger_id
        )


def continue_command(
    deps: Deps,
    client: WebClient,
    respond: Respond,
    command: str,
    user: str,
    initiative_id: int,
    lang: str,
    *,
    trigger_id: str,
    replace: bool = False,
) -> None:
    """Carry out `command` on one initiative (found by name, or picked from several)."""
    extra: dict[str, Any] = {"replace_original": True} if replace else {}
    match command:
        case "status":
            respond(**status_of(deps, initiative_id, lang), **extra)
        case "archive":
            respond(**archive_initiative(deps, client, user, initiative_id, lang), **extra)
        case "edit":
            open_edit(
                deps,
                client,
                respond,
                user=user,
                trigger_id=trigger_id,
                initiative_id=initiative_id,
                lang=lang,
            )


def status_of(deps: Deps, initiative_id: int, lang: str) -> dict[str, Any]:
    with session_scope(deps.engine) as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            return notice(t("modal.error_gone", lang))
        raci = raci_of(session, initiative_id)
        people = people_of(member for members in raci.values() for member in members)
        return status_message(
            initiative,
            raci,
            history(session, initiative_id),
            open_escalations(session, initiative_id),
            lang,
            deactivated_people(session, people),
        )


def open_edit(
    deps: Deps,
    client: WebClient,
    respond: Respond,
    *,
    user: str,
    trigger_id: str,
    initiative_id: int,
    lang: str,
) -> None:
    """The edit modal, prefilled, for admins and the initiative's R and A; others are told who can."""
    with session_scope(deps.engine) as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            respond(**notice(t("modal.error_gone", lang)))
            return
        if not can_update(session, deps.settings, client, user, initiative_id):
            respond(**refused(session, initiative, "refused.edit", lang))
            return
        objective = session.get(Objective, initiative.objective_id)
        view = initiative_modal(
            quarter=objective.quarter if objective else "",
            lang=lang,
            initiative=initiative,
            objective=objective,
            raci=raci_of(session, initiative_id),
        )
    open_modal(client, respond, trigger_id, view, lang)


def refused(session: Session, initiative: Initiative, key: str, lang: str) -> dict[str, Any]:
    return notice(refusal(session, initiative, key, lang))


def list_of(deps: Deps, user: str, text: str, lang: str) -> dict[str, Any]:
    """`/okr list`, `list mine`, `list team <department>`, `list quarter <2026-Q4>`."""
    scope, _, value = text.partition(" ")
    scope, value = scope.lower(), value.strip()
    with session_scope(deps.engine) as session:
        owners = owners_by_initiative(session)
        match scope:
            case "":
                return list_message(active_initiatives(session), owners, lang=lang)
            case "mine":
                return list_message(responsible_people(session).get(user, []), owners, mine=True, lang=lang)
            case "team" if value:
                shown = listed_initiatives(session, department=value)
                return list_message(shown, owners, team=value, lang=lang)
            case "quarter" if value:
                try:
                    quarter = parse_quarter(value)
                except ValueError:
                    return notice(t("import.bad_quarter", lang))
                return list_message(
                    listed_initiatives(session, quarter=quarter), owners, quarter=quarter, lang=lang
                )
            case _:
                return notice(t("list.usage", lang))


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
        return notice(t("roles.bad_user", lang, who=escape(exc.who)))
    return role_set_message(role, members, lang)


def admins_only(deps: Deps, client: WebClient, user: str, action: str, lang: str) -> dict[str, Any] | None:
    """None for an admin; for anyone else, the refusal that says who can."""
    if is_admin(deps.settings, client, user):
        return None
    admins = ", ".join(f"<@{admin}>" for admin in sorted(deps.settings.admins))
    key = "refused.admins" if admins else "refused.admins_none"
    return notice(t(key, lang, action=t(action, lang), admins=admins))


def archive_initiative(
    deps: Deps, client: WebClient, user: str, initiative_id: int, lang: str
) -> dict[str, Any]:
    if refusal := admins_only(deps, client, user, "action.archive", lang):
        return refusal
    with session_scope(deps.engine) as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            return notice(t("modal.error_gone", lang))
        archive(session, initiative, actor=user, now=deps.clock())
        return notice(t("archive.done", lang, title=escape(initiative.title)))


# -- `/okr escalate` and `/okr decisions` -------------------------------------------------------------
def escalate_command(deps: Deps, client: WebClient, user: str, text: str, lang: str) -> dict[str, Any]:
    """Anyone who may update an initiative (its R and A people, admins) can escalate it by hand."""
    now = deps.clock()
    with session_scope(deps.engine) as session:
        matches, name, reason = escalations.initiative_and_reason(session, text)
        if not name or not reason:
            return notice(t("esc.usage", lang))
        if len(matches) != 1:
            titles = ", ".join(f"“{escape(m.title)}”" for m in matches[:10])
            key = "status.ambiguous" if matches else "status.not_found"
            return notice(t(key, lang, query=escape(name), titles=titles))
        initiative = matches[0]
        if not can_update(session, deps.settings, client, user, initiative.id or 0):
            who = updaters(session, initiative.id or 0).mentions() or t("esc.nobody", lang)
            return notice(t("esc.refused_escalate", lang, title=escape(initiative.title), who=who))
        channel = escalations.leadership_channel(session, deps.settings)
        if channel is None:
            return notice(t("esc.no_channel", lang))
        _, opened = escalations.escalate_by_hand(
            session,
            initiative=initiative,
            reason=reason,
            user=user,
            cycle=current_cycle(session, deps.settings, now),
            channel=channel,
            now=now,
        )
    deps.outbox_ready.set()
    shown = f"<#{channel}>" if channel.startswith("C") else channel
    key = "esc.escalated" if opened else "esc.escalated_again"
    return notice(t(key, lang, title=escape(initiative.title), channel=shown))


def decisions_command(deps: Deps, text: str, lang: str) -> dict[str, Any]:
    """The decision log, newest first; `2026-Q4` narrows it to a quarter."""
    try:
        quarter = parse_quarter(text) if text.strip() else None
    except ValueError:
        return notice(t("decisions.bad_quarter", lang, text=escape(text.strip())))
    with session_scope(deps.engine) as session:
        rows = escalations.decision_log(session, quarter, load_cadence(session, deps.settings).tz)
        return decisions_message(rows, quarter=quarter, lang=lang)
