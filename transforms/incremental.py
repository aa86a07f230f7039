"""Incremental batch runs: what an output folder already holds, read back as PCollections.

A scheduler runs the batch job every few minutes over a growing input with ``--incremental``; each run codes only
documents whose doc_id is not in the output yet. What is "already there" comes from the output itself (no separate
state store), so deleting the output resets everything:

* ``documents`` table (Parquet if present, else Avro): doc_id, text_sha256, duplicate_of. Known doc_ids are
  skipped; known texts are originals for the exact-duplicate check.
* ``document_signatures`` (Avro, written by every run with ``--dedup near``): MinHash signatures of known documents,
  for near-duplicates of documents coded by earlier runs.
* ``dead_letter/*.jsonl``: a dead letter already written (same stage, source as an absolute path, line, doc_id and
  reason) is not written again, and a document that failed in the NLP stage is not retried (delete its dead letter
  to retry).

A run with nothing new writes no file at all.
"""
from __future__ import annotations

import json
from typing import Iterator, Optional

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.aggregate import ReadTable, has_files, resolve_table_input
from transforms.sources import normalized_source

NAMESPACE = "demarche"
SIGNATURES_TABLE = "document_signatures"
KNOWN_DOCUMENT_COLUMNS = ("doc_id", "text_sha256", "duplicate_of")


def signatures_pattern(output: str) -> str:
    """Files of the near-duplicate index under an output folder."""
    return FileSystems.join(output.rstrip("/"), "avro", SIGNATURES_TABLE, "*.avro")


def dead_letters_pattern(output: str) -> str:
    return FileSystems.join(output.rstrip("/"), "dead_letter", "*.jsonl")


def dead_letter_key(letter: dict) -> tuple:
    """What makes two dead letters "the same" across runs (the source compared as a normalised absolute path, so a
    rerun with a relative instead of an absolute glob finds the dead letters it wrote before)."""
    source = normalized_source(letter.get("source") or "")
    return (letter.get("stage"), source, letter.get("line"), letter.get("doc_id"), letter.get("reason"))


class ReadKnownDocuments(beam.PTransform):
    """``documents`` records (doc_id, text_sha256, duplicate_of) already in ``output``, plus a record without a
    text hash for each document that failed in the NLP stage (so it is not retried).

    output: The job's output folder.
    """

    def __init__(self, output: str) -> None:
        super().__init__()
        self.output = output

    def expand(self, pbegin):
        pattern, fmt = resolve_table_input(self.output, "documents")
        columns = list(KNOWN_DOCUMENT_COLUMNS) if fmt == "parquet" else None
        table = (
            pbegin
            | "ReadDocumentsTable" >> ReadTable(pattern, fmt, columns=columns)
            | "Slim" >> beam.Map(lambda r: {k: r.get(k) for k in KNOWN_DOCUMENT_COLUMNS})
        )
        failed = (
            pbegin.pipeline
            | "KnownDeadLetters" >> ReadKnownDeadLetters(self.output)
            | "NlpFailures" >> beam.Filter(lambda l: l.get("stage") == "nlp" and l.get("doc_id"))
            | "AsKnown" >> beam.Map(lambda l: {"doc_id": l["doc_id"], "text_sha256": None, "duplicate_of": None})
        )
        return (table, failed) | "AllKnown" >> beam.Flatten()


class ReadKnownSignatures(beam.PTransform):
    """``document_signature`` records of earlier runs (empty when there are none)."""

    def __init__(self, output: str) -> None:
        super().__init__()
        self.output = output

    def expand(self, pbegin):
        pattern = signatures_pattern(self.output)
        return pbegin | "ReadSignatures" >> ReadTable(pattern if has_files(pattern) else None, "avro")


class ReadKnownDeadLetters(beam.PTransform):
    """Dead-letter records (dicts) already in ``output/dead_letter``."""

    def __init__(self, output: str) -> None:
        super().__init__()
        self.output = output

    def expand(self, pbegin):
        pattern = dead_letters_pattern(self.output)
        if not has_files(pattern):
            return pbegin | "NoDeadLetters" >> beam.Create([])
        return (
            pbegin
            | "ReadDeadLetters" >> beam.io.ReadFromText(pattern)
            | "Json" >> beam.Map(json.loads)
        )


class _NewLettersFn(beam.DoFn):
    def setup(self) -> None:
        self.known = Metrics.counter(NAMESPACE, "dead_letters_already_known")

    def process(self, element) -> Iterator[dict]:
        _key, grouped = element
        letters = list(grouped["new"])
        if any(True for _ in grouped["known"]):
            self.known.inc(len(letters))
            return
        yield from letters


class SkipKnownDeadLetters(beam.PTransform):
    """Drop dead letters already written by an earlier run into ``output``.

    output: The job's output folder.
    """

    def __init__(self, output: str) -> None:
        super().__init__()
        self.output = output

    def expand(self, letters):
        known = letters.pipeline | "KnownDeadLetters" >> ReadKnownDeadLetters(self.output)
        return (
            {
                "new": letters | "KeyNew" >> beam.Map(lambda l: (repr(dead_letter_key(l)), l)),
                "known": known | "KeyKnown" >> beam.Map(lambda l: (repr(dead_letter_key(l)), None)),
            }
            | "Join" >> beam.CoGroupByKey()
            | "NewOnly" >> beam.ParDo(_NewLettersFn())
        )


def describe(output: str) -> dict[str, Optional[str]]:
    """Which files an incremental run would read under ``output`` (for logs and tests)."""
    documents, _fmt = resolve_table_input(output, "documents")
    signatures = signatures_pattern(output)
    letters = dead_letters_pattern(output)
    return {
        "documents": documents,
        "signatures": signatures if has_files(signatures) else None,
        "dead_letters": letters if has_files(letters) else None,
    }
