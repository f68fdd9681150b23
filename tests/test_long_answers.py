"""`/okr who`, `/okr list` and `/okr decisions` against big portfolios, through signed requests: the
ephemeral answer fits Slack's text budget per message, the fake accepts it, and it says how many it
does not show (and how to narrow it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap
from bot.sandbox.blockkit import message_problem
from bot.sandbox.webapi import FakeSlack
from bot.views.blocks import MESSAGE_TEXT_BUDGET, text_size
from storage.models import Decision, Initiative
from tests.conftest import ManualClock, RunningBaton
from tests.digest_fixtures import record_prompts
from tests.test_portfolio_commands import STRANGER, command, rendered

HOSTILE = "R&D <!channel> 🚀 Été déjà & <@U0VICTIM1> "
TITLE = (HOSTILE * 20)[:600]  # the roadmap import caps no title length


def big_roadmap(session: Session, fake: FakeSlack, count: int) -> list[Initiative]:
    """`count` initiatives with long hostile titles, each owned by a different person."""
    lines = ["| Initiative | Objectif | KPI | Responsable |", "|---|---|---|---|"]
    for n in range(count):
        title = f"{n:03d} {TITLE}".replace("|", "/").replace("<@U0VICTIM1>", "victim")
        lines.append(f"| {title} | Objective {n % 7} | KPI {n} | <@U0LATE{n:04d}> |")
    rows = parse_roadmap("\n".join(lines) + "\n", "big.md")
    import_roadmap(session, rows, quarter="2026-Q4", actor="test", now=datetime(2026, 11, 16, tzinfo=UTC))
    record_prompts(session, [f"U0LATE{n:04d}" for n in range(count)], "2026-W48")  # all asked on Monday
    session.commit()
    fake.add_user(STRANGER, name=STRANGER)
    return list(session.exec(select(Initiative)))


def accepted(answer: dict) -> None:
    assert answer["response_type"] == "ephemeral"
    assert message_problem(answer.get("text"), answer["blocks"]) is None
    assert text_size(answer["blocks"]) <= MESSAGE_TEXT_BUDGET


def not_shown(answer: dict, pattern: str) -> int:
    found = re.search(pattern, rendered(answer))
    assert found, rendered(answer)[-300:]
    return int(found[1])


def test_okr_who_with_150_late_owners_fits_and_says_how_many_more(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    big_roadmap(session, fake_slack, 150)
    answer = command(baton, fake_slack, "who", STRANGER)
    accepted(answer)
    shown = len(set(re.findall(r"<@U0LATE\d{4}>", rendered(answer))))
    assert 0 < shown < 150
    assert not_shown(answer, r"and (\d+) more people not shown") == 150 - shown


def test_okr_list_with_200_initiatives_fits_and_says_how_to_narrow_it(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    big_roadmap(session, fake_slack, 200)
    answer = command(baton, fake_slack, "list", STRANGER)
    accepted(answer)
    shown = len(set(re.findall(r"\*(\d{3}) R&amp;D", rendered(answer))))
    assert 0 < shown < 200
    assert not_shown(answer, r"and (\d+) more not shown") == 200 - shown
    assert "/okr list team NAME" in rendered(answer)


def test_okr_decisions_with_60_long_decisions_fits_and_says_how_many_more(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session, clock: ManualClock
) -> None:
    initiatives = big_roadmap(session, fake_slack, 3)
    for n in range(60):
        session.add(
            Decision(
                initiative_id=initiatives[n % 3].id or 0,
                decision=f"D{n:02d} " + HOSTILE * 40,
                rationale=HOSTILE * 40,
                decided_by="U0BOSS001",
                decided_at=clock() - timedelta(hours=n + 1),
            )
        )
    session.commit()
    answer = command(baton, fake_slack, "decisions", STRANGER)
    accepted(answer)
    shown = len(set(re.findall(r"D(\d{2}) R&amp;D", rendered(answer))))
    assert 0 < shown < 60
    assert not_shown(answer, r"and (\d+) more not shown") == 60 - shown
