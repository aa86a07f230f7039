"""Incremental no-op: a batch run with nothing new over an output of N documents (default 10,000). Target: <= 10 s.

    python benchmarks/incremental_noop.py [--documents 10000] [--runs 100] [--seed_documents 100] [--keep DIR]

How the output is built (coding 10k documents takes long on a small machine): SEED synthetic articles (sentences
written from templates, so that the coder finds events) are coded once by the real job; the coded tables are then
repeated with new ids (doc_id, event_id, ...) as RUNS committed runs — the history a scheduler leaves behind, one
file per table and partition per run. The input holds the same N documents (same ids and texts). The timed part is
the real job (``demarche extract --input ... --output ...``) as a subprocess, start to exit, and the run's own
duration from its run record.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

COUNTRIES = ["Brazil", "Argentina", "Egypt", "Sudan", "Norway", "Sweden", "India", "Pakistan", "Kenya", "Ethiopia",
             "Japan", "South Korea", "France", "Germany", "Mexico", "Chile"]
SENTENCES = [
    "{a} and {b} signed a trade agreement on Monday to cut tariffs on cars and steel.",
    "{a} condemned an air strike near its border with {b} on Tuesday.",
    "The foreign minister of {a} met his counterpart from {b} in the capital on Wednesday.",
    "{a} accused {b} of shelling villages along the border.",
    "{a} promised to send food aid to {b} after the floods.",
    "Officials said the talks between {a} and {b} would resume next month.",
]


def seed_documents(count: int) -> list[dict]:
    rng = random.Random(12)
    docs = []
    for i in range(count):
        sentences = []
        for _ in range(rng.randint(3, 6)):
            a, b = rng.sample(COUNTRIES, 2)
            sentences.append(rng.choice(SENTENCES).format(a=a, b=b))
        sentences.append(f"Reporter note {i}: filed from the newsroom.")
        docs.append({"id": f"s{i:04d}", "date": f"2025-05-{1 + i % 28:02d}", "text": " ".join(sentences)})
    return docs


def _renamed(record: dict, table: str, suffix: str) -> dict:
    record = dict(record)
    for key in ("doc_id", "duplicate_of", "first_doc_id", "root"):
        if record.get(key):
            record[key] = record[key] + suffix
    if table == "events":
        record["event_id"] = record["event_id"] + suffix
    return record


def _read(path: str, fmt: str) -> list[dict]:
    import fastavro
    import pyarrow.parquet as pq

    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    if fmt == "avro":
        with open(path, "rb") as fh:
            return list(fastavro.reader(fh))
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def replicate(seed_out: str, out: str, *, runs: int, copies: int) -> None:
    """Write ``copies`` renamed copies of the seed output's tables into ``out`` as ``runs`` committed runs."""
    from transforms import sinks
    from transforms.storage import commit, known_index
    from transforms.storage import files as fs

    schema_of = {"events": "event", "documents": "document", "event_clusters": "event_cluster",
                 "document_signatures": "document_signature", "dead_letter": "dead_letter"}
    tables = {key: [r for p in paths for r in _read(p, key[1])]
              for key, paths in commit.committed_tables(seed_out).items()}
    per_run = max(1, copies // runs)
    copy = 0
    for run in range(runs):
        run_id = f"20250601T{run // 3600:02d}{run // 60 % 60:02d}{run % 60:02d}Z-rep{run:03d}"
        files = []
        for (table, fmt), rows in tables.items():
            by_partition: dict = {}
            for c in range(copy, min(copy + per_run, copies)):
                for row in rows:
                    renamed = _renamed(row, table, f"-r{c}")
                    if table in ("document_signatures", "dead_letter"):
                        part = None
                    elif table == "event_clusters":
                        part = (renamed.get("event_date") or renamed["ingested_at"].date()).isoformat()
                    else:
                        part = sinks.partition_of(renamed)
                    by_partition.setdefault(part, []).append(renamed)
            for part, part_rows in by_partition.items():
                writer = sinks._FormatWriter(fmt, schema_of[table],
                                             sinks.file_path(out, table, fmt, run_id, part, 0))
                for row in part_rows:
                    writer.write(row)
                files.append(writer.close())
        commit.begin(out, run_id, kind="benchmark-copy")
        fields, stale = known_index.update(out, run_id, new_files=files)  # as OutputRun.commit does
        commit.commit(out, run_id, kind="benchmark-copy", files=files, started_at=commit.utc_now(), extra=fields)
        fs.delete_files(stale)
        copy += per_run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100, help="runs in the output's history")
    parser.add_argument("--seed_documents", type=int, default=100)
    parser.add_argument("--keep", default=None, help="work folder to keep (and reuse: the output is built once)")
    args = parser.parse_args(argv)
    if args.documents % args.seed_documents:
        parser.error("--documents must be a multiple of --seed_documents")
    copies = args.documents // args.seed_documents
    work = args.keep or tempfile.mkdtemp(prefix="demarche-noop-")
    os.makedirs(work, exist_ok=True)
    seed_in, seed_out = os.path.join(work, "seed.jsonl"), os.path.join(work, "seed_out")
    big_in, out = os.path.join(work, "input.jsonl"), os.path.join(work, "out")
    env = dict(os.environ, PYTHONPATH=ROOT)
    try:
        docs = seed_documents(args.seed_documents)
        if not os.path.exists(os.path.join(out, "_runs")):
            with open(seed_in, "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(d) + "\n" for d in docs)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pipelines.extract_events", f"--input={seed_in}",
                            f"--output={seed_out}"], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
            print(f"coded {len(docs)} seed documents in {time.perf_counter() - start:.1f} s")
            start = time.perf_counter()
            replicate(seed_out, out, runs=args.runs, copies=copies)
            print(f"built an output of {args.documents} documents in {args.runs} runs in "
                  f"{time.perf_counter() - start:.1f} s")
            with open(big_in, "w", encoding="utf-8") as fh:
                for c in range(copies):
                    fh.writelines(json.dumps({**d, "id": f"{d['id']}-r{c}"}) + "\n" for d in docs)
        from transforms.storage import commit

        n_files = sum(len(p) for p in commit.committed_tables(out).values())
        print(f"output: {n_files} committed files, {len(commit.run_records(out))} run records")
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pipelines.extract_events", f"--input={big_in}",
                               f"--output={out}"], env=env, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        if done.returncode != 0:
            print(done.stdout, done.stderr)
            return 1
        record = commit.run_records(out)[-1]
        summary = record["summary"]
        assert summary.get("documents_coded", 0) == 0 and record["files"] == [], "the run was not a no-op"
        print(done.stdout.strip())
        print(f"pipeline skipped: {record.get('pipeline_skipped') or 'no (the Beam pipeline ran)'}")
        print(f"no-op incremental run over {args.documents} documents: {wall:.1f} s wall (command start to exit), "
              f"{record['duration_seconds']:.1f} s from lease to commit, {cpu:.1f} s CPU (user+sys; about the wall time "
              f"on an idle machine, the job being single-threaded); target <= 10 s; load average now "
              f"{os.getloadavg()[0]:.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
