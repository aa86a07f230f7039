"""Event clusters: one record per real-world event reported by one or more documents (``event_clusters`` table).
No Beam (``transforms/clusters.py`` runs it).

An event is identified by ``(date, source actor code, target actor code, CAMEO code)``, date being the event's
resolved date (else its document date). Only ASSERTED events take part: a negated, future or hypothetical report is
no evidence that the event happened. For each cluster the table gives GDELT's counters:

* ``num_mentions``: mentions of the event: each coded event record, plus, for every duplicate copy of a reporting
  document (``documents.duplicate_of``), the same mentions again (the copy says what the original says);
* ``num_documents``: distinct reporting documents, duplicate copies included (GDELT's NumArticles);
* ``num_publishers``: distinct non-null publishers of those documents (GDELT's NumSources);
* ``first_doc_id`` / ``first_url``: the earliest reporting document (publication date, then doc_id).

Clusters are computed per run in batch and per window pane in streaming; ``cluster_id`` is the same in every run, so a
warehouse adds ``num_mentions`` and ``num_documents`` over the rows of a cluster_id (``num_publishers`` of several rows
is an upper bound of the distinct count). Duplicates are joined to their original within the same run / window.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Iterable, Iterator, Optional

from transforms.coding.model import ASSERTED, UNKNOWN
from transforms.records import ingest

_UNDATED = "~"


def cluster_date(event: dict):
    """The date an event is clustered (and aggregated) under: event_date, else doc_date (may be None); None for a
    background event of unknown date (precision UNKNOWN), which must not count on the article's day."""
    if event.get("event_date_precision") == UNKNOWN:
        return event.get("event_date")
    return event.get("event_date") or event.get("doc_date")


def cluster_key(event: dict) -> tuple:
    """``(date ISO string or "", source_code, target_code, cameo_code)`` of an event record (strings: a Beam key
    must encode deterministically)."""
    day = cluster_date(event)
    return (day.isoformat() if day else "", event.get("source_code") or "", event.get("target_code") or "",
            event["cameo_code"])


#: The fields of an event record that clustering reads (:func:`cluster_key`, :func:`mentions_of_document`,
#: :func:`cluster_record`).
CLUSTERED_FIELDS = (
    "event_id", "doc_id", "doc_date", "event_date", "event_date_precision", "modality", "source_code",
    "source_country", "target_code", "target_country", "cameo_code", "cameo_root", "quad_class", "goldstein",
    "tone", "publisher", "url",
)


def clustered_fields(event: dict) -> dict:
    """An event record cut to :data:`CLUSTERED_FIELDS` (those it has): what clustering needs, a third of the
    record, which is what a runner grouping in memory holds per event until the job ends."""
    return {name: event[name] for name in CLUSTERED_FIELDS if name in event}


def cluster_id(key: tuple) -> str:
    """Deterministic id of a cluster key (the same event gets the same id in every run)."""
    return hashlib.sha1("\x1f".join(key).encode("utf-8")).hexdigest()[:20]


@dataclasses.dataclass(frozen=True)
class Mention:
    """One report of an event: the coded event record, or a duplicate copy of its document (``event`` None)."""

    doc_id: str
    doc_date: Optional[object]
    publisher: Optional[str]
    url: Optional[str]
    event: Optional[dict]

    @property
    def order(self) -> tuple:
        return (self.doc_date.isoformat() if self.doc_date else _UNDATED, self.doc_id)


def mentions_of_document(doc_id: str, events: Iterable[dict], duplicates: Iterable[dict]) -> Iterator[tuple]:
    """(cluster key, Mention) for each ASSERTED event of a document and each duplicate copy of that document.

    doc_id: The original document.
    events: Its coded event records.
    duplicates: ``documents`` records whose ``duplicate_of`` is ``doc_id``.
    """
    asserted = [e for e in events if e.get("modality", ASSERTED) == ASSERTED]
    if not asserted:
        return
    copies = list(duplicates)
    for event in asserted:
        key = cluster_key(event)
        yield key, Mention(doc_id, event.get("doc_date"), event.get("publisher"), event.get("url"), event)
        for copy in copies:
            yield key, Mention(copy["doc_id"], copy.get("doc_date"), copy.get("publisher"), copy.get("url"), None)


def cluster_record(key: tuple, mentions: Iterable[Mention], *, window_start=None, ingested_at=None) -> dict:
    """The ``event_cluster.avsc`` record of one cluster.

    key: The cluster key.
    mentions: Its mentions (at least one coded event among them).
    window_start: Streaming window start (datetime) or None.
    ingested_at: Production time (default: now).
    """
    mentions = list(mentions)
    coded = [m.event for m in mentions if m.event is not None]
    first_event = min(coded, key=lambda e: (e.get("event_id") or ""))
    first = min(mentions, key=lambda m: m.order)
    tones = [e["tone"] for e in coded if e.get("tone") is not None]
    day, source, target, code = key
    return {
        "cluster_id": cluster_id(key),
        "event_date": dt.date.fromisoformat(day) if day else None,
        "source_code": source or None,
        "source_country": first_event.get("source_country"),
        "target_code": target or None,
        "target_country": first_event.get("target_country"),
        "cameo_code": code,
        "cameo_root": first_event.get("cameo_root") or code[:2],
        "quad_class": first_event["quad_class"],
        "goldstein": first_event.get("goldstein"),
        "num_mentions": len(mentions),
        "num_documents": len({m.doc_id for m in mentions}),
        "num_publishers": len({m.publisher for m in mentions if m.publisher}),
        "avg_tone": sum(tones) / len(tones) if tones else None,
        "first_doc_id": first.doc_id,
        "first_url": first.url,
        "window_start": window_start,
        "ingested_at": ingested_at or ingest.utc_now(),
    }


def partition_of_cluster(record: dict) -> str:
    """``dt`` partition of a cluster: its event date, else the UTC date it was produced."""
    return (record.get("event_date") or record["ingested_at"].date()).isoformat()
