"""Small Block Kit helpers: escaping user text and keeping within Slack's limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from babel.numbers import format_decimal

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

# The text of one message, as Baton budgets it. Slack refuses a message whose blocks hold too much text
# with `msg_blocks_too_long`, a limit its reference pages do not give: the markdown block's page documents
# a cumulative 12,000 characters for that block type only, a Slack engineer answered "12,000 text
# characters with a buffer for block containers" (bolt-js #2509, rejected at ~13,200 summed), and
# bolt-js #2867 was rejected at 11,341 characters summed over every `text` string of section, header
# and divider blocks. So the limit counts the blocks only (the top-level `text` is the notification
# fallback, which chat.postMessage truncates past 40,000 characters instead of refusing) and the
# containers eat into it. Baton counts what it can count, every `text` string anywhere in the blocks
# (`text_size`), and keeps 2,000 characters of headroom below 12,000 for the containers.
MESSAGE_TEXT_BUDGET = 10_000
# The top-level `text`: shown in notifications and where blocks cannot be; a few lines are plenty.
MAX_NOTIFICATION_TEXT = 3000

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
    """`text` cut to `limit` characters, with an ellipsis when it had to be cut, never inside an
    `&amp;`-style entity or a `<…>` mention, link or date (cut before it instead)."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = limit - 1
    head = text[:cut]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:] and ";" in text[amp : amp + 12]:
        cut = amp  # inside `&amp;`, `&lt;`, `&gt;`…
    head = text[:cut]
    angle = head.rfind("<")
    if angle != -1 and ">" not in head[angle:]:
        cut = angle  # inside `<@U1>`, `<!channel>`, `<https://…|label>`, `<!date^…>`
    return text[:cut].rstrip() + "…"


def text_size(value: Any) -> int:
    """The characters of text in blocks: every `text` string, at any depth (sections, fields, context
    elements, buttons, options…), as Baton counts them against MESSAGE_TEXT_BUDGET."""
    if isinstance(value, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else text_size(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(text_size(v) for v in value)
    return 0


MIN_CUT = 40  # a block cut shorter than this says nothing: drop it instead
MAX_NOTES = 2_000  # context lines kept whole when a message is cut, if they are this short in all


def fit_blocks(blocks: Sequence[dict[str, Any]], budget: int = MESSAGE_TEXT_BUDGET) -> list[dict[str, Any]]:
    """`blocks` within `budget` characters of text. Blocks whose text is not prose (actions, inputs,
    images, dividers, sections with fields) are kept whole, and so are the context lines when they are
    short in all (a state, "part n of m", "…and N more"); the prose (a section's text, a header, long
    context) is kept in order until the budget runs out: the block that does not fit is cut with an
    ellipsis (never mid-entity), the prose blocks after it are left out."""
    fixed = sum(text_size(block) for block in blocks if not _prose(block))
    notes = sum(text_size(block) for block in blocks if block.get("type") == "context")
    keep_notes = notes <= MAX_NOTES and fixed + notes < budget
    room = budget - fixed - (notes if keep_notes else 0)
    out: list[dict[str, Any]] = []
    full = False
    for block in blocks:
        if not _prose(block) or (keep_notes and block.get("type") == "context"):
            out.append(block)
            continue
        size = text_size(block)
        if not full and size <= room:
            out.append(block)
            room -= size
            continue
        if not full and room >= MIN_CUT:
            out.append(_cut(block, room))
        full = True
        room = 0
    return out


def fit_message(message: dict[str, Any], budget: int = MESSAGE_TEXT_BUDGET) -> dict[str, Any]:
    """A message (`text`, `blocks`…) whose blocks fit `budget` and whose notification text is clipped."""
    fitted = dict(message)
    if fitted.get("blocks"):
        fitted["blocks"] = fit_blocks(fitted["blocks"], budget)
    if isinstance(fitted.get("text"), str):
        fitted["text"] = clip(fitted["text"], MAX_NOTIFICATION_TEXT)
    return fitted


def take_within(sizes: Sequence[int], room: int) -> int:
    """How many of the first items, of these text sizes, fit in `room` characters."""
    taken = 0
    for size in sizes:
        if size > room:
            break
        room -= size
        taken += 1
    return taken


def _prose(block: dict[str, Any]) -> bool:
    kind = block.get("type")
    if kind == "section":
        return "fields" not in block and isinstance(block.get("text"), dict)
    return kind in ("header", "context")


def _cut(block: dict[str, Any], room: int) -> dict[str, Any]:
    """A prose block cut to `room` characters of text."""
    if block.get("type") == "context":
        elements = []
        for element in block.get("elements", []):
            size = text_size(element)
            if size <= room:
                elements.append(element)
                room -= size
            elif "text" in element and room >= 2:
                elements.append({**element, "text": clip(element["text"], room)})
                break
            else:
                break
        return {**block, "elements": elements or [{"type": "mrkdwn", "text": "…"}]}
    text = block["text"]
    return {
        **block,
        "text": {**text, "text": clip(text["text"], max(room - text_size(block) + len(text["text"]), 1))},
    }


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


LOCALES = {"en": "en_GB", "fr": "fr_FR"}  # the CLDR locale whose number formats each language reads


def format_number(value: float, lang: str = DEFAULT) -> str:
    """`12.0` → `12`, `1250.5` → `1,250.5` (`1 250,5` in French): numbers as the reader writes them,
    by CLDR's rules (Babel), to two decimals at most."""
    return format_decimal(value, format="#,##0.##", locale=LOCALES.get(lang, LOCALES[DEFAULT]))


def number_to_type(value: float, lang: str = DEFAULT) -> str:
    """A number as a text field's initial value: the reader's decimal mark, no grouping (`1250,5`), so
    that it reads back as typed (a grouping comma would be a decimal one to `parse_number`)."""
    return format_decimal(value, format="0.##", locale=LOCALES.get(lang, LOCALES[DEFAULT]))


def kpi_text(value: float | None, unit: str | None, lang: str = DEFAULT) -> str:
    if value is None:
        return "–"
    number = format_number(value, lang)
    return f"{number} {unit}".strip() if unit else number


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
