"""Peak memory of the job's Beam steps alone (no spaCy), as the local runner holds their grouped data.

    python benchmarks/beam_memory.py --dump DUMP.jsonl [--repeat 34] [--part both|docs|events] [--input FILE]

DUMP.jsonl is a ``tools/compare_output.py dump`` of the corpus (its event records are reused). The corpus is
repeated ``--repeat`` times with new ids (34: ~10,000 Wikinews documents) and

- ``docs``: read with ``ReadDocuments`` and joined by id as ``SkipKnown`` does;
- ``events``: the dump's event records (repeated as many times, new ids, from ``beam.Create``) written to Avro +
  Parquet (``WriteTable``) and clustered (``EventClusters``, clusters written too).

Prints one JSON object: peak resident memory before and after the pipeline (VmHWM) and the CPU seconds it took.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def peak_rss_mb() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
    return 0


def main(argv=None) -> int:
    import apache_beam as beam

    from throughput import default_input, load_documents
    from transforms.clusters import EventClusters
    from transforms.records.clusters import partition_of_cluster
    from transforms.sinks import WriteTable
    from transforms.skip_known import SkipKnown
    from transforms.sources import ReadDocuments

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", required=True, help="tools/compare_output.py dump of the corpus")
    parser.add_argument("--input", type=pathlib.Path, default=None)
    parser.add_argument("--repeat", type=int, default=34)
    parser.add_argument("--part", choices=("both", "docs", "events"), default="both")
    args = parser.parse_args(argv)
    docs = load_documents(args.input or default_input(), limit=None, repeat=args.repeat)
    events = [row["record"] for row in map(json.loads, open(args.dump, encoding="utf-8")) if row["table"] == "events"]
    now = dt.datetime.now(dt.timezone.utc)

    def copy(event: dict, k: int) -> dict:
        out = dict(event, event_id=f"{event['event_id']}{k}", doc_id=f"{event['doc_id']}#{k}", ingested_at=now)
        for name in ("doc_date", "event_date"):
            if out.get(name):
                out[name] = dt.date.fromisoformat(out[name])
        return out

    all_events = [copy(e, k) for k in range(args.repeat) for e in events]
    tmp = tempfile.mkdtemp(prefix="demarche-beam-memory-")
    with open(f"{tmp}/in.jsonl", "w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc) + "\n")
    before, cpu = peak_rss_mb(), time.process_time()
    formats = ("avro", "parquet")
    with beam.Pipeline(runner="FnApiRunner") as p:
        if args.part in ("both", "docs"):
            read = p | ReadDocuments(f"{tmp}/in.jsonl")
            kept = (read["documents"], p | "NoKnown" >> beam.Create([])) | SkipKnown()
            kept["documents"] | beam.Map(lambda d: len(d.text)) | beam.combiners.Count.Globally()
        if args.part in ("both", "events"):
            events_in = p | "Events" >> beam.Create(all_events, reshuffle=False)
            events_in | "WriteEvents" >> WriteTable(
                output=f"{tmp}/out", table="events", schema_name="event", formats=formats, run_id="r")
            clusters = (events_in, p | "NoDuplicates" >> beam.Create([])) | EventClusters()
            clusters | "WriteClusters" >> WriteTable(
                output=f"{tmp}/out", table="event_clusters", schema_name="event_cluster", formats=formats,
                run_id="r", partition_fn=partition_of_cluster)
    after = peak_rss_mb()
    print(json.dumps({"part": args.part, "documents": len(docs), "events": len(all_events), "peak_rss_mb_before": before,
                      "peak_rss_mb_after": after, "growth_mb": after - before,
                      "cpu_s": round(time.process_time() - cpu, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
