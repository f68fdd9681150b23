"""Modal submissions."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answers import InvalidAway, go_away, is_closed, save_update
from bot.deps import deps_of
from bot.domain.cycles import parse_quarter, quarter_key
from bot.domain.roadmap import RoadmapError, emails_in, parse_roadmap, with_people
from bot.home import publish_home
from bot.i18n import t
from bot.people import cached_people, people_by_email
from bot.permissions import can_update
from bot.portfolio import Rejected, import_roadmap, save_initiative
from bot.views import ids
from bot.views.checkin import InvalidForm, read_update
from bot.views.initiative import read_initiative, rejected_errors, saved_view
from bot.views.portfolio import (
    import_done_view,
    import_failed_view,
    import_problems,
    import_progress_view,
    read_import,
)
from bot.views.prompt import read_away
from bot.views.settings import read_settings, setting_error, settings_saved_view
from bot.workspace import workspace_of
from bot.workspace.settings import SettingError, load_cadence, save_settings
from storage.db import session_scope
from storage.models import Initiative


def submit_update(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = deps_of(context)
    try:
        form = read_update(view)
    except InvalidForm as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    with session_scope(deps.engine) as session:
        initiative = session.get(Initiative, form.initiative_id)
        if initiative is None or initiative.archived:
            ack(response_action="errors", errors={ids.STATUS_BLOCK: t("modal.error_gone", form.lang)})
            return
        author = body["user"]["id"]
        # Checked again here: the modal's picker may offer initiatives the author cannot update, and
        # roles may have changed since it opened. A check-in DM's modal answers for whoever Baton
        # prompted (a delegate too). R/A people pass on the database alone; only others (admins by
        # their Slack flag, or a refusal) cost a users.info before the ack.
        if "dm" not in form.origin and not can_update(
            session, deps.settings, client, author, initiative.id or 0
        ):
            block = (
                ids.INITIATIVE_BLOCK if ids.INITIATIVE_BLOCK in view["state"]["values"] else ids.STATUS_BLOCK
            )
            ack(
                response_action="errors",
                errors={block: t("update.refused_in_modal", form.lang)},  # plain text: no mentions
            )
            return
        cycle = form.origin.get("cycle")
        if cycle and is_closed(session, deps.settings, cycle, deps.clock()):
            closed = t("modal.error_closed", form.lang, cycle=cycle)
            ack(response_action="errors", errors={ids.STATUS_BLOCK: closed})
            return
        ack()
        save_update(
            session,
            deps.settings,
            form=form,
            initiative=initiative,
            author=author,
            now=deps.clock(),
        )
    deps.outbox_ready.set()
    # their home shows the new status
    publish_home(deps.engine, deps.settings, client, author, members=deps.leadership, now=deps.clock())


def submit_import(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """All or nothing. Owners named by e-mail are looked up in Slack after the ack (the modal says it is
    importing meanwhile), then the modal shows what was imported, or each problem."""
    deps = deps_of(context)
    text, quarter_text, lang = read_import(view)
    try:
        quarter = parse_quarter(quarter_text) if quarter_text else None
    except ValueError:
        ack(response_action="errors", errors={ids.IMPORT_QUARTER_BLOCK: t("import.bad_quarter", lang)})
        return
    try:
        rows = parse_roadmap(text)
    except RoadmapError as invalid:  # all or nothing: the report, and no write
        ack(
            response_action="errors",
            errors={ids.IMPORT_TEXT_BLOCK: import_problems(invalid.problems, lang)},
        )
        return
    emails = emails_in(rows)
    slow = bool(emails - cached_people(deps.engine, emails).keys())  # Slack must be asked: ack first
    if slow:
        ack(response_action="update", view=import_progress_view(lang))
    now = deps.clock()
    try:
        if emails:
            rows = with_people(rows, people_by_email(deps.engine, client, emails, now=now))
        with session_scope(deps.engine) as session:
            quarter = quarter or quarter_key(now, load_cadence(session, deps.settings).tz)
            report = import_roadmap(session, rows, quarter=quarter, actor=body["user"]["id"], now=now)
        result = import_done_view(
            len(report.created), len(report.updated), len(report.unchanged), report.roles_created, lang
        )
    except RoadmapError as invalid:
        result = import_failed_view(invalid.problems, lang)
    except (SlackApiError, OSError):
        result = import_failed_view([t("import.slack_failed", lang)], lang)
    if slow:
        client.views_update(view_id=body["view"]["id"], view=result)
    else:
        ack(response_action="update", view=result)


def submit_initiative(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """`/okr new` and `/okr edit`: all or nothing, each problem under its field."""
    deps = deps_of(context)
    try:
        spec, initiative_id, lang = read_initiative(view)
    except InvalidForm as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    try:
        with session_scope(deps.engine) as session:
            saved = save_initiative(
                session, spec, initiative_id=initiative_id, actor=body["user"]["id"], now=deps.clock()
            )
            title = saved.title
    except Rejected as rejected:
        ack(response_action="errors", errors=rejected_errors(rejected.problems, lang))
        return
    ack(response_action="update", view=saved_view(title, initiative_id is None, lang))


def submit_settings(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    """`/okr settings`: validated by the same function as `baton settings set`, all or nothing."""
    deps = deps_of(context)
    changes, lang = read_settings(view)
    try:
        with session_scope(deps.engine) as session:
            save_settings(session, changes, actor=body["user"]["id"], now=deps.clock())
    except SettingError as bad:
        ack(response_action="errors", errors=setting_error(view, bad.name, lang))
        return
    ack(response_action="update", view=settings_saved_view(lang))


def submit_away(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    deps = deps_of(context)
    until, delegate, lang = read_away(view)
    if not until:
        ack(response_action="errors", errors={ids.AWAY_UNTIL_BLOCK: t("away.error_date", lang)})
        return
    now = deps.clock()
    try:
        go_away(
            deps.engine,
            user=body["user"]["id"],
            starts_on=workspace_of(deps.engine, deps.settings).today(now),
            ends_on=date.fromisoformat(until),
            delegate=delegate,
            now=now,
            lang=lang,
        )
    except InvalidAway as problem:
        block = ids.AWAY_DELEGATE_BLOCK if problem.field == "delegate" else ids.AWAY_UNTIL_BLOCK
        ack(response_action="errors", errors={block: t(problem.key, lang)})
        return
    ack()
    deps.outbox_ready.set()


def register(app: App) -> None:
    app.view(ids.UPDATE_MODAL)(submit_update)
    app.view(ids.IMPORT_MODAL)(submit_import)
    app.view(ids.INITIATIVE_MODAL)(submit_initiative)
    app.view(ids.SETTINGS_MODAL)(submit_settings)
    app.view(ids.AWAY_MODAL)(submit_away)
