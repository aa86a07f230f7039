"""Progress of a batch run on stderr: documents handled, rate, and an ETA when the input size is known.

The job counts its input units before it starts (``transforms.storage.inputs.count_input_documents``: one per file, one per non-blank
line of a JSON Lines file) and every worker process prints, at most every ``interval_seconds``, a line such as::

    demarche progress [pid 4242]: 120/295 documents (41%), 3.2 docs/s, ETA 0:00:55

A document is "handled" when its ``documents`` record (coded or duplicate) or its dead letter is produced. Documents
that an incremental run skips because the output already holds them are never handled, so for such runs the ETA is
an upper bound. The counts are per worker process (all DoFn instances of a process share one meter); with several
worker processes each reports its own share.
"""
from __future__ import annotations

import os
import time
from typing import Callable, Optional

import apache_beam as beam

from transforms.records.progress import DEFAULT_INTERVAL_SECONDS, process_meter


class ProgressFn(beam.DoFn):
    """Counts every element it sees on the process's meter for ``key``; emits nothing.

    key: The run id (several DoFn instances of one run and process share one meter).
    total: Input units expected for this worker (None when unknown).
    interval_seconds: Minimum time between two lines.
    clock: Monotonic clock (injected by tests).
    """

    def __init__(
        self, *, key: str, total: Optional[int], interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = key
        self.total = total
        self.interval_seconds = interval_seconds
        self.clock = clock

    def setup(self) -> None:
        self.meter = process_meter(
            self.key, total=self.total, interval_seconds=self.interval_seconds, clock=self.clock
        )

    def process(self, element) -> None:
        self.meter.add(1)


def worker_processes(options) -> int:
    """How many local worker processes share the input (``--direct_num_workers`` in multi_processing mode)."""
    from apache_beam.options.pipeline_options import DirectOptions

    direct = options.view_as(DirectOptions)
    if direct.direct_running_mode == "multi_processing":
        return direct.direct_num_workers or os.cpu_count() or 1
    return 1


class ReportProgress(beam.PTransform):
    """Progress lines on stderr for a tuple of PCollections of handled documents; a sink with no output.

    Each PCollection gets its own counting step (no Flatten), so the step is fused with the stage producing the
    records and counts them as they are produced, not after the stage ends.

    key: The run id.
    total: Input units of the whole run (None when unknown).
    workers: Worker processes sharing the input (each reports its share).
    interval_seconds: Minimum time between two lines of a worker.
    clock: Monotonic clock (injected by tests).
    """

    def __init__(
        self, *, key: str, total: Optional[int], workers: int = 1,
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        share = None if total is None else -(-total // max(workers, 1))
        self.fn = ProgressFn(key=key, total=share, interval_seconds=interval_seconds, clock=clock)

    def expand(self, pcollections):
        for index, pcollection in enumerate(pcollections):
            pcollection | f"Count{index}" >> beam.ParDo(self.fn)
        return beam.pvalue.PDone(pcollections[0].pipeline)
