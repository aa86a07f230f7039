"""Where the job's CPU time goes: the extract_events pipeline in one process, CPU seconds per stage.

    python benchmarks/stage_cpu.py [--input FILE.jsonl] [--limit N] [-- extra pipeline options]

Runs ``extract_events.run`` on the in-process FnApiRunner (one worker) with timers around the functions of each
stage, and prints one JSON object: the CPU seconds (``time.process_time``: user + system of this process, so the
figures stay meaningful on a loaded machine) spent *exclusively* in each stage (time in a nested timed stage is
counted there, not in its caller), their share of the total, and the remainder ("beam_and_other": the runner,
element encoding between steps, and everything not instrumented). Timing costs ~1 µs per call.

Stages:
- ``read``: files -> Documents (``ingest.read_file``);
- ``dedup_minhash``: MinHash signatures and band keys; ``dedup_match``: comparing members of a band;
- ``lexical_pass``: tokenizer, ``senter``, paragraph rules, the actor phrase matcher (every sentence);
- ``candidate_filter``: the sentence test; ``sentence_docs``: one Doc per run of sentences; ``join_sentences``:
  ``Doc.from_docs`` back into one Doc per document;
- ``nlp:<component>``: each spaCy component: ``senter``, the paragraph rules and the actor matcher on every
  sentence, the statistical ones (tok2vec, tagger, parser, ...) on the candidate sentences;
- ``startup:coders_and_model``: loading the coders, the gazetteer and the model (once);
- ``code:actors``, ``code:events``, ``code:dates``, ``code:places``, ``code:rest``: the coders;
- ``document_record``: the ``documents`` table record; ``clusters``; ``sinks``: Avro/Parquet/JSON Lines writing.

Default input: $BENCH_INPUT, else ../shared/corpus/wikinews.jsonl.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

_clock = time.process_time
_totals: dict[str, float] = {}
_calls: dict[str, int] = {}
_stack: list[list] = []  # [name, start, time of nested timed sections]


def _enter(name: str) -> None:
    _stack.append([name, _clock(), 0.0])


def _exit() -> None:
    name, start, nested = _stack.pop()
    elapsed = _clock() - start
    _totals[name] = _totals.get(name, 0.0) + elapsed - nested
    _calls[name] = _calls.get(name, 0) + 1
    if _stack:
        _stack[-1][2] += elapsed


def timed(name: str, func):
    """``func`` with its calls timed under ``name`` (generators: each step of the iteration)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        _enter(name)
        try:
            result = func(*args, **kwargs)
        finally:
            _exit()
        return result

    return wrapper


def timed_iter(name: str, iterable):
    iterator = iter(iterable)
    while True:
        _enter(name)
        try:
            item = next(iterator)
        except StopIteration:
            return
        finally:
            _exit()
        yield item


def timed_gen(name: str, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return timed_iter(name, func(*args, **kwargs))

    return wrapper


def patch(owner, attribute: str, name: str, *, generator: bool = False) -> None:
    original = getattr(owner, attribute)
    setattr(owner, attribute, (timed_gen if generator else timed)(name, original))


def instrument() -> None:
    from transforms import annotate, clusters, dedup, sinks
    from transforms.records import ingest, near_duplicates
    from transforms.coding import coder, nlp, places
    from transforms.coding.actors import ActorCoder
    from transforms.coding.candidates import CandidateSentences
    from transforms.coding.events import EventCoder

    patch(ingest, "read_file", "read", generator=True)
    patch(near_duplicates, "minhash_signature", "dedup_minhash")
    patch(dedup, "band_keys", "dedup_minhash")
    patch(dedup, "earliest_match", "dedup_match")
    patch(nlp.DocumentParser, "_lexical_pass", "lexical_pass", generator=True)
    patch(CandidateSentences, "select", "candidate_filter")
    patch(nlp, "_sentences_doc", "sentence_docs")
    patch(nlp, "_join", "join_sentences")
    original_apply = nlp._apply

    def apply(proc, docs, batch_size):
        name = getattr(proc, "name", None) or getattr(proc, "__name__", type(proc).__name__)
        return timed_iter(f"nlp:{name}", original_apply(proc, docs, batch_size))

    # every spaCy component runs through _apply: the lexical pass's (senter, paragraph rules, actor matcher) and
    # the statistical pass's; "lexical_pass" keeps the tokenizer and the re-joining of long texts
    nlp._apply = apply
    patch(annotate._LoadedCoder, "__init__", "startup:coders_and_model")
    patch(ActorCoder, "find_mentions", "code:actors")
    patch(EventCoder, "code", "code:events")
    patch(coder, "resolve_event_date", "code:dates")
    patch(places.PlaceResolver, "locate", "code:places")
    patch(places.PlaceResolver, "dateline", "code:places")
    patch(coder.DocumentCoder, "code", "code:rest")
    patch(annotate, "document_record", "document_record")
    patch(clusters._ClusterFn, "process", "clusters", generator=True)
    patch(sinks._WritePartitionFn, "process", "sinks", generator=True)


def main(argv=None) -> int:
    from throughput import default_input, load_documents

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=pathlib.Path, default=None)
    parser.add_argument("--limit", type=int, default=None)
    args, extra = parser.parse_known_args(argv)
    extra = [e for e in extra if e != "--"]
    docs = load_documents(args.input or default_input(), limit=args.limit, repeat=1)
    imports = _clock()
    from pipelines import extract_events

    imports = _clock() - imports
    instrument()
    with tempfile.TemporaryDirectory(prefix="demarche-stages-") as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as handle:
            for doc in docs:
                handle.write(json.dumps(doc) + "\n")
        wall, cpu = time.perf_counter(), _clock()
        with contextlib.redirect_stdout(sys.stderr):
            extract_events.run([f"--input={corpus}", f"--output={os.path.join(tmp, 'out')}", "--quiet", *extra])
        wall, cpu = time.perf_counter() - wall, _clock() - cpu
    stages = dict(_totals)
    timed_total = sum(stages.values())
    stages["beam_and_other"] = cpu - timed_total
    report = {
        "documents": len(docs),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "imports_cpu_s_not_counted": round(imports, 2),
        "stages_cpu_s": {k: round(v, 2) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])},
        "stages_share": {k: round(v / cpu, 3) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])},
        "calls": dict(sorted(_calls.items())),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
