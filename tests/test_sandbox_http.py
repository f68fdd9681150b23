"""The sandbox over HTTP, as the page drives it: Baton's real endpoint, signed requests, the demo data.

Each test starts the whole sandbox in this process (workspace, Baton on waitress, the sender, the
rituals' tick) on the test database, with the demo loaded and the clock on Friday 20 Nov 2026, 10:00
in Paris.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.sandbox.directory import CAMILLE, GENERAL, LEA, LEADERSHIP
from bot.sandbox.runner import Running, start
from bot.views import ids
from storage.models import CheckIn, Initiative, Status
from tests.slack_requests import wait_for

FRIDAY_10_PARIS = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def sandbox(engine: Engine, database_url: str) -> Iterator[Running]:
    handle = start(port=0, database_url=database_url, start_at=FRIDAY_10_PARIS, demo=True)
    yield handle
    handle.stop()


def page_post(sandbox: Running, action: str, **fields: Any) -> dict[str, Any]:
    response = httpx.post(f"{sandbox.url}sandbox/{action}", data=fields, timeout=15)
    assert response.status_code == 200
    return dict(response.json())


def parts(sandbox: Running, user: str, here: str) -> dict[str, str]:
    query = {"as": user, "in": here, "since": "-1"}
    return dict(httpx.get(f"{sandbox.url}sandbox/parts", params=query, timeout=10).json()["parts"])


def test_the_page_and_its_demo(sandbox: Running, engine: Engine) -> None:
    html = httpx.get(sandbox.url, params={"as": CAMILLE.id, "in": LEADERSHIP}).text
    assert "<title>Baton sandbox</title>" in html and "# leadership" in html and "Camille Laurent" in html
    assert "Fri 20 Nov, 10:00" in html
    with Session(engine) as session:
        checkins = session.exec(select(CheckIn)).all()
        assert len(checkins) == 16  # four initiatives, four weeks
        pricing = session.exec(select(Initiative).where(col(Initiative.title).startswith("Revue"))).one()
        assert pricing.status == Status.OFF_TRACK and pricing.kpi_current == 11.0


def test_baton_checks_signatures_even_in_the_sandbox(sandbox: Running) -> None:
    body = "command=%2Fokr&text=help&user_id=U0LEAPARIS"
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}
    assert httpx.post(sandbox.sandbox.events_url, content=body, headers=forged).status_code == 401


def test_a_slash_command_answer_shows_as_an_ephemeral_message(sandbox: Running) -> None:
    page_post(sandbox, "send", **{"as": LEA.id, "in": GENERAL, "text": "/okr help"})
    main = parts(sandbox, LEA.id, GENERAL)["main"]
    assert "Only visible to you" in main and "/okr update" in main
    page_post(sandbox, "send", **{"as": LEA.id, "in": GENERAL, "text": "/frobnicate"})
    assert "is not a valid command" in parts(sandbox, LEA.id, GENERAL)["main"]


def test_batons_messages_tab_is_read_only_as_the_manifest_says(sandbox: Running) -> None:
    """manifest.yml: messages_tab_read_only_enabled. No message box in Baton's DM; channels keep theirs."""
    dm = sandbox.sandbox.workspace.dm_of(LEA.id)
    in_dm = httpx.get(sandbox.url, params={"as": LEA.id, "in": dm}).text
    assert 'id="composer"' not in in_dm and "Messages tab is read-only" in in_dm
    assert 'id="composer"' in httpx.get(sandbox.url, params={"as": LEA.id, "in": GENERAL}).text
    refused = page_post(sandbox, "send", **{"as": LEA.id, "in": dm, "text": "/okr help"})
    assert "read-only" in refused["error"]
    assert "Only visible to you" not in parts(sandbox, LEA.id, dm)["main"]


def test_update_modal_errors_then_submission(sandbox: Running, engine: Engine) -> None:
    workspace = sandbox.sandbox.workspace
    dm = workspace.dm_of(LEA.id)
    page_post(sandbox, "send", **{"as": LEA.id, "in": GENERAL, "text": "/okr update onboarding"})
    modal = wait_for(lambda: workspace.top_modal(LEA.id))
    assert 'class="modal"' in parts(sandbox, LEA.id, GENERAL)["modal"]
    field = f"{ids.KPI_BLOCK}/{ids.KPI_ACTION}"
    status = f"{ids.STATUS_BLOCK}/{ids.STATUS_ACTION}"
    refused = page_post(
        sandbox, "submit", **{"as": LEA.id, "_view": modal["id"], field: "abc", status: "at_risk"}
    )
    assert set(refused["errors"]) == {ids.KPI_BLOCK}
    assert workspace.top_modal(LEA.id) is not None  # still open, as on Slack
    done = page_post(
        sandbox, "submit", **{"as": LEA.id, "_view": modal["id"], field: "26,5", status: "at_risk"}
    )
    assert done == {} and workspace.top_modal(LEA.id) is None

    def newest_answer() -> CheckIn | None:  # Baton records it right after its ack, which closed the modal
        with Session(engine) as session:
            latest = session.exec(select(CheckIn).order_by(col(CheckIn.id).desc())).first()
        return latest if latest is not None and latest.kpi_value == 26.5 else None

    latest = wait_for(newest_answer)
    assert latest.status == Status.AT_RISK and latest.author == LEA.id
    confirmation = wait_for(lambda: [m for m in workspace.history(dm, LEA.id) if "26.5" in m["text"]])
    assert confirmation[0]["user"] == "U0BATONBOT"


def test_monday_prompt_answered_with_one_click_is_updated_in_place(sandbox: Running) -> None:
    workspace = sandbox.sandbox.workspace
    dm = workspace.dm_of(CAMILLE.id)
    notice = page_post(sandbox, "clock", jump="monday-paris")["notice"]
    assert notice.startswith("It is now Monday 23 Nov 2026, 09:00 in Paris")
    prompt = wait_for(lambda: [m for m in workspace.history(dm, CAMILLE.id) if m["blocks"]])[0]
    block, button = next(
        (b, e)
        for b in prompt["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ids.PROMPT_ANSWER + "on_track"
    )
    answer = {
        "as": CAMILLE.id,
        "in": dm,
        "_source": "message",
        "_channel": dm,
        "_ts": prompt["ts"],
        "_block": block["block_id"],
        "_action": button["action_id"],
    }
    assert page_post(sandbox, "action", **answer) == {}
    updated = wait_for(lambda: (m := workspace.message(dm, prompt["ts"])) and m.get("edited") and m)
    assert updated["blocks"] != prompt["blocks"]  # chat.update replaced the buttons by what was recorded
    assert "(edited)" in parts(sandbox, CAMILLE.id, dm)["main"]


def test_app_home_opened_publishes_the_home(sandbox: Running) -> None:
    page_post(sandbox, "home", **{"as": CAMILLE.id, "in": "home"})
    wait_for(lambda: sandbox.sandbox.workspace.homes.get(CAMILLE.id))
    assert 'class="home"' in parts(sandbox, CAMILLE.id, "home")["main"]


def test_baton_sandbox_has_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "--demo" in done.stdout and "--port" in done.stdout and "--database-url" in done.stdout


def test_a_call_slack_would_refuse_is_refused_and_shown(sandbox: Running) -> None:
    """Block Kit past Slack's limits fails as on Slack, and the page says which call and why."""
    too_many = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as refused:
        sandbox.sandbox.client.chat_postMessage(channel=LEADERSHIP, text="x", blocks=too_many)
    assert refused.value.response["error"].startswith("invalid_blocks")
    shown = parts(sandbox, CAMILLE.id, LEADERSHIP)["refusals"]
    assert "chat.postMessage" in shown and "invalid_blocks" in shown
