"""A crash never corrupts the output: real runs killed (SIGKILL to their process group) at each write stage, then
rerun, give exactly a clean run's output; two runs on one output: one refuses; one file per table and partition."""
from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from pipelines import extract_events
from transforms.coding.errors import LeaseHeld
from transforms.sinks import KILL_HOOK_ENV
from transforms.storage import commit
from transforms.storage.lease import LOCK_NAME, Lease
from transforms.storage.output_run import HOLD_HOOK_ENV

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DOCS = [
    ("k1", "2025-03-03", "Brazil and Argentina signed a trade agreement in Brasilia on Monday to cut tariffs on cars "
                         "and steel, and their presidents promised to meet again before the end of the year."),
    ("k2", "2025-03-03", "Egypt condemned an air strike near its border with Sudan on Monday."),
    ("k3", "2025-03-04", "Norway and Sweden agreed on Tuesday to build a joint rail link across their northern border, "
                         "and their transport ministers signed the financing plan in Oslo."),
    ("k4", "2025-03-04", "India accused Pakistan of shelling villages along the border on Tuesday. Pakistan denied "
                         "the accusation and summoned the Indian envoy in Islamabad."),
    ("k5", "2025-03-05", "Kenya and Ethiopia signed an agreement on Wednesday to share water from a river on their "
                         "border, and Kenya's president praised Ethiopia for the deal."),
    # a near copy of k1 (dateline) and an exact copy of k2: duplicates of documents of the same run
    ("k6", "2025-03-05", "BRASILIA (Wire) - Brazil and Argentina signed a trade agreement in Brasilia on Monday to cut "
                         "tariffs on cars and steel, and their presidents promised to meet again before the end of "
                         "the year."),
    ("k7", "2025-03-05", "Egypt  condemned an air strike near its border with Sudan on Monday."),
]


def _write_input(folder) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": i, "date": d, "text": t}) for i, d, t in DOCS] + ["{not json"]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(folder / "*.jsonl")


def _args(input_glob, out, *extra) -> list[str]:
    # every coded event is written (the threshold is tested in test_event_quality.py): these tests are about files
    return [f"--input={input_glob}", f"--output={out}", "--batch_size=4", "--min_confidence=0", *extra]


def _subprocess(args, env_extra) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=ROOT, **env_extra)
    return subprocess.Popen([sys.executable, "-m", "pipelines.extract_events", *args], cwd=ROOT, env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _rows(out, table) -> list[dict]:
    return [r for p in commit.committed_files(str(out), table, "parquet") for r in pq.read_table(p).to_pylist()]


def _state(out) -> dict:
    events = _rows(out, "events")
    documents = _rows(out, "documents")
    clusters: dict = {}
    for row in _rows(out, "event_clusters"):
        clusters[row["cluster_id"]] = clusters.get(row["cluster_id"], 0) + row["num_mentions"]
    letters = [json.loads(line) for p in commit.committed_files(str(out), "dead_letter", "jsonl")
               for line in open(p, encoding="utf-8")]
    return {
        "event_ids": sorted(e["event_id"] for e in events),
        "documents": sorted((d["doc_id"], d["duplicate_of"]) for d in documents),
        "clusters": clusters,
        "dead_letters": sorted((l["source"].rsplit("/", 1)[-1], l["line"], l["reason"]) for l in letters),
    }


def _assert_clean_folder(out) -> None:
    """Nothing but committed files, run records and manifests: no temporary file, marker, lease or stray file."""
    on_disk = sorted(p for sub in commit.DATA_ROOTS for p in glob.glob(f"{out}/{sub}/**/*", recursive=True)
                     if os.path.isfile(p))
    hidden = glob.glob(f"{out}/**/.*", recursive=True)
    committed = sorted(p for paths in commit.committed_tables(str(out)).values() for p in paths)
    assert on_disk == committed, "every table file is committed"
    assert hidden == [] and not os.path.exists(f"{out}/_temporary") and not os.path.exists(f"{out}/{LOCK_NAME}")
    assert [os.path.basename(p) for p in glob.glob(f"{out}/_runs/*") if not p.endswith(".json")] == []


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean")
    input_glob = _write_input(root / "in")
    summary = extract_events.run(_args(input_glob, root / "out"))
    assert summary["documents_coded"] == 5 and summary["duplicates"] == 2 and summary["events"] > 5
    state = _state(root / "out")
    assert len(state["event_ids"]) == len(set(state["event_ids"])) and state["clusters"]
    return input_glob, state, root / "out"


def test_a_run_writes_one_file_per_table_format_and_partition(clean):
    _input, _state_, out = clean
    (record,) = commit.run_records(str(out))
    folders = [os.path.dirname(rel) for rel in record["files"]]
    assert len(folders) == len(set(folders)), "one file per table, format and dt partition"
    assert record["summary"]["documents_coded"] == 5 and record["versions"]["apache_beam"]
    assert record["options"]["batch_size"] == 4 and record["duration_seconds"] > 0
    manifest = open(commit.manifest_path(str(out), "events", "avro"), encoding="utf-8").read().split()
    assert manifest == commit.committed_files(str(out), "events", "avro") and manifest
    _assert_clean_folder(out)


@pytest.mark.parametrize("stage", ["events:1", "documents:1", "event_clusters:2"])
def test_a_run_killed_at_a_write_stage_is_repaired_by_the_rerun(clean, tmp_path, stage):
    input_glob, expected, _out = clean
    out = tmp_path / "out"
    killed = _subprocess(_args(input_glob, out), {KILL_HOOK_ENV: stage})
    log, _ = killed.communicate(timeout=600)
    assert killed.returncode == -signal.SIGKILL, log
    table = stage.split(":")[0]
    assert glob.glob(f"{out}/*/{table}/**/*.*", recursive=True), "the killed run had written files of its stage"
    assert commit.committed_files(str(out), "events", "parquet") == [], "nothing of the killed run counts"

    with pytest.raises(LeaseHeld, match="stale lease.*--break_lock"):
        extract_events.run(_args(input_glob, out))

    rerun = subprocess.run([sys.executable, "-m", "pipelines.extract_events", *_args(input_glob, out), "--break_lock"],
                           cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT), capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "broke the stale lease of run" in rerun.stdout and f"pid {killed.pid}" in rerun.stdout
    assert "uncommitted run(s)" in rerun.stdout and "coded again" in rerun.stdout
    state = _state(out)
    assert state == expected
    assert all(doc_id != duplicate_of for doc_id, duplicate_of in state["documents"])
    _assert_clean_folder(out)
    (record,) = commit.run_records(str(out))
    assert record["recovered"]["removed_files"] > 0 and "broke_lease" in record


def test_two_runs_on_one_output_one_refuses(clean, tmp_path):
    input_glob, expected, _out = clean
    out = tmp_path / "out"
    go_on = tmp_path / "go-on"
    first = _subprocess(_args(input_glob, out), {HOLD_HOOK_ENV: str(go_on)})
    try:
        while not os.path.exists(out / LOCK_NAME):  # the first run holds the lease (and waits for go_on)
            assert first.poll() is None, first.communicate()[0]
        with pytest.raises(LeaseHeld, match=f"being written by run .* \\(pid {first.pid}\\)"):
            extract_events.run(_args(input_glob, out, "--break_lock"))  # a live holder's lease is never broken
    finally:
        go_on.write_text("")
    log, _ = first.communicate(timeout=600)
    assert first.returncode == 0, log
    assert _state(out) == expected, "nothing duplicated"
    assert len(commit.run_records(str(out))) == 1
    _assert_clean_folder(out)


def test_lease_is_exclusive_and_reports_its_holder(tmp_path):
    holder = Lease(str(tmp_path), run_id="20250101T000000Z-aaaaaa").acquire()
    try:
        with pytest.raises(LeaseHeld, match=f"20250101T000000Z-aaaaaa.*pid {os.getpid()}"):
            Lease(str(tmp_path), run_id="20250101T000001Z-bbbbbb", break_lock=True).acquire()
    finally:
        holder.release()
    assert not os.path.exists(tmp_path / LOCK_NAME)
    # a holder on another host whose heartbeat is old is stale
    (tmp_path / LOCK_NAME).write_text(json.dumps({"owner": "x", "host": "elsewhere", "pid": 1, "run_id": "r",
                                                  "heartbeat_at": "2020-01-01T00:00:00+00:00"}))
    with pytest.raises(LeaseHeld, match="no heartbeat"):
        Lease(str(tmp_path), run_id="20250101T000002Z-cccccc").acquire()
    taken = Lease(str(tmp_path), run_id="20250101T000002Z-cccccc", break_lock=True).acquire()
    assert "elsewhere" in taken.broken
    taken.release()


def _touch(path) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("x")
    return str(path)


def test_committed_files_recovery_and_manifests_without_beam(tmp_path):
    root = str(tmp_path / "out")
    legacy = _touch(f"{root}/parquet/events/dt=2025-01-01/part-old.parquet")
    assert commit.committed_files(root, "events", "parquet") == [legacy], "an output without run records: all count"
    assert commit.recover(root).adopted_files == 1

    first, dead, third = "20250101T000001Z-aaaaaa", "20250101T000002Z-bbbbbb", "20250101T000003Z-cccccc"
    commit.begin(root, first, kind="extract")
    a = _touch(f"{root}/parquet/events/dt=2025-01-02/part-{first}-00000.parquet")
    d = _touch(f"{root}/dead_letter/dead_letter-{first}-00000.jsonl")
    commit.commit(root, first, kind="extract", files=[a, d], started_at=commit.utc_now())
    commit.begin(root, dead, kind="extract")  # killed: files written, no run record
    b = _touch(f"{root}/parquet/events/dt=2025-01-02/part-{dead}-00000.parquet")
    temp = _touch(f"{root}/avro/events/dt=2025-01-02/.part-{dead}-00000.avro.1a2b3c.tmp")
    assert commit.committed_files(root, "events", "parquet") == sorted([legacy, a]), "an uncommitted run never counts"

    report = commit.recover(root)
    assert report.runs == [dead] and sorted(report.removed_files) == sorted([b, temp])
    assert not os.path.exists(b) and not os.path.exists(temp) and "uncommitted run(s)" in report.message()
    assert not os.path.exists(commit.pending_path(root, dead))

    commit.begin(root, third, kind="replay")  # retires the dead-letter file of the first run
    c = _touch(f"{root}/dead_letter/dead_letter-{third}-00000.jsonl")
    commit.commit(root, third, kind="replay", files=[c], removed=[d], started_at=commit.utc_now())
    assert commit.committed_files(root, "dead_letter", "jsonl") == [c] and not os.path.exists(d)
    with open(commit.manifest_path(root, "dead_letter", "jsonl"), encoding="utf-8") as fh:
        assert fh.read().split() == [c]
    assert [r["run_id"] for r in commit.run_records(root)] == [commit.LEGACY_RUN_ID, first, third]
