"""Small Block Kit helpers: escaping user text and keeping within Slack's limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.roadmap import Owner
from bot.i18n import DEFAULT, t
from storage.models import Status

# Block Kit limits (https://docs.slack.dev/reference/block-kit)
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_PLAIN_LABEL = 2000
MAX_OPTION_TEXT = 75
MAX_OPTIONS = 100
MAX_VIEW_TITLE = 24
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 2000  # per element; 10 elements per context block
MAX_PRIVATE_METADATA = 3000

STATUS_EMOJI = {
    Status.ON_TRACK: ":large_green_circle:",
    Status.AT_RISK: ":large_orange_circle:",
    Status.OFF_TRACK: ":red_circle:",
    Status.DONE: ":white_check_mark:",
    Status.DROPPED: ":black_circle:",
}
STATUSES = tuple(Status)  # in the order people read them


def status_label(status: str, lang: str = DEFAULT) -> str:
    return t(f"status.{Status(status).value}", lang)


NO_UPDATE_EMOJI = ":white_circle:"


def escape(text: str) -> str:
    """User text made safe for mrkdwn: `<!channel>` or a forged link shows as text and pings nobody."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when it had to be cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(text: str, limit: int = MAX_PLAIN_LABEL) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text, MAX_CONTEXT_TEXT)]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, MAX_OPTION_TEXT), "value": value}


def status_badge(status: str | None, lang: str = DEFAULT) -> str:
    if status is None:
        return f"{NO_UPDATE_EMOJI} {t('status.none', lang)}"
    return f"{STATUS_EMOJI[Status(status)]} {status_label(status, lang)}"


def format_number(value: float) -> str:
    """`12.0` → `12`, `12.5` → `12.5`: numbers as people write them."""
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "\u202f")


def kpi_text(value: float | None, unit: str | None) -> str:
    if value is None:
        return "–"
    return f"{format_number(value)} {unit}".strip() if unit else format_number(value)


def owner_text(owner: Owner) -> str:
    """A person is a live mention (their id escaped all the same); a role name is plain text."""
    return f"<@{escape(owner.ref)}>" if owner.kind == "user" else escape(owner.ref)


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = True, hint: str | None = None
) -> dict[str, Any]:
    """A modal's input block; its label and hint within Slack's limits."""
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        **({"hint": plain(hint)} if hint else {}),
        "element": element,
    }


def packed_sections(lines: Sequence[str], room: int, lang: str = DEFAULT) -> list[dict[str, Any]]:
    """`lines` packed in order into at most `room` sections of Slack's size; when they do not all fit,
    the last section says how many were left out."""
    chunks: list[list[str]] = [[]]
    for line in lines:
        line = clip(line, MAX_SECTION_TEXT)
        if chunks[-1] and sum(len(x) + 1 for x in chunks[-1]) + len(line) > MAX_SECTION_TEXT:
            chunks.append([])
        chunks[-1].append(line)
    chunks = [chunk for chunk in chunks if chunk]
    if room <= 0:
        return []
    texts = ["\n".join(chunk) for chunk in chunks[:room]]
    if len(chunks) > room:
        left = len(lines) - sum(len(chunk) for chunk in chunks[: room - 1])
        texts[-1] = t("list.more_people", lang, count=left)
    return [section(text) for text in texts]
