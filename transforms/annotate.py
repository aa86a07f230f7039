"""Beam wrapper around the NLP + coding stage: Documents in, event and document records out.

The spaCy model and the coders are loaded once per worker process (``DoFn.setup`` + a ``Shared`` handle, so several
DoFn instances in one process share one model) and documents are parsed in batches with ``nlp.pipe``. spaCy Docs
never leave this DoFn: outputs are plain dicts in the shape of ``schemas/*.avsc``.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.shared import Shared

from transforms import ingest
from transforms.coding.coder import DocumentCoder
from transforms.coding.model import Document
from transforms.coding.nlp import load_model, model_label, parse_texts

EVENTS = "events"
DOCUMENTS = "documents"
DEAD_LETTER = "dead_letter"
NAMESPACE = "demarche"


@dataclasses.dataclass(frozen=True)
class CodingConfig:
    """What the NLP stage needs to build its model; hashable so it can key the shared model handle.

    spacy_model: Installed spaCy pipeline name.
    actors_file, patterns_file, place_aliases_file: Optional user lexicon extensions.
    batch_size: Documents per ``nlp.pipe`` batch.
    max_chunk_chars: Longest text piece parsed at once (default: the model's max_length).
    dead_letter_max_chars: Truncation limit of raw text kept in dead letters.
    min_confidence: Events below this confidence are dropped (and counted); None = the confidence model's default.
    """

    spacy_model: str
    actors_file: Optional[str] = None
    patterns_file: Optional[str] = None
    place_aliases_file: Optional[str] = None
    batch_size: int = 32
    max_chunk_chars: Optional[int] = None
    dead_letter_max_chars: int = ingest.DEFAULT_DEAD_LETTER_MAX_CHARS
    min_confidence: Optional[float] = None


class _LoadedCoder:
    """The per-process model + coders (weak-referenceable, as ``Shared`` requires)."""

    def __init__(self, config: CodingConfig) -> None:
        self.coder = DocumentCoder(
            actors_file=config.actors_file,
            patterns_file=config.patterns_file,
            place_aliases_file=config.place_aliases_file,
        )
        self.nlp = self.coder.prepare(load_model(config.spacy_model))
        self.label = model_label(self.nlp)
        self.min_confidence = (
            self.coder.confidence.min_confidence if config.min_confidence is None else config.min_confidence
        )


def document_record(document: Document, *, n_sentences: int, n_events: int, ingested_at, duplicate_of=None) -> dict:
    """The ``document.avsc`` record of a processed document."""
    return {
        "doc_id": document.doc_id,
        "doc_date": document.doc_date,
        "title": document.title,
        "url": document.url,
        "publisher": document.publisher,
        "text_sha256": ingest.normalized_text_sha256(document.text),
        "n_chars": len(document.text),
        "n_sentences": n_sentences,
        "n_events": n_events,
        "duplicate_of": duplicate_of,
        "ingested_at": ingested_at,
    }


class CodeDocumentsFn(beam.DoFn):
    """Batch of Documents -> event records (main), ``documents`` records, ``dead_letter`` records.

    A document whose parsing or coding raises is dead-lettered (stage ``nlp``) and the rest of the batch goes on.

    config: Model and lexicon settings.
    shared_handle: A ``Shared`` handle from the constructing transform (one model per process).
    """

    def __init__(self, config: CodingConfig, shared_handle: Shared) -> None:
        self.config = config
        self.shared_handle = shared_handle

    def setup(self) -> None:
        self.loaded = self.shared_handle.acquire(lambda: _LoadedCoder(self.config), tag=repr(self.config))
        self.sentences = Metrics.counter(NAMESPACE, "sentences")
        self.events = Metrics.counter(NAMESPACE, "events")
        self.below = Metrics.counter(NAMESPACE, "events_below_min_confidence")
        self.coded = Metrics.counter(NAMESPACE, "documents_coded")
        self.dead = Metrics.counter(NAMESPACE, "dead_lettered_nlp")

    def process(self, batch: list[Document]) -> Iterable[dict | TaggedOutput]:
        try:
            docs = list(
                parse_texts(
                    self.loaded.nlp,
                    [d.text for d in batch],
                    batch_size=self.config.batch_size,
                    max_chunk_chars=self.config.max_chunk_chars,
                )
            )
        except Exception:  # noqa: BLE001 - isolate the document that breaks the batch
            docs = None
        for index, document in enumerate(batch):
            ingested_at = ingest.utc_now()
            try:
                doc = docs[index] if docs is not None else self._parse_one(document)
                coded = self.loaded.coder.code(doc, document, nlp_model=self.loaded.label, ingested_at=ingested_at)
            except Exception as err:  # noqa: BLE001 - dead-letter, never crash the job
                self.dead.inc()
                yield TaggedOutput(
                    DEAD_LETTER,
                    ingest.make_dead_letter(
                        source=document.source,
                        doc_id=document.doc_id,
                        stage="nlp",
                        reason=ingest.NLP_ERROR,
                        detail=f"{type(err).__name__}: {err}",
                        raw=document.text,
                        max_chars=self.config.dead_letter_max_chars,
                    ),
                )
                continue
            self.coded.inc()
            self.sentences.inc(coded.n_sentences)
            kept = [e for e in coded.events if e["confidence"] >= self.loaded.min_confidence]
            self.below.inc(len(coded.events) - len(kept))  # counted in the run summary, never silently lost
            self.events.inc(len(kept))
            yield from kept
            yield TaggedOutput(
                DOCUMENTS,
                document_record(document, n_sentences=coded.n_sentences, n_events=len(kept), ingested_at=ingested_at),
            )

    def _parse_one(self, document: Document):
        return next(
            parse_texts(self.loaded.nlp, [document.text], max_chunk_chars=self.config.max_chunk_chars)
        )


class CodeDocuments(beam.PTransform):
    """Documents -> {``events``, ``documents``, ``dead_letter``} PCollections of plain records.

    config: Model and lexicon settings.
    """

    def __init__(self, config: CodingConfig) -> None:
        super().__init__()
        self.config = config

    def expand(self, documents):
        outputs = (
            documents
            | "Batch" >> beam.BatchElements(min_batch_size=1, max_batch_size=self.config.batch_size)
            | "ParseAndCode"
            >> beam.ParDo(CodeDocumentsFn(self.config, Shared())).with_outputs(DOCUMENTS, DEAD_LETTER, main=EVENTS)
        )
        return {EVENTS: outputs[EVENTS], DOCUMENTS: outputs[DOCUMENTS], DEAD_LETTER: outputs[DEAD_LETTER]}
