"""`/okr settings` (admins) and `baton settings`: one way to validate, all or nothing, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from sqlmodel import Session, select

from bot.sandbox.blockkit import view_problem
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from bot.views.settings import read_settings, settings_modal
from storage.models import AuditLog, Initiative, Objective, WorkspaceSettings
from tests.conftest import ADMIN, RunningBaton, run_baton
from tests.slack_requests import post_signed, view_submission_body
from tests.test_initiative_modal import opened_modal
from tests.test_portfolio_commands import PARIS, command, load_roadmap, rendered


@pytest.fixture
def roadmap(session: Session, fake_slack: FakeSlack) -> dict[str, Initiative]:
    initiatives = load_roadmap(session, fake_slack)
    for name, department in (("standardiser", "Opérations"), ("revue", "Finance")):
        session.get(Objective, initiatives[name].objective_id).department = department  # type: ignore[union-attr]
    session.commit()
    return initiatives


def field(name: str) -> str:
    return ids.SETTINGS_FIELD + name


def state(view: dict, **typed: str | None) -> dict:
    """The modal's state: what it shows, with `typed` (block id → value) changed."""
    values: dict = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        shown = {
            "plain_text_input": element.get("initial_value"),
            "static_select": element.get("initial_option", {}).get("value"),
            "conversations_select": element.get("initial_conversation"),
            "users_select": element.get("initial_user"),
        }[kind]
        value = typed.get(block["block_id"], shown)
        key = {
            "plain_text_input": "value",
            "static_select": "selected_option",
            "conversations_select": "selected_conversation",
            "users_select": "selected_user",
        }[kind]
        entry: Any = {"value": value} if kind == "static_select" and value else value
        values[block["block_id"]] = {element["action_id"]: {"type": kind, key: entry}}
    return values


def submit(baton: RunningBaton, view: dict, **typed: str | None) -> dict:
    response = post_signed(baton.url, view_submission_body(view, user=ADMIN, values=state(view, **typed)))
    assert response.status_code == 200
    return cast(dict[str, Any], response.json())


def test_admins_change_the_settings_in_a_modal_validated_like_the_cli(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, roadmap: dict
) -> None:
    refused = rendered(command(baton, fake_slack, "settings", PARIS))
    assert "Only admins can change the settings" in refused and f"<@{ADMIN}>" in refused
    view = opened_modal(baton, fake_slack, "settings", ADMIN)
    assert view["callback_id"] == ids.SETTINGS_MODAL and view_problem(view) is None
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[field("timezone")]["element"]["initial_value"] == "Europe/Paris"
    assert blocks[field("checkin_hour")]["element"]["initial_option"]["value"] == "9"
    teams = [b for b in blocks if b and b.startswith(ids.SETTINGS_TEAM_CHANNEL)]
    assert teams == [ids.SETTINGS_TEAM_CHANNEL + "Finance", ids.SETTINGS_TEAM_CHANNEL + "Opérations"]

    bad = submit(baton, view, **{field("timezone"): "Mars/Base"})
    assert bad == {
        "response_action": "errors",
        "errors": {field("timezone"): bad["errors"][field("timezone")]},
    }
    assert "Europe/Paris" in bad["errors"][field("timezone")]
    late = submit(baton, view, **{field("checkin_day"): "fri", field("escalation_sla_hours"): "0"})
    assert set(late["errors"]) == {field("escalation_sla_hours")}
    assert session.get(WorkspaceSettings, 1) is None  # nothing half-applied

    done = submit(
        baton,
        view,
        **{
            field("timezone"): "America/New_York",
            field("checkin_day"): "tue",
            field("checkin_hour"): "8",
            field("reminder_delay_hours"): "12",
            field("digest_day"): "fri",
            field("digest_hour"): "17",
            field("language"): "fr",
            field("leadership_channel"): "C0LEADERS9",
            ids.SETTINGS_TEAM_CHANNEL + "Finance": "C0FINANCE1",
            field("escalation_sla_hours"): "24",
            field("escalation_contact"): "U0CEO00001",
            field("committee_day"): "wed",
            field("committee_week"): "5",
            field("committee_hour"): "14",
        },
    )
    assert done["response_action"] == "update" and "Settings saved" in str(done["view"])
    session.expire_all()
    row = session.get(WorkspaceSettings, 1)
    assert row is not None
    assert (row.timezone, row.checkin_weekday, row.checkin_hour, row.reminder_delay_hours) == (
        "America/New_York",
        1,
        8,
        12,
    )
    assert (row.digest_weekday, row.digest_hour, row.language) == (4, 17, "fr")
    assert (row.leadership_channel, row.team_channels) == ("C0LEADERS9", {"Finance": "C0FINANCE1"})
    assert (row.escalation_sla_hours, row.escalation_contact) == (24, "U0CEO00001")
    assert (row.committee_weekday, row.committee_week, row.committee_hour) == (2, 5, 14)
    [audited] = session.exec(select(AuditLog).where(AuditLog.action == "settings.update")).all()
    assert (
        audited.actor == ADMIN
        and audited.details["changes"]["team_channels"] == "Finance=C0FINANCE1,Opérations="
    )

    # The modal comes back as saved; in English still: the admin's Slack language (en-US) wins over the
    # workspace's new French.
    again = opened_modal(baton, fake_slack, "settings", ADMIN)
    shown = {b.get("block_id"): b["element"] for b in again["blocks"] if b["type"] == "input"}
    assert shown[ids.SETTINGS_TEAM_CHANNEL + "Finance"]["initial_conversation"] == "C0FINANCE1"
    assert shown[field("escalation_contact")]["initial_user"] == "U0CEO00001"
    assert again["title"]["text"] == "Baton settings"


def test_the_cli_knows_the_channel_and_escalation_settings(env: dict, tmp_path: Path) -> None:
    changed = run_baton(
        env,
        tmp_path,
        "settings",
        "set",
        "leadership_channel=C0LEADERS9",
        "team_channels=Finance=C0FINANCE1,Ops=C0OPS0001",
        "escalation_sla_hours=24",
        "escalation_contact=U0CEO00001",
        "committee_day=thursday",
        "committee_week=2",
        "committee_hour=11",
    )
    assert changed.returncode == 0, changed.stderr
    assert {
        "leadership_channel=C0LEADERS9",
        "team_channels=Finance=C0FINANCE1,Ops=C0OPS0001",
        "escalation_sla_hours=24",
        "escalation_contact=U0CEO00001",
        "committee_day=thu",
        "committee_week=2",
        "committee_hour=11",
    } <= set(changed.stdout.splitlines())
    removed = run_baton(env, tmp_path, "settings", "set", "team_channels=Ops=")
    assert "team_channels=Finance=C0FINANCE1" in removed.stdout.splitlines()
    for bad, message in [
        ("committee_week=6", "committee_week: a whole number from 1 to 5"),
        ("leadership_channel=leadership!", "leadership_channel: a channel id"),
        ("team_channels=Finance", "team_channels: 'Finance': write DEPARTMENT=CHANNEL"),
        ("escalation_contact=bob", "escalation_contact: a Slack user id"),
    ]:
        result = run_baton(env, tmp_path, "settings", "set", "committee_hour=9", bad)
        assert result.returncode == 1 and message in result.stderr, (bad, result.stderr)
    assert "committee_hour=11" in run_baton(env, tmp_path, "settings", "show").stdout  # nothing half-applied


def test_the_settings_modal_stays_within_limits_with_many_long_departments() -> None:
    departments = [f"Direction {n:03d} " + "é" * 300 for n in range(5)] + [
        f"Team {n:03d}" for n in range(200)
    ]
    departments += ["R&D, Europe", "A=B"]  # names `team_channels=` cannot hold are left to the CLI
    for lang in ("en", "fr"):
        view = settings_modal(WorkspaceSettings(), departments, "Europe/Paris", lang)
        assert view_problem(view) is None
        note = view["blocks"][-6]
        assert note["type"] == "context" and "122" in note["elements"][0]["text"]
    changes, lang = read_settings({**view, "state": {"values": state(view)}})
    assert changes["timezone"] == "Europe/Paris" and changes["leadership_channel"] == ""
    assert changes["team_channels"].startswith("Team 000=,Team 001=")
