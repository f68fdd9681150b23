"""The weekly update: the modal, reading its submission, and the confirmation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.kpi import parse_number
from bot.domain.portfolio import NO_DETAILS, Details
from bot.i18n import DEFAULT, t
from bot.views import ids
from bot.views.blocks import (
    MAX_OPTIONS,
    MAX_VIEW_TITLE,
    clip,
    context,
    escape,
    fit_message,
    input_block,
    kpi_text,
    number_to_type,
    option,
    plain,
    section,
    status_badge,
)
from storage.models import CheckIn, Initiative, Status

ANSWERABLE = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
CONFIDENCE_LEVELS = (1, 2, 3, 4, 5)
MAX_COMMENT = 3000  # Slack's limit for a plain-text input
MAX_QUOTED = 1500  # each text quoted back in a confirmation
MAX_TITLE = 150
MAX_QUOTED_SECTION = 1800

# The free-text fields after the highlights: (Details field, block, action, label key, placeholder key)
THIS_WEEK_ONLY = ("decision_needed", "decision_options")  # besides the comment: not carried to next week
TEXT_FIELDS = (
    ("next_steps", ids.NEXT_STEPS_BLOCK, ids.NEXT_STEPS_ACTION, "modal.next_steps", "modal.next_steps_hint"),
    ("blockers", ids.BLOCKERS_BLOCK, ids.BLOCKERS_ACTION, "modal.blockers", "modal.blockers_hint"),
    ("decision_needed", ids.DECISION_BLOCK, ids.DECISION_ACTION, "modal.decision", "modal.decision_hint"),
    (
        "decision_options",
        ids.DECISION_OPTIONS_BLOCK,
        ids.DECISION_OPTIONS_ACTION,
        "modal.options",
        "modal.options_hint",
    ),
)


def read_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted modal's private_metadata: what Baton put there, or, when the sender changed it into
    something else, nothing (the submission is then checked as one that names nothing)."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def metadata_id(value: object) -> int | None:
    """An id Baton put in a modal's metadata (a JSON number); None for anything else."""
    return value if type(value) is int else None


class InvalidForm(Exception):
    """A submission Slack should show again, with a message under each field in `errors`."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class UpdateForm:
    initiative_id: int
    status: Status
    kpi_value: float | None
    comment: str | None  # the highlights
    origin: dict[str, Any] = field(default_factory=dict)  # where the modal was opened from (a check-in DM)
    lang: str = DEFAULT
    details: Details = NO_DETAILS


def update_modal(
    initiative: Initiative | None,
    choices: Sequence[Initiative] = (),
    *,
    unmatched: str | None = None,
    previous: CheckIn | None = None,
    cycle: str | None = None,
    origin: dict[str, Any] | None = None,
    lang: str = DEFAULT,
) -> dict[str, Any]:
    """The update modal for one initiative, or with a picker of `choices` when none was singled out.

    `unmatched` is what the person typed when it matched nothing, so the modal can say so; `previous`
    (the initiative's latest check-in) fills the fields that carry from week to week (status, KPI,
    confidence, progress, next steps, blockers), so an unchanged week is one click — and, when it is this
    `cycle`'s own answer being edited, the rest too. Last week's highlights and decision question are not
    this week's: left empty, a same comment is one typed again, and a question decided stays decided. `origin`
    (e.g. the check-in DM to refresh) rides along in `private_metadata` to the submission, with the
    language so that errors speak it too.
    """
    blocks: list[dict[str, Any]] = []
    if unmatched:
        blocks.append(context(t("modal.unmatched", lang, query=escape(unmatched))))
    if initiative is not None:
        blocks.append(section(f"*{escape(initiative.title)}*\n{status_badge(initiative.status, lang)}"))
        blocks.append(context(escape(_kpi_summary(initiative, lang))))
    else:
        blocks.append(
            input_block(
                ids.INITIATIVE_BLOCK,
                t("modal.initiative", lang),
                {
                    "type": "static_select",
                    "action_id": ids.INITIATIVE_ACTION,
                    "placeholder": plain(t("modal.choose_initiative", lang)),
                    "options": [option(choice.title, str(choice.id)) for choice in choices[:MAX_OPTIONS]],
                },
                optional=False,
            )
        )
    status_options = [option(status_badge(s, lang), s.value) for s in ANSWERABLE]
    blocks.append(
        input_block(
            ids.STATUS_BLOCK,
            t("modal.status", lang),
            {
                "type": "radio_buttons",
                "action_id": ids.STATUS_ACTION,
                "options": status_options,
                **_initial_option(status_options, previous.status if previous else None),
            },
            optional=False,
        )
    )
    previous_kpi = (
        None if previous is None or previous.kpi_value is None else number_to_type(previous.kpi_value, lang)
    )
    blocks.append(
        input_block(
            ids.KPI_BLOCK,
            _kpi_label(initiative, lang),
            {
                "type": "plain_text_input",
                "action_id": ids.KPI_ACTION,
                "placeholder": plain("12,5"),
                **_initial(previous_kpi),
            },
            hint=t("modal.kpi_hint", lang),
        )
    )
    confidence_options = [
        option(t(f"modal.confidence_{level}", lang), str(level)) for level in CONFIDENCE_LEVELS
    ]
    previous_confidence = str(previous.confidence) if previous and previous.confidence else None
    blocks.append(
        input_block(
            ids.CONFIDENCE_BLOCK,
            t("modal.confidence", lang),
            {
                "type": "static_select",
                "action_id": ids.CONFIDENCE_ACTION,
                "placeholder": plain(t("modal.confidence_placeholder", lang)),
                "options": confidence_options,
                **_initial_option(confidence_options, previous_confidence),
            },
        )
    )
    previous_progress = None if previous is None or previous.progress is None else str(previous.progress)
    blocks.append(
        input_block(
            ids.PROGRESS_BLOCK,
            t("modal.progress", lang),
            {
                "type": "plain_text_input",
                "action_id": ids.PROGRESS_ACTION,
                "placeholder": plain("60"),
                "max_length": 8,
                **_initial(previous_progress),
            },
        )
    )
    editing = previous is not None and cycle is not None and previous.cycle == cycle
    blocks.append(
        _text_input(
            ids.COMMENT_BLOCK,
            ids.COMMENT_ACTION,
            t("modal.comment", lang),
            t("modal.comment_placeholder", lang),
            previous.comment if previous and editing else None,
        )
    )
    for name, block_id, action_id, label, placeholder in TEXT_FIELDS:
        weekly = name in THIS_WEEK_ONLY and not editing
        initial = getattr(previous, name) if previous and not weekly else None
        blocks.append(_text_input(block_id, action_id, t(label, lang), t(placeholder, lang), initial))
    metadata = {**(origin or {}), "lang": lang, **({"initiative_id": initiative.id} if initiative else {})}
    return {
        "type": "modal",
        "callback_id": ids.UPDATE_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": plain(t("modal.title", lang), MAX_VIEW_TITLE),
        "submit": plain(t("modal.save", lang), MAX_VIEW_TITLE),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": blocks,
    }


def _text_input(
    block_id: str, action_id: str, label: str, placeholder: str, initial: str | None
) -> dict[str, Any]:
    element = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": MAX_COMMENT,
        "placeholder": plain(placeholder, 150),
        **_initial(clip(initial, MAX_COMMENT) if initial else None),
    }
    return input_block(block_id, label, element)


def _initial_option(options: list[dict[str, Any]], value: str | None) -> dict[str, Any]:
    chosen = next((o for o in options if value is not None and o["value"] == value), None)
    return {"initial_option": chosen} if chosen else {}


def _kpi_label(initiative: Initiative | None, lang: str) -> str:
    if initiative is None:
        return t("modal.kpi", lang)
    target = _target(initiative, lang)
    if initiative.kpi_unit:
        return t("modal.kpi_in_unit", lang, unit=initiative.kpi_unit, target=target)
    return t("modal.kpi_with_target", lang, target=target)


def read_update(view: dict[str, Any]) -> UpdateForm:
    """The update a submitted modal holds, or InvalidForm with a message for each bad field."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    origin = read_metadata(view)
    named = "initiative_id" in origin
    initiative_id = metadata_id(origin.pop("initiative_id", None))
    lang = str(origin.pop("lang", DEFAULT))
    if not named:
        selected = _selected(values, ids.INITIATIVE_BLOCK, ids.INITIATIVE_ACTION)
        if selected and selected.isascii() and selected.isdigit():
            initiative_id = int(selected)
        else:
            errors[ids.INITIATIVE_BLOCK] = t("modal.error_initiative", lang)
    elif initiative_id is None:  # metadata Baton never wrote
        errors[ids.STATUS_BLOCK] = t("modal.error_gone", lang)
    selected_status = _selected(values, ids.STATUS_BLOCK, ids.STATUS_ACTION)
    if selected_status not in set(Status):  # none chosen, or a value that is no status at all
        errors[ids.STATUS_BLOCK] = t("modal.error_status", lang)
    raw_kpi = _text(values, ids.KPI_BLOCK, ids.KPI_ACTION)
    kpi_value = None
    if raw_kpi:
        try:
            kpi_value = parse_number(raw_kpi)
        except ValueError:
            errors[ids.KPI_BLOCK] = t("modal.error_kpi", lang)
    confidence = _selected(values, ids.CONFIDENCE_BLOCK, ids.CONFIDENCE_ACTION)
    progress = _progress(_text(values, ids.PROGRESS_BLOCK, ids.PROGRESS_ACTION))
    if progress == -1:
        errors[ids.PROGRESS_BLOCK] = t("modal.error_progress", lang)
    texts = {name: _text(values, block, action) for name, block, action, *_ in TEXT_FIELDS}
    if texts["decision_options"] and not texts["decision_needed"]:
        errors[ids.DECISION_BLOCK] = t("modal.error_decision", lang)
    if errors:
        raise InvalidForm(errors)
    assert initiative_id is not None and selected_status is not None
    details = Details(
        confidence=int(confidence) if confidence in {str(level) for level in CONFIDENCE_LEVELS} else None,
        progress=progress,
        **texts,
    )
    return UpdateForm(
        int(initiative_id),
        Status(selected_status),
        kpi_value,
        _text(values, ids.COMMENT_BLOCK, ids.COMMENT_ACTION),
        origin,
        lang,
        details,
    )


def _text(values: dict[str, Any], block: str, action: str) -> str | None:
    """A text field's value, stripped; None when empty (or absent from the submission)."""
    return (values.get(block, {}).get(action, {}).get("value") or "").strip() or None


def _selected(values: dict[str, Any], block: str, action: str) -> str | None:
    chosen = values.get(block, {}).get(action, {}).get("selected_option")
    return str(chosen["value"]) if chosen else None


def _progress(text: str | None) -> int | None:
    """A percentage from 0 to 100 (`60`, `60 %`); None when empty, -1 when it is not one."""
    if text is None:
        return None
    digits = text.removesuffix("%").strip()
    if not digits.isdigit() or int(digits) > 100:
        return -1
    return int(digits)


def checkin_confirmation(initiative: Initiative, checkin: CheckIn, lang: str = DEFAULT) -> dict[str, Any]:
    """The DM that tells an owner what Baton recorded."""
    kpi = escape(kpi_text(checkin.kpi_value, initiative.kpi_unit))
    summary = t("confirm.summary", lang, status=status_badge(checkin.status, lang), kpi=kpi)
    title = escape(clip(initiative.title, MAX_TITLE))
    blocks = [section(t("confirm.recorded", lang, cycle=checkin.cycle, title=title)), section(summary)]
    # five quotes of 1,800 characters each (escaped) and the head stay within the message's budget
    blocks.extend(section(clip(line, MAX_QUOTED_SECTION)) for line in checkin_details(checkin, lang))
    return fit_message(
        {"text": t("confirm.text", lang, cycle=checkin.cycle, title=title, summary=summary), "blocks": blocks}
    )


def checkin_details(checkin: CheckIn, lang: str = DEFAULT, limit: int = MAX_QUOTED) -> list[str]:
    """What a check-in says besides its status and KPI, one escaped mrkdwn line (or quote) each."""
    lines = []
    if checkin.confidence is not None or checkin.progress is not None:
        confidence = str(checkin.confidence) if checkin.confidence is not None else "–"
        progress = str(checkin.progress) if checkin.progress is not None else "–"
        lines.append(t("confirm.confidence_progress", lang, confidence=confidence, progress=progress))
    texts = (
        ("confirm.highlights", checkin.comment),
        ("confirm.next_steps", checkin.next_steps),
        ("confirm.blockers", checkin.blockers),
        ("confirm.decision", checkin.decision_needed),
        ("confirm.options", checkin.decision_options),
    )
    for label, text in texts:
        if text:
            lines.append(t(label, lang, text=quote(clip(text, limit))))
    return lines


def quote(text: str) -> str:
    """User text as an escaped mrkdwn block quote."""
    return ">" + escape(text).replace("\n", "\n>")


def _initial(value: str | None) -> dict[str, str]:
    return {"initial_value": value} if value else {}


def _target(initiative: Initiative, lang: str) -> str:
    if initiative.kpi_target is None:
        return t("modal.target_unset", lang)
    return kpi_text(initiative.kpi_target, initiative.kpi_unit)


def _kpi_summary(initiative: Initiative, lang: str) -> str:
    current = kpi_text(initiative.kpi_current, initiative.kpi_unit)
    target = _target(initiative, lang)
    return t("modal.kpi_summary", lang, kpi=initiative.kpi_name or "KPI", current=current, target=target)


def notice_modal(text: str, lang: str = DEFAULT) -> dict[str, Any]:
    """A modal that only says something (a refusal, where there is no conversation to answer in)."""
    return {
        "type": "modal",
        "title": plain(t("modal.title", lang), MAX_VIEW_TITLE),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": [section(text)],
    }
