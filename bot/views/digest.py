"""The leadership digest: counts by status and each initiative's last update.

A portfolio too long for one message is split into several, each within Slack's limits; the ritual
posts the first to the channel and the rest in its thread, in order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from bot.roadmap import Owner
from bot.views.blocks import (
    MAX_BLOCKS_MESSAGE,
    STATUSES,
    clip,
    context,
    escape,
    header,
    kpi_text,
    owner_text,
    section,
    status_badge,
    status_label,
)
from storage.models import CheckIn, Delivery, Initiative

MAX_CHARS_MESSAGE = 12_000  # Slack rejects messages whose blocks hold much more text than this
MAX_COMMENT_IN_DIGEST = 280
MAX_TITLE_IN_DIGEST = 200
MAX_UNDELIVERED_SHOWN = 10


def digest_messages(
    cycle: str,
    initiatives: Sequence[Initiative],
    latest: Mapping[int, CheckIn],
    owners: Mapping[int, Sequence[Owner]],
    undelivered: Sequence[Delivery] = (),
) -> list[dict[str, Any]]:
    """The digest as messages (`text` + `blocks`): the first for the channel, the rest for its thread.
    `undelivered` are the messages Slack refused for good since the last digest (a prompt to a
    deactivated owner, a channel that is gone): leadership sees them rather than a silent gap."""
    counts = Counter(initiative.status for initiative in initiatives)
    parts = [f"{status_badge(status)}: *{counts[status]}*" for status in (*STATUSES, None) if counts[status]]
    summary = " · ".join(parts) if parts else "No initiatives yet: import a roadmap with `baton import`."
    head: list[dict[str, Any]] = [
        header(f"Weekly digest — {cycle}"),
        section(f"*{len(initiatives)} initiatives* — {summary}"),
    ]
    if undelivered:
        head.append(context(_undelivered(undelivered)))
    head.append({"type": "divider"})
    body = [_initiative_block(i, latest.get(i.id or 0), owners.get(i.id or 0, ())) for i in initiatives]
    chunks = _split([*head, *body])
    tally = [f"{counts[status]} {status_label(status).lower()}" for status in STATUSES if counts[status]]
    if counts[None]:
        tally.append(f"{counts[None]} without update")
    fallback = f"Weekly digest {cycle}: " + (", ".join(tally) or "no initiatives yet")
    messages = []
    for number, blocks in enumerate(chunks, start=1):
        if len(chunks) > 1:
            blocks = [*blocks, context(f"Part {number} of {len(chunks)}")]
        text = fallback if number == 1 else f"Weekly digest {cycle}, part {number} of {len(chunks)}"
        messages.append({"text": text, "blocks": blocks})
    return messages


def _initiative_block(
    initiative: Initiative, last: CheckIn | None, owners: Sequence[Owner]
) -> dict[str, Any]:
    title = f"{status_badge(initiative.status)}  *{escape(clip(initiative.title, MAX_TITLE_IN_DIGEST))}*"
    who = ", ".join(owner_text(owner) for owner in owners) or "no owner"
    kpi = escape(kpi_text(initiative.kpi_current, initiative.kpi_unit))
    target = escape(kpi_text(initiative.kpi_target, initiative.kpi_unit))
    lines = [title, f"Owner: {who} · KPI {kpi} (target {target})"]
    if last is None:
        lines.append("_No update yet._")
    else:
        lines.append(f"Last update {last.cycle} by <@{last.author}>: {status_label(last.status)}")
        if last.comment:
            lines.append(f"> {escape(clip(' '.join(last.comment.split()), MAX_COMMENT_IN_DIGEST))}")
    return section("\n".join(lines))


def _undelivered(deliveries: Sequence[Delivery]) -> str:
    shown = MAX_UNDELIVERED_SHOWN
    items = [
        f"{escape(d.kind)} to {_recipient(d.channel)} ({escape(d.error or 'unknown error')})"
        for d in deliveries
    ]
    more = f", and {len(items) - shown} more" if len(items) > shown else ""
    return f":warning: {len(items)} message(s) could not be delivered: " + "; ".join(items[:shown]) + more


def _recipient(channel: str) -> str:
    return f"<@{escape(channel)}>" if channel.startswith(("U", "W")) else f"<#{escape(channel)}>"


def _split(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Blocks grouped into messages within the block count and text size Slack accepts (one spare block)."""
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 0
    for block in blocks:
        block_size = len(str(block))
        if chunks[-1] and (
            len(chunks[-1]) >= MAX_BLOCKS_MESSAGE - 1 or size + block_size > MAX_CHARS_MESSAGE
        ):
            chunks.append([])
            size = 0
        chunks[-1].append(block)
        size += block_size
    return chunks
