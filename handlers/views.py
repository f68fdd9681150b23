"""Modal submissions. Each is authorised again against the database and Slack's `user.id`: a modal's
private_metadata is the sender's to change, so it may say which thing is meant, never who may act."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import answers, replies
from bot.answers import InvalidAway, go_away
from bot.deps import AFTER_ACK, Deps, deps_of, publish_home_of
from bot.domain.cycles import parse_quarter
from bot.domain.roadmap import RoadmapError, emails_in, parse_roadmap, with_people
from bot.i18n import t
from bot.people import cached_people, people_by_email
from bot.permissions import NotAllowed
from bot.portfolio import Rejected, import_rows
from bot.views import ids
from bot.views.checkin import InvalidForm, read_update
from bot.views.initiative import block_id as initiative_block
from bot.views.initiative import read_initiative, rejected_errors, saved_view
from bot.views.portfolio import (
    import_done_view,
    import_failed_view,
    import_problems,
    import_progress_view,
    read_import,
)
from bot.views.prompt import read_away
from bot.views.settings import read_settings, setting_error, settings_refused, settings_saved_view
from bot.workspace import workspace_of
from bot.workspace.settings import SettingError


def submit_update(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Checked and saved before Slack gets its answer: a problem shows in the modal, nothing is lost."""
    deps = deps_of(context)
    try:
        form = read_update(view)
    except InvalidForm as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    refused = answers.submit_update(
        deps.engine,
        deps.settings,
        client,
        form=form,
        author=body["user"]["id"],
        state_blocks=view["state"]["values"].keys(),
        now=deps.clock(),
    )
    if refused:
        ack(response_action="errors", errors={refused.block: t(refused.key, form.lang, **refused.values)})
        return
    ack()
    deps.outbox_ready.set()
    context[AFTER_ACK] = "saved"


def update_saved(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """After a saved update, the author's App Home shows the new status."""
    if context.get(AFTER_ACK) == "saved":
        user = body["user"]["id"]
        publish_home_of(context, client, user)


def submit_import(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """All or nothing. Owners named by e-mail Baton has not seen yet are looked up in Slack after the ack
    (`import_looked_up`; the modal says it is looking them up meanwhile); otherwise the ack is the result."""
    deps = deps_of(context)
    try:
        replies.may_import(deps.settings, client, body["user"]["id"])
    except NotAllowed as refused:
        ack(response_action="errors", errors={ids.IMPORT_TEXT_BLOCK: refused.text(read_import(view)[2])})
        return
    parsed = _parsed_import(view, ack)
    if parsed is None:
        return
    rows, quarter, lang = parsed
    emails = emails_in(rows)
    if emails - cached_people(deps.engine, emails).keys():  # Slack must be asked: ack first
        ack(response_action="update", view=import_progress_view(lang))
        context[AFTER_ACK] = "look_up"
        return
    ack(response_action="update", view=_imported(deps, client, body, rows, quarter, lang))


def import_looked_up(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    if context.get(AFTER_ACK) == "look_up":
        deps = deps_of(context)
        parsed = _parsed_import(view, None)
        assert parsed is not None  # the ack function parsed the same view
        rows, quarter, lang = parsed
        client.views_update(
            view_id=body["view"]["id"], view=_imported(deps, client, body, rows, quarter, lang)
        )


def _parsed_import(view: dict[str, Any], ack: Ack | None) -> tuple[list[Any], str | None, str] | None:
    """The pasted table and the quarter, or None once `ack` has shown what is wrong."""
    text, quarter_text, lang = read_import(view)
    try:
        quarter = parse_quarter(quarter_text) if quarter_text else None
    except ValueError:
        if ack:
            ack(response_action="errors", errors={ids.IMPORT_QUARTER_BLOCK: t("import.bad_quarter", lang)})
        return None
    try:
        return parse_roadmap(text), quarter, lang
    except RoadmapError as invalid:  # all or nothing: the report, and no write
        if ack:
            ack(
                response_action="errors",
                errors={ids.IMPORT_TEXT_BLOCK: import_problems(invalid.problems, lang)},
            )
        return None


def _imported(
    deps: Deps, client: WebClient, body: dict[str, Any], rows: list[Any], quarter: str | None, lang: str
) -> dict[str, Any]:
    """Import the rows, owners' e-mails resolved (from the cache, or Slack): the modal saying how it went."""
    now = deps.clock()
    try:
        emails = emails_in(rows)
        if emails:
            rows = with_people(rows, people_by_email(deps.engine, client, emails, now=now))
        report = import_rows(
            deps.engine, deps.settings, rows, quarter=quarter, actor=body["user"]["id"], now=now
        )
    except RoadmapError as invalid:
        return import_failed_view(invalid.problems, lang)
    except (SlackApiError, OSError):
        return import_failed_view([t("import.slack_failed", lang)], lang)
    return import_done_view(
        len(report.created), len(report.updated), len(report.unchanged), report.roles_created, lang
    )


def submit_initiative(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """`/okr new` and `/okr edit`: all or nothing, each problem under its field."""
    deps = deps_of(context)
    try:
        spec, initiative_id, lang = read_initiative(view)
    except InvalidForm as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    try:
        title = replies.save_initiative(
            deps.engine,
            deps.settings,
            client,
            spec,
            initiative_id=initiative_id,
            actor=body["user"]["id"],
            now=deps.clock(),
        )
    except Rejected as rejected:
        ack(response_action="errors", errors=rejected_errors(rejected.problems, lang))
        return
    except NotAllowed as refused:
        ack(response_action="errors", errors={initiative_block("title"): refused.text(lang)})
        return
    ack(response_action="update", view=saved_view(title, initiative_id is None, lang))


def submit_settings(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """`/okr settings`: validated by the same function as `baton settings set`, all or nothing."""
    deps = deps_of(context)
    changes, lang = read_settings(view)
    try:
        notes = replies.save_settings(
            deps.engine, deps.settings, changes, actor=body["user"]["id"], now=deps.clock(), client=client
        )
    except SettingError as bad:
        ack(response_action="errors", errors=setting_error(view, bad.name, lang))
        return
    except NotAllowed as refused:
        ack(response_action="errors", errors=settings_refused(view, refused.text(lang)))
        return
    ack(response_action="update", view=settings_saved_view(lang, notes))


def submit_away(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    deps = deps_of(context)
    until, delegate, lang = read_away(view)
    if not until:
        ack(response_action="errors", errors={ids.AWAY_UNTIL_BLOCK: t("away.error_date", lang)})
        return
    now = deps.clock()
    workspace = workspace_of(deps.engine, deps.settings)  # the one load of this request
    try:
        go_away(
            deps.engine,
            user=body["user"]["id"],
            starts_on=workspace.today(now),
            ends_on=date.fromisoformat(until),
            delegate=delegate,
            now=now,
            cycle=workspace.cycle(now),
            lang=lang,
        )
    except InvalidAway as problem:
        block = ids.AWAY_DELEGATE_BLOCK if problem.field == "delegate" else ids.AWAY_UNTIL_BLOCK
        ack(response_action="errors", errors={block: t(problem.key, lang)})
        return
    ack()
    deps.outbox_ready.set()


def register(app: App) -> None:
    app.view(ids.UPDATE_MODAL)(ack=submit_update, lazy=[update_saved])
    app.view(ids.IMPORT_MODAL)(ack=submit_import, lazy=[import_looked_up])
    app.view(ids.INITIATIVE_MODAL)(submit_initiative)
    app.view(ids.SETTINGS_MODAL)(submit_settings)
    app.view(ids.AWAY_MODAL)(submit_away)
