"""The check-in DM, clicked as Slack sends it: signed block_actions over HTTP to the running app.

A real prompt is produced by `run_checkin` and posted by the outbox sender to the fake Slack; each test
clicks the buttons of that message and looks at the database and at the Web API calls that follow.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

import httpx
from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap, record_checkin
from bot.rituals.checkin import run_checkin
from bot.sandbox.webapi import BOT_USER_ID, FakeSlack
from bot.views import ids
from bot.views.prompt import PromptRef
from storage.models import (
    Away,
    CheckIn,
    CheckInSource,
    CycleSkip,
    Delivery,
    DeliveryState,
    Initiative,
    Objective,
    Role,
    RoleMember,
    Status,
)
from storage.models import Snooze as SnoozeRow
from tests.conftest import EXAMPLE_ROADMAP, ManualClock, RunningBaton
from tests.slack_requests import TEAM, post_signed, signed_headers, view_submission_body, wait_for
from tests.test_slack_scenarios import filled

OWNER = "U0PARIS01"
OWNER_DM = "D0PARIS01"
DELEGATE = "U0DELEGAT"
TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"
ERP = "Déploiement ERP phase 2"
ONBOARDING = "Standardiser l’onboarding clients"


# -- building a real prompt ------------------------------------------------------------------------
def prompted(baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock) -> dict:
    """Import the example roadmap, make OWNER hold the Ops Manager and PMO roles (two initiatives), run
    the Monday check-in and return the DM as the sender posted it."""
    rows = parse_roadmap(EXAMPLE_ROADMAP.read_text(encoding="utf-8"), EXAMPLE_ROADMAP.name)
    import_roadmap(session, rows, quarter="2026-Q4", actor="test", now=datetime(2026, 11, 16, tzinfo=UTC))
    for role in session.exec(select(Role).where(col(Role.name).in_(("Ops Manager", "PMO")))):
        session.add(RoleMember(role_id=role.id or 0, user_id=OWNER))
    session.commit()
    fake_slack.add_user(OWNER, name="Paris", tz="Europe/Paris")
    return checkin_dm(baton, fake_slack, clock, OWNER_DM)


def checkin_dm(baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, channel: str) -> dict:
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    report = run_checkin(baton.deps.engine, client, now=clock(), settings=baton.deps.settings)
    assert report.queued, report.summary()
    return wait_for(lambda: [p for p in fake_slack.posts() if p["channel"] == channel])[0]


def initiative(session: Session, title: str) -> Initiative:
    found = session.exec(select(Initiative).where(Initiative.title == title)).one()
    session.refresh(found)
    return found


def button(message: dict, action_id: str, initiative_id: int | None = None) -> dict[str, Any]:
    """The button of `message` with `action_id` (for `initiative_id`), as Slack reports it when clicked."""
    for block in message["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else [block.get("accessory") or {}]
        for element in elements:
            if element.get("action_id") != action_id:
                continue
            if (
                initiative_id is not None
                and PromptRef.decode(element["value"]).initiative_id != initiative_id
            ):
                continue
            return {
                "action_id": action_id,
                "block_id": block["block_id"],
                "text": element["text"],
                "value": element["value"],
                "type": "button",
                **({"style": element["style"]} if "style" in element else {}),
                "action_ts": f"{time.time():.6f}",
            }
    raise AssertionError(f"no button {action_id} for {initiative_id} in the message")


def block_actions_body(message: dict, action: dict[str, Any], user: str, response_url: str) -> str:
    """A click on `action` of `message` (a DM as stored by the fake Slack), as Slack posts it."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0BATON01",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": message["channel"],
            "is_ephemeral": False,
        },
        "trigger_id": TRIGGER_ID,
        "team": TEAM,
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": message["channel"], "name": "directmessage"},
        "message": {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": "B0BATON01",
            "app_id": "A0BATON01",
            "ts": message["ts"],
            "text": message["text"],
            "blocks": message["blocks"],
            "team": TEAM["id"],
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)})


def click(
    baton: RunningBaton,
    fake_slack: FakeSlack,
    message: dict,
    action_id: str,
    initiative_id: int | None = None,
    user: str = OWNER,
) -> httpx.Response:
    action = button(message, action_id, initiative_id)
    body = block_actions_body(message, action, user, fake_slack.response_url())
    return post_signed(baton.url, body)


def current_dm(fake_slack: FakeSlack, channel: str = OWNER_DM) -> dict:
    """The DM as the owner now sees it (the fake applies chat.update to what it stored)."""
    return fake_slack.messages(channel)[0]


def item_blocks(message: dict, initiative_id: int | None) -> list[dict]:
    return [
        block
        for block in message["blocks"]
        if block.get("block_id")
        in (f"{ids.PROMPT_ITEM_BLOCK}{initiative_id}", f"prompt_actions:{initiative_id}")
    ]


def shown_for(fake_slack: FakeSlack, initiative_id: int | None) -> str:
    """How the DM shows an initiative now, as text."""
    return json.dumps(item_blocks(current_dm(fake_slack), initiative_id), ensure_ascii=False)


def action_ids(blocks: list[dict]) -> set[str]:
    found = set()
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if "action_id" in element:
                found.add(element["action_id"])
    return found


def checkins(session: Session) -> list[CheckIn]:
    session.expire_all()
    return list(session.exec(select(CheckIn).order_by(col(CheckIn.id))))


def settled(session: Session, fake_slack: FakeSlack, quiet: float = 0.4) -> None:
    """Wait until handlers are done: the outbox is empty and nothing new was recorded for `quiet` s."""
    deadline = time.monotonic() + 30
    seen: tuple[int, int] | None = None
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        session.expire_all()
        pending = session.exec(
            select(Delivery).where(col(Delivery.state).in_((DeliveryState.PENDING, DeliveryState.SENDING)))
        ).all()
        state = (len(checkins(session)), len(fake_slack.calls))
        if state != seen or pending:
            seen, stable_since = state, time.monotonic()
        elif time.monotonic() - stable_since >= quiet:
            return
        time.sleep(0.05)
    raise AssertionError("the app did not settle")


ANSWER = {status: ids.PROMPT_ANSWER + status for status in ("on_track", "at_risk", "off_track")}


# -- the prompt itself -----------------------------------------------------------------------------
def test_the_prompt_lists_every_initiative_with_its_buttons(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    assert dm["channel"] == OWNER_DM and len(fake_slack.posts()) == 1
    for title in (ERP, ONBOARDING):
        blocks = item_blocks(dm, initiative(session, title).id)
        assert action_ids(blocks) == {*ANSWER.values(), ids.PROMPT_DETAILS}
    assert {ids.PROMPT_SNOOZE, ids.PROMPT_SKIP, ids.PROMPT_AWAY} <= action_ids(dm["blocks"])


# -- 1. one click ----------------------------------------------------------------------------------
def test_one_click_records_the_answer_and_rewrites_the_dm_in_place(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp, onboarding = initiative(session, ERP), initiative(session, ONBOARDING)
    response = click(baton, fake_slack, dm, ANSWER["on_track"], erp.id)
    assert response.status_code == 200  # how fast Baton acks: bench/ack_latency.py
    update = wait_for(lambda: fake_slack.calls_to("chat.update"))[0]
    [checkin] = checkins(session)
    assert (checkin.initiative_id, checkin.status, checkin.author, checkin.cycle, checkin.source) == (
        erp.id,
        "on_track",
        OWNER,
        "2026-W48",
        "dm_button",
    )
    assert initiative(session, ERP).status == "on_track"
    assert (update["channel"], update["ts"]) == (OWNER_DM, dm["ts"])
    shown = current_dm(fake_slack)
    answered = item_blocks(shown, erp.id)
    assert not set(ANSWER.values()) & action_ids(answered)  # no status buttons left for ERP
    assert "On track" in json.dumps(answered, ensure_ascii=False) and f"<@{OWNER}>" in json.dumps(answered)
    assert action_ids(item_blocks(shown, onboarding.id)) == {*ANSWER.values(), ids.PROMPT_DETAILS}
    assert {ids.PROMPT_SNOOZE, ids.PROMPT_SKIP} <= action_ids(shown["blocks"])  # still one to answer
    assert len(fake_slack.posts()) == 1  # updated in place, no new message


def test_answering_everything_says_all_done(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    click(baton, fake_slack, dm, ANSWER["on_track"], initiative(session, ERP).id)
    wait_for(lambda: len(checkins(session)) == 1)
    click(baton, fake_slack, current_dm(fake_slack), ANSWER["off_track"], initiative(session, ONBOARDING).id)
    shown = wait_for(lambda: "All done" in json.dumps(current_dm(fake_slack)) and current_dm(fake_slack))
    assert not ({*ANSWER.values(), ids.PROMPT_SNOOZE, ids.PROMPT_SKIP} & action_ids(shown["blocks"]))
    assert [c.status for c in checkins(session)] == ["on_track", "off_track"]


# -- 2. double clicks ------------------------------------------------------------------------------
def test_the_same_click_twice_in_a_row_records_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    action = button(dm, ANSWER["on_track"], erp.id)
    body = block_actions_body(dm, action, OWNER, fake_slack.response_url())
    assert post_signed(baton.url, body).status_code == 200
    wait_for(lambda: checkins(session))
    assert post_signed(baton.url, body).status_code == 200  # the same request again (double click)
    settled(session, fake_slack)
    assert len(checkins(session)) == 1


def test_two_simultaneous_identical_clicks_record_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    body = block_actions_body(dm, button(dm, ANSWER["on_track"], erp.id), OWNER, fake_slack.response_url())
    statuses: list[int] = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait()
        statuses.append(post_signed(baton.url, body).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert statuses == [200, 200]
    wait_for(lambda: checkins(session))
    settled(session, fake_slack)
    [checkin] = checkins(session)
    assert (checkin.initiative_id, checkin.status) == (erp.id, "on_track")
    assert fake_slack.responses == []  # neither click was told the check-in had closed
    assert not set(ANSWER.values()) & action_ids(item_blocks(current_dm(fake_slack), erp.id))


# -- 3. changing the answer ------------------------------------------------------------------------
def test_a_different_answer_later_in_the_cycle_is_appended(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    click(baton, fake_slack, dm, ANSWER["on_track"], erp.id)
    wait_for(lambda: len(checkins(session)) == 1)
    wait_for(lambda: fake_slack.calls_to("chat.update"))
    # The updated DM has no status buttons for ERP any more: a client still showing the first version
    # (another device) can click At risk, which is a real change of answer.
    clock.now += timedelta(minutes=5)
    click(baton, fake_slack, dm, ANSWER["at_risk"], erp.id)
    wait_for(lambda: len(checkins(session)) == 2)
    history = checkins(session)
    assert [(c.status, c.source, c.cycle) for c in history] == [
        ("on_track", "dm_button", "2026-W48"),
        ("at_risk", "dm_button", "2026-W48"),
    ]
    # The DM's refresh is queued in the same transaction as the initiative's new status: wait for it
    # (on SQLite the CheckIn row alone becomes visible earlier, see the atomicity test below).
    wait_for(lambda: "At risk" in shown_for(fake_slack, erp.id))
    assert initiative(session, ERP).status == "at_risk"


# -- 4. closed cycle -------------------------------------------------------------------------------
def test_a_click_after_the_cycle_closed_records_nothing_and_says_so(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    clock.now += timedelta(days=8)
    assert click(baton, fake_slack, dm, ANSWER["on_track"], erp.id).status_code == 200
    reply = wait_for(lambda: fake_slack.responses)[0]
    assert "closed" in reply["text"] and reply["response_type"] == "ephemeral"
    assert reply.get("replace_original") in (False, "false", None)
    click(baton, fake_slack, dm, ids.PROMPT_DETAILS, erp.id)
    wait_for(lambda: len(fake_slack.responses) == 2)
    assert "closed" in fake_slack.responses[1]["text"]
    settled(session, fake_slack)
    assert checkins(session) == []
    assert fake_slack.calls_to("chat.update") == [] and fake_slack.calls_to("views.open") == []
    assert initiative(session, ERP).status is None


def test_the_last_day_of_the_cycle_is_still_open(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    clock.now = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)  # Sunday 23:30 in Paris
    click(baton, fake_slack, dm, ANSWER["off_track"], initiative(session, ERP).id)
    assert wait_for(lambda: checkins(session))[0].cycle == "2026-W48"


# -- 5. update details -----------------------------------------------------------------------------
def test_update_details_opens_the_modal_and_its_submission_refreshes_the_dm(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    click(baton, fake_slack, dm, ids.PROMPT_DETAILS, erp.id)
    opened = wait_for(lambda: fake_slack.calls_to("views.open"))[0]
    assert opened["trigger_id"] == TRIGGER_ID
    view = opened["view"]
    assert view["callback_id"] == ids.UPDATE_MODAL
    assert json.loads(view["private_metadata"])["initiative_id"] == erp.id
    status = next(b for b in view["blocks"] if b.get("block_id") == ids.STATUS_BLOCK)
    assert "initial_option" not in status["element"]  # nothing answered yet

    submitted = post_signed(
        baton.url,
        view_submission_body(view, user=OWNER, values=filled("at_risk", "62,5", "Two entities left")),
    )
    assert submitted.status_code == 200 and submitted.content == b""
    update = wait_for(lambda: fake_slack.calls_to("chat.update"))[0]
    [checkin] = checkins(session)
    assert (checkin.initiative_id, checkin.status, checkin.kpi_value, checkin.comment) == (
        erp.id,
        "at_risk",
        62.5,
        "Two entities left",
    )
    assert (checkin.source, checkin.cycle, checkin.author) == ("modal", "2026-W48", OWNER)
    assert (update["channel"], update["ts"]) == (OWNER_DM, dm["ts"])
    answered = item_blocks(current_dm(fake_slack), erp.id)
    assert "At risk" in json.dumps(answered, ensure_ascii=False) and "62" in json.dumps(answered)
    assert not set(ANSWER.values()) & action_ids(answered)
    settled(session, fake_slack)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # the prompt; no separate confirmation DM

    # Edit: the modal comes back with the previous answer.
    click(baton, fake_slack, current_dm(fake_slack), ids.PROMPT_DETAILS, erp.id)
    again = wait_for(
        lambda: len(fake_slack.calls_to("views.open")) == 2 and fake_slack.calls_to("views.open")
    )
    blocks = {b.get("block_id"): b for b in again[1]["view"]["blocks"]}
    assert blocks[ids.STATUS_BLOCK]["element"]["initial_option"]["value"] == "at_risk"
    assert blocks[ids.COMMENT_BLOCK]["element"]["initial_value"] == "Two entities left"


def test_edit_after_a_one_click_answer_prefills_the_status(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    click(baton, fake_slack, dm, ANSWER["off_track"], erp.id)
    wait_for(lambda: fake_slack.calls_to("chat.update"))
    shown = current_dm(fake_slack)
    click(baton, fake_slack, shown, ids.PROMPT_DETAILS, erp.id)  # the "Edit" button of the answered item
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    status = next(b for b in view["blocks"] if b.get("block_id") == ids.STATUS_BLOCK)
    assert status["element"]["initial_option"]["value"] == "off_track"
    post_signed(baton.url, view_submission_body(view, user=OWNER, values=filled("on_track", "80")))
    wait_for(lambda: "On track" in shown_for(fake_slack, erp.id))
    assert [(c.status, c.source) for c in checkins(session)] == [
        ("off_track", "dm_button"),
        ("on_track", "modal"),
    ]
    assert initiative(session, ERP).status == "on_track"


def test_edit_prefills_the_previous_kpi_value(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    click(baton, fake_slack, dm, ids.PROMPT_DETAILS, erp.id)
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    post_signed(baton.url, view_submission_body(view, user=OWNER, values=filled("on_track", "40")))
    wait_for(lambda: fake_slack.calls_to("chat.update"))
    click(baton, fake_slack, current_dm(fake_slack), ids.PROMPT_DETAILS, erp.id)
    again = wait_for(
        lambda: len(fake_slack.calls_to("views.open")) == 2 and fake_slack.calls_to("views.open")
    )
    kpi = next(b for b in again[1]["view"]["blocks"] if b.get("block_id") == ids.KPI_BLOCK)
    assert kpi["element"].get("initial_value") == "40"


def test_a_modal_from_the_dm_submitted_after_the_cycle_closed_records_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    click(baton, fake_slack, dm, ids.PROMPT_DETAILS, initiative(session, ERP).id)
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    clock.now += timedelta(days=8)
    post_signed(baton.url, view_submission_body(view, user=OWNER, values=filled("on_track")))
    settled(session, fake_slack)
    assert checkins(session) == []


# -- 6. snooze -------------------------------------------------------------------------------------
def test_snooze_asks_for_a_reminder_in_two_hours(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    assert click(baton, fake_slack, dm, ids.PROMPT_SNOOZE).status_code == 200
    reply = wait_for(lambda: fake_slack.responses)[0]
    assert reply["response_type"] == "ephemeral" and "Snoozed" in reply["text"]
    assert reply.get("replace_original") in (False, "false")
    session.expire_all()
    [snooze] = session.exec(select(SnoozeRow)).all()
    assert (snooze.user_id, snooze.cycle, snooze.until) == (OWNER, "2026-W48", clock() + timedelta(hours=2))
    assert "11:30" in reply["text"]  # 09:30 UTC + 2 h, the fallback text of <!date>
    assert checkins(session) == [] and fake_slack.calls_to("chat.update") == []


# -- 7. skip this week -----------------------------------------------------------------------------
def test_skip_this_week_is_recorded_and_shown_in_the_dm(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    assert click(baton, fake_slack, dm, ids.PROMPT_SKIP).status_code == 200
    update = wait_for(lambda: fake_slack.calls_to("chat.update"))[0]
    assert (update["channel"], update["ts"]) == (OWNER_DM, dm["ts"])
    session.expire_all()
    [skip] = session.exec(select(CycleSkip)).all()
    assert (skip.user_id, skip.cycle) == (OWNER, "2026-W48")
    shown = current_dm(fake_slack)
    assert "skipped this week" in json.dumps(shown["blocks"])
    assert not {ids.PROMPT_SNOOZE, ids.PROMPT_SKIP, ids.PROMPT_AWAY} & action_ids(shown["blocks"])
    assert "prompt_footer" not in [b.get("block_id") for b in shown["blocks"]]
    assert checkins(session) == []


# -- 8. out of office ------------------------------------------------------------------------------
def away_values(until: str | None, delegate: str | None) -> dict:
    return {
        ids.AWAY_UNTIL_BLOCK: {ids.AWAY_UNTIL_ACTION: {"type": "datepicker", "selected_date": until}},
        ids.AWAY_DELEGATE_BLOCK: {
            ids.AWAY_DELEGATE_ACTION: {"type": "users_select", "selected_user": delegate}
        },
    }


def open_away_modal(baton: RunningBaton, fake_slack: FakeSlack, dm: dict) -> dict:
    assert click(baton, fake_slack, dm, ids.PROMPT_AWAY).status_code == 200
    opened = wait_for(lambda: fake_slack.calls_to("views.open"))[-1]
    assert opened["trigger_id"] == TRIGGER_ID
    return cast(dict[str, Any], opened["view"])


def test_out_of_office_with_a_delegate_who_then_gets_the_prompt(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    view = open_away_modal(baton, fake_slack, dm)
    assert view["callback_id"] == ids.AWAY_MODAL
    until = next(b for b in view["blocks"] if b["block_id"] == ids.AWAY_UNTIL_BLOCK)
    assert until["element"]["initial_date"] == "2026-11-30"  # a week from today: away is not today

    response = post_signed(
        baton.url, view_submission_body(view, user=OWNER, values=away_values("2026-12-04", DELEGATE))
    )
    assert response.status_code == 200 and response.content == b""
    confirmation = wait_for(
        lambda: [
            c
            for c in fake_slack.calls_to("chat.postMessage")
            if "palm_tree" in c["text"] and c["channel"] == OWNER
        ]
    )
    assert f"<@{DELEGATE}>" in confirmation[0]["text"]
    assert "2026-12-04" in confirmation[0]["text"]
    session.expire_all()
    [away] = session.exec(select(Away)).all()
    assert (away.user_id, away.starts_on, away.ends_on, away.delegate_id) == (
        OWNER,
        date(2026, 11, 23),
        date(2026, 12, 4),
        DELEGATE,
    )

    # The delegate is told at once, and gets this week's prompt, which the owner had not answered.
    def to_delegate(starts: str) -> list[dict]:
        return [p for p in fake_slack.posts() if p["channel"] == "D0DELEGAT" and p["text"].startswith(starts)]

    [told] = wait_for(lambda: to_delegate(":palm_tree:"))
    assert f"<@{OWNER}>" in told["text"] and "2026-12-04" in told["text"]
    [this_week] = wait_for(lambda: to_delegate("Check-in 2026-W48"))
    assert f"answering for <@{OWNER}>" in json.dumps(this_week["blocks"])
    erp = initiative(session, ERP)
    click(baton, fake_slack, this_week, ANSWER["at_risk"], erp.id, user=DELEGATE)
    [checkin] = wait_for(lambda: checkins(session))
    assert (checkin.author, checkin.cycle, checkin.initiative_id) == (DELEGATE, "2026-W48", erp.id)

    # Next Monday the delegate is prompted for the owner's initiatives, and answers for them.
    clock.now = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    assert run_checkin(baton.deps.engine, client, now=clock(), settings=baton.deps.settings).queued
    [prompt] = wait_for(lambda: to_delegate("Check-in 2026-W49"))
    assert f"answering for <@{OWNER}>" in json.dumps(prompt["blocks"])
    posts = fake_slack.posts()
    to_owner = [p["ts"] for p in posts if p["channel"] == OWNER_DM and p["text"].startswith("Check")]
    assert to_owner == [dm["ts"]]  # the owner is not prompted for 2026-W49
    click(baton, fake_slack, prompt, ANSWER["on_track"], erp.id, user=DELEGATE)
    checkin = wait_for(lambda: [c for c in checkins(session) if c.cycle == "2026-W49"])[0]
    assert (checkin.author, checkin.initiative_id) == (DELEGATE, erp.id)
    update = wait_for(lambda: [u for u in fake_slack.calls_to("chat.update") if u["ts"] == prompt["ts"]])[0]
    assert update["channel"] == "D0DELEGAT"


def test_out_of_office_refuses_oneself_as_delegate_and_a_past_date(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    view = open_away_modal(baton, fake_slack, dm)
    oneself = post_signed(
        baton.url, view_submission_body(view, user=OWNER, values=away_values("2026-12-04", OWNER))
    )
    assert oneself.status_code == 200
    body = oneself.json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {ids.AWAY_DELEGATE_BLOCK}
    past = post_signed(
        baton.url, view_submission_body(view, user=OWNER, values=away_values("2026-11-20", None))
    )
    body = past.json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {ids.AWAY_UNTIL_BLOCK}
    missing = post_signed(baton.url, view_submission_body(view, user=OWNER, values=away_values(None, None)))
    assert set(missing.json()["errors"]) == {ids.AWAY_UNTIL_BLOCK}
    # today is allowed, without a delegate
    today = post_signed(
        baton.url, view_submission_body(view, user=OWNER, values=away_values("2026-11-23", None))
    )
    assert today.status_code == 200 and today.content == b""
    settled(session, fake_slack)
    session.expire_all()
    [away] = session.exec(select(Away)).all()
    assert (away.ends_on, away.delegate_id) == (date(2026, 11, 23), None)
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if "palm_tree" in c["text"]]) == 1


# -- 9. signatures ---------------------------------------------------------------------------------
def test_a_forged_click_is_refused_and_records_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    body = block_actions_body(
        dm, button(dm, ANSWER["on_track"], initiative(session, ERP).id), OWNER, fake_slack.response_url()
    )
    forged = httpx.post(
        f"{baton.url}/slack/events", content=body, headers=signed_headers(body, secret="not-the-secret")
    )
    stale = httpx.post(
        f"{baton.url}/slack/events",
        content=body,
        headers=signed_headers(body, timestamp=int(time.time()) - 3600),
    )
    assert (forged.status_code, stale.status_code) == (401, 401)
    settled(session, fake_slack)
    assert checkins(session) == []
    assert fake_slack.calls_to("chat.update") == [] and fake_slack.responses == []


# -- atomicity of an answer ------------------------------------------------------------------------
def test_an_answer_rolled_back_leaves_no_checkin(session: Session) -> None:
    """record_checkin() runs inside the caller's transaction: if that transaction is rolled back (the DM's
    refresh could not be queued, the process died), the CheckIn must go with it."""
    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    objective = Objective(title="O", title_key="o", quarter="2026-Q4", created_at=now)
    session.add(objective)
    session.flush()
    target = Initiative(
        objective_id=objective.id or 0, title="I", title_key="i", created_at=now, updated_at=now
    )
    session.add(target)
    session.commit()
    with Session(session.get_bind()) as work:
        record_checkin(
            work,
            initiative=work.get_one(Initiative, target.id),
            author=OWNER,
            status=Status.AT_RISK,
            kpi_value=None,
            comment=None,
            source=CheckInSource.DM_BUTTON,
            cycle="2026-W48",
            now=now,
            dedupe_key="dm:probe",
        )
        work.rollback()
    assert checkins(session) == []
