"""Progress lines of batch runs: the meter (with an injected clock), the up-front input count, the Beam step."""
from __future__ import annotations

import gzip
import io
import json
import os
import re

import apache_beam as beam
import pytest
from apache_beam.pvalue import TaggedOutput
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline

from conftest import SEED
from pipelines import extract_events
from pipelines.options import ExtractEventsOptions, pipeline_options
from transforms import progress
from transforms.progress import ProgressMeter, ReportProgress, count_input_documents


class FakeClock:
    """A clock that advances ``step`` seconds each time it is read (picklable, for DoFns)."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_meter_prints_at_most_every_interval_with_rate_and_eta():
    stream = io.StringIO()
    meter = ProgressMeter(total=10, interval_seconds=10, clock=FakeClock(4), stream=stream, label="pid 1")
    lines = [meter.add() for _ in range(10)]
    # The clock starts at the first document and reads 4 s later at each one: a line is due every third document
    # (12 s >= 10 s) and when the total is reached; the rate is that since the previous line.
    assert [i + 1 for i, line in enumerate(lines) if line] == [4, 7, 10]
    assert lines[3] == "demarche progress [pid 1]: 4/10 documents (40%), 0.2 docs/s, elapsed 0:00:12, ETA 0:00:24"
    assert lines[6] == "demarche progress [pid 1]: 7/10 documents (70%), 0.2 docs/s, elapsed 0:00:24, ETA 0:00:12"
    assert lines[9] == "demarche progress [pid 1]: 10/10 documents (100%), 0.2 docs/s, elapsed 0:00:36"
    assert stream.getvalue().splitlines() == [line for line in lines if line]


def test_meter_without_a_total_has_no_eta():
    meter = ProgressMeter(total=None, interval_seconds=5, clock=FakeClock(10), stream=io.StringIO())
    assert meter.add(20) is None  # the first document starts the clock
    assert meter.add(30) == "demarche progress: 50 documents, 3.0 docs/s, elapsed 0:00:10"


def test_count_input_documents_counts_files_and_jsonl_lines(tmp_path):
    (tmp_path / "a.txt").write_text("date 2025-01-01\nSome text.", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "1", "text": "x"}\n\n{"id": "2", "text": "y"}\n', encoding="utf-8")
    with gzip.open(tmp_path / "c.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps({"id": str(i), "text": "z"}) for i in range(5)) + "\n")
    (tmp_path / ".d.jsonl.tmp").write_text('{"id": "hidden"}\n', encoding="utf-8")
    assert count_input_documents(f"{tmp_path}/*") == 1 + 2 + 5
    (tmp_path / "e.jsonl.gz").write_bytes(b"not gzip at all\n")  # corrupt: one dead letter
    assert count_input_documents(f"{tmp_path}/*") == 1 + 2 + 5 + 1
    (tmp_path / "e.jsonl.gz").unlink()
    os.mkfifo(tmp_path / "f.jsonl")  # never opened (opening a FIFO without a writer would block): one dead letter
    assert count_input_documents(f"{tmp_path}/*") == 1 + 2 + 5 + 1
    (tmp_path / "f.jsonl").unlink()
    assert count_input_documents(f"{tmp_path}/a.txt,{tmp_path}/b.jsonl") == 3
    assert count_input_documents(f"{tmp_path}/*", max_bytes=10) is None  # too big to count: no total


class _ProduceAndLog(beam.DoFn):
    """Stands in for the coding step: logs each record it produces (main or tagged output) to stderr."""

    def process(self, n):
        import sys

        print(f"produced {n}", file=sys.stderr)
        yield TaggedOutput("dead", n) if n % 4 == 3 else n


def test_progress_step_counts_records_as_they_are_produced(capsys):
    """Lines come out between the records (the step is fused with its producer), not after the stage ends."""
    with BeamTestPipeline(runner="FnApiRunner") as p:
        produced = p | beam.Create(range(8)) | beam.ParDo(_ProduceAndLog()).with_outputs("dead", main="coded")
        _ = (produced.coded, produced.dead) | ReportProgress(
            key="test-progress-step", total=8, interval_seconds=10, clock=FakeClock(6)
        )
    log = [line for line in capsys.readouterr().err.splitlines()
           if line.startswith(("produced", "demarche progress"))]
    progress_lines = [i for i, line in enumerate(log) if line.startswith("demarche progress")]
    # The clock starts at the first record and reads 6 s later at each: a line after records 3, 5, 7 and 8 (8/8).
    assert progress_lines == [3, 6, 9, 11]  # produced x3, line, produced x2, line, ...
    assert log[-1].startswith("demarche progress [pid")
    assert re.search(r": 8/8 documents \(100%\)", log[-1])
    assert sum(line.startswith("produced") for line in log) == 8


def _labels(argv) -> set[str]:
    options = pipeline_options(argv)
    pipeline = beam.Pipeline(options=options)
    extract_events.build(pipeline, options.view_as(ExtractEventsOptions), run_id="r")
    return {t.unique_name for t in pipeline.to_runner_api().components.transforms.values()}


@pytest.mark.parametrize("quiet", [False, True])
def test_quiet_turns_progress_off(tmp_path, quiet):
    labels = _labels([f"--input={SEED}", f"--output={tmp_path}"] + (["--quiet"] if quiet else []))
    assert any(label.startswith("Progress") for label in labels) is not quiet


def test_meter_is_shared_by_the_dofns_of_a_process():
    first = progress.process_meter("shared-key", total=3, clock=FakeClock(1), stream=io.StringIO())
    assert progress.process_meter("shared-key") is first
