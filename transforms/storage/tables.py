"""The table layout of an output folder (plain Python, no Beam): where a run's files of each table, format and
``dt`` partition go, and the list of files a run reports (``OUT/_runs/<run_id>.written``). ``transforms/sinks.py``
writes the files; ``transforms/storage/commit.py`` commits them.

    OUT/parquet/<table>/dt=YYYY-MM-DD/part-<run_id>-NNNNN.parquet
    OUT/avro/<table>/dt=YYYY-MM-DD/part-<run_id>-NNNNN.avro
    OUT/avro/document_signatures/document_signatures-<run_id>-NNNNN.avro
    OUT/dead_letter/dead_letter-<run_id>-NNNNN.jsonl
"""
from __future__ import annotations

import json
from typing import Optional, Sequence, Union

from transforms.coding.errors import ConfigError
from transforms.records.option_values import parse_subset
from transforms.storage import commit
from transforms.storage import files as fs
from transforms.storage.commit import committed_files

FORMATS = ("parquet", "avro")
WRITTEN_SUFFIX = ".written"
INPUT_FORMATS = ("auto", "parquet", "avro")
SIGNATURES_TABLE = "document_signatures"
DEAD_LETTER_TABLE = "dead_letter"
TableInput = Union[str, list, None]


def parse_formats(value: str) -> tuple[str, ...]:
    """``"parquet,avro"`` -> ("parquet", "avro"); ConfigError on unknown or empty values."""
    return parse_subset(value, FORMATS, option="--formats")


def partition_of(record: dict) -> str:
    """``dt`` partition of a record: its ``doc_date``, else the UTC date it was ingested."""
    day = record.get("doc_date") or record["ingested_at"].date()
    return day.isoformat()


def table_base(output: str, table: str, fmt: str) -> str:
    """Folder of a table's files: ``OUT/<fmt>/<table>`` (``OUT/dead_letter`` for JSON Lines dead letters)."""
    if fmt == "jsonl":
        return fs.join(output, table)
    return fs.join(output, fmt, table)


def file_path(output: str, table: str, fmt: str, run_id: str, partition: Optional[str], index: int) -> str:
    """Final path of the ``index``-th file of a run for one table, format and partition (None: flat table)."""
    base = table_base(output, table, fmt)
    suffix = "jsonl" if fmt == "jsonl" else fmt
    if partition is None:
        return fs.join(base, f"{table}-{run_id}-{index:05d}.{suffix}")
    return fs.join(base, f"dt={partition}", f"part-{run_id}-{index:05d}.{suffix}")


def written_list_path(output: str, run_id: str) -> str:
    return fs.join(output, commit.RUNS_DIR, run_id + WRITTEN_SUFFIX)


def read_written_list(output: str, run_id: str) -> list[str]:
    """The files a finished run reported (empty list when it wrote none)."""
    path = written_list_path(output, run_id)
    if not fs.exists(path):
        return []
    return json.loads(fs.read_bytes(path))


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
        return (root, suffix) if fs.has_files(root) else (None, None)
    for candidate in (("parquet", "avro") if fmt == "auto" else (fmt,)):
        files = committed_files(root, table, candidate)
        if files:
            return files, candidate
    return None, None


def signature_files(output: str) -> list[str]:
    """Committed files of the near-duplicate index under an output folder."""
    return committed_files(output, SIGNATURES_TABLE, "avro")


def dead_letter_files(output: str, *, exclude: Sequence[str] = ()) -> list[str]:
    """Committed dead-letter files of an output folder, less ``exclude`` (the files a replay reprocesses)."""
    excluded = set(exclude)
    return [p for p in committed_files(output, DEAD_LETTER_TABLE, "jsonl") if p not in excluded]
