"""``demarche show OUT --doc ID``: one article as coded — its text, each event under its sentence, its dead letters.

Reads the output folder alone: the ``documents`` table holds the text and the sentence offsets, the ``events``
table the events (offsets into that text), ``dead_letter/`` the rejects. ``--html FILE`` writes the same as one
self-contained page with the triggers and actors highlighted.
"""
from __future__ import annotations

import argparse
import difflib
import functools
import html
import sys
from typing import Optional, Sequence

from pipelines.cli import job_main
from pipelines.query import check_output_folder, read_records
from transforms.coding.errors import OutputError

TRIGGER_OPEN, TRIGGER_CLOSE = "[[", "]]"


@functools.lru_cache(maxsize=1)
def _taxonomy():
    from transforms.coding.taxonomy import Taxonomy

    return Taxonomy.load()


def cameo_label(code: Optional[str]) -> str:
    """``041`` -> ``Discuss by telephone`` (empty for unknown codes)."""
    if code and code in _taxonomy():
        return _taxonomy().get(code).label
    return ""


def actor(event: dict, side: str) -> str:
    """An actor as shown: its code, else its words in quotes, else a dash."""
    code, text = event.get(f"{side}_code"), event.get(f"{side}_text")
    if code:
        return code
    return f'"{text}"' if text else "—"


def event_line(event: dict) -> str:
    """``JPNGOV —041 Discuss by telephone→ KORGOV``."""
    code = event.get("cameo_code") or "?"
    label = cameo_label(code)
    return f"{actor(event, 'source')} —{code} {label}→ {actor(event, 'target')}".replace("  ", " ")


def event_details(event: dict) -> str:
    """Date (precision) · place · modality · confidence · rule."""
    date = event.get("event_date")
    place = event.get("location_name")
    if place and event.get("location_country"):
        place = f"{place} ({event['location_country']})"
    parts = [
        f"{date or 'no date'} ({event.get('event_date_precision') or '-'})",
        place or "no place",
        event.get("modality") or "-",
        f"confidence {event['confidence']:.2f}" if event.get("confidence") is not None else "confidence -",
        f"rule {event.get('pattern_id') or '-'}",
    ]
    return " · ".join(parts)


def suggest(doc_id: str, known: Sequence[str]) -> list[str]:
    """Document ids close to ``doc_id`` (typos, prefixes, substrings), best first."""
    close = difflib.get_close_matches(doc_id, known, n=5, cutoff=0.5)
    contained = sorted(k for k in known if doc_id.lower() in k.lower() and k not in close)
    return (close + contained)[:5]


class Article:
    """One document of an output folder with its events and dead letters, split into sentences.

    document: The ``documents`` record (None when the document only has dead letters).
    events: Its ``events`` records.
    dead_letters: Its dead letters.
    """

    def __init__(self, doc_id: str, document: Optional[dict], events: list[dict], dead_letters: list[dict]) -> None:
        self.doc_id = doc_id
        self.document = document
        self.events = sorted(events, key=lambda e: (e.get("sentence_index") or 0, e.get("char_start") or 0))
        self.dead_letters = dead_letters

    @property
    def text(self) -> Optional[str]:
        return (self.document or {}).get("text")

    def sentences(self) -> list[tuple[int, int, int]]:
        """(index, start, end) of every sentence of the text; from the stored sentence starts, else (older output)
        only the sentences that have events, located by the events' own sentence field."""
        text = self.text
        starts = list((self.document or {}).get("sentence_starts") or [])
        if text is not None and starts:
            bounds = starts + [len(text)]
            return [(i, bounds[i], bounds[i + 1]) for i in range(len(starts))]
        spans = {}
        for event in self.events:
            index, sentence = event.get("sentence_index"), event.get("sentence") or ""
            if index in spans:
                continue
            trigger_start = event.get("char_start") or 0
            if text is not None and sentence:
                found = text.rfind(sentence, 0, trigger_start + 1)
            else:  # no text: the sentence starts where the trigger starts, minus the trigger's place in it
                offset = sentence.find(event.get("trigger") or "")
                found = trigger_start - offset if offset >= 0 else -1
            start = found if found >= 0 else trigger_start
            spans[index] = (index, start, start + len(sentence))
        return sorted(spans.values())

    def sentence_text(self, start: int, end: int, index: int) -> str:
        if self.text is not None:
            return self.text[start:end]
        for event in self.events:
            if event.get("sentence_index") == index:
                return event.get("sentence") or ""
        return ""

    def events_of(self, index: int) -> list[dict]:
        return [e for e in self.events if e.get("sentence_index") == index]

    def trigger_spans(self, index: int, start: int) -> list[tuple[int, int]]:
        """Trigger offsets relative to the sentence, without overlaps."""
        spans = sorted({(e["char_start"] - start, e["char_end"] - start) for e in self.events_of(index)
                        if e.get("char_start") is not None and e.get("char_end") is not None})
        kept: list[tuple[int, int]] = []
        for s, e in spans:
            if s >= 0 and (not kept or s >= kept[-1][1]):
                kept.append((s, e))
        return kept


def load_article(root: str, doc_id: str) -> Article:
    """The document ``doc_id`` of the output folder ``root``; OutputError (with close ids) when it is unknown."""
    check_output_folder(root)
    documents = read_records(root, "documents", doc_id=doc_id)
    dead_letters = read_records(root, "dead_letter", doc_id=doc_id)
    if not documents and not dead_letters:
        known = sorted({r["doc_id"] for r in read_records(root, "documents")}
                       | {r["doc_id"] for r in read_records(root, "dead_letter") if r.get("doc_id")})
        if not known:
            raise OutputError(f"{root!r} holds no documents")
        close = suggest(doc_id, known)
        hint = f"; did you mean: {', '.join(close)}?" if close else f"; {len(known)} documents, e.g. {known[0]}"
        raise OutputError(f"unknown document id {doc_id!r} in {root!r}{hint}")
    document = max(documents, key=lambda d: d["ingested_at"]) if documents else None
    events = read_records(root, "events", doc_id=doc_id)
    return Article(doc_id, document, events, dead_letters)


def _header(article: Article) -> list[str]:
    doc = article.document or {}
    meta = [str(v) for v in (doc.get("doc_date"), doc.get("publisher"), doc.get("url")) if v]
    lines = [" · ".join([article.doc_id] + meta)]
    if doc.get("title"):
        lines.append(doc["title"])
    if doc:
        lines.append(f"{doc.get('n_sentences', 0)} sentences, {len(article.events)} events")
    if doc.get("duplicate_of"):
        lines.append(f"duplicate of {doc['duplicate_of']} (not coded; see its events with --doc {doc['duplicate_of']})")
    elif not doc:
        lines.append("not coded: the document was dead-lettered")
    elif doc.get("text") is None:
        lines.append("(this output does not store the text: only sentences with events are shown)")
    return lines


def _dead_letter_line(letter: dict) -> str:
    where = letter.get("source") or "?"
    if letter.get("line"):
        where += f":{letter['line']}"
    return f"{letter.get('stage')}/{letter.get('reason')}: {letter.get('detail') or ''} ({where})"


def render_text(article: Article) -> str:
    """The article as plain text: each sentence with its triggers in [[ ]], its events indented below it."""
    out = _header(article)
    for index, start, end in article.sentences():
        sentence = article.sentence_text(start, end, index)
        marked, cursor = "", 0
        for s, e in article.trigger_spans(index, start):
            marked += sentence[cursor:s] + TRIGGER_OPEN + sentence[s:e] + TRIGGER_CLOSE
            cursor = e
        marked += sentence[cursor:]
        out.append("")
        out.append(f"[{index}] {' '.join(marked.split())}")
        for event in article.events_of(index):
            out.append(f"    {event_line(event)}   trigger \"{event.get('trigger')}\"")
            out.append(f"      {event_details(event)}")
    if article.dead_letters:
        out.append("")
        out.append(f"dead letters ({len(article.dead_letters)}):")
        out += [f"  {_dead_letter_line(letter)}" for letter in article.dead_letters]
    return "\n".join(out) + "\n"


_CSS = """
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;
max-width:56em;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.3em;margin-bottom:.2em} .meta{color:#666;font-size:.9em}
.sentence{margin:1.1em 0 .3em} .idx{color:#999;font-size:.8em;margin-right:.4em}
mark.trigger{background:#ffe066;padding:0 .15em;border-radius:3px;font-weight:600}
span.source{background:#cfe8ff;border-radius:3px} span.target{background:#ffd6d6;border-radius:3px}
ul.events{margin:.2em 0 0 1.2em;padding:0;list-style:none} ul.events li{margin:.25em 0;font-size:.92em}
.code{font-family:ui-monospace,monospace;font-weight:600} .details{color:#555}
.legend span,.legend mark{padding:0 .3em;margin-right:.6em}
.dead{background:#fff3f3;border:1px solid #f3c2c2;padding:.5em 1em;border-radius:4px}
"""


def _highlight(sentence: str, spans: list[tuple[int, int, str]]) -> str:
    """HTML of ``sentence`` with non-overlapping (start, end, css class) spans highlighted (triggers win)."""
    chosen: list[tuple[int, int, str]] = []
    for s, e, cls in sorted(spans, key=lambda x: (x[2] != "trigger", x[0])):
        if s < 0 or e > len(sentence) or s >= e or any(s < ce and cs < e for cs, ce, _ in chosen):
            continue
        chosen.append((s, e, cls))
    out, cursor = [], 0
    for s, e, cls in sorted(chosen):
        out.append(html.escape(sentence[cursor:s]))
        tag = "mark" if cls == "trigger" else "span"
        out.append(f'<{tag} class="{cls}">{html.escape(sentence[s:e])}</{tag}>')
        cursor = e
    out.append(html.escape(sentence[cursor:]))
    return "".join(out)


def render_html(article: Article) -> str:
    """The article as a self-contained HTML page (inline CSS, nothing fetched)."""
    header = _header(article)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>demarche · {html.escape(article.doc_id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(header[0])}</h1>",
    ]
    parts += [f'<div class="meta">{html.escape(line)}</div>' for line in header[1:]]
    parts.append('<p class="legend meta"><mark class="trigger">trigger</mark><span class="source">source actor</span>'
                 '<span class="target">target actor</span></p>')
    for index, start, end in article.sentences():
        sentence = article.sentence_text(start, end, index)
        events = article.events_of(index)
        spans = [(s, e, "trigger") for s, e in article.trigger_spans(index, start)]
        for event in events:
            for side in ("source", "target"):
                words = event.get(f"{side}_text")
                found = sentence.find(words) if words else -1
                if found >= 0:
                    spans.append((found, found + len(words), side))
        parts.append(f'<div class="sentence"><span class="idx">[{index}]</span>{_highlight(sentence, spans)}</div>')
        if events:
            parts.append('<ul class="events">')
            for event in events:
                parts.append(
                    f'<li><span class="code">{html.escape(event_line(event))}</span> '
                    f'<span class="details">· trigger “{html.escape(event.get("trigger") or "")}” · '
                    f"{html.escape(event_details(event))}</span></li>"
                )
            parts.append("</ul>")
    if article.dead_letters:
        parts.append(f'<div class="dead"><b>dead letters ({len(article.dead_letters)})</b><ul>')
        parts += [f"<li>{html.escape(_dead_letter_line(letter))}</li>" for letter in article.dead_letters]
        parts.append("</ul></div>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def parser(prog: str = "demarche show") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Show one document of an output folder as coded: its text sentence by sentence, with the "
        "triggers marked [[like this]] and every event under its sentence (SOURCE —code label→ TARGET, date "
        "(precision), place, modality, confidence, rule id), then its dead letters. Reads the output folder only.",
        epilog="example: demarche show out --doc japan_korea_60th_anniversary --html article.html",
    )
    p.add_argument("output", help="output folder of `demarche extract` (e.g. out)")
    p.add_argument("--doc", required=True, metavar="ID", help="document id (file name without extension, or the "
                   "JSON Lines `id`)")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page with triggers and actors "
                   "highlighted")
    return p


def run(argv: Optional[Sequence[str]] = None, *, prog: str = "demarche show", stream=None) -> int:
    args = parser(prog).parse_args(argv)
    article = load_article(args.output, args.doc)
    print(render_text(article), end="", file=stream or sys.stdout)
    if args.html:
        with open(args.html, "w", encoding="utf-8") as handle:
            handle.write(render_html(article))
        print(f"demarche show: wrote {args.html}", file=sys.stderr)
    return 0


main = job_main(run, prog="demarche show")


if __name__ == "__main__":
    sys.exit(main())
