"""Where coding time goes: cProfile of ``DocumentCoder.code`` over Wikinews articles, printed in seconds.

Usage: ``python benchmarks/coding_profile.py [--corpus PATH] [--docs 40] [--top 25]``. The corpus defaults to the
Wikinews development corpus (``../shared/corpus/wikinews.jsonl``, never shipped). The articles are parsed first
and coded once unprofiled (warming one-off caches such as dateparser's, ~2 s); then ``DocumentCoder.code`` runs
again on every parsed document under cProfile. Prints the total coding
seconds (CPU and wall), the events coded, and the functions with the most cumulative and own time. On a shared
machine read the CPU figure and compare runs taken close together.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "wikinews.jsonl")


def read_documents(path: str, limit: int):
    from transforms.coding.model import Document

    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            date = dt.date.fromisoformat(row["date"]) if row.get("date") else None
            out.append(Document(doc_id=row["id"], text=row["text"], doc_date=date))
            if len(out) >= limit:
                break
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="JSON Lines corpus with id, date, text")
    parser.add_argument("--docs", type=int, default=40, help="articles to code (default 40)")
    parser.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = parser.parse_args(argv)
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus {args.corpus} not found (pass --corpus PATH)")
    from transforms.coding.coder import DocumentCoder
    from transforms.coding.nlp import load_model, model_label

    documents = read_documents(args.corpus, args.docs)
    coder = DocumentCoder()
    nlp = coder.prepare(load_model())
    docs = list(coder.parser(nlp).parse(d.text for d in documents))
    label = model_label(nlp)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for doc, d in zip(docs, documents):  # warm-up: first-use costs are not coding costs
        coder.code(doc, d, nlp_model=label, ingested_at=now)
    profile = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    events = sum(len(coder.code(doc, d, nlp_model=label, ingested_at=now).events) for doc, d in zip(docs, documents))
    profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"documents": len(documents), "events": events, "coding_cpu_s": round(cpu, 2),
                      "coding_wall_s": round(wall, 2), "note": "under cProfile (about 2x the unprofiled time)"}))
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(f"--- top {args.top} by {order}")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-(args.top + 2) * 200:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
