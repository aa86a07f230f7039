"""Event clusters as Beam steps: ``(events, duplicates) | EventClusters()`` -> ``event_clusters`` records per window.
What a cluster is and how its record is built: ``transforms/records/clusters.py``."""
from __future__ import annotations

from typing import Iterator

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow

from transforms.records.clusters import cluster_record, clustered_fields, mentions_of_document

_EVENTS = "events"
_COPIES = "copies"


class _ClusterFn(beam.DoFn):
    def process(self, element, window=beam.DoFn.WindowParam) -> Iterator[dict]:
        key, mentions = element
        start = None
        if window != GlobalWindow() and hasattr(window, "start"):
            start = window.start.to_utc_datetime(has_tz=True)
        yield cluster_record(key, mentions, window_start=start)


class EventClusters(beam.PTransform):
    """``(events, duplicates) | EventClusters()``: event records (+ duplicate ``documents`` records) ->
    ``event_clusters`` records, per window.

    Input ``duplicates``: ``documents`` records with ``duplicate_of`` set (same windowing as the events; empty when
    de-duplication is off); their documents count as extra reports of their original's events.
    """

    def expand(self, events_and_duplicates):
        events, duplicates = events_and_duplicates
        return (
            {
                _EVENTS: events | "EventsByDoc" >> beam.Map(lambda e: (e["doc_id"], clustered_fields(e))),
                _COPIES: duplicates | "CopiesByOriginal" >> beam.Map(lambda d: (d["duplicate_of"], d)),
            }
            | "JoinCopies" >> beam.CoGroupByKey()
            | "Mentions" >> beam.FlatMap(lambda kv: mentions_of_document(kv[0], kv[1][_EVENTS], kv[1][_COPIES]))
            | "ByCluster" >> beam.GroupByKey()
            | "Cluster" >> beam.ParDo(_ClusterFn())
        )
