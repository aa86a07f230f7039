"""The known-documents anti-join, one doc_id at a time: which input line of a doc_id is coded, which ones become
dead letters, and which are already in the output (incremental runs). No Beam (``transforms/skip_known.py`` runs
it).

Rules: of the lines that share a doc_id, the last one in file order (file path, then line number as a number) is
kept; the others become ``repeated_id`` dead letters. A doc_id already in the output is not coded again: every
occurrence counts as already known, except when the kept occurrence's text differs from the known text (normalised
hash): that revision becomes one ``revised_text`` dead letter (the output is append-only and keeps the first
version). A known record without a text hash (a document that failed in the NLP stage) only blocks its doc_id.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional

from transforms.coding.model import Document
from transforms.records import ingest


def file_order(document: Document) -> tuple:
    """Where a document stands in the input: (file, line number), compared numerically (line 10 after line 9)."""
    path, _, line = document.source.rpartition(":")
    if path and line.isdigit():
        return (path, int(line))
    return (document.source, 0)


def repeated_id_letter(document: Document, *, winner: Document) -> dict:
    """The ``repeated_id`` dead letter of a line that lost to a later line with the same id."""
    path, line = file_order(document)
    same = "the same text" if document.text == winner.text else "a different text"
    return ingest.make_dead_letter(
        source=path, line=line or None, doc_id=document.doc_id, reason=ingest.REPEATED_ID,
        detail=f"id {document.doc_id!r} appears again later in the input ({winner.source}, with {same}); the last "
        "occurrence in file order is the one coded",
        raw=document.text,
    )


def revised_text_letter(document: Document) -> dict:
    """The ``revised_text`` dead letter of a known id that arrives with a different text."""
    path, line = file_order(document)
    return ingest.make_dead_letter(
        source=path, line=line or None, doc_id=document.doc_id, reason=ingest.REVISED_TEXT,
        detail=f"id {document.doc_id!r} is already in the output with a different text; the output is append-only "
        "and keeps the first version (give the revised article a new id, or re-code everything into a new --output)",
        raw=document.text,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class IdVerdict:
    """What becomes of the input lines of one doc_id.

    keep: The Document to code, or None.
    dead_letters: ``repeated_id`` / ``revised_text`` dead letters.
    already_known: Lines not coded because the doc_id is already in the output.
    repeated: Lines that lost to a later line with the same id.
    revised: 1 when the kept line revises a known text, else 0.
    """

    keep: Optional[Document]
    dead_letters: tuple[dict, ...] = ()
    already_known: int = 0
    repeated: int = 0
    revised: int = 0


def decide_doc_id(*, occurrences: Iterable[Document], known_hashes: Iterable[Optional[str]]) -> Optional[IdVerdict]:
    """The verdict on the input lines of one doc_id (see the module doc), or None when it has no input line.

    occurrences: The Documents read with this doc_id.
    known_hashes: The ``text_sha256`` of its records already in the output (None for an NLP failure); empty when the
        doc_id is new.
    """
    new = sorted(occurrences, key=lambda d: (file_order(d), d.text))
    if not new:
        return None
    known = set(known_hashes)
    winner = new[-1]
    if known:
        if None in known or ingest.normalized_text_sha256(winner.text) in known:
            return IdVerdict(keep=None, already_known=len(new))
        return IdVerdict(keep=None, dead_letters=(revised_text_letter(winner),), already_known=len(new) - 1,
                         revised=1)
    letters = tuple(repeated_id_letter(loser, winner=winner) for loser in new[:-1])
    return IdVerdict(keep=winner, dead_letters=letters, repeated=len(letters))
