"""Beam sources: files -> Documents, with every unreadable input dead-lettered (tagged output ``dead_letter``)."""
from __future__ import annotations

from typing import Iterable, Union

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from transforms import ingest
from transforms.option_values import split_list
from transforms.coding.model import Document

DEAD_LETTER = "dead_letter"
DOCUMENTS = "documents"
NAMESPACE = "demarche"


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
    """ReadableFile -> Documents (main output) and dead letters (``dead_letter``), format detected per file.

    max_document_bytes: Size limit of one document.
    dead_letter_max_chars: Truncation limit of the raw copy kept in dead letters.
    """

    def __init__(self, *, max_document_bytes: int, dead_letter_max_chars: int) -> None:
        self.max_document_bytes = max_document_bytes
        self.max_chars = dead_letter_max_chars

    def setup(self) -> None:
        self.counters = ingest_counters()

    def process(self, readable: fileio.ReadableFile) -> Iterable[Union[Document, TaggedOutput]]:
        path = readable.metadata.path
        limits = dict(max_document_bytes=self.max_document_bytes, max_chars=self.max_chars)
        try:
            with readable.open() as handle:
                if ingest.is_jsonl_path(path):
                    parsed_items = list(ingest.parse_jsonl(iter(handle.readline, b""), path=path, **limits))
                else:
                    data = handle.read(self.max_document_bytes + 1)
                    parsed_items = [ingest.parse_text_file(data, path=path, **limits)]
        except (OSError, EOFError, ValueError) as err:  # unreadable or corrupt (e.g. bad gzip) file
            parsed_items = [
                ingest.make_dead_letter(
                    source=path, reason=ingest.UNDECODABLE, detail=f"cannot read file: {err}", raw=None,
                    max_chars=self.max_chars,
                )
            ]
        for parsed in parsed_items:
            yield count_parsed(parsed, self.counters)


class ReadDocuments(beam.PTransform):
    """Read every file matching a pattern into Documents; outputs ``documents`` and ``dead_letter``.

    file_pattern: Glob or comma-separated globs (local paths or gs://...).
    max_document_bytes: Size limit of one document.
    dead_letter_max_chars: Truncation limit of the raw copy kept in dead letters.
    """

    def __init__(
        self,
        file_pattern: str,
        *,
        max_document_bytes: int = ingest.DEFAULT_MAX_DOCUMENT_BYTES,
        dead_letter_max_chars: int = ingest.DEFAULT_DEAD_LETTER_MAX_CHARS,
    ) -> None:
        super().__init__()
        self.patterns = split_list(file_pattern)
        self.max_document_bytes = max_document_bytes
        self.dead_letter_max_chars = dead_letter_max_chars

    def expand(self, pbegin):
        parsed = (
            pbegin
            | "Patterns" >> beam.Create(self.patterns)
            | "Match" >> fileio.MatchAll()
            | "SkipHidden" >> beam.Filter(lambda metadata: not _is_hidden(metadata.path))
            | "Open" >> fileio.ReadMatches()
            | "Parse"
            >> beam.ParDo(
                ParseFileFn(
                    max_document_bytes=self.max_document_bytes, dead_letter_max_chars=self.dead_letter_max_chars
                )
            ).with_outputs(DEAD_LETTER, main=DOCUMENTS)
        )
        # Spread documents over workers (a single JSONL file would otherwise be coded by one worker).
        documents = parsed[DOCUMENTS] | "Spread" >> beam.Reshuffle()
        return {DOCUMENTS: documents, DEAD_LETTER: parsed[DEAD_LETTER]}


def _is_hidden(path: str) -> bool:
    """Dotfiles (producers write ``.name.tmp`` then rename into place) and editor backups are not input."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name.startswith(".") or name.endswith("~")
