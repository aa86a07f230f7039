"""Fit the event confidence model (``transforms/coding/data/confidence_model.tsv``) on hand-coded events.

Usage (re-runnable; run from the repository root with the package importable)::

    # the real-news gold dev half (the --dump of the gold scorer, which pairs every predicted event with gold):
    python -m pipelines.evaluate news --gold eval/news_gold.jsonl --split dev --min_confidence 0 --dump /tmp/dev.jsonl
    python tools/calibrate_confidence.py --dump /tmp/dev.jsonl --output transforms/coding/data/confidence_model.tsv

    # provisional: gold sentence files (PLOVER / CAMEO schemes of pipelines.evaluate events)
    python tools/calibrate_confidence.py --sentences ../shared/eval/plover_gsr_dev.jsonl \
        --output transforms/coding/data/confidence_model.tsv

An event's label is "right in every field": for ``--dump`` the scorer's ``correct.all`` (only rows of split
``dev`` are used: never fit on the test half); for ``--sentences`` the (source country, type, target country)
triple of the event is in the sentence's gold (events the sentence scheme does not score -- 01x statements,
negated and hypothetical events -- are left out). The features are recomputed by coding the same texts in-process
with ``DocumentCoder(keep_features=True)`` (for ``--dump`` the article texts are read from ``--corpus``).

The model is P(real event) x P(every field right | real event), two L2-regularised logistic regressions over
feature indicators (features seen fewer than ``--min_count`` times get no weight); a "real event" is a predicted
event paired with a gold event (``matched`` in the dump; for sentence files, its type is in the sentence's gold).
The default ``--min_confidence`` written into the file is chosen on the 5-fold out-of-fold predictions (folded by
article) of the ``--dump`` events (of all events without a dump): among the thresholds that keep at least
``--min_event_recall`` of the real events, the lowest reaching both ``--target_precision`` (all fields) and
``--target_event_precision``; when none does, the lowest reaching the event precision target; else the one with the
best event precision. Printed: the reliability table (out-of-fold predicted vs observed) and the precision/recall curve.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import Optional

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9)


# ---------------------------------------------------------------------- examples
def _coder():
    from transforms.coding.coder import DocumentCoder
    from transforms.coding.nlp import load_model

    coder = DocumentCoder()
    nlp = coder.prepare(load_model())
    return coder, nlp


def _code(coder, nlp, doc_id: str, text: str, date: Optional[dt.date]) -> list[dict]:
    from transforms.coding.model import Document

    document = Document(doc_id=doc_id, text=text, doc_date=date)
    stamp = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    return coder.code(nlp(text), document, nlp_model="calibration", ingested_at=stamp, keep_features=True).events


def _date(value) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def sentence_examples(path: str, coder, nlp) -> list[tuple[list[str], int, int, str]]:
    """(features, real event (its type is in the gold), right in every field, group: the sentence) for the coder's events on a gold sentence file (evaluation.events format)."""
    from evaluation.events import detect_scheme, gold_sets, record_country, system_sets

    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    scheme = detect_scheme(records)
    out = []
    for index, record in enumerate(records):
        gold = gold_sets(record, scheme)["triple"]
        for event in _code(coder, nlp, f"s{index}", record.get("text") or "", _date(record.get("date"))):
            item = {"code": event["cameo_code"], "plover_type": event["plover_type"], "modality": event["modality"],
                    "source": record_country(event["source_code"], event["source_country"]),
                    "target": record_country(event["target_code"], event["target_country"])}
            sets = system_sets([item], scheme)
            if sets["triple"]:  # scored by this scheme
                gold_types = gold_sets(record, scheme)["type"]
                right_type = int(next(iter(sets["type"])) in gold_types)
                out.append((event["_features"], right_type, int(next(iter(sets["triple"])) in gold),
                            f"{path}:{index}"))
    return out


def dump_examples(path: str, corpus: str, coder, nlp) -> list[tuple[list[str], int, int, str]]:
    """(features, paired with a gold event, right in every field, group: the article) for the dev rows of a news-gold ``--dump`` file."""
    from evaluation.news import document_text, read_corpus_lines

    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    rows = [r for r in rows if r.get("split", "dev") == "dev"]
    lines = read_corpus_lines(corpus, {r["doc_id"] for r in rows})
    by_key: dict[tuple, list[list[str]]] = {}
    for doc_id, raw in lines.items():
        record = json.loads(raw)
        for event in _code(coder, nlp, doc_id, document_text(raw), _date(record.get("date"))):
            key = (doc_id, event["char_start"], event["char_end"], event["cameo_code"])
            by_key.setdefault(key, []).append(event["_features"])
    out, unmatched = [], 0
    for row in rows:
        found = by_key.get((row["doc_id"], row.get("char_start"), row.get("char_end"), row.get("code")))
        if not found:
            unmatched += 1
            continue
        features = found.pop(0) if len(found) > 1 else found[0]
        out.append((features, int(bool(row.get("matched"))), int(bool((row.get("correct") or {}).get("all"))),
                    row["doc_id"]))
    if unmatched:
        print(f"warning: {unmatched} dump rows had no re-coded event (coder changed since the dump?)", file=sys.stderr)
    return out


# ---------------------------------------------------------------------- the model
def fit(examples: list[tuple[list[str], int]], *, l2: float, min_count: int) -> tuple[float, dict[str, float]]:
    counts: dict[str, int] = {}
    for features, _ in examples:
        for f in features:
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(examples), len(vocab) + 1))
    x[:, 0] = 1.0
    y = np.array([label for _, label in examples], dtype=float)
    for row, (features, _) in enumerate(examples):
        for f in features:
            if f in index:
                x[row, index[f] + 1] = 1.0
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 1e-6
    for _ in range(50):  # Newton-Raphson (IRLS) on the penalised log-likelihood
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return float(w[0]), {f: float(w[i + 1]) for f, i in index.items()}


def predict(intercept: float, weights: dict[str, float], features: list[str]) -> float:
    score = intercept + sum(weights.get(f, 0.0) for f in features)
    return 1.0 / (1.0 + np.exp(-max(-30.0, min(30.0, score))))


def fit_parts(examples, *, l2: float, min_count: int) -> dict:
    """The two parts: P(real event) on every example, P(every field right | real event) on the real events."""
    event = fit([(f, real) for f, real, _, _ in examples], l2=l2, min_count=min_count)
    real = [(f, right) for f, is_real, right, _ in examples if is_real]
    fields = fit(real, l2=l2, min_count=min_count) if len(real) >= 5 else (0.0, {})
    return {"event": event, "fields": fields}


def predict_parts(parts: dict, features: list[str]) -> float:
    return predict(*parts["event"], features) * predict(*parts["fields"], features)


def out_of_fold(examples, *, l2: float, min_count: int, folds: int = 5) -> tuple[list[float], list[float]]:
    """Out-of-fold (P(all fields right), P(real event)) for every example, folded by group (article or sentence):
    the events of one article are never split between training and held-out folds."""
    groups = sorted({e[3] for e in examples})
    fold_of_group = {g: i % folds for i, g in enumerate(groups)}
    fold = [fold_of_group[e[3]] for e in examples]
    preds, events = [0.0] * len(examples), [0.0] * len(examples)
    for k in range(folds):
        train = [e for i, e in enumerate(examples) if fold[i] != k]
        parts = fit_parts(train, l2=l2, min_count=min_count)
        for i, (features, _, _, _) in enumerate(examples):
            if fold[i] == k:
                preds[i] = predict_parts(parts, features)
                events[i] = predict(*parts["event"], features)
    return preds, events


def curve(preds: list[float], examples) -> list[dict]:
    total_real = sum(e[1] for e in examples)
    total_right = sum(e[2] for e in examples)
    rows = []
    # fixed thresholds plus every 5th percentile of the predictions (real-news confidences may all be small)
    quantiles = {round(float(q), 4) for q in np.quantile(preds, np.linspace(0, 0.95, 20))} if preds else set()
    for t in sorted(set(THRESHOLDS) | quantiles):
        kept = [(e[1], e[2]) for p, e in zip(preds, examples) if p >= t]
        real = sum(r for r, _ in kept)
        right = sum(r for _, r in kept)
        rows.append({"threshold": t, "kept": len(kept),
                     "event_precision": round(real / len(kept), 3) if kept else 0.0,
                     "event_recall": round(real / total_real, 3) if total_real else 0.0,
                     "precision": round(right / len(kept), 3) if kept else 0.0,
                     "recall_of_right": round(right / total_right, 3) if total_right else 0.0})
    return rows


def reliability(preds: list[float], labels: list[int]) -> list[dict]:
    rows = []
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        items = [(p, y) for p, y in zip(preds, labels) if low <= p < low + 0.2 or (low == 0.8 and p == 1.0)]
        if items:
            rows.append({"bin": f"{low:.1f}-{low + 0.2:.1f}", "n": len(items),
                         "mean_predicted": sum(p for p, _ in items) / len(items),
                         "observed": sum(y for _, y in items) / len(items)})
    return rows


def choose_threshold(rows: list[dict], target: float, target_event: float, min_event_recall: float) -> float:
    """Among the thresholds keeping at least ``min_event_recall`` of the real events (a default that throws most
    events away would only be precise on a handful, and the out-of-fold curve is noise there): the lowest reaching
    both the all-fields and the event precision targets; else the lowest reaching the event precision target;
    else the one with the best event precision."""
    rows = [r for r in rows if r["kept"] >= 5 and r["event_recall"] >= min_event_recall] or rows
    both = [r for r in rows if r["precision"] >= target and r["event_precision"] >= target_event]
    if both:
        return min(r["threshold"] for r in both)
    events = [r for r in rows if r["event_precision"] >= target_event]
    if events:
        return min(r["threshold"] for r in events)
    return max(rows, key=lambda r: (r["event_precision"], -r["threshold"]))["threshold"]


def event_reliability(preds: list[float], examples) -> list[dict]:
    """Out-of-fold P(real event) part against the observed share of real events, by fifths of the events."""
    order = sorted(range(len(preds)), key=lambda i: preds[i])
    rows = []
    for k in range(5):
        chunk = order[k * len(order) // 5:(k + 1) * len(order) // 5]
        if chunk:
            rows.append({"n": len(chunk), "mean_predicted": round(sum(preds[i] for i in chunk) / len(chunk), 3),
                         "observed_real": round(sum(examples[i][1] for i in chunk) / len(chunk), 3)})
    return rows


def write_model(path: str, parts: dict, minimum: float, provenance: list[str]) -> None:
    lines = [
        "# demarche event confidence model (see data/README.md, section \"confidence_model.tsv\").",
        "# GENERATED by tools/calibrate_confidence.py -- refit rather than edit by hand.",
        "#",
        "# confidence = P(event) x P(fields | event): the estimated probability that the event is real and right in",
        "# every field (code, source, target, date, modality). Each part is 1 / (1 + exp(-(@intercept PART + sum of",
        "# the weights of the event's features in PART))). Lines: PART FEATURE WEIGHT, PART = event | fields, FEATURE",
        "# = NAME=VALUE (names: tier spec src src_link tgt tgt_link modality kind root quote length date; see",
        "# transforms/coding/events/confidence.py); unknown features weigh 0.",
        "# @min_confidence is the default of extract_events --min_confidence chosen at fitting time.",
        "#",
    ] + [f"# {p}" for p in provenance] + [
        "",
        f"@min_confidence\t{minimum:.4f}",
    ]
    for part in ("event", "fields"):
        intercept, weights = parts[part]
        lines += ["", f"@intercept\t{part}\t{intercept:.4f}"] + [
            f"{part}\t{f}\t{w:.4f}" for f, w in sorted(weights.items()) if abs(w) >= 5e-5
        ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", action="append", default=[], help="news-gold --dump file (dev rows used)")
    parser.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "corpus", "wikinews.jsonl"),
                        help="Wikinews corpus with the texts of the --dump articles")
    parser.add_argument("--sentences", action="append", default=[], help="gold sentence file (evaluation.events format)")
    parser.add_argument("--output", required=True, help="model file to write")
    parser.add_argument("--target_precision", type=float, default=0.5,
                        help="all-fields precision the default --min_confidence should reach (default 0.5)")
    parser.add_argument("--target_event_precision", type=float, default=0.9,
                        help="event precision the default --min_confidence should reach (default 0.9)")
    parser.add_argument("--min_event_recall", type=float, default=0.6,
                        help="share of the real events the default --min_confidence must keep (default 0.6)")
    parser.add_argument("--l2", type=float, default=2.0, help="L2 penalty (default 2.0)")
    parser.add_argument("--min_count", type=int, default=3, help="least occurrences for a feature weight (default 3)")
    args = parser.parse_args(argv)
    if not args.dump and not args.sentences:
        parser.error("give at least one --dump or --sentences file")
    coder, nlp = _coder()
    news = []
    for path in args.dump:
        news += dump_examples(path, args.corpus, coder, nlp)
    examples = list(news)
    for path in args.sentences:
        examples += sentence_examples(path, coder, nlp)
    if len(examples) < 20:
        print(f"error: only {len(examples)} labelled events; need at least 20", file=sys.stderr)
        return 1
    oof, oof_event = out_of_fold(examples, l2=args.l2, min_count=args.min_count)
    # the default threshold is chosen on the real-news events when there are any (the product's input), even when
    # sentence files help fit the model: their looser "right" (the triple) would pull it elsewhere
    n_news = len(news)
    rows = curve(oof[:n_news], examples[:n_news]) if n_news else curve(oof, examples)
    minimum = choose_threshold(rows, args.target_precision, args.target_event_precision, args.min_event_recall)
    parts = fit_parts(examples, l2=args.l2, min_count=args.min_count)
    inputs = [os.path.basename(p) for p in args.dump + args.sentences]
    n_real = sum(e[1] for e in examples)
    n_right = sum(e[2] for e in examples)
    provenance = [
        f"fitted {dt.date.today().isoformat()} on {len(examples)} events ({n_real} real, {n_right} right in every "
        "field) from " + ", ".join(inputs),
        f"l2={args.l2} min_count={args.min_count} target_precision={args.target_precision} "
        f"target_event_precision={args.target_event_precision} min_event_recall={args.min_event_recall}",
    ]
    write_model(args.output, parts, minimum, provenance)
    report = {"events": len(examples), "real": n_real, "right": n_right, "min_confidence": minimum,
              "reliability_out_of_fold": reliability(oof, [e[2] for e in examples]),
              "event_part_reliability_out_of_fold": event_reliability(oof_event, examples),
              "curve_out_of_fold" + ("_news" if n_news else ""): rows}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
