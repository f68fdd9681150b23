"""`/okr digest` (a private preview), the digest's Details buttons, and `baton report` as a real process."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.rituals.digest import run_digest
from bot.sandbox.webapi import FakeSlack
from bot.workspace import workspace_of
from tests.conftest import ADMIN, LEADERSHIP_CHANNEL, ManualClock, RunningBaton, deliver, run_baton
from tests.digest_fixtures import DIGEST_TIME, Portfolio
from tests.slack_requests import post_signed, wait_for
from tests.test_portfolio_commands import command
from tests.test_prompt_actions import block_actions_body

PNG = b"\x89PNG\r\n\x1a\n"


def seed(session: Session, count: int) -> None:
    p = Portfolio(session)
    for n in range(count):
        initiative = p.initiative(f"Initiative {n:03d} <!here>", baseline=0, target=100)
        p.checkins(
            initiative, {"2026-W47": ("on_track", 10 + n % 40), "2026-W48": ("at_risk", 12 + n % 40, "Late")}
        )
    session.commit()


def test_okr_digest_previews_the_first_message_to_the_asker_only(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    seed(session, 120)
    clock.now = DIGEST_TIME
    answer = command(baton, fake_slack, "digest", ADMIN)
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "Weekly digest — 2026-W48"
    more = answer["blocks"][-1]["elements"][0]["text"]
    preview = (
        r"_Preview: once posted, the chart shows here and \d+ message\(s\) of detail follow in the thread\._"
    )
    assert re.fullmatch(preview, more)
    assert fake_slack.posts() == []  # nothing posted to any channel


def test_the_details_button_answers_with_the_initiative_status_privately(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, engine: Engine, settings: Settings
) -> None:
    seed(session, 2)
    run_digest(engine, now=DIGEST_TIME, workspace=workspace_of(engine, settings), channel=LEADERSHIP_CHANNEL)
    deliver(engine, fake_slack, lambda: DIGEST_TIME)
    # The head message says what needs leadership; each initiative, with its Details button, is in the thread.
    message = next(p for p in fake_slack.posts() if any("accessory" in b for b in p.get("blocks", [])))
    button = next(b["accessory"] for b in message["blocks"] if "accessory" in b)
    before = len(fake_slack.responses)
    body = block_actions_body(message, button, ADMIN, fake_slack.response_url())
    assert post_signed(baton.url, body).status_code == 200
    [answer] = wait_for(lambda: fake_slack.responses[before:])
    assert answer["response_type"] == "ephemeral" and answer.get("replace_original") in (False, "false")
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "Initiative 000 &lt;!here&gt;" in shown


def test_baton_report_writes_a_png_and_an_html_page(env: dict, tmp_path: Path, session: Session) -> None:
    seed(session, 30)
    png = tmp_path / "report.png"
    done = run_baton(
        env, tmp_path, "report", "--quarter", "2026-q4", "--output", str(png), "--at", "2026-11-23T17:00"
    )
    assert done.returncode == 0, done.stderr
    assert "2026-Q4 as of 2026-W48, 30 initiatives" in done.stdout
    assert png.read_bytes().startswith(PNG)

    page = tmp_path / "report.html"
    done = run_baton(
        env,
        tmp_path,
        "report",
        "--quarter",
        "2026-Q4",
        "--output",
        str(page),
        "--language",
        "fr",
        "--at",
        "2026-11-23T17:00",
    )
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "<h1>Rapport Baton — 2026-Q4</h1>" in html
    embedded = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert embedded and base64.b64decode(embedded[1]).startswith(PNG)
    assert html.count("<tr><td>Initiative") == 30
    assert "Initiative 000 &lt;!here&gt;" in html and "<!here>" not in html
    assert "<td>À risque</td>" in html


def test_baton_report_refuses_a_bad_quarter_or_format(env: dict, tmp_path: Path) -> None:
    bad_format = run_baton(env, tmp_path, "report", "--quarter", "2026-Q4", "--output", "report.svg")
    assert bad_format.returncode == 1 and "must end in .pdf, .png or .html" in bad_format.stderr
    bad_quarter = run_baton(env, tmp_path, "report", "--quarter", "Q4", "--output", "report.png")
    assert bad_quarter.returncode == 1 and "--quarter" in bad_quarter.stderr
    assert not (tmp_path / "report.png").exists()
