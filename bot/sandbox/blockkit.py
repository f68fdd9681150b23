"""Block Kit limits, checked as Slack checks them: the first problem, in Slack's words, or None."""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 2000}
VIEW_TITLE = 24
MESSAGE_TEXT = 40_000


def message_problem(text: str | None, blocks: list[dict[str, Any]] | None) -> str | None:
    if not text and not blocks:
        return "no_text"
    if text and len(text) > MESSAGE_TEXT:
        return "msg_too_long"
    if blocks is not None:
        return blocks_problem(blocks, MESSAGE_BLOCKS) or blocks_text_problem(blocks)
    return None


def view_problem(view: dict[str, Any] | None) -> str | None:
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        return "invalid_arguments: view.type must be modal or home"
    if view["type"] == "modal":
        title = view.get("title", {}).get("text", "")
        if not title or len(title) > VIEW_TITLE:
            return f"invalid_arguments: title must be 1-{VIEW_TITLE} characters"
        for button in ("submit", "close"):
            if button in view and len(view[button].get("text", "")) > VIEW_TITLE:
                return f"invalid_arguments: {button} must be at most {VIEW_TITLE} characters"
    if len(view.get("private_metadata", "")) > 3000:
        return "invalid_arguments: private_metadata must be at most 3000 characters"
    return blocks_problem(view.get("blocks", []), VIEW_BLOCKS)


def blocks_problem(blocks: list[dict[str, Any]], limit: int) -> str | None:
    if len(blocks) > limit:
        return f"invalid_blocks: no more than {limit} items allowed"
    if duplicate := duplicate_action_id(blocks):
        return duplicate
    block_ids = set()
    for index, block in enumerate(blocks):
        kind = block.get("type")
        if block.get("block_id"):
            if block["block_id"] in block_ids:
                return f"invalid_blocks: duplicate block_id [json-pointer:/blocks/{index}/block_id]"
            block_ids.add(block["block_id"])
        text = block.get("text", {}).get("text", "") if isinstance(block.get("text"), dict) else ""
        if kind in TEXT_LIMITS and len(text) > TEXT_LIMITS[kind]:
            limit = TEXT_LIMITS[kind]
            return f"invalid_blocks: must be less than {limit} characters [json-pointer:/blocks/{index}/text]"
        if kind == "section" and not text and not block.get("fields"):
            return f"invalid_blocks: must provide text or fields [json-pointer:/blocks/{index}]"
        if kind == "context":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 10:
                return f"invalid_blocks: context needs 1-10 elements [json-pointer:/blocks/{index}/elements]"
            if any(len(e.get("text", "")) > TEXT_LIMITS["context"] for e in elements):
                return f"invalid_blocks: must be less than 2000 characters [json-pointer:/blocks/{index}]"
        if kind == "input":
            label = block.get("label", {}).get("text", "")
            if not label or len(label) > 2000 or "element" not in block:
                return f"invalid_blocks: input needs a label and an element [json-pointer:/blocks/{index}]"
            options = block["element"].get("options")
            if options is not None and not 1 <= len(options) <= 100:
                return f"invalid_blocks: options must hold 1-100 items [json-pointer:/blocks/{index}/element]"
            if options and any(len(o.get("text", {}).get("text", "")) > 75 for o in options):
                return (
                    f"invalid_blocks: option text over 75 characters [json-pointer:/blocks/{index}/element]"
                )
    return None


def duplicate_action_id(blocks: list[dict[str, Any]]) -> str | None:
    """An action_id used twice in one block, refused as Slack refuses it ("Should be unique among all other
    action_ids in the containing block", Block Kit reference); two blocks may share one (the Home's Update
    buttons)."""
    for index, block in enumerate(blocks):
        elements = block.get("elements", []) if block.get("type") in ("actions", "context_actions") else []
        seen: set[str] = set()
        for position, element in enumerate(elements):
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if action_id in seen:
                pointer = f"/blocks/{index}/elements/{position}/action_id"
                return f'invalid_blocks: `action_id` "{action_id}" already exists [json-pointer:{pointer}]'
            if action_id:
                seen.add(action_id)
    return None


# Slack refuses a message whose blocks hold more than about 12,000 characters of text in all with
# `msg_blocks_too_long`: undocumented, except for the markdown block's "cumulative 12,000 characters";
# a Slack engineer put it at "12,000 text characters with a buffer for block containers" (bolt-js
# #2509), and bolt-js #2867 was refused at 11,341 characters summed over every `text` string. The
# top-level `text` is not counted (chat.postMessage truncates it past 40,000 instead).
MESSAGE_BLOCKS_TEXT = 12_000


def blocks_text_problem(blocks: list[dict[str, Any]]) -> str | None:
    """`msg_blocks_too_long` when the blocks' `text` strings, at any depth, add up past Slack's limit."""

    def size(value: Any) -> int:
        if isinstance(value, dict):
            return sum(len(v) if k == "text" and isinstance(v, str) else size(v) for k, v in value.items())
        if isinstance(value, list):
            return sum(size(v) for v in value)
        return 0

    return "msg_blocks_too_long" if size(blocks) > MESSAGE_BLOCKS_TEXT else None
