"""The `/okr` help: every subcommand, in one ephemeral message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.i18n import DEFAULT, t
from bot.views.blocks import context, escape, fit_message, section


def help_message(
    subcommands: Sequence[tuple[str, str]], unknown: str | None = None, lang: str = DEFAULT
) -> dict[str, Any]:
    """`subcommands`: (usage, catalog key of what it does), from the `/okr` table that routes them."""
    commands = "\n".join(f"• `/okr {usage}` — {t(what, lang)}" for usage, what in subcommands)
    blocks = []
    if unknown:
        blocks.append(section(t("help.unknown", lang, command=escape(unknown))))
    blocks.append(section(t("help.intro", lang, commands=commands)))
    blocks.append(context(t("help.example", lang)))
    text = "Baton: /okr " + ", /okr ".join(usage for usage, _ in subcommands)
    return fit_message({"response_type": "ephemeral", "text": text, "blocks": blocks})
