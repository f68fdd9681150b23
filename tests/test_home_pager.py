"""The App Home's pager as Slack checks it: Previous and Next each have their own action_id (Slack refuses
two equal action_ids in one block with `invalid_blocks`), and a middle page pages both ways."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.domain.roadmap import parse_roadmap
from bot.portfolio import import_roadmap
from bot.sandbox.blockkit import blocks_problem, view_problem
from bot.sandbox.webapi import FakeSlack
from bot.views import ids
from tests.conftest import RunningBaton
from tests.slack_requests import post_signed, view_action_body, wait_for
from tests.test_home import NOW, PARIS, open_home


def _publishes(fake: FakeSlack) -> list[dict[str, Any]]:
    return [c for c in fake.calls_to("views.publish") if c.get("user_id") == PARIS]


def _pager(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    block = next(b for b in view["blocks"] if b.get("block_id") == ids.HOME_PAGER_BLOCK)
    return {element["action_id"]: {**element, "block_id": block["block_id"]} for element in block["elements"]}


def _click(
    baton: RunningBaton, fake: FakeSlack, view: dict[str, Any], button: dict[str, Any]
) -> dict[str, Any]:
    """Click a pager button as Slack posts it; the Home Slack accepted next (refusals are not published)."""
    before = len(_publishes(fake))
    body = view_action_body(view, button, user=PARIS, trigger_id="111.222.pager")
    assert post_signed(baton.url, body).status_code == 200
    call = wait_for(lambda: _publishes(fake)[before:])[0]
    assert view_problem(call["view"]) is None, view_problem(call["view"])
    return dict(call["view"])


def _page(view: dict[str, Any]) -> str:
    return str(
        next(
            e["text"]
            for b in view["blocks"]
            if b["type"] == "context"
            for e in b["elements"]
            if "Page " in e["text"]
        )
    )


def test_a_home_of_200_initiatives_pages_forward_and_back_from_a_middle_page(
    baton: RunningBaton, fake_slack: FakeSlack, session: Session
) -> None:
    rows = "\n".join(f"| Initiative {n:03} | Goal | KPI | <@{PARIS}> |" for n in range(1, 201))
    roadmap = f"| Initiative | Objectif | KPI | Responsable |\n|---|---|---|---|\n{rows}\n"
    import_roadmap(session, parse_roadmap(roadmap, "big.md"), quarter="2026-Q4", actor="test", now=NOW)
    session.commit()
    open_home(baton, PARIS)
    first = wait_for(lambda: _publishes(fake_slack))[0]["view"]
    assert _page(first) == "Page 1 of 5" and list(_pager(first)) == [ids.HOME_PAGE_NEXT]

    second = _click(baton, fake_slack, first, _pager(first)[ids.HOME_PAGE_NEXT])
    assert _page(second) == "Page 2 of 5"
    middle = _pager(second)  # a middle page: both buttons in one actions block, each its own action_id
    assert list(middle) == [ids.HOME_PAGE_PREVIOUS, ids.HOME_PAGE_NEXT]
    assert [b["value"] for b in middle.values()] == ["1", "3"]

    third = _click(baton, fake_slack, second, middle[ids.HOME_PAGE_NEXT])
    assert _page(third) == "Page 3 of 5" and "Initiative 081" in json.dumps(third)
    back = _click(baton, fake_slack, third, _pager(third)[ids.HOME_PAGE_PREVIOUS])
    assert _page(back) == "Page 2 of 5" and "Initiative 041" in json.dumps(back)
    assert "Initiative 081" not in json.dumps(back)


def test_the_fake_refuses_two_equal_action_ids_in_one_block(fake_slack: FakeSlack) -> None:
    button = {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "go"}
    twice = [
        {
            "type": "actions",
            "block_id": "pager",
            "elements": [{**button, "value": "1"}, {**button, "value": "2"}],
        }
    ]
    expected = 'invalid_blocks: `action_id` "go" already exists [json-pointer:/blocks/0/elements/1/action_id]'
    assert blocks_problem(twice, 100) == expected
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url, timeout=5, retry_handlers=[])
    with pytest.raises(SlackApiError) as refused:
        client.views_publish(user_id=PARIS, view={"type": "home", "blocks": twice})
    assert refused.value.response["error"].startswith("invalid_blocks")
    # Two blocks may each hold the same action_id (as the Home's Update buttons do): Slack accepts that.
    apart = [
        {"type": "actions", "block_id": f"b{n}", "elements": [{**button, "value": str(n)}]} for n in (1, 2)
    ]
    assert blocks_problem(apart, 100) is None
