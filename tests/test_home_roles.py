"""The App Home for each role: what waits on an accountable (A) person, the week's exceptions for an
executive, and for the strategy office also who is late and the portfolio as a status heatmap. Read
through `home_for` from the database, and opened as Slack sends `app_home_opened`."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.config import Settings
from bot.home import Roles, home_for
from bot.sandbox.blockkit import view_problem
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from bot.workspace import load_workspace
from storage.models import (
    Escalation,
    EscalationState,
    Initiative,
    RaciAssignment,
    RaciLetter,
    Ritual,
    RitualRun,
)
from tests.conftest import ADMIN, RunningBaton
from tests.digest_fixtures import Portfolio, record_prompts
from tests.slack_requests import post_signed, view_action_body, wait_for
from tests.test_home import open_home, published

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # Monday of 2026-W48, after the check-ins
OWNER, SPONSOR, STRANGER = "U0OWNER001", "U0SPONSOR1", "U0STRANGE1"


def seed(session: Session) -> Initiative:
    """Two initiatives of OWNER (asked on Monday, one answered); SPONSOR is A of the one off track, which
    has an open escalation."""
    p = Portfolio(session)
    late = p.initiative("Late one", department="Ops", owners=(OWNER,), baseline=0, target=10)
    stuck = p.initiative("Stuck one", department="Ops", owners=(OWNER,), baseline=0, target=10)
    p.checkins(stuck, {"2026-W47": ("on_track", 2), "2026-W48": ("off_track", 2)})
    session.add(RaciAssignment(initiative_id=stuck.id or 0, letter=RaciLetter.ACCOUNTABLE, user_id=SPONSOR))
    session.add(
        Escalation(
            initiative_id=stuck.id or 0,
            rule="off_track",
            open_key=f"{stuck.id}:off_track",
            reason="Off track",
            cycle="2026-W48",
            opened_at=NOW - timedelta(hours=1),
            updated_at=NOW,
            sla_deadline=NOW + timedelta(days=2),
        )
    )
    record_prompts(session, [OWNER], "2026-W48")
    session.commit()
    return late


def home(
    session: Session, settings: Settings, user: str, roles: Roles | None = None, lang: str = "en"
) -> str:
    view = home_for(
        session, workspace=load_workspace(session, settings), now=NOW, user=user, lang=lang, roles=roles
    )
    assert view_problem(view) is None
    return json.dumps(view, ensure_ascii=False)


def test_an_accountable_person_sees_what_waits_on_them(session: Session, settings: Settings) -> None:
    seed(session)
    sponsor = home(session, settings, SPONSOR)
    assert "*Waiting on you* (1)" in sponsor and "*Stuck one* — Off track: to acknowledge" in sponsor
    assert "This week" not in sponsor and "Still to update" not in sponsor  # neither executive nor admin
    assert "Waiting on you" not in home(session, settings, STRANGER)
    [escalation] = session.exec(select(Escalation)).all()
    escalation.state = EscalationState.SCHEDULED
    session.commit()
    assert "*Stuck one* — Off track: a decision to take" in home(session, settings, SPONSOR)


def test_an_executive_sees_the_weeks_exceptions_as_the_digest_states_them(
    session: Session, settings: Settings
) -> None:
    seed(session)
    executive = home(session, settings, STRANGER, Roles(executive=True))
    assert "*This week*, as the digest states it:" in executive
    assert "Stuck one" in executive and "*Asked, not answered* (1)" in executive
    assert "Weekly digest" not in executive  # the digest's own title is left out
    assert "Still to update" not in executive and "Portfolio by department" in executive


def test_the_strategy_office_sees_who_is_late_and_a_status_heatmap(
    session: Session, settings: Settings
) -> None:
    seed(session)
    office = home(session, settings, ADMIN, Roles(admin=True), lang="fr")
    assert "*Points encore attendus pour 2026-W48* (1)" in office and f"<@{OWNER}> — Late one" in office
    assert "*En attente de vous* (1)" in office  # every open escalation waits on the strategy office
    assert "*Ops* :large_red_square::white_large_square:" in office  # worst first, one square each


def test_opening_the_home_as_an_admin_shows_it_all(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, settings: Settings
) -> None:
    seed(session)
    baton.deps.clock.now = NOW  # type: ignore[attr-defined]
    open_home(baton, ADMIN)
    text = json.dumps(published(fake_slack, ADMIN), ensure_ascii=False)
    assert "Waiting on you" in text and "This week" in text and "Still to update for 2026-W48" in text


def test_the_fullest_home_stays_within_slacks_100_blocks() -> None:
    from collections import Counter

    from bot.views.blocks import section
    from bot.views.home import Waiting, home_view

    mine = [Initiative(id=n, objective_id=1, title=f"Mine {n}", title_key=f"m{n}") for n in range(120)]
    view = home_view(
        cycle="2026-W48",
        mine=mine,
        answers={},
        waiting=[Waiting(f"Alert {n}", "off_track", EscalationState.OPEN) for n in range(60)],
        exceptions=[section(f"Exception {n}") for n in range(9)],
        overdue={f"U{n:08d}": mine[:3] for n in range(80)},
        portfolio={f"Dept {n}": Counter({"on_track": 30, "off_track": 3, None: 4}) for n in range(60)},
        lang="fr",
    )
    assert len(view["blocks"]) <= 100 and view_problem(view) is None


def test_a_nudge_reminds_a_late_owner_once_and_only_an_admin_may(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    seed(session)
    fake_slack.add_user(OWNER, name="Owner", tz="Europe/Paris")
    baton.deps.clock.now = NOW  # type: ignore[attr-defined]
    open_home(baton, ADMIN)
    view = published(fake_slack, ADMIN)
    [button] = [
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == ids.HOME_NUDGE
    ]
    assert button["value"] == OWNER
    for clicker in (STRANGER, ADMIN, ADMIN):  # a forged click by someone else, then a double click
        post_signed(
            baton.url,
            view_action_body(view, button, user=clicker, trigger_id=f"t.{clicker}.{time.time_ns()}"),
        )
    again = published(fake_slack, ADMIN, count=3)
    assert f"<@{OWNER}> — Late one · _nudged_" in json.dumps(again, ensure_ascii=False)
    reminders = wait_for(
        lambda: [p for p in fake_slack.posts() if p["channel"] == f"D{OWNER[1:]}" or p["channel"] == OWNER]
    )
    assert len(reminders) == 1 and "Late one" in reminders[0]["text"]
    with Session(baton.deps.engine) as check:
        assert [r.target for r in check.exec(select(RitualRun)) if r.ritual == Ritual.REMINDER] == [
            f"{OWNER}@nudge"
        ]
