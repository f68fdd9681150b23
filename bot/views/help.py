"""The `/okr` help: every subcommand, in one ephemeral message."""

from __future__ import annotations

from typing import Any

from bot.views.blocks import context, escape, section

SUBCOMMANDS = (
    ("update [initiative]", "record this week's status, KPI value and comment for an initiative"),
    ("help", "show this help"),
)


def help_message(unknown: str | None = None) -> dict[str, Any]:
    lines = "\n".join(f"• `/okr {usage}` — {what}" for usage, what in SUBCOMMANDS)
    blocks = []
    if unknown:
        blocks.append(
            section(f":grey_question: I don't know `/okr {escape(unknown)}`. Here is what I can do:")
        )
    blocks.append(section(f"*Baton* runs your strategy rituals in Slack.\n{lines}"))
    blocks.append(context("Example: `/okr update ERP` opens the weekly update for the ERP deployment."))
    text = "Baton: /okr " + ", /okr ".join(usage for usage, _ in SUBCOMMANDS)
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}
