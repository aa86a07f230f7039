"""Incremental batch runs over a growing folder: only new documents are coded, known texts and near-copies of
earlier documents are duplicates, known dead letters are not repeated, and a run with nothing new writes no table file (only its run record)."""
from __future__ import annotations

import glob
import json
import os

import pyarrow.parquet as pq

from pipelines import extract_events

DOCS = {
    "a1": ("2025-04-01", "Brazil and Argentina signed a trade agreement in Brasilia on Monday to cut tariffs on cars "
                         "and steel, and their presidents promised to meet again before the end of the year."),
    "a2": ("2025-04-01", "Egypt condemned an air strike near its border with Sudan on Monday."),
    "b1": ("2025-04-02", "Norway and Sweden agreed on Tuesday to build a joint rail link across their northern "
                         "border, and their transport ministers signed the financing plan in Oslo."),
    # A later copy of a1 with a dateline: a near-duplicate of a document coded by the first run.
    "b2": ("2025-04-02", "BRASILIA (Wire) - Brazil and Argentina signed a trade agreement in Brasilia on Monday to "
                         "cut tariffs on cars and steel, and their presidents promised to meet again before the end "
                         "of the year."),
    # The exact text of a2 under another id.
    "b3": ("2025-04-02", "Egypt  condemned an air strike near its border with Sudan on Monday."),
}


def _write(folder, name, ids, *, bad=False):
    lines = [json.dumps({"id": i, "date": DOCS[i][0], "text": DOCS[i][1]}) for i in ids]
    if bad:
        lines.append("{broken")
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _files(out):
    """The table files (not the run records and manifests)."""
    return sorted(p for p in glob.glob(f"{out}/**/*", recursive=True)
                  if os.path.isfile(p) and "/_runs/" not in p and "/_manifests/" not in p)


def _rows(paths):
    return [row for p in paths for row in pq.read_table(p).to_pylist()]


def _run(folder, out):
    return extract_events.run([f"--input={folder}/*", f"--output={out}", "--incremental", "--batch_size=4",
                              "--min_confidence=0"])  # every coded event: these tests compare event sets


def test_incremental_runs_code_only_new_documents(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    _write(folder, "day1.jsonl", ["a1", "a2"], bad=True)

    first = _run(folder, out)
    assert first["documents_coded"] == 2
    files_1 = _files(out)
    events_1 = _rows(glob.glob(f"{out}/parquet/events/*/*.parquet"))
    assert events_1

    _write(folder, "day2.jsonl", ["b1", "b2", "b3"])  # the folder grows
    second = _run(folder, out)
    files_2 = _files(out)
    new_files = sorted(set(files_2) - set(files_1))
    assert new_files and set(files_1) <= set(files_2), "earlier files are left as they are"
    assert second["documents_already_known"] == 2 and second["documents_coded"] == 1
    assert second["duplicates_near"] == 1 and second["duplicates_exact"] == 1
    new_events = _rows([p for p in new_files if "/parquet/events/" in p])
    assert new_events and {e["doc_id"] for e in new_events} == {"b1"}, "events of the one new document, only"
    new_documents = {d["doc_id"]: d for d in _rows([p for p in new_files if "/parquet/documents/" in p])}
    assert set(new_documents) == {"b1", "b2", "b3"}
    assert new_documents["b2"]["duplicate_of"] == "a1" and new_documents["b3"]["duplicate_of"] == "a2"
    assert not [p for p in new_files if "dead_letter" in p], "the known bad line is not dead-lettered again"

    records_2 = set(glob.glob(f"{out}/_runs/*.json"))
    third = _run(folder, out)  # nothing new
    assert _files(out) == files_2, "a run with nothing new writes no table file"
    (record,) = set(glob.glob(f"{out}/_runs/*.json")) - records_2
    record = json.load(open(record, encoding="utf-8"))
    assert record["files"] == [] and record["summary"]["documents_already_known"] == 5, "only its run record"
    assert third.get("documents_coded", 0) == 0 and third["documents_already_known"] == 5
    all_documents = _rows(glob.glob(f"{out}/parquet/documents/*/*.parquet"))
    assert sorted(d["doc_id"] for d in all_documents) == ["a1", "a2", "b1", "b2", "b3"]
