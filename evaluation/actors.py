"""Evaluate the actor resolver on a gold file in the format of ``shared/eval/actors_dev.jsonl``.

Usage: ``python -m pipelines.evaluate actors --gold FILE [--verbose]``.

Each gold line has ``text``, ``context``, ``date`` and ``expected``. The resolver is run on ``text`` with the
date (""/null = undated: people get their most recent post; "Today" = the day of annotation, given with
``--today``, else undated as well) and the context, and three accuracies are reported:

- ``country_accuracy``: items whose expected has ``country`` or ``cc`` ('' = "no country"; ``country__NotEq``
  = must differ). International bodies are compared with the gold's conventions: an ``IGOUNO...`` code counts as
  country "UNO", any other ``IGO...`` code as "IGO". Items whose expected country is not a country code at all
  (a swapped gold field) are not counted.
- ``role_accuracy``: items whose expected ``code_1`` (or ``code_1__In``) is a non-empty CAMEO agent code;
  codes outside CAMEO's agent vocabulary (UNK, JNK, PRE, religion codes) are not counted.
  ``code_2`` is accepted as an alternative. Gold files in the NGEC/PLOVER agent vocabulary use three codes
  that CAMEO spells differently; they are translated before comparing (see ``GOLD_TO_CAMEO``): MED there
  means medical (CAMEO HLH), JRN journalists/media (CAMEO MED) and PRM paramilitaries (CAMEO UAF).
- ``name_accuracy``: items with an expected ``title``, compared case-insensitively with ``Actor.name``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from typing import Any, Optional

from evaluation.gold import read_jsonl
from transforms.coding.actors import ActorCoder
from transforms.coding.actors.lexicon import AGENT_CODES


#: Agent codes of the NGEC/PLOVER vocabulary that mean the same as a differently spelled CAMEO code.
GOLD_TO_CAMEO = {"MED": "HLH", "JRN": "MED", "PRM": "UAF"}


def _gold_roles(exp: dict) -> tuple[list[str], set[str]]:
    """(main expected roles, all accepted roles) of a gold item, translated to CAMEO agent codes."""
    main = [exp["code_1"]] if exp.get("code_1") else list(exp.get("code_1__In") or [])
    main = [GOLD_TO_CAMEO.get(r, r) for r in main]
    main = [r for r in main if r in AGENT_CODES]
    extra = {GOLD_TO_CAMEO.get(exp["code_2"], exp["code_2"])} if exp.get("code_2") else set()
    return main, set(main) | extra


#: Deterministic split of a gold file: an item is in the held-out fifth when the SHA-1 of its phrase is 0 mod 5.
SPLITS = ("all", "dev80", "holdout20")


def in_split(text: str, split: str) -> bool:
    """Whether a gold item with phrase ``text`` belongs to ``split`` (one of SPLITS).

    text: The item's ``text`` (the phrase being resolved).
    split: "all", "dev80" or "holdout20".
    """
    if split == "all":
        return True
    held = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0
    return held if split == "holdout20" else not held


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this evaluation's options to ``parser``.

    parser: The argument parser to extend.
    """
    parser.add_argument("--gold", required=True, help="JSON Lines gold file (format of actors_dev.jsonl)")
    parser.add_argument("--verbose", action="store_true", help="also list the failures")
    parser.add_argument("--actors_file", default=None, help="optional user actor dictionary")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
        help="the date a gold 'Today' stands for (the day the item was annotated); default: unknown, so that, as "
             "for undated items, people get their most recent post",
    )
    parser.add_argument(
        "--split", choices=SPLITS, default="all",
        help="score only part of the gold file: 'dev80' (items to tune on), 'holdout20' (a fifth kept back, "
             "chosen by a hash of the phrase) or 'all' (default)",
    )


def _parse_date(value: Any, today: Optional[dt.date]) -> Optional[dt.date]:
    if value is None or str(value).strip() == "":
        return None  # undated: the resolver gives people their most recent post
    if str(value).strip().lower() in ("today", "now"):
        return today  # the annotator's "today" (--today), unknown by default
    import dateparser

    parsed = dateparser.parse(str(value), settings={"PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed else today


def _valid_country(value: str) -> bool:
    import pycountry

    return value in ("", "UNO", "IGO", "XKX") or pycountry.countries.get(alpha_3=value) is not None


def _predicted_country(actor) -> str:
    if actor.country:
        return actor.country
    code = actor.code or ""
    if code.startswith("IGOUNO"):
        return "UNO"
    if code.startswith("IGO"):
        return "IGO"
    return ""


def evaluate(args: argparse.Namespace) -> dict:
    """Run the resolver on every gold item and return the scores.

    args: Parsed options (gold, verbose, actors_file).
    """
    items = [item for _, item in read_jsonl(args.gold)]  # a bad gold file fails before the coder loads
    coder = ActorCoder(actors_file=getattr(args, "actors_file", None))
    today = getattr(args, "today", None)
    counts = {"country": [0, 0], "role": [0, 0], "name": [0, 0]}
    failures = []
    n = 0
    for item in items:
        if not in_split(item.get("text", ""), getattr(args, "split", "all")):
            continue
        n += 1
        exp = item.get("expected") or {}
        date = _parse_date(item.get("date"), today)
        actor = coder.resolve(item["text"], date=date, context=item.get("context") or None)
        problems = []
        want_c: Optional[str] = exp.get("country", exp.get("cc"))
        got_c = _predicted_country(actor)
        if want_c is not None and _valid_country(want_c):
            ok = got_c == want_c
            counts["country"][1] += 1
            counts["country"][0] += ok
            if not ok:
                problems.append(f"country {got_c!r} != {want_c!r}")
        elif "country__NotEq" in exp:
            ok = got_c != exp["country__NotEq"]
            counts["country"][1] += 1
            counts["country"][0] += ok
            if not ok:
                problems.append(f"country {got_c!r} == {exp['country__NotEq']!r}")
        wanted_roles, alts = _gold_roles(exp)
        if wanted_roles:
            ok = actor.role in alts
            counts["role"][1] += 1
            counts["role"][0] += ok
            if not ok:
                problems.append(f"role {actor.role!r} not in {sorted(alts)}")
        if exp.get("title"):
            ok = (actor.name or "").casefold() == exp["title"].casefold()
            counts["name"][1] += 1
            counts["name"][0] += ok
            if not ok:
                problems.append(f"name {actor.name!r} != {exp['title']!r}")
        if problems:
            failures.append(
                {"id": item.get("id"), "text": item["text"], "date": str(date) if date else None, "code": actor.code,
                 "problems": problems}
            )

    def acc(key: str) -> Optional[float]:
        good, total = counts[key]
        return round(good / total, 4) if total else None

    result = {
        "split": getattr(args, "split", "all"),
        "n": n,
        "country_accuracy": acc("country"),
        "role_accuracy": acc("role"),
        "name_accuracy": acc("name"),
        "counts": {k: {"correct": v[0], "total": v[1]} for k, v in counts.items()},
    }
    if args.verbose:
        result["failures"] = failures
    return result
