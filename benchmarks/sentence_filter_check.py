"""Coding quality with the sentence filter on vs off (``--no_sentence_filter``), on gold sets and on a corpus.

    python benchmarks/sentence_filter_check.py [--gold FILE.jsonl ...] [--corpus FILE.jsonl] [--limit N]

For each ``--gold`` file (default: ../shared/eval/plover_gsr_dev.jsonl), the event scores of
``pipelines.evaluate events`` with the filter on and off, and their largest difference (must stay within 0.01).
For the ``--corpus`` (default: ../shared/corpus/wikinews.jsonl), the extract_events job is run twice and the
event records compared: identical events (all coded fields), events with the same id (document, sentence,
trigger offsets, code, actors, modality), events only in one run, and the share of sentences skipped.
Prints one JSON object. Rerun it on any new gold set (e.g. the real-news dev half) with ``--gold``.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import json
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Fields compared between the two runs (everything the coder decides; not run metadata).
CODED_FIELDS = (
    "event_id", "doc_id", "sentence_index", "char_start", "char_end", "trigger", "cameo_code", "event_date",
    "event_date_precision", "source_code", "source_name", "target_code", "target_name", "modality",
    "location_name", "location_geonameid", "goldstein", "quad_class", "confidence", "tone",
)


def shared(relative: str) -> pathlib.Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / relative).exists():
            return base / "shared" / relative
    return ROOT.parent / "shared" / relative


def score(gold: pathlib.Path, *, sentence_filter: bool) -> dict:
    from evaluation import events as eval_events

    parser = argparse.ArgumentParser()
    eval_events.add_arguments(parser)
    argv = [f"--gold={gold}"] + ([] if sentence_filter else ["--no_sentence_filter"])
    result = eval_events.evaluate(parser.parse_args(argv))
    return {metric: result[metric]["f1"] for metric in eval_events.METRICS}


def corpus_events(corpus: pathlib.Path, *, sentence_filter: bool, limit: int | None) -> tuple[dict, dict]:
    import fastavro

    from pipelines import extract_events

    with tempfile.TemporaryDirectory(prefix="demarche-filter-check-") as tmp:
        source = corpus
        if limit:
            source = pathlib.Path(tmp) / "corpus.jsonl"
            with open(corpus, encoding="utf-8") as handle, open(source, "w", encoding="utf-8") as out:
                for _, line in zip(range(limit), handle):
                    out.write(line)
        argv = [f"--input={source}", f"--output={tmp}/out", "--formats=avro"]
        if not sentence_filter:
            argv.append("--no_sentence_filter")
        with contextlib.redirect_stdout(sys.stderr):
            summary = extract_events.run(argv)
        events = {}
        for path in sorted(glob.glob(f"{tmp}/out/avro/events/dt=*/*.avro")):
            with open(path, "rb") as handle:
                for record in fastavro.reader(handle):
                    events[record["event_id"]] = tuple(record.get(f) for f in CODED_FIELDS)
    return events, summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", action="append", type=pathlib.Path, default=None,
                        help="Gold file(s) for pipelines.evaluate events (repeatable)")
    parser.add_argument("--corpus", type=pathlib.Path, default=None, help="JSON Lines corpus for the on/off diff")
    parser.add_argument("--limit", type=int, default=None, help="Only the first N corpus documents")
    args = parser.parse_args(argv)
    golds = args.gold or [shared("eval/plover_gsr_dev.jsonl")]
    corpus = args.corpus or shared("corpus/wikinews.jsonl")
    report: dict = {"gold": [], "corpus": None}
    for gold in golds:
        if not gold.exists():
            print(f"gold file {gold} not found: skipped", file=sys.stderr)
            continue
        on, off = score(gold, sentence_filter=True), score(gold, sentence_filter=False)
        report["gold"].append({
            "file": str(gold), "f1_filter_on": on, "f1_filter_off": off,
            "max_abs_difference": round(max(abs(on[m] - off[m]) for m in on), 4),
        })
    if corpus.exists():
        on, summary_on = corpus_events(corpus, sentence_filter=True, limit=args.limit)
        off, summary_off = corpus_events(corpus, sentence_filter=False, limit=args.limit)
        same_id = set(on) & set(off)
        identical = sum(1 for k in same_id if on[k] == off[k])
        sentences = summary_on.get("sentences", 0)
        report["corpus"] = {
            "file": str(corpus),
            "documents": summary_on.get("documents_coded"),
            "sentences": sentences,
            "share_of_sentences_skipped": round(1 - summary_on.get("sentences_parsed", 0) / sentences, 3)
            if sentences else None,
            "events_filter_on": len(on),
            "events_filter_off": len(off),
            "same_event_id": len(same_id),
            "identical_coded_fields": identical,
            "only_filter_on": len(set(on) - set(off)),
            "only_filter_off": len(set(off) - set(on)),
            "overlap_jaccard": round(len(same_id) / len(set(on) | set(off)), 4) if on or off else 1.0,
        }
    else:
        print(f"corpus {corpus} not found: skipped", file=sys.stderr)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
