"""The digest's chart, and `baton report` for people outside Slack.

One PNG (matplotlib, drawn off-screen with the Agg canvas, no pyplot state): on the left the portfolio's
statuses week by week over the quarter (stacked counts), on the right each initiative's KPI progress from
baseline toward target — the furthest behind first, the rest summarised in one line. The HTML report
embeds the same PNG and adds a table with one row per initiative.

The quarterly review is a document of its own (`review_pdf`, `review_png`, `review_html`): initiatives
ranked by score in their groups, baseline → target → reached, score bars, the status strip with its legend,
and the decisions (the close-out's among them).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from matplotlib import rc_context
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from bot.domain.digest import DigestData, Item
from bot.domain.progress import Pace, sparkline
from bot.i18n import DEFAULT, t
from bot.views.blocks import STATUSES, kpi_text, status_label
from bot.views.review import (
    ACHIEVED_FROM,
    PARTLY_FROM,
    Grade,
    ReviewItem,
    grade,
    legend,
    outcome_label,
    ranked,
)
from storage.models import Decision, Status

COLOURS: dict[Status | None, str] = {
    Status.ON_TRACK: "#2BAC76",
    Status.AT_RISK: "#E8912D",
    Status.OFF_TRACK: "#E01E5A",
    Status.DONE: "#1D9BD1",
    Status.DROPPED: "#8D8D8D",
    None: "#D9D9D9",
}
TOP = 12  # initiatives drawn in the progress chart; the others are summarised
MAX_LABEL = 34


def chart_png(data: DigestData, lang: str = DEFAULT) -> bytes:
    # People's text is shown as typed: `$` does not start a formula.
    with rc_context({"text.parse_math": False, "font.size": 9}):
        figure = Figure(figsize=(12, 4.8), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(t("digest.chart.title", lang, quarter=data.quarter), fontweight="bold")
        statuses, progress = figure.subplots(1, 2, width_ratios=(1, 1.2))
        _statuses(statuses, data, lang)
        _progress(progress, data, lang)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _statuses(ax: Axes, data: DigestData, lang: str) -> None:
    cycles = list(data.status_by_cycle)
    labels = [cycle.split("-")[1] for cycle in cycles]
    bottom = [0] * len(cycles)
    for status in (*STATUSES, None):
        heights = [data.status_by_cycle[cycle][status] for cycle in cycles]
        if not any(heights):
            continue
        name = status_label(status, lang) if status else t("status.none", lang)
        ax.bar(labels, heights, bottom=bottom, color=COLOURS[status], label=name, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_title(t("digest.chart.status", lang))
    ax.tick_params(axis="x", labelrotation=90)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # initiatives are counted whole
    ax.spines[["top", "right"]].set_visible(False)
    if any(bottom):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8, frameon=False)


def _progress(ax: Axes, data: DigestData, lang: str) -> None:
    measured = sorted((i for i in data.items if i.progress is not None), key=lambda i: (i.progress, i.title))
    ax.set_title(t("digest.chart.progress", lang))
    ax.spines[["top", "right"]].set_visible(False)
    low = min([0.0, *(100 * (i.progress or 0) for i in measured)])
    high = max([100.0, *(100 * (i.progress or 0) for i in measured)])
    ax.set_xlim(low, high)  # a KPI that went backwards is drawn left of 0 %, never as 0 %
    if not measured:
        ax.text(50, 0.5, t("digest.chart.no_kpi", lang), ha="center", va="center")
        ax.set_yticks([])
        return
    shown = list(reversed(measured[:TOP]))  # barh draws bottom-up: the furthest behind on top
    bars = ax.barh(
        [_label(i) for i in shown],
        [100 * (i.progress or 0) for i in shown],
        color=[COLOURS[i.status] for i in shown],
    )
    ax.bar_label(bars, fmt="{:.0f} %", padding=3, fontsize=8)  # a KPI at 0 % still says so
    ax.xaxis.set_major_formatter("{x:.0f} %")
    rest = measured[TOP:]
    if rest:
        middle = round(100 * median(i.progress or 0 for i in rest))
        note = t("digest.chart.others", lang, count=len(rest), median=middle)
        ax.annotate(note, xy=(0, 0), xycoords="axes fraction", xytext=(0, -28), textcoords="offset points")


def _label(item: Item) -> str:
    return item.title if len(item.title) <= MAX_LABEL else item.title[: MAX_LABEL - 1] + "…"


def report_html(data: DigestData, lang: str = DEFAULT, png: bytes | None = None) -> str:
    """A page that stands alone: the chart embedded, then one row per initiative."""
    image = base64.b64encode(png if png is not None else chart_png(data, lang)).decode()
    title = html.escape(t("digest.report.title", lang, quarter=data.quarter))
    columns = ("initiative", "department", "status", "kpi", "target", "progress", "pace", "trend")
    head = "".join(f"<th>{html.escape(t(f'digest.report.{c}', lang))}</th>" for c in columns)
    rows = "\n".join(_row(item, lang) for item in data.items)
    alt = html.escape(t("digest.chart.alt", lang, quarter=data.quarter))
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1d1c1d; }}
img {{ max-width: 100%; }}
table {{ border-collapse: collapse; margin-top: 1.5rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .35rem .6rem; text-align: left; vertical-align: top; }}
td.number {{ text-align: right; }}
.trend {{ font-family: monospace; white-space: pre; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{html.escape(t("digest.report.generated", lang, cycle=data.cycle))}</p>
<img alt="{alt}" src="data:image/png;base64,{image}">
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def _row(item: Item, lang: str) -> str:
    status = status_label(item.status, lang) if item.status else t("status.none", lang)
    progress = f"{round(100 * item.progress)} %" if item.progress is not None else "–"
    pace = {
        Pace.ON_PACE: t("digest.report.on_pace", lang),
        Pace.BEHIND: t("digest.report.behind", lang),
        Pace.UNKNOWN: t("digest.report.unknown", lang),
    }[item.pace]
    cells = (
        (item.title, ""),
        (item.department or t("digest.no_department", lang), ""),
        (status, ""),
        (kpi_text(item.kpi_current, item.kpi_unit), "number"),
        (kpi_text(item.kpi_target, item.kpi_unit), "number"),
        (progress, "number"),
        (pace, ""),
        (sparkline(item.trend), "trend"),
    )
    return "<tr>" + "".join(_cell(value, kind) for value, kind in cells) + "</tr>"


def _cell(value: str, kind: str) -> str:
    return f'<td class="{kind}">{html.escape(value)}</td>' if kind else f"<td>{html.escape(value)}</td>"


# --- The quarterly review as a document (`baton report --kind review`): PDF, PNG or HTML -------------------

GRADE_COLOURS = {
    Grade.ACHIEVED: "#2BAC76",
    Grade.PARTLY: "#E8C22D",
    Grade.MISSED: "#E01E5A",
    Grade.UNSCORED: "#BBBBBB",
}
ROWS_PER_PAGE = 22  # table rows on one A4-landscape page of the PDF
BARS_PER_PAGE = 32  # score bars on one page: 64 initiatives are two pages of scores, three of table
ROW_INCHES = 0.34
MAX_REVIEW_LABEL = 44
MAX_DECISION_LABEL = 60


@dataclass(frozen=True)
class ReviewReport:
    quarter: str
    cycles: Sequence[str]
    items: Sequence[ReviewItem]

    def rows(self) -> list[tuple[Grade, int, ReviewItem]]:
        """(grade, rank, item), ranked by score within each group."""
        found, rank = [], 0
        for group, members in ranked(self.items):
            for item in members:
                rank += 1
                found.append((group, rank, item))
        return found

    def average(self) -> str:
        scores = [i.score for i in self.items if i.score is not None]
        return f"{sum(scores) / len(scores):.2f}" if scores else "–"


def review_pdf(report: ReviewReport, lang: str = DEFAULT) -> bytes:
    """A4 landscape: the scores first (32 a page), then the ranked table with the status strip (22 rows a
    page), each table page with the legend."""
    with rc_context({"text.parse_math": False, "font.size": 9}):
        buffer = io.BytesIO()
        rows = report.rows()
        pages = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
        # no creation date: the same review writes the same file
        with PdfPages(buffer, metadata={"Creator": None, "Producer": None, "CreationDate": None}) as pdf:
            for start in range(0, max(len(rows), 1), BARS_PER_PAGE):
                figure = _figure((11.69, 8.27))
                _review_head(figure, report, lang)
                _scores(figure.add_axes((0.3, 0.08, 0.62, 0.74)), rows[start : start + BARS_PER_PAGE], lang)
                pdf.savefig(figure)
            for number, page in enumerate(pages, start=1):
                figure = _figure((11.69, 8.27))
                _review_head(figure, report, lang, page=(number, len(pages)))
                _table(figure.add_axes((0.03, 0.1, 0.94, 0.74)), page, report.cycles, lang)
                _legend(figure, lang)
                pdf.savefig(figure)
    return buffer.getvalue()


def review_png(report: ReviewReport, lang: str = DEFAULT) -> bytes:
    """One image for a screen: the scores above, the table below, as tall as the portfolio needs."""
    rows = report.rows()
    with rc_context({"text.parse_math": False, "font.size": 9}):
        head, gap, foot = 1.5, 0.9, 0.9  # inches: the title, between chart and table, the legend
        chart = max(2.5, ROW_INCHES * 0.8 * len(rows) + 1)
        table = max(1.5, ROW_INCHES * (len(rows) + 2))
        height = head + chart + gap + table + foot
        figure = _figure((14, height))
        _review_head(figure, report, lang)
        bottom = (foot + table + gap) / height
        _scores(figure.add_axes((0.3, bottom, 0.62, chart / height)), rows, lang)
        _table(figure.add_axes((0.03, foot / height, 0.94, table / height)), rows, report.cycles, lang)
        _legend(figure, lang, y=0.1 / height)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def review_html(report: ReviewReport, lang: str = DEFAULT) -> str:
    """A page that stands alone: the scores as an embedded image, then the ranked table with its groups,
    the status strip in colour with its legend, and the close-out decisions."""
    rows = report.rows()
    with rc_context({"text.parse_math": False, "font.size": 9}):
        figure = _figure((11, max(2.5, ROW_INCHES * 0.8 * len(rows) + 1)))
        _scores(figure.add_axes((0.3, 0.12, 0.65, 0.82)), rows, lang)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    image = base64.b64encode(buffer.getvalue()).decode()
    title = html.escape(t("report.review.title", lang, quarter=report.quarter))
    summary = t(
        "report.review.summary",
        lang,
        count=len(report.items),
        average=report.average(),
        scored=sum(1 for i in report.items if i.score is not None),
    )
    columns = ("rank", "initiative", "kpi", "score", "weeks", "decisions")
    head = "".join(f"<th>{html.escape(t(f'report.review.{c}', lang))}</th>" for c in columns)
    body: list[str] = []
    current: Grade | None = None
    for group, rank, item in rows:
        if group is not current:
            current = group
            count = sum(1 for g, _, _ in rows if g is group)
            heading = t(f"review.group.{group.value}", lang, count=count).replace("*", "")
            colour = GRADE_COLOURS[group]
            body.append(
                f'<tr class="group"><th colspan="6" style="border-left-color:{colour}">'
                f"{html.escape(heading)}</th></tr>"
            )
        body.append(_review_row(rank, item, report.cycles, lang))
    dots = " ".join(
        f'<span class="dot" style="background:{COLOURS[status]}"></span>'
        f"{html.escape(_status_name(status, lang))}"
        for status in (*STATUSES, None)
    )
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1d1c1d; }}
img {{ max-width: 100%; }}
table {{ border-collapse: collapse; margin-top: 1rem; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .35rem .6rem; text-align: left; vertical-align: top; }}
tr.group th {{ background: #f6f6f6; border-left: .4rem solid; font-size: 1.05rem; }}
td.number {{ text-align: right; white-space: nowrap; }}
.bar {{ display: inline-block; height: .6rem; vertical-align: middle; margin-left: .3rem; }}
.dot {{ display: inline-block; width: .8rem; height: .8rem; border-radius: 50%; margin: 0 .1rem;
        vertical-align: middle; }}
.legend {{ margin: .5rem 0; }}
.legend .dot {{ margin-left: .8rem; margin-right: .3rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{html.escape(summary)}</p>
<img alt="{html.escape(t("report.review.scores", lang))}" src="data:image/png;base64,{image}">
<p class="legend">{html.escape(_legend_title(report.cycles, lang))}{dots}</p>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(body) or f'<tr><td colspan="6">{html.escape(t("report.review.none", lang))}</td></tr>'}
</tbody>
</table>
</body>
</html>
"""


def _review_row(rank: int, item: ReviewItem, cycles: Sequence[str], lang: str) -> str:
    initiative = item.initiative
    name = html.escape(initiative.title)
    if item.department:
        name += f"<br><small>{html.escape(item.department)}</small>"
    score = "–"
    if item.score is not None:
        width = round(6 * item.score, 2)
        colour = GRADE_COLOURS[grade(item.score)]
        score = f'{item.score:.2f}<span class="bar" style="width:{width}rem;background:{colour}"></span>'
    dots = "".join(
        f'<span class="dot" title="{html.escape(cycle)}: {html.escape(_status_name(status, lang))}" '
        f'style="background:{COLOURS[status]}"></span>'
        for cycle, status in zip(cycles, item.statuses, strict=False)
    )
    decisions = "<br>".join(html.escape(_decision_text(d, lang)) for d in item.decisions)
    return (
        f'<tr><td class="number">{rank}</td><td>{name}</td><td class="number">{html.escape(_kpi(item))}</td>'
        f'<td class="number">{score}</td><td>{dots}</td><td>{decisions}</td></tr>'
    )


def _figure(size: tuple[float, float]) -> Figure:
    figure = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _review_head(
    figure: Figure, report: ReviewReport, lang: str, page: tuple[int, int] | None = None
) -> None:
    height = figure.get_figheight()
    figure.text(
        0.03,
        1 - 0.45 / height,
        t("report.review.title", lang, quarter=report.quarter),
        fontsize=18,
        fontweight="bold",
    )
    summary = t(
        "report.review.summary",
        lang,
        count=len(report.items),
        average=report.average(),
        scored=sum(1 for i in report.items if i.score is not None),
    )
    figure.text(0.03, 1 - 0.8 / height, summary, fontsize=11, color="#555555")
    if page is not None:
        number, total = page
        figure.text(
            0.97,
            1 - 0.8 / height,
            t("report.review.page", lang, number=number, total=total),
            ha="right",
            color="#555555",
        )


def _scores(ax: Axes, rows: Sequence[tuple[Grade, int, ReviewItem]], lang: str) -> None:
    ax.set_title(t("report.review.scores", lang), loc="left", fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    if not rows:
        ax.text(0.5, 0.5, t("report.review.none", lang), ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return
    shown = list(reversed(rows))  # barh draws bottom-up: the best on top
    labels = [f"{rank}. {_clip(item.initiative.title, MAX_REVIEW_LABEL)}" for _, rank, item in shown]
    values = [item.score or 0 for _, _, item in shown]
    bars = ax.barh(labels, values, color=[GRADE_COLOURS[group] for group, _, _ in shown])
    ax.bar_label(
        bars,
        labels=[f"{i.score:.2f}" if i.score is not None else "–" for _, _, i in shown],
        padding=3,
        fontsize=8,
    )
    for threshold in (PARTLY_FROM, ACHIEVED_FROM):
        ax.axvline(threshold, color="#888888", linestyle="--", linewidth=0.8)
    ax.set_xlim(0, 1.08)
    ax.set_ylim(-0.6, len(shown) - 0.4)
    ax.tick_params(axis="y", labelsize=8)


def _table(ax: Axes, rows: Sequence[tuple[Grade, int, ReviewItem]], cycles: Sequence[str], lang: str) -> None:
    """The ranked rows as a drawn table: rank and title, KPI, score, one dot a week, the decisions."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    lines = max(len(rows), 1) + 1
    ax.set_ylim(lines, 0)
    columns = {"rank": 0.0, "initiative": 0.03, "kpi": 0.30, "score": 0.47, "weeks": 0.53, "decisions": 0.76}
    for name, x in columns.items():
        ax.text(x, 0.5, t(f"report.review.{name}", lang), fontweight="bold", va="center")
    step = 0.2 / max(len(cycles), 1)
    for y, (group, rank, item) in enumerate(rows, start=1):
        middle = y + 0.5
        ax.axhline(y, color="#DDDDDD", linewidth=0.5)
        ax.add_patch(Rectangle((0.022, y + 0.15), 0.004, 0.7, color=GRADE_COLOURS[group]))
        title = _clip(item.initiative.title, MAX_REVIEW_LABEL)
        if item.department:
            title += f" ({_clip(item.department, 20)})"
        ax.text(0.0, middle, str(rank), va="center")
        ax.text(0.03, middle, title, va="center")
        ax.text(0.30, middle, _kpi(item), va="center")
        ax.text(0.47, middle, f"{item.score:.2f}" if item.score is not None else "–", va="center")
        xs = [0.53 + step * (i + 0.5) for i in range(len(item.statuses))]
        ax.scatter(
            xs,
            [middle] * len(xs),
            s=42,
            c=[COLOURS[s] for s in item.statuses],
            edgecolors="#999999",
            linewidths=0.4,
        )
        decisions = [_decision_text(d, lang) for d in item.decisions]
        if decisions:
            ax.text(0.76, middle, _clip(decisions[-1], MAX_DECISION_LABEL), va="center", fontsize=8)
    if cycles:
        ax.text(0.53, lines - 0.1, f"{cycles[0]} → {cycles[-1]}", fontsize=7, color="#555555")


def _legend(figure: Figure, lang: str, y: float = 0.03) -> None:
    handles: list[Artist] = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=8,
            markerfacecolor=COLOURS[s],
            markeredgecolor="#999999",
            label=_status_name(s, lang),
        )
        for s in (*STATUSES, None)
    ]
    handles += [
        Patch(
            color=GRADE_COLOURS[g],
            label=t(f"review.group.{g.value}", lang, count="").replace("*", "").rstrip(" ·"),
        )
        for g in Grade
    ]
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, y),
        ncol=6,
        frameon=False,
        fontsize=8,
    )


def _legend_title(cycles: Sequence[str], lang: str) -> str:
    return legend(cycles, lang).split(":")[0] + ":" if cycles else ""


def _status_name(status: Status | None, lang: str) -> str:
    return status_label(status, lang) if status else t("review.no_update", lang)


def _kpi(item: ReviewItem) -> str:
    unit = item.initiative.kpi_unit
    baseline, target = item.initiative.kpi_baseline, item.initiative.kpi_target
    return f"{kpi_text(baseline, unit)} → {kpi_text(target, unit)} → {kpi_text(item.reached, unit)}"


def _decision_text(decision: Decision, lang: str) -> str:
    text = " ".join(decision.decision.split())
    if decision.outcome:
        text = f"{outcome_label(decision.outcome, lang)}: {' '.join((decision.rationale or '').split())}"
    return f"{decision.decided_at:%Y-%m-%d} {text}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
