"""`/okr new` and `/okr edit`: one modal, all or nothing, audited; signed requests as Slack sends them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, cast

import pytest
from sqlmodel import Session, select

from bot.domain.portfolio import RaciMember
from bot.sandbox.blockkit import view_problem
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from bot.views.initiative import block_id, initiative_modal, read_initiative
from storage.models import AuditLog, Initiative, Objective, RaciAssignment, RaciLetter, Role
from tests.conftest import ADMIN, RunningBaton
from tests.slack_requests import post_signed, slash_command_body, view_submission_body, wait_for
from tests.test_portfolio_commands import NEW_YORK, PARIS, STRANGER, command, load_roadmap, rendered


@pytest.fixture
def roadmap(session: Session, fake_slack: FakeSlack) -> dict[str, Initiative]:
    return load_roadmap(session, fake_slack)


def opened_modal(baton: RunningBaton, fake: FakeSlack, text: str, user: str) -> dict:
    before = len(fake.calls_to("views.open"))
    post_signed(baton.url, slash_command_body(text, user=user, response_url=fake.response_url()))
    return cast(dict[str, Any], wait_for(lambda: fake.calls_to("views.open")[before:])[0]["view"])


def state(view: dict, **typed: Any) -> dict:
    """The modal's state: its initial values, with `typed` (field name → text, users list or option value)."""
    values: dict = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        name = block["block_id"].removeprefix(ids.INITIATIVE_FIELD)
        element = block["element"]
        kind = element["type"]
        if kind == "multi_users_select":
            entry = {"selected_users": typed.get(name, element.get("initial_users", []))}
        elif kind == "datepicker":
            entry = {"selected_date": typed.get(name, element.get("initial_date"))}
        elif kind == "radio_buttons":
            chosen = typed.get(name, element.get("initial_option", {}).get("value"))
            entry = {"selected_option": {"value": chosen} if chosen else None}
        else:
            entry = {"value": typed.get(name, element.get("initial_value"))}
        values[block["block_id"]] = {element["action_id"]: {"type": kind, **entry}}
    return values


def submit(baton: RunningBaton, view: dict, user: str, **typed: Any) -> dict:
    response = post_signed(baton.url, view_submission_body(view, user=user, values=state(view, **typed)))
    assert response.status_code == 200
    return response.json() if response.content else {}


def test_an_admin_creates_an_initiative_with_its_raci_all_or_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    assert "Only admins can create initiatives" in rendered(command(baton, fake_slack, "new", PARIS))
    view = opened_modal(baton, fake_slack, "new", ADMIN)
    assert view["callback_id"] == ids.INITIATIVE_MODAL and view_problem(view) is None
    quarter = next(b for b in view["blocks"] if b["block_id"] == block_id("quarter"))
    assert quarter["element"]["initial_value"] == "2026-Q4"  # the current quarter by default
    typed = {
        "title": "Cut churn",
        "objective": "-20 % de temps d’activation",  # the same text and quarter: the same objective
        "department": "Customer Success",
        "kpi_name": "Churn",
        "kpi_unit": "%",
        "kpi_baseline": "8",
        "kpi_target": "6,5",
        "kpi_direction": "down",
        "due_date": "2026-12-31",
        "people_R": [PARIS],
        "roles_A": "cfo",
        "roles_I": "CFO, Nope, Ghost",
        "people_C": [STRANGER, STRANGER],
    }
    refused = submit(baton, view, ADMIN, **typed)
    assert refused["response_action"] == "errors"
    assert set(refused["errors"]) == {block_id("roles_I")}
    assert (
        "Unknown role(s): Nope, Ghost. Known roles: CFO, CHRO, IT, Ops Manager, PMO, Sales."
        in (refused["errors"][block_id("roles_I")])
    )
    assert session.exec(select(Initiative).where(Initiative.title == "Cut churn")).first() is None
    bad = submit(baton, view, ADMIN, **{**typed, "kpi_target": "six", "quarter": "Q4", "title": ""})
    assert set(bad["errors"]) == {block_id("kpi_target"), block_id("quarter"), block_id("title")}
    nobody = submit(baton, view, ADMIN, **{**typed, "roles_I": "", "people_R": []})
    assert set(nobody["errors"]) == {block_id("people_R")}

    done = submit(baton, view, ADMIN, **{**typed, "roles_I": "CFO"})
    assert done["response_action"] == "update" and "*Cut churn* is created" in json.dumps(done["view"])
    churn = session.exec(select(Initiative).where(Initiative.title == "Cut churn")).one()
    assert (churn.kpi_baseline, churn.kpi_target, churn.kpi_direction, churn.due_date) == (
        8,
        6.5,
        "down",
        date(2026, 12, 31),
    )
    assert churn.objective_id == roadmap["standardiser"].objective_id
    assert session.get(Objective, churn.objective_id).department == "Customer Success"  # type: ignore[union-attr]
    cfo = session.exec(select(Role).where(Role.name == "CFO")).one()
    raci = {
        (a.letter, a.user_id, a.role_id)
        for a in session.exec(select(RaciAssignment).where(RaciAssignment.initiative_id == churn.id))
    }
    assert raci == {("R", PARIS, None), ("A", None, cfo.id), ("C", STRANGER, None), ("I", None, cfo.id)}
    created = session.exec(select(AuditLog).where(AuditLog.action == "initiative.create")).all()
    assert [(a.actor, a.entity_id) for a in created if a.details.get("title") == "Cut churn"] == [
        (ADMIN, str(churn.id))
    ]
    twice = submit(baton, view, ADMIN, **{**typed, "roles_I": "CFO", "title": "cut CHURN"})
    assert "already exists in 2026-Q4" in twice["errors"][block_id("title")]


def test_edit_is_prefilled_and_only_for_its_r_a_and_admins(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    refused = rendered(command(baton, fake_slack, "edit revue prix", PARIS))
    assert "Only the people responsible for *Revue prix-frais par segment*" in refused
    assert f"<@{NEW_YORK}>" in refused and "can edit it" in refused
    view = opened_modal(baton, fake_slack, "edit revue prix", NEW_YORK)  # the CFO holds its R
    initial = {
        b["block_id"].removeprefix(ids.INITIATIVE_FIELD): b["element"].get("initial_value")
        for b in view["blocks"]
        if b["element"]["type"] == "plain_text_input"
    }
    assert initial["title"] == "Revue prix-frais par segment" and initial["objective"] == "+3 pts de marge"
    assert initial["roles_R"] == "CFO, Sales" and initial["quarter"] == "2026-Q4"
    assert initial["kpi_unit"] == "%"
    done = submit(baton, view, NEW_YORK, title="Revue prix par segment", kpi_target="12,5", people_A=[ADMIN])
    assert "is saved" in json.dumps(done["view"])
    revue = session.get(Initiative, roadmap["revue"].id)
    session.refresh(revue)
    assert (revue.title, revue.kpi_target) == ("Revue prix par segment", 12.5)  # type: ignore[union-attr]
    update = session.exec(select(AuditLog).where(AuditLog.action == "initiative.update")).one()
    assert update.actor == NEW_YORK and set(update.details["changed"]) == {
        "title",
        "title_key",
        "kpi_target",
        "raci_A",
    }
    # the admin, now its A, may edit it too; the edit modal opens on the renamed initiative
    assert (
        opened_modal(baton, fake_slack, "edit revue prix par", ADMIN)["callback_id"] == ids.INITIATIVE_MODAL
    )


def test_the_initiative_modal_with_maximal_inputs_stays_within_limits() -> None:
    long = "É" * 5000
    initiative = Initiative(
        id=1,
        objective_id=1,
        title=long,
        title_key="x",
        kpi_name=long,
        kpi_unit=long,
        kpi_baseline=999_999_999_999_999.0,  # the largest a KPI may be (bot/domain/kpi.py MAX_KPI)
        kpi_target=-999_999_999_999_999.0,
        due_date=date(2026, 12, 31),
    )
    objective = Objective(id=1, title=long, title_key="x", department=long, quarter="2026-Q4")
    raci = {
        letter: [RaciMember(user=f"U{n:08d}") for n in range(50)] + [RaciMember(role=long) for _ in range(50)]
        for letter in RaciLetter
    }
    for lang in ("en", "fr"):
        for view in (
            initiative_modal(quarter="2026-Q4", lang=lang),
            initiative_modal(
                quarter="2026-Q4", lang=lang, initiative=initiative, objective=objective, raci=raci
            ),
        ):
            assert view_problem(view) is None
            for block in view["blocks"]:
                element = block["element"]
                assert len(element.get("initial_value", "")) <= element.get("max_length", 3000)
                assert len(block["label"]["text"]) <= 2000
    filled = initiative_modal(quarter="2026-Q4", initiative=initiative, objective=objective, raci=raci)
    spec, initiative_id, lang = read_initiative({**filled, "state": {"values": state(filled)}})
    assert initiative_id == 1 and lang == "en" and spec.kpi_target == -999_999_999_999_999.0
    assert len(spec.people[RaciLetter.RESPONSIBLE]) == 50
