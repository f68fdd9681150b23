"""The digest builder at 1, 60, 500 and 2,000 initiatives: every message within Block Kit's limits, every
initiative once and in order, the parts labelled, nothing dropped."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.domain.digest import DigestData, Item, Missing, OpenEscalation, Point
from bot.domain.progress import Pace
from bot.domain.roadmap import Owner
from bot.sandbox.blockkit import message_problem
from bot.views.blocks import text_size
from bot.views.digest import MAX_TEXT_MESSAGE, digest_messages
from storage.models import Status

SLACK_TEXT_LIMIT = 12_000  # what Slack is reported to refuse past (msg_blocks_too_long)
STATUSES = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.DONE, None]
TITLE = re.compile(r"\*(Initiative \d{4})[^*]*\*")


def item(n: int, comment: str = "Steady progress", title: str | None = None) -> Item:
    status = STATUSES[n % 5]
    return Item(
        id=n,
        title=title or f"Initiative {n:04d}",
        department=f"Department {n % 7}",
        quarter="2026-Q4",
        status=status,
        previous_status=STATUSES[(n + 1) % 5] if n % 3 == 0 else status,
        kpi_name="Activation time",
        kpi_unit="%",
        kpi_current=float(n % 100),
        kpi_target=100.0,
        trend=(None, 1.0, 2.0, 2.0, 3.0, None, 5.0, float(n % 100)),
        pace=Pace.BEHIND if n % 2 else Pace.ON_PACE,
        planned_now=50.0,
        projection=80.0,
        due=None,
        progress=(n % 100) / 100,
        owners=(Owner("role", "PMO"), Owner("user", "U0OWNER001")),
        latest=Point(
            "2026-W48",
            Status.AT_RISK,
            1.0,
            f"{comment} {n}",
            "Choose a vendor" if n % 11 == 0 else None,
            "U0OWNER001",
        ),
        answered=n % 4 != 0,
        missed=0 if n % 4 else 3,
        flags=("same_text",) if n % 13 == 0 else (),
    )


def portfolio(count: int, comment: str = "Steady progress") -> DigestData:
    items = tuple(
        sorted((item(n, comment) for n in range(1, count + 1)), key=lambda i: (i.department, i.title))
    )
    return DigestData(
        cycle="2026-W48",
        previous_cycle="2026-W47",
        quarter="2026-Q4",
        department=None,
        trend_cycles=tuple(f"2026-W{w}" for w in range(41, 49)),
        items=items,
        missing=tuple(Missing(f"U{n:08d}", (f"Initiative {n:04d}",), 3) for n in range(1, count + 1, 4)),
        escalations=tuple(
            OpenEscalation(n, f"Initiative {n:04d}", "off_track", "open", "Off track twice", 0, "2026-W47")
            for n in range(1, count + 1, 9)
        ),
        decisions=(),
    )


def check(messages: list[dict]) -> None:
    for message in messages:
        assert message_problem(message["text"], message["blocks"]) is None
        assert len(message["blocks"]) <= 50
        assert text_size(message["blocks"]) <= MAX_TEXT_MESSAGE < SLACK_TEXT_LIMIT
        for block in message["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000


@pytest.mark.parametrize("count", [1, 60, 500, 2000])
@pytest.mark.parametrize("comment", ["Steady progress", "Long comment " * 40], ids=["short", "long"])
def test_every_message_is_within_limits_and_every_initiative_is_there_once_in_order(
    count: int, comment: str
) -> None:
    data = portfolio(count, comment)
    messages = digest_messages(data)
    check(messages)
    seen = [
        TITLE.match(block["text"]["text"].split("  ", 1)[1])[1]  # type: ignore[index]
        for message in messages
        for block in message["blocks"]
        if "accessory" in block
    ]
    assert seen == [i.title for i in data.items]
    assert Counter(seen).most_common(1)[0][1] == 1
    head, *thread = messages
    assert not any("accessory" in block for block in head["blocks"])  # the detail is all in the thread
    assert head["text"].startswith("Weekly digest 2026-W48: ")
    total = len(thread)
    assert total >= 1 and (total > 1) == (count >= 60)
    for number, message in enumerate(thread, start=1):
        labels = [
            b for b in message["blocks"] if b["type"] == "context" and "Part " in b["elements"][0]["text"]
        ]
        assert message["blocks"][-1]["elements"][0]["text"] == f"Part {number} of {total}"
        assert len(labels) == 1
        assert message["text"] == f"Weekly digest 2026-W48, part {number} of {total}"
        assert message["blocks"][0]["type"] == "header"  # its department's heading, first


def test_a_huge_initiative_is_clipped_with_an_ellipsis_never_dropped() -> None:
    data = portfolio(2)
    huge = item(1, comment="x" * 10_000, title="T" * 5_000)
    huge = Item(
        **{
            **huge.__dict__,
            "latest": Point("2026-W48", Status.AT_RISK, 1.0, "c" * 10_000, "d" * 10_000, "U1"),
        }
    )
    data = DigestData(**{**data.__dict__, "items": (huge, *data.items[1:])})
    messages = digest_messages(data)
    check(messages)
    blocks = [b for m in messages for b in m["blocks"] if "accessory" in b]
    assert [b["accessory"]["value"] for b in blocks] == [str(i.id) for i in data.items]
    assert blocks[0]["text"]["text"].endswith("…") or "…" in blocks[0]["text"]["text"]
    assert len(blocks[0]["text"]["text"]) <= 3000


def test_long_head_lists_say_how_many_more_and_the_thread_has_each_on_its_initiative() -> None:
    data = portfolio(2000)
    head, *thread = digest_messages(data)
    check([head, *thread])
    escalations = next(b["text"]["text"] for b in head["blocks"] if "Escalations waiting" in str(b))
    assert escalations.count(":rotating_light:") == 3 and f"{len(data.escalations) - 3} more" in escalations
    missing = next(b["text"]["text"] for b in head["blocks"] if "Asked, not answered" in str(b))
    assert missing.count("<@") == 5 and f"and {len(data.missing) - 5} more" in missing
    text = "\n".join(b["text"]["text"] for m in thread for b in m["blocks"] if b["type"] == "section")
    assert text.count(":rotating_light: Escalation: off track") == len(data.escalations)
