"""Streaming sources (Pub/Sub, watched folder), event time and windowing.

* :class:`PubSubDocuments`: one JSON document per Pub/Sub message (the JSON Lines fields: ``id``, ``text``, ``date``,
  ``title``, ``url``, ``publisher``), parsed with :func:`transforms.records.ingest.parse_json_document`; bad messages
  become dead letters whose ``source`` is ``<subscription or topic>#<message id>``.
* :class:`WatchFolder`: every file that appears in a folder (any batch input format) is read once. Recipe (local
  runners mishandle ``MatchContinuously``): PeriodicImpulse -> match (:func:`transforms.sources.match_pattern`) -> key
  by path -> a stateful DoFn that passes each path once -> parse. Dotfiles are ignored: producers write
  ``.name.tmp`` and rename it into place.
* :class:`AssignEventTime`: event time = publication time (``date`` with a time, else the date's midnight UTC) when
  it lies within the allowed lateness before the arrival time (Pub/Sub publish time, or the poll that found the
  file); otherwise the arrival time (an old article re-published today is windowed by arrival, never dropped as too
  late; a publication time in the future is clamped to the arrival).
* :func:`fixed_windows`: fixed windows firing when the watermark passes the end of the window, then once more for
  each late element within the allowed lateness (discarding panes: every record is written once).
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Iterator, Optional, Union

import apache_beam as beam
from apache_beam.coders import BooleanCoder
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms import trigger, window
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.utils.timestamp import MAX_TIMESTAMP, MIN_TIMESTAMP, Duration, Timestamp

from transforms.records import ingest
from transforms.coding.model import Document
from transforms.option_values import split_list
from transforms.names import DEAD_LETTER, DOCUMENTS, NAMESPACE
from transforms.sources import ParseFileFn, count_parsed, ingest_counters, match_pattern, portable_path


# ---------------------------------------------------------------------------------------------------------------
# Pub/Sub


class ParseMessageFn(beam.DoFn):
    """Pub/Sub message (``PubsubMessage`` or raw bytes) -> Document, or a dead letter (tagged ``dead_letter``).

    source: Subscription or topic path, recorded in dead letters and ``Document.source``.
    limits: Size limit of one document, truncation limit of dead letters' raw copies.
    """

    def __init__(self, *, source: str, limits: ingest.ReadLimits) -> None:
        self.source = source
        self.max_document_bytes = limits.max_document_bytes
        self.max_chars = limits.dead_letter_max_chars

    def setup(self) -> None:
        self.counters = ingest_counters()

    def process(self, message) -> Iterator[Union[Document, TaggedOutput]]:
        data = getattr(message, "data", message)
        message_id = getattr(message, "message_id", None)
        where = f"{self.source}#{message_id}" if message_id else self.source
        if data is None:
            data = b""
        parsed = ingest.parse_safely(
            lambda: ingest.parse_json_document(
                data, source=where, max_document_bytes=self.max_document_bytes, max_chars=self.max_chars
            ),
            path=where, line=None, raw=data, max_chars=self.max_chars,
        )
        yield count_parsed(parsed, self.counters)


class PubSubDocuments(beam.PTransform):
    """Read JSON documents from Pub/Sub; outputs ``documents`` and ``dead_letter``. Element timestamps are the
    message publish times (arrival).

    subscription: ``projects/<p>/subscriptions/<s>`` (preferred: survives restarts), or
    topic: ``projects/<p>/topics/<t>`` (the runner creates a temporary subscription).
    limits: As for files.
    """

    def __init__(
        self,
        *,
        subscription: Optional[str] = None,
        topic: Optional[str] = None,
        limits: ingest.ReadLimits = ingest.ReadLimits(),
    ) -> None:
        super().__init__()
        self.subscription = subscription
        self.topic = topic
        self.limits = limits

    def expand(self, pbegin):
        from apache_beam.io.gcp.pubsub import ReadFromPubSub

        messages = pbegin | "ReadPubSub" >> ReadFromPubSub(
            subscription=self.subscription, topic=None if self.subscription else self.topic, with_attributes=True
        )
        return messages | ParseMessages(source=self.subscription or self.topic, limits=self.limits)


class ParseMessages(beam.PTransform):
    """Messages (PubsubMessage or bytes) -> ``documents`` and ``dead_letter`` (testable without Pub/Sub)."""

    def __init__(self, *, source: str, limits: ingest.ReadLimits = ingest.ReadLimits()) -> None:
        super().__init__()
        self.fn = ParseMessageFn(source=source, limits=limits)

    def expand(self, messages):
        parsed = messages | "ParseMessage" >> beam.ParDo(self.fn).with_outputs(DEAD_LETTER, main=DOCUMENTS)
        return {DOCUMENTS: parsed[DOCUMENTS], DEAD_LETTER: parsed[DEAD_LETTER]}


# ---------------------------------------------------------------------------------------------------------------
# Watched folder


class _FirstSightingFn(beam.DoFn):
    """Keyed by file path: pass a file's metadata the first time the path is seen, never again."""

    SEEN = ReadModifyWriteStateSpec("seen", BooleanCoder())

    def setup(self) -> None:
        self.new_files = Metrics.counter(NAMESPACE, "files_new")

    def process(self, element, seen=beam.DoFn.StateParam(SEEN)) -> Iterator[tuple]:
        _path, metadata = element
        if seen.read():
            return
        seen.write(True)
        self.new_files.inc()
        yield metadata


class WatchFolder(beam.PTransform):
    """Poll file patterns and read every new file once; outputs ``documents`` and ``dead_letter``.

    file_pattern: Glob (or comma-separated globs), e.g. ``incoming/*``.
    poll_interval_seconds: Time between two listings.
    stop_timestamp: When to stop polling (a Beam Timestamp or seconds since the epoch); None = never.
    limits: As for ReadDocuments.
    """

    def __init__(
        self,
        file_pattern: str,
        *,
        poll_interval_seconds: float = 10.0,
        stop_timestamp: Optional[float] = None,
        limits: ingest.ReadLimits = ingest.ReadLimits(),
    ) -> None:
        super().__init__()
        self.patterns = split_list(file_pattern)
        self.poll_interval_seconds = poll_interval_seconds
        self.stop_timestamp = stop_timestamp
        self.limits = limits

    def expand(self, pbegin):
        from apache_beam.transforms.periodicsequence import PeriodicImpulse

        patterns = self.patterns
        stop = MAX_TIMESTAMP if self.stop_timestamp is None else Timestamp.of(self.stop_timestamp)
        parsed = (
            pbegin
            | "Poll" >> PeriodicImpulse(
                start_timestamp=Timestamp.now(), stop_timestamp=stop, fire_interval=self.poll_interval_seconds
            )
            | "Patterns" >> beam.FlatMap(lambda _tick: patterns)
            | "Match" >> beam.FlatMap(lambda pattern: [portable_path(found) for found in match_pattern(pattern)])
            | "ByPath" >> beam.Map(lambda found: (found[0], found))
            | "NewFilesOnly" >> beam.ParDo(_FirstSightingFn()).with_input_types(beam.typehints.KV[str, beam.typehints.Any])
            | "Parse" >> beam.ParDo(ParseFileFn(limits=self.limits)).with_outputs(DEAD_LETTER, main=DOCUMENTS)
        )
        return {DOCUMENTS: parsed[DOCUMENTS], DEAD_LETTER: parsed[DEAD_LETTER]}


# ---------------------------------------------------------------------------------------------------------------
# Event time and windows


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


class _EventTimeFn(beam.DoFn):
    def __init__(self, allowed_lateness_seconds: float) -> None:
        self.lateness = allowed_lateness_seconds

    def setup(self) -> None:
        self.by_arrival = Metrics.counter(NAMESPACE, "documents_timed_by_arrival")

    def process(self, document: Document, timestamp=beam.DoFn.TimestampParam) -> Iterator:
        arrival = timestamp
        if arrival <= MIN_TIMESTAMP or arrival >= MAX_TIMESTAMP:
            arrival = Timestamp.now()
        stamp = event_time(document, arrival=arrival, allowed_lateness_seconds=self.lateness)
        if stamp == arrival:
            self.by_arrival.inc()
        yield window.TimestampedValue(document, stamp)


class AssignEventTime(beam.PTransform):
    """Re-timestamp Documents with their event time (publication time within the allowed lateness, else arrival).

    allowed_lateness_seconds: The windows' allowed lateness.
    """

    def __init__(self, *, allowed_lateness_seconds: float) -> None:
        super().__init__()
        self.allowed_lateness_seconds = allowed_lateness_seconds

    def expand(self, documents):
        return documents | "EventTime" >> beam.ParDo(_EventTimeFn(self.allowed_lateness_seconds))


def fixed_windows(*, window_seconds: int, allowed_lateness_seconds: int) -> beam.WindowInto:
    """WindowInto fixed windows: one on-time pane at the watermark, one more per late element (discarding)."""
    return beam.WindowInto(
        window.FixedWindows(window_seconds),
        trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
        accumulation_mode=trigger.AccumulationMode.DISCARDING,
        allowed_lateness=Duration(seconds=allowed_lateness_seconds),
    )


def folder_pattern(folder: str) -> str:
    """``DIR`` -> ``DIR/*`` (a value with a wildcard is kept as it is)."""
    if any(ch in folder for ch in "*?["):
        return folder
    return folder.rstrip("/") + "/*"


__all__: Iterable[str] = (
    "PubSubDocuments", "ParseMessages", "WatchFolder", "AssignEventTime", "fixed_windows", "event_time",
    "publication_time", "folder_pattern",
)
