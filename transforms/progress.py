"""Progress of a batch run on stderr: documents handled, rate, and an ETA when the input size is known.

The job counts its input units before it starts (:func:`count_input_documents`: one per file, one per non-blank
line of a JSON Lines file) and every worker process prints, at most every ``interval_seconds``, a line such as::

    demarche progress [pid 4242]: 120/295 documents (41%), 3.2 docs/s, ETA 0:00:55

A document is "handled" when its ``documents`` record (coded or duplicate) or its dead letter is produced. Documents
that an incremental run skips because the output already holds them are never handled, so for such runs the ETA is
an upper bound. The counts are per worker process (all DoFn instances of a process share one meter); with several
worker processes each reports its own share.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from typing import Callable, Optional, TextIO

import apache_beam as beam

from transforms.records import ingest
from transforms.option_values import split_list

DEFAULT_INTERVAL_SECONDS = 10.0
# Above this many input bytes the up-front count is skipped (progress is then reported without an ETA).
MAX_COUNTED_BYTES = 2_000_000_000


def count_input_documents(pattern: str, *, max_bytes: int = MAX_COUNTED_BYTES) -> Optional[int]:
    """Number of input units behind the comma-separated local globs ``pattern``: one per file, one per non-blank
    line of a JSON Lines file (gzipped or not). Paths are matched as the job matches them (dotfiles ignored; special
    files such as FIFOs are never opened and count one, their dead letter). A file that breaks while it is read
    (e.g. a corrupt gzip) counts the lines read so far plus one. None (progress without a total) for remote input
    (``gs://``: counting would read it all) or more than ``max_bytes``. Never raises: progress must not stop a run."""
    from transforms import sources

    try:
        parts = split_list(pattern)
        if not all(sources.is_local(part) for part in parts):
            return None
        found = sorted({item for part in parts for item in sources.match_pattern(part)})
        if sum(os.path.getsize(path) for path, problem in found if problem is None) > max_bytes:
            return None
        return sum(1 if problem is not None else _units_in(path) for path, problem in found)
    except Exception:  # noqa: BLE001 - the job reports unreadable input itself
        return None


def _units_in(path: str) -> int:
    from transforms import sources

    if not ingest.is_jsonl_path(path):
        return 1
    lines = 0
    try:
        with sources.open_input(path) as raw, ingest._decompressed(raw, path) as handle:
            for line in handle:
                lines += bool(line.strip())
    except Exception:  # noqa: BLE001 - corrupt or unreadable: the job dead-letters the rest
        return lines + 1
    return lines


def format_duration(seconds: float) -> str:
    return str(dt.timedelta(seconds=round(max(seconds, 0.0))))


class ProgressMeter:
    """Counts handled documents and prints a progress line at most every ``interval_seconds`` (and when the total
    is reached).

    total: Input units expected (None when unknown: no percentage, no ETA).
    interval_seconds: Minimum time between two lines.
    clock: Monotonic clock in seconds (injected by tests).
    stream: Where lines go (default: ``sys.stderr`` at the time of writing).
    label: Who reports (e.g. ``pid 4242``).
    """

    def __init__(
        self,
        *,
        total: Optional[int] = None,
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        stream: Optional[TextIO] = None,
        label: str = "",
    ) -> None:
        self.total = total
        self.interval_seconds = interval_seconds
        self.clock = clock
        self.stream = stream
        self.label = label
        self.done = 0
        self.start: Optional[float] = None  # the first document, not the set-up: model loading is not counted
        self.last_report = 0.0
        self.last_done = 0
        self._lock = threading.Lock()

    def line(self, now: float) -> str:
        """The progress line at time ``now``; the rate (and ETA) is that since the previous line."""
        start = self.start if self.start is not None else now
        elapsed = now - start
        rate = (self.done - self.last_done) / max(now - self.last_report, 1e-9)
        who = f" [{self.label}]" if self.label else ""
        if self.total:
            text = f"demarche progress{who}: {self.done}/{self.total} documents ({100 * self.done // self.total}%)"
        else:
            text = f"demarche progress{who}: {self.done} documents"
        text += f", {rate:.1f} docs/s, elapsed {format_duration(elapsed)}"
        if self.total and rate > 0 and self.done < self.total:
            text += f", ETA {format_duration((self.total - self.done) / rate)}"
        return text

    def add(self, count: int = 1) -> Optional[str]:
        """Count ``count`` handled documents; returns the line printed, if one was due."""
        with self._lock:
            self.done += count
            now = self.clock()
            if self.start is None:  # the first documents start the clock; the rate counts those after them
                self.start, self.last_report, self.last_done = now, now, self.done
            finished = self.total is not None and self.done == self.total
            if not finished and now - self.last_report < self.interval_seconds:
                return None
            text = self.line(now)
            self.last_report, self.last_done = now, self.done
        stream = self.stream or sys.stderr
        print(text, file=stream, flush=True)
        return text


_METERS: dict[str, ProgressMeter] = {}
_METERS_LOCK = threading.Lock()


def process_meter(key: str, **kwargs) -> ProgressMeter:
    """The meter of run ``key`` in this process, created on first use (one per worker process)."""
    with _METERS_LOCK:
        if key not in _METERS:
            _METERS[key] = ProgressMeter(label=f"pid {os.getpid()}", **kwargs)
        return _METERS[key]


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
