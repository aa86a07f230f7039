"""Text helpers shared by the coders: the one name normaliser (lookup keys of names).

:func:`name_key` is the key every dictionary and gazetteer is indexed by: accents stripped, lower case, unified
apostrophes, hyphens between letters and runs of spaces made one space, dots dropped ("U.S." = "US",
"Jae-myung" = "jae myung", "Brasília" = "brasilia"). :func:`place_key` is the same key with what place names
add to it: a possessive ("Ukraine's"), a leading "the", every apostrophe and every hyphen dropped
("the Côte d'Ivoire" = "cote divoire").
"""
from __future__ import annotations

import functools
import re
import unicodedata

#: Apostrophe-like characters (ASCII, typographic, modifier letters used in transliterations).
APOSTROPHES = frozenset("'\u2019\u02bc\u02bb\u02bf\u02be`\u2018")
#: Tokens that open or close a quotation (spaCy keeps "``" and "''" for TeX-style quotes).
QUOTE_TOKENS = frozenset({'"', "\u201c", "\u201d", "''", "``"})
_HYPHEN_IN_WORD = re.compile(r"(?<=\w)-(?=\w)")
_POSSESSIVE_ENDINGS = ("'s", "\u2019s")
# after name_key: apostrophes dropped, the hyphens it kept (not between letters) made spaces
_PLACE_TABLE = str.maketrans({"-": " ", **{ch: None for ch in APOSTROPHES}})


@functools.lru_cache(maxsize=200_000)
def name_key(text: str) -> str:
    """Normalise a name for lookup: accents stripped, lower case, unified apostrophes and hyphens, no dots.

    text: A word or phrase.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").lower()
    text = _HYPHEN_IN_WORD.sub(" ", text)
    text = text.replace(".", "")
    return " ".join(text.split())


def place_key(name: str) -> str:
    """The lookup key of a place name: :func:`name_key` without a possessive, a leading "the", apostrophes or
    hyphens ("the U.S.'s" -> "us", "Guinea-Bissau" -> "guinea bissau", "Côte d'Ivoire" -> "cote divoire").

    name: A place name as written.
    """
    name = name.strip()
    if name.endswith(_POSSESSIVE_ENDINGS):
        name = name[:-2]
    text = " ".join(name_key(name).casefold().translate(_PLACE_TABLE).split())
    if text.startswith("the "):
        text = text[4:]
    return text.strip()
