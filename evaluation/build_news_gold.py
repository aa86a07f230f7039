"""Turn the annotators' files into the committed, text-free gold files.

    python -m evaluation.build_news_gold --corpus ../shared/corpus/wikinews.jsonl \
        --pass1 /work/annot/pass1 --pass2 /work/annot/pass2 --adjudicated /work/annot/adjudicated

Reads the per-article annotation files (``<key>.json``, format in the annotation instructions: events with a
sentence number ``sent`` and the coded fields) and writes

- ``eval/annotations/pass1.jsonl`` and ``pass2.jsonl``: every article the pass finished, before adjudication;
- ``eval/news_gold.jsonl``: the adjudicated events of the articles annotated by BOTH passes.

With ``--append`` the articles already in those files are kept and the new folders' articles are added (or
replace the records with the same key): how a second batch of articles (``select_news_gold --extend``) joins the
gold without the first batch's annotation folders.

Only ids, character offsets and codes are written: the sentence number is turned into the sentence's offsets
(the pipeline's own sentence splitter, as in the packets), the trigger words into their offsets inside that
sentence, and the free-text fields (``trigger``, ``source_text``, ``target_text``, ``note``) are dropped.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
from typing import Optional

from evaluation import select_news_gold
from evaluation.gold import read_jsonl
from evaluation.news import MODALITIES, text_sha256

ROOT = pathlib.Path(__file__).resolve().parents[1]

PRECISIONS = {"DAY", "MONTH", "YEAR", "UNKNOWN"}
KEPT_FIELDS = ("code", "source", "target", "date", "date_precision", "modality", "confidence")


def read_annotations(folder: Optional[str]) -> dict[str, dict]:
    """key -> annotation object for every finished ``<key>.json`` of a folder."""
    if not folder:
        return {}
    out = {}
    for path in sorted(pathlib.Path(folder).glob("*.json")):
        with open(path, encoding="utf-8") as handle:
            out[path.stem] = json.load(handle)
    return out


def locate_trigger(text: str, span: tuple[int, int], trigger: str) -> Optional[tuple[int, int]]:
    """Offsets of the trigger (or of its first word) inside the sentence span, None when not found."""
    sentence = text[span[0] : span[1]]
    for candidate in (trigger, (trigger or "").split(" ... ")[0], ((trigger or "").split() or [""])[0]):
        candidate = candidate.strip(" \"'")
        if not candidate:
            continue
        match = re.search(re.escape(candidate), sentence, flags=re.IGNORECASE)
        if match:
            return span[0] + match.start(), span[0] + match.end()
    return None


def clean_event(event: dict, *, text: str, spans: list[tuple[int, int]], where: str) -> dict:
    """One annotated event as a text-free gold event (ValueError with ``where`` on bad values)."""
    sent = int(event["sent"])
    if not 0 <= sent < len(spans):
        raise ValueError(f"{where}: sentence {sent} out of range (0..{len(spans) - 1})")
    code = str(event.get("code") or "").strip()
    if not re.fullmatch(r"\d{2,4}", code):
        raise ValueError(f"{where}: bad CAMEO code {code!r}")
    modality = (event.get("modality") or "ASSERTED").upper()
    precision = (event.get("date_precision") or ("UNKNOWN" if not event.get("date") else "DAY")).upper()
    if modality not in MODALITIES or precision not in PRECISIONS:
        raise ValueError(f"{where}: bad modality/precision {modality!r}/{precision!r}")
    out = {"sent": sent, "sent_start": spans[sent][0], "sent_end": spans[sent][1]}
    located = locate_trigger(text, spans[sent], str(event.get("trigger") or ""))
    if located:
        out["trigger_start"], out["trigger_end"] = located
    for field in KEPT_FIELDS:
        out[field] = event.get(field)
    out["code"] = code
    out["source"] = (event.get("source") or "").strip().upper()
    out["target"] = (event.get("target") or "").strip().upper()
    out["modality"] = modality
    out["date_precision"] = precision
    out["date"] = event.get("date") or None
    return out


def article_record(annotation: dict, *, item: dict, text: str, spans: list, annotators: list[str]) -> dict:
    events = [
        clean_event(e, text=text, spans=spans, where=f"{item['key']} event {i}")
        for i, e in enumerate(annotation.get("events") or [])
    ]
    events.sort(key=lambda e: (e["sent_start"], e.get("trigger_start", 0), e["code"], e["source"], e["target"]))
    return {"doc_id": item["doc_id"], "key": item["key"], "split": item["split"], "annotators": annotators,
            "text_sha256": text_sha256(text), "events": events}


def kept_records(path: pathlib.Path, *, replaced: dict) -> list[dict]:
    """The article records already in ``path`` whose key is not among ``replaced`` (``--append``)."""
    if not path.exists():
        return []
    return [record for _, record in read_jsonl(str(path)) if record["key"] not in replaced]


def write_records(path: pathlib.Path, records: list[dict], *, order: dict[str, int]) -> None:
    """Article records in selection order, one JSON line each."""
    records = sorted(records, key=lambda record: order.get(record["key"], len(order)))
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(select_news_gold.DEFAULT_CORPUS))
    parser.add_argument("--selection", default=str(ROOT / "eval" / "news_selection.jsonl"))
    parser.add_argument("--pass1", required=True)
    parser.add_argument("--pass2", required=True)
    parser.add_argument("--adjudicated", default=None, help="folder of adjudicated <key>.json (final events)")
    parser.add_argument("--out_dir", default=str(ROOT / "eval"))
    parser.add_argument("--append", action="store_true",
                        help="keep the articles already in the output files; add (or replace) the new ones")
    args = parser.parse_args(argv)
    selection = [record for _, record in read_jsonl(args.selection)]
    documents = {d.doc_id: d for d in select_news_gold.read_documents(pathlib.Path(args.corpus))}
    passes = {"pass1": read_annotations(args.pass1), "pass2": read_annotations(args.pass2)}
    adjudicated = read_annotations(args.adjudicated)
    wanted = [item for item in selection if any(item["key"] in p for p in passes.values())]
    texts = [documents[item["doc_id"]].text for item in wanted]
    spans_of = dict(zip((item["key"] for item in wanted), select_news_gold.sentence_spans(texts)))
    text_of = dict(zip((item["key"] for item in wanted), texts))
    out_dir = pathlib.Path(args.out_dir)
    (out_dir / "annotations").mkdir(parents=True, exist_ok=True)
    order = {item["key"]: rank for rank, item in enumerate(selection)}
    totals = {}
    for name, annotated in passes.items():
        path = out_dir / "annotations" / f"{name}.jsonl"
        records = kept_records(path, replaced=annotated) if args.append else []
        for item in wanted:
            if item["key"] in annotated:
                a = annotated[item["key"]]
                if a.get("doc_id") != item["doc_id"]:
                    raise SystemExit(f"{name}/{item['key']}.json is about {a.get('doc_id')}, not {item['doc_id']}")
                records.append(article_record(a, item=item, text=text_of[item["key"]], spans=spans_of[item["key"]],
                                              annotators=[a.get("annotator", "?")]))
        write_records(path, records, order=order)
        totals[name] = len(records)
    both = [item for item in wanted if all(item["key"] in p for p in passes.values())]
    gold_totals = {"articles": 0, "events": 0, "dev": [0, 0], "test": [0, 0]}
    if adjudicated:
        path = out_dir / "news_gold.jsonl"
        records = kept_records(path, replaced=adjudicated) if args.append else []
        for item in both:
            if item["key"] not in adjudicated:
                raise SystemExit(f"article {item['key']} has two annotations but no adjudicated file")
            annotators = [passes[p][item["key"]].get("annotator", "?") for p in ("pass1", "pass2")]
            records.append(article_record(adjudicated[item["key"]], item=item, text=text_of[item["key"]],
                                          spans=spans_of[item["key"]], annotators=annotators))
        write_records(path, records, order=order)
        for record in records:
            gold_totals["articles"] += 1
            gold_totals["events"] += len(record["events"])
            gold_totals[record["split"]][0] += 1
            gold_totals[record["split"]][1] += len(record["events"])
    print(json.dumps({"pass_articles": totals, "both": len(both), "gold": gold_totals}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
