"""The quarterly review: initiatives ranked by their OKR score and grouped achieved / partly / missed, each
with baseline → target → reached and its status week by week (a row of dots, with a legend), the decisions
taken, and, once the quarter is over, the strategy office's close-out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.i18n import DEFAULT, t
from bot.views import ids
from bot.views.blocks import (
    MAX_OPTION_TEXT,
    MAX_OPTIONS,
    MAX_VIEW_TITLE,
    NO_UPDATE_EMOJI,
    STATUS_EMOJI,
    STATUSES,
    clip,
    context,
    escape,
    header,
    input_block,
    kpi_text,
    option,
    plain,
    section,
    status_label,
)
from bot.views.committee import in_parts
from bot.views.escalation import MAX_TITLE
from storage.models import Decision, Initiative, Status

MAX_DECISION_IN_REVIEW = 200
MAX_DECISIONS_PER_INITIATIVE = 5
MAX_REASON = 500
OUTCOMES = ("achieved", "carried_over", "dropped")

# Google's OKR grading ("re:Work, Set goals with OKRs"): 0.7-1.0 is green (delivered), 0.4-0.6 yellow
# (progress made, fell short), 0.0-0.3 red (failed to make real progress).
ACHIEVED_FROM = 0.7
PARTLY_FROM = 0.4


class Grade(StrEnum):
    ACHIEVED = "achieved"
    PARTLY = "partly"
    MISSED = "missed"
    UNSCORED = "unscored"


def grade(score: float | None) -> Grade:
    if score is None:
        return Grade.UNSCORED
    if score >= ACHIEVED_FROM:
        return Grade.ACHIEVED
    return Grade.PARTLY if score >= PARTLY_FROM else Grade.MISSED


@dataclass(frozen=True)
class ReviewItem:
    initiative: Initiative
    department: str | None
    reached: float | None
    score: float | None  # 0-1, None without a baseline, a target or a value
    statuses: Sequence[Status | None]  # one per cycle of the quarter
    decisions: Sequence[Decision] = field(default_factory=tuple)

    @property
    def closeout(self) -> Decision | None:
        return next((d for d in self.decisions if d.outcome), None)


def ranked(items: Sequence[ReviewItem]) -> list[tuple[Grade, list[ReviewItem]]]:
    """The groups in order, each ranked by score (highest first, then by title); empty groups left out."""
    order = sorted(items, key=lambda i: (-(i.score if i.score is not None else -1.0), i.initiative.title_key))
    groups = [(g, [i for i in order if grade(i.score) is g]) for g in Grade]
    return [(g, members) for g, members in groups if members]


def status_row(statuses: Sequence[Status | None]) -> str:
    return "".join(STATUS_EMOJI[Status(s)] if s else NO_UPDATE_EMOJI for s in statuses)


def legend(cycles: Sequence[str], lang: str = DEFAULT) -> str:
    items = [f"{STATUS_EMOJI[s]} {status_label(s, lang).lower()}" for s in STATUSES]
    items.append(f"{NO_UPDATE_EMOJI} {t('review.no_update', lang)}")
    first, last = (cycles[0], cycles[-1]) if cycles else ("–", "–")
    return t("review.legend", lang, first=first, last=last, items=" · ".join(items))


def outcome_label(outcome: str, lang: str = DEFAULT) -> str:
    return t(f"outcome.{outcome}", lang)


def review_messages(
    quarter: str,
    items: Sequence[ReviewItem],
    lang: str = DEFAULT,
    *,
    cycles: Sequence[str] = (),
    closeout: bool = False,
) -> list[dict[str, Any]]:
    """The review's messages; `closeout`: offer the close-out button (the quarter is over)."""
    scores = [item.score for item in items if item.score is not None]
    average = f"{sum(scores) / len(scores):.2f}" if scores else "–"
    blocks: list[dict[str, Any]] = [
        header(t("review.header", lang, quarter=quarter)),
        section(t("review.summary", lang, count=len(items), average=average, scored=len(scores))),
    ]
    if closeout and items:
        blocks.append(closeout_prompt(quarter, lang))
    if not items:
        blocks.append(context(t("review.empty", lang)))
    else:
        blocks.append(context(legend(cycles or [], lang)))
    rank = 0
    for group, members in ranked(items):
        blocks.append(section(t(f"review.group.{group.value}", lang, count=len(members))))
        for item in members:
            rank += 1
            blocks.append(_item(rank, item, lang))
    return in_parts(blocks, t("review.text", lang, quarter=quarter, count=len(items), average=average), lang)


def closeout_prompt(quarter: str, lang: str) -> dict[str, Any]:
    return {
        "type": "section",
        "block_id": ids.CLOSEOUT_BLOCK,
        "text": {"type": "mrkdwn", "text": t("review.closeout.prompt", lang)},
        "accessory": {
            "type": "button",
            "action_id": ids.CLOSEOUT_OPEN,
            "value": quarter,
            "style": "primary",
            "text": plain(t("review.closeout.button", lang), MAX_OPTION_TEXT),
        },
    }


def _item(rank: int, item: ReviewItem, lang: str) -> dict[str, Any]:
    initiative = item.initiative
    unit = initiative.kpi_unit
    title = escape(clip(initiative.title, MAX_TITLE))
    if item.department:
        title = t("review.title_department", lang, title=title, department=escape(clip(item.department, 80)))
    lines = [
        f"{t('review.rank', lang, rank=rank)} {title}",
        t(
            "review.kpi",
            lang,
            baseline=escape(kpi_text(initiative.kpi_baseline, unit, lang)),
            target=escape(kpi_text(initiative.kpi_target, unit, lang)),
            reached=escape(kpi_text(item.reached, unit, lang)),
            score=f"{item.score:.2f}" if item.score is not None else "–",
        ),
        status_row(item.statuses),
    ]
    for decision in [d for d in item.decisions if not d.outcome][-MAX_DECISIONS_PER_INITIATIVE:]:
        lines.append(
            t(
                "review.decision",
                lang,
                date=f"{decision.decided_at:%Y-%m-%d}",
                decision=escape(clip(" ".join(decision.decision.split()), MAX_DECISION_IN_REVIEW)),
            )
        )
    if (closed := item.closeout) is not None:
        lines.append(closeout_line(closed, lang))
    return section("\n".join(lines))


def closeout_line(decision: Decision, lang: str) -> str:
    return t(
        "review.closeout.decision",
        lang,
        date=f"{decision.decided_at:%Y-%m-%d}",
        outcome=outcome_label(decision.outcome or "", lang),
        reason=escape(clip(decision.rationale or "", MAX_DECISION_IN_REVIEW)),
    )


# --- the close-out modal: one initiative per submission, so 64 or 640 fit in a handful of blocks -------


@dataclass(frozen=True)
class CloseoutForm:
    quarter: str
    initiative_id: int
    outcome: str
    reason: str
    lang: str


class InvalidCloseout(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def closeout_modal(
    quarter: str, next_quarter: str, open_items: Sequence[ReviewItem], lang: str = DEFAULT
) -> dict[str, Any]:
    """The remaining initiatives in one select (the first MAX_OPTIONS, ranked), the outcome suggested by the
    score's grade, and the reason. Slack allows 100 options: the rest appear as these are closed out."""
    metadata = json.dumps({"quarter": quarter, "lang": lang})
    title = plain(clip(t("closeout.modal.title", lang, quarter=quarter), MAX_VIEW_TITLE), MAX_VIEW_TITLE)
    if not open_items:
        return {
            "type": "modal",
            "callback_id": ids.CLOSEOUT_MODAL,
            "private_metadata": metadata,
            "title": title,
            "close": plain(t("closeout.modal.close", lang), MAX_VIEW_TITLE),
            "blocks": [section(t("closeout.modal.all_done", lang, quarter=quarter))],
        }
    shown = [item for _, members in ranked(open_items) for item in members][:MAX_OPTIONS]
    options = [_initiative_option(item, lang) for item in shown]
    first = shown[0]
    suggested = {Grade.ACHIEVED: "achieved", Grade.MISSED: "dropped"}.get(grade(first.score), "carried_over")
    outcomes = {o: option(outcome_label(o, lang), o) for o in OUTCOMES}
    outcomes["carried_over"]["description"] = plain(
        clip(t("closeout.modal.carried_hint", lang, next=next_quarter), MAX_OPTION_TEXT)
    )
    blocks: list[dict[str, Any]] = [
        section(t("closeout.modal.about", lang, left=len(open_items), quarter=quarter)),
    ]
    if len(open_items) > len(shown):
        blocks.append(context(t("closeout.modal.more", lang, shown=len(shown))))
    blocks += [
        input_block(
            ids.CLOSEOUT_INITIATIVE_BLOCK,
            t("closeout.modal.initiative", lang),
            {
                "type": "static_select",
                "action_id": ids.CLOSEOUT_INITIATIVE_ACTION,
                "options": options,
                "initial_option": options[0],
            },
            optional=False,
        ),
        input_block(
            ids.CLOSEOUT_OUTCOME_BLOCK,
            t("closeout.modal.outcome", lang),
            {
                "type": "radio_buttons",
                "action_id": ids.CLOSEOUT_OUTCOME_ACTION,
                "options": list(outcomes.values()),
                "initial_option": outcomes[suggested],
            },
            optional=False,
        ),
        input_block(
            ids.CLOSEOUT_REASON_BLOCK,
            t("closeout.modal.reason", lang),
            {
                "type": "plain_text_input",
                "action_id": ids.CLOSEOUT_REASON_ACTION,
                "multiline": True,
                "max_length": MAX_REASON,
            },
            optional=False,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ids.CLOSEOUT_MODAL,
        "private_metadata": metadata,
        "title": title,
        "submit": plain(t("closeout.modal.submit", lang), MAX_VIEW_TITLE),
        "close": plain(t("closeout.modal.close", lang), MAX_VIEW_TITLE),
        "blocks": blocks,
    }


def _initiative_option(item: ReviewItem, lang: str) -> dict[str, Any]:
    score = f"{item.score:.2f}" if item.score is not None else "–"
    suffix = t("closeout.modal.option", lang, title="", score=score)
    text = clip(item.initiative.title, MAX_OPTION_TEXT - len(suffix)) + suffix
    return option(text, str(item.initiative.id))


def read_closeout(view: dict[str, Any]) -> CloseoutForm:
    """What a submitted close-out modal holds, or InvalidCloseout. Values Baton did not make are refused
    here; whether the sender may act is decided by the service, from Slack."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    metadata = metadata if isinstance(metadata, dict) else {}
    lang = str(metadata.get("lang") or DEFAULT)
    quarter = str(metadata.get("quarter") or "")
    values = view.get("state", {}).get("values", {})

    def picked(block: str, action: str) -> str:
        return str(
            ((values.get(block, {}).get(action) or {}).get("selected_option") or {}).get("value") or ""
        )

    initiative = picked(ids.CLOSEOUT_INITIATIVE_BLOCK, ids.CLOSEOUT_INITIATIVE_ACTION)
    outcome = picked(ids.CLOSEOUT_OUTCOME_BLOCK, ids.CLOSEOUT_OUTCOME_ACTION)
    reason = str(
        (values.get(ids.CLOSEOUT_REASON_BLOCK, {}).get(ids.CLOSEOUT_REASON_ACTION) or {}).get("value") or ""
    )
    errors = {}
    if not (initiative.isascii() and initiative.isdigit() and len(initiative) < 19):
        errors[ids.CLOSEOUT_INITIATIVE_BLOCK] = t("closeout.error.pick", lang)
    if outcome not in OUTCOMES:
        errors[ids.CLOSEOUT_OUTCOME_BLOCK] = t("closeout.error.pick", lang)
    if not " ".join(reason.split()):
        errors[ids.CLOSEOUT_REASON_BLOCK] = t("closeout.error.reason", lang)
    if not _is_quarter(quarter):
        errors[ids.CLOSEOUT_INITIATIVE_BLOCK] = t("closeout.error.gone", lang)
    if errors:
        raise InvalidCloseout(errors)
    return CloseoutForm(quarter, int(initiative), outcome, reason, lang)


def _is_quarter(value: str) -> bool:
    return len(value) == 7 and value[:4].isdigit() and value[4:6] == "-Q" and value[6] in "1234"


def closeout_reply(
    user: str, title: str, outcome: str, reason: str, next_quarter: str | None, lang: str = DEFAULT
) -> dict[str, Any]:
    """The line told in the review's thread when an initiative is closed out."""
    values = {
        "user": escape(user),
        "title": escape(clip(title, MAX_TITLE)),
        "outcome": outcome_label(outcome, lang),
        "reason": escape(clip(reason, MAX_DECISION_IN_REVIEW)),
    }
    key = "closeout.recorded_carried" if next_quarter else "closeout.recorded"
    text = t(key, lang, next=next_quarter, **values)
    return {
        "text": t("closeout.recorded_text", lang, title=clip(title, MAX_TITLE), outcome=values["outcome"]),
        "blocks": [section(text)],
    }
