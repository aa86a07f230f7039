"""The seed text format as files really arrive (issue 9): the header on the article's first line or on its own
line, Windows line endings, a byte-order mark, no-break spaces, with or without a final newline. Real pipeline runs,
records read back from the Avro files."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import glob
import json

import fastavro
import pytest

from conftest import ROOT
from pipelines import extract_events
from transforms.records import ingest

SEED2 = ROOT / "seeds" / "indonesia_australia_maritime_talks.txt"
HEADER_DATE = dt.date(2025, 9, 9)
THURSDAY = dt.date(2025, 9, 11)  # the Thursday after Tuesday 2025-09-09


def _article() -> str:
    """The article of the second seed file, without its header."""
    text = SEED2.read_text(encoding="utf-8")
    assert text.startswith(" date 2025-09-09 Indonesian"), "the seed keeps the real layout: header on line one"
    return text[len(" date 2025-09-09 "):].strip()


def _variants() -> dict[str, bytes]:
    article = _article()
    return {
        "same_line": f" date 2025-09-09 {article}\n".encode(),
        "own_line": f"date 2025-09-09\n{article}\n".encode(),
        "same_line_crlf_bom_nbsp_no_final_newline": (
            "\ufeff date 2025-09-09 " + article.replace("Foreign Minister", "Foreign\u00a0Minister", 1)
        ).replace("\n", "\r\n").encode(),
        "own_line_crlf_bom": (
            "\ufeff\r\ndate 2025-09-09\r\n\r\n" + article.replace("\n", "\r\n") + "\r\n\r\n"
        ).encode(),
    }


@pytest.mark.parametrize("layout", sorted(_variants()))
def test_every_layout_gives_the_same_document(layout):
    clean = ingest.parse_text_file(_variants()["same_line"], path="in/talks.txt")
    doc = ingest.parse_text_file(_variants()[layout], path="in/talks.txt")
    assert doc == clean
    assert doc.doc_date == HEADER_DATE and doc.text.startswith("Indonesian Foreign Minister Sugiono")
    assert "\r" not in doc.text and "\ufeff" not in doc.text and "\u00a0" not in doc.text


@pytest.mark.parametrize(
    "data, value",
    [
        (b" date 2025-13-45 Indonesia and Australia agreed.", "2025-13-45"),
        (b"date tomorrow Indonesia and Australia agreed.", "tomorrow"),
        (b"\xef\xbb\xbfdate 2025-02-30\r\nIndonesia agreed.", "2025-02-30"),
        (b"Date 2025-6-1 Indonesia agreed.", "2025-6-1"),
        (b"date 2025-09-09Indonesia agreed.", "2025-09-09Indonesia"),
    ],
)
def test_a_date_header_with_a_bad_value_is_a_bad_date_dead_letter(data, value):
    letter = ingest.parse_text_file(data, path="in/bad.txt")
    assert isinstance(letter, dict) and letter["reason"] == ingest.BAD_DATE and repr(value) in letter["detail"]


def test_text_that_only_starts_with_the_word_date_is_plain_text():
    doc = ingest.parse_text_file(b"Date palm growers in Iraq protested on Monday.", path="in/palms.txt")
    assert doc.doc_date is None and doc.text.startswith("Date palm growers")


def _avro(out, table):
    records = []
    for path in sorted(glob.glob(f"{out}/avro/{table}/dt=*/*.avro")):
        with open(path, "rb") as handle:
            records.extend(dict(r, _dt=path.split("dt=")[1].split("/")[0]) for r in fastavro.reader(handle))
    return records


def _comparable(records):
    return sorted(
        ({k: v for k, v in r.items() if k != "ingested_at"} for r in records), key=lambda r: json.dumps(r, default=str)
    )


PIPELINE_LAYOUTS = ("same_line", "own_line", "same_line_crlf_bom_nbsp_no_final_newline")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One real pipeline run per layout, the file always named talks.txt (so the doc_id is the same)."""
    root = tmp_path_factory.mktemp("layouts")
    results = {}
    for layout in PIPELINE_LAYOUTS:
        data = _variants()[layout]
        (root / layout).mkdir()
        (root / layout / "talks.txt").write_bytes(data)
        if layout == "same_line":  # bad headers and an undated document in the same run
            (root / layout / "bad_value.txt").write_bytes(b" date 2025-13-45 Indonesia and Australia agreed.")
            (root / layout / "bad_word.txt").write_bytes(b"date tomorrow\nIndonesia and Australia agreed.")
            (root / layout / "undated.txt").write_bytes(b"Indonesia will host Australia's foreign minister on Friday.")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            summary = extract_events.run(
                [f"--input={root / layout}/*", f"--output={root / layout}_out", "--formats=avro"]
            )
        results[layout] = (root / f"{layout}_out", summary, printed.getvalue())
    return results


def test_every_layout_gives_identical_records_through_the_pipeline(runs):
    def talks(out, table):
        return _comparable(r for r in _avro(out, table) if r["doc_id"] == "talks")

    reference = {table: talks(runs["same_line"][0], table) for table in ("documents", "events")}
    assert reference["documents"] and reference["events"]
    assert len(runs) == 3
    for layout, (out, _summary, _printed) in runs.items():
        for table in ("documents", "events"):
            assert talks(out, table) == reference[table], (layout, table)


def test_same_line_layout_dates_a_future_thursday_and_files_under_the_header_date(runs):
    out = runs["same_line"][0]
    events = [e for e in _avro(out, "events") if e["doc_id"] == "talks"]
    meeting = [e for e in events if e["trigger"] == "meet"]
    assert meeting and all(e["modality"] == "FUTURE" and e["event_date"] == THURSDAY for e in meeting), meeting
    assert {e["doc_date"] for e in events} == {HEADER_DATE}
    documents = [d for d in _avro(out, "documents") if d["doc_id"] == "talks"]
    assert [d["_dt"] for d in documents] == [HEADER_DATE.isoformat()]
    assert all(not e["sentence"].startswith("date") for e in events)


def test_bad_header_values_are_dead_lettered_and_undated_documents_reported(runs):
    out, summary, printed = runs["same_line"]
    letters = [
        json.loads(line) for path in glob.glob(f"{out}/dead_letter/*.jsonl") for line in open(path, encoding="utf-8")
    ]
    assert sorted((l["doc_id"], l["reason"]) for l in letters) == [
        ("bad_value", ingest.BAD_DATE), ("bad_word", ingest.BAD_DATE)
    ]
    assert all(l["source"].endswith(f"{l['doc_id']}.txt") for l in letters)
    assert {d["doc_id"] for d in _avro(out, "documents")} == {"talks", "undated"}
    assert summary["documents_coded_undated"] == 1
    assert "1 document(s) were coded without a date" in printed and "could not be resolved" in printed
    assert runs["own_line"][1].get("documents_coded_undated", 0) == 0 and "without a date" not in runs["own_line"][2]
