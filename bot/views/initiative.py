"""`/okr new` and `/okr edit`: one modal for both (edit comes prefilled), and reading its submission."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.domain.cycles import parse_quarter
from bot.domain.kpi import parse_number
from bot.domain.portfolio import RACI, InitiativeSpec, RaciMember
from bot.i18n import DEFAULT, t
from bot.views import ids
from bot.views.blocks import MAX_VIEW_TITLE, escape, input_block, number_to_type, option, plain, section
from bot.views.checkin import InvalidForm, metadata_id, read_metadata
from storage.models import Direction, Initiative, Objective, RaciLetter

MAX_TITLE = 150
MAX_OBJECTIVE = 300
MAX_SHORT = 80
MAX_ROLES = 500
_ROLE_SEPARATORS = re.compile(r"\s*[,;+]\s*")

# text fields: name → (label key, max length, required)
TEXT_FIELDS = {
    "title": ("initiative.title_label", MAX_TITLE, True),
    "objective": ("initiative.objective_label", MAX_OBJECTIVE, True),
    "department": ("initiative.department_label", MAX_SHORT, False),
    "quarter": ("initiative.quarter_label", 7, True),
    "kpi_name": ("initiative.kpi_name_label", MAX_SHORT, False),
    "kpi_unit": ("initiative.kpi_unit_label", 20, False),
    "kpi_baseline": ("initiative.baseline_label", 30, False),
    "kpi_target": ("initiative.target_label", 30, False),
}


def block_id(name: str) -> str:
    return ids.INITIATIVE_FIELD + name


def initiative_modal(
    *,
    quarter: str,
    lang: str = DEFAULT,
    initiative: Initiative | None = None,
    objective: Objective | None = None,
    raci: Mapping[RaciLetter, Sequence[RaciMember]] | None = None,
) -> dict[str, Any]:
    """The modal of `/okr new` (no `initiative`), or of `/okr edit`, filled with what is stored."""
    current: dict[str, str | None] = {name: None for name in TEXT_FIELDS}
    current["quarter"] = quarter
    if initiative is not None and objective is not None:
        current.update(
            title=initiative.title,
            objective=objective.title,
            department=objective.department,
            quarter=objective.quarter,
            kpi_name=initiative.kpi_name,
            kpi_unit=initiative.kpi_unit,
            kpi_baseline=_number(initiative.kpi_baseline, lang),
            kpi_target=_number(initiative.kpi_target, lang),
        )
    blocks: list[dict[str, Any]] = []
    for name, (label, limit, required) in TEXT_FIELDS.items():
        element = {"type": "plain_text_input", "action_id": ids.INITIATIVE_FIELD_ACTION, "max_length": limit}
        if current[name]:
            element["initial_value"] = str(current[name])[:limit]
        blocks.append(_input(name, t(label, lang), element, optional=not required))
    directions = [
        option(t("initiative.direction_up", lang), Direction.UP.value),
        option(t("initiative.direction_down", lang), Direction.DOWN.value),
    ]
    chosen = initiative.kpi_direction if initiative else Direction.UP
    direction = {
        "type": "radio_buttons",
        "action_id": ids.INITIATIVE_FIELD_ACTION,
        "options": directions,
        "initial_option": next(o for o in directions if o["value"] == chosen),
    }
    blocks.append(_input("kpi_direction", t("initiative.direction_label", lang), direction, optional=False))
    due: dict[str, Any] = {"type": "datepicker", "action_id": ids.INITIATIVE_FIELD_ACTION}
    if initiative is not None and initiative.due_date:
        due["initial_date"] = initiative.due_date.isoformat()
    blocks.append(_input("due_date", t("initiative.due_label", lang), due))
    for letter in RACI:
        members = (raci or {}).get(letter, ())
        people: dict[str, Any] = {"type": "multi_users_select", "action_id": ids.INITIATIVE_FIELD_ACTION}
        if users := [m.user for m in members if m.user]:
            people["initial_users"] = users
        roles: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": ids.INITIATIVE_FIELD_ACTION,
            "max_length": MAX_ROLES,
            "placeholder": plain(t("initiative.roles_placeholder", lang), 150),
        }
        if names := [m.role for m in members if m.role]:
            roles["initial_value"] = ", ".join(names)[:MAX_ROLES]
        blocks.append(_input(f"people_{letter.value}", t(f"initiative.people_{letter.value}", lang), people))
        blocks.append(
            _input(
                f"roles_{letter.value}",
                t(f"initiative.roles_{letter.value}", lang),
                roles,
                hint=t("initiative.roles_hint", lang),
            )
        )
    metadata = {"lang": lang, **({"initiative_id": initiative.id} if initiative else {})}
    return {
        "type": "modal",
        "callback_id": ids.INITIATIVE_MODAL,
        "private_metadata": json.dumps(metadata),
        "title": plain(
            t("initiative.edit_title" if initiative else "initiative.new_title", lang), MAX_VIEW_TITLE
        ),
        "submit": plain(t("modal.save", lang), MAX_VIEW_TITLE),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": blocks,
    }


def read_initiative(view: dict[str, Any]) -> tuple[InitiativeSpec, int | None, str]:
    """The spec a submitted modal holds, the initiative it edits (None: a new one) and the language;
    InvalidForm names each field that cannot be read."""
    values = view["state"]["values"]
    metadata = read_metadata(view)
    lang = str(metadata.get("lang", DEFAULT))
    errors: dict[str, str] = {}
    initiative_id = metadata_id(metadata.get("initiative_id"))
    if "initiative_id" in metadata and initiative_id is None:  # metadata Baton never wrote
        errors[block_id("title")] = t("initiative.error_gone", lang)

    def value(name: str) -> Any:
        return values.get(block_id(name), {}).get(ids.INITIATIVE_FIELD_ACTION, {})

    texts = {name: (value(name).get("value") or "").strip() or None for name in TEXT_FIELDS}
    for name, (_, _, required) in TEXT_FIELDS.items():
        if required and not texts[name]:
            errors[block_id(name)] = t("initiative.error_required", lang)
    quarter = texts["quarter"] or ""
    try:
        quarter = parse_quarter(quarter)
    except ValueError:
        errors[block_id("quarter")] = t("import.bad_quarter", lang)
    numbers: dict[str, float | None] = {}
    for name in ("kpi_baseline", "kpi_target"):
        typed = texts[name]
        try:
            numbers[name] = parse_number(typed) if typed else None
        except ValueError:
            errors[block_id(name)] = t("modal.error_kpi", lang)
    direction = (value("kpi_direction").get("selected_option") or {}).get("value") or Direction.UP.value
    due = value("due_date").get("selected_date")
    if errors:
        raise InvalidForm(errors)
    spec = InitiativeSpec(
        title=texts["title"] or "",
        objective=texts["objective"] or "",
        quarter=quarter,
        department=texts["department"],
        kpi_name=texts["kpi_name"],
        kpi_unit=texts["kpi_unit"],
        kpi_baseline=numbers["kpi_baseline"],
        kpi_target=numbers["kpi_target"],
        kpi_direction=Direction(direction),
        due_date=date.fromisoformat(due) if due else None,
        people={
            letter: tuple(dict.fromkeys(value(f"people_{letter.value}").get("selected_users") or ()))
            for letter in RACI
        },
        roles={
            letter: tuple(
                dict.fromkeys(
                    name
                    for name in _ROLE_SEPARATORS.split(value(f"roles_{letter.value}").get("value") or "")
                    if name.strip()
                )
            )
            for letter in RACI
        },
    )
    return spec, initiative_id, lang


def rejected_errors(problems: Mapping[str, tuple[str, Mapping[str, str]]], lang: str) -> dict[str, str]:
    """`Rejected.problems` as Slack's field errors, each under its field."""
    return {block_id(name): t(message, lang, **values) for name, (message, values) in problems.items()}


def saved_view(title: str, created: bool, lang: str) -> dict[str, Any]:
    """What the modal turns into once saved."""
    text = t("initiative.created" if created else "initiative.updated", lang, title=escape(title))
    return {
        "type": "modal",
        "title": plain(
            t("initiative.new_title" if created else "initiative.edit_title", lang), MAX_VIEW_TITLE
        ),
        "close": plain(t("modal.cancel", lang), MAX_VIEW_TITLE),
        "blocks": [section(text)],
    }


def _input(
    name: str, label: str, element: dict[str, Any], *, optional: bool = True, hint: str | None = None
) -> dict[str, Any]:
    return input_block(block_id(name), label, element, optional=optional, hint=hint)


def _number(value: float | None, lang: str) -> str | None:
    return None if value is None else number_to_type(value, lang)
