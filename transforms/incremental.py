"""Incremental batch runs: what an output folder already holds, read back as PCollections.

A scheduler runs the batch job every few minutes over a growing input with ``--incremental``; each run codes only
documents whose doc_id is not in the output yet. What is "already there" comes from the output's *committed* files
(``transforms.storage.commit.committed_files``: files of a run that was killed before its commit are never read), so
deleting the output resets everything:

* ``documents`` table (Parquet if present, else Avro): doc_id, text_sha256, duplicate_of. Known doc_ids are
  skipped; known texts are originals for the exact-duplicate check.
* ``document_signatures`` (Avro, written by every run with ``--dedup near``): MinHash signatures of known documents,
  for near-duplicates of documents coded by earlier runs.
* ``_index/known-*.parquet``: all of the above in a few files (``transforms/storage/known_index.py``), written at each
  commit; read instead of the tables when it covers exactly the committed files.
* ``dead_letter/*.jsonl``: a dead letter already written (same stage, source as an absolute path, line, doc_id and
  reason) is not written again, and a document that failed in the NLP stage is not retried (delete its dead letter
  to retry).

A run with nothing new writes no table file (only its run record ``_runs/<run_id>.json``).
"""
from __future__ import annotations

import json
from typing import Optional, Sequence

import apache_beam as beam

from transforms.aggregate import ReadTable, resolve_table_input
from transforms.skip_known import letter_key
from transforms.storage import known_index
from transforms.storage.commit import committed_files

SIGNATURES_TABLE = "document_signatures"
KNOWN_DOCUMENT_COLUMNS = ("doc_id", "text_sha256", "duplicate_of")


def signature_files(output: str) -> list[str]:
    """Committed files of the near-duplicate index under an output folder."""
    return committed_files(output, SIGNATURES_TABLE, "avro")


def dead_letter_files(output: str, *, exclude: Sequence[str] = ()) -> list[str]:
    """Committed dead-letter files of an output folder, less ``exclude`` (the files a replay reprocesses)."""
    excluded = set(exclude)
    return [p for p in committed_files(output, "dead_letter", "jsonl") if p not in excluded]



def _index_segments(output: str, exclude: Sequence[str] = ()) -> Optional[list[str]]:
    """The output's known-documents index when it is current (and no dead-letter file is excluded), else None."""
    return None if exclude else known_index.current(output)


class _ReadIndex(beam.PTransform):
    """Rows of one kind (document | signature | dead_letter) of the index segments, as dicts of ``columns``."""

    def __init__(self, segments: Sequence[str], kind: str, columns: Sequence[str]) -> None:
        super().__init__()
        self.segments = list(segments)
        self.kind = kind
        self.columns = list(columns)

    def expand(self, pbegin):
        files = [s for s in self.segments if known_index.kind_of(s) == self.kind]
        if not files:
            return pbegin | "Nothing" >> beam.Create([])
        return (
            pbegin
            | "Segments" >> beam.Create(files)
            | "ReadIndex" >> beam.io.ReadAllFromParquet(columns=self.columns)
        )


class _ReadKnown(beam.PTransform):
    """What ``output`` already holds (base of the readers below).

    output: The job's output folder.
    exclude_dead_letters: Committed dead-letter files not to count (a replay's).
    """

    def __init__(self, output: str, *, exclude_dead_letters: Sequence[str] = ()) -> None:
        super().__init__()
        self.output = output
        self.exclude_dead_letters = tuple(exclude_dead_letters)


class ReadKnownDocuments(_ReadKnown):
    """``documents`` records (doc_id, text_sha256, duplicate_of) already in ``output``, plus a record without a
    text hash for each document that failed in the NLP stage (so it is not retried). Read from the output's index
    (``transforms/storage/known_index.py``) when it is current, else from the committed tables.

    output: The job's output folder.
    exclude_dead_letters: Dead-letter files not to count (a replay's).
    """

    def expand(self, pbegin):
        segments = _index_segments(self.output, self.exclude_dead_letters)
        if segments is not None:
            table = pbegin | "IndexDocuments" >> _ReadIndex(segments, known_index.DOCUMENT, KNOWN_DOCUMENT_COLUMNS)
            letters = pbegin | "IndexDeadLetters" >> _ReadIndex(segments, known_index.DEAD_LETTER, ("doc_id", "stage"))
        else:
            pattern, fmt = resolve_table_input(self.output, "documents")
            columns = list(KNOWN_DOCUMENT_COLUMNS) if fmt == "parquet" else None
            table = (
                pbegin
                | "ReadDocumentsTable" >> ReadTable(pattern, fmt, columns=columns)
                | "Slim" >> beam.Map(lambda r: {k: r.get(k) for k in KNOWN_DOCUMENT_COLUMNS})
            )
            letters = pbegin.pipeline | "KnownDeadLetters" >> ReadKnownDeadLetters(
                self.output, exclude_dead_letters=self.exclude_dead_letters
            )
        failed = (
            letters
            | "NlpFailures" >> beam.Filter(lambda l: l.get("stage") == "nlp" and l.get("doc_id"))
            | "AsKnown" >> beam.Map(lambda l: {"doc_id": l["doc_id"], "text_sha256": None, "duplicate_of": None})
        )
        return (table, failed) | "AllKnown" >> beam.Flatten()


class ReadKnownSignatures(beam.PTransform):
    """``document_signature`` records of earlier runs (empty when there are none): from the index when current."""

    def __init__(self, output: str) -> None:
        super().__init__()
        self.output = output

    def expand(self, pbegin):
        segments = _index_segments(self.output)
        if segments is not None:
            return pbegin | "IndexSignatures" >> _ReadIndex(
                segments, known_index.SIGNATURE, ("doc_id", "text_sha256", "root", "signature")
            )
        return pbegin | "ReadSignatures" >> ReadTable(signature_files(self.output), "avro")


class ReadKnownDeadLetters(_ReadKnown):
    """Dead-letter records (dicts) already committed in ``output/dead_letter`` (less ``exclude_dead_letters``)."""

    def expand(self, pbegin):
        files = dead_letter_files(self.output, exclude=self.exclude_dead_letters)
        if not files:
            return pbegin | "NoDeadLetters" >> beam.Create([])
        return (
            pbegin
            | "Files" >> beam.Create(files)
            | "ReadDeadLetters" >> beam.io.ReadAllFromText()
            | "Json" >> beam.Map(json.loads)
        )


class ReadKnownDeadLetterKeys(_ReadKnown):
    """``repr(dead_letter_key(letter))`` (``skip_known.letter_key``) of every committed dead letter (from the index
    when current): the known side of ``(letters, known keys) | SkipKnownDeadLetters()``."""

    def expand(self, pbegin):
        segments = _index_segments(self.output, self.exclude_dead_letters)
        if segments is not None:
            return (
                pbegin
                | "IndexDeadLetters" >> _ReadIndex(segments, known_index.DEAD_LETTER, ("dead_letter_key",))
                | "Key" >> beam.Map(lambda r: r["dead_letter_key"])
            )
        return (
            pbegin
            | "KnownDeadLetters" >> ReadKnownDeadLetters(self.output, exclude_dead_letters=self.exclude_dead_letters)
            | "Key" >> beam.Map(letter_key)
        )


def describe(output: str) -> dict[str, Optional[list]]:
    """Which files an incremental run would read under ``output`` (for logs and tests)."""
    documents, _fmt = resolve_table_input(output, "documents")
    return {
        "documents": documents,
        "signatures": signature_files(output) or None,
        "dead_letters": dead_letter_files(output) or None,
    }
