"""One bad input never stops a run or vanishes (issue 16): every case found by fuzzing, on real pipeline runs where
good documents in the same run are still coded; the summary accounts for every input unit; known dead letters are
recognised whatever the glob looked like; a changed text under a known id is a recorded revision."""
from __future__ import annotations

import contextlib
import glob
import gzip
import io
import json
import os
import random
import socket
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ROOT, avro_records
from pipelines import extract_events
from transforms import sources
from transforms.records import ingest

sys.path.insert(0, str(ROOT / "benchmarks"))
import fuzz_inputs  # noqa: E402 - the generator shared with benchmarks/fuzz_inputs.py

TEXT = "Norway criticized Denmark over fishing quotas on Monday. Report {n}."


def _good(doc_id, n, **extra):
    return json.dumps({"id": doc_id, "text": TEXT.format(n=n), "date": "2025-03-04", **extra})


def _gz_lines(first, count):
    return b"".join(_good(f"{first}{i}", f"{first}{i}").encode() + b"\n" for i in range(count))


def _write_inputs(folder):
    folder.mkdir()
    lines = [
        _good("ok-1", 1),                                                    # 1
        "[" * 100_000 + "]" * 100_000,                                       # 2 deep nesting
        _good("late", 3, date="9999-12-31T23:59:59-05:00"),                  # 3 overflow
        _good("early", 4, date="0001-01-01T00:00:00+05:00"),                 # 4 overflow
        json.dumps({"id": "sur-text", "text": "Norway \ud800 criticized Denmark on Monday."}),   # 5 repaired
        json.dumps({"id": "sur-id\ud800", "text": TEXT.format(n=6)}),        # 6 repaired id
        json.dumps({"id": "sur-title", "title": "\udc00T", "text": TEXT.format(n=7)}),           # 7 repaired title
        json.dumps({"id": "sur-bad\ud800", "text": "x", "date": "never"}),   # 8 dead-lettered anyway
        _good("rep", "line 9"),                                              # 9 loses to line 10
        _good("rep", "line 10"),                                             # 10 wins (numeric order)
        '{"id": ' + "12345" * 900 + ', "text": "Chile protested to Peru on Monday."}',  # 11 4,500-digit id
    ]
    (folder / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    good_gz = gzip.compress(_gz_lines("crc", 3))
    (folder / "bad_crc.jsonl.gz").write_bytes(good_gz[:-8] + bytes([good_gz[-8] ^ 0xFF]) + good_gz[-7:])
    corrupt = gzip.compress(_gz_lines("cor", 3))
    (folder / "corrupt.jsonl.gz").write_bytes(corrupt[:10] + bytes(b ^ 0xA5 for b in corrupt[10:40]) + corrupt[40:])
    (folder / "plain.jsonl.gz").write_bytes(_gz_lines("plain", 2))
    (folder / "five.jsonl.gz").write_bytes(gzip.compress(_gz_lines("five", 2))[:5])
    truncated = gzip.compress(_gz_lines("tr", 200))
    (folder / "truncated.jsonl.gz").write_bytes(truncated[: len(truncated) // 2])
    (folder / "a_folder.jsonl").mkdir()
    os.symlink(folder / "missing-target", folder / "dangling.jsonl")
    os.symlink(folder / "loop_b.jsonl", folder / "loop_a.jsonl")
    os.symlink(folder / "loop_a.jsonl", folder / "loop_b.jsonl")
    os.mkfifo(folder / "pipe.jsonl")
    with contextlib.chdir(folder):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind("sock.txt")
        sock.close()
    (folder / "seed.txt").write_text(" date 2025-06-17 Japan protested to China on Monday.", encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as handle:  # a file name that is not UTF-8
        handle.write(b"Egypt hosted talks between Sudanese factions on Monday.")
    return fuzz_inputs._complete_lines(truncated[: len(truncated) // 2])


def _run(input_glob, output):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        # every event the coder finds (no --min_confidence cut): these tests follow inputs, not the coder's precision
        summary = extract_events.run([f"--input={input_glob}", f"--output={output}", "--formats=avro",
                                      "--min_confidence=0"])
    return summary, printed.getvalue()




def _letters(out):
    return [
        json.loads(line) for path in glob.glob(f"{out}/dead_letter/*.jsonl") for line in open(path, encoding="utf-8")
    ]


def _files(out):
    """Files of the output, less the run records (``_runs/``: each run adds one, the run history)."""
    return sorted(p for p in glob.glob(f"{out}/**/*", recursive=True) if os.path.isfile(p) and "/_runs/" not in p)


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    truncated_lines = _write_inputs(root / "in")
    summary, printed = _run(f"{root}/in/*", root / "out")
    return root, summary, printed, truncated_lines


def _by(letters, **fields):
    return [l for l in letters if all(l.get(k) == v for k, v in fields.items())]


def test_parse_failures_are_dead_letters_of_their_line(job):
    root, *_ = job
    letters = _letters(root / "out")
    mixed = str(root / "in" / "mixed.jsonl")
    assert [l["reason"] for l in _by(letters, source=mixed, line=2)] == [ingest.INVALID_JSON]
    assert "nested too deeply" in _by(letters, source=mixed, line=2)[0]["detail"]
    for line in (3, 4):
        [letter] = _by(letters, source=mixed, line=line)
        assert letter["reason"] == ingest.BAD_DATE and "outside the years" in letter["detail"]
    [letter] = _by(letters, source=mixed, line=8)
    assert letter["reason"] == ingest.BAD_DATE and letter["doc_id"] == "sur-bad\ufffd"


def test_lone_surrogates_are_repaired_everywhere(job):
    root, *_ = job
    documents = {d["doc_id"]: d for d in avro_records(root / "out", "documents")}
    assert {"sur-text", "sur-id\ufffd", "sur-title"} <= set(documents)
    assert documents["sur-title"]["title"] == "\ufffdT"
    assert documents["sur-text"]["text_sha256"] == ingest.normalized_text_sha256(
        "Norway \ufffd criticized Denmark on Monday."
    )
    events = avro_records(root / "out", "events")
    assert any(e["doc_id"] == "sur-text" and "\ufffd" in e["sentence"] for e in events)


def test_a_huge_integer_id_costs_nothing_but_its_own_line(job):
    root, *_ = job
    documents = {d["doc_id"] for d in avro_records(root / "out", "documents")}
    assert "12345" * 900 in documents and "ok-1" in documents and "seed" in documents
    assert "caf\ufffd" in documents  # the file name that is not UTF-8, repaired like any lone surrogate


def test_repeated_ids_last_line_wins_in_numeric_order(job):
    root, *_ = job
    [winner] = [d for d in avro_records(root / "out", "documents") if d["doc_id"] == "rep"]
    assert winner["text_sha256"] == ingest.normalized_text_sha256(TEXT.format(n="line 10"))
    [loser] = _by(_letters(root / "out"), reason=ingest.REPEATED_ID)
    assert (loser["line"], loser["doc_id"]) == (9, "rep") and "mixed.jsonl:10" in loser["detail"]


def test_bad_gzip_files_keep_what_was_read_and_dead_letter_the_rest(job):
    root, _, _, truncated_lines = job
    letters = _letters(root / "out")
    documents = {d["doc_id"] for d in avro_records(root / "out", "documents")}
    source = lambda name: str(root / "in" / name)  # noqa: E731
    [crc] = _by(letters, source=source("bad_crc.jsonl.gz"))
    assert crc["reason"] == ingest.UNDECODABLE and "CRC" in crc["detail"] and {"crc0", "crc1", "crc2"} <= documents
    assert [l["reason"] for l in _by(letters, source=source("corrupt.jsonl.gz"))] == [ingest.UNDECODABLE]
    assert [l["reason"] for l in _by(letters, source=source("plain.jsonl.gz"))] == [ingest.UNDECODABLE]
    assert [(l["reason"], l["line"]) for l in _by(letters, source=source("five.jsonl.gz"))] == [(ingest.TRUNCATED, 1)]
    [cut] = _by(letters, source=source("truncated.jsonl.gz"))
    assert 0 < truncated_lines < 200 and (cut["reason"], cut["line"]) == (ingest.TRUNCATED, truncated_lines + 1)
    assert {f"tr{i}" for i in range(truncated_lines)} <= documents and f"tr{truncated_lines}" not in documents


def test_unreadable_paths_are_dead_lettered_without_being_opened(job):
    root, *_ = job
    letters = _letters(root / "out")
    expected = {
        "a_folder.jsonl": "directory", "dangling.jsonl": "dangling", "loop_a.jsonl": "loop", "loop_b.jsonl": "loop",
        "pipe.jsonl": "FIFO", "sock.txt": "socket",
    }
    for name, word in expected.items():
        [letter] = _by(letters, source=str(root / "in" / name))
        assert letter["reason"] == ingest.UNREADABLE and word in letter["detail"], letter


def test_the_summary_accounts_for_every_input(job):
    _, summary, printed, truncated_lines = job
    # mixed.jsonl 11 lines; bad_crc 3 lines + its dead letter; corrupt, plain, five 1 each; truncated: the lines
    # before the cut + its dead letter; 6 unreadable paths; seed.txt and the non-UTF-8 name 1 each
    units = 11 + (3 + 1) + 1 + 1 + 1 + (truncated_lines + 1) + 6 + 1 + 1
    assert summary["documents_read"] == units
    assert summary["unaccounted"] == 0 and summary["repeated"] == 1
    assert summary["documents_read"] == (
        summary["documents_coded"] + summary["duplicates"] + summary["already_known"] + summary["repeated"]
        + summary["dead_lettered_other"]
    )
    assert f"read {units} = coded {summary['documents_coded']} + " in printed and "unaccounted" not in printed


def test_rerun_with_a_relative_glob_writes_nothing_new(job, monkeypatch):
    root, first, *_ = job
    before = _files(root / "out")
    monkeypatch.chdir(root)
    summary, _ = _run("in/*", "out")
    assert _files(root / "out") == before
    assert summary["documents_read"] == first["documents_read"] and summary["unaccounted"] == 0
    assert summary["dead_lettered"] == 0 and summary.get("documents_coded", 0) == 0
    assert summary["already_known"] == summary["documents_read"]  # known documents (repeated lines too), dead letters


def test_a_changed_text_under_a_known_id_is_a_recorded_revision(job, tmp_path):
    root, *_ = job
    out = tmp_path / "out"
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "wire.jsonl").write_text(_good("story", "first version") + "\n", encoding="utf-8")
    _run(f"{tmp_path}/v1/*", out)
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "wire.jsonl").write_text(
        _good("story", "corrected version") + "\n" + _good("other", "new") + "\n", encoding="utf-8"
    )
    summary, _ = _run(f"{tmp_path}/v2/*", out)
    stories = [d for d in avro_records(out, "documents") if d["doc_id"] == "story"]
    assert [d["text_sha256"] for d in stories] == [ingest.normalized_text_sha256(TEXT.format(n="first version"))]
    [revision] = _by(_letters(out), reason=ingest.REVISED_TEXT)
    assert revision["doc_id"] == "story" and revision["line"] == 1 and "corrected version" in revision["raw"]
    assert summary["documents_revised"] == 1 and summary["documents_coded"] == 1 and summary["unaccounted"] == 0
    again, _ = _run(f"{tmp_path}/v2/*", out)  # the revision is recorded once
    assert len(_by(_letters(out), reason=ingest.REVISED_TEXT)) == 1 and again["unaccounted"] == 0


@pytest.mark.slow
def test_a_fuzzed_folder_through_the_pipeline_is_fully_accounted(tmp_path):
    fuzz = fuzz_inputs.write_mixed_folder(str(tmp_path / "in"), rng=random.Random(16), units=150)
    summary = fuzz_inputs.run_pipeline(fuzz.folder, str(tmp_path / "out"))
    assert fuzz_inputs.check_run(fuzz, summary, fuzz_inputs.read_dead_letters(str(tmp_path / "out"))) == []
    assert summary["documents_read"] == fuzz.units and summary["unaccounted"] == 0


_LINES = st.lists(st.sampled_from(sorted(fuzz_inputs.LINE_KINDS)), min_size=1, max_size=6)
_UNITS = st.one_of(
    st.tuples(st.just("file"), st.sampled_from(sorted(fuzz_inputs.FILE_KINDS)), st.just(False)),
    st.tuples(st.just("jsonl"), _LINES, st.booleans()),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(units=st.lists(_UNITS, min_size=1, max_size=8), seed=st.integers(0, 2**32 - 1))
def test_any_mix_of_inputs_is_read_without_crash_and_fully_accounted(units, seed):
    """The ingest layer (matching, opening, decompressing, parsing) on generated folders: never raises, every unit
    is read once, and each gets its predicted outcome."""
    with tempfile.TemporaryDirectory() as root:
        fuzz = fuzz_inputs.Fuzz(random.Random(seed), os.path.join(root, "in"))
        for kind, what, gzip_it in units:
            if kind == "file":
                fuzz.file(what)
            else:
                fuzz.jsonl_file(what, gzip_it=gzip_it and "not_utf8" not in what)
        counts = fuzz_inputs.ingest_only(fuzz.folder)
        assert fuzz_inputs.check_ingest(fuzz, counts) == []
        for path, problem in sources.match_pattern(f"{fuzz.folder}/*"):
            for parsed in sources.read_path(path, problem=problem, max_document_bytes=10_000, max_chars=50):
                assert isinstance(parsed, dict) or parsed.text.encode("utf-8")  # always valid UTF-8
