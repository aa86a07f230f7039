"""Where coding time goes: cProfile of ``DocumentCoder.code`` over Wikinews articles, printed in seconds.

Usage: ``python benchmarks/coding_profile.py [--corpus PATH] [--docs 40] [--top 25] [--parse] [--no-carry]``. The corpus
defaults to the Wikinews development corpus (``../shared/corpus/wikinews.jsonl``, never shipped). The articles are
parsed first and coded once unprofiled (warming one-off caches such as dateparser's, ~2 s); then
``DocumentCoder.code`` runs again on every parsed document under cProfile. Prints the total coding seconds (CPU and
wall), the events coded, the resolver's scan (calls, seconds, dictionary look-ups made), and the functions with the
most cumulative and own time. On a shared machine read the CPU figure and compare runs taken close together. With
``--parse`` the parsing is profiled too and the seconds of the actor recognizer (``ActorRuler.__call__``, which
also passes its matches on to the resolver) are printed, so that work moved from coding to parsing is seen (its
cumulative time also holds garbage-collection pauses that happen to fall in it: compare the parse totals).
``--no-carry`` drops the recognizer's matches from the parsed documents before coding, so that the resolver looks
everything up again (same events): run with and without it to see the scan work the carried matches save.
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
    parser.add_argument("--parse", action="store_true",
                        help="also profile parsing and print the actor recognizer's time")
    parser.add_argument("--no-carry", action="store_true",
                        help="drop the actor recognizer's matches before coding (the resolver looks them up again)")
    args = parser.parse_args(argv)
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus {args.corpus} not found (pass --corpus PATH)")
    from transforms.coding.coder import DocumentCoder
    from transforms.coding.nlp import load_model, model_label

    documents = read_documents(args.corpus, args.docs)
    coder = DocumentCoder()
    nlp = coder.prepare(load_model())
    parse_profile = cProfile.Profile() if args.parse else None
    parse_cpu = time.process_time()
    if parse_profile is not None:
        parse_profile.enable()
    docs = list(coder.parser(nlp).parse(d.text for d in documents))
    if parse_profile is not None:
        parse_profile.disable()
        stats = pstats.Stats(parse_profile).stats  # (file, line, function) -> (cc, nc, tottime, cumtime, callers)
        ruler = [v for k, v in stats.items() if k[2] == "__call__" and k[0].endswith("actors/recognizer.py")]
        print(json.dumps({"parse_cpu_s": round(time.process_time() - parse_cpu, 2),
                          "actor_recognizer_cpu_s": round(sum(v[3] for v in ruler), 3),
                          "note": "parsing under cProfile"}))
    if args.no_carry:
        from transforms.coding.actors.recognizer import RULER_MATCHES_KEY

        for doc in docs:
            doc.user_data.pop(RULER_MATCHES_KEY, None)
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
    stats = pstats.Stats(profile).stats
    scan = [v for k, v in stats.items() if k[2] == "_scan" and k[0].endswith("actors/resolver.py")]
    lookups = [v for k, v in stats.items() if k[2] in ("lookup", "role_of") and k[0].endswith("actors/lexicon.py")]
    print(json.dumps({"resolver_scan_calls": sum(v[1] for v in scan),
                      "resolver_scan_s": round(sum(v[3] for v in scan), 3),
                      "lexicon_lookup_and_role_of_calls": sum(v[1] for v in lookups)}))
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(f"--- top {args.top} by {order}")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-(args.top + 2) * 200:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
