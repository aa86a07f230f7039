"""An incremental batch run with nothing new skips the pipeline (transforms/storage/incremental_plan.py): same committed
files and the same summary as the full job; a new document, a revised text or a new bad line runs the full job."""
from __future__ import annotations

import glob
import json
import os

import pytest

from pipelines import extract_events
from transforms.coding.errors import StorageError
from transforms.storage import commit, incremental_plan

A1 = "Brazil and Argentina signed a trade agreement in Brasilia on Monday to cut tariffs on cars and steel."
A2 = "Egypt condemned an air strike near its border with Sudan on Monday."
B1 = "Norway and Sweden agreed on Tuesday to build a joint rail link across their northern border."


def _line(doc_id, text):
    return json.dumps({"id": doc_id, "date": "2025-04-01", "text": text})


def _files(out):
    """Every file under the output but the run records (tables, index, manifests)."""
    return sorted(p for p in glob.glob(f"{out}/**/*", recursive=True) if os.path.isfile(p) and "/_runs/" not in p)


def _run(folder, out):
    return extract_events.run([f"--input={folder}/*", f"--output={out}", "--batch_size=4", "--quiet"])


def _last_record(out):
    return commit.run_records(str(out))[-1]


def _plan(folder, out):
    return incremental_plan.plan_nothing_new(input_pattern=f"{folder}/*", output=str(out),
                                             max_document_bytes=5_000_000, dead_letter_max_chars=2_000)


def test_nothing_new_skips_the_pipeline_with_the_full_jobs_summary(tmp_path, monkeypatch, capsys):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    # a1 twice (a repeated id: the first line is a repeated_id dead letter), a2, and a bad line.
    (folder / "day1.jsonl").write_text("\n".join([_line("a1", A1), _line("a2", A2), "{broken", _line("a1", A1)])
                                       + "\n", encoding="utf-8")
    first = _run(folder, out)
    assert first["documents_coded"] == 2 and first["repeated"] == 1 and first["dead_lettered"] == 2
    assert "pipeline_skipped" not in _last_record(out)
    files = _files(out)
    capsys.readouterr()

    second = _run(folder, out)  # nothing new: planned, no pipeline
    record = _last_record(out)
    assert record["pipeline_skipped"] == extract_events.NOTHING_NEW
    assert record["files"] == [] and record["summary"] == second
    assert _files(out) == files, "a run with nothing new changes no file"
    assert second["documents_read"] == 4 and second["already_known"] == 4 and second["unaccounted"] == 0
    fast_line = capsys.readouterr().out

    monkeypatch.setattr(incremental_plan, "plan_nothing_new", lambda **_kw: None)  # force the full job
    third = _run(folder, out)
    record = _last_record(out)
    assert "pipeline_skipped" not in record and record["files"] == []
    assert third == second, "the planned summary is the full job's"
    assert capsys.readouterr().out == fast_line, "the same summary line"
    assert _files(out) == files


def test_anything_new_runs_the_full_job(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "day1.jsonl").write_text(_line("a1", A1) + "\n{broken\n", encoding="utf-8")
    _run(folder, out)
    assert _plan(folder, out) is not None

    (folder / "day1.jsonl").write_text(_line("a1", A1) + "\n{broken\n{broken again\n", encoding="utf-8")
    assert _plan(folder, out) is None, "a new bad line must be dead-lettered by the job"
    (folder / "day1.jsonl").write_text(_line("a1", A1) + "\n{broken\n", encoding="utf-8")
    (folder / "day2.jsonl").write_text(_line("b1", B1) + "\n", encoding="utf-8")
    assert _plan(folder, out) is None, "a new document must be coded"
    os.remove(folder / "day2.jsonl")
    assert _plan(folder, out) is not None
    segments = sorted(glob.glob(f"{out}/_index/*"))
    kept = open(segments[0], "rb").read()
    os.remove(segments[0])
    assert _plan(folder, out) is None, "without a current index the job reads the tables itself"
    open(segments[0], "wb").write(kept)
    assert _plan(folder, out) is not None

    (folder / "day1.jsonl").write_text(_line("a1", A1 + " It was revised.") + "\n{broken\n", encoding="utf-8")
    assert _plan(folder, out) is None, "a revised text must be dead-lettered by the job"
    summary = _run(folder, out)
    assert "pipeline_skipped" not in _last_record(out)
    assert summary["documents_revised"] == 1 and summary["dead_lettered"] == 1


def test_an_output_that_cannot_be_listed_fails_the_run_instead_of_recoding(tmp_path, monkeypatch):
    # The listing of OUT fails (as a cloud store without credentials would): the run stops with an error naming the
    # folder; it never takes the failure for "nothing known yet" and codes every document again into duplicates.
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "day1.jsonl").write_text(_line("a1", A1) + "\n", encoding="utf-8")
    assert _run(folder, out)["documents_coded"] == 1
    files, records = _files(out), commit.run_records(str(out))
    real_listdir = os.listdir

    def denied(path="."):
        if os.fspath(path).startswith(str(out)):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", denied)
    with pytest.raises(StorageError, match=f"cannot list {out}/_runs: PermissionError"):
        _run(folder, out)
    monkeypatch.undo()
    assert _files(out) == files and commit.run_records(str(out)) == records, "nothing coded again, nothing committed"
    assert not os.path.exists(out / "_lock.json"), "the lease is released"
