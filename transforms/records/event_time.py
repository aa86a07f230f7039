"""Event time of a streamed document (plain Python, no Beam; ``transforms/streaming.py`` assigns it): its
publication time when that lies within the allowed lateness before its arrival, else its arrival time (an old article
re-published today is windowed by arrival, never dropped as too late; a publication time in the future is clamped to
the arrival)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from apache_beam.utils.timestamp import Duration, Timestamp

from transforms.coding.model import Document


def publication_time(document: Document) -> Optional[dt.datetime]:
    """Publication time of a document: its timestamp, else the midnight (UTC) of its date, else None."""
    if document.published_at is not None:
        return document.published_at
    if document.doc_date is not None:
        return dt.datetime.combine(document.doc_date, dt.time(), tzinfo=dt.timezone.utc)
    return None


def event_time(document: Document, *, arrival: Timestamp, allowed_lateness_seconds: float) -> Timestamp:
    """The event time of a document (see the module doc).

    document: The document.
    arrival: Its arrival timestamp (Pub/Sub publish time, poll time, ...).
    allowed_lateness_seconds: How far before its arrival a document may be placed.
    """
    published = publication_time(document)
    if published is None:
        return arrival
    stamp = Timestamp.from_utc_datetime(published.astimezone(dt.timezone.utc))
    if stamp > arrival or stamp < arrival - Duration(seconds=allowed_lateness_seconds):
        return arrival
    return stamp
