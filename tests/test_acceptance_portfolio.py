"""Issue 4, played as a new workspace would: an admin imports the example roadmap in the `/okr import`
modal and maps its six roles with `/okr role set`; each owner finds their initiatives in the App Home and
updates one in a single click (the Monday DM at 09:00 in their own time zone, or the App Home's Update
button and one submit of the prefilled modal); a non-owner is refused and told who can; `/okr status`,
`who` and `list mine` answer in English and in French; a comment holding `<!channel>` pings no one.

Everything goes through the running app as Slack sends it (signed commands, clicks, submissions, events),
and the assertions read what people see: what the fake Slack recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from slack_sdk import WebClient

from bot.sandbox.webapi import FakeSlack
from bot.scheduler import run_ritual
from bot.views import ids
from tests.conftest import ADMIN, EXAMPLE_ROADMAP, LEADERSHIP_CHANNEL, ManualClock, RunningBaton
from tests.slack_requests import (
    post_signed,
    slash_command_body,
    view_action_body,
    view_submission_body,
    wait_for,
)
from tests.test_home import open_home, published
from tests.test_portfolio_commands import command, modal_values, rendered, submit_import
from tests.test_prompt_actions import ANSWER, action_ids, click

# One person per role of the roadmap, each in their own time zone and language.
OPS, PMO, IT, CFO, SALES, CHRO = "U0OPS0001", "U0PMO0001", "U0IT00001", "U0CFO0001", "U0SALES01", "U0CHRO001"
STRANGER = "U0STRANGE"
PEOPLE = {  # user: (role, Slack time zone, Slack locale)
    OPS: ("Ops Manager", "Europe/Paris", "en-US"),
    PMO: ("PMO", "Europe/Paris", "en-GB"),
    IT: ("IT", "America/New_York", "en-US"),
    CFO: ("CFO", "Europe/London", "en-GB"),
    SALES: ("Sales", "Europe/Paris", "en-US"),
    CHRO: ("CHRO", "Europe/Paris", "fr-FR"),
}
# (as the roadmap writes them: typographic quotes and apostrophes are kept)
ONBOARDING, ERP = "Standardiser l’onboarding clients", "Déploiement ERP phase 2"
PRICING, COACH = "Revue prix-frais par segment", "Programme “Managers Coach”"
MINE = {OPS: [ONBOARDING], PMO: [ERP], IT: [ERP], CFO: [PRICING], SALES: [PRICING], CHRO: [COACH]}

THURSDAY = datetime(2026, 11, 19, 10, tzinfo=UTC)  # 2026-W47: the strategy office sets Baton up
MONDAY_PARIS_9 = datetime(2026, 11, 23, 8, tzinfo=UTC)  # 2026-W48, 09:00 in Paris
MONDAY_LONDON_9 = datetime(2026, 11, 23, 9, tzinfo=UTC)
MONDAY_NEW_YORK_9 = datetime(2026, 11, 23, 14, tzinfo=UTC)


@pytest.fixture
def onboarded(baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock) -> None:
    """The admin imports the example roadmap in the modal, then maps each role to its person."""
    clock.now = THURSDAY
    for user, (_, tz, locale) in PEOPLE.items():
        fake_slack.add_user(user, name=user, tz=tz, locale=locale)
    fake_slack.add_user(ADMIN, name="Camille", tz="Europe/Paris")
    fake_slack.add_user(STRANGER, name="Stranger", tz="Europe/Paris")

    post_signed(baton.url, slash_command_body("import", user=ADMIN, response_url=fake_slack.response_url()))
    modal = wait_for(lambda: fake_slack.calls_to("views.open"))[0]["view"]
    assert modal["callback_id"] == ids.IMPORT_MODAL
    imported = submit_import(baton, modal, EXAMPLE_ROADMAP.read_text(encoding="utf-8"), "2026-Q4")
    assert imported["response_action"] == "update"
    assert "Imported: 4 created, 0 updated, 0 unchanged" in json.dumps(imported["view"], ensure_ascii=False)

    for user, (role, _, _) in PEOPLE.items():
        answer = rendered(command(baton, fake_slack, f"role set {role} <@{user}|{user.lower()}>", ADMIN))
        assert f"*{role}* is now held by <@{user}>" in answer


def said(fragment: str) -> str:
    """`fragment` as it appears in a rendered (JSON) message or view."""
    return json.dumps(fragment, ensure_ascii=False)[1:-1]


def titles_shown(shown: dict[str, Any] | str) -> set[str]:
    """The roadmap's initiatives that a message, a view or a rendered text shows."""
    text = shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False)
    return {title for title in (ONBOARDING, ERP, PRICING, COACH) if said(title) in text}


def update_buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == ids.HOME_UPDATE
    ]


def run_checkin(baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, at: datetime) -> str:
    """The check-in ritual at `at`, as the tick runs it; the sender then posts what it queued."""
    clock.now = at
    [result] = run_ritual(
        "checkin", baton.deps, WebClient(token=fake_slack.token, base_url=fake_slack.api_url)
    )
    baton.deps.outbox_ready.set()
    return result.summary()


def dm_of(fake_slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    return fake_slack.messages(user)


def initiative_id(home: dict[str, Any], title: str) -> int:
    """The id of `title` in an App Home: the value of its Update button."""
    for block in home["blocks"]:
        if said(title) in json.dumps(block, ensure_ascii=False) and "accessory" in block:
            return int(block["accessory"]["value"])
    raise AssertionError(f"{title} is not in the App Home")


def open_update_from_home(
    baton: RunningBaton, fake_slack: FakeSlack, user: str, title: str
) -> dict[str, Any]:
    """Open the App Home, click the Update button of `title`; return the modal Baton opened."""
    before = len(fake_slack.calls_to("views.open"))
    seen = len([c for c in fake_slack.calls_to("views.publish") if c["user_id"] == user])
    open_home(baton, user)
    home = published(fake_slack, user, seen + 1)
    button = next(b for b in update_buttons(home) if b["value"] == str(initiative_id(home, title)))
    trigger = f"111.{user}.home"
    post_signed(baton.url, view_action_body(home, button, user=user, trigger_id=trigger))
    opened = wait_for(lambda: fake_slack.calls_to("views.open")[before:])[0]
    assert opened["trigger_id"] == trigger and opened["view"]["callback_id"] == ids.UPDATE_MODAL
    return cast(dict[str, Any], opened["view"])


def submit(baton: RunningBaton, view: dict[str, Any], user: str, **typed: str | dict[str, Any] | None) -> Any:
    response = post_signed(
        baton.url, view_submission_body(view, user=user, values=modal_values(view, **typed))
    )
    assert response.status_code == 200
    return response.json() if response.content else None


# -- the set-up -------------------------------------------------------------------------------------
def test_the_admin_imports_the_roadmap_and_maps_the_six_roles(
    baton: RunningBaton, fake_slack: FakeSlack, onboarded: None
) -> None:
    roles = rendered(command(baton, fake_slack, "role list", STRANGER))
    for user, (role, _, _) in PEOPLE.items():
        assert f"*{role}*: <@{user}>" in roles
    listed = rendered(command(baton, fake_slack, "list", STRANGER))
    assert "*Initiatives* (4)" in listed and titles_shown(listed) == {ONBOARDING, ERP, PRICING, COACH}
    # only admins set Baton up, and a refusal says who can
    refused = rendered(command(baton, fake_slack, f"role set CFO <@{STRANGER}|x>", CFO))
    assert "Only admins can change roles" in refused and f"<@{ADMIN}>" in refused
    assert "Only admins can import" in rendered(command(baton, fake_slack, "import", CFO))


# -- each owner sees their initiatives --------------------------------------------------------------
def test_each_owner_sees_their_initiatives_in_the_app_home_with_update_buttons(
    baton: RunningBaton, fake_slack: FakeSlack, onboarded: None
) -> None:
    for user, titles in MINE.items():
        assert open_home(baton, user).status_code == 200
        home = published(fake_slack, user)
        assert home["type"] == "home" and titles_shown(home) == set(titles)
        assert len(update_buttons(home)) == len(titles)
    open_home(baton, STRANGER)
    assert update_buttons(published(fake_slack, STRANGER)) == []


# -- one click: the Monday DM at 09:00 in each owner's time zone -------------------------------------
def test_the_monday_dm_comes_at_nine_in_each_owners_zone_and_on_track_is_one_click(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, onboarded: None
) -> None:
    assert run_checkin(baton, fake_slack, clock, MONDAY_PARIS_9 - timedelta(minutes=1)).startswith(
        "checkin: 0 queued"
    )
    assert run_checkin(baton, fake_slack, clock, MONDAY_PARIS_9).startswith("checkin: 4 queued")
    wait_for(lambda: all(dm_of(fake_slack, user) for user in (OPS, PMO, SALES, CHRO)))
    assert not dm_of(fake_slack, CFO) and not dm_of(fake_slack, IT)  # 08:00 in London, 03:00 in New York
    assert run_checkin(baton, fake_slack, clock, MONDAY_LONDON_9).startswith("checkin: 1 queued")
    wait_for(lambda: dm_of(fake_slack, CFO))
    assert not dm_of(fake_slack, IT)
    assert run_checkin(baton, fake_slack, clock, MONDAY_NEW_YORK_9).startswith("checkin: 1 queued")
    wait_for(lambda: dm_of(fake_slack, IT))
    for user, titles in MINE.items():
        [dm] = dm_of(fake_slack, user)  # one DM each, listing their initiatives
        assert titles_shown(dm) == set(titles)
    assert "Point 2026-W48" in dm_of(fake_slack, CHRO)[0]["text"]  # the CHRO reads French

    # the Ops Manager clicks On track: recorded, and the DM says so in place, without buttons to click again
    [dm] = dm_of(fake_slack, OPS)
    block = next(b for b in dm["blocks"] if b.get("block_id", "").startswith(ids.PROMPT_ITEM_BLOCK))
    onboarding = int(block["block_id"].removeprefix(ids.PROMPT_ITEM_BLOCK))
    assert click(baton, fake_slack, dm, ANSWER["on_track"], onboarding, user=OPS).status_code == 200
    shown = wait_for(lambda: "All done" in json.dumps(dm_of(fake_slack, OPS)) and dm_of(fake_slack, OPS))
    assert len(shown) == 1 and "On track" in json.dumps(shown[0], ensure_ascii=False)
    assert not set(ANSWER.values()) & action_ids(shown[0]["blocks"])
    who = rendered(command(baton, fake_slack, "who", ADMIN))
    assert "Still to update for 2026-W48* (5)" in who and f"<@{OPS}>" not in who and f"<@{IT}>" in who


# -- one click: the App Home's Update button, then one submit of the prefilled modal -----------------
def test_the_app_home_update_button_and_one_submit_of_the_prefilled_modal(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, onboarded: None
) -> None:
    first = open_update_from_home(baton, fake_slack, IT, ERP)  # last week: the first answer, typed
    assert (
        submit(baton, first, IT, status={"value": "at_risk"}, kpi_value="40", comment="Wave 1 live") is None
    )
    wait_for(lambda: dm_of(fake_slack, IT))  # confirmed by DM

    clock.now = MONDAY_NEW_YORK_9  # a week later: the modal starts from that answer
    modal = open_update_from_home(baton, fake_slack, IT, ERP)
    blocks = {b.get("block_id"): b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert blocks[ids.STATUS_BLOCK]["initial_option"]["value"] == "at_risk"
    assert blocks[ids.KPI_BLOCK]["initial_value"] == "40"
    assert submit(baton, modal, IT) is None  # one submit, nothing typed
    confirmation = wait_for(lambda: len(dm_of(fake_slack, IT)) == 2 and dm_of(fake_slack, IT)[-1])
    assert ERP in json.dumps(confirmation, ensure_ascii=False)
    status = rendered(command(baton, fake_slack, "status erp", PMO))
    assert status.count("At risk") >= 2 and "2026-W48" in status and "2026-W47" in status
    home = published(fake_slack, IT, 4)  # rebuilt after the update: answered this cycle
    assert "1 of 1 answered" in json.dumps(home, ensure_ascii=False)


# -- a non-owner is refused, told who can ----------------------------------------------------------
def test_a_non_owner_update_is_refused_naming_who_can(
    baton: RunningBaton, fake_slack: FakeSlack, onboarded: None
) -> None:
    refused = rendered(command(baton, fake_slack, "update erp", STRANGER))
    assert f"Only the people responsible for *{ERP}*" in refused
    assert f"<@{PMO}>" in refused and f"<@{IT}>" in refused and "admins" in refused
    refused = rendered(command(baton, fake_slack, "update revue prix", OPS))  # an owner, of something else
    assert f"<@{CFO}>" in refused and f"<@{SALES}>" in refused
    assert fake_slack.calls_to("views.open")[1:] == []  # only the import modal ever opened


def test_a_non_owner_gets_no_picker_and_a_stale_modal_is_refused_on_submit(
    baton: RunningBaton, fake_slack: FakeSlack, onboarded: None
) -> None:
    """`/okr update` without a name offers only what the asker may update: a stranger is told so, with no
    modal. A modal opened before its owner lost the role is refused on submit, in the modal."""
    stranger = rendered(command(baton, fake_slack, "update", STRANGER))
    assert "You cannot update any of these initiatives" in stranger
    assert fake_slack.calls_to("views.open")[1:] == []  # only the import modal ever opened

    post_signed(baton.url, slash_command_body("update", user=OPS, response_url=fake_slack.response_url()))
    modal = wait_for(lambda: fake_slack.calls_to("views.open")[1:])[0]["view"]
    picker = next(b for b in modal["blocks"] if b.get("block_id") == ids.INITIATIVE_BLOCK)["element"]
    assert [o["text"]["text"] for o in picker["options"]] == [ONBOARDING]  # theirs only
    rendered(command(baton, fake_slack, f"role set Ops Manager <@{PMO}>", ADMIN))  # OPS hands it over
    answer = submit(baton, modal, OPS, initiative=picker["options"][0], status={"value": "done"})
    assert answer is not None and answer["response_action"] == "errors"
    assert "You cannot update this initiative" in json.dumps(answer["errors"])
    assert "No update yet" in rendered(command(baton, fake_slack, "status onboarding", ADMIN))


# -- status, who, list mine: English and French ------------------------------------------------------
def test_status_who_and_list_mine_answer_in_english_and_in_french(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, onboarded: None
) -> None:
    run_checkin(baton, fake_slack, clock, MONDAY_PARIS_9)  # the Paris owners' Monday DMs
    wait_for(lambda: dm_of(fake_slack, CHRO))
    modal = open_update_from_home(baton, fake_slack, PMO, ERP)
    submit(baton, modal, PMO, status={"value": "off_track"}, kpi_value="3", comment="Wave 2 slipped")
    wait_for(lambda: "Off track" in json.dumps(dm_of(fake_slack, PMO)))

    english = rendered(command(baton, fake_slack, "status erp", CFO))
    assert f"*{ERP}*" in english and "Off track" in english and "Wave 2 slipped" in english
    assert f"*R* (responsible): PMO (<@{PMO}>), IT (<@{IT}>)" in english
    french = rendered(command(baton, fake_slack, "status erp", CHRO))
    assert (
        "Hors trajectoire" in french and "*R* (responsable) : PMO" in french and "Derniers points" in french
    )

    who = rendered(command(baton, fake_slack, "who", CFO))
    assert "*Still to update for 2026-W48* (3)" in who and f"<@{PMO}>" not in who
    assert f"<@{IT}>" not in who  # ERP is answered, by its other R
    assert said(f"<@{CHRO}> — {COACH}") in who and said(f"<@{SALES}> — {PRICING}") in who
    assert f"<@{CFO}>" not in who  # London's 09:00 has not come: not asked yet, so not late
    qui = rendered(command(baton, fake_slack, "who", CHRO))
    assert "*Points encore attendus pour 2026-W48* (3)" in qui and said(f"<@{OPS}> — {ONBOARDING}") in qui

    mine = rendered(command(baton, fake_slack, "list mine", CFO))
    assert "*Your initiatives* (1)" in mine and titles_shown(mine) == {PRICING}
    miennes = rendered(command(baton, fake_slack, "list mine", CHRO))
    assert "*Vos initiatives* (1)" in miennes and titles_shown(miennes) == {COACH}
    assert "*Your initiatives* (0)" in rendered(command(baton, fake_slack, "list mine", STRANGER))
    open_home(baton, CHRO)
    assert "*Vos initiatives* (1)" in json.dumps(published(fake_slack, CHRO), ensure_ascii=False)


def test_a_french_newcomer_is_answered_in_french_from_the_first_command(
    baton: RunningBaton, fake_slack: FakeSlack, onboarded: None
) -> None:
    assert "*Vos initiatives* (1)" in rendered(command(baton, fake_slack, "list mine", CHRO))
    open_home(baton, CHRO)
    home = published(fake_slack, CHRO)
    assert "*Vos initiatives* (1)" in json.dumps(home, ensure_ascii=False)
    assert {b["text"]["text"] for b in update_buttons(home)} == {"Mettre à jour"}


# -- <!channel> in a comment reaches no one -------------------------------------------------------
HOSTILE = "<!channel> <!here> <!everyone> read <https://evil.example|this>"


def test_a_comment_holding_channel_pings_no_one_anywhere(
    baton: RunningBaton, fake_slack: FakeSlack, clock: ManualClock, onboarded: None
) -> None:
    clock.now = MONDAY_PARIS_9
    run_checkin(baton, fake_slack, clock, MONDAY_PARIS_9)
    [dm] = wait_for(lambda: dm_of(fake_slack, CHRO))
    block = next(b for b in dm["blocks"] if b.get("block_id", "").startswith(ids.PROMPT_ITEM_BLOCK))
    coach = int(block["block_id"].removeprefix(ids.PROMPT_ITEM_BLOCK))
    click(baton, fake_slack, dm, ids.PROMPT_DETAILS, coach, user=CHRO)  # the DM's Update details
    modal = wait_for(lambda: fake_slack.calls_to("views.open")[1:])[0]["view"]
    hostile = {name: HOSTILE for name in ("comment", "blockers", "next_steps", "decision_needed")}
    assert submit(baton, modal, CHRO, status={"value": "at_risk"}, **hostile) is None
    wait_for(lambda: "À risque" in json.dumps(dm_of(fake_slack, CHRO), ensure_ascii=False))  # DM rewritten

    # everywhere the comment shows: the DM, the owner's home, /okr status, who, the digest (preview and post)
    for user in (CHRO, ADMIN):
        open_home(baton, user)
    for text in ("status coach", "who", "list", "digest"):
        command(baton, fake_slack, text, ADMIN)
    clock.now = datetime(2026, 11, 23, 15, 5, tzinfo=UTC)  # Monday 16:05 in Paris: the digest
    run_ritual("digest", baton.deps, WebClient(token=fake_slack.token, base_url=fake_slack.api_url))
    digest = wait_for(lambda: fake_slack.messages(LEADERSHIP_CHANNEL))
    assert "&lt;!channel&gt;" in json.dumps(digest) and "&lt;https://evil.example|this&gt;" in json.dumps(
        digest
    )
    status = json.dumps(fake_slack.responses, ensure_ascii=False)
    assert "&lt;!channel&gt;" in status

    everything = json.dumps(
        [call.args for call in fake_slack.calls] + fake_slack.responses + fake_slack.posts(),
        ensure_ascii=False,
    )
    for mention in ("<!channel>", "<!here>", "<!everyone>", "<https://evil.example"):
        assert mention not in everything
