"""Portability: the job runs through Beam's portable job service with an external worker pool (127.0.0.1).

This is the Fn API protocol that Dataflow, Flink and Spark workers speak: the DoFns, the shared model handle and the
sinks must work in separate worker processes, not only in the in-process runner.
"""
from __future__ import annotations

import glob
import json
import subprocess
import sys

import fastavro
import pytest

from conftest import ROOT, SEED


@pytest.mark.slow
def test_seed_through_portable_runner_and_external_workers(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "portable_check.py"), f"--input={SEED}", f"--output={out}"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    report = json.loads(proc.stdout[proc.stdout.index("{"):])
    events = []
    for path in glob.glob(f"{out}/avro/events/dt=2025-06-17/*.avro"):
        with open(path, "rb") as handle:
            events.extend(fastavro.reader(handle))
    assert events and report["counters"]["events"] == len(events)
    assert {e["doc_id"] for e in events} == {"japan_korea_60th_anniversary"}
    assert not glob.glob(f"{out}/_temporary/**/*", recursive=True)
