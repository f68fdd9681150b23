"""The digest's chart, and `baton report` for people outside Slack.

One PNG (matplotlib, drawn off-screen with the Agg canvas, no pyplot state): on the left the portfolio's
statuses week by week over the quarter (stacked counts), on the right each initiative's KPI progress from
baseline toward target — the furthest behind first, the rest summarised in one line. The HTML report
embeds the same PNG and adds a table with one row per initiative.
"""

from __future__ import annotations

import base64
import html
import io
from statistics import median

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain.digest import DigestData, Item
from bot.domain.progress import Pace, sparkline
from bot.i18n import DEFAULT, t
from bot.views.blocks import STATUSES, kpi_text, status_label
from storage.models import Status

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
