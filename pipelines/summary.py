"""The end of a run: Beam's counters (``demarche`` namespace) summed into a summary dict and the line that says where
every input went.

``summarize`` tells the two ways a summary can be missing apart: a runner that reports no metrics at all (the
summary then says so under ``metrics_unavailable``; the run's output is fine) and a metrics query that failed (the
error propagates: nothing is hidden).
"""
from __future__ import annotations

import sys
import threading
from typing import TextIO

from apache_beam.runners.runner import PipelineResult

from transforms.names import NAMESPACE

# Summary key present (with the reason) when the runner reports no metrics.
METRICS_UNAVAILABLE = "metrics_unavailable"


def query_counters(result: PipelineResult) -> list | None:
    """``result.metrics().query()["counters"]`` (None when the query has no counters), safe after long runs.

    Beam 2.77's FnApiRunner chains one lazy generator per bundle when it merges metrics, so after a long streaming
    run (hundreds of bundles per stage) the query recurses deeper than Python's default limit. The query runs in a
    helper thread with a large stack and a raised recursion limit, restored afterwards.
    """
    box: dict = {}

    def query() -> None:
        try:
            box["counters"] = result.metrics().query().get("counters")
        except BaseException as err:  # noqa: BLE001 - re-raised in the calling thread
            box["error"] = err

    limit, stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(max(limit, 200_000))
    threading.stack_size(512 * 1024 * 1024)
    try:
        thread = threading.Thread(target=query, name="demarche-metrics")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(stack)
        sys.setrecursionlimit(limit)
    if "error" in box:
        raise box["error"]
    return box["counters"]


def summarize(result: PipelineResult, *, output: str) -> dict:
    """Counters of a finished run (Beam Metrics) summed by name, plus ``accounting``; also printed at the end of a
    batch run.

    result: The finished pipeline's result.
    output: The output folder (for messages).
    RETURNS: The summary; ``{METRICS_UNAVAILABLE: reason}`` when the runner reports no metrics (its result has no
        ``metrics()``, it raises NotImplementedError, or its query has no counters).
    RAISES: Whatever the metrics query raises otherwise (a failed query is an error, not an empty summary).
    """
    runner_result = type(result).__name__
    if not callable(getattr(result, "metrics", None)):
        return {METRICS_UNAVAILABLE: f"{runner_result} has no metrics() (writing {output})"}
    try:
        found = query_counters(result)
    except NotImplementedError as err:
        return {METRICS_UNAVAILABLE: f"{runner_result}.metrics() is not implemented ({str(err) or 'no detail'})"}
    if found is None:
        return {METRICS_UNAVAILABLE: f"{runner_result}.metrics().query() reports no counters"}
    counters: dict = {}
    for counter in found:
        if counter.key.metric.namespace == NAMESPACE:
            name = counter.key.metric.name
            counters[name] = counters.get(name, 0) + counter.committed
    counters.update(accounting(counters))
    return counters


def accounting(counters: dict) -> dict:
    """Where every input unit (file or line) went: ``read = coded + duplicates + already_known + repeated +
    dead_lettered`` (``unaccounted`` is the difference, 0 unless something is wrong).

    already_known: documents already in the output, their re-deliveries (streaming) and inputs whose dead letter an
        earlier run wrote; repeated: lines that lost to a later line with the same id (each has a ``repeated_id``
        dead letter); dead_lettered: every other dead letter written by this run (ingest, NLP, revised texts).
    """
    get = lambda name: counters.get(name, 0)  # noqa: E731
    repeated = get("documents_repeated_id")
    already_known = get("documents_already_known") + get("documents_redelivered") + get("dead_letters_already_known")
    written = (  # dead letters written by this run (an incremental run does not repeat known dead letters)
        get("dead_lettered_ingest") + get("dead_lettered_nlp") + get("documents_revised") + repeated
        - get("dead_letters_already_known")
    )
    duplicates = get("duplicates_exact") + get("duplicates_near")
    terms = dict(
        duplicates=duplicates, already_known=already_known, repeated=repeated, dead_lettered=written,
        dead_lettered_other=written - repeated,
    )
    terms["unaccounted"] = get("documents_read") - (
        get("documents_coded") + duplicates + already_known + repeated + terms["dead_lettered_other"]
    )
    return terms



def summary_line(summary: dict, *, output: str) -> str:
    """The end-of-run line: where every input went."""
    get = lambda name: summary.get(name, 0)  # noqa: E731
    line = (
        f"demarche: read {get('documents_read')} = coded {get('documents_coded')} + duplicates {get('duplicates')} "
        f"(exact {get('duplicates_exact')}, near {get('duplicates_near')}) + already known {get('already_known')} "
        f"+ repeated ids {get('repeated')} + dead-lettered {get('dead_lettered_other')} "
        f"(revised texts {get('documents_revised')}); {get('dead_lettered')} dead letters written; "
        f"{get('sentences')} sentences ({get('sentences_parsed')} parsed), {get('events')} events "
        f"({get('events_below_min_confidence')} more below --min_confidence, not written) -> {output}"
    )
    if get("unaccounted"):
        line += f"\ndemarche: warning: {get('unaccounted')} input(s) unaccounted for (please report this)"
    return line


def print_summary(summary: dict, *, output: str, stream: TextIO | None = None) -> None:
    """Print the end-of-run line (or why there is none) and the warning about undated documents."""
    stream = stream or sys.stdout
    if METRICS_UNAVAILABLE in summary:
        print(f"demarche: warning: no run summary: {summary[METRICS_UNAVAILABLE]} -> {output}", file=stream)
        return
    print(summary_line(summary, output=output), file=stream)
    undated = summary.get("documents_coded_undated", 0)
    if undated:
        print(
            f"demarche: warning: {undated} document(s) were coded without a date: their relative dates "
            "(\"Thursday\", \"next week\") could not be resolved and they are filed under the run's date "
            "(seed files start with 'date YYYY-MM-DD'; JSON Lines have a 'date' field)", file=stream,
        )
