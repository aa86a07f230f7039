"""Beam sinks: partitioned Avro and Parquet tables, and JSON Lines dead letters.

Layout (the output contract)::

    OUT/parquet/<table>/dt=YYYY-MM-DD/part-<run>-<window>-<shard>-of-<n>.parquet
    OUT/avro/<table>/dt=YYYY-MM-DD/part-<run>-...avro
    OUT/dead_letter/dead_letter-<run>-...jsonl

Files go through ``fileio.WriteToFiles``: records are written to temporary files under ``OUT/_temporary/<run>/`` and
moved into place when their bundle/window is complete, so a failed run leaves no partial file in the tables. Each
run's file names carry a run id, so incremental runs add files next to earlier ones instead of replacing them.
Both formats are written from the Avro schema (``schemas/*.avsc``): Avro with fastavro, Parquet with pyarrow using
the Arrow schema derived from it.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Callable, Iterable, Optional

import apache_beam as beam
import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.value_provider import StaticValueProvider
from apache_beam.transforms.window import GlobalWindow

import schemas
from transforms.option_values import parse_subset

FORMATS = ("parquet", "avro")
TEMP_DIR = "_temporary"
_ROW_GROUP = 10_000


def new_run_id() -> str:
    """Sortable, unique id for one pipeline run: ``20250617T101500Z-1a2b3c``."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def parse_formats(value: str) -> tuple[str, ...]:
    """``"parquet,avro"`` -> ("parquet", "avro"); ConfigError on unknown or empty values."""
    return parse_subset(value, FORMATS, option="--formats")


def partition_of(record: dict) -> str:
    """``dt`` partition of a record: its ``doc_date``, else the UTC date it was ingested."""
    day = record.get("doc_date") or record["ingested_at"].date()
    return day.isoformat()


class ParquetSink(fileio.FileSink):
    """Writes records (dicts) to one Parquet file with the Arrow schema derived from an Avro schema.

    schema_name: Name of the ``schemas/<name>.avsc`` file.
    """

    def __init__(self, schema_name: str) -> None:
        self.schema_name = schema_name
        self._rows: list[dict] = []
        self._writer: Optional[pq.ParquetWriter] = None

    def open(self, fh) -> None:
        self._schema = schemas.arrow_schema(self.schema_name)
        self._writer = pq.ParquetWriter(fh, self._schema, compression="snappy")
        self._rows = []

    def write(self, record: dict) -> None:
        self._rows.append(record)
        if len(self._rows) >= _ROW_GROUP:
            self._write_rows()

    def _write_rows(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def flush(self) -> None:
        self._write_rows()
        self._writer.close()


class AvroSink(fileio.FileSink):
    """Writes records (dicts) to one Avro container file (deflate) with fastavro.

    schema_name: Name of the ``schemas/<name>.avsc`` file.
    """

    def __init__(self, schema_name: str) -> None:
        self.schema_name = schema_name
        self._writer = None

    def open(self, fh) -> None:
        self._writer = fastavro.write.Writer(fh, schemas.parsed_avro_schema(self.schema_name), codec="deflate")

    def write(self, record: dict) -> None:
        self._writer.write(record)

    def flush(self) -> None:
        self._writer.flush()


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class JsonLinesSink(fileio.TextSink):
    """One JSON object per line (dates as ISO strings)."""

    def write(self, record: dict) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False, default=_json_default).encode("utf-8"))
        self._fh.write(b"\n")


def _window_label(window) -> str:
    if window == GlobalWindow() or not hasattr(window, "start"):
        return ""
    # A window can fire more than once (late data within the allowed lateness) and WriteToFiles gives no reliable
    # pane index, so each firing's files get a unique token instead of overwriting the previous firing's files.
    return "-" + window.start.to_utc_datetime().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def _file_naming(base: str, run_id: str, *, prefix: str, suffix: str, partitioned: bool) -> Callable:
    """File names for WriteToFiles; for partitioned tables the ``dt=`` folder is created before the move.

    (WriteToFiles only creates the table folder; a rename into a missing sub-folder fails silently on the local
    filesystem, so the naming function, which runs in the move step, makes sure the folder exists.)
    """

    def naming(window, pane, shard_index, total_shards, compression, destination) -> str:
        name = f"{prefix}-{run_id}{_window_label(window)}-{shard_index or 0:05d}-of-{total_shards or 1:05d}{suffix}"
        if not partitioned:
            return name
        folder = f"dt={destination}"
        try:
            FileSystems.mkdirs(FileSystems.join(base, folder))
        except IOError:
            pass  # already there
        return f"{folder}/{name}"

    return naming


class _CheckAndCleanFn(beam.DoFn):
    """After the files of a window are moved: fail loudly if one is missing, remove the empty temp folder."""

    def __init__(self, base: str, temp_dir: str) -> None:
        self.base = base
        self.temp_dir = temp_dir

    def process(self, file_names: Iterable[str]) -> Iterable[str]:
        for name in file_names:
            path = FileSystems.join(self.base, name)
            if not FileSystems.exists(path):
                raise IOError(f"output file {path} was not finalised (temporary files are in {self.temp_dir})")
            yield path
        _remove_if_empty(self.temp_dir)


def _remove_if_empty(folder: str) -> None:
    try:
        remaining = FileSystems.match([FileSystems.join(folder, "*")])[0].metadata_list
        if not remaining and FileSystems.exists(folder):
            FileSystems.delete([folder])
    except Exception:  # noqa: BLE001 - cleanup is best effort; the data is already in place
        pass


class WriteRecords(beam.PTransform):
    """Write records to ``output/<format>/<table>/dt=.../`` (partitioned) or ``output/<table>/`` (flat) files.

    output: Output root (local path or gs://...).
    table: Table name (folder), e.g. "events".
    schema_name: Avro schema of the records (``schemas/<name>.avsc``).
    formats: Subset of FORMATS, or ("jsonl",) for dead letters.
    run_id: Run id used in file names (see ``new_run_id``).
    partition_fn: record -> ``dt`` value; None for a flat (unpartitioned) table.
    Returns a PCollection of the final file paths.
    """

    def __init__(
        self,
        *,
        output: str,
        table: str,
        schema_name: str,
        formats: Iterable[str],
        run_id: str,
        partition_fn: Optional[Callable[[dict], str]] = partition_of,
    ) -> None:
        super().__init__()
        self.output = output.rstrip("/")
        self.table = table
        self.schema_name = schema_name
        self.formats = tuple(formats)
        self.run_id = run_id
        self.partition_fn = partition_fn

    def expand(self, records):
        written = []
        for fmt in self.formats:
            if fmt == "jsonl":
                base = FileSystems.join(self.output, self.table)
                sink, suffix = (lambda _dest: JsonLinesSink()), ".jsonl"
            else:
                base = FileSystems.join(self.output, fmt, self.table)
                schema_name = self.schema_name
                sink = (lambda _dest, s=schema_name: ParquetSink(s)) if fmt == "parquet" else (
                    lambda _dest, s=schema_name: AvroSink(s)
                )
                suffix = f".{fmt}"
            temp_dir = FileSystems.join(self.output, TEMP_DIR, self.run_id, f"{fmt}-{self.table}")
            partitioned = self.partition_fn is not None
            files = (
                records
                | f"Write{fmt.title()}"
                >> fileio.WriteToFiles(
                    path=base,
                    destination=self.partition_fn if partitioned else (lambda _record: "all"),
                    sink=sink,
                    file_naming=_file_naming(
                        base, self.run_id, prefix="part" if partitioned else self.table, suffix=suffix,
                        partitioned=partitioned,
                    ),
                    temp_directory=StaticValueProvider(str, temp_dir),
                )
                | f"Names{fmt.title()}" >> beam.Map(lambda result: result.file_name)
                | f"Gather{fmt.title()}" >> beam.combiners.ToList().without_defaults()
                | f"Check{fmt.title()}" >> beam.ParDo(_CheckAndCleanFn(base, temp_dir))
            )
            written.append(files)
        return written | "AllFiles" >> beam.Flatten()


def remove_run_temp(output: str, run_id: str) -> None:
    """Remove ``output/_temporary/<run_id>`` (and ``_temporary`` itself) when they are empty."""
    _remove_if_empty(FileSystems.join(output, TEMP_DIR, run_id))
    _remove_if_empty(FileSystems.join(output, TEMP_DIR))
