"""The progress meter of a batch run (plain Python, no Beam; ``transforms/progress.py`` feeds it from the pipeline):
documents handled, rate, and an ETA when the input size is known, printed on stderr at most every
``interval_seconds``. One meter per run and worker process (:func:`process_meter`)."""
from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from typing import Callable, Optional, TextIO

DEFAULT_INTERVAL_SECONDS = 10.0


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
