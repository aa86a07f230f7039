"""Why demarche commits runs with its own run records rather than Delta Lake or Apache Iceberg: a measurement.

Commits RUNS runs of one events file each (ROWS rows, the shape of a Wikinews run's events table) three ways and
prints, for each: import time, mean time of one commit (appending one run's already-written Parquet file, or
writing it for the table formats, which write their own files), time to list the committed files after RUNS
commits, and what the format cannot hold. Needs ``pip install deltalake 'pyiceberg[sql-sqlite]'`` (not project
dependencies; the script skips a format that is not installed).

    python benchmarks/table_format_choice.py [--runs 20] [--rows 1300]
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import schemas  # noqa: E402
from transforms.storage import commit  # noqa: E402


def _events(rows: int, run: int) -> pa.Table:
    now = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)
    records = []
    for i in range(rows):
        record = {name: None for name in schemas.field_names("event")}
        record.update(event_id=f"r{run}-e{i}", doc_id=f"r{run}-d{i % 200}", doc_date=dt.date(2025, 5, 1 + i % 20),
                      sentence_index=0, sentence="A sentence of an article " * 4, trigger="met", char_start=0,
                      char_end=3, cameo_code="042", cameo_root="04", quad_class=1, modality="ASSERTED",
                      confidence=0.5, pattern_id="p", coder_version="bench", nlp_model="bench", ingested_at=now)
        records.append(record)
    return pa.Table.from_pylist(records, schema=schemas.arrow_schema("event"))


def _timed_import(name: str) -> float:
    start = time.perf_counter()
    importlib.import_module(name)
    return time.perf_counter() - start


def bench_own(root: str, tables: list) -> dict:
    commit_times = []
    for run, table in enumerate(tables):
        run_id = f"20250601T0000{run:02d}Z-bench{run:02d}"
        path = os.path.join(root, "parquet", "events", "dt=2025-05-01", f"part-{run_id}-00000.parquet")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pq.write_table(table, path)  # written by the pipeline's writers, before the commit
        start = time.perf_counter()
        commit.begin(root, run_id, kind="bench")
        commit.commit(root, run_id, kind="bench", files=[path], started_at=commit.utc_now())
        commit_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    files = commit.committed_files(root, "events", "parquet")
    listed = time.perf_counter() - start
    assert len(files) == len(tables)
    return {"import_s": 0.0, "commit_s": sum(commit_times) / len(commit_times), "list_s": listed,
            "avro": "yes (any file: Parquet, Avro, JSON Lines)"}


def bench_delta(root: str, tables: list) -> dict:
    imported = _timed_import("deltalake")
    from deltalake import DeltaTable, write_deltalake

    path = os.path.join(root, "events")
    commit_times = []
    for table in tables:
        start = time.perf_counter()
        write_deltalake(path, table, mode="append")
        commit_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    files = DeltaTable(path).file_uris()
    listed = time.perf_counter() - start
    assert len(files) == len(tables)
    return {"import_s": imported, "commit_s": sum(commit_times) / len(commit_times), "list_s": listed,
            "avro": "no (Parquet data files only)"}


def bench_iceberg(root: str, tables: list) -> dict:
    imported = _timed_import("pyiceberg.catalog.sql")
    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog("bench", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}")
    catalog.create_namespace("demarche")
    table_ref = catalog.create_table("demarche.events", schema=tables[0].schema)
    commit_times = []
    for table in tables:
        start = time.perf_counter()
        table_ref.append(table)
        commit_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    files = [task.file.file_path for task in catalog.load_table("demarche.events").scan().plan_files()]
    listed = time.perf_counter() - start
    assert len(files) == len(tables)
    return {"import_s": imported, "commit_s": sum(commit_times) / len(commit_times), "list_s": listed,
            "avro": "no (pyiceberg writes Parquet data files only)"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rows", type=int, default=1300)
    args = parser.parse_args(argv)
    tables = [_events(args.rows, run) for run in range(args.runs)]
    print(f"{args.runs} commits of {args.rows} event rows each (timings on a shared machine are noisy)")
    print(f"{'format':<34} {'import s':>9} {'commit s':>9} {'list s':>8}  Avro data files")
    for name, bench in (("own run records (transforms/storage/commit)", bench_own), ("Delta Lake (deltalake)", bench_delta),
                        ("Iceberg (pyiceberg, SQLite catalog)", bench_iceberg)):
        root = tempfile.mkdtemp(prefix="demarche-format-")
        try:
            found = bench(root, tables)
        except ImportError as err:
            print(f"{name:<34} skipped ({err})")
            continue
        finally:
            shutil.rmtree(root, ignore_errors=True)
        print(f"{name:<34} {found['import_s']:>9.3f} {found['commit_s']:>9.4f} {found['list_s']:>8.4f}  {found['avro']}")
    print("own commit s = marker + run record + manifests (the Parquet file is written by the pipeline beforehand);"
          " Delta/Iceberg commit s includes writing the Parquet file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
