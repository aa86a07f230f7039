"""Datelines: the one detector of "SEOUL, June 17 --", "PARIS (AFP) -", "KYIV, Ukraine (AP) —" lines.

A dateline opens a line (after optional blanks): a place (ALL-CAPS words, or one or two Title-case words), an
optional qualifier (", Ukraine"), an optional date (", June 17"), an optional agency credit ("(AFP)"), then a dash
(``--``, ``—``, ``–``, ``-``) or a colon and a blank. Title-case places count only with a date or an agency
("Paris, June 17 --", not "Meanwhile - ..."); a place all in lower case never does.

Every coder asks the same detector: the sentence splitter (a dateline stays in the sentence it introduces), the
place resolver (the dateline's place is the fallback place of events), the actor coder (a dateline's place and
agency are not actors) and the date resolver (a dateline's date is the filing date, not the episode's).
"""
from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

#: How far into a document its own dateline may be (a title line or two may come first).
HEAD_CHARS = 600
HEAD_LINE_BREAKS = 4

_DATELINE_BODY = (
    r"(?P<place>[A-Z][A-Z.'\- ]*[A-Z.]|[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
    r"(?:,[ \t]*(?P<qual>[A-Z][A-Za-z.' ]{1,30}?))?"
    r"(?:,[ \t]*(?P<date>[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}))?"
    r"[ \t]*(?:\((?P<agency>[^)\n]{1,40})\))?"
    r"[ \t]*(?:--|\u2014|\u2013|-|:)[ \t]"
)
_AT_LINE_START = re.compile(r"^[ \t]*" + _DATELINE_BODY, re.MULTILINE)
_USER_DATA_KEY = "demarche_datelines"
_TEXT_KEY = "demarche_text"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Dateline:
    """One dateline: its parts (None when absent) and character offsets into the text.

    place, qualifier, date, agency: The parts as written.
    start, end: Offsets of the whole dateline (its dash and the blank after it included).
    place_span, date_span, agency_span: (start, end) offsets of those parts, None when absent.
    """

    place: str
    qualifier: Optional[str]
    date: Optional[str]
    agency: Optional[str]
    start: int
    end: int
    place_span: tuple[int, int]
    date_span: Optional[tuple[int, int]]
    agency_span: Optional[tuple[int, int]]


def _from_match(m: re.Match) -> Optional[Dateline]:
    place = m["place"].strip()
    if place.islower() or (not place.isupper() and not (m["date"] or m["agency"])):
        return None
    return Dateline(
        place=place, qualifier=m["qual"], date=m["date"], agency=m["agency"], start=m.start("place"), end=m.end(),
        place_span=(m.start("place"), m.start("place") + len(m["place"].rstrip())),
        date_span=m.span("date") if m["date"] else None,
        agency_span=m.span("agency") if m["agency"] else None,
    )


def find_datelines(text: str) -> tuple[Dateline, ...]:
    """Every dateline of ``text`` (one per line at most), in text order."""
    return tuple(d for d in map(_from_match, _AT_LINE_START.finditer(text)) if d is not None)


def head_datelines(text: str) -> tuple[Dateline, ...]:
    """The datelines that may be the document's own: in its first HEAD_CHARS characters, after at most
    HEAD_LINE_BREAKS line breaks."""
    head = text[:HEAD_CHARS]
    out = []
    for m in _AT_LINE_START.finditer(head):
        if head[: m.start()].count("\n") > HEAD_LINE_BREAKS:
            break
        dateline = _from_match(m)
        if dateline is not None:
            out.append(dateline)
    return tuple(out)


def doc_text(doc: "Doc") -> str:
    """``doc.text``, built once per Doc (spaCy joins the tokens again on every access; the coders need it per
    document and per event) and kept in ``doc.user_data``. The lexical pass's Doc passes it on to the parsed Doc
    of the same text (``DocumentParser``)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def doc_datelines(doc: "Doc") -> tuple[Dateline, ...]:
    """The datelines of a parsed document, found once per Doc (kept in ``doc.user_data``)."""
    found = doc.user_data.get(_USER_DATA_KEY)
    if found is None:
        found = doc.user_data[_USER_DATA_KEY] = find_datelines(doc_text(doc))
    return found


def _overlaps(span: "Span", part: Optional[tuple[int, int]]) -> bool:
    return part is not None and part[0] < span.end_char and span.start_char < part[1]


def is_dateline_place(span: "Span") -> bool:
    """Whether ``span`` overlaps the place of a dateline ("SEOUL" in "SEOUL, June 17 --"): a place, not an actor."""
    return any(_overlaps(span, d.place_span) for d in doc_datelines(span.doc))


def is_dateline_agency(span: "Span") -> bool:
    """Whether ``span`` overlaps the agency credit of a dateline ("Reuters" in "NAIROBI, June 16 (Reuters) -"): a
    byline, not an actor."""
    return any(_overlaps(span, d.agency_span) for d in doc_datelines(span.doc))


def is_dateline_date(span: "Span") -> bool:
    """Whether ``span`` overlaps the date of a dateline ("June 17" in "SEOUL, June 17 --"): the filing date, not
    the episode's."""
    return any(_overlaps(span, d.date_span) for d in doc_datelines(span.doc))


def dateline_at(text: str, offset: int) -> Optional[Dateline]:
    """The dateline starting at ``offset`` (the start of a line or paragraph), or None."""
    line_start = text.rfind("\n", 0, offset) + 1
    if text[line_start:offset].strip(" \t"):
        return None
    m = _AT_LINE_START.match(text, line_start)
    return _from_match(m) if m is not None else None
