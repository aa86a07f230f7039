"""Input formats: bytes in, Documents or dead letters out. Pure Python, no Beam.

Formats, detected per file:

* **Seed text**: a text file that starts (after optional whitespace) with the header ``date YYYY-MM-DD`` followed by
  whitespace (a space or a line break) and the article: the header may share its line with the first paragraph
  (`` date 2025-06-17 South Korean President ...``) or stand alone on its line; both give the same Document.
  Document id = file name without extension.
* **JSON Lines** (``.jsonl``, ``.ndjson``, optionally ``.gz``): one JSON object per line with ``id`` and ``text``
  (required), ``date`` (ISO date or datetime), ``title``, ``url``, ``publisher`` (optional).
* **Plain text** (anything else): the whole file is one document with an unknown date.

Nothing is dropped silently: every input that cannot become a Document becomes a dead-letter record (a dict in the
shape of ``schemas/dead_letter.avsc``) that says where it came from and why.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from typing import Iterable, Iterator, Optional, Union

from transforms.coding.model import Document

DEFAULT_MAX_DOCUMENT_BYTES = 5_000_000
DEFAULT_DEAD_LETTER_MAX_CHARS = 2_000

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
# The seed header: optional whitespace, the keyword, whitespace, the value, then whitespace or the end of the file.
_HEADER = re.compile(r"\s*(date)\s+(\S+)(?:\s+|\Z)", re.IGNORECASE)
# Characters normalised in every document text: the BOM, line separators, and no-break/narrow spaces.
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[\u00a0\u2007\u202f]")

# Dead-letter reasons (machine-readable; documented in the README).
EMPTY_TEXT = "empty_text"
UNDECODABLE = "undecodable"
INVALID_JSON = "invalid_json"
MISSING_ID = "missing_id"
MISSING_TEXT = "missing_text"
BAD_FIELD = "bad_field"
BAD_DATE = "bad_date"
TOO_LARGE = "too_large"
NLP_ERROR = "nlp_error"

DeadLetter = dict
Parsed = Union[Document, DeadLetter]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def make_dead_letter(
    *,
    source: str,
    reason: str,
    detail: str,
    raw: Union[str, bytes, None],
    line: Optional[int] = None,
    doc_id: Optional[str] = None,
    stage: str = "ingest",
    max_chars: int = DEFAULT_DEAD_LETTER_MAX_CHARS,
) -> DeadLetter:
    """A dead-letter record (``schemas/dead_letter.avsc``).

    source: Input file or subscription.
    reason: Machine-readable reason (one of the module constants).
    detail: Human-readable explanation.
    raw: The offending input; decoded with replacement characters and truncated to ``max_chars``.
    line: 1-based line number for line-oriented input.
    doc_id: The document id when it could be read.
    stage: ``ingest`` or ``nlp``.
    max_chars: Truncation limit for ``raw``.
    """
    if isinstance(raw, bytes):
        raw = raw[: max_chars * 4].decode("utf-8", errors="replace")
    if raw is not None and len(raw) > max_chars:
        raw = raw[:max_chars] + f"... [truncated, {len(raw)} chars]"
    return {
        "source": source,
        "line": line,
        "doc_id": doc_id,
        "stage": stage,
        "reason": reason,
        "detail": detail,
        "raw": raw,
        "ingested_at": utc_now(),
    }


def is_jsonl_path(path: str) -> bool:
    """True when the file name says JSON Lines."""
    return path.lower().endswith(JSONL_SUFFIXES)


def doc_id_from_path(path: str) -> str:
    """File name without directory and extension(s): ``seeds/a.b.txt`` -> ``a.b``."""
    name = os.path.basename(path.rstrip("/"))
    for suffix in (".gz", ".txt", ".text", ".md"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or "document"


def parse_date(value: str) -> tuple[dt.date, Optional[dt.datetime]]:
    """Parse an ISO date or datetime.

    value: ``YYYY-MM-DD`` or an ISO 8601 datetime (``Z`` or offset allowed; naive means UTC).
    Returns the publication date as written and the UTC timestamp (None for a bare date).
    Raises ValueError when the value is not ISO.
    """
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value), None
    stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.date(), stamp.astimezone(dt.timezone.utc)


def clean_text(text: str) -> str:
    """The text as demarche stores and codes it, whatever the producer's conventions.

    A byte-order mark is removed, Windows (CRLF) and old Mac (CR) line endings and Unicode line separators become
    ``\\n``, no-break spaces (U+00A0, U+2007, U+202F) become plain spaces, and surrounding whitespace is stripped; so
    the same article gives the same text, offsets and event ids however its file was saved.
    """
    text = text.replace("\ufeff", "")
    text = _LINE_BREAKS.sub("\n", text)
    text = _SPACES.sub(" ", text)
    return text.strip()


def split_seed_header(text: str) -> tuple[Optional[str], str]:
    """Split a seed file's text into its header value and the article.

    text: The decoded file (line endings already normalised).
    Returns ``(value, article)`` when the text starts with a header whose keyword is ``date``, else
    ``(None, text)``. A capitalised ``Date`` (or ``DATE``) counts as a header only when its value starts with a
    digit, so a plain-text article starting "Date palms ..." is not mistaken for a bad header.
    """
    header = _HEADER.match(text)
    if header is None:
        return None, text
    keyword, value = header.group(1), header.group(2)
    if keyword != "date" and not value[:1].isdigit():
        return None, text
    return value, text[header.end():]


def parse_text_file(
    data: bytes,
    *,
    path: str,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    max_chars: int = DEFAULT_DEAD_LETTER_MAX_CHARS,
) -> Parsed:
    """Parse a whole text file (seed format or plain text) into one Document or one dead letter.

    data: File content (bytes). Read at most ``max_document_bytes + 1`` bytes; longer content is rejected.
    path: File path, used for the doc id and in dead letters.
    max_document_bytes: Size limit of one document.
    max_chars: Truncation limit of the raw copy kept in dead letters.
    """
    doc_id = doc_id_from_path(path)
    letter = dict(source=path, doc_id=doc_id, max_chars=max_chars)
    if len(data) > max_document_bytes:
        return make_dead_letter(
            reason=TOO_LARGE, detail=f"document is larger than {max_document_bytes} bytes", raw=data, **letter
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return make_dead_letter(reason=UNDECODABLE, detail=f"not UTF-8: {err}", raw=data, **letter)
    text = clean_text(text)
    doc_date = published_at = None
    value, article = split_seed_header(text)
    if value is not None:
        try:
            doc_date, published_at = parse_date(value)
        except ValueError:
            return make_dead_letter(
                reason=BAD_DATE, detail=f"header date {value!r} is not a valid YYYY-MM-DD date", raw=text, **letter
            )
        text = article.strip()
    if not text:
        return make_dead_letter(reason=EMPTY_TEXT, detail="the document has no text", raw=data, **letter)
    return Document(doc_id=doc_id, text=text, doc_date=doc_date, source=path, published_at=published_at)


def _optional_str(record: dict, key: str) -> Optional[str]:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"field {key!r} must be a string, got {type(value).__name__}")
    return value.strip() or None


def parse_json_document(
    payload: Union[str, bytes],
    *,
    source: str,
    line: Optional[int] = None,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    max_chars: int = DEFAULT_DEAD_LETTER_MAX_CHARS,
) -> Parsed:
    """Parse one JSON document (a JSON Lines line or a Pub/Sub message) into a Document or a dead letter.

    payload: The JSON object, as bytes or text.
    source: File path or subscription, for dead letters.
    line: 1-based line number in the file, if any.
    max_document_bytes: Size limit of one document (the whole payload).
    max_chars: Truncation limit of the raw copy kept in dead letters.
    """
    letter = dict(source=source, line=line, max_chars=max_chars)
    if len(payload) > max_document_bytes:
        letter["doc_id"] = _id_of_oversized(payload)
        return make_dead_letter(
            reason=TOO_LARGE, detail=f"document is larger than {max_document_bytes} bytes", raw=payload, **letter
        )
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            return make_dead_letter(reason=UNDECODABLE, detail=f"not UTF-8: {err}", raw=payload, **letter)
    try:
        record = json.loads(payload)
    except json.JSONDecodeError as err:
        return make_dead_letter(reason=INVALID_JSON, detail=f"invalid JSON: {err}", raw=payload, **letter)
    if not isinstance(record, dict):
        return make_dead_letter(
            reason=INVALID_JSON, detail=f"expected a JSON object, got {type(record).__name__}", raw=payload, **letter
        )
    doc_id = record.get("id")
    if isinstance(doc_id, (int, float)) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        return make_dead_letter(reason=MISSING_ID, detail="field 'id' is missing or empty", raw=payload, **letter)
    doc_id = doc_id.strip()
    letter["doc_id"] = doc_id
    text = record.get("text")
    if not isinstance(text, str):
        return make_dead_letter(reason=MISSING_TEXT, detail="field 'text' is missing or not a string", raw=payload, **letter)
    text = clean_text(text)
    if not text:
        return make_dead_letter(reason=EMPTY_TEXT, detail="field 'text' is empty", raw=payload, **letter)
    doc_date = published_at = None
    raw_date = record.get("date")
    if raw_date not in (None, ""):
        try:
            if not isinstance(raw_date, str):
                raise ValueError
            doc_date, published_at = parse_date(raw_date)
        except ValueError:
            return make_dead_letter(
                reason=BAD_DATE, detail=f"field 'date' {raw_date!r} is not an ISO date or datetime", raw=payload, **letter
            )
    try:
        title, url, publisher = (_optional_str(record, key) for key in ("title", "url", "publisher"))
    except TypeError as err:
        return make_dead_letter(reason=BAD_FIELD, detail=str(err), raw=payload, **letter)
    where = f"{source}:{line}" if line is not None else source
    return Document(
        doc_id=doc_id,
        text=text,
        doc_date=doc_date,
        title=title,
        url=url,
        publisher=publisher,
        source=where,
        published_at=published_at,
    )


def _id_of_oversized(payload: Union[str, bytes]) -> Optional[str]:
    """Best-effort id of a document rejected for its size (so the dead letter says which one)."""
    try:
        value = json.loads(payload).get("id")
    except (ValueError, AttributeError):
        return None
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def parse_jsonl(
    lines: Iterable[bytes],
    *,
    path: str,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    max_chars: int = DEFAULT_DEAD_LETTER_MAX_CHARS,
) -> Iterator[Parsed]:
    """Parse JSON Lines; blank lines are skipped, every other line yields a Document or a dead letter.

    lines: The file's lines (bytes, with or without line endings).
    path: File path, for dead letters.
    max_document_bytes: Size limit of one document.
    max_chars: Truncation limit of the raw copy kept in dead letters.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        yield parse_json_document(
            line.rstrip(b"\r\n"), source=path, line=number, max_document_bytes=max_document_bytes, max_chars=max_chars
        )


def normalized_text_sha256(text: str) -> str:
    """SHA-256 of the text with whitespace collapsed and case folded (for exact-duplicate detection)."""
    normalized = " ".join(text.split()).casefold()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
