"""Which actor mentions a personal pronoun may refer back to.

"He" and "she" stand for one person: not a plural phrase ("the reporters"), not a country named as such (an actor
coded with its country alone) and not a phrase headed by a collective noun ("the government", "a jury":
``data/collective_nouns.txt``). Entity types are not used: the small model tags unfamiliar surnames as
organisations or places.
"""
from __future__ import annotations

import functools
import importlib.resources
import re

from transforms.coding.data_files import FIELD_SEPARATOR, tsv_rows
from transforms.coding.errors import DataFileError
from transforms.coding.model import ActorMention

COLLECTIVE_NOUNS_FILE = "collective_nouns.txt"
#: Tags of plural nouns.
PLURAL_TAGS = frozenset({"NNS", "NNPS"})
_NOUN = re.compile(r"^[a-z][a-z\-]*$")


def parse_collective_nouns(text: str, path: str) -> frozenset:
    """The nouns of a collective-noun list (format in the file's header); DataFileError with FILE:LINE."""
    seen: dict[str, int] = {}
    for lineno, fields in tsv_rows(path, what="collective-noun list", text=text):
        word = FIELD_SEPARATOR.join(fields).strip()  # one noun per line: a tab is an error below
        if not _NOUN.match(word):
            raise DataFileError(path, lineno, f"expected one lower-case noun (letters and hyphens), got {word!r}")
        if word in seen:
            raise DataFileError(path, lineno, f"duplicate noun {word!r} (first on line {seen[word]})")
        seen[word] = lineno
    return frozenset(seen)


@functools.lru_cache(maxsize=1)
def collective_nouns() -> frozenset:
    """The built-in list ``data/collective_nouns.txt``."""
    resource = importlib.resources.files("transforms.coding") / "data" / COLLECTIVE_NOUNS_FILE
    return parse_collective_nouns(resource.read_text(encoding="utf-8"), str(resource))


def may_be_one_person(mention: ActorMention, doc) -> bool:
    """The mention may be the antecedent of "he"/"she": not a country alone, its head not plural and not a
    collective noun ("the government", "a jury")."""
    actor = mention.actor
    if actor.country and actor.code == actor.country:
        return False  # a country named as such ("the US had come to believe ...")
    head = doc[mention.start : mention.end].root
    if head.tag_ in PLURAL_TAGS or doc[mention.end - 1].tag_ in PLURAL_TAGS:
        return False
    return head.lemma_.lower() not in collective_nouns() and head.lower_ not in collective_nouns()
