"""App Home: my initiatives, what is due, the admins' portfolio, paging; events signed as Slack sends them."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import Session, select

from bot.domain.portfolio import StatusChange
from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap, record_checkin, set_role_members
from bot.sandbox.blockkit import view_problem
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from bot.views.home import home_view
from storage.models import CheckIn, CheckInSource, Initiative, Status
from tests.conftest import ADMIN, EXAMPLE_ROADMAP, ManualClock, RunningBaton
from tests.slack_requests import TEAM, post_signed, signed_headers, wait_for

PARIS = "U0PARIS01"
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.fixture
def roadmap(session: Session) -> None:
    rows = parse_roadmap(EXAMPLE_ROADMAP.read_text(encoding="utf-8"), EXAMPLE_ROADMAP.name)
    import_roadmap(session, rows, quarter="2026-Q4", actor="test", now=NOW)
    for role in ("Ops Manager", "PMO"):
        set_role_members(session, name=role, members=[PARIS], actor="test", now=NOW)
    session.commit()


def open_home(baton: RunningBaton, user: str) -> httpx.Response:
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM["id"],
            "api_app_id": "A0BATON01",
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0HOME001",
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            },
        }
    )
    headers = {**signed_headers(body), "Content-Type": "application/json"}
    return httpx.post(f"{baton.url}/slack/events", content=body, headers=headers, timeout=10)


def published(fake: FakeSlack, user: str, count: int = 1) -> dict:
    calls = wait_for(lambda: [c for c in fake.calls_to("views.publish") if c["user_id"] == user][count - 1 :])
    return cast(dict[str, Any], calls[0]["view"])


def test_an_owner_sees_their_initiatives_and_what_is_due(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: None, clock: ManualClock
) -> None:
    erp = session.exec(select(Initiative).where(Initiative.title_key == "deploiement erp phase 2")).one()
    record_checkin(
        session,
        initiative=erp,
        author=PARIS,
        status=Status.AT_RISK,
        kpi_value=40.0,
        comment=None,
        source=CheckInSource.MODAL,
        cycle="2026-W48",
        now=clock(),
    )
    session.commit()
    assert open_home(baton, PARIS).status_code == 200
    view = published(fake_slack, PARIS)
    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home" and view_problem(view) is None
    assert "Your initiatives* (2)" in text and "Check-in 2026-W48: 1 of 2 answered." in text
    assert "Déploiement ERP phase 2" in text and "KPI 40 % / 100 %" in text and "Revue prix-frais" not in text
    assert "Portfolio by department" not in text  # not an admin
    buttons = [
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == ids.HOME_UPDATE
    ]
    assert len(buttons) == 2


def test_an_admin_also_sees_the_portfolio(baton: RunningBaton, fake_slack: FakeSlack, roadmap: None) -> None:
    open_home(baton, ADMIN)
    text = json.dumps(published(fake_slack, ADMIN), ensure_ascii=False)
    assert (
        "Portfolio by department" in text
        and "*No department* " + ":white_large_square:" * 4 + "\\n:white_circle: No update yet 4" in text
    )
    assert "Your initiatives* (0)" in text


def test_the_update_button_opens_the_modal_for_its_initiative(
    baton: RunningBaton, fake_slack: FakeSlack, roadmap: None
) -> None:
    open_home(baton, PARIS)
    view = published(fake_slack, PARIS)
    button = next(
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == ids.HOME_UPDATE
    )
    payload = {
        "type": "block_actions",
        "team": TEAM,
        "user": {"id": PARIS, "username": "paris", "team_id": TEAM["id"]},
        "api_app_id": "A0BATON01",
        "token": "legacy",
        "trigger_id": "111.222.home",
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {**view, "id": "V0HOME"},
        "actions": [{**button, "block_id": "b1", "action_ts": f"{time.time():.6f}"}],
    }
    assert post_signed(baton.url, urlencode({"payload": json.dumps(payload)})).status_code == 200
    opened = wait_for(lambda: fake_slack.calls_to("views.open"))[0]
    assert opened["trigger_id"] == "111.222.home"
    assert json.loads(opened["view"]["private_metadata"])["initiative_id"] == int(button["value"])


def test_a_long_list_is_paged_and_the_portfolio_fits_slack() -> None:
    mine = [
        Initiative(
            id=n,
            objective_id=1,
            title=f"Initiative {n} " + "x" * 200,
            title_key=f"i{n}",
            created_at=NOW,
            updated_at=NOW,
        )
        for n in range(1, 91)
    ]
    answers = {
        1: CheckIn(
            initiative_id=1,
            cycle="2026-W48",
            author=PARIS,
            status=Status.ON_TRACK,
            source=CheckInSource.MODAL,
            submitted_at=NOW,
        )
    }
    portfolio: dict[str | None, Counter[str | None]] = {
        f"Department {n}": Counter({Status.ON_TRACK: n, None: 1}) for n in range(300)
    }
    first = home_view(cycle="2026-W48", mine=mine, answers=answers, portfolio=portfolio, page=1)
    last = home_view(cycle="2026-W48", mine=mine, answers=answers, portfolio=portfolio, page=3)
    for view in (first, last):
        assert view_problem(view) is None and len(view["blocks"]) <= 100
    pager = next(b for b in first["blocks"] if b.get("block_id") == "home_pager")
    assert [e["value"] for e in pager["elements"]] == ["2"]
    assert "Initiative 81 " in json.dumps(last) and "Initiative 80 " not in json.dumps(last)
    assert "Page 3 of 3" in json.dumps(last)


def test_home_in_french() -> None:
    view = home_view(cycle="2026-W48", mine=[], answers={}, lang="fr")
    text = json.dumps(view, ensure_ascii=False)
    assert "Vos initiatives* (0)" in text and "Aucune initiative ne vous désigne" in text


def test_an_admin_sees_what_changed_this_week(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: None, clock: ManualClock
) -> None:
    erp = session.exec(select(Initiative).where(Initiative.title_key == "deploiement erp phase 2")).one()
    erp.title = "ERP <!channel>"
    for cycle, status in (
        ("2026-W46", Status.OFF_TRACK),
        ("2026-W47", Status.ON_TRACK),
        ("2026-W48", Status.AT_RISK),
    ):
        record_checkin(
            session,
            initiative=erp,
            author=PARIS,
            status=status,
            kpi_value=None,
            comment=None,
            source=CheckInSource.MODAL,
            cycle=cycle,
            now=clock(),
        )
    session.commit()
    open_home(baton, ADMIN)
    text = json.dumps(published(fake_slack, ADMIN), ensure_ascii=False)
    assert "What changed in 2026-W48* (1)" in text
    assert "• *ERP &lt;!channel&gt;*: :large_green_circle: On track → :large_orange_circle: At risk" in text
    open_home(baton, PARIS)
    assert "What changed" not in json.dumps(published(fake_slack, PARIS))  # for admins only


def test_the_home_never_exceeds_100_blocks_at_2000_initiatives() -> None:
    mine = [
        Initiative(id=n, objective_id=1, title=f"Initiative {n:04d} " + "é" * 300, title_key=f"i{n}")
        for n in range(1, 2001)
    ]
    portfolio: dict[str | None, Counter[str | None]] = {
        f"Department {n:04d} " + "x" * 100: Counter({Status.ON_TRACK: n, None: 1}) for n in range(2000)
    }
    changes = [StatusChange(i, Status.ON_TRACK, Status.OFF_TRACK) for i in mine]
    seen: list[str] = []
    page, pages = 1, 50
    while page <= pages:
        view = home_view(
            cycle="2026-W48", mine=mine, answers={}, portfolio=portfolio, changes=changes, page=page
        )
        assert view_problem(view) is None and len(view["blocks"]) <= 100, page
        text = json.dumps(view, ensure_ascii=False)
        assert "Portfolio by department" in text and "What changed in 2026-W48* (2000)" in text
        assert "more." in text  # what does not fit is counted, never dropped silently
        seen += [
            b["accessory"]["value"]
            for b in view["blocks"]
            if b.get("accessory", {}).get("action_id") == ids.HOME_UPDATE
        ]
        page += 1
    assert seen == [str(n) for n in range(1, 2001)]  # every initiative on exactly one page
