"""The `/okr` help: every subcommand, in one ephemeral message."""

from __future__ import annotations

from typing import Any

from bot.i18n import DEFAULT, t
from bot.views.blocks import context, escape, section

SUBCOMMANDS = (
    ("update [initiative]", "help.update"),
    ("who", "help.who"),
    ("digest", "digest.help"),
    ("list [mine]", "help.list"),
    ("status initiative", "help.status"),
    ("role list | set NAME @person…", "help.role"),
    ("archive initiative", "help.archive"),
    ("import", "help.import"),
    ("escalate initiative reason", "esc.help.escalate"),
    ("decisions [quarter]", "decisions.help"),
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
