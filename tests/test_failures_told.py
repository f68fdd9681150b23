"""Nothing acknowledged is lost in silence: when the work after Slack's ack fails, the person who clicked or
typed is told it was not saved; a modal whose save fails keeps what they typed and says why; and what
no database should hold (a NUL byte, a number of 309 digits) is refused under its field before any write.
All through signed HTTP requests, as Slack sends them, to Baton's real WSGI app."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session
from waitress.server import create_server

from bot.app import build_app
from bot.config import Settings
from bot.deps import Deps
from bot.domain.kpi import MAX_KPI, parse_number
from bot.i18n import t
from bot.lazy import LAZY_FUNCTION, LAZY_ONLY, LazyRequest
from bot.sandbox.webapi import FakeSlack
from bot.server import make_wsgi
from bot.views import ids
from handlers import errors
from storage.db import make_engine
from tests.conftest import ManualClock, RunningBaton, _serve_until_closed
from tests.slack_requests import (
    post_signed,
    signed_headers,
    slash_command_body,
    view_submission_body,
    wait_for,
)
from tests.test_prompt_actions import (
    ANSWER,
    ERP,
    OWNER,
    block_actions_body,
    button,
    checkins,
    initiative,
    prompted,
    settled,
)
from tests.test_slack_scenarios import filled


def closed_port() -> int:
    """A local port nothing listens on: connecting is refused at once, as when PostgreSQL is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_without_database(settings: Settings, clock: ManualClock) -> tuple[App, Engine]:
    """Baton's real app, whose database refuses every connection."""
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/baton")
    deps = Deps(settings=settings, engine=engine, clock=clock)
    client = WebClient(token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url)
    return build_app(deps, client=client), engine


@contextlib.contextmanager
def baton_without_database(settings: Settings, clock: ManualClock) -> Iterator[str]:
    """That app on a real HTTP server; yields its URL."""
    app, engine = app_without_database(settings, clock)
    server = create_server(make_wsgi(app, engine), host="127.0.0.1", port=0)
    thread = threading.Thread(target=_serve_until_closed, args=(server,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.close()
        thread.join(timeout=5)
        engine.dispose()


def update_view(lang: str = "en") -> dict:
    """The update modal for one initiative, as Baton opens it (its state comes with the submission)."""
    return {
        "type": "modal",
        "callback_id": ids.UPDATE_MODAL,
        "private_metadata": json.dumps({"initiative_id": 1, "lang": lang}),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*ERP*"}},
            {"type": "input", "block_id": ids.STATUS_BLOCK, "label": {"type": "plain_text", "text": "S"}},
            {"type": "input", "block_id": ids.KPI_BLOCK, "label": {"type": "plain_text", "text": "K"}},
            {"type": "input", "block_id": ids.COMMENT_BLOCK, "label": {"type": "plain_text", "text": "C"}},
        ],
    }


# -- the database is out of reach ------------------------------------------------------------------
def test_a_one_click_answer_while_the_database_refuses_connections_says_it_was_not_saved(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock, settings: Settings
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    body = block_actions_body(dm, button(dm, ANSWER["on_track"], erp.id), OWNER, fake_slack.response_url())
    with baton_without_database(settings, clock) as url:
        acked = post_signed(url, body)
        assert acked.status_code == 200  # Slack's 3 s: the ack never waits on the database
        [told] = wait_for(lambda: fake_slack.responses)
    assert told["text"] == t("failure.database", "en") and "not saved" in told["text"]
    assert told["response_type"] == "ephemeral" and told["replace_original"] is False  # the DM stays
    assert checkins(session) == []


def test_okr_update_while_the_database_refuses_connections_says_so_instead_of_nothing(
    fake_slack: FakeSlack, clock: ManualClock, settings: Settings
) -> None:
    body = slash_command_body("update", user=OWNER, response_url=fake_slack.response_url())
    with baton_without_database(settings, clock) as url:
        acked = post_signed(url, body)
        assert acked.status_code == 200
        [told] = wait_for(lambda: fake_slack.responses)
    assert told["text"] == t("failure.database", "en")
    assert fake_slack.calls_to("views.open") == []


def test_a_modal_whose_save_fails_stays_open_with_what_was_typed_and_says_why(
    fake_slack: FakeSlack, clock: ManualClock, settings: Settings
) -> None:
    body = view_submission_body(update_view("fr"), user=OWNER, values=filled("at_risk", "12", "Deux entités"))
    with baton_without_database(settings, clock) as url:
        answer = post_signed(url, body)
    assert answer.status_code == 200
    assert answer.json() == {
        "response_action": "errors",  # the modal stays open: nothing the owner typed is lost
        "errors": {ids.STATUS_BLOCK: t("failure.modal", "fr")},
    }


def test_opening_the_app_home_while_the_database_is_down_sends_nobody_a_message(
    fake_slack: FakeSlack, clock: ManualClock, settings: Settings
) -> None:
    """The work after the ack, dispatched as Baton dispatches it again (in this thread, so the test knows
    when it is over): an event asked for nothing, so nobody is told anything."""
    event = {"type": "app_home_opened", "user": OWNER, "tab": "home", "channel": "D0PARIS01"}
    body = json.dumps({"type": "event_callback", "event_id": "Ev01", "team_id": "T0BATON01", "event": event})
    app, engine = app_without_database(settings, clock)
    headers = {**signed_headers(body), LAZY_ONLY: "1", LAZY_FUNCTION: "home_opened"}
    app.dispatch(LazyRequest(body=body, headers=headers, mode="http", note=None).bolt_request())
    engine.dispose()
    assert fake_slack.calls_to("chat.postMessage") == [] and fake_slack.responses == []
    assert fake_slack.calls_to("views.publish") == []


def test_an_unexpected_error_in_an_ack_is_a_bare_500_never_a_trace() -> None:
    request = BoltRequest(body=json.dumps({"type": "block_actions"}), headers={})
    response = errors.on_error(error=RuntimeError("boom"), request=request, context=request.context)
    assert response is not None and (response.status, response.body) == (500, "")


def test_which_failure_is_told() -> None:
    import sqlalchemy.exc
    from slack_sdk.errors import SlackApiError

    refused = sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError())
    assert errors.failure_key(refused) == "failure.database"
    assert errors.failure_key(SlackApiError("boom", {"ok": False})) == "failure.slack"  # type: ignore[no-untyped-call]
    assert errors.failure_key(sqlalchemy.exc.DataError("INSERT", {}, ValueError())) == "failure.other"


# -- what no database should hold -------------------------------------------------------------------
def test_a_nul_byte_in_a_modal_is_a_field_error_and_nothing_is_stored(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    view = {**update_view("fr"), "private_metadata": json.dumps({"initiative_id": erp.id, "lang": "fr"})}
    body = view_submission_body(view, user=OWNER, values=filled("at_risk", "12", "pasted\x00from a file"))
    answer = post_signed(baton.url, body)
    assert answer.json() == {
        "response_action": "errors",
        "errors": {ids.COMMENT_BLOCK: t("typed.nul", "fr")},
    }
    settled(session, fake_slack)
    assert checkins(session) == [] and dm  # on SQLite and PostgreSQL alike


def test_a_nul_byte_in_a_slash_command_is_refused_at_once(baton: RunningBaton, fake_slack: FakeSlack) -> None:
    body = slash_command_body("update ERP\x00", user=OWNER, response_url=fake_slack.response_url())
    answer = post_signed(baton.url, body)
    assert answer.json() == {"response_type": "ephemeral", "text": t("typed.nul", "en")}
    assert fake_slack.calls_to("views.open") == []


def test_bidi_override_characters_typed_in_slack_are_dropped_before_saving(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    view = {**update_view(), "private_metadata": json.dumps({"initiative_id": erp.id, "lang": "en"})}
    typed = "Invoice \u202egnp.exe\u202c done, \u2067isolated\u2069; Hebrew \u200fmark kept"
    answer = post_signed(
        baton.url, view_submission_body(view, user=OWNER, values=filled("on_track", None, typed))
    )
    assert answer.status_code == 200 and answer.content == b""
    [checkin] = checkins(session)
    assert checkin.comment == "Invoice gnp.exe done, isolated; Hebrew \u200fmark kept"


def test_a_kpi_of_309_digits_is_a_field_error(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    view = {**update_view(), "private_metadata": json.dumps({"initiative_id": erp.id, "lang": "en"})}
    answer = post_signed(
        baton.url, view_submission_body(view, user=OWNER, values=filled("on_track", "9" * 309))
    )
    assert answer.json() == {
        "response_action": "errors",
        "errors": {ids.KPI_BLOCK: t("modal.error_kpi", "en")},
    }
    assert checkins(session) == []


@pytest.mark.parametrize("typed", ["1" + "0" * 15, "-1" + "0" * 15, "9" * 309, "1" + "0" * 400 + ",5"])
def test_numbers_past_fifteen_digits_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_number(typed)


def test_numbers_up_to_fifteen_digits_are_kept() -> None:
    assert parse_number("9" * 15) == float("9" * 15) < MAX_KPI
    assert parse_number("-3,5") == -3.5 and parse_number("1 250") == 1250


def test_the_failure_texts_exist_in_both_languages() -> None:
    for key in ("failure.database", "failure.slack", "failure.other", "failure.modal", "typed.nul"):
        assert t(key, "en") != t(key, "fr")


# -- the database is busy past its timeout -----------------------------------------------------------
@contextlib.contextmanager
def write_lock_held(engine: Engine) -> Iterator[None]:
    """Another writer holds the lock on check-ins for longer than Baton waits: SQLite's database-wide
    write lock, PostgreSQL's lock on the table."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("LOCK TABLE checkin IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            connection.exec_driver_sql("ROLLBACK")


def test_an_update_modal_saved_while_the_write_lock_is_held_stays_open_and_says_why(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock, engine: Engine
) -> None:
    prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    view = {**update_view(), "private_metadata": json.dumps({"initiative_id": erp.id, "lang": "en"})}
    body = view_submission_body(view, user=OWNER, values=filled("at_risk", "12", "Two entities left"))
    with write_lock_held(engine):
        answer = post_signed(baton.url, body)
    assert answer.json() == {"response_action": "errors", "errors": {ids.STATUS_BLOCK: t("failure.modal")}}
    assert checkins(session) == []
    again = view_submission_body(
        view, user=OWNER, values=filled("at_risk", "12", "Two entities left")
    )  # Submit again
    assert post_signed(baton.url, again).content == b""  # the lock gone, it saves
    assert [checkin.comment for checkin in checkins(session)] == ["Two entities left"]


def test_a_click_while_the_write_lock_is_held_says_it_was_not_saved(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock, engine: Engine
) -> None:
    dm = prompted(baton, fake_slack, session, clock)
    erp = initiative(session, ERP)
    body = block_actions_body(dm, button(dm, ANSWER["off_track"], erp.id), OWNER, fake_slack.response_url())
    with write_lock_held(engine):
        assert post_signed(baton.url, body).status_code == 200
        [told] = wait_for(lambda: fake_slack.responses)
    assert told["text"] == t("failure.database") and told["response_type"] == "ephemeral"
    assert checkins(session) == []
