"""The end-of-run summary (pipelines/summary.py): counters of a real run, and a missing summary told apart from a
failed metrics query."""
from __future__ import annotations

import io

import apache_beam as beam
import pytest
from apache_beam.metrics import Metrics
from apache_beam.runners.runner import PipelineResult, PipelineState

from pipelines.summary import METRICS_UNAVAILABLE, print_summary, summarize
from transforms.names import NAMESPACE


class _CountRead(beam.DoFn):
    def process(self, element):
        Metrics.counter(NAMESPACE, "documents_read").inc()
        Metrics.counter("someone_else", "documents_read").inc()
        if element % 2:
            Metrics.counter(NAMESPACE, "documents_coded").inc()
        yield element


def _finished_run() -> PipelineResult:
    pipeline = beam.Pipeline(runner="FnApiRunner")
    _ = pipeline | beam.Create([1, 2, 3]) | beam.ParDo(_CountRead())
    result = pipeline.run()
    result.wait_until_finish()
    return result


def test_summary_sums_the_demarche_counters_of_a_real_run_and_accounts_for_every_input():
    summary = summarize(_finished_run(), output="out")
    assert summary["documents_read"] == 3 and summary["documents_coded"] == 2
    assert summary["unaccounted"] == 1  # read, neither coded nor dead-lettered: the summary line warns
    stream = io.StringIO()
    print_summary(summary, output="out", stream=stream)
    assert "demarche: read 3 = coded 2" in stream.getvalue()
    assert "1 input(s) unaccounted for" in stream.getvalue()


def test_a_runner_without_metrics_gives_a_summary_that_says_so():
    summary = summarize(PipelineResult(PipelineState.DONE), output="out")  # Beam's base result: no metrics()
    assert set(summary) == {METRICS_UNAVAILABLE}
    assert "metrics() is not implemented" in summary[METRICS_UNAVAILABLE]
    stream = io.StringIO()
    print_summary(summary, output="out", stream=stream)
    assert stream.getvalue().startswith("demarche: warning: no run summary: PipelineResult.metrics()")


def test_a_failed_metrics_query_is_raised_not_turned_into_an_empty_summary(monkeypatch):
    result = _finished_run()

    class BrokenMetrics:
        def query(self):
            raise RuntimeError("metrics service unreachable")

    monkeypatch.setattr(result, "metrics", lambda: BrokenMetrics())
    with pytest.raises(RuntimeError, match="metrics service unreachable"):
        summarize(result, output="out")
