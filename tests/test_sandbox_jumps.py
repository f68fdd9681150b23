"""A clock jump says what became of each owner's prompt: sent on time or late, waiting for their
check-in hour or their next working morning, or skipped and why; in the page user's language.

The sandbox runs whole in this process (as in tests/test_sandbox_http.py), the demo loaded, its clock on
Friday 20 Nov 2026, 10:00 in Paris. Owners: Camille and Léa in Paris, Priya in London, Jordan in New York.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.sandbox.directory import CAMILLE, JORDAN, LEA, LEADERSHIP, OPERATIONS, PRIYA
from bot.sandbox.runner import Running, start
from storage.models import Away

FRIDAY_10_PARIS = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def sandbox(engine: Engine, database_url: str) -> Iterator[Running]:
    handle = start(port=0, database_url=database_url, start_at=FRIDAY_10_PARIS, demo=True)
    yield handle
    handle.stop()


def jump(sandbox: Running, key: str) -> str:
    response = httpx.post(f"{sandbox.url}sandbox/clock", data={"jump": key}, timeout=30)
    assert response.status_code == 200
    return str(response.json()["notice"])


def notice(sandbox: Running, user: str, here: str) -> str:
    query = {"as": user, "in": here, "since": "-1"}
    return str(httpx.get(f"{sandbox.url}sandbox/parts", params=query, timeout=10).json()["parts"]["notice"])


def fates(html: str) -> dict[str, tuple[str, str]]:
    """Each owner's line of the notice: {user id: (fate, text)}."""
    found = re.findall(r'<li data-owner="([^"]+)" data-fate="([^"]+)">([^<]*)</li>', html)
    return {owner: (fate, text) for owner, fate, text in found}


def test_monday_0900_in_paris_sends_paris_and_tells_who_waits(sandbox: Running) -> None:
    assert jump(sandbox, "monday-paris").startswith("It is now Monday 23 Nov 2026, 09:00 in Paris")
    shown = fates(notice(sandbox, CAMILLE.id, LEADERSHIP))
    assert set(shown) == {CAMILLE.id, LEA.id, JORDAN.id, PRIYA.id}  # every owner has a line
    assert shown[CAMILLE.id] == ("sent", "Camille Laurent: sent, Mon 23 Nov 09:00 (Europe/Paris)")
    assert shown[LEA.id][0] == "sent"
    assert shown[PRIYA.id] == (
        "due_later",
        "Priya Shah: waiting for their check-in hour, Mon 23 Nov 09:00 (Europe/London)",
    )
    assert shown[JORDAN.id] == (
        "due_later",
        "Jordan Lee: waiting for their check-in hour, Mon 23 Nov 09:00 (America/New_York)",
    )


def test_a_jump_past_monday_is_baton_back_after_being_down(sandbox: Running) -> None:
    """+1 week lands on Friday 27 Nov, 10:00 in Paris: Monday's prompts were missed by days. Paris and
    London are at (or within the grace window of) their Friday 09:00, and get it late; New York's Friday
    morning has not come: Jordan waits for it. Nobody is silently skipped."""
    jump(sandbox, "plus-week")
    shown = fates(notice(sandbox, CAMILLE.id, LEADERSHIP))
    assert set(shown) == {CAMILLE.id, LEA.id, JORDAN.id, PRIYA.id}
    assert shown[CAMILLE.id][0] == "late" and "Fri 27 Nov 09:00 (Europe/Paris)" in shown[CAMILLE.id][1]
    assert "Baton was down" in shown[CAMILLE.id][1]
    assert shown[PRIYA.id][0] == "late" and "Fri 27 Nov 09:00 (Europe/London)" in shown[PRIYA.id][1]
    assert shown[JORDAN.id] == (
        "next_morning",
        "Jordan Lee: missed by more than the grace window, waiting for their next working morning, "
        "Fri 27 Nov 09:00 (America/New_York)",
    )
    workspace = sandbox.sandbox.workspace
    late = [m for m in workspace.history(workspace.dm_of(CAMILLE.id), CAMILLE.id) if m.get("blocks")]
    assert late, "the late prompt reached Camille's DM"


def test_an_owner_away_without_a_delegate_is_skipped_with_why_in_french(
    sandbox: Running, engine: Engine
) -> None:
    with Session(engine) as session:
        away = Away(
            user_id=LEA.id,
            starts_on=date(2026, 11, 23),
            ends_on=date(2026, 11, 27),
            created_at=FRIDAY_10_PARIS,
        )
        session.add(away)
        session.commit()
    jump(sandbox, "monday-paris")
    shown = fates(notice(sandbox, LEA.id, OPERATIONS))  # Léa's Slack speaks French: so does the page
    assert shown[LEA.id] == ("skipped", "Léa Martin : non envoyée, ignorée : absent, sans délégué")
    assert shown[CAMILLE.id] == ("sent", "Camille Laurent : envoyée, lun. 23 nov. 09:00 (Europe/Paris)")
    html = notice(sandbox, LEA.id, OPERATIONS)
    assert "Il est maintenant lun. 23 nov. 09:00 Paris" in html
    english = fates(notice(sandbox, CAMILLE.id, LEADERSHIP))[LEA.id]
    assert english == ("skipped", "Léa Martin: not sent, skipped: out of office, no delegate")
