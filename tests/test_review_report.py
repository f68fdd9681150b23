"""`baton report --quarter Q --output review.pdf|.png|.html`: the quarterly review as a document someone can
put on a screen (title, ranking, groups, KPI baseline → target → reached, score bars, the status strip with
its legend, the decisions); before the quarter is over, `baton report` still writes the digest's chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from bot.domain.cycles import quarter_cycles
from bot.portfolio.closeout import Outcome, close_out
from bot.report import ReviewReport, review_html, review_pdf, review_png
from bot.rituals.review import quarter_review
from bot.sandbox.webapi import FakeSlack
from bot.views.review import Grade, grade
from storage.models import Initiative
from tests.conftest import ADMIN, run_baton
from tests.test_closeout import NEXT_QUARTER, quarter_with_history
from tests.test_escalation_workflow import TITLE, report

PNG = b"\x89PNG\r\n\x1a\n"


def portfolio(session: Session, fake_slack: FakeSlack, count: int = 30) -> None:
    """The seeded initiative (score 0.70) and `count` others, scored 0 to ~1, one with `$` in its title."""
    old = quarter_with_history(session, fake_slack)
    for number in range(count):
        initiative = Initiative(
            objective_id=old.objective_id,
            title=f"Initiative {number:02} $5M <b>",
            title_key=f"initiative {number:02}",
            kpi_name="Revenue",
            kpi_unit="%",
            kpi_baseline=0.0,
            kpi_target=100.0,
            created_at=datetime(2026, 10, 1, tzinfo=UTC),
            updated_at=datetime(2026, 10, 1, tzinfo=UTC),
        )
        session.add(initiative)
        session.flush()
        session.add(report(initiative, "2026-W48", "off_track", kpi_value=float(number * 3)))
    close_out(
        session,
        quarter="2026-Q4",
        today_quarter="2027-Q1",
        initiative_id=old.id or 0,
        outcome=Outcome.CARRIED_OVER,
        reason="Vendor late",
        actor=ADMIN,
        now=NEXT_QUARTER,
    )
    session.commit()


def test_grades_follow_googles_okr_scale() -> None:
    assert [grade(s) for s in (1.0, 0.7, 0.69, 0.4, 0.39, 0.0, None)] == [
        Grade.ACHIEVED,
        Grade.ACHIEVED,
        Grade.PARTLY,
        Grade.PARTLY,
        Grade.MISSED,
        Grade.MISSED,
        Grade.UNSCORED,
    ]


def test_the_review_document_ranks_groups_and_explains_itself(
    session: Session, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    portfolio(session, fake_slack)
    review = ReviewReport("2026-Q4", quarter_cycles("2026-Q4"), quarter_review(session, "2026-Q4"))
    ranks = [(g, item.score) for g, _, item in review.rows()]
    assert [s for _, s in ranks] == sorted((s for _, s in ranks), key=lambda s: -(s or 0))
    assert (ranks[0][0], ranks[-1][0]) == (Grade.ACHIEVED, Grade.MISSED)

    page = review_html(review, "en")
    assert "<h1>Quarterly review — 2026-Q4</h1>" in page
    groups = [page.index(f"{name} (") for name in ("Achieved", "Partly achieved", "Missed")]
    assert groups == sorted(groups)  # achieved, then partly, then missed
    order = [page.index(name) for name in ("Initiative 29", TITLE, "Initiative 20", "Initiative 00")]
    assert order == sorted(order)  # ranked by score: 0.87, 0.70, 0.60, 0
    assert "0 % → 100 % → 70 %" in page and "Carried over: Vendor late" in page
    assert "One dot per week, 2026-W40 → 2026-W53:" in page and "No update" not in page
    assert page.count('class="dot"') >= 31 * 14  # every initiative's strip, week by week
    assert "&lt;b&gt;" in page and "<b>" not in page  # people's text is escaped
    assert "Revue trimestrielle — 2026-Q4" in review_html(review, "fr")

    pdf = review_pdf(review, "en")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1 + 2  # scores, 31 rows
    assert review_pdf(review, "en") == pdf  # no creation date: the same review writes the same file
    png = review_png(review, "en")
    assert png.startswith(PNG)


def test_baton_report_writes_the_review_after_the_quarter_and_the_digest_before(
    session: Session, fake_slack: FakeSlack, env: dict[str, str], tmp_path: Path
) -> None:
    portfolio(session, fake_slack, count=3)
    after = "2027-01-05T10:00:00+00:00"
    for name in ("review.pdf", "review.png", "review.html"):
        done = run_baton(env, tmp_path, "report", "--quarter", "2026-Q4", "--output", name, "--at", after)
        assert done.returncode == 0, done.stderr
        assert "the 2026-Q4 review, 4 initiatives" in done.stdout
    assert (tmp_path / "review.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "review.png").read_bytes().startswith(PNG)
    assert "Quarterly review — 2026-Q4" in (tmp_path / "review.html").read_text(encoding="utf-8")
    # while the quarter runs: the digest's report, as before; asked for, the review
    during = "2026-12-01T10:00:00+00:00"
    done = run_baton(
        env, tmp_path, "report", "--quarter", "2026-Q4", "--output", "digest.html", "--at", during
    )
    assert done.returncode == 0 and "as of 2026-W49" in done.stdout
    assert "Quarterly review" not in (tmp_path / "digest.html").read_text(encoding="utf-8")
    done = run_baton(
        env,
        tmp_path,
        "report",
        "--quarter",
        "2026-Q4",
        "--kind",
        "review",
        "--output",
        "r.html",
        "--at",
        during,
    )
    assert done.returncode == 0 and "review" in done.stdout
    refused = run_baton(
        env,
        tmp_path,
        "report",
        "--quarter",
        "2026-Q4",
        "--kind",
        "digest",
        "--output",
        "d.pdf",
        "--at",
        during,
    )
    assert (
        refused.returncode != 0
        and "Traceback" not in refused.stderr
        and ".pdf is the review's" in refused.stderr
    )
