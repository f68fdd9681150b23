"""Every text a person reads, in English and French.

Each entry is a whole sentence with named placeholders, never fragments glued together, so a translation
can put words in its own order. A person's Slack locale picks the language where Baton knows it; the
workspace's language (`baton settings set language=fr`) otherwise.

The texts live in `bot/messages/`, one catalog per surface; a key defined twice is a start-up error.
"""

from __future__ import annotations

from bot.messages import committee, core, digest, escalations, failures, portfolio, review, sandbox

LANGUAGES = ("en", "fr")
DEFAULT = "en"


def _merge(*catalogs: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for catalog in catalogs:
        if twice := merged.keys() & catalog.keys():
            raise RuntimeError(f"message keys defined twice: {sorted(twice)}")
        merged.update(catalog)
    return merged


MESSAGES = _merge(
    core.MESSAGES,
    portfolio.MESSAGES,
    digest.MESSAGES,
    escalations.MESSAGES,
    committee.MESSAGES,
    failures.MESSAGES,
    sandbox.MESSAGES,
    review.MESSAGES,
)


def t(key: str, lang: str = DEFAULT, /, **values: object) -> str:
    """The text `key` in `lang` (English when Baton does not speak it), with its placeholders filled."""
    texts = MESSAGES[key]
    return texts.get(lang, texts[DEFAULT]).format(**values)


def language(locale: str | None, default: str = DEFAULT) -> str:
    """The language for a Slack locale (`fr-FR` → `fr`), or `default` when Baton does not speak it."""
    code = (locale or "").split("-")[0].lower()
    return code if code in LANGUAGES else (default if default in LANGUAGES else DEFAULT)
