"""Daily dyad aggregates of coded events (``dyad_day`` table) as Beam steps, and readers of event files. The keys
and records are built in ``transforms/records/dyad_days.py``.

One record per ``(date, source_country, target_country, cameo_root, quad_class)`` with ``n_events``,
``n_documents`` (distinct doc_ids), ``goldstein_mean`` and ``tone_mean`` (means over non-null values). ``date`` is the
event's resolved date, else its document date (not for background events of UNKNOWN date); events with neither
are skipped (counted as ``events_without_date``). By default only ASSERTED events are aggregated. The same numbers in SQL (DuckDB over the
Parquet files; ``tests/test_aggregate.py`` checks they agree)::

    SELECT coalesce(event_date, if(event_date_precision = 'UNKNOWN', NULL, doc_date)) AS date,
           source_country, target_country, cameo_root, quad_class,
           count(*) AS n_events, count(DISTINCT doc_id) AS n_documents,
           avg(goldstein) AS goldstein_mean, avg(tone) AS tone_mean
    FROM read_parquet('OUT/parquet/events/*/*.parquet')  -- or the committed files: OUT/_manifests/parquet/events.txt
    WHERE modality = 'ASSERTED'
      AND coalesce(event_date, if(event_date_precision = 'UNKNOWN', NULL, doc_date)) IS NOT NULL
    GROUP BY ALL
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.coding.errors import ConfigError
from transforms.coding.model import ASSERTED
from transforms.names import NAMESPACE
from transforms.records.dyad_days import DyadDayTotals, dyad_key, dyad_record
from transforms.storage.commit import committed_files
from transforms.storage.files import has_files

INPUT_FORMATS = ("auto", "parquet", "avro")


class DyadDayFn(beam.CombineFn):
    """Combines the events of one dyad-day into ``DyadDayTotals`` (count, distinct documents, Goldstein and tone)."""

    def create_accumulator(self) -> DyadDayTotals:
        return DyadDayTotals()

    def add_input(self, acc: DyadDayTotals, event: dict) -> DyadDayTotals:
        return acc.add(event)

    def merge_accumulators(self, accumulators: Iterable[DyadDayTotals]) -> DyadDayTotals:
        return DyadDayTotals.merged(accumulators)

    def extract_output(self, acc: DyadDayTotals) -> dict:
        return acc.values()


class _KeyEventFn(beam.DoFn):
    def __init__(self, modalities: Sequence[str]) -> None:
        self.modalities = frozenset(modalities)

    def setup(self) -> None:
        self.undated = Metrics.counter(NAMESPACE, "events_without_date")
        self.skipped = Metrics.counter(NAMESPACE, "events_other_modality")

    def process(self, event: dict) -> Iterable[tuple]:
        if event.get("modality", ASSERTED) not in self.modalities:
            self.skipped.inc()
            return
        key = dyad_key(event)
        if key is None:
            self.undated.inc()
            return
        yield key, event


class AggregateDyads(beam.PTransform):
    """Event records -> ``dyad_day`` records.

    modalities: Modalities to aggregate (default: ASSERTED only).
    """

    def __init__(self, *, modalities: Sequence[str] = (ASSERTED,)) -> None:
        super().__init__()
        self.modalities = tuple(modalities)

    def expand(self, events):
        return (
            events
            | "KeyByDyadDay" >> beam.ParDo(_KeyEventFn(self.modalities))
            | "Combine" >> beam.CombinePerKey(DyadDayFn())
            | "ToRecord" >> beam.MapTuple(dyad_record)
        )


def table_files(root: str, table: str, fmt: str) -> str:
    """Glob of a partitioned table's files under an output root: ``root/<fmt>/<table>/dt=*/*.<fmt>``.

    Only for display: readers use ``transforms.storage.commit.committed_files`` (a glob also sees the files of a run that
    has not committed)."""
    return FileSystems.join(root.rstrip("/"), fmt, table, "dt=*", f"*.{fmt}")


TableInput = Union[str, list, None]


def resolve_table_input(root: str, table: str, fmt: str = "auto") -> tuple[TableInput, Optional[str]]:
    """Which files of ``table`` to read under ``root``: (files, format), or (None, None) when there are none.

    root: An output folder of extract_events (its *committed* files are read), or directly a glob of .parquet/.avro
        files (read as they are).
    table: Table name (events, documents, ...).
    fmt: "parquet", "avro" or "auto" (Parquet when it has files, else Avro).
    Returns a list of paths for an output folder, the glob itself for a glob.
    """
    if fmt not in INPUT_FORMATS:
        raise ConfigError(f"--input_format must be one of {', '.join(INPUT_FORMATS)}, got {fmt!r}")
    if any(ch in root for ch in "*?["):
        suffix = "avro" if root.endswith(".avro") else "parquet"
        return (root, suffix) if has_files(root) else (None, None)
    for candidate in (("parquet", "avro") if fmt == "auto" else (fmt,)):
        files = committed_files(root, table, candidate)
        if files:
            return files, candidate
    return None, None


class ReadTable(beam.PTransform):
    """Read a table's records (dicts) from Parquet or Avro files; an empty PCollection when there are none.

    files: A list of paths (e.g. ``committed_files(...)``), a glob, or None (no files).
    fmt: "parquet" or "avro".
    columns: Parquet only: the columns to read (default all).
    """

    def __init__(self, files: TableInput, fmt: Optional[str], *, columns: Optional[Sequence[str]] = None) -> None:
        super().__init__()
        self.files = files
        self.fmt = fmt
        self.columns = list(columns) if columns else None

    def expand(self, pbegin):
        if not self.files:
            return pbegin | "Nothing" >> beam.Create([])
        if isinstance(self.files, str):
            if self.fmt == "parquet":
                return pbegin | "ReadParquet" >> beam.io.ReadFromParquet(self.files, columns=self.columns)
            return pbegin | "ReadAvro" >> beam.io.ReadFromAvro(self.files)
        paths = pbegin | "Files" >> beam.Create(sorted(self.files))
        if self.fmt == "parquet":
            return paths | "ReadParquet" >> beam.io.ReadAllFromParquet(columns=self.columns)
        return paths | "ReadAvro" >> beam.io.ReadAllFromAvro()
