"""Signed requests sent over HTTP to the running app, as Slack sends them; Web API calls land on the fake."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl, urlencode

import httpx
from sqlmodel import Session, col, select

from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap, set_role_members
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from bot.views.help import help_message
from handlers.commands import HELP
from storage.models import AuditLog, CheckIn, Initiative, Person
from tests.conftest import EXAMPLE_ROADMAP, ManualClock, RunningBaton
from tests.slack_requests import (
    TRIGGER_PREFIX,
    post_signed,
    signed_headers,
    slash_command_body,
    view_submission_body,
    wait_for,
)

OWNER = "U0OWNER001"


def load_example(session: Session, clock: ManualClock) -> None:
    """The example roadmap, with OWNER holding every role: they may update every initiative."""
    rows = parse_roadmap(EXAMPLE_ROADMAP.read_text(encoding="utf-8"), EXAMPLE_ROADMAP.name)
    import_roadmap(session, rows, quarter="2026-Q4", actor="test", now=clock())
    for role in ("Ops Manager", "PMO", "IT", "CFO", "Sales", "CHRO"):
        set_role_members(session, name=role, members=[OWNER], actor="test", now=clock())
    session.commit()


def slash(baton: RunningBaton, fake_slack: FakeSlack, text: str) -> httpx.Response:
    return post_signed(
        baton.url, slash_command_body(text, user=OWNER, response_url=fake_slack.response_url())
    )


def filled(
    status: str | None = "on_track",
    kpi: str | None = None,
    comment: str | None = None,
    initiative_id: int | None = None,
) -> dict:
    values: dict = {
        ids.STATUS_BLOCK: {
            ids.STATUS_ACTION: {
                "type": "radio_buttons",
                "selected_option": {"value": status} if status else None,
            }
        },
        ids.KPI_BLOCK: {ids.KPI_ACTION: {"type": "plain_text_input", "value": kpi}},
        ids.COMMENT_BLOCK: {ids.COMMENT_ACTION: {"type": "plain_text_input", "value": comment}},
    }
    if initiative_id is not None:
        values[ids.INITIATIVE_BLOCK] = {
            ids.INITIATIVE_ACTION: {"type": "static_select", "selected_option": {"value": str(initiative_id)}}
        }
    return values


def test_help_is_ephemeral_and_lists_subcommands(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    session.add(Person(user_id=OWNER, locale="en-US", fetched_at=clock()))  # Baton knows their language
    session.commit()
    for text in ("help", "", "frobnicate"):
        response = slash(baton, fake_slack, text)
        assert response.status_code == 200
        body = response.json()
        assert body["response_type"] == "ephemeral"
        rendered = json.dumps(body["blocks"])
        assert "/okr update" in rendered and "/okr help" in rendered
    assert "frobnicate" in rendered  # the unknown subcommand is named back


def test_a_french_speakers_first_help_is_in_french(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    """Baton has never seen them: the ack says nothing rather than guess, and the help follows at once in
    the language Slack gives for them."""
    newcomer = "U0NOUVEAU1"
    fake_slack.add_user(newcomer, name="Nouveau", locale="fr-FR")
    body = slash_command_body("aide", user=newcomer, response_url=fake_slack.response_url())
    acked = post_signed(baton.url, body)
    assert acked.status_code == 200 and acked.content == b""
    [answer] = wait_for(lambda: fake_slack.responses)
    rendered = json.dumps(answer["blocks"], ensure_ascii=False)
    assert answer["response_type"] == "ephemeral" and "aide" in rendered and "/okr update" in rendered
    assert answer["text"] == help_message(HELP, unknown="aide", lang="fr")["text"]


def test_update_opens_the_modal_of_the_matching_initiative(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_example(session, clock)
    started = time.perf_counter()
    response = slash(baton, fake_slack, "update erp")
    assert response.status_code == 200 and response.content == b""
    assert time.perf_counter() - started < 3
    opened = wait_for(lambda: fake_slack.calls_to("views.open"))
    assert opened[0]["trigger_id"].startswith(TRIGGER_PREFIX)  # the command's own
    erp = session.exec(select(Initiative).where(Initiative.title == "Déploiement ERP phase 2")).one()
    view = opened[0]["view"]
    assert json.loads(view["private_metadata"]) == {"initiative_id": erp.id, "lang": "en"}
    assert ids.INITIATIVE_BLOCK not in [block.get("block_id") for block in view["blocks"]]


def test_update_is_accent_and_case_insensitive(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_example(session, clock)
    slash(baton, fake_slack, "update DEPLOIEMENT erp")
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    assert json.loads(view["private_metadata"])["initiative_id"] is not None


def test_update_without_a_clear_match_offers_a_picker(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_example(session, clock)
    slash(baton, fake_slack, "update")
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    picker = next(block for block in view["blocks"] if block.get("block_id") == ids.INITIATIVE_BLOCK)
    assert len(picker["element"]["options"]) == 4
    assert json.loads(view["private_metadata"]) == {"lang": "en"}


def test_update_with_no_initiatives_says_so(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    slash(baton, fake_slack, "update erp")
    response = wait_for(lambda: fake_slack.responses)[0]
    assert "no initiatives" in response["text"].lower()
    assert fake_slack.calls_to("views.open") == []


def test_forged_signature_is_refused(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    body = slash_command_body("help", user=OWNER, response_url=fake_slack.response_url())
    forged = httpx.post(
        f"{baton.url}/slack/events",
        content=body,
        headers=signed_headers(body, secret="not-the-signing-secret"),
    )
    stale = httpx.post(
        f"{baton.url}/slack/events",
        content=body,
        headers=signed_headers(body, timestamp=int(time.time()) - 3600),
    )
    unsigned = httpx.post(
        f"{baton.url}/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (forged.status_code, stale.status_code, unsigned.status_code) == (401, 401, 401)


def submit(baton: RunningBaton, fake_slack: FakeSlack, values: dict) -> httpx.Response:
    slash(baton, fake_slack, "update erp")
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]["view"]
    return post_signed(baton.url, view_submission_body(view, user=OWNER, values=values))


def test_submitting_the_modal_stores_a_checkin_and_confirms(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_example(session, clock)
    response = submit(baton, fake_slack, filled("at_risk", "62,5", "Two entities left: <!channel>"))
    assert response.status_code == 200 and response.content == b""
    confirmation = wait_for(lambda: fake_slack.calls_to("chat.postMessage"))[0]
    assert confirmation["channel"] == OWNER
    assert "<!channel>" not in json.dumps(confirmation) and "&lt;!channel&gt;" in json.dumps(confirmation)
    checkin = session.exec(select(CheckIn)).one()
    assert (checkin.author, checkin.status, checkin.kpi_value, checkin.cycle, checkin.source) == (
        OWNER,
        "at_risk",
        62.5,
        "2026-W48",
        "modal",
    )
    assert checkin.comment == "Two entities left: <!channel>"  # stored as typed; escaped when shown
    initiative = session.get_one(Initiative, checkin.initiative_id)
    session.refresh(initiative)
    assert (initiative.status, initiative.kpi_current) == ("at_risk", 62.5)
    audit = session.exec(select(AuditLog).where(AuditLog.action == "checkin.create")).one()
    assert audit.actor == OWNER and audit.entity_id == str(checkin.id)


def test_a_non_numeric_kpi_is_a_field_error_and_stores_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_example(session, clock)
    response = submit(baton, fake_slack, filled("on_track", "douze"))
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {ids.KPI_BLOCK}
    assert session.exec(select(CheckIn)).all() == []
    assert fake_slack.calls_to("chat.postMessage") == []


def test_several_updates_in_a_cycle_keep_history(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_example(session, clock)
    submit(baton, fake_slack, filled("on_track", "40"))
    wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) == 1)
    submit(baton, fake_slack, filled("off_track", "35"))
    wait_for(lambda: len(fake_slack.calls_to("chat.postMessage")) == 2)
    history = session.exec(select(CheckIn).order_by(col(CheckIn.id))).all()
    assert [(c.status, c.kpi_value) for c in history] == [("on_track", 40.0), ("off_track", 35.0)]


def test_the_picker_modal_needs_an_initiative(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_example(session, clock)
    slash(baton, fake_slack, "update")
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    missing = post_signed(baton.url, view_submission_body(view, user=OWNER, values=filled()))
    assert missing.json()["errors"] == {ids.INITIATIVE_BLOCK: "Choose an initiative."}
    chosen = next(b for b in view["blocks"] if b.get("block_id") == ids.INITIATIVE_BLOCK)["element"][
        "options"
    ][0]
    ok = post_signed(
        baton.url, view_submission_body(view, user=OWNER, values=filled(initiative_id=int(chosen["value"])))
    )
    assert ok.content == b""
    wait_for(lambda: session.exec(select(CheckIn)).all())


def test_healthz_reports_the_database(baton: RunningBaton) -> None:
    assert httpx.get(f"{baton.url}/healthz").json() == {"status": "ok", "db": "ok"}
    assert httpx.get(f"{baton.url}/nowhere").status_code == 404


# -- Enterprise Grid: a workspace of an org, as Slack shapes its payloads there (bolt-python's
# tests/scenario_tests use the same fields: enterprise_id / enterprise, is_enterprise_install false) ----
GRID = {"enterprise_id": "E0ORG00001", "enterprise_name": "Baton Org", "is_enterprise_install": "false"}


def test_a_workspace_of_an_enterprise_grid_org_is_answered_like_any_other(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    load_example(session, clock)
    session.add(Person(user_id=OWNER, locale="en-US", fetched_at=clock()))  # known: help is the ack itself
    session.commit()
    body = dict(parse_qsl(slash_command_body("help", user=OWNER, response_url=fake_slack.response_url())))
    response = post_signed(baton.url, urlencode({**body, **GRID}))
    assert response.status_code == 200 and "/okr update" in json.dumps(response.json()["blocks"])

    body = dict(
        parse_qsl(slash_command_body("update erp", user=OWNER, response_url=fake_slack.response_url()))
    )
    assert post_signed(baton.url, urlencode({**body, **GRID})).status_code == 200
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]  # the work after the ack, too
    submitted = view_submission_body(view, user=OWNER, values=filled("at_risk", comment="Grid says hi"))
    payload = json.loads(dict(parse_qsl(submitted))["payload"])
    payload["enterprise"] = {"id": GRID["enterprise_id"], "name": GRID["enterprise_name"]}
    payload["is_enterprise_install"] = False
    payload["user"]["enterprise_id"] = GRID["enterprise_id"]
    answer = post_signed(baton.url, urlencode({"payload": json.dumps(payload)}))
    assert answer.status_code == 200 and not answer.content  # saved: the modal closes
    saved = session.exec(select(CheckIn).where(CheckIn.comment == "Grid says hi")).one()
    assert saved.author == OWNER
