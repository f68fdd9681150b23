"""The digest's content over crafted histories: counts and deltas, arrows, trends, pace, suspicious
updates, missed cycles, escalations and decisions; French; escaping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.domain.digest import DigestData, Flag, Unasked
from bot.domain.progress import Pace
from bot.rituals.digest import build_digest
from bot.sandbox.blockkit import message_problem
from bot.views.digest import digest_messages, preview_message
from bot.workspace import load_workspace
from storage.models import (
    CheckIn,
    CycleSkip,
    Decision,
    Escalation,
    EscalationState,
    RunState,
    Status,
    WorkspaceSettings,
)
from tests.digest_fixtures import DIGEST_TIME, Portfolio

SILENT, SKIPPER = "U0SILENT01", "U0SKIPPER1"


@pytest.fixture
def crafted(session: Session) -> DigestData:
    p = Portfolio(session)
    erp = p.initiative("ERP", baseline=0, target=100)
    p.checkins(
        erp,
        {
            "2026-W45": ("on_track", 30, "Going well"),
            "2026-W46": ("on_track", 40),
            "2026-W47": ("on_track", 50),
            "2026-W48": ("at_risk", 52, "Vendor late"),
        },
    )
    crm = p.initiative("CRM", department="Sales", baseline=0, target=40, planned={"2026-W48": 20})
    p.checkins(
        crm,
        {
            "2026-W46": ("on_track", 20, "All good"),
            "2026-W47": ("on_track", 20, "All  good"),
            "2026-W48": ("on_track", 20, "all good"),
        },
    )
    quiet = p.initiative("Quiet", department="Ops", owners=(SILENT,), baseline=0, target=10)
    p.checkins(quiet, {"2026-W44": ("on_track", 2)})
    decide = p.initiative("Decide", baseline=100, target=80, direction="down")
    p.checkins(
        decide,
        {
            "2026-W47": ("at_risk", 95),
            "2026-W48": ("off_track", 97, "Stuck", "Budget <!channel> extra"),
        },
    )
    done = p.initiative("Closed", department="Ops", owners=(SILENT,))
    p.checkins(done, {"2026-W46": ("done", None)})
    skipped = p.initiative("Skipped", department="Ops", owners=(SKIPPER,))
    p.checkins(skipped, {"2026-W47": ("on_track", None)})
    session.add(CycleSkip(user_id=SKIPPER, cycle="2026-W48", created_at=DIGEST_TIME))
    p.prompted(SILENT, "2026-W45", "2026-W46", "2026-W47", "2026-W48")
    p.prompted(SKIPPER, "2026-W47", "2026-W48")
    p.prompted("U0OWNER001", "2026-W45", "2026-W46", "2026-W47", "2026-W48")
    session.add(
        Escalation(
            initiative_id=erp.id,  # type: ignore[arg-type]
            rule="off_track",
            open_key=f"{erp.id}:off_track",
            reason="Off track <b>twice</b>",
            cycle="2026-W47",
            opened_at=DIGEST_TIME - timedelta(days=7),
            updated_at=DIGEST_TIME,
            sla_deadline=DIGEST_TIME,
        )
    )
    session.add(
        Escalation(
            initiative_id=crm.id,  # type: ignore[arg-type]
            rule="silent",
            state=EscalationState.RESOLVED,
            reason="closed already",
            cycle="2026-W45",
            opened_at=DIGEST_TIME - timedelta(days=20),
            updated_at=DIGEST_TIME,
            sla_deadline=DIGEST_TIME,
        )
    )
    for decided_at, text in (
        (DIGEST_TIME - timedelta(days=2), "Hire a contractor"),
        (datetime(2026, 11, 10, tzinfo=UTC), "Old one"),
    ):
        session.add(
            Decision(
                initiative_id=crm.id,  # type: ignore[arg-type]
                decision=text,
                decided_by="U0CEO00001",
                decided_at=decided_at,
                follow_up_owner="U0OWNER001",
            )
        )
    session.commit()
    return data_of(session)


def data_of(session: Session, settings: Settings | None = None) -> DigestData:
    from bot.config import load_settings

    settings = settings or load_settings(_env_file=None, baton_timezone="Europe/Paris")
    return build_digest(session, load_workspace(session, settings), DIGEST_TIME)


def text_of(messages: list[dict]) -> str:
    return "\n".join(json.dumps(m["blocks"], ensure_ascii=False) for m in messages)


def sections(message: dict) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


def by_title(data: DigestData) -> dict:
    return {item.title: item for item in data.items}


def test_counts_by_status_with_the_change_since_last_week(crafted: DigestData) -> None:
    message, detail = digest_messages(crafted)
    assert message["blocks"][0]["text"]["text"] == "Weekly digest — 2026-W48"
    summary = sections(message)[0]
    assert summary.startswith("*6 initiatives* — ")
    assert ":large_green_circle: On track: *3* (−1)" in summary  # ERP turned orange
    assert ":large_orange_circle: At risk: *1*" in summary and "At risk: *1* (" not in summary
    assert ":red_circle: Off track: *1* (+1)" in summary
    assert ":white_check_mark: Done: *1*" in summary
    assert message["text"] == "Weekly digest 2026-W48: 3 on track, 1 at risk, 1 off track, 1 done"
    assert "2 status change(s) since last week" in summary
    # each department's counts open its part of the thread, under its heading
    headings = {
        b["text"]["text"]: detail["blocks"][n + 1]["elements"][0]["text"]
        for n, b in enumerate(detail["blocks"])
        if b["type"] == "header"
    }
    assert list(headings) == ["Finance", "Ops", "Sales"]
    assert headings["Finance"] == (
        ":large_green_circle: On track: *0* (−1) · :large_orange_circle: At risk: *1* · "
        ":red_circle: Off track: *1* (+1)"
    )
    assert headings["Sales"].startswith(":large_green_circle: On track: *1*")


def test_status_changes_show_arrows(crafted: DigestData) -> None:
    items = by_title(crafted)
    assert items["ERP"].previous_status is Status.ON_TRACK and items["ERP"].changed
    assert not items["CRM"].changed and not items["Quiet"].changed
    text = text_of(digest_messages(crafted))
    assert "*ERP*  (:large_green_circle: → :large_orange_circle:)" in text
    assert "*Decide*  (:large_orange_circle: → :red_circle:)" in text
    head = sections(digest_messages(crafted)[0])
    assert "*Turned red this week* (1)\n• :red_circle: Decide (was :large_orange_circle:)" in head


def test_kpi_trend_and_pace_against_the_plan(crafted: DigestData) -> None:
    items = by_title(crafted)
    erp = items["ERP"]
    assert erp.trend == (None, None, None, None, 30, 40, 50, 52)
    assert erp.pace is Pace.BEHIND  # the straight line from 0 (1 Oct) to 100 (31 Dec) is at 58 on 23 Nov
    assert erp.planned_now == pytest.approx(100 * 53 / 91)
    assert erp.progress == 0.52
    assert items["CRM"].pace is Pace.ON_PACE  # its plan says 20 in W48
    assert items["Decide"].pace is Pace.BEHIND  # down from 100 toward 80: 97 is behind
    block = next(s for s in sections(digest_messages(crafted)[1]) if "*ERP*" in s)
    assert "KPI: 52 % (target 100 %) `    ▁▄▇█`" in block  # the sparkline scales 30..52, gaps blank
    assert ":small_red_triangle_down: behind plan (58.24 %)" in block
    assert "trend: " in block and "by 2026-12-31" in block
    crm = next(s for s in sections(digest_messages(crafted)[1]) if "*CRM*" in s)
    assert ":white_check_mark: on pace (plan 20 %)" in crm


def test_suspicious_updates_are_flagged(crafted: DigestData) -> None:
    items = by_title(crafted)
    assert items["CRM"].flags == (Flag.GREEN_FLAT, Flag.SAME_TEXT)  # on pace, but flat; same words
    assert items["ERP"].flags == ()  # at risk: honest
    head, detail = digest_messages(crafted)
    assert ":mag: 1 update(s) to double-check, marked in the thread" in text_of([head])
    assert (
        ":mag: Double-check: on track, but the KPI has not moved in three weeks; word for word last "
        "week's comment" in next(s for s in sections(detail) if "*CRM*" in s)
    )


def test_green_while_behind_its_path_is_flagged(session: Session) -> None:
    p = Portfolio(session)
    rosy = p.initiative("Rosy", baseline=0, target=100)
    p.checkins(rosy, {"2026-W47": ("on_track", 10), "2026-W48": ("on_track", 12)})
    session.commit()
    [item] = data_of(session).items
    assert item.flags == (Flag.GREEN_BEHIND,)


def test_who_has_not_answered_with_consecutive_misses(crafted: DigestData) -> None:
    [quiet] = [m for m in crafted.missing if m.user == SILENT]
    assert quiet.titles == ("Quiet",) and quiet.streak == 4  # W45..W48; "Closed" is done
    assert [m.user for m in crafted.missing] == [SILENT]  # everyone else answered, or skipped this week
    head, detail = digest_messages(crafted)
    assert f"*Asked, not answered* (1): <@{SILENT}> (4 weeks)" in sections(head)
    quiet_block = next(s for s in sections(detail) if "*Quiet*" in s)
    assert ":hourglass: no update for 4 week(s)" in quiet_block
    assert f":hourglass: Asked, no answer yet: <@{SILENT}>" in quiet_block


def test_only_people_who_were_asked_count_as_not_answering(session: Session) -> None:
    """Away one week, on holiday another: the streak counts the weeks asked. A skipper, an owner away this
    week, one whose initiative came after their prompt, and one whose prompt never went out are shown
    apart, as not asked, and never as not answering."""
    p = Portfolio(session)
    quiet = p.initiative("Quiet", owners=(SILENT,), baseline=0, target=10)
    p.checkins(quiet, {"2026-W43": ("on_track", 2)})
    p.prompted(SILENT, "2026-W44", "2026-W46", "2026-W48")  # W45 and W47: out of office
    p.prompted(SILENT, "2026-W45", "2026-W47", state=RunState.SKIPPED, error="out of office")
    away, skipper, late, gone = "U0AWAY0001", SKIPPER, "U0LATE0001", "U0GONE0001"
    p.initiative("Away", owners=(away,))
    p.prompted(away, "2026-W48", state=RunState.SKIPPED, error="out of office")
    p.initiative("Skipped", owners=(skipper,))
    p.prompted(skipper, "2026-W48")
    session.add(CycleSkip(user_id=skipper, cycle="2026-W48", created_at=DIGEST_TIME))
    p.initiative("Brand new", owners=(late,), created=DIGEST_TIME - timedelta(hours=2))
    p.prompted(late, "2026-W48")  # at 08:00, before the initiative existed
    p.initiative("Never sent", owners=(gone,))
    p.prompted(gone, "2026-W48", state=RunState.SKIPPED, error="missed: due longer ago than the grace window")
    session.commit()
    data = data_of(session)
    assert [(m.user, m.titles, m.streak) for m in data.missing] == [(SILENT, ("Quiet",), 3)]
    assert {(n.user, n.why) for n in data.not_asked} == {
        (away, Unasked.AWAY),
        (skipper, Unasked.SKIPPED),
        (late, Unasked.NEW),
        (gone, Unasked.NOT_SENT),
    }
    head = text_of(digest_messages(data)[:1])
    assert (
        ":zzz: 4 owner(s) not asked this week, so not chased: 1 out of office, 1 skipped this week, "
        "1 the initiative came after their check-in, 1 Baton could not send their check-in" in head
    )
    assert away not in head and skipper not in head  # a count, nobody named
    assert f"*Asked, not answered* (1): <@{SILENT}> (3 weeks)" in head


def test_before_anyone_is_asked_nobody_is_missing(session: Session) -> None:
    p = Portfolio(session)
    p.initiative("Quiet", owners=(SILENT,))
    session.commit()
    data = data_of(session)
    assert data.missing == () and [(n.user, n.why) for n in data.not_asked] == [(SILENT, Unasked.NOT_YET)]


def test_open_escalations_decisions_needed_and_decisions_taken(crafted: DigestData) -> None:
    head, detail = digest_messages(crafted)
    shown = sections(head)
    assert (
        "*Escalations waiting* (1, most urgent first)\n"
        "• :rotating_light: ERP — off track, open since 2026-W47" in shown
    )
    assert "*Decisions needed* (1)\n• :raising_hand: Decide — Budget &lt;!channel&gt; extra" in shown
    assert ":white_check_mark: 1 decision(s) taken since the last digest: CRM" in text_of([head])
    erp = next(s for s in sections(detail) if "*ERP*" in s)
    assert (
        ":rotating_light: Escalation: off track, open since 2026-W47: Off track &lt;b&gt;twice&lt;/b&gt;"
        in erp
    )
    crm = next(s for s in sections(detail) if "*CRM*" in s)
    assert (
        ":white_check_mark: Decided: Hire a contractor (<@U0CEO00001>, 2026-11-21); "
        "follow-up: <@U0OWNER001>, due –" in crm
    )
    text = text_of([head, detail])
    assert "closed already" not in text and "Old one" not in text


def test_each_initiative_has_a_details_button(crafted: DigestData) -> None:
    _, message = digest_messages(crafted)
    buttons = [b["accessory"] for b in message["blocks"] if "accessory" in b]
    assert [int(b["value"]) for b in buttons] == [item.id for item in crafted.items]
    assert {b["action_id"] for b in buttons} == {"digest_details"}


def test_in_french(session: Session, crafted: DigestData) -> None:
    messages = digest_messages(crafted, "fr")
    text = text_of(messages)
    assert messages[0]["blocks"][0]["text"]["text"] == "Synthèse hebdomadaire — 2026-W48"
    assert ":large_green_circle: En bonne voie : *3* (−1)" in text
    assert "*Sollicités, sans réponse* (1) : <@U0SILENT01> (4 semaines)" in text
    assert "*Passées au rouge cette semaine* (1)" in text and "*Décisions attendues* (1)" in text
    assert ":mag: 1 point(s) à vérifier" in text and "Responsable : " in text
    assert "Ops (suite)" not in text and messages[1]["blocks"][-1]["elements"][0]["text"] == "Partie 1 sur 1"
    assert messages[0]["text"].startswith("Synthèse hebdomadaire 2026-W48 : 3 en bonne voie")
    assert "Weekly" not in text and "On track" not in text


def test_the_workspace_language_is_the_digest_language(
    session: Session, crafted: DigestData, settings: Settings
) -> None:
    session.add(WorkspaceSettings(language="fr"))
    session.commit()
    assert load_workspace(session, settings).language == "fr"


def test_user_text_is_escaped(session: Session) -> None:
    p = Portfolio(session)
    hostile = p.initiative("ERP <!channel>", department="Ops <!here>", owners=("U1> <!channel",))
    p.checkins(
        hostile,
        {"2026-W48": ("at_risk", None, "Done <!channel> see <https://evil.example|click> & <@U0VICTIM1>")},
    )
    session.commit()
    messages = digest_messages(data_of(session))
    for message in messages:
        assert message_problem(message["text"], message["blocks"]) is None
    mrkdwn = [b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section"]
    assert not any("<!" in text or "<http" in text or "<@U0VICTIM1>" in text for text in mrkdwn)
    text = text_of(messages)
    assert "&lt;!channel&gt; see &lt;https://evil.example|click&gt; &amp; &lt;@U0VICTIM1&gt;" in text
    assert "<@U1&gt; &lt;!channel>" in text  # an owner id is a mention, its content escaped


def test_a_team_digest_shows_only_its_department(session: Session, crafted: DigestData) -> None:
    from bot.config import load_settings

    settings = load_settings(_env_file=None, baton_timezone="Europe/Paris")
    team = build_digest(session, load_workspace(session, settings), DIGEST_TIME, department="Finance")
    assert [item.title for item in team.items] == ["Decide", "ERP"]
    head, detail = digest_messages(team)
    assert head["blocks"][0]["text"]["text"] == "Finance — weekly digest 2026-W48"
    text = text_of([head, detail])
    assert "CRM" not in text and "Quiet" not in text and "Ops" not in text
    assert "• :rotating_light: ERP" in text
    assert [b for b in detail["blocks"] if b["type"] == "header"] == []  # one department: no heading


def test_empty_portfolio(session: Session) -> None:
    [message] = digest_messages(data_of(session))
    assert message["text"] == "Weekly digest 2026-W48: no initiatives yet"
    assert "No initiatives yet" in sections(message)[0]
    assert message_problem(message["text"], message["blocks"]) is None


def test_preview_is_the_first_message_and_says_how_many_parts_follow(session: Session) -> None:
    p = Portfolio(session)
    for n in range(120):
        p.initiative(f"Initiative {n:03d}")
    session.commit()
    data = data_of(session)
    messages = digest_messages(data)
    preview = preview_message(data)
    assert preview["response_type"] == "ephemeral" and len(messages) > 1
    not_context = [b for b in messages[0]["blocks"] if b["type"] != "context"]
    assert [b for b in preview["blocks"] if b["type"] != "context"] == not_context
    assert ":thread:" not in text_of([preview])  # the preview has no thread to point to
    assert preview["blocks"][-1]["elements"][0]["text"] == (
        f"_Preview: once posted, the chart shows here and {len(messages) - 1} message(s) of detail follow "
        "in the thread._"
    )
    assert message_problem(preview["text"], preview["blocks"]) is None


def test_a_kpi_below_its_baseline_is_negative_progress_in_the_chart(session: Session) -> None:
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from bot import report

    p = Portfolio(session)
    backwards = p.initiative("Backwards", baseline=50, target=100)
    p.checkins(backwards, {"2026-W47": ("at_risk", 40), "2026-W48": ("off_track", 35)})
    session.commit()
    [item] = data_of(session).items
    assert item.progress == -0.3  # 15 points the wrong way on a 50-point span
    axes = Figure().subplots()
    report._progress(axes, data_of(session), "en")
    [bar] = axes.patches
    assert isinstance(bar, Rectangle) and bar.get_width() == pytest.approx(-30) and axes.get_xlim()[0] <= -30


def test_a_one_click_week_carries_the_last_kpi_value_and_is_not_judged_on_it(session: Session) -> None:
    """Measured 30 and 40, then two one-click weeks (a status, no number): the trend has no hole, the
    plan reads the known value, and neither "behind plan" nor "flat" is claimed on numbers nobody gave."""
    p = Portfolio(session)
    clicked = p.initiative("Clicked", baseline=0, target=100)
    p.checkins(
        clicked,
        {
            "2026-W45": ("on_track", 30),
            "2026-W46": ("on_track", 40),
            "2026-W47": ("on_track", None),
            "2026-W48": ("on_track", None),
        },
    )
    session.commit()
    [item] = data_of(session).items
    assert item.trend[-4:] == (30, 40, 40, 40)
    assert item.latest is not None and item.latest.carried and item.kpi_current == 40
    assert item.flags == ()  # on track and behind its path (58 on 23 November), but not measured again
    assert item.projection is not None  # drawn through 30 and 40 only
    text = text_of(digest_messages(data_of(session)))
    assert "no new value this week (last one carried)" in text and "behind plan" not in text


def test_a_decision_recorded_since_closes_the_question_it_answered(session: Session) -> None:
    p = Portfolio(session)
    budget = p.initiative("Budget")
    p.checkins(budget, {"2026-W48": ("off_track", None, "Stuck", "More budget?")})
    session.commit()
    assert [i.decision_needed for i in data_of(session).items] == ["More budget?"]
    asked_at = session.exec(
        select(CheckIn.submitted_at)
    ).one()  # Monday 10:00 plus the initiative's id in minutes
    session.add(
        Decision(
            initiative_id=budget.id,  # type: ignore[arg-type]
            decision="Yes, 20 k€ more",
            decided_by="U0CEO00001",
            decided_at=asked_at + timedelta(minutes=5),  # after the check-in
        )
    )
    session.commit()
    data = data_of(session)
    assert [i.decision_needed for i in data.items] == [None]
    text = text_of(digest_messages(data))
    assert "More budget?" not in text and "Yes, 20 k€ more" in text
