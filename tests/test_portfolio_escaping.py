"""User text that tries to ping everyone or forge a link is shown as text on every surface: the check-in
confirmation, `/okr status`, `/okr list`, the App Home and the digest preview."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session

from bot.sandbox.webapi import FakeSlack
from tests.conftest import ADMIN, RunningBaton
from tests.slack_requests import post_signed, view_submission_body, wait_for
from tests.test_home import open_home, published
from tests.test_initiative_modal import opened_modal, state
from tests.test_portfolio_commands import PARIS, command, load_roadmap, modal_values

HOSTILE = "<!channel> see <https://evil.example|click> & <@U0VICTIM1>"


def texts(node: Any) -> list[str]:
    """Every text a person may read in a message or view (block texts and the notification text)."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "text" and isinstance(v, str)] + [
            text for k, v in node.items() if k != "text" or not isinstance(v, str) for text in texts(v)
        ]
    if isinstance(node, list):
        return [text for item in node for text in texts(item)]
    return []


def assert_inert(surface: str, node: Any) -> None:
    shown = texts(node)
    assert any("&lt;!channel&gt;" in text for text in shown), surface  # the text is there, as text
    for text in shown:
        assert "<!channel>" not in text and "<https://evil" not in text and "<@U0VICTIM1>" not in text, (
            surface
        )


@pytest.fixture
def roadmap(session: Session, fake_slack: FakeSlack) -> dict:
    return load_roadmap(session, fake_slack)


def test_a_hostile_check_in_reaches_no_one_on_any_surface(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    # An admin names an initiative with it, and gives it to PARIS.
    new = opened_modal(baton, fake_slack, "new", ADMIN)
    values = state(new, title=f"ERP {HOSTILE}", objective="+5 % live", people_R=[PARIS], kpi_unit="%")
    created = post_signed(baton.url, view_submission_body(new, user=ADMIN, values=values)).json()
    assert created["response_action"] == "update"
    assert_inert("the initiative modal's answer", created["view"])

    # PARIS updates it with the same text in every field.
    update = opened_modal(baton, fake_slack, "update erp see", PARIS)
    typed = {name: HOSTILE for name in ("comment", "next_steps", "blockers", "decision_needed")}
    typed["status"] = "at_risk"
    post_signed(baton.url, view_submission_body(update, user=PARIS, values=modal_values(update, **typed)))
    confirmation = wait_for(lambda: fake_slack.messages(PARIS))[-1]
    assert_inert("the confirmation DM", confirmation)

    assert_inert("/okr status", command(baton, fake_slack, "status erp see", ADMIN))
    assert_inert("/okr list", command(baton, fake_slack, "list", ADMIN))
    open_home(baton, PARIS)
    assert_inert("the owner's App Home", published(fake_slack, PARIS))
    digest = command(baton, fake_slack, "digest", ADMIN)
    assert_inert("the digest preview", digest)
    assert "ERP" in json.dumps(digest, ensure_ascii=False)
