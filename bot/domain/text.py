"""Text normalisation and lenient matching of names typed by people."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Hashable, Mapping
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"'})
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
_WORD = re.compile(r"[a-z0-9]+")


def tidy(text: str, *, keep_quotes: bool = False) -> str:
    """Straight quotes, plain spaces, no emoji or pictographs, single spaces: what a person meant to type.
    `keep_quotes`: typographic quotes and apostrophes stay, for text shown as written (`l’onboarding`);
    matching still folds them (`key`)."""
    text = unicodedata.normalize("NFC", text).translate(_SPACES)
    if not keep_quotes:
        text = text.translate(_QUOTES)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Cf", "Cs", "Co"))
    text = text.replace("\x00", "")  # a NUL byte, which no database text column should hold
    return " ".join(text.split())


def fold(text: str) -> str:
    """Case- and accent-insensitive form used to compare names."""
    decomposed = unicodedata.normalize("NFKD", tidy(text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def key(text: str) -> str:
    """A stable identity for a name: folded words joined by single spaces."""
    return " ".join(_WORD.findall(fold(text)))


def best_matches(query: str, keys: Mapping[T, str]) -> list[T]:
    """The candidates whose name best matches `query`: one when it is clear, several when ambiguous.

    `keys` maps each candidate to the `key()` of its name (stored, so matching costs no normalisation).
    An exact name wins; otherwise every word of the query must start a word of the name (so `erp`
    finds `Déploiement ERP phase 2`); otherwise a close spelling, for typos. Empty query: no match.
    """
    wanted = key(query)
    if not wanted:
        return []
    exact = [item for item, name in keys.items() if name == wanted]
    if exact:
        return exact
    words = wanted.split()
    prefixed = [item for item, name in keys.items() if _all_words_prefix(words, name.split())]
    if prefixed:
        return prefixed
    by_name = {name: item for item, name in keys.items()}
    return [by_name[name] for name in difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=0.75)]


def _all_words_prefix(wanted: list[str], words: list[str]) -> bool:
    return all(any(word.startswith(w) for word in words) for w in wanted)
