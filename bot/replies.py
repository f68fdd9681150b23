"""What Baton answers to a `/okr` subcommand or a picker's choice, as Slack payloads.

Each function reads what it needs in one session and builds the answer with a pure view: a message for
the asker alone, or a `Modal` to open. The handlers (handlers/commands.py) only parse and deliver.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot import escalations, portfolio
from bot.config import Settings
from bot.domain.cycles import parse_quarter
from bot.domain.portfolio import InitiativeSpec, people_of
from bot.i18n import t
from bot.people import deactivated_people
from bot.permissions import can_update, is_admin, refusal, require_admin, require_updater, updaters
from bot.portfolio import (
    NotAPerson,
    active_initiatives,
    archive,
    departments,
    find_initiatives,
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
from bot.portfolio.closeout import history_with_earlier
from bot.views.blocks import escape
from bot.views.checkin import notice_modal, update_modal
from bot.views.escalation import decisions_message
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
from bot.workspace import Workspace
from bot.workspace import settings as workspace_settings
from bot.workspace.channels import resolve_channel_settings
from bot.workspace.settings import workspace_row
from storage.db import session_scope
from storage.models import Initiative, Objective


@dataclass(frozen=True)
class Modal:
    """A modal to open with the command's trigger_id."""

    view: dict[str, Any]


Reply = dict[str, Any] | Modal  # a message for the asker alone, or a modal


@dataclass(frozen=True)
class Asker:
    """Who asks, and what every answer needs: the services, the workspace, the asker's language."""

    engine: Engine
    settings: Settings
    client: WebClient
    workspace: Workspace
    user: str
    lang: str
    now: datetime


def update(asker: Asker, query: str) -> Reply:
    """The update modal on the initiative `query` names, or on a picker when it names none or several.
    Only the initiative's R and A people, and admins, may update it; others are told who can."""
    with session_scope(asker.engine) as session:
        matches = find_initiatives(session, query) if query else []
        if len(matches) == 1:
            initiative = matches[0]
            if not can_update(session, asker.settings, asker.client, asker.user, initiative.id or 0):
                return _refused(session, initiative, "refused.update", asker.lang)
            previous = latest_checkin(session, initiative.id or 0)
            cycle = asker.workspace.cycle(asker.now)
            return Modal(update_modal(initiative, previous=previous, cycle=cycle, lang=asker.lang))
        choices = matches or active_initiatives(session)
        if not choices:
            return {"text": t("help.none", asker.lang)}
        if not is_admin(asker.settings, asker.client, asker.user):
            choices = [c for c in choices if asker.user in updaters(session, c.id or 0).people]
            if not choices:  # a picker of initiatives they may not update would only end in a refusal
                return notice(t("update.none_yours", asker.lang))
        unmatched = query if query and not matches else None
        return Modal(update_modal(None, choices, unmatched=unmatched, lang=asker.lang))


def update_from_home(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    *,
    user: str,
    initiative_id: int,
    cycle: str,
    lang: str,
) -> dict[str, Any] | None:
    """The App Home's Update button: the update modal, or a modal saying who may; None if it is gone."""
    with session_scope(engine) as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            return None
        if can_update(session, settings, client, user, initiative_id):
            previous = latest_checkin(session, initiative_id)
            return update_modal(initiative, previous=previous, cycle=cycle, lang=lang)
        return notice_modal(refusal(session, initiative, "refused.update", lang), lang)


def new_initiative(asker: Asker) -> Reply:
    if refused := admins_only(asker, "action.new"):
        return refused
    return Modal(initiative_modal(quarter=asker.workspace.quarter(asker.now), lang=asker.lang))


def import_form(asker: Asker) -> Reply:
    return admins_only(asker, "action.import") or Modal(import_modal(asker.lang))


def settings_form(asker: Asker) -> Reply:
    if refused := admins_only(asker, "action.settings"):
        return refused
    with session_scope(asker.engine) as session:
        row, teams = workspace_row(session), departments(session)
        zone = asker.workspace.tz.key  # what applies while unset
        return Modal(settings_modal(row, teams, zone, lang=asker.lang))


def who(asker: Asker) -> Reply:
    with session_scope(asker.engine) as session:
        cycle = asker.workspace.cycle(asker.now)
        missing = missing_updates(session, cycle)
        return who_message(cycle, missing, asker.lang, deactivated_people(session, missing))


USAGE = {"status": "status.usage", "edit": "edit.usage", "archive": "archive.usage"}


def by_name(asker: Asker, command: str, query: str) -> Reply:
    """`/okr status|edit|archive <initiative>`: one match goes on with the command; several, a picker whose
    choice goes on with it (never a guess); none, a message saying so."""
    if command == "archive" and (refused := admins_only(asker, "action.archive")):
        return refused
    if not query:
        return notice(t(USAGE[command], asker.lang))
    with session_scope(asker.engine) as session:
        matches = find_initiatives(session, query)
    if not matches:
        return notice(t("status.not_found", asker.lang, query=escape(query)))
    if len(matches) > 1:
        return picker_message(command, matches, query, asker.lang)
    return on_initiative(asker, command, matches[0].id or 0)


def on_initiative(asker: Asker, command: str, initiative_id: int) -> Reply:
    """Carry out `command` on one initiative (found by name, or picked from several)."""
    match command:
        case "status":
            return status(asker, initiative_id)
        case "archive":
            return archive_initiative(asker, initiative_id)
        case "edit":
            return edit(asker, initiative_id)
    raise ValueError(f"no command {command!r} on an initiative")


def status(asker: Asker, initiative_id: int) -> Reply:
    with session_scope(asker.engine) as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            return notice(t("modal.error_gone", asker.lang))
        raci = raci_of(session, initiative_id)
        people = people_of(member for members in raci.values() for member in members)
        return status_message(
            initiative,
            raci,
            history_with_earlier(session, initiative_id),  # a carried-over one reads on into its last quarter
            open_escalations(session, initiative_id),
            asker.lang,
            deactivated_people(session, people),
        )


def edit(asker: Asker, initiative_id: int) -> Reply:
    """The edit modal, prefilled, for admins and the initiative's R and A; others are told who can."""
    with session_scope(asker.engine) as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            return notice(t("modal.error_gone", asker.lang))
        if not can_update(session, asker.settings, asker.client, asker.user, initiative_id):
            return _refused(session, initiative, "refused.edit", asker.lang)
        objective = session.get(Objective, initiative.objective_id)
        return Modal(
            initiative_modal(
                quarter=objective.quarter if objective else "",
                lang=asker.lang,
                initiative=initiative,
                objective=objective,
                raci=raci_of(session, initiative_id),
            )
        )


def archive_initiative(asker: Asker, initiative_id: int) -> Reply:
    if refused := admins_only(asker, "action.archive"):
        return refused
    with session_scope(asker.engine) as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            return notice(t("modal.error_gone", asker.lang))
        archive(session, initiative, actor=asker.user, now=asker.now)
        return notice(t("archive.done", asker.lang, title=escape(initiative.title)))


def listing(asker: Asker, text: str) -> Reply:
    """`/okr list`, `list mine`, `list team <department>`, `list quarter <2026-Q4>`."""
    scope, _, value = text.partition(" ")
    scope, value, lang = scope.lower(), value.strip(), asker.lang
    with session_scope(asker.engine) as session:
        owners = owners_by_initiative(session)
        match scope:
            case "":
                return list_message(active_initiatives(session), owners, lang=lang)
            case "mine":
                mine = responsible_people(session).get(asker.user, [])
                return list_message(mine, owners, mine=True, lang=lang)
            case "team" if value:
                shown = listed_initiatives(session, department=value)
                return list_message(shown, owners, team=value, lang=lang)
            case "quarter" if value:
                try:
                    quarter = parse_quarter(value)
                except ValueError:
                    return notice(t("import.bad_quarter", lang))
                shown = listed_initiatives(session, quarter=quarter)
                return list_message(shown, owners, quarter=quarter, lang=lang)
            case _:
                return notice(t("list.usage", lang))


def roles(asker: Asker, text: str) -> Reply:
    """`role list`, or `role set NAME @person…` for admins."""
    action, _, rest = text.partition(" ")
    if action.lower() in ("", "list"):
        with session_scope(asker.engine) as session:
            return roles_message(roles_with_members(session), asker.lang)
    if action.lower() != "set" or not rest.strip():
        return notice(t("roles.usage", asker.lang))
    if refused := admins_only(asker, "action.roles"):
        return refused
    words = rest.split()
    first_person = next((i for i, word in enumerate(words) if word.startswith(("<@", "@"))), len(words))
    name, people = " ".join(words[:first_person]), words[first_person:]
    try:
        with session_scope(asker.engine) as session:
            role = set_role_members(session, name=name, members=people, actor=asker.user, now=asker.now)
            members = holders(session, role.id or 0)
    except NotAPerson as exc:
        return notice(t("roles.bad_user", asker.lang, who=escape(exc.who)))
    return role_set_message(role, members, asker.lang)


def admins_only(asker: Asker, action: str) -> dict[str, Any] | None:
    """None for an admin; for anyone else, the refusal that says who can."""
    if is_admin(asker.settings, asker.client, asker.user):
        return None
    admins = ", ".join(f"<@{admin}>" for admin in sorted(asker.settings.admins))
    key = "refused.admins" if admins else "refused.admins_none"
    return notice(t(key, asker.lang, action=t(action, asker.lang), admins=admins))


def escalate(asker: Asker, text: str) -> tuple[Reply, bool]:
    """`/okr escalate <initiative> <reason>`: anyone who may update an initiative (its R and A people,
    admins) can escalate it by hand. True when something was queued for Slack."""
    lang = asker.lang
    with session_scope(asker.engine) as session:
        matches, name, reason = escalations.initiative_and_reason(session, text)
        if not name or not reason:
            return notice(t("esc.usage", lang)), False
        if len(matches) != 1:
            titles = ", ".join(f"“{escape(m.title)}”" for m in matches[:10])
            key = "status.ambiguous" if matches else "status.not_found"
            return notice(t(key, lang, query=escape(name), titles=titles)), False
        initiative = matches[0]
        if not can_update(session, asker.settings, asker.client, asker.user, initiative.id or 0):
            who = updaters(session, initiative.id or 0).mentions() or t("esc.nobody", lang)
            return notice(t("esc.refused_escalate", lang, title=escape(initiative.title), who=who)), False
        channel = asker.workspace.alerts_channel
        if not channel:
            return notice(t("esc.no_channel", lang)), False
        _, opened = escalations.escalate_by_hand(
            session,
            initiative=initiative,
            reason=reason,
            user=asker.user,
            workspace=asker.workspace,
            cycle=asker.workspace.cycle(asker.now),
            channel=channel,
            now=asker.now,
        )
    shown = f"<#{channel}>" if channel.startswith("C") else channel
    key = "esc.escalated" if opened else "esc.escalated_again"
    return notice(t(key, lang, title=escape(initiative.title), channel=shown)), True


def decisions(asker: Asker, text: str) -> Reply:
    """The decision log, newest first; `2026-Q4` narrows it to a quarter."""
    try:
        quarter = parse_quarter(text) if text.strip() else None
    except ValueError:
        return notice(t("decisions.bad_quarter", asker.lang, text=escape(text.strip())))
    with session_scope(asker.engine) as session:
        rows = escalations.decision_log(session, quarter, asker.workspace.tz)
        return decisions_message(rows, quarter=quarter, lang=asker.lang)


# -- the transactions behind the `/okr new|edit`, `/okr import` and `/okr settings` modals --------------
# Each is authorised again at submission, as the command that opened the modal was: the modal's metadata
# (which initiative it edits) is the sender's to change, and who may act can change while it is open.
def save_initiative(
    engine: Engine,
    settings: Settings,
    client: WebClient,
    spec: InitiativeSpec,
    *,
    initiative_id: int | None,
    actor: str,
    now: datetime,
) -> str:
    """The initiative's title once saved; `Rejected` (every problem) or `NotAllowed` (a new one by a
    non-admin, an edit by someone who is neither its R or A nor an admin), and nothing written otherwise."""
    with session_scope(engine) as session:
        if initiative_id is None:
            require_admin(settings, client, actor, "action.new")
        elif session.get(Initiative, initiative_id) is not None:  # a vanished one is Rejected below
            require_updater(session, settings, client, actor, initiative_id, "initiative.edit")
        saved = portfolio.save_initiative(session, spec, initiative_id=initiative_id, actor=actor, now=now)
        return saved.title


def may_import(settings: Settings, client: WebClient, actor: str) -> None:
    """`NotAllowed` unless `actor` may import a roadmap (admins)."""
    require_admin(settings, client, actor, "action.import")


def save_settings(
    engine: Engine,
    settings: Settings,
    changes: dict[str, str],
    *,
    actor: str,
    now: datetime,
    client: WebClient,
) -> list[str]:
    """`NotAllowed` for a non-admin, `SettingError` (naming the setting), and nothing written; or every
    change saved and audited. A channel given by `#name` is asked of Slack and stored as its id; what is
    returned says so (`#name (C…)`) and names a channel Baton could not join."""
    require_admin(settings, client, actor, "action.settings")
    changes, notes = resolve_channel_settings(client, changes, join_channels=False)
    with session_scope(engine) as session:
        workspace_settings.save_settings(session, changes, actor=actor, now=now)
    return notes


def _refused(session: Session, initiative: Initiative, key: str, lang: str) -> dict[str, Any]:
    return notice(refusal(session, initiative, key, lang))
