"""Input formats and dead letters (pure Python, no Beam)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, strategies as st

from transforms.records import ingest
from transforms.coding.model import Document


def test_seed_header_gives_date_and_id(seed_text):
    doc = ingest.parse_text_file(seed_text.encode(), path="seeds/japan_korea_60th_anniversary.txt")
    assert isinstance(doc, Document)
    assert doc.doc_id == "japan_korea_60th_anniversary"
    assert doc.doc_date == dt.date(2025, 6, 17)
    assert not doc.text.lstrip().startswith("date")
    assert "Ishiba" in doc.text


def test_header_after_blank_lines_and_spaces():
    doc = ingest.parse_text_file(b"\n\n   date 2024-02-29\nParis agreed.\n", path="/x/a.txt")
    assert doc.doc_date == dt.date(2024, 2, 29) and doc.text == "Paris agreed."


def test_plain_text_has_unknown_date():
    doc = ingest.parse_text_file(b"France and Germany signed a treaty.", path="in/b.txt")
    assert doc.doc_date is None and doc.doc_id == "b"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"   \n\n  ", ingest.EMPTY_TEXT),
        (b" date 2025-06-17\n\n", ingest.EMPTY_TEXT),
        (b"\xff\xfe\xfa not utf8", ingest.UNDECODABLE),
        (b" date 2025-13-40\nText.", ingest.BAD_DATE),
        (b"x" * 101, ingest.TOO_LARGE),
    ],
)
def test_bad_text_files_become_dead_letters(data, reason):
    letter = ingest.parse_text_file(data, path="in/bad.txt", max_document_bytes=100)
    assert isinstance(letter, dict)
    assert letter["reason"] == reason and letter["source"] == "in/bad.txt" and letter["stage"] == "ingest"
    assert letter["detail"]


def test_jsonl_lines_and_locations():
    lines = [
        json.dumps({"id": "a", "text": "Iran condemned Israel.", "date": "2024-04-02T23:30:00-05:00",
                    "title": "T", "url": "http://u", "publisher": "P"}).encode(),
        b"",
        b"{not json",
        json.dumps({"text": "no id"}).encode(),
        json.dumps({"id": "c"}).encode(),
        json.dumps({"id": "d", "text": "x", "date": "yesterday"}).encode(),
        json.dumps({"id": "e", "text": "   "}).encode(),
        json.dumps([1, 2]).encode(),
        json.dumps({"id": "f", "text": "ok", "title": 5}).encode(),
        json.dumps({"id": 7, "text": "numeric id"}).encode(),
    ]
    out = list(ingest.parse_jsonl(lines, path="f.jsonl"))
    assert len(out) == 9  # the blank line is not a record
    first = out[0]
    assert isinstance(first, Document) and first.doc_date == dt.date(2024, 4, 2)
    assert first.published_at == dt.datetime(2024, 4, 3, 4, 30, tzinfo=dt.timezone.utc)
    assert (first.title, first.url, first.publisher, first.source) == ("T", "http://u", "P", "f.jsonl:1")
    reasons = [(o["line"], o["reason"]) for o in out[1:-1]]
    assert reasons == [
        (3, ingest.INVALID_JSON), (4, ingest.MISSING_ID), (5, ingest.MISSING_TEXT), (6, ingest.BAD_DATE),
        (7, ingest.EMPTY_TEXT), (8, ingest.INVALID_JSON), (9, ingest.BAD_FIELD),
    ]
    assert out[-1].doc_id == "7"


def test_dead_letter_raw_is_truncated():
    letter = ingest.parse_json_document(b"{" + b"x" * 5000, source="s", max_chars=100)
    assert letter["reason"] == ingest.INVALID_JSON
    assert len(letter["raw"]) < 150 and "truncated" in letter["raw"]


def test_gzip_suffix_is_jsonl():
    assert ingest.is_jsonl_path("a/b.jsonl.gz") and ingest.is_jsonl_path("b.JSONL")
    assert not ingest.is_jsonl_path("b.txt")


@given(st.text(min_size=1))
def test_any_text_either_parses_or_is_dead_lettered(text):
    result = ingest.parse_text_file(text.encode("utf-8"), path="h.txt")
    if isinstance(result, Document):
        assert result.text == result.text.strip() and result.text
    else:
        assert result["reason"] in {ingest.EMPTY_TEXT, ingest.BAD_DATE}


def test_normalized_hash_ignores_case_and_spacing():
    assert ingest.normalized_text_sha256("A  b\nC") == ingest.normalized_text_sha256("a b c")
    assert ingest.normalized_text_sha256("a b c") != ingest.normalized_text_sha256("a b d")
