"""Show that a code change leaves the job's output unchanged: run, dump, compare.

A restructuring must not change what the job writes. This script runs the real ``extract_events`` job on a corpus
(by default the Wikinews development corpus in ``../shared``), reads every Avro table back with fastavro and writes
one canonical JSON line per record (sorted keys, records sorted by table and id, run-time fields such as
``ingested_at`` removed). Two such dumps, taken before and after a change, are then compared field by field::

    python tools/compare_output.py dump --to /tmp/before.jsonl          # on the commit before the change
    python tools/compare_output.py dump --to /tmp/after.jsonl           # on the commit after it
    python tools/compare_output.py diff /tmp/before.jsonl /tmp/after.jsonl

``diff`` prints the number of records per table on both sides and every record that was added, removed or changed
(with the changed fields), and exits 1 when anything differs. ``dump --output DIR`` dumps an existing output folder
instead of running the job. The job runs with ``--min_confidence 0`` so that every coded event is compared, not
only those above the default cut.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "wikinews.jsonl")
RUN_TIME_FIELDS = frozenset({"ingested_at"})
KEY_FIELDS = {
    "events": ("event_id",),
    "documents": ("doc_id",),
    "dead_letters": ("source", "line", "stage", "doc_id"),
    "event_clusters": ("cluster_id",),
}


def table_key(table: str, record: dict) -> str:
    fields = KEY_FIELDS.get(table)
    if fields is None:
        return json.dumps(record, sort_keys=True, default=str)
    return "|".join(str(record.get(field)) for field in fields)


def dump_tables(output: str) -> list[dict]:
    """Every Avro record and dead letter under ``output`` as ``{"table", "key", "record"}`` rows in a fixed order."""
    import fastavro

    rows = []
    for path in sorted(glob.glob(os.path.join(output, "avro", "*", "**", "*.avro"), recursive=True)):
        table = os.path.relpath(path, os.path.join(output, "avro")).split(os.sep)[0]
        with open(path, "rb") as handle:
            for record in fastavro.reader(handle):
                record = {k: v for k, v in record.items() if k not in RUN_TIME_FIELDS}
                rows.append({"table": table, "key": table_key(table, record), "record": record})
    for path in sorted(glob.glob(os.path.join(output, "dead_letter", "*.jsonl"))):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                record = {k: v for k, v in json.loads(line).items() if k not in RUN_TIME_FIELDS}
                rows.append({"table": "dead_letters", "key": table_key("dead_letters", record), "record": record})
    rows.sort(key=lambda row: (row["table"], row["key"], json.dumps(row["record"], sort_keys=True, default=str)))
    return rows


def run_job(corpus: str, output: str, extra: list[str]) -> None:
    if not os.path.exists(corpus):
        sys.exit(f"corpus {corpus} not found (pass --corpus PATH)")
    argv = [sys.executable, "-m", "pipelines.extract_events", f"--input={corpus}", f"--output={output}",
            "--formats=avro", "--min_confidence=0", "--quiet", *extra]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run(argv, check=True, cwd=ROOT, env=env)


def command_dump(args: argparse.Namespace) -> int:
    if args.output:
        rows = dump_tables(args.output)
    else:
        with tempfile.TemporaryDirectory(prefix="demarche-compare-") as tmp:
            run_job(args.corpus, os.path.join(tmp, "out"), args.job_arg or [])
            rows = dump_tables(os.path.join(tmp, "out"))
    with open(args.to, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False) + "\n")
    counts = Counter(row["table"] for row in rows)
    print(json.dumps({"dump": args.to, "records": dict(sorted(counts.items()))}))
    return 0


def read_dump(path: str) -> dict[tuple[str, str], list[dict]]:
    by_key: dict[tuple[str, str], list[dict]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            by_key.setdefault((row["table"], row["key"]), []).append(row["record"])
    return by_key


def command_diff(args: argparse.Namespace) -> int:
    before, after = read_dump(args.before), read_dump(args.after)
    tables_before = Counter(table for (table, _), records in before.items() for _ in records)
    tables_after = Counter(table for (table, _), records in after.items() for _ in records)
    print(json.dumps({"before": dict(sorted(tables_before.items())), "after": dict(sorted(tables_after.items()))}))
    differences = 0
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, []), after.get(key, [])
        if old == new:
            continue
        differences += 1
        if differences > args.show:
            continue
        if len(old) == 1 and len(new) == 1:
            changed = sorted(f for f in set(old[0]) | set(new[0]) if old[0].get(f) != new[0].get(f))
            detail = {f: [old[0].get(f), new[0].get(f)] for f in changed}
            print(json.dumps({"changed": list(key), "fields": detail}, default=str, ensure_ascii=False))
        else:
            print(json.dumps({"key": list(key), "before": len(old), "after": len(new)}, default=str))
    print(json.dumps({"differing_keys": differences, "identical": differences == 0}))
    return 1 if differences else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    dump = commands.add_parser("dump", help="run the job (or read --output) and write a canonical dump")
    dump.add_argument("--to", required=True, help="the JSONL dump to write")
    dump.add_argument("--corpus", default=DEFAULT_CORPUS, help="input of the job (default: the Wikinews corpus)")
    dump.add_argument("--output", help="dump this existing output folder instead of running the job")
    dump.add_argument("--job_arg", action="append", help="an extra option for the job, e.g. --job_arg=--dedup=off")
    diff = commands.add_parser("diff", help="compare two dumps; exit 1 when they differ")
    diff.add_argument("before")
    diff.add_argument("after")
    diff.add_argument("--show", type=int, default=20, help="print at most this many differences (default 20)")
    args = parser.parse_args(argv)
    return command_dump(args) if args.command == "dump" else command_diff(args)


if __name__ == "__main__":
    sys.exit(main())
