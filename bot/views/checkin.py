"""The weekly update: the modal, reading its submission, and the confirmation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.kpi import parse_number
from bot.i18n import DEFAULT, t
from bot.views import ids
from bot.views.blocks import (
    MAX_OPTIONS,
    MAX_VIEW_TITLE,
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
    lang: str = DEFAULT


def update_modal(
    initiative: Initiative | None,
    choices: Sequence[Initiative] = (),
    *,
    unmatched: str | None = None,
    previous: CheckIn | None = None,
    origin: dict[str, Any] | None = None,
    lang: str = DEFAULT,
) -> dict[str, Any]:
    """The update modal for one initiative, or with a picker of `choices` when none was singled out.

    `unmatched` is what the person typed when it matched nothing, so the modal can say so; `previous`
    fills the fields with an earlier answer; `origin` (e.g. the check-in DM to refresh) rides along in
    `private_metadata` to the submission, with the language so that errors speak it too.
    """
    blocks: list[dict[str, Any]] = []
    if unmatched:
        blocks.append(context(t("modal.unmatched", lang, query=escape(unmatched))))
    if initiative is not None:
        blocks.append(section(f"*{escape(initiative.title)}*\n{status_badge(initiative.status, lang)}"))
        blocks.append(context(escape(_kpi_summary(initiative, lang))))
    else:
        blocks.append(
            {
                "type": "input",
                "block_id": ids.INITIATIVE_BLOCK,
                "label": plain(t("modal.initiative", lang)),
                "element": {
                    "type": "static_select",
                    "action_id": ids.INITIATIVE_ACTION,
                    "placeholder": plain(t("modal.choose_initiative", lang)),
                    "options": [option(choice.title, str(choice.id)) for choice in choices[:MAX_OPTIONS]],
                },
            }
        )
    status_options = [option(status_badge(s, lang), s.value) for s in ANSWERABLE]
    initial_status = next((o for o in status_options if previous and o["value"] == previous.status), None)
    blocks.append(
        {
            "type": "input",
            "block_id": ids.STATUS_BLOCK,
            "label": plain(t("modal.status", lang)),
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
            "label": plain(t("modal.kpi_in_unit", lang, unit=unit) if unit else t("modal.kpi", lang)),
            "hint": plain(
                t("modal.kpi_hint_target", lang, target=_target(initiative, lang))
                if initiative
                else t("modal.kpi_hint", lang)
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
            "label": plain(t("modal.comment", lang)),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.COMMENT_ACTION,
                "multiline": True,
                "max_length": MAX_COMMENT,
                "placeholder": plain(t("modal.comment_placeholder", lang)),
                **_initial(previous.comment if previous else None),
            },
        }
    )
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


def read_update(view: dict[str, Any]) -> UpdateForm:
    """The update a submitted modal holds, or InvalidForm with a message for each bad field."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    origin = json.loads(view.get("private_metadata") or "{}")
    initiative_id = origin.pop("initiative_id", None)
    lang = origin.pop("lang", DEFAULT)
    if initiative_id is None:
        selected = values.get(ids.INITIATIVE_BLOCK, {}).get(ids.INITIATIVE_ACTION, {}).get("selected_option")
        if selected:
            initiative_id = int(selected["value"])
        else:
            errors[ids.INITIATIVE_BLOCK] = t("modal.error_initiative", lang)
    selected_status = values[ids.STATUS_BLOCK][ids.STATUS_ACTION].get("selected_option")
    if not selected_status:
        errors[ids.STATUS_BLOCK] = t("modal.error_status", lang)
    raw_kpi = (values[ids.KPI_BLOCK][ids.KPI_ACTION].get("value") or "").strip()
    kpi_value = None
    if raw_kpi:
        try:
            kpi_value = parse_number(raw_kpi)
        except ValueError:
            errors[ids.KPI_BLOCK] = t("modal.error_kpi", lang)
    comment = (values[ids.COMMENT_BLOCK][ids.COMMENT_ACTION].get("value") or "").strip() or None
    if errors:
        raise InvalidForm(errors)
    assert initiative_id is not None and selected_status is not None
    return UpdateForm(int(initiative_id), Status(selected_status["value"]), kpi_value, comment, origin, lang)


def checkin_confirmation(initiative: Initiative, checkin: CheckIn, lang: str = DEFAULT) -> dict[str, Any]:
    """The DM that tells an owner what Baton recorded."""
    kpi = escape(kpi_text(checkin.kpi_value, initiative.kpi_unit))
    summary = t("confirm.summary", lang, status=status_badge(checkin.status, lang), kpi=kpi)
    title = escape(initiative.title)
    blocks = [section(t("confirm.recorded", lang, cycle=checkin.cycle, title=title)), section(summary)]
    if checkin.comment:
        blocks.append(section(f">{escape(checkin.comment)}".replace("\n", "\n>")))
    return {
        "text": t("confirm.text", lang, cycle=checkin.cycle, title=title, summary=summary),
        "blocks": blocks,
    }


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
