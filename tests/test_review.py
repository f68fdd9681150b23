"""The quarterly review: on the next quarter's first morning, once; scores as OKR practice gives them;
`baton export --quarter` carries it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.domain.cycles import quarter_cycles
from bot.rituals.review import review_export, run_review
from bot.sandbox.webapi import FakeSlack
from storage.models import Decision
from tests.conftest import run_baton
from tests.test_committee import posts_about, ritual_at
from tests.test_escalation_workflow import BOSS, OWNER, TITLE, report, seed

NEXT_QUARTER = datetime(2027, 1, 1, 8, tzinfo=UTC)  # 09:00 in Paris on 1 January


def quarter_with_history(session: Session, fake_slack: FakeSlack) -> None:
    initiative = seed(session, fake_slack, status="on_track")
    session.add(report(initiative, "2026-W45", "on_track", kpi_value=40.0))
    session.add(report(initiative, "2026-W50", "at_risk", kpi_value=70.0))
    session.add(
        Decision(
            initiative_id=initiative.id or 0,
            decision="Add a second integrator",
            decided_by=BOSS,
            decided_at=datetime(2026, 12, 2, 10, tzinfo=UTC),
            follow_up_owner=OWNER,
            follow_up_due=date(2027, 1, 15),
        )
    )
    session.commit()


def test_the_review_comes_out_at_quarter_end_once_with_scores(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session
) -> None:
    review = ritual_at(run_review, engine, settings, fake_slack)
    quarter_with_history(session, fake_slack)
    assert review(datetime(2026, 12, 31, 16, tzinfo=UTC)) == ["missed"]  # Q3's
    assert review(NEXT_QUARTER - timedelta(minutes=1)) == ["not due"]
    assert posts_about(fake_slack, "review") == []
    assert review(NEXT_QUARTER) == ["queued"]
    assert review(NEXT_QUARTER + timedelta(days=2)) == ["sent"]  # claimed, and posted
    [posted] = posts_about(fake_slack, "review")
    text = json.dumps(posted["blocks"], ensure_ascii=False)
    assert "Quarterly review — 2026-Q4" in text and TITLE in text
    assert "0 % → target 100 % → reached 70 %" in text and "score *0.70*" in text
    assert "Add a second integrator" in text
    assert ":large_orange_circle:" in text and ":white_circle:" in text  # W50 at risk; weeks unanswered


def test_the_review_is_exported_with_the_quarter(
    engine: Engine, settings: Settings, fake_slack: FakeSlack, session: Session, env: dict, tmp_path: Path
) -> None:
    quarter_with_history(session, fake_slack)
    [item] = review_export(session, "2026-Q4")
    assert (item["initiative"], item["baseline"], item["target"], item["reached"], item["score"]) == (
        TITLE,
        0.0,
        100.0,
        70.0,
        0.7,
    )
    assert list(item["statuses"]) == quarter_cycles("2026-Q4")
    assert (item["statuses"]["2026-W45"], item["statuses"]["2026-W50"], item["statuses"]["2026-W46"]) == (
        "on_track",
        "at_risk",
        None,
    )
    assert [d["decision"] for d in item["decisions"]] == ["Add a second integrator"]
    done = run_baton(env, tmp_path, "export", "--quarter", "2026-Q4")
    assert done.returncode == 0, done.stderr
    exported = json.loads(done.stdout)
    assert exported["review"][0]["score"] == 0.7
    assert "review" not in json.loads(run_baton(env, tmp_path, "export").stdout)
