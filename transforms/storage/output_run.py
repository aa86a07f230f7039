"""One run writing into an output folder, start to commit (plain Python, no Beam): what every job's ``run()`` does
around its pipeline.

    with OutputRun(output, run_id=run_id, kind="extract", break_lock=..., say=print) as out:
        ... build and run the pipeline ...
        out.commit(files=..., summary=..., options=...)

On entry: take the output's lease (``transforms/storage/lease.py``; a second run refuses, naming the holder), report a
broken stale lease, remove what runs that never committed left behind (``commit.recover``, reported), and mark this
run as started (``_runs/<run_id>.pending``). ``commit`` writes the known-documents index segment
(``transforms/storage/known_index.py``) and the run record (the atomic commit). On an exception
the run's files are removed (``commit.abort``). The lease is released in every case; a run killed outright leaves
its lease and marker, which the next run (with ``--break_lock``) cleans up.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from typing import Callable, Optional, Sequence

from transforms.storage import commit, known_index
from transforms.storage import files as fs
from transforms.storage.lease import DEFAULT_STALE_SECONDS, Lease


# Test-only: with this variable set to a path, a run that holds the lease waits until that path exists before it
# goes on (tests/test_commit.py starts a second run against a holder that is certainly alive).
HOLD_HOOK_ENV = "DEMARCHE_TEST_HOLD_LEASE_UNTIL"


def _hold_hook() -> None:
    path = os.environ.get(HOLD_HOOK_ENV)
    while path and not os.path.exists(path):
        time.sleep(0.05)


class OutputRun:
    """The lease, recovery, marker and commit of one run.

    root: Output folder.
    run_id: The run's id.
    kind: "extract", "aggregate", "replay" (in the run record).
    break_lock: Break a stale lease.
    stale_seconds: Heartbeat age after which a holder on another host is dead.
    say: Where the run reports what it broke or recovered (e.g. print).
    """

    def __init__(self, root: str, *, run_id: str, kind: str, break_lock: bool = False,
                 stale_seconds: float = DEFAULT_STALE_SECONDS, say: Callable[[str], None] = print,
                 spacy_model: Optional[str] = None) -> None:
        self.root = root.rstrip("/")
        self.run_id = run_id
        self.kind = kind
        self.say = say
        self.spacy_model = spacy_model
        self.started_at: dt.datetime = commit.utc_now()
        self.lease = Lease(self.root, run_id=run_id, break_lock=break_lock, stale_seconds=stale_seconds)
        self.recovery: Optional[commit.Recovery] = None
        self.record: Optional[dict] = None

    def __enter__(self) -> "OutputRun":
        self.lease.acquire()
        try:
            if self.lease.broken:
                self.say(f"demarche: broke the stale lease of {self.lease.broken}")
            self.recovery = commit.recover(self.root)
            if self.recovery.message():
                self.say(f"demarche: {self.recovery.message()}")
            commit.begin(self.root, self.run_id, kind=self.kind)
            _hold_hook()
        except BaseException:
            self.lease.release()
            raise
        return self

    def commit(self, *, files: Sequence[str], removed: Sequence[str] = (), summary: Optional[dict] = None,
               options: Optional[dict] = None, extra: Optional[dict] = None) -> dict:
        """Commit the run's ``files`` (every table at once); ``removed`` committed files stop counting."""
        strays = commit.sweep_strays(self.root, self.run_id, files)
        notes = dict(extra or {})
        if self.lease.broken:
            notes["broke_lease"] = self.lease.broken
        if self.recovery is not None and self.recovery.runs:
            notes["recovered"] = {"runs": self.recovery.runs, "removed_files": len(self.recovery.removed_files)}
        if strays:
            notes["removed_strays"] = len(strays)
        index_fields, stale_segments = known_index.update(self.root, self.run_id, new_files=files, removed=removed)
        notes.update(index_fields)
        self.record = commit.commit(
            self.root, self.run_id, kind=self.kind, files=files, removed=removed, started_at=self.started_at,
            summary=summary, options=options, spacy_model=self.spacy_model, extra=notes,
        )
        fs.delete_files(stale_segments)
        return self.record

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None and self.record is None:
                removed = commit.abort(self.root, self.run_id)
                self.say(f"demarche: the run failed; removed its {removed} uncommitted files")
        finally:
            self.lease.release()
