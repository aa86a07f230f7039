"""Input formats: bytes in, Documents or dead letters out. Pure Python, no Beam.

Formats, detected per file:

* **Seed text**: a text file that starts (after optional whitespace) with the header ``date YYYY-MM-DD`` followed by
  whitespace (a space or a line break) and the article: the header may share its line with the first paragraph
  (`` date 2025-06-17 South Korean President ...``) or stand alone on its line; both give the same Document.
  Document id = file name without extension.
* **JSON Lines** (``.jsonl``, ``.ndjson``, optionally ``.gz``): one JSON object per line with ``id`` and ``text``
  (required), ``date`` (ISO date or datetime), ``title``, ``url``, ``publisher`` (optional).
* **Plain text** (anything else): the whole file is one document with an unknown date.

Files may be compressed (``.gz``, ``.bz2``, by suffix); :func:`read_file` decompresses them.

Nothing is dropped silently and nothing stops the run: every input unit (a file, or a line of a JSON Lines file) that
cannot become a Document becomes a dead-letter record (a dict in the shape of ``schemas/dead_letter.avsc``) that says
where it came from and why, whatever went wrong (invalid JSON nested 100,000 deep, integers longer than Python's
4,300-digit limit, dates that overflow when converted to UTC, corrupt or truncated compressed data). A compressed
file that breaks off keeps the lines read before the break and adds one dead letter for the rest.

Lone UTF-16 surrogates (``"\\ud800"`` escapes in JSON; undecodable file names) are repaired, never dead-lettered:
every string taken from the input (id, text, title, url, publisher, source) has them replaced by U+FFFD, the
replacement character, so de-duplication, coding and the sinks all see the same valid text.
"""
from __future__ import annotations

import bz2
import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import lzma
import math
import os
import re
import zlib
from typing import BinaryIO, Iterable, Iterator, Optional, Union

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
UNREADABLE = "unreadable"
TRUNCATED = "truncated"
REPEATED_ID = "repeated_id"
REVISED_TEXT = "revised_text"

# Integer literals longer than this are kept as their digits (Python refuses int <-> str beyond 4,300 digits).
_MAX_INT_DIGITS = 4000
_SURROGATES = re.compile("[\ud800-\udfff]")
_ID_NEAR_START = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.){1,500}"|-?\d{1,100})')

DeadLetter = dict


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReadLimits:
    """Limits of reading one input unit (the same for files, watched folders and Pub/Sub messages).

    max_document_bytes: Size limit of one document (larger ones are dead-lettered ``too_large``).
    dead_letter_max_chars: Truncation limit of the raw copy kept in dead letters.
    """

    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    dead_letter_max_chars: int = DEFAULT_DEAD_LETTER_MAX_CHARS

Parsed = Union[Document, DeadLetter]


def repair_surrogates(value: str) -> str:
    """``value`` with every lone UTF-16 surrogate replaced by U+FFFD (such strings cannot be encoded as UTF-8)."""
    return _SURROGATES.sub("\ufffd", value)


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
    if doc_id is not None and len(doc_id) > max_chars:
        doc_id = doc_id[:max_chars] + f"... [truncated, {len(doc_id)} chars]"
    return {
        "source": repair_surrogates(source),
        "line": line,
        "doc_id": None if doc_id is None else repair_surrogates(doc_id),
        "stage": stage,
        "reason": reason,
        "detail": repair_surrogates(detail),
        "raw": None if raw is None else repair_surrogates(raw),
        "ingested_at": utc_now(),
    }


def is_jsonl_path(path: str) -> bool:
    """True when the file name says JSON Lines."""
    return path.lower().endswith(JSONL_SUFFIXES)


def doc_id_from_path(path: str) -> str:
    """File name without directory and extension(s): ``seeds/a.b.txt`` -> ``a.b``."""
    name = repair_surrogates(os.path.basename(path.rstrip("/")))
    for suffix in (".gz", ".bz2", ".txt", ".text", ".md"):
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
    try:
        return stamp.date(), stamp.astimezone(dt.timezone.utc)
    except OverflowError:  # 9999-12-31T23:59:59-05:00 is in the year 10000 in UTC
        raise ValueError(f"{value!r} is outside the years 1-9999 in UTC") from None


def clean_text(text: str) -> str:
    """The text as demarche stores and codes it, whatever the producer's conventions.

    A byte-order mark is removed, Windows (CRLF) and old Mac (CR) line endings and Unicode line separators become
    ``\\n``, no-break spaces (U+00A0, U+2007, U+202F) become plain spaces, and surrounding whitespace is stripped; so
    the same article gives the same text, offsets and event ids however its file was saved.
    """
    text = repair_surrogates(text.replace("\ufeff", ""))
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
    if value is not None and len(value) > 40:
        value = value[:40] + "..."
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
    return Document(
        doc_id=doc_id, text=text, doc_date=doc_date, source=repair_surrogates(path), published_at=published_at
    )


def _optional_str(record: dict, key: str) -> Optional[str]:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or isinstance(value, _LongInt):
        raise TypeError(f"field {key!r} must be a string, got {_json_type(value)}")
    return repair_surrogates(value).strip() or None


class _LongInt(str):
    """A JSON integer literal too long for Python's int (over ``_MAX_INT_DIGITS`` digits), kept as its digits."""


def _parse_int(literal: str) -> Union[int, str]:
    return int(literal) if len(literal) <= _MAX_INT_DIGITS else _LongInt(literal)


def _json_type(value) -> str:
    return "integer" if isinstance(value, _LongInt) else type(value).__name__


def _shown(value, limit: int = 80) -> str:
    """A short repr of an input value for dead-letter details."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _loads(payload: Union[str, bytes]):
    """json.loads that keeps huge integers as digits; raises ValueError (also for nesting too deep to parse)."""
    try:
        return json.loads(payload, parse_int=_parse_int)
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None


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
        record = _loads(payload)
    except ValueError as err:
        return make_dead_letter(reason=INVALID_JSON, detail=f"invalid JSON: {err}", raw=payload, **letter)
    if not isinstance(record, dict):
        return make_dead_letter(
            reason=INVALID_JSON, detail=f"expected a JSON object, got {_json_type(record)}", raw=payload, **letter
        )
    doc_id = record.get("id")
    if isinstance(doc_id, float) and not math.isfinite(doc_id):
        doc_id = None  # NaN and infinities are not ids
    if isinstance(doc_id, (int, float)) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        return make_dead_letter(reason=MISSING_ID, detail="field 'id' is missing or empty", raw=payload, **letter)
    doc_id = repair_surrogates(str(doc_id).strip())
    letter["doc_id"] = doc_id
    text = record.get("text")
    if not isinstance(text, str) or isinstance(text, _LongInt):
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
        except ValueError as err:
            why = "is outside the years 1-9999 in UTC" if "outside" in str(err) else "is not an ISO date or datetime"
            return make_dead_letter(
                reason=BAD_DATE, detail=f"field 'date' {_shown(raw_date)} {why}", raw=payload, **letter
            )
    try:
        title, url, publisher = (_optional_str(record, key) for key in ("title", "url", "publisher"))
    except TypeError as err:
        return make_dead_letter(reason=BAD_FIELD, detail=str(err), raw=payload, **letter)
    where = repair_surrogates(f"{source}:{line}" if line is not None else source)
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
        value = _loads(payload).get("id")
    except (ValueError, AttributeError):  # cut short (see read_file) or not an object: look for the id near the start
        head = payload[:10_000]
        if isinstance(head, bytes):
            head = head.decode("utf-8", errors="replace")
        found = _ID_NEAR_START.search(head)
        try:
            value = _loads(found.group(1)) if found else None
        except ValueError:
            value = None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return repair_surrogates(str(value))
    return None


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


COMPRESSED_SUFFIXES = {".gz": "gzip", ".bz2": "bzip2"}


def compression_of(path: str) -> Optional[str]:
    """``gzip``/``bzip2`` when the file name says so (``.gz``, ``.bz2``), else None."""
    lower = path.lower()
    return next((kind for suffix, kind in COMPRESSED_SUFFIXES.items() if lower.endswith(suffix)), None)


def _decompressed(handle: BinaryIO, path: str) -> BinaryIO:
    kind = compression_of(path)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=handle, mode="rb")
    if kind == "bzip2":
        return bz2.BZ2File(handle, mode="rb")
    return handle


def _read_failure(err: BaseException, *, path: str, line: Optional[int], max_chars: int) -> DeadLetter:
    """The dead letter of a file that could not be read on (from ``line`` on, for JSON Lines)."""
    rest = f" from line {line} on (the lines before were read)" if line is not None and line > 1 else ""
    if isinstance(err, EOFError):
        reason, detail = TRUNCATED, f"the compressed file is truncated: its content{rest} is lost ({err})"
    elif isinstance(err, (gzip.BadGzipFile, zlib.error, lzma.LZMAError)) or (
        isinstance(err, OSError) and err.errno is None
    ):
        reason, detail = UNDECODABLE, f"corrupt compressed data{rest}: {err}"
    elif isinstance(err, OSError):
        reason, detail = UNREADABLE, f"cannot read the file{rest}: {err}"
    else:
        reason, detail = UNDECODABLE, f"cannot read the file{rest}: {type(err).__name__}: {err}"
    return make_dead_letter(source=path, reason=reason, detail=detail, raw=None, line=line, max_chars=max_chars)


def _bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes]:
    """The lines of ``stream``; a line longer than ``limit`` bytes is cut to ``limit + 1`` bytes (the rest is read
    and thrown away), so one huge line never has to fit in memory and is still rejected as too large."""
    while True:
        line = stream.readline(limit + 2)
        if not line:
            return
        if len(line) > limit + 1 and not line.endswith(b"\n"):
            rest = line
            while rest and not rest.endswith(b"\n"):
                rest = stream.readline(1 << 20)
            line = line[: limit + 1]
        yield line


def read_file(
    handle: BinaryIO,
    *,
    path: str,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    max_chars: int = DEFAULT_DEAD_LETTER_MAX_CHARS,
) -> Iterator[Parsed]:
    """Every input unit of one open file: Documents and dead letters, never an exception.

    handle: The file's raw bytes (still compressed; decompressed here by suffix).
    path: File path (format and compression are detected from its name).
    max_document_bytes: Size limit of one document.
    max_chars: Truncation limit of the raw copy kept in dead letters.

    JSON Lines yield one item per non-blank line; when reading breaks off (truncated or corrupt compressed data, an
    I/O error) the lines read so far are kept and one dead letter (``truncated``, ``undecodable`` or ``unreadable``,
    with the first line not read) stands for the rest. Other files yield exactly one item.
    """
    limits = dict(max_document_bytes=max_document_bytes, max_chars=max_chars)
    try:
        stream = _decompressed(handle, path)
        if not is_jsonl_path(path):
            data = stream.read(max_document_bytes + 1)
    except Exception as err:  # noqa: BLE001 - any failure to read is this file's dead letter
        yield _read_failure(err, path=path, line=None, max_chars=max_chars)
        return
    if not is_jsonl_path(path):
        yield parse_safely(lambda: parse_text_file(data, path=path, **limits), path=path, line=None, raw=data,
                      max_chars=max_chars)
        return
    read = 0

    def counted() -> Iterator[bytes]:
        nonlocal read
        for line in _bounded_lines(stream, max_document_bytes):
            read += 1
            yield line

    lines = counted()
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except Exception as err:  # noqa: BLE001 - keep what was read, dead-letter the rest
            yield _read_failure(err, path=path, line=read + 1, max_chars=max_chars)
            return
        if not line.strip():
            continue
        payload = line.rstrip(b"\r\n")
        yield parse_safely(
            lambda: parse_json_document(payload, source=path, line=read, **limits),
            path=path, line=read, raw=payload, max_chars=max_chars,
        )


def parse_safely(parse, *, path: str, line: Optional[int], raw, max_chars: int) -> Parsed:
    """``parse()``, or an ``undecodable`` dead letter if it raises anything unforeseen (never stop the run)."""
    try:
        return parse()
    except Exception as err:  # noqa: BLE001 - one bad input unit must not stop the run
        return make_dead_letter(
            source=path, line=line, reason=UNDECODABLE, detail=f"cannot parse: {type(err).__name__}: {err}",
            raw=raw, max_chars=max_chars,
        )


def normalized_text_sha256(text: str) -> str:
    """SHA-256 of the text with whitespace collapsed and case folded (for exact-duplicate detection)."""
    normalized = " ".join(repair_surrogates(text).split()).casefold()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()
