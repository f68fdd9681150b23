"""The weekly check-in DM: every initiative of one owner, each answerable in one click."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.i18n import DEFAULT, t
from bot.views import ids
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    MESSAGE_TEXT_BUDGET,
    clip,
    context,
    escape,
    fit_message,
    kpi_text,
    plain,
    section,
    status_badge,
    take_within,
    text_size,
)
from bot.views.checkin import read_metadata
from storage.models import Away, CheckIn, Initiative, Status

ONE_CLICK = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
BLOCKS_PER_ITEM = 2
FIXED_BLOCKS = 5  # intro, on-behalf note, "more" note, divider, footer
AWAY_FOR = timedelta(days=7)  # what "Away until" offers first: a week from today
RESERVED_TEXT = 1_500  # of the message's text budget: intro, notes and footer
MAX_TITLE = 150  # as the initiative modal allows; an imported title may be longer
MAX_KPI = 300
MAX_TEXT_TITLE = 80  # in the notification text
MAX_TEXT_TITLES = 10


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
    late: bool = False,
    lang: str = DEFAULT,
) -> dict[str, Any]:
    """The DM. A reminder lists only what is still missing; answered items show what was recorded; a late
    prompt (Baton could not send it on the check-in morning) says so."""
    missing = [item for item in items if item.answer is None]
    if reminder:
        intro = section(t("prompt.reminder", lang, cycle=cycle, count=len(missing)))
        blocks: list[dict[str, Any]] = [{**intro, "block_id": ids.PROMPT_REMINDER_BLOCK}]
    else:
        opening = t("prompt.intro", lang, cycle=cycle)
        blocks = [section(f"{opening}\n{t('prompt.late', lang)}" if late else opening)]
    if owner != recipient:
        blocks.append(context(t("prompt.on_behalf", lang, owner=owner)))
    room = (MAX_BLOCKS_MESSAGE - FIXED_BLOCKS) // BLOCKS_PER_ITEM
    candidates = sorted(items, key=lambda item: item.answer is not None)[:room]
    built = {
        id(item): _item_blocks(item, PromptRef(cycle, owner, item.initiative.id), lang) for item in candidates
    }
    fits = take_within(
        [text_size(built[id(item)]) for item in candidates], MESSAGE_TEXT_BUDGET - RESERVED_TEXT
    )
    shown = candidates[:fits]
    for item in sorted(shown, key=lambda item: items.index(item)):
        blocks.extend(built[id(item)])
    if len(items) > len(shown):
        blocks.append(context(t("prompt.more", lang, count=len(items) - len(shown))))
    if skipped:
        blocks.append(context(t("prompt.skipped", lang)))
    elif missing:
        blocks.append({"type": "divider"})
        blocks.append(_footer(PromptRef(cycle, owner), lang))
    else:
        blocks.append(context(t("prompt.all_done", lang)))
    titles = ", ".join(
        escape(clip(item.initiative.title, MAX_TEXT_TITLE)) for item in missing[:MAX_TEXT_TITLES]
    )
    if len(missing) > MAX_TEXT_TITLES:
        titles = t("prompt.text_more", lang, titles=titles, count=len(missing) - MAX_TEXT_TITLES)
    titles = titles or t("prompt.all_answered", lang)
    text = t("prompt.text_reminder" if reminder else "prompt.text", lang, cycle=cycle, titles=titles)
    return fit_message({"text": text, "blocks": blocks})


def listed_initiatives(blocks: Sequence[dict[str, Any]]) -> list[int]:
    """The initiatives a DM shows, read back from its block ids (to rebuild it after an answer)."""
    return [
        int(block["block_id"].removeprefix(ids.PROMPT_ITEM_BLOCK))
        for block in blocks
        if str(block.get("block_id", "")).startswith(ids.PROMPT_ITEM_BLOCK)
    ]


def is_reminder(blocks: Sequence[dict[str, Any]]) -> bool:
    return any(block.get("block_id") == ids.PROMPT_REMINDER_BLOCK for block in blocks)


def _item_blocks(item: PromptItem, ref: PromptRef, lang: str) -> list[dict[str, Any]]:
    initiative, answer = item.initiative, item.answer
    kpi = escape(
        t(
            "prompt.kpi",
            lang,
            kpi=clip(initiative.kpi_name or "KPI", MAX_KPI),
            current=kpi_text(initiative.kpi_current, initiative.kpi_unit, lang),
            target=kpi_text(initiative.kpi_target, initiative.kpi_unit, lang),
        )
    )
    block_id = f"{ids.PROMPT_ITEM_BLOCK}{initiative.id}"
    title = escape(clip(initiative.title, MAX_TITLE))
    if answer is not None:
        recorded = status_badge(answer.status, lang)
        if answer.kpi_value is not None:
            recorded += f" · KPI {escape(kpi_text(answer.kpi_value, initiative.kpi_unit, lang))}"
        line = t("prompt.recorded", lang, recorded=recorded, author=answer.author)
        return [
            {
                **section(f":white_check_mark: *{title}*\n{line}"),
                "block_id": block_id,
                "accessory": _button(t("prompt.edit", lang), ids.PROMPT_DETAILS, ref),
            },
            context(kpi),
        ]
    buttons = [
        _button(status_badge(status, lang), ids.PROMPT_ANSWER + status.value, ref) for status in ONE_CLICK
    ]
    buttons.append(_button(t("prompt.details", lang), ids.PROMPT_DETAILS, ref, style="primary"))
    return [
        {
            **section(f"*{title}*\n{kpi} · {status_badge(initiative.status, lang)}"),
            "block_id": block_id,
        },
        {"type": "actions", "block_id": f"prompt_actions:{initiative.id}", "elements": buttons},
    ]


def _footer(ref: PromptRef, lang: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "prompt_footer",
        "elements": [
            _button(t("prompt.snooze", lang), ids.PROMPT_SNOOZE, ref),
            _button(t("prompt.skip", lang), ids.PROMPT_SKIP, ref),
            _button(t("prompt.away", lang), ids.PROMPT_AWAY, ref),
        ],
    }


def _button(label: str, action_id: str, ref: PromptRef, style: str | None = None) -> dict[str, Any]:
    button = {"type": "button", "text": plain(label, 75), "action_id": action_id, "value": ref.encode()}
    if style:
        button["style"] = style
    return button


def away_modal(ref: PromptRef, today: str, lang: str = DEFAULT) -> dict[str, Any]:
    """Out of office until a date, with an optional delegate who gets the prompts meanwhile."""
    return {
        "type": "modal",
        "callback_id": ids.AWAY_MODAL,
        "private_metadata": json.dumps({"ref": ref.encode(), "lang": lang}),
        "title": plain(t("away.title", lang), 24),
        "submit": plain(t("modal.save", lang), 24),
        "close": plain(t("modal.cancel", lang), 24),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.AWAY_UNTIL_BLOCK,
                "label": plain(t("away.until", lang)),
                "hint": plain(t("away.until_hint", lang)),
                "element": {
                    "type": "datepicker",
                    "action_id": ids.AWAY_UNTIL_ACTION,
                    "initial_date": (date.fromisoformat(today) + AWAY_FOR).isoformat(),  # away: not today
                },
            },
            {
                "type": "input",
                "block_id": ids.AWAY_DELEGATE_BLOCK,
                "optional": True,
                "label": plain(t("away.delegate", lang)),
                "hint": plain(t("away.delegate_hint", lang)),
                "element": {"type": "users_select", "action_id": ids.AWAY_DELEGATE_ACTION},
            },
        ],
    }


def read_away(view: dict[str, Any]) -> tuple[str | None, str | None, str]:
    """The last day away (an ISO date), the delegate (a user id) and the language of an away modal."""
    values = view["state"]["values"]
    until = values[ids.AWAY_UNTIL_BLOCK][ids.AWAY_UNTIL_ACTION].get("selected_date")
    delegate = values[ids.AWAY_DELEGATE_BLOCK][ids.AWAY_DELEGATE_ACTION].get("selected_user")
    lang = str(read_metadata(view).get("lang", DEFAULT))
    return until, delegate, lang


def away_confirmation(away: Away, lang: str = DEFAULT) -> dict[str, Any]:
    until = away.ends_on.isoformat()
    if away.delegate_id:
        text = t("away.confirmed_delegate", lang, until=until, delegate=away.delegate_id)
    else:
        text = t("away.confirmed", lang, until=until)
    return fit_message({"text": text, "blocks": [section(text)]})
