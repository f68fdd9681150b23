"""The digest's head fits one screen and says what needs leadership, at 64 initiatives and at 2,000; the
detail follows in its thread, each part under its department's heading; the chart is uploaded first and
shown in the head, as Slack allows (a file it knows), or left out rather than holding the text back."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.delivery.outbox import PENDING_FILE, File, enqueue_thread
from bot.delivery.sender import FILE_ATTEMPTS, Sender, SenderConfig
from bot.domain.digest import DecisionTaken, DigestData, Missing, NotAsked, OpenEscalation, Unasked
from bot.sandbox.blockkit import message_problem
from bot.views.blocks import header, section
from bot.views.digest import SCREEN_PX, Chart, digest_messages, height_px, preview_message
from storage.models import Delivery, DeliveryKind, DeliveryState
from tests.conftest import LEADERSHIP_CHANNEL, ManualClock
from tests.test_digest_limits import portfolio

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
CHART = Chart("F0CHART0001", "Portfolio 2026-Q4", "Chart: initiatives by status each week")


def busy(count: int) -> DigestData:
    """`count` initiatives in 7 departments with a bit of everything that needs leadership: some turned
    red, decisions needed, escalations at three levels, people not answering, owners not asked, decisions
    taken, updates to double-check."""
    data = portfolio(count)
    escalations = tuple(
        OpenEscalation(n, f"Initiative {n:04d}", "off_track", "open", "Off track twice", n % 3, "2026-W46")
        for n in range(1, count + 1, 7)
    )
    decisions = tuple(
        DecisionTaken(
            n, f"Initiative {n:04d}", "Go", "U0CEO00001", datetime(2026, 11, 20, tzinfo=UTC), None, None
        )
        for n in range(1, count + 1, 17)
    )
    not_asked = tuple(NotAsked(f"U0AWAY{n:04d}", Unasked.AWAY) for n in range(count // 10))
    fields = {**data.__dict__, "escalations": escalations, "decisions": decisions, "not_asked": not_asked}
    return DigestData(**fields)


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize("count", [64, 2000])
def test_the_head_fits_one_screen_and_names_what_needs_a_decision(count: int) -> None:
    data = busy(count)
    head, *thread = digest_messages(data, chart=CHART)
    blocks = head["blocks"]
    assert message_problem(head["text"], blocks) is None
    assert height_px(blocks) <= SCREEN_PX and len(blocks) <= 10
    for block in blocks:  # every block as slack_sdk's models build it, the image block included
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
    shown = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    needed = [i for i in data.items if i.decision_needed]
    [decisions] = [s for s in shown if s.startswith("*Decisions needed*")]
    assert decisions.startswith(
        f"*Decisions needed* ({len(needed)}) · _{len(needed) - 3} more in the thread_"
    )
    assert [f"*{i.title}" in decisions or f"{i.title} —" in decisions for i in needed[:3]] == [True] * 3
    [escalations] = [s for s in shown if s.startswith("*Escalations waiting*")]
    levels = [e.level for e in data.escalations]
    assert escalations.count("level 2") == 3 and levels.count(2) >= 3  # most urgent first
    red = [i for i in data.items if i.changed and i.status == "off_track"]
    assert any(s.startswith(f"*Turned red this week* ({len(red)})") for s in shown)
    [missing] = [s for s in shown if s.startswith("*Asked, not answered*")]
    assert missing.count("<@") == 5 and missing.endswith(f"and {len(data.missing) - 5} more")
    assert f":zzz: {len(data.not_asked)} owner(s) not asked this week" in texts(blocks)
    assert "U0AWAY" not in texts(blocks)  # counted, not named
    [image] = [b for b in blocks if b["type"] == "image"]
    assert image["slack_file"] == {"id": CHART.file_id} and image["alt_text"] == CHART.alt_text
    assert f"({len(thread)} message(s))" in texts(blocks)


def test_the_screen_measure_counts_wrapped_lines_and_what_each_block_takes() -> None:
    one_line = section("*Decisions needed* (1)")
    assert height_px([header("Weekly digest")]) == 44
    assert height_px([one_line]) == 16 + 22
    assert height_px([section("x" * 250)]) == 16 + 3 * 22  # wraps to three lines
    assert height_px([section(":red_circle: " * 40)]) == 16 + 2 * 22  # an emoji is ~3 characters wide
    old_head_64 = [section(f"• Initiative {n:04d}: a line") for n in range(64)]  # a line per item
    assert height_px(old_head_64) > SCREEN_PX


def test_every_thread_part_starts_with_its_department_heading() -> None:
    data = busy(2000)
    _, *thread = digest_messages(data)
    assert len(thread) > 7  # more parts than departments: some departments span parts
    department_of = {str(i.id): i.department for i in data.items}
    previous: str | None = None
    opened = []
    for message in thread:
        first = message["blocks"][0]
        assert first["type"] == "header"
        items = [b["accessory"]["value"] for b in message["blocks"] if "accessory" in b]
        if first["text"]["text"].endswith(" (continued)"):
            assert first["text"]["text"] == f"{previous} (continued)" and department_of[items[0]] == previous
        else:
            assert department_of[items[0]] == first["text"]["text"]
        for n, block in enumerate(message["blocks"]):
            if block["type"] == "header" and not block["text"]["text"].endswith(" (continued)"):
                assert message["blocks"][n + 1]["type"] == "context"  # its counts, under its name
                opened.append(block["text"]["text"])
        previous = department_of[items[-1]]
    assert opened == sorted({i.department for i in data.items if i.department})  # each opened once


def test_a_streak_as_long_as_the_window_may_be_longer() -> None:
    data = portfolio(8)
    longest = Missing("U0SILENT01", ("Initiative 0001",), len(data.trend_cycles))
    data = DigestData(**{**data.__dict__, "missing": (longest, *data.missing)})
    head = texts(digest_messages(data)[0]["blocks"])
    assert "<@U0SILENT01> (8+ weeks), <@U00000001> (3 weeks)" in head
    assert "<@U0SILENT01> (8 semaines ou plus)" in texts(digest_messages(data, "fr")[0]["blocks"])


def test_the_head_in_french() -> None:
    head, *thread = digest_messages(busy(64), "fr", chart=CHART)
    text = texts(head["blocks"])
    assert "*Décisions attendues* (" in text and "*Escalades en attente* (" in text
    assert "*Sollicités, sans réponse* (" in text and "*Passées au rouge cette semaine* (" in text
    assert "responsable(s) non sollicité(s)" in text and "de plus dans le fil" in text
    for english in ("Decisions", "Escalations", "Asked", "Turned red", "more in the thread", "owner(s)"):
        assert english not in text
    assert all(m["blocks"][-1]["elements"][0]["text"].startswith("Partie ") for m in thread)
    assert any(m["blocks"][0]["text"]["text"].endswith(" (suite)") for m in thread)


def test_the_preview_is_the_head_without_a_chart_and_says_what_follows() -> None:
    preview = preview_message(busy(64))
    assert [b for b in preview["blocks"] if b["type"] == "image"] == []
    assert "once posted, the chart shows here" in preview["blocks"][-1]["elements"][0]["text"]
    assert height_px(preview["blocks"]) <= SCREEN_PX


def test_slack_shows_a_file_by_id_only_once_it_has_it(fake_slack: Any) -> None:
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url, retry_handlers=[])
    image = {"type": "image", "slack_file": {"id": "F0NOSUCH01"}, "alt_text": "chart"}
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=LEADERSHIP_CHANNEL, text="digest", blocks=[section("x"), image])
    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["errors"] == ["invalid slack file [json-pointer:/blocks/1/slack_file]"]
    uploaded = client.files_upload_v2(content=PNG, filename="chart.png", title="Chart")  # no channel
    file_id = uploaded["file"]["id"]
    assert fake_slack.messages(LEADERSHIP_CHANNEL) == []  # shared with nobody
    shown = {**image, "slack_file": {"id": file_id}}
    assert client.chat_postMessage(channel=LEADERSHIP_CHANNEL, text="digest", blocks=[shown])["ok"]
    both = {**image, "slack_file": {"id": file_id, "url": "https://files.slack.com/x.png"}}
    with pytest.raises(SlackApiError):  # either an id or a url, never both
        client.chat_postMessage(channel=LEADERSHIP_CHANNEL, text="digest", blocks=[both])


def test_a_file_slack_keeps_refusing_is_left_out_and_the_thread_follows(
    engine: Engine, session: Session, fake_slack: Any
) -> None:
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    image = {"type": "image", "slack_file": {"id": PENDING_FILE}, "alt_text": "chart"}
    head = {"text": "digest", "blocks": [section("Head"), image]}
    reply = {"text": "part 1", "blocks": [section("Detail")]}
    file = File("chart.png", PNG, "Chart", "chart", in_head=True)
    enqueue_thread(
        session,
        kind=DeliveryKind.DIGEST,
        channel=LEADERSHIP_CHANNEL,
        messages=[head, reply],
        now=now,
        file=file,
    )
    session.commit()
    fake_slack.fail("chat.postMessage", "invalid_blocks", times=FILE_ATTEMPTS)
    clock = ManualClock(now)
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url, retry_handlers=[])
    sender = Sender(engine, client, clock, SenderConfig(channel_interval=0))
    for _ in range(FILE_ATTEMPTS + 1):
        sender.drain()
        clock.now += sender.config.lease  # past any backoff
    posted, detail = fake_slack.posts()
    assert [b["type"] for b in posted["blocks"]] == ["section"]  # the text, without the picture
    assert detail["thread_ts"] == posted["ts"] and len(fake_slack.files) == 1
    rows = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
    assert [r.state for r in rows] == [DeliveryState.SENT] * 3 and rows[1].attempts == FILE_ATTEMPTS
