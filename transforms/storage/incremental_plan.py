"""Planning an incremental batch run before its pipeline is built (plain Python): is anything in the input new?

A scheduler re-runs the batch job every few minutes over a growing input; most runs find nothing new. Building and
running the Beam pipeline (and loading spaCy) for such a run costs far more than answering the question directly.
:func:`plan_nothing_new` reads the input units with the job's own reader (``transforms.sources.read_path``: same
ids, text normalisation and dead-letter rules) and the output's compact known-documents index
(``transforms/storage/known_index.py``), and returns the counters the full job would report when *every* input unit is
already accounted for:

* a Document whose doc_id is known, where the occurrence the job would keep (the last in file order, see
  ``skip_known.SkipKnown``) has a known text hash, or the id failed in the NLP stage before (never retried): every
  occurrence of that id counts as already known, as in the job;
* a dead letter whose key (stage, normalised source, line, doc_id, reason) is already committed.

Anything else (a new id, a revised text, a repeated id not yet known, a new bad line, an index that does not cover
the committed files exactly) returns None, and the job runs in full as always: when in doubt, run the pipeline.
"""
from __future__ import annotations

from typing import Optional

from transforms.records.ingest import normalized_text_sha256
from transforms.records.known_documents import file_order
from transforms.option_values import split_list
from transforms.sources import match_pattern, read_path
from transforms.storage import known_index

NO_HASH = None  # the "text hash" of a document that failed in the NLP stage: its id is known, whatever its text


def _known(output: str) -> Optional[tuple[dict[str, set], set[str]]]:
    """(doc_id -> known text hashes, known dead-letter keys) from the output's index, or None when it is not current."""
    segments = known_index.current(output)
    if segments is None:
        return None
    documents = [s for s in segments if known_index.kind_of(s) == known_index.DOCUMENT]
    letters = [s for s in segments if known_index.kind_of(s) == known_index.DEAD_LETTER]
    hashes: dict[str, set] = {}
    table = known_index.read(documents, ("doc_id", "text_sha256"))
    for doc_id, text_sha256 in zip(table.column("doc_id").to_pylist(), table.column("text_sha256").to_pylist()):
        hashes.setdefault(doc_id, set()).add(text_sha256)
    table = known_index.read(letters, ("doc_id", "stage", "dead_letter_key"))
    keys = set(table.column("dead_letter_key").to_pylist())
    for doc_id, stage in zip(table.column("doc_id").to_pylist(), table.column("stage").to_pylist()):
        if stage == "nlp" and doc_id:
            hashes.setdefault(doc_id, set()).add(NO_HASH)
    return hashes, keys


def plan_nothing_new(*, input_pattern: str, output: str, max_document_bytes: int,
                     dead_letter_max_chars: int) -> Optional[dict[str, int]]:
    """The Beam counters (``demarche`` namespace, non-zero ones) of an incremental batch run with nothing new, or
    None when some input unit is new (or anything is uncertain): then the full job must run.

    input_pattern: The job's ``--input`` (comma-separated globs).
    output: The job's ``--output``.
    max_document_bytes, dead_letter_max_chars: The job's ingest limits (they decide which units are dead letters).
    """
    known = _known(output)
    if known is None:
        return None
    hashes, letter_keys = known
    found = {f for part in split_list(input_pattern) for f in match_pattern(part)}  # as the job's OncePerPath
    read = letters = 0
    kept: dict[str, tuple] = {}  # doc_id -> (sort key of the occurrence the job keeps, its text)
    occurrences: dict[str, int] = {}
    for path, problem in sorted(found):
        for parsed in read_path(path, problem=problem, max_document_bytes=max_document_bytes,
                                max_chars=dead_letter_max_chars):
            read += 1
            if isinstance(parsed, dict):  # a dead letter: known, or the job must write it
                if repr(known_index.dead_letter_key(parsed)) not in letter_keys:
                    return None
                letters += 1
                continue
            if parsed.doc_id not in hashes:
                return None
            order = (file_order(parsed), parsed.text)
            if parsed.doc_id not in kept or order > kept[parsed.doc_id]:
                kept[parsed.doc_id] = order
            occurrences[parsed.doc_id] = occurrences.get(parsed.doc_id, 0) + 1
    for doc_id, (_order, text) in kept.items():
        known_hashes = hashes[doc_id]
        if NO_HASH not in known_hashes and normalized_text_sha256(text) not in known_hashes:
            return None  # a revised text: the job writes its revised_text dead letter
    documents = sum(occurrences.values())
    counters = {
        "documents_read": read,
        "documents_accepted": documents,
        "documents_already_known": documents,
        "dead_lettered_ingest": letters,
        "dead_letters_already_known": letters,
    }
    return {name: value for name, value in counters.items() if value}
