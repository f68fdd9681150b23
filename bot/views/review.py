"""The quarterly review: per initiative baseline → target → reached, the OKR score, the status of each
cycle as a row of dots, and the decisions taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import DEFAULT, t
from bot.views.blocks import NO_UPDATE_EMOJI, STATUS_EMOJI, clip, context, escape, header, kpi_text, section
from bot.views.committee import in_parts
from bot.views.escalation import MAX_TITLE
from storage.models import Decision, Initiative, Status

MAX_DECISION_IN_REVIEW = 200
MAX_DECISIONS_PER_INITIATIVE = 5


@dataclass(frozen=True)
class ReviewItem:
    initiative: Initiative
    department: str | None
    reached: float | None
    score: float | None  # 0-1, None without a baseline, a target or a value
    statuses: Sequence[Status | None]  # one per cycle of the quarter
    decisions: Sequence[Decision] = field(default_factory=tuple)


def status_row(statuses: Sequence[Status | None]) -> str:
    return "".join(STATUS_EMOJI[Status(s)] if s else NO_UPDATE_EMOJI for s in statuses)


def review_messages(quarter: str, items: Sequence[ReviewItem], lang: str = DEFAULT) -> list[dict[str, Any]]:
    scores = [item.score for item in items if item.score is not None]
    average = f"{sum(scores) / len(scores):.2f}" if scores else "–"
    blocks: list[dict[str, Any]] = [
        header(t("review.header", lang, quarter=quarter)),
        section(t("review.summary", lang, count=len(items), average=average, scored=len(scores))),
    ]
    if not items:
        blocks.append(context(t("review.empty", lang)))
    blocks += [_item(item, lang) for item in items]
    return in_parts(blocks, t("review.text", lang, quarter=quarter, count=len(items), average=average), lang)


def _item(item: ReviewItem, lang: str) -> dict[str, Any]:
    initiative = item.initiative
    unit = initiative.kpi_unit
    title = escape(clip(initiative.title, MAX_TITLE))
    if item.department:
        title = t("review.title_department", lang, title=title, department=escape(clip(item.department, 80)))
    lines = [
        title,
        t(
            "review.kpi",
            lang,
            baseline=escape(kpi_text(initiative.kpi_baseline, unit)),
            target=escape(kpi_text(initiative.kpi_target, unit)),
            reached=escape(kpi_text(item.reached, unit)),
            score=f"{item.score:.2f}" if item.score is not None else "–",
        ),
        status_row(item.statuses),
    ]
    for decision in item.decisions[-MAX_DECISIONS_PER_INITIATIVE:]:
        lines.append(
            t(
                "review.decision",
                lang,
                date=f"{decision.decided_at:%Y-%m-%d}",
                decision=escape(clip(" ".join(decision.decision.split()), MAX_DECISION_IN_REVIEW)),
            )
        )
    return section("\n".join(lines))
