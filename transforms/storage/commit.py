"""Atomic commits of a run's files: which files of an output folder count (plain Python, no Beam).

A run writes its data files under their final names (``OUT/<fmt>/<table>/dt=.../part-<run_id>-NNNNN.<fmt>``,
``OUT/dead_letter/dead_letter-<run_id>-NNNNN.jsonl``, ...), then commits them all at once by writing its **run
record** ``OUT/_runs/<run_id>.json`` last, atomically (a local file is written aside and renamed; a GCS object
appears whole). A file counts only when a run record lists it under ``files`` and no later record lists it under
``removed`` (``aggregate_events`` replaces ``dyad_day`` that way; ``replay`` retires the dead-letter files it
reprocessed). Every reader — incremental runs, ``aggregate_events``, ``demarche query``/``show``, the warehouse
manifests — asks :func:`committed_files`.

A run announces itself with a marker ``OUT/_runs/<run_id>.pending`` before it writes anything. A marker without a
run record is a run that died: :func:`recover` (called by the next run, under the output's lease) removes that run's
files and its marker, and says which. Outputs written before run records existed are adopted once (their files are
listed in a ``legacy`` record).

The run record also holds the run's summary counts, options, start, end, duration and the versions of demarche,
Beam, spaCy and the model: ``OUT/_runs/`` is the run history a scheduler or a person can read.

``OUT/_manifests/<fmt>/<table>.txt`` lists the committed files of each table, one URI per line, rewritten after
every commit: what ``bq load --file_set_spec_type=NEW_LINE_DELIMITED_MANIFEST`` takes.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import posixpath
import re
import uuid
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from transforms.storage.files import (
    atomic_write,
    delete_files,
    exists,
    is_local,
    join,
    list_files,
    local_path,
    read_bytes,
    relative,
    remove_empty_dirs,
)

RUNS_DIR = "_runs"
MANIFESTS_DIR = "_manifests"
INDEX_DIR = "_index"  # transforms/storage/known_index.py
TEMP_DIR = "_temporary"  # Beam's WriteToFiles staging (streaming); never part of a table
PENDING_SUFFIX = ".pending"
RECORD_SUFFIX = ".json"
DATA_ROOTS = ("parquet", "avro", "dead_letter")
LEGACY_RUN_ID = "00000000T000000Z-legacy"
_RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-z]+")
_LOGGER = logging.getLogger("demarche")


# --------------------------------------------------------------------------------------------------- run records
def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_run_id() -> str:
    """Sortable, unique id for one pipeline run: ``20250617T101500Z-1a2b3c``."""
    return utc_now().strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def run_record_path(root: str, run_id: str) -> str:
    return join(root, RUNS_DIR, run_id + RECORD_SUFFIX)


def pending_path(root: str, run_id: str) -> str:
    return join(root, RUNS_DIR, run_id + PENDING_SUFFIX)


def run_records(root: str) -> list[dict]:
    """The committed run records of ``root``, oldest first."""
    records = []
    for path in list_files(join(root, RUNS_DIR), recursive=False):
        name = posixpath.basename(path)
        if name.startswith(".") or not name.endswith(RECORD_SUFFIX):
            continue
        try:
            data = read_bytes(path)
        except FileNotFoundError:  # removed since the listing
            continue
        try:
            records.append(json.loads(data))
        except ValueError as err:  # written atomically, so a file that is not JSON is someone else's
            _LOGGER.warning("ignoring a run record that is not JSON %s: %s", path, err)
    return sorted(records, key=lambda r: (r.get("committed_at") or "", r.get("run_id") or ""))


def table_of(rel_path: str) -> tuple[str, str]:
    """(table, fmt) of a file path relative to the output root."""
    parts = rel_path.split("/")
    if parts[0] == "dead_letter":
        return "dead_letter", "jsonl"
    return parts[1], parts[0]


def committed_relpaths(root: str, records: Optional[list[dict]] = None) -> list[str]:
    """All committed files of ``root`` (relative paths): listed by a run record and not removed by a later one."""
    if records is None:
        if not has_run_records(root):  # written before run records existed, or by another tool: all files count
            return sorted(relative(root, p) for sub in DATA_ROOTS for p in list_files(join(root, sub))
                          if not posixpath.basename(p).startswith("."))
        records = run_records(root)
    added: dict[str, None] = {}
    removed: set[str] = set()
    for record in records:
        for rel in record.get("files", ()):
            added[rel] = None
        removed.update(record.get("removed", ()))
    return sorted(rel for rel in added if rel not in removed)


def committed_files(root: str, table: str, fmt: str) -> list[str]:
    """The committed files of one table of an output folder, as full paths (sorted; empty when none).

    root: Output folder (local path or gs://...).
    table: Table name: events, documents, event_clusters, dyad_day, document_signatures or dead_letter.
    fmt: "parquet", "avro", or "jsonl" (dead_letter).

    Files of a run that has not committed (still running, or killed) are never returned. This is the one function
    every reader of an output folder uses. (A folder without ``_runs/`` — written before run records existed, or by
    another tool — has all its files counted.)
    """
    return [join(root, rel) for rel in committed_relpaths(root) if table_of(rel) == (table, fmt)]


def committed_tables(root: str) -> dict[tuple[str, str], list[str]]:
    """{(table, fmt): [full paths]} of every committed file."""
    tables: dict[tuple[str, str], list[str]] = {}
    for rel in committed_relpaths(root):
        tables.setdefault(table_of(rel), []).append(join(root, rel))
    return tables


def has_run_records(root: str) -> bool:
    return bool(list_files(join(root, RUNS_DIR), recursive=False))


def versions(spacy_model: Optional[str] = None) -> dict[str, Optional[str]]:
    """Versions of demarche, Apache Beam, spaCy and the model (without loading the model)."""
    from importlib import metadata

    def version(dist: str) -> Optional[str]:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    found = {"demarche": version("demarche"), "apache_beam": version("apache-beam"), "spacy": version("spacy")}
    if spacy_model:
        found["model"] = spacy_model
        found["model_version"] = version(spacy_model.replace("_", "-"))
    return found


# --------------------------------------------------------------------------------------------------- a run
@dataclass
class Recovery:
    """What :func:`recover` found and removed."""

    runs: list[str] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)
    adopted_files: int = 0

    def message(self) -> str:
        parts = []
        if self.runs:
            parts.append(
                f"removed {len(self.removed_files)} files of {len(self.runs)} uncommitted run(s) "
                f"({', '.join(self.runs)}; killed or failed before their commit); their documents are coded again"
            )
        if self.adopted_files:
            parts.append(f"adopted {self.adopted_files} files of an output written before run records existed")
        return "; ".join(parts)


def _run_id_in(name: str) -> Optional[str]:
    found = _RUN_ID.search(name)
    return found.group(0) if found else None


def recover(root: str) -> Recovery:
    """Remove what runs that did not commit left in ``root`` (call it holding the output's lease).

    * every ``_runs/<run_id>.pending`` without a run record: the run's files (any file of the tables whose name
      holds the run id and that no run record lists) and the marker are removed;
    * ``_temporary/`` (Beam's staging) and leftover dotfiles ``.*.tmp`` are removed;
    * an output without ``_runs/`` but with table files is adopted: one ``legacy`` record lists them.
    """
    report = Recovery()
    runs_dir = join(root, RUNS_DIR)
    entries = list_files(runs_dir, recursive=False)
    names = {posixpath.basename(p) for p in entries}
    dead = sorted(
        n[: -len(PENDING_SUFFIX)] for n in names
        if n.endswith(PENDING_SUFFIX) and n[: -len(PENDING_SUFFIX)] + RECORD_SUFFIX not in names
    )
    dead_ids = set(dead)
    stale_markers = [  # markers and file lists of runs that committed (or died): only run records stay
        p for p in entries if not p.endswith(RECORD_SUFFIX) and not posixpath.basename(p).startswith(".")
        and (posixpath.basename(p).split(".")[0] + RECORD_SUFFIX in names or posixpath.basename(p).split(".")[0] in dead_ids)
    ]
    temp_files = [p for p in entries if posixpath.basename(p).startswith(".") and p.endswith(".tmp")]
    data_files = [p for sub in DATA_ROOTS for p in list_files(join(root, sub))] if dead or not entries else []
    if dead:
        data_files += list_files(join(root, INDEX_DIR), recursive=False)  # index segments of dead runs
    if dead:
        committed = set(committed_relpaths(root))
        doomed = [
            p for p in data_files
            if relative(root, p) not in committed and _run_id_in(posixpath.basename(p)) in dead_ids
        ]
        report.runs = dead
        report.removed_files = doomed
        delete_files(doomed)
    elif not entries:
        legacy = [relative(root, p) for p in data_files
                  if not posixpath.basename(p).startswith(".") and not relative(root, p).startswith(INDEX_DIR)]
        if legacy:
            atomic_write(
                run_record_path(root, LEGACY_RUN_ID),
                _dumps({"run_id": LEGACY_RUN_ID, "kind": "legacy", "committed_at": utc_now().isoformat(),
                        "files": sorted(legacy), "removed": []}),
            )
            report.adopted_files = len(legacy)
    if entries:  # files retired by the latest commits but not yet deleted (a kill right after a commit)
        leftovers = [join(root, rel) for record in run_records(root)[-5:] for rel in record.get("removed", ())]
        delete_files([p for p in leftovers if exists(p)])
    delete_files(stale_markers + temp_files)
    temp = join(root, TEMP_DIR)
    leftovers = list_files(temp)
    if leftovers:
        delete_files(leftovers)
        report.removed_files += leftovers
    remove_empty_dirs(temp)
    for sub in DATA_ROOTS:
        if dead:
            remove_empty_dirs(join(root, sub))
    return report


def begin(root: str, run_id: str, *, kind: str) -> None:
    """Announce a run before it writes anything (``_runs/<run_id>.pending``)."""
    atomic_write(pending_path(root, run_id), _dumps({"run_id": run_id, "kind": kind, "started_at": utc_now().isoformat(),
                                                      "host": os.uname().nodename, "pid": os.getpid()}))


def abort(root: str, run_id: str, files: Iterable[str] = ()) -> int:
    """A run that failed (but whose process is alive): remove its files and its marker; returns how many files."""
    doomed = list(files) + [p for sub in DATA_ROOTS for p in list_files(join(root, sub))
                            if _run_id_in(posixpath.basename(p)) == run_id]
    doomed = sorted(set(doomed))
    delete_files(doomed + [pending_path(root, run_id), join(root, RUNS_DIR, run_id + ".written")])
    return len(doomed)


def sweep_strays(root: str, run_id: str, files: Sequence[str]) -> list[str]:
    """Files of ``run_id`` in the folders the run wrote that the run did not report (a retried bundle's leftovers):
    removed before the commit so that no file of the run is both on disk and outside the record."""
    listed = set(files)
    folders = sorted({posixpath.dirname(f) if not is_local(f) else os.path.dirname(local_path(f)) for f in files})
    strays = [p for folder in folders for p in list_files(folder, recursive=False)
              if _run_id_in(posixpath.basename(p)) == run_id and p not in listed and local_path(p) not in listed]
    delete_files(strays)
    return strays


def commit(
    root: str,
    run_id: str,
    *,
    kind: str,
    files: Sequence[str],
    removed: Sequence[str] = (),
    started_at: dt.datetime,
    summary: Optional[dict] = None,
    options: Optional[dict] = None,
    spacy_model: Optional[str] = None,
    extra: Optional[dict] = None,
) -> dict:
    """Commit a run: write its run record (atomically, last), then remove its marker and refresh the manifests.

    files: Full paths of every file the run wrote (all tables).
    removed: Full paths of committed files this run replaces (they stop counting now; deleted afterwards).
    Returns the record.
    """
    ended = utc_now()
    record = {
        "run_id": run_id,
        "kind": kind,
        "status": "committed",
        "started_at": started_at.isoformat(),
        "ended_at": ended.isoformat(),
        "committed_at": ended.isoformat(),
        "duration_seconds": round((ended - started_at).total_seconds(), 3),
        "host": os.uname().nodename,
        "pid": os.getpid(),
        "versions": versions(spacy_model),
        "options": options or {},
        "summary": summary or {},
        "files": sorted(relative(root, f) for f in files),
        "removed": sorted(relative(root, f) for f in removed),
        **(extra or {}),
    }
    record["tables"] = _table_counts(record["files"])
    atomic_write(run_record_path(root, run_id), _dumps(record))
    delete_files([pending_path(root, run_id), join(root, RUNS_DIR, run_id + ".written")])
    if removed:
        delete_files(list(removed))
    write_manifests(root)
    return record


def _table_counts(rel_paths: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rel in rel_paths:
        table, fmt = table_of(rel)
        counts[f"{fmt}/{table}"] = counts.get(f"{fmt}/{table}", 0) + 1
    return dict(sorted(counts.items()))


def manifest_path(root: str, table: str, fmt: str) -> str:
    return join(root, MANIFESTS_DIR, fmt, f"{table}.txt")


def write_manifests(root: str) -> list[str]:
    """Rewrite ``_manifests/<fmt>/<table>.txt`` (committed files, one URI per line) for every table; returns them."""
    written = []
    tables = committed_tables(root)
    for path in list_files(join(root, MANIFESTS_DIR)):  # tables that no longer have files get an empty manifest
        parts = path.replace("\\", "/").split("/")
        tables.setdefault((parts[-1][: -len(".txt")], parts[-2]), [])
    for (table, fmt), paths in sorted(tables.items()):
        target = manifest_path(root, table, fmt)
        atomic_write(target, "".join(p + "\n" for p in paths).encode("utf-8"))
        written.append(target)
    return written


def _dumps(record: dict) -> bytes:
    return (json.dumps(record, indent=1, sort_keys=False, default=_json_default) + "\n").encode("utf-8")


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)

