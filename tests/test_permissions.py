"""Who may do what, through signed `/okr` requests: every kind of person × every guarded command."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from bot.sandbox.webapi import FakeSlack
from storage.models import Initiative, Objective, RaciAssignment, RaciLetter, Role, RoleMember
from tests.conftest import ADMIN, RunningBaton
from tests.slack_requests import post_signed, slash_command_body, wait_for

NOW = datetime(2026, 11, 16, tzinfo=UTC)
PEOPLE = {
    "admin (BATON_ADMINS)": ADMIN,
    "Slack admin": "U0SLACKADM",
    "Slack owner": "U0SLACKOWN",
    "R, directly": "U0RESPONS1",
    "A, through a role": "U0ACCOUNT1",
    "C": "U0CONSULT1",
    "I": "U0INFORMD1",
    "stranger": "U0STRANGER",
}
ADMINS = ("admin (BATON_ADMINS)", "Slack admin", "Slack owner")
UPDATERS = (*ADMINS, "R, directly", "A, through a role")
# command → (text, who may, what an allowed person gets: the modal's callback id or words of the answer)
COMMANDS = {
    "update": ("update matrix", UPDATERS, "checkin_update"),
    "edit": ("edit matrix", UPDATERS, "initiative_edit"),
    "new": ("new", ADMINS, "initiative_edit"),
    "settings": ("settings", ADMINS, "workspace_settings"),
    "role set": ("role set Sponsor <@U0STRANGER|s>", ADMINS, "*Sponsor* is now held by"),
    "import": ("import", ADMINS, "import_roadmap"),
    "archive": ("archive matrix", ADMINS, "*Matrix rollout* is archived"),
}


@pytest.fixture
def matrix(session: Session, fake_slack: FakeSlack) -> None:
    """One initiative: its R a person, its A a role (Sponsor) held by a person, a C and an I."""
    for label, user in PEOPLE.items():
        fake_slack.add_user(user, name=label)
    fake_slack.users[PEOPLE["Slack admin"]]["is_admin"] = True
    fake_slack.users[PEOPLE["Slack owner"]]["is_owner"] = True
    objective = Objective(title="Grow", title_key="grow", quarter="2026-Q4", created_at=NOW)
    sponsor = Role(name="Sponsor", name_key="sponsor")
    session.add_all([objective, sponsor])
    session.flush()
    initiative = Initiative(
        objective_id=objective.id,  # type: ignore[arg-type]
        title="Matrix rollout",
        title_key="matrix rollout",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(initiative)
    session.flush()
    session.add(RoleMember(role_id=sponsor.id, user_id=PEOPLE["A, through a role"]))  # type: ignore[arg-type]
    for letter, person, role in (
        (RaciLetter.RESPONSIBLE, PEOPLE["R, directly"], None),
        (RaciLetter.ACCOUNTABLE, None, sponsor.id),
        (RaciLetter.CONSULTED, PEOPLE["C"], None),
        (RaciLetter.INFORMED, PEOPLE["I"], None),
    ):
        session.add(RaciAssignment(initiative_id=initiative.id, letter=letter, user_id=person, role_id=role))  # type: ignore[arg-type]
    session.commit()


def outcome(baton: RunningBaton, fake: FakeSlack, text: str, user: str) -> str:
    """What `/okr TEXT` gets `user`: the modal it opens, or the answer it posts, as JSON."""
    opened, answered = len(fake.calls_to("views.open")), len(fake.responses)
    response = post_signed(baton.url, slash_command_body(text, user=user, response_url=fake.response_url()))
    assert response.status_code == 200
    found = wait_for(lambda: fake.calls_to("views.open")[opened:] or fake.responses[answered:])
    return json.dumps(found[0].get("view") or found[0], ensure_ascii=False)


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("action", list(COMMANDS))
def test_permission_matrix(
    baton: RunningBaton, fake_slack: FakeSlack, matrix: None, action: str, who: str
) -> None:
    text, allowed, success = COMMANDS[action]
    got = outcome(baton, fake_slack, text, PEOPLE[who])
    if who in allowed:
        assert success in got and ":no_entry:" not in got
        return
    assert ":no_entry:" in got and success not in got
    assert '"response_type": "ephemeral"' in got  # refusals concern only the asker
    if allowed is UPDATERS:  # the refusal names who can: the R and the A (a role, by name), and admins
        assert f"<@{PEOPLE['R, directly']}>" in got and "Sponsor" in got and "admins" in got
    else:
        assert "Only admins can" in got and f"<@{ADMIN}>" in got
