"""The Slack payloads the sandbox builds from what a person does, and the sandbox clock's jumps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from bot.sandbox import payloads
from bot.sandbox.clock import (
    PARIS,
    SandboxClock,
    end_of_quarter,
    first_weekday_of_next_month,
    jump,
    next_weekday_at,
)

LEA = {"id": "U0LEAPARIS", "name": "lea"}
DM = {"id": "D0LEAPARIS", "name": "directmessage"}
OPTIONS = [
    {"text": {"type": "plain_text", "text": "On track"}, "value": "on_track"},
    {"text": {"type": "plain_text", "text": "At risk"}, "value": "at_risk"},
]
VIEW: dict[str, Any] = {
    "id": "V1",
    "callback_id": "update",
    "blocks": [
        {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "hi"}},
        {
            "type": "input",
            "block_id": "status",
            "element": {"type": "radio_buttons", "action_id": "pick", "options": OPTIONS},
        },
        {"type": "input", "block_id": "kpi", "element": {"type": "plain_text_input", "action_id": "v"}},
        {
            "type": "input",
            "block_id": "tags",
            "element": {"type": "checkboxes", "action_id": "c", "options": OPTIONS},
        },
        {"type": "input", "block_id": "when", "element": {"type": "datepicker", "action_id": "d"}},
        {"type": "input", "block_id": "who", "element": {"type": "multi_users_select", "action_id": "u"}},
        {"type": "input", "block_id": "where", "element": {"type": "conversations_select", "action_id": "c"}},
        {
            "type": "actions",
            "block_id": "more",
            "elements": [{"type": "overflow", "action_id": "o", "options": OPTIONS}],
        },
    ],
}


def test_signature_is_the_one_bolt_verifies() -> None:
    body = payloads.slash_command(
        "update erp", user=LEA, channel=DM, response_url="http://x/response/1", trigger_id="t"
    )
    headers = payloads.sign(body, "s3cret")
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not SignatureVerifier("other").is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )


def test_slash_command_form() -> None:
    body = parse_qs(
        payloads.slash_command("update erp", user=LEA, channel=DM, response_url="http://r", trigger_id="t1")
    )
    assert body["command"] == ["/okr"] and body["text"] == ["update erp"]
    assert body["user_id"] == ["U0LEAPARIS"] and body["channel_id"] == ["D0LEAPARIS"]
    assert body["response_url"] == ["http://r"] and body["trigger_id"] == ["t1"]


def test_state_values_reports_every_input_as_slack_does() -> None:
    form = {
        "status/pick": ["at_risk"],
        "kpi/v": [""],
        "tags/c": ["on_track", "at_risk"],
        "when/d": ["2026-12-01"],
        "who/u": ["U1", "U2"],
        "where/c": ["C0LEADERS"],
    }
    assert payloads.state_values(VIEW, form) == {
        "status": {"pick": {"type": "radio_buttons", "selected_option": OPTIONS[1]}},
        "kpi": {"v": {"type": "plain_text_input", "value": None}},
        "tags": {"c": {"type": "checkboxes", "selected_options": OPTIONS}},
        "when": {"d": {"type": "datepicker", "selected_date": "2026-12-01"}},
        "who": {"u": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
        "where": {"c": {"type": "conversations_select", "selected_conversation": "C0LEADERS"}},
    }


def test_a_value_not_offered_is_not_reported() -> None:
    values = payloads.state_values(VIEW, {"status/pick": ["dropped"]})
    assert values["status"]["pick"]["selected_option"] is None


def test_button_and_overflow_actions() -> None:
    button = {"type": "button", "action_id": "ok", "value": "7", "style": "primary", "text": {"text": "OK"}}
    block = {"type": "actions", "block_id": "b1", "elements": [button]}
    assert payloads.action_of(block, button, [], "1.5") == {
        "type": "button",
        "action_id": "ok",
        "block_id": "b1",
        "action_ts": "1.5",
        "text": {"text": "OK"},
        "value": "7",
        "style": "primary",
    }
    overflow = VIEW["blocks"][-1]["elements"][0]
    picked = payloads.action_of(VIEW["blocks"][-1], overflow, ["on_track"], "2.5")
    assert picked["selected_option"] == OPTIONS[0] and picked["type"] == "overflow"


def test_block_actions_from_a_message_carry_container_message_and_response_url() -> None:
    message = {"type": "message", "ts": "1.000100", "text": "hi", "blocks": [], "channel": "D0LEAPARIS"}
    body = payloads.message_actions(
        user=LEA,
        action={"action_id": "ok"},
        message=message,
        channel=DM,
        ephemeral=False,
        response_url="http://r",
        trigger_id="t",
    )
    payload = json.loads(parse_qs(body)["payload"][0])
    assert payload["type"] == "block_actions" and payload["trigger_id"] == "t"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1.000100",
        "channel_id": "D0LEAPARIS",
        "is_ephemeral": False,
    }
    assert payload["message"]["ts"] == "1.000100" and "channel" not in payload["message"]
    assert payload["response_url"] == "http://r" and payload["actions"] == [{"action_id": "ok"}]


def test_view_submission_and_event_envelope() -> None:
    body = payloads.view_submission(user=LEA, view={**VIEW, "state": {"values": {}}}, trigger_id="t")
    payload = json.loads(parse_qs(body)["payload"][0])
    assert payload["type"] == "view_submission" and payload["view"]["callback_id"] == "update"
    envelope = json.loads(payloads.event_callback({"type": "app_home_opened", "user": "U1"}, event_time=5))
    assert envelope["type"] == "event_callback" and envelope["event"]["type"] == "app_home_opened"


def test_initial_state_of_elements() -> None:
    assert payloads.initial_state({"type": "static_select", "initial_option": OPTIONS[0]}) == ["on_track"]
    assert payloads.initial_state({"type": "multi_users_select", "initial_users": ["U1"]}) == ["U1"]
    assert payloads.initial_state({"type": "plain_text_input"}) == []


# -- the clock -------------------------------------------------------------------------------------------
FRIDAY = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # Friday 10:00 in Paris


def test_next_monday_nine_in_paris_and_new_york() -> None:
    assert next_weekday_at(FRIDAY, 0, 9, PARIS) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    monday_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert next_weekday_at(monday_9, 0, 9, PARIS) == datetime(
        2026, 11, 30, 8, 0, tzinfo=UTC
    )  # strictly after
    assert next_weekday_at(monday_9, 0, 16, PARIS) == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert jump("monday-new-york").to(FRIDAY) == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_next_monday_across_a_dst_change() -> None:
    before = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Friday; Paris moves to summer time on Sunday
    assert next_weekday_at(before, 0, 9, PARIS) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_committee_and_end_of_quarter() -> None:
    assert first_weekday_of_next_month(FRIDAY, 1, 10, PARIS) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert end_of_quarter(FRIDAY, 17, PARIS) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    after = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert end_of_quarter(after, 17, PARIS) == datetime(2027, 3, 31, 15, 0, tzinfo=UTC)  # a Wednesday, CEST


def test_the_clock_runs_from_where_it_was_set() -> None:
    clock = SandboxClock(FRIDAY)
    assert timedelta(0) <= clock() - FRIDAY < timedelta(seconds=5)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock().year == 2027
