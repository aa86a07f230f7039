"""Inter-annotator agreement between the two annotation passes of the real-news gold set (prints JSON).

    python -m evaluation.agreement [--pass1 eval/annotations/pass1.jsonl] [--pass2 eval/annotations/pass2.jsonl]

Only articles annotated by both passes count. Two views of event detection:

- ``paired``: inside each sentence the two passes' events are paired one-to-one (as many pairs as possible, then
  the most agreeing fields: the scorer's own ``evaluation.news.assign``); a pair is "the same event" for the
  detection F1, and the per-field agreement is computed on the pairs;
- ``strict``: an event counts as found by both passes only when the other pass has an event in the same sentence
  with the same source and target (country + role) and the same CAMEO root.

F1 between passes is symmetric (pass 2 scored against pass 1 as if it were gold). Cohen's kappa is given for the
CAMEO root on the paired events.
"""
from __future__ import annotations

import argparse
import collections
import json
import pathlib

from evaluation.gold import read_jsonl
from evaluation.news import FIELDS, actor_key, assign, field_agreement

ROOT = pathlib.Path(__file__).resolve().parents[1]


def read(path: str) -> dict[str, dict]:
    """doc_id -> record of one annotation pass (``eval/annotations/passN.jsonl``)."""
    return {record["doc_id"]: record for _, record in read_jsonl(path)}


def f1(matched: int, n_a: int, n_b: int) -> dict:
    p = matched / n_b if n_b else 0.0
    r = matched / n_a if n_a else 0.0
    return {"f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "matched": matched}


def cohen_kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa of two label sequences given as (label_a, label_b) pairs."""
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(a == b for a, b in pairs) / n
    count_a = collections.Counter(a for a, _ in pairs)
    count_b = collections.Counter(b for _, b in pairs)
    expected = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    return round((observed - expected) / (1 - expected), 4) if expected < 1 else 1.0


def strict_key(event: dict) -> tuple:
    return (event["sent_start"], actor_key(event.get("source")), actor_key(event.get("target")), event["code"][:2])


def agreement(pass1: dict[str, dict], pass2: dict[str, dict], *, split: str = "all") -> dict:
    """The agreement figures (see the module docstring) over the articles both passes annotated."""
    docs = [d for d in pass1 if d in pass2 and split in ("all", pass1[d]["split"])]
    n1 = n2 = paired = strict = 0
    agree = collections.Counter()
    roots: list[tuple[str, str]] = []
    sentences_1 = sentences_2 = sentences_both = 0
    for doc_id in docs:
        e1, e2 = pass1[doc_id]["events"], pass2[doc_id]["events"]
        n1, n2 = n1 + len(e1), n2 + len(e2)
        s1 = {e["sent_start"] for e in e1}
        s2 = {e["sent_start"] for e in e2}
        sentences_1, sentences_2, sentences_both = sentences_1 + len(s1), sentences_2 + len(s2), sentences_both + len(s1 & s2)
        for sent in s1 & s2:
            g = [e for e in e1 if e["sent_start"] == sent]
            p = [e for e in e2 if e["sent_start"] == sent]
            for gi, pi in assign(g, p):
                paired += 1
                fields = field_agreement(g[gi], p[pi])
                fields["all"] = all(fields.values())
                agree.update(k for k, v in fields.items() if v)
                roots.append((g[gi]["code"][:2], p[pi]["code"][:2]))
        keys2 = collections.Counter(strict_key(e) for e in e2)
        for key in (strict_key(e) for e in e1):
            if keys2[key] > 0:
                keys2[key] -= 1
                strict += 1
    return {
        "split": split,
        "articles": len(docs),
        "events": {"pass1": n1, "pass2": n2},
        "event_sentences": {"pass1": sentences_1, "pass2": sentences_2, "both": sentences_both,
                            **{k: v for k, v in f1(sentences_both, sentences_1, sentences_2).items() if k == "f1"}},
        "detection_paired": f1(paired, n1, n2),
        "detection_strict": f1(strict, n1, n2),
        "field_agreement_on_pairs": {f: round(agree[f] / paired, 4) if paired else 0.0 for f in FIELDS + ("all",)},
        "kappa_code_root": cohen_kappa(roots),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pass1", default=str(ROOT / "eval" / "annotations" / "pass1.jsonl"))
    parser.add_argument("--pass2", default=str(ROOT / "eval" / "annotations" / "pass2.jsonl"))
    args = parser.parse_args(argv)
    p1, p2 = read(args.pass1), read(args.pass2)
    print(json.dumps({s: agreement(p1, p2, split=s) for s in ("all", "dev", "test")}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
