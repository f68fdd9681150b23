"""The weekly check-in DM: every initiative of one owner, each answerable in one click."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.views import ids
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    STATUS_EMOJI,
    STATUS_LABEL,
    context,
    escape,
    kpi_text,
    plain,
    section,
    status_badge,
)
from storage.models import Away, CheckIn, Initiative, Status

ONE_CLICK = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
BLOCKS_PER_ITEM = 2
FIXED_BLOCKS = 5  # intro, on-behalf note, "more" note, divider, footer


@dataclass(frozen=True)
class PromptItem:
    initiative: Initiative
    answer: CheckIn | None  # the latest check-in of the cycle, if any


@dataclass(frozen=True)
class PromptRef:
    """What a button of the DM says about itself (kept in its value, within Slack's 2000 characters)."""

    cycle: str
    owner: str  # whose initiatives these are (the recipient, or the person they stand in for)
    initiative_id: int | None = None

    def encode(self) -> str:
        return json.dumps({"c": self.cycle, "o": self.owner, "i": self.initiative_id}, separators=(",", ":"))

    @staticmethod
    def decode(value: str) -> PromptRef:
        data = json.loads(value)
        return PromptRef(str(data["c"]), str(data["o"]), data.get("i"))


def prompt_message(
    *,
    cycle: str,
    owner: str,
    recipient: str,
    items: Sequence[PromptItem],
    reminder: bool = False,
    skipped: bool = False,
) -> dict[str, Any]:
    """The DM. A reminder lists only what is still missing; answered items show what was recorded."""
    missing = [item for item in items if item.answer is None]
    if reminder:
        intro = f":alarm_clock: *Reminder — check-in {cycle}*\nStill waiting for an update on {len(missing)}:"
    else:
        intro = (
            f":wave: *Weekly check-in — {cycle}*\nHow are your initiatives doing? "
            "One click records a status; *Update details* adds the KPI value and a comment."
        )
    blocks: list[dict[str, Any]] = [
        {**section(intro), "block_id": ids.PROMPT_REMINDER_BLOCK} if reminder else section(intro)
    ]
    if owner != recipient:
        blocks.append(context(f"You are answering for <@{owner}>, who is out of office."))
    room = (MAX_BLOCKS_MESSAGE - FIXED_BLOCKS) // BLOCKS_PER_ITEM
    shown = sorted(items, key=lambda item: item.answer is not None)[:room]
    for item in sorted(shown, key=lambda item: items.index(item)):
        blocks.extend(_item_blocks(item, PromptRef(cycle, owner, item.initiative.id)))
    if len(items) > len(shown):
        blocks.append(context(f"…and {len(items) - len(shown)} more: use `/okr update` for those."))
    if skipped:
        blocks.append(context(":zzz: You skipped this week: no reminder will follow."))
    elif missing:
        blocks.append({"type": "divider"})
        blocks.append(_footer(PromptRef(cycle, owner)))
    else:
        blocks.append(
            context(
                ":white_check_mark: All done for this week — thank you! You can edit until the cycle ends."
            )
        )
    titles = ", ".join(item.initiative.title for item in missing) or "all answered"
    text = f"{'Reminder: c' if reminder else 'C'}heck-in {cycle}: {escape(titles)}"
    return {"text": text, "blocks": blocks}


def listed_initiatives(blocks: Sequence[dict[str, Any]]) -> list[int]:
    """The initiatives a DM shows, read back from its block ids (to rebuild it after an answer)."""
    return [
        int(block["block_id"].removeprefix(ids.PROMPT_ITEM_BLOCK))
        for block in blocks
        if str(block.get("block_id", "")).startswith(ids.PROMPT_ITEM_BLOCK)
    ]


def is_reminder(blocks: Sequence[dict[str, Any]]) -> bool:
    return any(block.get("block_id") == ids.PROMPT_REMINDER_BLOCK for block in blocks)


def _item_blocks(item: PromptItem, ref: PromptRef) -> list[dict[str, Any]]:
    initiative, answer = item.initiative, item.answer
    kpi = escape(
        f"{initiative.kpi_name or 'KPI'}: now {kpi_text(initiative.kpi_current, initiative.kpi_unit)}"
        f" · target {kpi_text(initiative.kpi_target, initiative.kpi_unit)}"
    )
    block_id = f"{ids.PROMPT_ITEM_BLOCK}{initiative.id}"
    if answer is not None:
        recorded = f"{status_badge(answer.status)}"
        if answer.kpi_value is not None:
            recorded += f" · KPI {escape(kpi_text(answer.kpi_value, initiative.kpi_unit))}"
        return [
            {
                **section(
                    f":white_check_mark: *{escape(initiative.title)}*\n{recorded} — from <@{answer.author}>"
                ),
                "block_id": block_id,
                "accessory": _button("Edit", ids.PROMPT_DETAILS, ref),
            },
            context(kpi),
        ]
    buttons = [
        _button(f"{STATUS_EMOJI[status]} {STATUS_LABEL[status]}", ids.PROMPT_ANSWER + status.value, ref)
        for status in ONE_CLICK
    ]
    buttons.append(_button("Update details", ids.PROMPT_DETAILS, ref, style="primary"))
    return [
        {
            **section(f"*{escape(initiative.title)}*\n{kpi} · {status_badge(initiative.status)}"),
            "block_id": block_id,
        },
        {"type": "actions", "block_id": f"prompt_actions:{initiative.id}", "elements": buttons},
    ]


def _footer(ref: PromptRef) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "prompt_footer",
        "elements": [
            _button(":zzz: Snooze 2 h", ids.PROMPT_SNOOZE, ref),
            _button("Skip this week", ids.PROMPT_SKIP, ref),
            _button(":palm_tree: Out of office…", ids.PROMPT_AWAY, ref),
        ],
    }


def _button(label: str, action_id: str, ref: PromptRef, style: str | None = None) -> dict[str, Any]:
    button = {"type": "button", "text": plain(label, 75), "action_id": action_id, "value": ref.encode()}
    if style:
        button["style"] = style
    return button


def away_modal(ref: PromptRef, today: str) -> dict[str, Any]:
    """Out of office until a date, with an optional delegate who gets the prompts meanwhile."""
    return {
        "type": "modal",
        "callback_id": ids.AWAY_MODAL,
        "private_metadata": ref.encode(),
        "title": plain("Out of office", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.AWAY_UNTIL_BLOCK,
                "label": plain("Back on"),
                "hint": plain("No check-in prompts until then (that day included)."),
                "element": {"type": "datepicker", "action_id": ids.AWAY_UNTIL_ACTION, "initial_date": today},
            },
            {
                "type": "input",
                "block_id": ids.AWAY_DELEGATE_BLOCK,
                "optional": True,
                "label": plain("Delegate"),
                "hint": plain("They will get your check-in prompts while you are away."),
                "element": {"type": "users_select", "action_id": ids.AWAY_DELEGATE_ACTION},
            },
        ],
    }


def read_away(view: dict[str, Any]) -> tuple[str | None, str | None]:
    """The last day away (an ISO date) and the delegate (a user id) of a submitted away modal."""
    values = view["state"]["values"]
    until = values[ids.AWAY_UNTIL_BLOCK][ids.AWAY_UNTIL_ACTION].get("selected_date")
    delegate = values[ids.AWAY_DELEGATE_BLOCK][ids.AWAY_DELEGATE_ACTION].get("selected_user")
    return until, delegate


def away_confirmation(away: Away) -> dict[str, Any]:
    until = away.ends_on.isoformat()
    who = f" Your check-in prompts go to <@{away.delegate_id}> meanwhile." if away.delegate_id else ""
    text = f":palm_tree: You are out of office until {until} included: no check-in prompts until then.{who}"
    return {"text": text, "blocks": [section(text)]}
