"""The ``documents`` record (``schemas/document.avsc``) of a coded document or of a duplicate copy. No Beam."""
from __future__ import annotations

from typing import Optional, Sequence

from transforms.coding.model import Document
from transforms.records import ingest


def document_record(
    document: Document, *, n_sentences: int, n_events: int, ingested_at, duplicate_of: Optional[str] = None,
    sentence_starts: Sequence[int] = (),
) -> dict:
    """The ``document.avsc`` record of a processed document (with its text and sentence starts, which
    ``demarche show`` needs).

    n_sentences, n_events: Its sentences and the events written for it (0 and 0 for a duplicate).
    ingested_at: Production time.
    duplicate_of: The original's doc_id for a duplicate copy, else None.
    sentence_starts: Character offsets of its sentences.
    """
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
        "text": document.text,
        "sentence_starts": list(sentence_starts),
    }
