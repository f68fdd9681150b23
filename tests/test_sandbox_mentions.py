"""The composer's @ menu, over HTTP: a person picked from it reaches Baton as Slack writes a mention into a
slash command's text with should_escape (`<@U…|username>`); the same name typed without the menu stays
plain text, as on Slack. The browser side (typing `@`, the menu) is in tests/test_sandbox_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.sandbox import payloads
from bot.sandbox.directory import CAMILLE, GENERAL, JORDAN, PRIYA, populate
from bot.sandbox.runner import Running, start
from bot.sandbox.workspace import Workspace
from handlers.commands import typed_text
from storage.models import Role, RoleMember
from tests.slack_requests import wait_for
from tests.test_manifest import MANIFEST, read_yaml

FRIDAY_10_PARIS = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def people() -> dict[str, dict[str, Any]]:
    workspace = Workspace()
    populate(workspace)
    return workspace.users


def test_a_picked_person_is_a_mention_and_everything_typed_is_escaped() -> None:
    priya, jordan = people()[PRIYA.id], people()[JORDAN.id]
    text = payloads.command_text("role set R&D <lead> @Priya Shah @Jordan Lee", [priya, jordan])
    assert text == "role set R&amp;D &lt;lead&gt; <@U0PRIYACFO|priya> <@U0JORDANNY|jordan>"
    assert typed_text(text) == "role set R&D <lead> <@U0PRIYACFO|priya> <@U0JORDANNY|jordan>"


def test_a_name_typed_without_the_menu_or_a_typed_mention_stays_text() -> None:
    assert payloads.command_text("role set CFO @Priya Shah", []) == "role set CFO @Priya Shah"
    assert payloads.command_text("role set CFO <@U0PRIYACFO>", []) == "role set CFO &lt;@U0PRIYACFO&gt;"
    # picked, then edited: the name no longer stands as picked, so it is text
    assert payloads.command_text("role set CFO @Priya S", [people()[PRIYA.id]]) == "role set CFO @Priya S"


def test_the_manifest_escapes_as_the_parser_expects() -> None:
    """should_escape: true is what makes Slack send <@U…|name> (bot/replies.py roles reads those)."""
    manifest = read_yaml(MANIFEST.read_text(encoding="utf-8"))
    [okr] = manifest["features"]["slash_commands"]
    assert okr["should_escape"] is True


@pytest.fixture
def sandbox(engine: Engine, database_url: str) -> Iterator[Running]:
    handle = start(port=0, database_url=database_url, start_at=FRIDAY_10_PARIS, demo=True)
    yield handle
    handle.stop()


def holders(engine: Engine, role: str) -> set[str]:
    with Session(engine) as session:
        query = select(RoleMember.user_id).join(Role, col(Role.id) == RoleMember.role_id)
        return set(session.exec(query.where(Role.name == role)))


def test_role_set_with_a_picked_person_works_from_the_page(
    sandbox: Running, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []  # the bodies the page's Slack posts to Baton
    post = sandbox.sandbox._post

    def recording(body: str, **options: Any) -> tuple[int, dict[str, Any]]:
        sent.append(body)
        return post(body, **options)

    monkeypatch.setattr(sandbox.sandbox, "_post", recording)
    form = {"as": CAMILLE.id, "in": GENERAL, "text": "/okr role set CFO @Jordan Lee", "_mention": JORDAN.id}
    assert httpx.post(f"{sandbox.url}sandbox/send", data=form, timeout=15).json() == {}
    assert parse_qs(sent[-1])["text"] == ["role set CFO <@U0JORDANNY|jordan>"]
    wait_for(lambda: holders(engine, "CFO") == {JORDAN.id})
    workspace = sandbox.sandbox.workspace
    held = wait_for(
        lambda: [m for m in workspace.history(GENERAL, CAMILLE.id) if "is now held by" in m["text"]]
    )
    assert held[-1]["text"] == "*CFO* is now held by <@U0JORDANNY>."


def test_role_set_with_a_name_typed_plainly_is_refused_and_changes_nothing(
    sandbox: Running, engine: Engine
) -> None:
    before = holders(engine, "CFO")
    form = {"as": CAMILLE.id, "in": GENERAL, "text": "/okr role set CFO @Jordan Lee"}
    assert httpx.post(f"{sandbox.url}sandbox/send", data=form, timeout=15).json() == {}
    workspace = sandbox.sandbox.workspace
    wait_for(
        lambda: [m for m in workspace.history(GENERAL, CAMILLE.id) if "is not a Slack person" in m["text"]]
    )
    assert holders(engine, "CFO") == before == {PRIYA.id}
