"""Requests Slack signs faithfully but whose sender chose what they say: a modal's private_metadata, a
button's value, the click's container. Each attack of issue 14 (part 4) is sent as signed HTTP to the
running app and must be refused, with a message, writing nothing; the legitimate paths still work.

Only `user.id` (and the team) come from Slack: who may act, and on what, is Baton's to look up.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
import structlog.testing
from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.permissions import updaters
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from bot.views.initiative import initiative_modal
from bot.views.portfolio import import_modal
from bot.views.prompt import PromptRef
from bot.views.settings import settings_modal
from bot.workspace.settings import workspace_row
from storage.models import (
    AuditLog,
    CheckIn,
    CycleSkip,
    Decision,
    Escalation,
    Initiative,
    Objective,
    RaciAssignment,
    Snooze,
    WorkspaceSettings,
)
from tests.conftest import ADMIN, EXAMPLE_ROADMAP, LEADERSHIP_CHANNEL, ManualClock, RunningBaton
from tests.slack_requests import post_signed, view_submission_body, wait_for
from tests.test_escalation_workflow import BOSS, alert_now, decision_values, leadership_posts, scan, seed
from tests.test_escalation_workflow import OWNER as ESC_OWNER
from tests.test_initiative_modal import state as initiative_state
from tests.test_prompt_actions import (
    ANSWER,
    ERP,
    ONBOARDING,
    OWNER,
    OWNER_DM,
    block_actions_body,
    button,
    checkins,
    current_dm,
    initiative,
    prompted,
    settled,
)
from tests.test_settings_modal import state as settings_state
from tests.test_slack_scenarios import filled

STRANGER = "U0STRANGE"  # a member of the workspace: no role, not an admin
EVIL_CYCLE = "zz; DROP TABLE checkin"


def forged(
    message: dict[str, Any], action: dict[str, Any], user: str, fake: FakeSlack, **changes: Any
) -> str:
    """A click on `message` as `user`, its payload then edited (`container`, the action's `value`)."""
    body = block_actions_body(message, action, user, fake.response_url())
    payload = json.loads(parse_qs(body)["payload"][0])
    if "container" in changes:
        payload["container"] = {**payload["container"], **changes["container"]}
    if "value" in changes:
        payload["actions"][0]["value"] = changes["value"]
    return urlencode({"payload": json.dumps(payload)})


def responses_after(fake: FakeSlack, before: int) -> list[dict[str, Any]]:
    return list(fake.responses[before:])


def refused_privately(fake: FakeSlack, before: int = 0) -> str:
    """The ephemeral answer a refused click gets (a new message, never a rewrite of the one clicked)."""
    [reply] = wait_for(lambda: fake.responses[before:])
    assert reply["response_type"] == "ephemeral" and reply.get("replace_original") in (False, "false")
    return str(reply["text"])


def audited(session: Session) -> list[str]:
    session.expire_all()
    return [row.action for row in session.exec(select(AuditLog).order_by(col(AuditLog.id)))]


def raci(session: Session, initiative_id: int | None) -> set[tuple[str, str | None, int | None]]:
    session.expire_all()
    rows = session.exec(select(RaciAssignment).where(RaciAssignment.initiative_id == initiative_id))
    return {(row.letter, row.user_id, row.role_id) for row in rows}


def errors_of(response: Any) -> dict[str, str]:
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    return dict(body["errors"])


# -- the check-in DM: answer, skip, snooze someone else's prompt ---------------------------------------
def test_a_click_on_someone_elses_prompt_records_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    before_audit = audited(session)
    for action_id in (ANSWER["off_track"], ids.PROMPT_SKIP, ids.PROMPT_SNOOZE):
        before = len(fake_slack.responses)
        body = forged(
            dm, button(dm, action_id, erp.id if "answer" in action_id else None), STRANGER, fake_slack
        )
        assert post_signed(baton.url, body).status_code == 200
        assert "not on a check-in Baton sent you" in refused_privately(fake_slack, before)
    settled(session, fake_slack)
    assert checkins(session) == []
    assert session.exec(select(CycleSkip)).all() == [] and session.exec(select(Snooze)).all() == []
    assert audited(session) == before_audit
    assert fake_slack.calls_to("chat.update") == []  # the owner's DM is left as it was
    assert initiative(session, ERP).status is None


def test_a_button_value_naming_another_owner_or_initiative_records_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    """The owner's own DM, but the button's value names an initiative the DM does not list (someone
    else's) and another owner: the value only says which listed item was clicked."""
    dm = prompted(baton, fake_slack, session, clock)
    listed = {initiative(session, ERP).id, initiative(session, ONBOARDING).id}
    foreign = next(i for i in session.exec(select(Initiative)) if i.id not in listed)
    value = PromptRef("2026-W48", "U0SOMEONE", foreign.id).encode()
    body = forged(
        dm, button(dm, ANSWER["on_track"], initiative(session, ERP).id), OWNER, fake_slack, value=value
    )
    assert post_signed(baton.url, body).status_code == 200
    assert "not on a check-in Baton sent you" in refused_privately(fake_slack)
    skip = forged(
        dm, button(dm, ids.PROMPT_SKIP), OWNER, fake_slack, value=PromptRef("2026-W48", "U0SOMEONE").encode()
    )
    post_signed(baton.url, skip)  # the DM is OWNER's: the skip is OWNER's, whoever the value names
    wait_for(lambda: session.exec(select(CycleSkip)).all())
    settled(session, fake_slack)
    assert checkins(session) == []
    [skipped] = session.exec(select(CycleSkip)).all()
    assert skipped.user_id == OWNER


def test_a_click_pointed_at_the_digest_does_not_rewrite_it(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    """The owner's answer with a container naming another message Baton posted (the digest in the
    leadership channel): the DM's refresh would have been a chat.update of the digest."""
    dm = prompted(baton, fake_slack, session, clock)
    bot = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    digest = bot.chat_postMessage(channel=LEADERSHIP_CHANNEL, text="Weekly digest 2026-W48")
    where = {"channel_id": LEADERSHIP_CHANNEL, "message_ts": digest["ts"]}
    erp = initiative(session, ERP)
    for action_id in (ANSWER["on_track"], ids.PROMPT_SKIP):
        before = len(fake_slack.responses)
        action = button(dm, action_id, erp.id if "answer" in action_id else None)
        post_signed(baton.url, forged(dm, action, OWNER, fake_slack, container=where))
        assert "not on a check-in Baton sent you" in refused_privately(fake_slack, before)
    settled(session, fake_slack)
    assert fake_slack.calls_to("chat.update") == []
    assert fake_slack.messages(LEADERSHIP_CHANNEL)[0]["text"] == "Weekly digest 2026-W48"
    assert checkins(session) == [] and session.exec(select(CycleSkip)).all() == []


def test_the_owner_answers_their_own_prompt_and_the_dm_follows(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    post_signed(baton.url, forged(dm, button(dm, ANSWER["at_risk"], erp.id), OWNER, fake_slack))
    update = wait_for(lambda: fake_slack.calls_to("chat.update"))[0]
    assert (update["channel"], update["ts"]) == (OWNER_DM, dm["ts"])
    [checkin] = checkins(session)
    assert (checkin.author, checkin.cycle, checkin.initiative_id) == (OWNER, "2026-W48", erp.id)
    assert fake_slack.responses == []


# -- the update modal: `dm` in the metadata is no pass ------------------------------------------------
def details_modal(baton: RunningBaton, fake_slack: FakeSlack, dm: dict, initiative_id: int | None) -> dict:
    post_signed(baton.url, forged(dm, button(dm, ids.PROMPT_DETAILS, initiative_id), OWNER, fake_slack))
    return dict(wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"])


def test_dm_in_the_update_modals_metadata_does_not_bypass_the_update_check(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    view = details_modal(baton, fake_slack, dm, erp.id)  # the owner's own modal, from their DM
    metadata = json.loads(view["private_metadata"])
    assert metadata["dm"] == {"channel": OWNER_DM, "ts": dm["ts"]}
    # someone else submits it, or a modal of their own whose metadata they filled with a DM and a cycle
    forged_metadata = {**metadata, "cycle": EVIL_CYCLE, "owner": OWNER}
    for submitted in (view, {**view, "private_metadata": json.dumps(forged_metadata)}):
        response = post_signed(
            baton.url, view_submission_body(submitted, user=STRANGER, values=filled("on_track", "1"))
        )
        assert "You cannot update this initiative" in errors_of(response)[ids.STATUS_BLOCK]
    settled(session, fake_slack)
    assert checkins(session) == []
    assert fake_slack.calls_to("chat.update") == []


def test_a_forged_cycle_is_never_stored(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    """The owner may update ERP; the cycle their modal's metadata names is not a check-in Baton sent, so
    the update counts for the current cycle, confirmed by DM (their DM is not touched)."""
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    view = details_modal(baton, fake_slack, dm, erp.id)
    metadata = {**json.loads(view["private_metadata"]), "cycle": EVIL_CYCLE}
    tampered = {**view, "private_metadata": json.dumps(metadata)}
    response = post_signed(
        baton.url, view_submission_body(tampered, user=OWNER, values=filled("on_track", "3"))
    )
    assert response.status_code == 200 and response.content == b""
    [checkin] = wait_for(lambda: checkins(session))
    assert (checkin.cycle, checkin.author, checkin.initiative_id) == ("2026-W48", OWNER, erp.id)
    settled(session, fake_slack)
    assert [c.cycle for c in session.exec(select(CheckIn))] == ["2026-W48"]
    assert fake_slack.calls_to("chat.update") == []


def test_the_owner_submits_the_modal_of_their_dm_and_it_refreshes_the_dm(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    view = details_modal(baton, fake_slack, dm, erp.id)
    response = post_signed(baton.url, view_submission_body(view, user=OWNER, values=filled("at_risk", "5")))
    assert response.status_code == 200 and response.content == b""
    update = wait_for(lambda: fake_slack.calls_to("chat.update"))[0]
    assert (update["channel"], update["ts"]) == (OWNER_DM, dm["ts"])
    assert "At risk" in json.dumps(current_dm(fake_slack)["blocks"], ensure_ascii=False)


# -- /okr edit, settings, import: authorised at submission ---------------------------------------------
@pytest.fixture
def portfolio(session: Session, fake_slack: FakeSlack) -> dict[str, Initiative]:
    from tests.test_portfolio_commands import load_roadmap

    fake_slack.add_user(STRANGER, name="stranger")
    return load_roadmap(session, fake_slack)


def edit_view(session: Session, target: Initiative, lang: str = "en") -> dict[str, Any]:
    """The edit modal of `target`, as Baton opens it for someone who may edit it."""
    from bot.portfolio import raci_of

    objective = session.get(Objective, target.objective_id)
    quarter = objective.quarter if objective else "2026-Q4"
    return initiative_modal(
        quarter=quarter,
        lang=lang,
        initiative=target,
        objective=objective,
        raci=raci_of(session, target.id or 0),
    )


def test_editing_an_initiative_one_is_not_r_or_a_of_is_refused(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, portfolio: dict[str, Initiative]
) -> None:
    """STRANGER takes a modal (their own `/okr new`'s, or an edit modal seen elsewhere), puts another
    initiative's id in its metadata and names themselves R and A."""
    target = next(i for i in portfolio.values() if STRANGER not in updaters(session, i.id or 0).people)
    before, audit_before = raci(session, target.id), audited(session)
    view = edit_view(session, target)
    values = initiative_state(view, people_R=[STRANGER], people_A=[STRANGER], title="Mine now")
    for user, modal in (
        (STRANGER, view),
        (STRANGER, {**view, "private_metadata": json.dumps({"lang": "en"})}),
    ):
        # the second is `/okr new`'s modal: creating is for admins
        response = post_signed(baton.url, view_submission_body(modal, user=user, values=values))
        [error] = errors_of(response).values()
        assert "Nothing was saved" in error
    session.expire_all()
    assert session.get_one(Initiative, target.id).title == target.title
    assert raci(session, target.id) == before and audited(session) == audit_before
    assert session.exec(select(Initiative).where(Initiative.title == "Mine now")).all() == []


def test_its_r_or_a_and_admins_still_edit_it(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, portfolio: dict[str, Initiative]
) -> None:
    from tests.test_portfolio_commands import PARIS

    target = next(i for i in portfolio.values() if PARIS in updaters(session, i.id or 0).people)
    for user, title in ((PARIS, "Renamed by its owner"), (ADMIN, "Renamed by an admin")):
        view = edit_view(session, target)
        response = post_signed(
            baton.url, view_submission_body(view, user=user, values=initiative_state(view, title=title))
        )
        assert response.status_code == 200 and response.json()["response_action"] == "update"
        session.expire_all()
        assert session.get_one(Initiative, target.id).title == title


def test_a_non_admin_cannot_move_the_leadership_channel(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, portfolio: dict[str, Initiative]
) -> None:
    fake_slack.add_channel("C0EVIL0001", "evil", members=[])
    view = settings_modal(workspace_row(session), [], "Europe/Paris", lang="fr")
    values = settings_state(view, **{ids.SETTINGS_FIELD + "leadership_channel": "C0EVIL0001"})
    response = post_signed(baton.url, view_submission_body(view, user=STRANGER, values=values))
    [error] = errors_of(response).values()
    assert "Seuls les admins peuvent modifier les réglages" in error  # the modal's language
    session.expire_all()
    assert session.get(WorkspaceSettings, 1) is None and "settings.update" not in audited(session)
    # an admin can
    response = post_signed(baton.url, view_submission_body(view, user=ADMIN, values=values))
    assert response.json()["response_action"] == "update"
    session.expire_all()
    assert session.get_one(WorkspaceSettings, 1).leadership_channel == "C0EVIL0001"


def import_values(text: str) -> dict[str, Any]:
    return {
        ids.IMPORT_TEXT_BLOCK: {ids.IMPORT_TEXT_ACTION: {"type": "plain_text_input", "value": text}},
        ids.IMPORT_QUARTER_BLOCK: {
            ids.IMPORT_QUARTER_ACTION: {"type": "plain_text_input", "value": "2027-Q1"}
        },
    }


def test_a_non_admin_cannot_import(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, portfolio: dict[str, Initiative]
) -> None:
    count = len(session.exec(select(Initiative)).all())
    values = import_values(EXAMPLE_ROADMAP.read_text(encoding="utf-8"))
    for modal in (import_modal("en"), {**import_modal("fr"), "private_metadata": "not json"}):
        response = post_signed(baton.url, view_submission_body(modal, user=STRANGER, values=values))
        assert "Only admins can import a roadmap" in errors_of(response)[ids.IMPORT_TEXT_BLOCK]
    session.expire_all()
    assert len(session.exec(select(Initiative)).all()) == count
    assert session.exec(select(Objective).where(Objective.quarter == "2027-Q1")).all() == []
    response = post_signed(baton.url, view_submission_body(import_modal("en"), user=ADMIN, values=values))
    assert response.json()["response_action"] == "update"
    session.expire_all()
    assert session.exec(select(Objective).where(Objective.quarter == "2027-Q1")).all()


# -- escalation buttons and the decision modal pointed at the digest ------------------------------------
def test_an_escalation_click_or_decision_pointed_at_the_digest_rewrites_the_alert_not_the_digest(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    engine, settings = baton.deps.engine, baton.deps.settings
    seed(session, fake_slack)
    assert scan(engine, settings, clock()).opened == 1
    baton.deps.outbox_ready.set()
    [alert] = wait_for(lambda: leadership_posts(fake_slack))
    bot = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    digest = bot.chat_postMessage(channel=LEADERSHIP_CHANNEL, text="Weekly digest 2026-W48")
    where = {"channel_id": LEADERSHIP_CHANNEL, "message_ts": digest["ts"]}
    action = button(alert, ids.ESC_ACKNOWLEDGE)
    post_signed(baton.url, forged(alert, action, BOSS, fake_slack, container=where))
    wait_for(lambda: session.exec(select(Escalation)).one().state == "acknowledged")
    wait_for(lambda: fake_slack.calls_to("chat.update"))
    assert {call["ts"] for call in fake_slack.calls_to("chat.update")} == {alert["ts"]}
    # the decision modal, its metadata naming the digest as the alert
    post_signed(
        baton.url,
        forged(alert_now(fake_slack), button(alert_now(fake_slack), ids.ESC_DECIDE), BOSS, fake_slack),
    )
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    metadata = {**json.loads(view["private_metadata"]), "where": [LEADERSHIP_CHANNEL, digest["ts"]]}
    tampered = {**view, "private_metadata": json.dumps(metadata)}
    values = decision_values("Extend", owner=ESC_OWNER, due="2026-12-15")
    assert post_signed(baton.url, view_submission_body(tampered, user=BOSS, values=values)).status_code == 200
    wait_for(lambda: session.exec(select(Decision)).all())
    wait_for(lambda: "Decided by" in json.dumps(alert_now(fake_slack)["blocks"]))
    settled(session, fake_slack)
    assert {call["ts"] for call in fake_slack.calls_to("chat.update")} == {alert["ts"]}
    assert [m["text"] for m in fake_slack.messages(LEADERSHIP_CHANNEL) if m["ts"] == digest["ts"]] == [
        "Weekly digest 2026-W48"
    ]


def test_a_digest_details_value_baton_never_made_gets_a_message(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    message = {"channel": LEADERSHIP_CHANNEL, "ts": "1700000000.000100", "text": "digest", "blocks": []}
    action: dict[str, Any] = {"action_id": ids.DIGEST_DETAILS, "block_id": "d1", "type": "button"}
    action |= {"value": "1 OR 1=1", "text": {"type": "plain_text", "text": "Details"}}
    post_signed(baton.url, block_actions_body(message, action, STRANGER, fake_slack.response_url()))
    assert "no longer exists" in refused_privately(fake_slack)


def test_a_picker_choice_baton_never_offered_gets_a_message_and_does_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, portfolio: dict[str, Initiative]
) -> None:
    """The picker's action_id carries the command and its option the initiative: a command that is not
    one of the picker's, or an option that is no id, is answered rather than failing after the ack."""
    target = next(iter(portfolio.values()))
    message = {"channel": "C0GENERAL1", "ts": "1700000000.000200", "text": "pick", "blocks": []}
    for command, picked in (("delete", str(target.id)), ("archive", "1; DROP TABLE initiative")):
        before = len(fake_slack.responses)
        action: dict[str, Any] = {"action_id": ids.PICK_INITIATIVE + command, "block_id": "p1"}
        action |= {"type": "static_select", "selected_option": {"value": picked}}
        post_signed(baton.url, block_actions_body(message, action, ADMIN, fake_slack.response_url()))
        [reply] = wait_for(partial(responses_after, fake_slack, before))
        assert "no longer exists" in reply["text"]
    session.expire_all()
    assert not session.get_one(Initiative, target.id).archived


def test_a_refusal_is_logged_with_who_and_where_never_what_was_typed(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    view = details_modal(baton, fake_slack, dm, initiative(session, ERP).id)
    with structlog.testing.capture_logs() as logs:
        post_signed(baton.url, forged(dm, button(dm, ids.PROMPT_SKIP), STRANGER, fake_slack))
        refused_privately(fake_slack)
        typed = filled("on_track", "1", "secret plans for the merger")
        post_signed(baton.url, view_submission_body(view, user=STRANGER, values=typed))
    refusals = [entry for entry in logs if entry["event"] == "permission.refused"]
    assert [(entry["action"], entry["user"]) for entry in refusals] == [
        ("prompt.skip", STRANGER),
        ("update.submit", STRANGER),
    ]
    assert refusals[0]["channel"] == OWNER_DM and refusals[0]["ts"] == dm["ts"]
    assert "secret plans" not in json.dumps(logs, default=str)
