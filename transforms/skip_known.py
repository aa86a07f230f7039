"""Skip what the output already holds (and repeated ids): the known-documents anti-join as Beam steps.

* :class:`SkipKnown`: ``(documents, known documents records) | SkipKnown()`` keeps one Document per doc_id (the last
  in file order) and none for doc_ids already in the output; the rules are in ``transforms/records/known_documents.py``.
* :class:`SkipKnownDeadLetters`: ``(dead letters, known dead-letter keys) | SkipKnownDeadLetters()`` drops the dead
  letters an earlier run already wrote.

Both join the new items with the known ones by key in one step (:class:`JoinKnown`); what is read as "known" comes
from ``transforms/incremental.py`` (an empty PCollection for a run that is not incremental).
"""
from __future__ import annotations

from typing import Callable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from transforms.names import DEAD_LETTER, DOCUMENTS, NAMESPACE
from transforms.records.known_documents import decide_doc_id
from transforms.storage.known_index import dead_letter_key

NEW = "new"
KNOWN = "known"


class JoinKnown(beam.PTransform):
    """``(new items, known records)`` -> ``(key, {"new": [items], "known": [values]})`` per key (CoGroupByKey).

    new_key: item -> join key.
    known_key: known record -> join key.
    known_value: known record -> what the decision needs of it (default: nothing).
    """

    def __init__(self, *, new_key: Callable, known_key: Callable, known_value: Callable = lambda record: None) -> None:
        super().__init__()
        self.new_key = new_key
        self.known_key = known_key
        self.known_value = known_value

    def expand(self, new_and_known):
        new, known = new_and_known
        new_key, known_key, known_value = self.new_key, self.known_key, self.known_value
        return (
            {
                NEW: new | "KeyNew" >> beam.Map(lambda item: (new_key(item), item)),
                KNOWN: known | "KeyKnown" >> beam.Map(lambda record: (known_key(record), known_value(record))),
            }
            | "Join" >> beam.CoGroupByKey()
        )


class _KeepNewFn(beam.DoFn):
    """(doc_id, {new: [Document...], known: [text hash or None...]}) -> at most one Document per doc_id, and the
    ``repeated_id`` / ``revised_text`` dead letters (``decide_doc_id``)."""

    def setup(self) -> None:
        self.known = Metrics.counter(NAMESPACE, "documents_already_known")
        self.repeated_id = Metrics.counter(NAMESPACE, "documents_repeated_id")
        self.revised = Metrics.counter(NAMESPACE, "documents_revised")

    def process(self, element) -> Iterator:
        _doc_id, grouped = element
        verdict = decide_doc_id(occurrences=grouped[NEW], known_hashes=grouped[KNOWN])
        if verdict is None:
            return
        if verdict.keep is None:
            self.known.inc(verdict.already_known)
        if verdict.revised:
            self.revised.inc(verdict.revised)
        if verdict.repeated:
            self.repeated_id.inc(verdict.repeated)
        for letter in verdict.dead_letters:
            yield TaggedOutput(DEAD_LETTER, letter)
        if verdict.keep is not None:
            yield verdict.keep


class SkipKnown(beam.PTransform):
    """``(documents, known)`` -> one Document per doc_id (the last in file order), none for doc_ids already in the
    output. Outputs ``documents`` and ``dead_letter`` (``repeated_id``, ``revised_text``).

    Input ``known``: ``documents`` records of earlier runs (doc_id, text_sha256; a record without a text hash only
    blocks its doc_id); empty for a run that is not incremental.
    """

    def expand(self, documents_and_known):
        kept = (
            documents_and_known
            | "JoinKnownIds" >> JoinKnown(
                new_key=lambda document: document.doc_id,
                known_key=lambda record: record["doc_id"],
                known_value=lambda record: record.get("text_sha256"),
            )
            | "KeepNew" >> beam.ParDo(_KeepNewFn()).with_outputs(DEAD_LETTER, main=DOCUMENTS)
        )
        return {DOCUMENTS: kept[DOCUMENTS], DEAD_LETTER: kept[DEAD_LETTER]}


class _NewLettersFn(beam.DoFn):
    def setup(self) -> None:
        self.known = Metrics.counter(NAMESPACE, "dead_letters_already_known")

    def process(self, element) -> Iterator[dict]:
        _key, grouped = element
        letters = list(grouped[NEW])
        if any(True for _ in grouped[KNOWN]):
            self.known.inc(len(letters))
            return
        yield from letters


def letter_key(letter: dict) -> str:
    """The join key of a dead letter: ``repr(dead_letter_key(letter))`` (the form ``ReadKnownDeadLetterKeys``
    reads)."""
    return repr(dead_letter_key(letter))


class SkipKnownDeadLetters(beam.PTransform):
    """``(dead letters, known keys)`` -> the dead letters not already written by an earlier run.

    Input ``known keys``: ``letter_key`` of every committed dead letter (``incremental.ReadKnownDeadLetterKeys``).
    """

    def expand(self, letters_and_known):
        return (
            letters_and_known
            | "JoinKnownKeys" >> JoinKnown(new_key=letter_key, known_key=lambda key: key)
            | "NewOnly" >> beam.ParDo(_NewLettersFn())
        )

