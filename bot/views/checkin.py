"""The weekly update: the modal, reading its submission, and the confirmation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.kpi import parse_number
from bot.views import ids
from bot.views.blocks import (
    MAX_OPTIONS,
    MAX_VIEW_TITLE,
    STATUS_EMOJI,
    STATUS_LABEL,
    context,
    escape,
    format_number,
    kpi_text,
    option,
    plain,
    section,
    status_badge,
)
from storage.models import CheckIn, Initiative, Status

ANSWERABLE = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
MAX_COMMENT = 3000


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
    comment: str | None
    origin: dict[str, Any] = field(default_factory=dict)  # where the modal was opened from (a check-in DM)


def update_modal(
    initiative: Initiative | None,
    choices: Sequence[Initiative] = (),
    *,
    unmatched: str | None = None,
    previous: CheckIn | None = None,
    origin: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The update modal for one initiative, or with a picker of `choices` when none was singled out.

    `unmatched` is what the person typed when it matched nothing, so the modal can say so; `previous`
    fills the fields with an earlier answer; `origin` (e.g. the check-in DM to refresh) rides along in
    `private_metadata` to the submission.
    """
    blocks: list[dict[str, Any]] = []
    if unmatched:
        blocks.append(context(f"No initiative matches “{escape(unmatched)}”: choose one below."))
    if initiative is not None:
        blocks.append(section(f"*{escape(initiative.title)}*\n{status_badge(initiative.status)}"))
        blocks.append(context(escape(_kpi_summary(initiative))))
    else:
        blocks.append(
            {
                "type": "input",
                "block_id": ids.INITIATIVE_BLOCK,
                "label": plain("Initiative"),
                "element": {
                    "type": "static_select",
                    "action_id": ids.INITIATIVE_ACTION,
                    "placeholder": plain("Choose an initiative"),
                    "options": [option(choice.title, str(choice.id)) for choice in choices[:MAX_OPTIONS]],
                },
            }
        )
    status_options = [option(f"{STATUS_EMOJI[s]} {STATUS_LABEL[s]}", s.value) for s in ANSWERABLE]
    initial_status = next((o for o in status_options if previous and o["value"] == previous.status), None)
    blocks.append(
        {
            "type": "input",
            "block_id": ids.STATUS_BLOCK,
            "label": plain("Status"),
            "element": {
                "type": "radio_buttons",
                "action_id": ids.STATUS_ACTION,
                "options": status_options,
                **({"initial_option": initial_status} if initial_status else {}),
            },
        }
    )
    unit = initiative.kpi_unit if initiative else None
    blocks.append(
        {
            "type": "input",
            "block_id": ids.KPI_BLOCK,
            "optional": True,
            "label": plain(f"KPI value ({unit})" if unit else "KPI value"),
            "hint": plain(
                "A number, e.g. 12 or 12,5." + (f" Target: {_target(initiative)}." if initiative else "")
            ),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.KPI_ACTION,
                "placeholder": plain("12,5"),
                **_initial(
                    None
                    if previous is None or previous.kpi_value is None
                    else format_number(previous.kpi_value)
                ),
            },
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": ids.COMMENT_BLOCK,
            "optional": True,
            "label": plain("Comment"),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.COMMENT_ACTION,
                "multiline": True,
                "max_length": MAX_COMMENT,
                "placeholder": plain("What moved this week, what is next"),
                **_initial(previous.comment if previous else None),
            },
        }
    )
    metadata = {**(origin or {}), **({"initiative_id": initiative.id} if initiative is not None else {})}
    return {
        "type": "modal",
        "callback_id": ids.UPDATE_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": plain("Weekly update", MAX_VIEW_TITLE),
        "submit": plain("Save", MAX_VIEW_TITLE),
        "close": plain("Cancel", MAX_VIEW_TITLE),
        "blocks": blocks,
    }


def read_update(view: dict[str, Any]) -> UpdateForm:
    """The update a submitted modal holds, or InvalidForm with a message for each bad field."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    origin = json.loads(view.get("private_metadata") or "{}")
    initiative_id = origin.pop("initiative_id", None)
    if initiative_id is None:
        selected = values.get(ids.INITIATIVE_BLOCK, {}).get(ids.INITIATIVE_ACTION, {}).get("selected_option")
        if selected:
            initiative_id = int(selected["value"])
        else:
            errors[ids.INITIATIVE_BLOCK] = "Choose an initiative."
    selected_status = values[ids.STATUS_BLOCK][ids.STATUS_ACTION].get("selected_option")
    if not selected_status:
        errors[ids.STATUS_BLOCK] = "Choose a status."
    raw_kpi = (values[ids.KPI_BLOCK][ids.KPI_ACTION].get("value") or "").strip()
    kpi_value = None
    if raw_kpi:
        try:
            kpi_value = parse_number(raw_kpi)
        except ValueError:
            errors[ids.KPI_BLOCK] = "Enter a number, such as 12 or 12,5 — without the unit."
    comment = (values[ids.COMMENT_BLOCK][ids.COMMENT_ACTION].get("value") or "").strip() or None
    if errors:
        raise InvalidForm(errors)
    assert initiative_id is not None and selected_status is not None
    return UpdateForm(int(initiative_id), Status(selected_status["value"]), kpi_value, comment, origin)


def checkin_confirmation(initiative: Initiative, checkin: CheckIn) -> dict[str, Any]:
    """The DM that tells an owner what Baton recorded."""
    summary = (
        f"{status_badge(checkin.status)} · KPI {escape(kpi_text(checkin.kpi_value, initiative.kpi_unit))}"
    )
    title = escape(initiative.title)
    blocks = [
        section(f":white_check_mark: Recorded your {checkin.cycle} update for *{title}*"),
        section(summary),
    ]
    if checkin.comment:
        blocks.append(section(f">{escape(checkin.comment)}".replace("\n", "\n>")))
    return {"text": f"Recorded your {checkin.cycle} update for {title}: {summary}", "blocks": blocks}


def _initial(value: str | None) -> dict[str, str]:
    return {"initial_value": value} if value else {}


def _target(initiative: Initiative) -> str:
    return (
        kpi_text(initiative.kpi_target, initiative.kpi_unit)
        if initiative.kpi_target is not None
        else "not set"
    )


def _kpi_summary(initiative: Initiative) -> str:
    name = initiative.kpi_name or "KPI"
    return (
        f"{name}: now {kpi_text(initiative.kpi_current, initiative.kpi_unit)}, target {_target(initiative)}"
    )
