"""Beam wrapper around the NLP + coding stage: Documents in, event and document records out.

The spaCy model and the coders are loaded once per worker process (``DoFn.setup`` + a ``Shared`` handle, so several
DoFn instances in one process share one model; the load time is logged and counted in the ``coder_load_ms``
distribution). Documents are parsed in batches by ``DocumentParser``: sentence split on every sentence, the full
statistical pipeline only on sentences that may hold an event (``--no_sentence_filter`` parses all; counters
``sentences`` and ``sentences_parsed``). spaCy Docs never leave this DoFn: outputs are plain dicts in the shape of
``schemas/*.avsc``.

Memory: spaCy keeps every new word's string and lexeme for the life of the process, so a long-running worker would
grow with the number of distinct words it has seen. After a warm-up of :data:`MEMORY_ZONE_AFTER` documents (whose
words stay: the common vocabulary, and the tokenizer's cache of it, which spaCy fills only outside a zone), each
batch is parsed and coded inside ``nlp.memory_zone()``: the words new in the batch are freed when the batch's records
are built, and the vocabulary no longer grows (docs/scaling.md, "Growth").
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from typing import Iterable, Iterator, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.shared import Shared

from transforms.records import ingest
from transforms.coding.model import Document
from transforms.names import DEAD_LETTER, DOCUMENTS, EVENTS, NAMESPACE
from transforms.records.documents import document_record

_LOGGER = logging.getLogger("demarche")
#: Documents a worker process codes with spaCy's vocabulary growing (the common words and the tokenizer's cache of
#: them stay for good); every later batch runs in a memory zone.
MEMORY_ZONE_AFTER = 1_000


@dataclasses.dataclass(frozen=True)
class CodingConfig:
    """What the NLP stage needs to build its model; hashable so it can key the shared model handle.

    spacy_model: Installed spaCy pipeline name.
    actors_file, patterns_file, place_aliases_file: Optional user lexicon extensions.
    batch_size: Documents per ``nlp.pipe`` batch.
    sentence_filter: Parse only the sentences that may hold an event (False: every sentence).
    max_chunk_chars: Longest text piece parsed at once (default: the model's max_length).
    dead_letter_max_chars: Truncation limit of raw text kept in dead letters.
    min_confidence: Events below this confidence are dropped (and counted); None = the confidence model's default.
    """

    spacy_model: str
    actors_file: Optional[str] = None
    patterns_file: Optional[str] = None
    place_aliases_file: Optional[str] = None
    batch_size: int = 32
    sentence_filter: bool = True
    max_chunk_chars: Optional[int] = None
    dead_letter_max_chars: int = ingest.DEFAULT_DEAD_LETTER_MAX_CHARS
    min_confidence: Optional[float] = None


class _LoadedCoder:
    """The per-process model + coders (weak-referenceable, as ``Shared`` requires)."""

    def __init__(self, config: CodingConfig) -> None:
        # spaCy and the coders are imported here, in the worker process that codes: the job process of a
        # multi-process run (--direct_running_mode=multi_processing) builds and runs the pipeline without them
        from transforms.coding.coder import DocumentCoder
        from transforms.coding.nlp import load_model, model_label

        start = time.perf_counter()
        self.coder = DocumentCoder(
            actors_file=config.actors_file,
            patterns_file=config.patterns_file,
            place_aliases_file=config.place_aliases_file,
        )
        coder_seconds = time.perf_counter() - start
        self.nlp = self.coder.prepare(load_model(config.spacy_model))
        self.parser = self.coder.parser(
            self.nlp,
            sentence_filter=config.sentence_filter,
            batch_size=config.batch_size,
            max_chunk_chars=config.max_chunk_chars,
        )
        self.label = model_label(self.nlp)
        self.load_seconds = time.perf_counter() - start
        _LOGGER.info(
            "coder loaded in %.2f s (coders and gazetteer %.2f s, model %.2f s)",
            self.load_seconds, coder_seconds, self.load_seconds - coder_seconds,
        )
        self.min_confidence = (
            self.coder.confidence.min_confidence if config.min_confidence is None else config.min_confidence
        )
        self.documents_seen = 0
        # one batch at a time per process: a memory zone is the whole vocabulary's, so another thread's batch (a
        # runner may run several DoFn instances, sharing this model, in threads) must neither use strings freed
        # at its end nor add its own inside it
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def batch_zone(self, n_documents: int) -> Iterator[None]:
        """The context to parse and code the next ``n_documents`` in, one batch at a time: no memory zone during
        the warm-up, then a spaCy memory zone (nothing made inside it - Docs, Spans, the strings of new words -
        may be used after it)."""
        with self._lock:
            zone = self.nlp.memory_zone() if self.documents_seen >= MEMORY_ZONE_AFTER else contextlib.nullcontext()
            self.documents_seen += n_documents
            with zone:
                yield


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
        self._loaded = None  # loaded on the first batch: a run with nothing new to code never loads the model
        self.sentences = Metrics.counter(NAMESPACE, "sentences")
        self.sentences_parsed = Metrics.counter(NAMESPACE, "sentences_parsed")
        self.events = Metrics.counter(NAMESPACE, "events")
        self.below = Metrics.counter(NAMESPACE, "events_below_min_confidence")
        self.coded = Metrics.counter(NAMESPACE, "documents_coded")
        self.dead = Metrics.counter(NAMESPACE, "dead_lettered_nlp")

    @property
    def loaded(self) -> "_LoadedCoder":
        if self._loaded is None:
            self._loaded = self.shared_handle.acquire(lambda: _LoadedCoder(self.config), tag=repr(self.config))
            Metrics.distribution(NAMESPACE, "coder_load_ms").update(int(self._loaded.load_seconds * 1000))
        return self._loaded

    def process(self, batch: list[Document]) -> Iterable[dict | TaggedOutput]:
        # outputs are plain records: built inside the zone, yielded after it (a generator suspended at a yield
        # would keep the zone open while other transforms run)
        with self.loaded.batch_zone(len(batch)):
            outputs = list(self._code_batch(batch))
        return outputs

    def _code_batch(self, batch: list[Document]) -> Iterable[dict | TaggedOutput]:
        try:
            docs = list(self.loaded.parser.parse_counted([d.text for d in batch]))
        except Exception:  # noqa: BLE001 - isolate the document that breaks the batch
            docs = None
        for index, document in enumerate(batch):
            ingested_at = ingest.utc_now()
            try:
                doc, n_parsed = docs[index] if docs is not None else self._parse_one(document)
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
            self.sentences_parsed.inc(n_parsed)
            self.events.inc(len(kept))
            yield from kept
            yield TaggedOutput(
                DOCUMENTS,
                document_record(
                    document, n_sentences=coded.n_sentences, n_events=len(kept), ingested_at=ingested_at,
                    sentence_starts=[sentence.start_char for sentence in doc.sents],
                ),
            )

    def _parse_one(self, document: Document):
        return next(self.loaded.parser.parse_counted([document.text]))


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
            # fixed-size batches (a bundle's last one is smaller): BatchElements' adaptive sizing starts at 1 and,
            # timing the first batch with the model load, kept batches at 1-2 documents, so the sentence-level
            # parse got ~40 sentences per batch instead of batch_size x 16
            | "Batch" >> beam.BatchElements(min_batch_size=self.config.batch_size,
                                            max_batch_size=self.config.batch_size)
            | "ParseAndCode"
            >> beam.ParDo(CodeDocumentsFn(self.config, Shared())).with_outputs(DOCUMENTS, DEAD_LETTER, main=EVENTS)
        )
        return {EVENTS: outputs[EVENTS], DOCUMENTS: outputs[DOCUMENTS], DEAD_LETTER: outputs[DEAD_LETTER]}


class CountUndated(beam.PTransform):
    """Count coded documents without a publication date (Beam Metrics ``documents_coded_undated``): their relative
    dates ("Thursday", "next week") could not be resolved, which the end-of-run summary tells the user. Input:
    ``documents`` records of coded documents; output: nothing."""

    def expand(self, records):
        return records | "CountUndated" >> beam.ParDo(_CountUndatedFn())


class _CountUndatedFn(beam.DoFn):
    def setup(self) -> None:
        self.undated = Metrics.counter(NAMESPACE, "documents_coded_undated")

    def process(self, record: dict) -> Iterable[None]:
        if record.get("doc_date") is None:
            self.undated.inc()
        return ()
