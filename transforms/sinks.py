"""Beam sinks: partitioned Avro and Parquet tables, and JSON Lines dead letters.

Layout (the output contract)::

    OUT/parquet/<table>/dt=YYYY-MM-DD/part-<run_id>-NNNNN.parquet
    OUT/avro/<table>/dt=YYYY-MM-DD/part-<run_id>-NNNNN.avro
    OUT/avro/document_signatures/document_signatures-<run_id>-NNNNN.avro
    OUT/dead_letter/dead_letter-<run_id>-NNNNN.jsonl

Batch runs (:class:`WriteTable`): the records of a table are grouped by ``dt`` partition (a ``GroupByKey`` before
the writer, not one file per bundle), so a run writes **one file per table, format and partition** (a new file
every ``max_file_mb`` MB). A file is written under a dotfile name and renamed into place when complete (local), or
uploaded in one piece (object stores). Each writer reports the paths it wrote; :class:`GatherWrittenFiles` lists
them in ``OUT/_runs/<run_id>.written`` for the launcher, which commits them (``transforms/storage/commit.py``): until the
run record exists, no reader counts them.

Streaming runs (:class:`WriteRecords`): ``fileio.WriteToFiles`` per window (staging under ``OUT/_temporary/``); the
files of each window firing are committed by a run record of their own once they are in place.

Both formats are written from the Avro schema (``schemas/*.avsc``): Avro with fastavro, Parquet with pyarrow using
the Arrow schema derived from it.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import pickle
import signal
import uuid
from typing import Callable, Iterable, Optional

import apache_beam as beam
import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io import fileio
from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.value_provider import StaticValueProvider
from apache_beam.transforms.window import GlobalWindow

import schemas
from transforms.coding.errors import StorageError
from transforms.storage import commit
from transforms.storage import files as fs
from transforms.storage.tables import file_path, partition_of, written_list_path

TEMP_DIR = commit.TEMP_DIR
DEFAULT_MAX_FILE_MB = 256
_LOGGER = logging.getLogger("demarche")
# Test-only: "TABLE:N" makes the writer SIGKILL its own process group right after its N-th file of TABLE is in
# place (tests/test_commit.py kills real runs at chosen write stages this way, without racing a timer).
KILL_HOOK_ENV = "DEMARCHE_TEST_KILL_AFTER"
_ROW_GROUP = 10_000


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
    """After the files of a window are moved: fail loudly if one is missing, commit them (a run record of their
    own: ``_runs/<run_id>.<token>.json``), remove the empty temp folder."""

    def __init__(self, base: str, temp_dir: str, *, output: Optional[str] = None, run_id: Optional[str] = None,
                 table: str = "") -> None:
        self.base = base
        self.temp_dir = temp_dir
        self.output = output
        self.run_id = run_id
        self.table = table

    def process(self, file_names: Iterable[str]) -> Iterable[str]:
        paths = []
        for name in file_names:
            path = FileSystems.join(self.base, name)
            if not FileSystems.exists(path):
                raise IOError(f"output file {path} was not finalised (temporary files are in {self.temp_dir})")
            paths.append(path)
        if self.output and paths:
            token = uuid.uuid4().hex[:8]
            now = commit.utc_now().isoformat()
            record = {"run_id": self.run_id, "kind": "window", "table": self.table, "committed_at": now,
                      "files": sorted(fs.relative(self.output, p) for p in paths), "removed": []}
            fs.atomic_write(fs.join(self.output, commit.RUNS_DIR, f"{self.run_id}.{token}.json"),
                                json.dumps(record, indent=1).encode("utf-8"))
        yield from paths
        _remove_if_empty(self.temp_dir)


def _remove_if_empty(folder: str) -> None:
    """Remove an emptied staging folder. Best effort (the data is already in place), but a failure is logged."""
    try:
        if not fs.match(FileSystems.join(folder, "*")) and FileSystems.exists(folder):
            FileSystems.delete([folder])
    except (StorageError, BeamIOError, OSError) as err:
        _LOGGER.warning("could not remove the staging folder %s: %s", folder, err)


class _TableWriter(beam.PTransform):
    """What both table writers (:class:`WriteRecords`, :class:`WriteTable`) are given.

    output: Output root (local path or gs://...).
    table: Table name (folder), e.g. "events".
    schema_name: Avro schema of the records (``schemas/<name>.avsc``).
    formats: Subset of ``transforms.storage.tables.FORMATS``, or ("jsonl",) for dead letters.
    run_id: Run id used in file names (see ``transforms.storage.commit.new_run_id``).
    partition_fn: record -> ``dt`` value; None for a flat (unpartitioned) table.
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


class WriteRecords(_TableWriter):
    """Streaming (windowed): write records to ``output/<format>/<table>/dt=.../`` (partitioned) or ``output/<table>/`` (flat) files.

    Arguments: those of :class:`_TableWriter`. Returns a PCollection of the final file paths.
    """

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
                | f"Check{fmt.title()}" >> beam.ParDo(_CheckAndCleanFn(
                    base, temp_dir, output=self.output, run_id=self.run_id, table=self.table))
            )
            written.append(files)
        return written | "AllFiles" >> beam.Flatten()


def remove_run_temp(output: str, run_id: str) -> None:
    """Remove ``output/_temporary/<run_id>`` (and ``_temporary`` itself) when they are empty."""
    _remove_if_empty(FileSystems.join(output, TEMP_DIR, run_id))
    _remove_if_empty(FileSystems.join(output, TEMP_DIR))


# ------------------------------------------------------------------------------------------------ batch tables
_files_written: dict[str, int] = {}


def _after_file_hook(table: str) -> None:
    """Test-only crash hook (see KILL_HOOK_ENV)."""
    spec = os.environ.get(KILL_HOOK_ENV)
    if not spec:
        return
    target, _, count = spec.partition(":")
    if target != table:
        return
    _files_written[table] = _files_written.get(table, 0) + 1
    if _files_written[table] >= int(count or 1):
        os.killpg(os.getpgrp(), signal.SIGKILL)


class _CountingFile:
    """Wraps a writable file object; ``tell()`` = bytes written (GCS upload streams have no reliable tell)."""

    def __init__(self, fh) -> None:
        self._fh = fh
        self.written = 0

    def write(self, data) -> int:
        self._fh.write(data)
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:  # the owner closes the real file
        pass

    @property
    def closed(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


class _FileWriter:
    """One output file: written under a dotfile name and renamed into place (local), or uploaded whole (remote)."""

    def __init__(self, path: str) -> None:
        self.path = path
        if fs.is_local(path):
            local = fs.local_path(path)
            os.makedirs(os.path.dirname(local), exist_ok=True)
            self._temp = os.path.join(os.path.dirname(local), f".{os.path.basename(local)}.{uuid.uuid4().hex[:6]}.tmp")
            self._raw = open(self._temp, "wb")
        else:
            self._temp = None
            self._raw = FileSystems.create(path, mime_type="application/octet-stream")
        self.fh = _CountingFile(self._raw)

    def close(self) -> str:
        if self._temp is not None:
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
            os.replace(self._temp, fs.local_path(self.path))
        else:
            self._raw.close()
        return self.path


class FormatWriter:
    """Rows -> one file of a format (parquet, avro or jsonl)."""

    def __init__(self, fmt: str, schema_name: str, path: str) -> None:
        self.fmt = fmt
        self.file = _FileWriter(path)
        self.rows: list[dict] = []
        if fmt == "parquet":
            self.schema = schemas.arrow_schema(schema_name)
            self.writer = pq.ParquetWriter(self.file.fh, self.schema, compression="snappy")
        elif fmt == "avro":
            self.writer = fastavro.write.Writer(self.file.fh, schemas.parsed_avro_schema(schema_name), codec="deflate")
        else:
            self.writer = None

    def write(self, record: dict) -> None:
        if self.fmt == "parquet":
            self.rows.append(record)
            if len(self.rows) >= _ROW_GROUP:
                self._flush_rows()
        elif self.fmt == "avro":
            self.writer.write(record)
        else:
            self.file.fh.write(json.dumps(record, ensure_ascii=False, default=_json_default).encode("utf-8") + b"\n")

    def _flush_rows(self) -> None:
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def size(self) -> int:
        return self.file.fh.tell()

    def close(self) -> str:
        if self.fmt == "parquet":
            self._flush_rows()
            self.writer.close()
        elif self.fmt == "avro":
            self.writer.flush()
        return self.file.close()


class _WritePartitionFn(beam.DoFn):
    """(partition, records) -> the paths of the files written for it (one per format, split every max_bytes)."""

    def __init__(self, *, output: str, table: str, schema_name: str, formats: tuple, run_id: str,
                 partitioned: bool, max_bytes: int) -> None:
        self.output = output
        self.table = table
        self.schema_name = schema_name
        self.formats = formats
        self.run_id = run_id
        self.partitioned = partitioned
        self.max_bytes = max_bytes

    def process(self, element) -> Iterable[str]:
        partition, packed = element
        partition = partition if self.partitioned else None
        records = (pickle.loads(data) for data in packed)
        writers: dict[str, FormatWriter] = {}
        indexes = {fmt: 0 for fmt in self.formats}
        count = 0
        for record in records:
            for fmt in self.formats:
                writer = writers.get(fmt)
                if writer is None:
                    path = file_path(self.output, self.table, fmt, self.run_id, partition, indexes[fmt])
                    writer = writers[fmt] = FormatWriter(fmt, self.schema_name, path)
                writer.write(record)
            count += 1
            if count % 1000 == 0:
                for fmt in self.formats:  # Parquet's size grows by whole row groups (_ROW_GROUP rows)
                    if writers[fmt].size() >= self.max_bytes:
                        yield self._close(writers.pop(fmt))
                        indexes[fmt] += 1
        for fmt in self.formats:
            if fmt in writers:
                yield self._close(writers.pop(fmt))

    def _close(self, writer: FormatWriter) -> str:
        path = writer.close()
        _after_file_hook(self.table)
        return path


class WriteTable(_TableWriter):
    """Batch: write a table's records as at most one file per format and ``dt`` partition (per ``max_file_mb``).

    max_file_mb: Start a new file of a partition after this many MB.
    table: The arguments of :class:`_TableWriter` (output, table, schema_name, formats, run_id, partition_fn).
    Returns a PCollection of the paths written.
    """

    def __init__(self, *, max_file_mb: float = DEFAULT_MAX_FILE_MB, **table) -> None:
        super().__init__(**table)
        self.max_bytes = max(1, int(max_file_mb * 1024 * 1024))

    def expand(self, records):
        partition_fn = self.partition_fn
        # Each record is grouped as one pickled string: a runner that groups in memory (the local runners hold
        # every grouped value until the job ends) keeps ~1.5 KB per event record instead of a ~6 KB dict of
        # decoded strings, and peak memory hardly grows with the number of documents (docs/scaling.md, "Growth").
        return (
            records
            | "KeyByPartition" >> beam.Map(
                lambda r: (partition_fn(r) if partition_fn else "", pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL))
            )
            | "GroupByPartition" >> beam.GroupByKey()
            | "WriteFiles" >> beam.ParDo(_WritePartitionFn(
                output=self.output, table=self.table, schema_name=self.schema_name, formats=self.formats,
                run_id=self.run_id, partitioned=partition_fn is not None, max_bytes=self.max_bytes,
            ))
        )


class _WriteListFn(beam.DoFn):
    def __init__(self, output: str, run_id: str) -> None:
        self.output = output
        self.run_id = run_id

    def process(self, paths: list) -> Iterable[str]:
        fs.atomic_write(written_list_path(self.output, self.run_id),
                            json.dumps(sorted(paths), indent=0).encode("utf-8"))
        yield from paths


class GatherWrittenFiles(beam.PTransform):
    """Paths written by every WriteTable of a run -> ``OUT/_runs/<run_id>.written`` (read by the launcher to commit)."""

    def __init__(self, *, output: str, run_id: str) -> None:
        super().__init__()
        self.output = output.rstrip("/")
        self.run_id = run_id

    def expand(self, paths):
        return (
            paths
            | "ToList" >> beam.combiners.ToList()
            | "WriteList" >> beam.ParDo(_WriteListFn(self.output, self.run_id))
        )
