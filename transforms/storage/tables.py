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
from typing import Optional

from transforms.option_values import parse_subset
from transforms.storage import commit
from transforms.storage import files as fs

FORMATS = ("parquet", "avro")
WRITTEN_SUFFIX = ".written"


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
