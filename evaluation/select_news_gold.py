"""Choose the real-news gold articles and write annotation packets.

    python -m evaluation.select_news_gold [--corpus ../shared/corpus/wikinews.jsonl] [--out eval/news_selection.jsonl]
                                    [--packets /work/annot/packets] [--extend]

Selection (deterministic, seed ``SEED``): an article is eligible when its text has 200-800 words and at least
``MIN_CUES`` distinct political cue words (government, minister, army, talks, sanctions ...; see ``CUES``).
``N_ARTICLES`` eligible articles are drawn at random (``random.Random(SEED).sample`` over the eligible ids in
sorted order: nobody picks them by hand). The half of the chosen ids with the lowest SHA-256 goes to ``dev``,
the other half to ``test`` (a stable hash of the id, not a choice).

``--extend`` adds a second batch to an existing selection file instead of drawing it afresh: every eligible
article not yet selected, in the order of ``random.Random(SEED + 1).shuffle``, keys numbered on from the last one,
all in ``dev`` (the batch enlarges the half that is tuned and calibrated on; the ``test`` half stays as it was,
so figures reported on it remain comparable). Packets are then written for the new batch only.

The selection file (committed) holds only keys, ids and splits. The packets (``--packets``, written OUTSIDE the
repository because they contain corpus text) hold, per article, its id, date, title and each sentence numbered
with its character offsets in the document text as the pipeline sees it (the JSON line parsed by
``transforms.records.ingest.parse_json_document``, sentences from the pipeline's own spaCy model and components).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import random
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

SEED = 20261201
N_ARTICLES = 64
MIN_WORDS, MAX_WORDS = 200, 800
MIN_CUES = 4
CUES = re.compile(
    r"\b(government|president|prime minister|minister|ministry|parliament|senate|congress|lawmakers?|"
    r"election|opposition|army|military|troops|soldiers|police|rebels?|militants?|talks|treaty|agreement|"
    r"sanctions?|embassy|ambassador|diplomat\w*|protest\w*|court|united nations|nato|european union|"
    r"attack\w*|ceasefire|war|summit|foreign minister|secretary of state|officials?)\b",
    re.IGNORECASE,
)
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews.jsonl"


def id_hash(doc_id: str) -> str:
    """SHA-256 (hex) of an article id: the stable key of the dev/test split."""
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()


def assign_splits(doc_ids: list[str]) -> dict[str, str]:
    """``dev`` for the half of the ids with the lowest SHA-256, ``test`` for the other half (odd one: test)."""
    ranked = sorted(doc_ids, key=id_hash)
    half = len(ranked) // 2
    return {doc_id: ("dev" if rank < half else "test") for rank, doc_id in enumerate(ranked)}


def is_eligible(text: str) -> bool:
    """200-800 words and at least MIN_CUES distinct political cue words."""
    words = len(text.split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        return False
    return len({m.group(0).lower() for m in CUES.finditer(text)}) >= MIN_CUES


def read_documents(corpus: pathlib.Path) -> list:
    """The corpus as the pipeline reads it (Documents; dead letters are reported and skipped)."""
    from transforms.records import ingest

    documents = []
    with open(corpus, "rb") as handle:
        for parsed in ingest.parse_jsonl(handle, path=str(corpus)):
            if isinstance(parsed, dict):
                print(f"skipped {parsed['source']}:{parsed['line']}: {parsed['detail']}", file=sys.stderr)
            else:
                documents.append(parsed)
    return documents


def select(documents: list, *, n: int = N_ARTICLES, seed: int = SEED) -> list[dict]:
    """[{key, doc_id, split}] for ``n`` articles drawn at random among the eligible ones."""
    eligible = sorted(d.doc_id for d in documents if is_eligible(d.text))
    if len(eligible) < n:
        raise SystemExit(f"only {len(eligible)} eligible articles, {n} wanted")
    chosen = random.Random(seed).sample(eligible, n)
    splits = assign_splits(chosen)
    return [{"key": f"{i:02d}", "doc_id": doc_id, "split": splits[doc_id]} for i, doc_id in enumerate(chosen)]


def extend(documents: list, selected: list[dict], *, seed: int = SEED + 1) -> list[dict]:
    """[{key, doc_id, split: "dev"}] for every eligible article not in ``selected``, in a seeded random order."""
    taken = {item["doc_id"] for item in selected}
    remaining = sorted(d.doc_id for d in documents if is_eligible(d.text) and d.doc_id not in taken)
    random.Random(seed).shuffle(remaining)
    first = 1 + max((int(item["key"]) for item in selected), default=-1)
    return [{"key": f"{first + i:02d}", "doc_id": doc_id, "split": "dev"} for i, doc_id in enumerate(remaining)]


def sentence_spans(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Character spans of the pipeline's sentences (same model, same components) for each text."""
    from transforms.coding.coder import DocumentCoder
    from transforms.coding.nlp import load_model, parse_texts

    nlp = DocumentCoder().prepare(load_model())
    out = []
    for doc in parse_texts(nlp, texts):
        out.append([(s.start_char, s.end_char) for s in doc.sents if s.text.strip()])
    return out


def write_packets(selection: list[dict], documents: list, folder: pathlib.Path) -> None:
    """One packet per article: header lines then ``[i] start-end | sentence`` per sentence."""
    by_id = {d.doc_id: d for d in documents}
    docs = [by_id[item["doc_id"]] for item in selection]
    folder.mkdir(parents=True, exist_ok=True)
    for item, doc, spans in zip(selection, docs, sentence_spans([d.text for d in docs])):
        lines = [
            f"key: {item['key']}",
            f"doc_id: {doc.doc_id}",
            f"date: {doc.doc_date.isoformat() if doc.doc_date else 'unknown'}",
            f"title: {doc.title or ''}",
            "",
        ]
        for index, (start, end) in enumerate(spans):
            sentence = doc.text[start:end].replace("\n", " ").strip()
            lines.append(f"[{index}] {start}-{end} | {sentence}")
        (folder / f"{item['key']}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / f"{item['key']}.spans.json").write_text(
            json.dumps({"doc_id": doc.doc_id, "spans": spans}) + "\n", encoding="utf-8"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="Wikinews JSON Lines corpus")
    parser.add_argument("--out", default=str(ROOT / "eval" / "news_selection.jsonl"), help="selection file (ids)")
    parser.add_argument("--packets", default=None, help="folder for annotation packets (outside the repo)")
    parser.add_argument("--extend", action="store_true",
                        help="add every eligible article not yet in --out as a second batch, all in dev")
    args = parser.parse_args(argv)
    corpus = pathlib.Path(args.corpus)
    if not corpus.exists():
        raise SystemExit(f"corpus {corpus} not found (development material in ../shared); pass --corpus")
    documents = read_documents(corpus)
    if args.extend:
        with open(args.out, encoding="utf-8") as handle:
            previous = [json.loads(line) for line in handle if line.strip()]
        selection = extend(documents, previous)
        mode = "a"
    else:
        selection = select(documents)
        mode = "w"
    with open(args.out, mode, encoding="utf-8") as handle:
        for item in selection:
            handle.write(json.dumps(item) + "\n")
    splits = {s: sum(1 for i in selection if i["split"] == s) for s in ("dev", "test")}
    print(json.dumps({"articles": len(selection), **splits, "out": args.out}))
    if args.packets:
        write_packets(selection, documents, pathlib.Path(args.packets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
