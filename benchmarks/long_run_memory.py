"""Long-run behaviour of de-duplication and incremental runs. Prints numbers; not a test.

Part 1, streaming de-duplication state over a long run: drives the exact keyed-state logic of
``transforms.dedup._RememberFn`` (process + decide timer + expiry timer) over N synthetic documents arriving at a
fixed rate, with the watermark following the arrivals, and reports how many members are held in state, their pickled
size and the Python heap (tracemalloc) as the run goes on, for a finite TTL and for "never expire".

Part 2, the same documents through the real streaming transform on Beam's TestStream runner (end to end, counting
duplicates), with the process' peak RSS.

Part 3, incremental batch runs: codes a folder of M small documents once with ``--incremental``, then times a second
run when nothing is new (and checks that it wrote no file).

    .venv/bin/python benchmarks/long_run_memory.py [--docs 10000] [--ttl_hours 6] [--incremental_docs 2000]
"""
from __future__ import annotations

import argparse
import glob
import heapq
import json
import os
import pickle
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from apache_beam.utils.timestamp import Timestamp  # noqa: E402

from transforms import dedup  # noqa: E402
from transforms.names import DOCUMENTS, DUPLICATES  # noqa: E402
from transforms.records.near_duplicates import BANDS, DedupConfig  # noqa: E402
from transforms.coding.model import Document  # noqa: E402

WORDS = [f"w{i}" for i in range(3000)]
COUNTRIES = ["France", "Germany", "Japan", "China", "Brazil", "Kenya", "Chile", "Peru", "Egypt", "Canada"]


def synthetic_documents(n: int, *, duplicate_every: int = 10, seed: int = 7) -> list[Document]:
    """n documents; every ``duplicate_every``-th is a near copy (a dateline added) of a recent one."""
    rng = random.Random(seed)
    docs: list[Document] = []
    for i in range(n):
        if i and i % duplicate_every == 0:
            source = docs[rng.randrange(max(0, i - 50), i)]
            docs.append(Document(doc_id=f"d{i}", text="PARIS (Wire) - " + source.text))
            continue
        a, b = rng.sample(COUNTRIES, 2)
        body = " ".join(rng.choice(WORDS) for _ in range(60))
        docs.append(Document(doc_id=f"d{i}", text=f"{a} criticized {b} on Monday. {body}."))
    return docs


class _Bag:
    def __init__(self):
        self.items = []

    def read(self):
        return list(self.items)

    def add(self, item):
        self.items.append(item)

    def clear(self):
        self.items = []


class _Value:
    def __init__(self):
        self.value = None

    def read(self):
        return self.value

    def write(self, value):
        self.value = value

    def clear(self):
        self.value = None


class _Timers:
    """Event-time timers of all keys: the latest set() of a (key, name) wins, fired in timestamp order."""

    def __init__(self):
        self.current: dict = {}
        self.heap: list = []

    def set(self, key, name, stamp):
        self.current[(key, name)] = stamp
        heapq.heappush(self.heap, (stamp.micros, key, name))

    def clear(self, key, name):
        self.current.pop((key, name), None)

    def pop_due(self, watermark):
        while self.heap and self.heap[0][0] <= watermark.micros:
            micros, key, name = heapq.heappop(self.heap)
            stamp = self.current.get((key, name))
            if stamp is not None and stamp.micros == micros:
                del self.current[(key, name)]
                return stamp, key, name
        return None


class _Timer:
    def __init__(self, timers, key, name):
        self.timers, self.key, self.name = timers, key, name

    def set(self, stamp):
        self.timers.set(self.key, self.name, stamp)

    def clear(self):
        self.timers.clear(self.key, self.name)


class _KeyState:
    def __init__(self, queue, key):
        self.pending, self.members = _Bag(), _Bag()
        self.decide_at, self.expires = _Value(), _Value()
        self.decide, self.expiry = _Timer(queue, key, "decide"), _Timer(queue, key, "expiry")


def simulate_state(docs: list[Document], *, ttl_seconds: int, seconds_between_docs: float, report_every: int):
    """Run _RememberFn's logic over keyed in-memory state; returns rows of (docs, members held, pickled bytes,
    heap MB, duplicates found)."""
    config = DedupConfig(ttl_seconds=ttl_seconds)
    fn = dedup._RememberFn(config)
    queue = _Timers()
    states: dict = {}
    verdicts: dict = defaultdict(list)
    rows = []
    tracemalloc.start()

    def fire_until(watermark: Timestamp) -> None:
        while True:
            due = queue.pop_due(watermark)
            if due is None:
                return
            stamp, key, name = due
            st = states[key]
            if name == "decide":
                out = fn.decide_pending(stamp, st.pending, st.members, st.decide_at, st.expires, st.decide, st.expiry)
                for value in out:
                    uid, (_, match) = value.value
                    verdicts[uid].append(match)
            else:
                list(fn.expire(stamp, st.pending, st.members, st.expires, st.expiry))
                if not st.members.items and not st.pending.items:
                    del states[key]  # a runner frees the state of a key once it is empty

    for index, document in enumerate(docs):
        now = Timestamp(micros=int(index * seconds_between_docs * 1_000_000))
        fanned = list(dedup._FanOutFn(config).process(document, timestamp=now))
        for item in fanned:
            if isinstance(item, tuple):
                key, member = item
                st = states.setdefault(key, _KeyState(queue, key))
                list(fn.process((key, member), now, st.pending, st.decide_at, st.decide))
        fire_until(now)
        if (index + 1) % report_every == 0 or index + 1 == len(docs):
            held = sum(len(st.members.items) + len(st.pending.items) for st in states.values())
            size = sum(len(pickle.dumps(st.members.items)) for st in states.values())
            current, _peak = tracemalloc.get_traced_memory()
            duplicates = sum(1 for matches in verdicts.values() if any(m is not None for m in matches))
            rows.append((index + 1, len(states), held, size, current / 1e6, duplicates))
    tracemalloc.stop()
    return rows


def beam_stream(docs: list[Document], *, ttl_seconds: int, seconds_between_docs: float) -> dict:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from apache_beam.testing.test_stream import TestStream
    from apache_beam.transforms.window import TimestampedValue

    stream = TestStream().advance_watermark_to(0)
    for start in range(0, len(docs), 500):
        chunk = docs[start : start + 500]
        stream = stream.add_elements(
            [TimestampedValue(d, (start + i) * seconds_between_docs) for i, d in enumerate(chunk)]
        ).advance_watermark_to((start + len(chunk)) * seconds_between_docs)
    stream = stream.advance_watermark_to_infinity()
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    started = time.time()
    pipeline = beam.Pipeline(options=options)
    out = pipeline | stream | dedup.DeduplicateStream(DedupConfig(ttl_seconds=ttl_seconds))
    tally = tempfile.mktemp(prefix="dedup-tally-")  # the TestStream runner reports no metrics: count outputs

    def count(label):
        def write(_element):
            with open(tally, "a", encoding="utf-8") as handle:
                handle.write(label + "\n")
        return write

    out[DOCUMENTS] | "CountCoded" >> beam.Map(count("coded"))
    out[DUPLICATES] | "CountDups" >> beam.Map(count("duplicate"))
    result = pipeline.run()
    result.wait_until_finish()
    with open(tally, encoding="utf-8") as handle:
        labels = handle.read().split()
    os.remove(tally)
    return {"seconds": round(time.time() - started, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "coded": labels.count("coded"), "duplicates": labels.count("duplicate")}


def incremental(n: int) -> dict:
    from pipelines import extract_events

    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(f"{root}/in")
        with open(f"{root}/in/news.jsonl", "w", encoding="utf-8") as handle:
            for i in range(n):
                a, b = rng.sample(COUNTRIES, 2)
                filler = " ".join(rng.choice(WORDS) for _ in range(12))
                handle.write(json.dumps({"id": f"n{i}", "date": f"2025-01-{1 + i % 28:02d}",
                                         "text": f"{a} criticized {b} on Monday. {filler}."}) + "\n")
        args = [f"--input={root}/in/*", f"--output={root}/out", "--incremental"]
        started = time.time()
        first = extract_events.run(args)
        first_seconds = time.time() - started
        files = sorted(glob.glob(f"{root}/out/**/*", recursive=True))
        started = time.time()
        second = extract_events.run(args)
        second_seconds = time.time() - started
        unchanged = sorted(glob.glob(f"{root}/out/**/*", recursive=True)) == files
    return {"documents": n, "first_run_s": round(first_seconds, 1), "coded": first.get("documents_coded", 0),
            "nothing_new_run_s": round(second_seconds, 1), "known": second.get("documents_already_known", 0),
            "recoded": second.get("documents_coded", 0), "files_unchanged": unchanged}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seconds_between_docs", type=float, default=6.0, help="arrival rate (event time)")
    parser.add_argument("--ttl_hours", type=float, default=6.0)
    parser.add_argument("--beam_docs", type=int, default=2_000, help="documents for the TestStream run (0: skip)")
    parser.add_argument("--incremental_docs", type=int, default=2_000, help="0: skip part 3")
    parser.add_argument("--parts", default="1,2,3", help="which parts to run (part 2's peak RSS is clean alone)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    docs = synthetic_documents(args.docs)
    span_h = args.docs * args.seconds_between_docs / 3600
    if "1" in parts:
        print(f"== 1. streaming dedup state: {args.docs} docs over {span_h:.1f} h of event time "
              f"({args.seconds_between_docs:g} s apart), {BANDS + 1} keys per document")
    for label, ttl in ((f"TTL {args.ttl_hours:g} h", int(args.ttl_hours * 3600)), ("no expiry", 10**9)):
        if "1" not in parts:
            break
        started = time.time()
        rows = simulate_state(docs, ttl_seconds=ttl, seconds_between_docs=args.seconds_between_docs,
                              report_every=max(1, args.docs // 5))
        print(f"-- {label} ({time.time() - started:.1f} s)")
        print(f"{'docs':>7} {'keys':>8} {'members':>9} {'state MB':>9} {'heap MB':>8} {'dups':>6}")
        for n, keys, held, size, heap, dups in rows:
            print(f"{n:>7} {keys:>8} {held:>9} {size / 1e6:>9.1f} {heap:>8.1f} {dups:>6}")
    if args.beam_docs and "2" in parts:
        stats = beam_stream(docs[: args.beam_docs], ttl_seconds=int(args.ttl_hours * 3600),
                            seconds_between_docs=args.seconds_between_docs)
        print(f"== 2. DeduplicateStream on TestStream, {args.beam_docs} docs: {json.dumps(stats)}")
    if args.incremental_docs and "3" in parts:
        print(f"== 3. incremental batch runs: {json.dumps(incremental(args.incremental_docs))}")


if __name__ == "__main__":
    main()
