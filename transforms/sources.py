"""Beam sources: files -> Documents, with every unreadable input dead-lettered (tagged output ``dead_letter``)."""
from __future__ import annotations

from typing import Iterable, Union

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from transforms.records import ingest
from transforms.names import DEAD_LETTER, DOCUMENTS, NAMESPACE
from transforms.records.option_values import split_list
from transforms.coding.model import Document
from transforms.storage.files import is_local
from transforms.storage.inputs import match_pattern, path_problem, portable_path, read_path


def count_parsed(parsed: Union[Document, dict], counters: dict) -> Union[Document, TaggedOutput]:
    """Count one parsed input and route it: Documents to the main output, dead letters to ``dead_letter``."""
    counters["read"].inc()
    if isinstance(parsed, Document):
        counters["accepted"].inc()
        return parsed
    counters["dead"].inc()
    return TaggedOutput(DEAD_LETTER, parsed)


def ingest_counters() -> dict:
    return {
        "read": Metrics.counter(NAMESPACE, "documents_read"),
        "accepted": Metrics.counter(NAMESPACE, "documents_accepted"),
        "dead": Metrics.counter(NAMESPACE, "dead_lettered_ingest"),
    }


class ParseFileFn(beam.DoFn):
    """Matched path -> Documents (main output) and dead letters (``dead_letter``), format detected per file.

    Elements: ``(path, problem)`` from :func:`match_pattern` (the path as str or as :func:`portable_path` bytes), a
    ``ReadableFile``/``FileMetadata`` or a path.
    limits: Size limit of one document, truncation limit of dead letters' raw copies.
    """

    def __init__(self, *, limits: ingest.ReadLimits) -> None:
        self.max_document_bytes = limits.max_document_bytes
        self.max_chars = limits.dead_letter_max_chars

    def setup(self) -> None:
        self.counters = ingest_counters()

    def process(self, element) -> Iterable[Union[Document, TaggedOutput]]:
        problem = None
        if isinstance(element, tuple):
            path, problem = element
            if isinstance(path, bytes):
                path = path.decode("utf-8", "surrogateescape")
        else:
            metadata = getattr(element, "metadata", element)
            path = getattr(metadata, "path", metadata)
            if is_local(path):
                problem = path_problem(path)
        parsed_items = read_path(
            path, problem=problem, max_document_bytes=self.max_document_bytes, max_chars=self.max_chars
        )
        for parsed in parsed_items:
            yield count_parsed(parsed, self.counters)


class ReadDocuments(beam.PTransform):
    """Read every file matching a pattern into Documents; outputs ``documents`` and ``dead_letter``.

    Every matched path is one input unit or more (the lines of a JSON Lines file); paths that cannot be read (a
    directory, a FIFO, a socket, a dangling link or a link loop) are dead-lettered ``unreadable`` without being
    opened.

    file_pattern: Glob or comma-separated globs (local paths or gs://...).
    limits: Size limit of one document, truncation limit of dead letters' raw copies.
    """

    def __init__(self, file_pattern: str, *, limits: ingest.ReadLimits = ingest.ReadLimits()) -> None:
        super().__init__()
        self.patterns = split_list(file_pattern)
        self.limits = limits

    def expand(self, pbegin):
        parsed = (
            pbegin
            | "Patterns" >> beam.Create(self.patterns)
            | "Match" >> beam.FlatMap(lambda pattern: [portable_path(found) for found in match_pattern(pattern)])
            | "OncePerPath" >> beam.Distinct()  # overlapping globs
            | "SpreadFiles" >> beam.Reshuffle()
            | "Parse"
            >> beam.ParDo(ParseFileFn(limits=self.limits)).with_outputs(DEAD_LETTER, main=DOCUMENTS)
        )
        # Spread documents over workers (a single JSONL file would otherwise be coded by one worker).
        documents = parsed[DOCUMENTS] | "Spread" >> beam.Reshuffle()
        return {DOCUMENTS: documents, DEAD_LETTER: parsed[DEAD_LETTER]}
