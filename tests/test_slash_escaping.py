"""A slash command's text as Slack sends it: the `&`, `<`, `>` a person types arrive as `&amp;`, `&lt;`,
`&gt;` (mentions picked in the composer arrive as `<@U…|name>`). Baton decodes them once, where `/okr` text
enters (handlers/commands.py), and its views escape them once again where they show them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from sqlmodel import Session, select

from bot.sandbox import payloads
from bot.sandbox.webapi import FakeSlack
from handlers.commands import typed_text
from storage.models import Objective, Role
from tests.conftest import ADMIN, RunningBaton
from tests.slack_requests import post_signed, slash_command_body, wait_for
from tests.test_escalation_workflow import OWNER, TITLE, escalations, leadership_posts, seed
from tests.test_portfolio_commands import PARIS, STRANGER, command, load_roadmap, rendered


def _text_sent(body: str) -> str:
    return parse_qs(body)["text"][0]


def test_the_fakes_escape_typed_text_as_slack_does_and_keep_its_mentions() -> None:
    typed = "role set R&D <lead> <@U0PARIS01|paris> in <#C0LEAD001|leadership> &lt;"
    sent = "role set R&amp;D &lt;lead&gt; <@U0PARIS01|paris> in <#C0LEAD001|leadership> &amp;lt;"
    assert _text_sent(slash_command_body(typed, user=PARIS, response_url="http://x/r")) == sent
    sandbox = payloads.slash_command(
        typed,
        user={"id": PARIS, "name": "paris"},
        channel={"id": "C0GENERAL1", "name": "general"},
        response_url="http://x/r",
        trigger_id="1.2.3",
    )
    assert _text_sent(sandbox) == sent
    assert typed_text(sent) == typed  # decoded exactly once: a typed `&lt;` stays `&lt;`


def test_list_team_r_and_d_lists_its_initiatives(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    roadmap = load_roadmap(session, fake_slack)
    for name, department in (("standardiser", "R&D"), ("deploiement", "R&D"), ("revue", "Finance")):
        objective = session.get(Objective, roadmap[name].objective_id)
        objective.department = department  # type: ignore[union-attr]
    session.commit()
    answer = rendered(command(baton, fake_slack, "list team R&D", STRANGER))
    assert "Initiatives of R&amp;D* (2)" in answer, answer
    assert "Standardiser" in answer and "ERP" in answer and "Revue" not in answer
    assert "&amp;amp;" not in answer


def test_an_escalation_reason_is_stored_as_typed_and_shown_escaped_once(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    seed(session, fake_slack, status="on_track")
    before = len(fake_slack.responses)
    body = slash_command_body("escalate ERP R&D < 50k", user=OWNER, response_url=fake_slack.response_url())
    assert post_signed(baton.url, body).status_code == 200
    answer: dict[str, Any] = wait_for(lambda: fake_slack.responses[before:])[-1]
    assert TITLE in answer["text"]
    [escalation] = escalations(session)
    assert escalation.reason == "R&D < 50k"
    baton.deps.outbox_ready.set()
    [alert] = wait_for(lambda: leadership_posts(fake_slack))
    shown = json.dumps(alert["blocks"], ensure_ascii=False)
    assert "R&amp;D &lt; 50k" in shown and "&amp;amp;" not in shown and "&amp;lt;" not in shown


def test_role_set_r_and_d_lead_creates_that_role(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    load_roadmap(session, fake_slack)
    answer = rendered(command(baton, fake_slack, f"role set R&D lead <@{PARIS}|paris>", ADMIN))
    assert "*R&amp;D lead* is now held by" in answer and "&amp;amp;" not in answer
    session.expire_all()
    names = set(session.exec(select(Role.name)))
    assert "R&D lead" in names and "R&amp;D lead" not in names
