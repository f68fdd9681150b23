"""`/okr who`, `list`, `status`, `role`, and who may update what: signed requests, as Slack sends them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, col, select

from bot.domain.portfolio import Details, InitiativeSpec
from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap, record_checkin, save_initiative, set_role_members
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from storage.models import (
    CheckIn,
    CheckInSource,
    CycleSkip,
    Escalation,
    EscalationState,
    Initiative,
    Objective,
    Person,
    RaciAssignment,
    RaciLetter,
    Role,
    RoleMember,
    Status,
)
from tests.conftest import ADMIN, EXAMPLE_ROADMAP, ManualClock, RunningBaton
from tests.digest_fixtures import record_prompts
from tests.slack_requests import TEAM, post_signed, slash_command_body, view_submission_body, wait_for

PARIS, NEW_YORK, STRANGER = "U0PARIS01", "U0NEWYORK", "U0STRANGE"


@pytest.fixture
def roadmap(session: Session, fake_slack: FakeSlack) -> dict[str, Initiative]:
    return load_roadmap(session, fake_slack)


def load_roadmap(session: Session, fake_slack: FakeSlack) -> dict[str, Initiative]:
    """The example roadmap: PARIS holds Ops Manager and PMO, NEW_YORK the CFO; by first word of title."""
    rows = parse_roadmap(EXAMPLE_ROADMAP.read_text(encoding="utf-8"), EXAMPLE_ROADMAP.name)
    before = datetime(2026, 11, 16, tzinfo=UTC)
    import_roadmap(session, rows, quarter="2026-Q4", actor="test", now=before)
    for role, people in (("Ops Manager", [PARIS]), ("PMO", [PARIS]), ("CFO", [NEW_YORK])):
        set_role_members(session, name=role, members=people, actor="test", now=before)
    record_prompts(session, [PARIS, NEW_YORK], "2026-W48")  # Monday's check-in went out to both
    session.commit()
    for user in (ADMIN, PARIS, NEW_YORK, STRANGER):
        fake_slack.add_user(user, name=user)
    return {i.title_key.split()[0]: i for i in session.exec(select(Initiative))}


def command(baton: RunningBaton, fake: FakeSlack, text: str, user: str) -> dict:
    """Send `/okr TEXT` as `user` and return what Baton answered: the ack body, or its response_url post."""
    before = len(fake.responses)
    response = post_signed(baton.url, slash_command_body(text, user=user, response_url=fake.response_url()))
    assert response.status_code == 200
    if response.content:
        return cast(dict[str, Any], response.json())
    return wait_for(lambda: fake.responses[before:])[0]


def rendered(answer: dict) -> str:
    return json.dumps(answer["blocks"], ensure_ascii=False)


def test_who_lists_the_owners_still_to_answer(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict, clock: ManualClock
) -> None:
    record_checkin(
        session,
        initiative=roadmap["standardiser"],
        author=PARIS,
        status=Status.ON_TRACK,
        kpi_value=None,
        comment=None,
        source=CheckInSource.MODAL,
        cycle="2026-W48",
        now=clock(),
    )
    session.commit()
    answer = command(baton, fake_slack, "who", STRANGER)
    assert answer["response_type"] == "ephemeral"
    text = rendered(answer)
    assert "Still to update for 2026-W48" in text and "(2)" in text
    assert f"<@{PARIS}> — Déploiement ERP phase 2" in text and "Standardiser" not in text
    assert f"<@{NEW_YORK}> — Revue prix-frais par segment" in text


def test_who_lists_only_the_people_who_were_asked(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict, clock: ManualClock
) -> None:
    """New York skipped the week; Paris was asked on Monday, and also owns an initiative created since."""
    session.add(CycleSkip(user_id=NEW_YORK, cycle="2026-W48", created_at=clock()))
    spec = InitiativeSpec(
        title="Brand new", objective="Grow", quarter="2026-Q4", people={RaciLetter.RESPONSIBLE: (PARIS,)}
    )
    save_initiative(session, spec, initiative_id=None, actor="test", now=clock())  # Monday 09:30
    session.commit()
    text = rendered(command(baton, fake_slack, "who", STRANGER))
    assert f"<@{PARIS}> — Déploiement ERP phase 2" in text and "Brand new" not in text
    assert f"<@{NEW_YORK}>" not in text


def test_list_mine_shows_only_my_initiatives(
    baton: RunningBaton, fake_slack: FakeSlack, roadmap: dict
) -> None:
    mine = rendered(command(baton, fake_slack, "list mine", PARIS))
    assert "Your initiatives* (2)" in mine and "Revue prix-frais" not in mine
    everything = rendered(command(baton, fake_slack, "list", STRANGER))
    assert "Initiatives* (4)" in everything and "Owners: CFO, Sales" in everything


def test_status_shows_history_trend_and_who_answers(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict, clock: ManualClock
) -> None:
    for cycle, value in (("2026-W46", 40.0), ("2026-W47", 55.0), ("2026-W48", 70.0)):
        record_checkin(
            session,
            initiative=roadmap["deploiement"],
            author=PARIS,
            status=Status.AT_RISK,
            kpi_value=value,
            comment=f"week {cycle} <!channel>",
            source=CheckInSource.MODAL,
            cycle=cycle,
            now=clock(),
        )
    session.commit()
    answer = command(baton, fake_slack, "status deploiement erp", STRANGER)
    text = rendered(answer)
    assert "Déploiement ERP phase 2" in text and "▁▅█" in text
    assert f"<@{PARIS}>" in text and "PMO" in text
    assert text.index("2026-W48") < text.index("2026-W46")  # newest first
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    ambiguous = rendered(command(baton, fake_slack, "status p", STRANGER))
    assert "Several initiatives match" in ambiguous and "Revue prix-frais par segment" in ambiguous
    assert "No initiative matches" in rendered(command(baton, fake_slack, "status quantum", STRANGER))


def test_only_admins_change_roles_and_everyone_sees_them(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    refused = rendered(command(baton, fake_slack, f"role set CFO <@{STRANGER}|stranger>", STRANGER))
    assert "Only admins can change roles" in refused and f"<@{ADMIN}>" in refused
    done = rendered(command(baton, fake_slack, f"role set CFO <@{NEW_YORK}|ny> <@{PARIS}|paris>", ADMIN))
    assert "*CFO* is now held by" in done
    assert {PARIS, NEW_YORK} <= set(session.exec(select(RoleMember.user_id)).all())
    listed = rendered(command(baton, fake_slack, "role list", STRANGER))
    assert f"*CFO*: <@{NEW_YORK}>, <@{PARIS}>" in listed and "*CHRO*: nobody" in listed
    bad = rendered(command(baton, fake_slack, "role set CFO @bob", ADMIN))
    assert "is not a Slack person" in bad


def test_a_non_owner_update_is_refused_with_who_can(
    baton: RunningBaton, fake_slack: FakeSlack, roadmap: dict
) -> None:
    refused = rendered(command(baton, fake_slack, "update revue prix", STRANGER))
    assert "Only the people responsible for *Revue prix-frais par segment*" in refused
    assert f"<@{NEW_YORK}>" in refused and "Sales" in refused
    assert fake_slack.calls_to("views.open") == []
    command_by_owner = post_signed(
        baton.url,
        slash_command_body("update revue prix", user=NEW_YORK, response_url=fake_slack.response_url()),
    )
    assert command_by_owner.status_code == 200
    wait_for(lambda: fake_slack.calls_to("views.open"))
    admin = post_signed(
        baton.url, slash_command_body("update revue prix", user=ADMIN, response_url=fake_slack.response_url())
    )
    assert admin.status_code == 200
    wait_for(lambda: len(fake_slack.calls_to("views.open")) == 2)


def test_a_french_speaker_gets_french(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    fake_slack.add_user(STRANGER, name=STRANGER, locale="fr-FR")  # Baton asks Slack on their first command
    assert "Points encore attendus pour 2026-W48" in rendered(command(baton, fake_slack, "who", STRANGER))
    assert "Vos initiatives* (0)" in rendered(command(baton, fake_slack, "list mine", STRANGER))
    assert "*Baton* anime vos rituels" in rendered(command(baton, fake_slack, "help", STRANGER))


def test_only_admins_archive_and_archived_initiatives_leave_the_lists(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    refused = rendered(command(baton, fake_slack, "archive erp", PARIS))
    assert "Only admins can archive initiatives" in refused
    done = rendered(command(baton, fake_slack, "archive erp", ADMIN))
    assert "*Déploiement ERP phase 2* is archived" in done
    session.refresh(roadmap["deploiement"])
    assert roadmap["deploiement"].archived
    assert "Déploiement ERP" not in rendered(command(baton, fake_slack, "list", STRANGER))
    assert "Your initiatives* (1)" in rendered(command(baton, fake_slack, "list mine", PARIS))


def submit_import(baton: RunningBaton, view: dict, table: str, quarter: str = "") -> dict:
    values: dict[str, dict[str, Any]] = {
        "import_text": {"import_text_input": {"type": "plain_text_input", "value": table}},
        "import_quarter": {"import_quarter_input": {"type": "plain_text_input", "value": quarter or None}},
    }
    view = {**view, "callback_id": "import_roadmap"}
    response = post_signed(baton.url, view_submission_body(view, user=ADMIN, values=values))
    assert response.status_code == 200
    return cast(dict[str, Any], response.json())


def test_admins_import_a_pasted_roadmap_all_or_nothing(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    assert "Only admins can import a roadmap" in rendered(command(baton, fake_slack, "import", PARIS))
    post_signed(baton.url, slash_command_body("import", user=ADMIN, response_url=fake_slack.response_url()))
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    bad = submit_import(baton, view, "Initiative;Objectif;KPI;Responsable\n;+5 %;CA;CFO\nX;+5 %;;CFO\n")
    assert bad["response_action"] == "errors"
    assert "2 problem(s), nothing imported" in bad["errors"]["import_text"]
    assert "line 2" in bad["errors"]["import_text"] and "line 3" in bad["errors"]["import_text"]
    assert submit_import(baton, view, "Initiative,Objective,KPI,Owner\nA,+1 %,B,C", "2026-Q9")["errors"] == {
        "import_quarter": "A quarter like 2026-Q4."
    }
    assert len(session.exec(select(Initiative)).all()) == 4  # nothing written
    good = submit_import(
        baton, view, "Initiative,Objective,KPI,Owner\nCut churn,-15 % churn,Churn (%),Head of CS\n"
    )
    assert good["response_action"] == "update"
    assert "Imported: 1 created, 0 updated, 0 unchanged; new roles: Head of CS." in json.dumps(good["view"])
    assert "Cut churn" in session.exec(select(Initiative.title)).all()


def modal_values(view: dict, **typed: str | dict[str, Any] | None) -> dict:
    """What a person leaves in the modal `view`: its defaults, then `typed` (block id → text or option)."""
    values: dict = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        value = typed.get(block["block_id"], element.get("initial_value") or element.get("initial_option"))
        if isinstance(value, dict):
            value = value["value"]
        state = (
            {"selected_option": {"value": value} if value else None}
            if "options" in element
            else {"value": value}
        )
        values[block["block_id"]] = {element["action_id"]: {"type": element["type"], **state}}
    return values


def test_the_update_modal_carries_every_field_and_last_weeks_answer_is_one_click_away(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict, clock: ManualClock
) -> None:
    erp = roadmap["deploiement"]
    record_checkin(
        session,
        initiative=erp,
        author=PARIS,
        status=Status.AT_RISK,
        kpi_value=3.0,
        comment="Two entities live",
        source=CheckInSource.MODAL,
        cycle="2026-W47",  # last week: still the defaults this week
        now=clock(),
        details=Details(confidence=3, progress=40, next_steps="Wave 2", decision_needed="Delay wave 3?"),
    )
    session.commit()
    post_signed(
        baton.url, slash_command_body("update erp", user=PARIS, response_url=fake_slack.response_url())
    )
    view = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    kpi_label = next(b for b in view["blocks"] if b.get("block_id") == ids.KPI_BLOCK)["label"]["text"]
    assert "target" in kpi_label
    bad = post_signed(
        baton.url, view_submission_body(view, user=PARIS, values=modal_values(view, progress="140"))
    ).json()
    assert bad["response_action"] == "errors" and set(bad["errors"]) == {ids.PROGRESS_BLOCK}
    untouched = post_signed(baton.url, view_submission_body(view, user=PARIS, values=modal_values(view)))
    assert untouched.status_code == 200 and untouched.content == b""
    hostile = "<!channel> look <https://evil.example|click>"
    changed = modal_values(view, blockers=hostile, confidence="2")
    post_signed(baton.url, view_submission_body(view, user=PARIS, values=changed))
    confirmations = wait_for(lambda: len(fake_slack.messages(PARIS)) == 2 and fake_slack.messages(PARIS))
    first, second = session.exec(
        select(CheckIn).where(CheckIn.cycle == "2026-W48").order_by(col(CheckIn.id))
    ).all()
    assert (first.status, first.kpi_value, first.comment, first.confidence, first.progress) == (
        "at_risk",
        3.0,
        None,  # last week's highlights are not this week's
        3,
        40,
    )
    assert (first.next_steps, first.decision_needed, first.blockers) == (
        "Wave 2",
        None,
        None,
    )  # nor its question
    assert (second.confidence, second.blockers) == (2, hostile)  # history kept; the latest is current
    shown = json.dumps(confirmations[1], ensure_ascii=False)
    assert "<!channel>" not in shown and "<https://evil" not in shown and "&lt;!channel&gt;" in shown


def pick(baton: RunningBaton, fake: FakeSlack, answer: dict, user: str, choice: str) -> dict:
    """Choose `choice` (a title) in the picker of an ephemeral `answer`; return what Baton answers next."""
    select = answer["blocks"][0]["accessory"]
    chosen = next(o for o in select["options"] if o["text"]["text"] == choice)
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0BATON01",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": "1.2",
            "channel_id": "C0GENERAL1",
            "is_ephemeral": True,
        },
        "trigger_id": "13345224609.738474920.8088930838d88f008e1",
        "team": TEAM,
        "channel": {"id": "C0GENERAL1", "name": "general"},
        "state": {"values": {}},
        "response_url": fake.response_url("picked"),
        "actions": [
            {
                "type": "static_select",
                "action_id": select["action_id"],
                "block_id": answer["blocks"][0].get("block_id", "b"),
                "selected_option": chosen,
                "action_ts": "1.3",
            }
        ],
    }
    before = len(fake.responses)
    assert post_signed(baton.url, urlencode({"payload": json.dumps(payload)})).status_code == 200
    return wait_for(lambda: fake.responses[before:])[0]


def test_an_ambiguous_name_offers_a_picker_whose_choice_continues_the_command(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    answer = command(baton, fake_slack, "status p", STRANGER)
    assert answer["response_type"] == "ephemeral"
    assert "Several initiatives match “p”: which one?" in rendered(answer)
    picker = answer["blocks"][0]["accessory"]
    assert picker["type"] == "static_select" and picker["action_id"] == "okr_pick:status"
    assert len(picker["options"]) == 3  # a picker, never a guess
    shown = pick(baton, fake_slack, answer, STRANGER, "Revue prix-frais par segment")
    assert shown["replace_original"] is True and "*Revue prix-frais par segment*" in rendered(shown)
    assert f"*R* (responsible): CFO (<@{NEW_YORK}>), Sales (nobody)" in rendered(shown)
    # archive: refused before any picker for a non-admin; picked by an admin, it archives that one only
    assert "Only admins can archive" in rendered(command(baton, fake_slack, "archive p", PARIS))
    done = pick(
        baton, fake_slack, command(baton, fake_slack, "archive p", ADMIN), ADMIN, "Déploiement ERP phase 2"
    )
    assert "*Déploiement ERP phase 2* is archived" in rendered(done)
    archived = session.exec(select(Initiative.title).where(col(Initiative.archived))).all()
    assert archived == ["Déploiement ERP phase 2"]


def test_status_shows_the_whole_raci_and_the_open_escalations(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict, clock: ManualClock
) -> None:
    erp = roadmap["deploiement"]
    cfo = session.exec(select(Role).where(Role.name == "CFO")).one()
    session.add(RaciAssignment(initiative_id=erp.id, letter=RaciLetter.CONSULTED, user_id=STRANGER))
    session.add(RaciAssignment(initiative_id=erp.id, letter=RaciLetter.INFORMED, role_id=cfo.id))
    session.add(Person(user_id=STRANGER, deleted=True, fetched_at=clock()))
    for rule, state in (
        ("off_track", EscalationState.OPEN),
        ("manual", EscalationState.ACKNOWLEDGED),
        ("silent", EscalationState.RESOLVED),
    ):
        session.add(
            Escalation(
                initiative_id=erp.id,
                rule=rule,
                state=state,
                reason=f"{rule} <!channel>",
                cycle="2026-W47",
                opened_at=clock(),
                updated_at=clock(),
                sla_deadline=clock(),
            )
        )
    session.commit()
    text = rendered(command(baton, fake_slack, "status erp", PARIS))
    assert f"*R* (responsible): PMO (<@{PARIS}>), IT (nobody)" in text
    assert "*A* (accountable): nobody" in text
    assert f"*C* (consulted): <@{STRANGER}> (deactivated)" in text
    assert f"*I* (informed): CFO (<@{NEW_YORK}>)" in text
    assert "*Open escalations* (2)" in text and "silent" not in text
    assert "acknowledged since 2026-W47: manual &lt;!channel&gt;" in text and "<!channel>" not in text
    session.merge(
        Person(user_id=PARIS, locale="fr-FR", fetched_at=clock())
    )  # their Slack language, as refreshed
    session.commit()
    french = rendered(command(baton, fake_slack, "status erp", PARIS))
    assert "*Remontées ouvertes* (2)" in french and "*I* (informé) : CFO" in french


def test_list_by_team_and_by_quarter(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    for name, department in (
        ("standardiser", "Opérations"),
        ("deploiement", "Opérations"),
        ("revue", "Finance"),
    ):
        objective = session.get(Objective, roadmap[name].objective_id)
        objective.department = department  # type: ignore[union-attr]
    later = parse_roadmap("Initiative,Objective,KPI,Owner\nCut churn,-15 % churn,Churn (%),CFO\n", "x.csv")
    import_roadmap(session, later, quarter="2027-Q1", actor="test", now=datetime(2026, 11, 16, tzinfo=UTC))
    session.commit()
    ops = rendered(command(baton, fake_slack, "list team OPE", STRANGER))
    assert "Initiatives of OPE* (2)" in ops and "Standardiser" in ops and "ERP" in ops and "Revue" not in ops
    assert "Initiatives of 2027-Q1* (1)" in rendered(
        command(baton, fake_slack, "list quarter 2027-q1", STRANGER)
    )
    assert "(4)" in rendered(command(baton, fake_slack, "list quarter 2026-Q4", STRANGER))
    assert "A quarter like 2026-Q4" in rendered(command(baton, fake_slack, "list quarter soon", STRANGER))
    assert "Usage: `/okr list`" in rendered(command(baton, fake_slack, "list everything", STRANGER))
