"""The `/okr` help: every subcommand, in one ephemeral message."""

from __future__ import annotations

from typing import Any

from bot.i18n import DEFAULT, t
from bot.views.blocks import context, escape, section

# Every subcommand; `digest`, `escalate` and `decisions` are described in their own surface's catalog.
SUBCOMMANDS = (
    ("update [initiative]", "help.update"),
    ("status initiative", "help.status"),
    ("list [mine | team NAME | quarter 2026-Q4]", "help.list"),
    ("who", "help.who"),
    ("digest", "digest.help"),
    ("escalate initiative reason", "esc.help.escalate"),
    ("decisions [quarter]", "decisions.help"),
    ("new", "help.new"),
    ("edit initiative", "help.edit"),
    ("role list | set NAME @person…", "help.role"),
    ("import", "help.import"),
    ("settings", "help.settings"),
    ("archive initiative", "help.archive"),
    ("help", "help.help"),
)


def help_message(unknown: str | None = None, lang: str = DEFAULT) -> dict[str, Any]:
    commands = "\n".join(f"• `/okr {usage}` — {t(what, lang)}" for usage, what in SUBCOMMANDS)
    blocks = []
    if unknown:
        blocks.append(section(t("help.unknown", lang, command=escape(unknown))))
    blocks.append(section(t("help.intro", lang, commands=commands)))
    blocks.append(context(t("help.example", lang)))
    text = "Baton: /okr " + ", /okr ".join(usage for usage, _ in SUBCOMMANDS)
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}
