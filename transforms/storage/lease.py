"""One writer at a time: a lease object ``OUT/_lock.json`` (plain Python, no Beam).

The lease holds the owner (user), host, pid, run id, start time and a heartbeat that the holder refreshes every
``HEARTBEAT_SECONDS``. It is created atomically, so two runs cannot both get it:

* local disk: the record is written to a dotfile and hard-linked to ``_lock.json`` (``link`` fails when the name
  exists; the lease is never seen half-written);
* GCS: the object is uploaded with the precondition ``if_generation_match=0`` (only if no such object exists);
  refreshes and the release use the generation the holder last wrote, so a broken-then-retaken lease is never
  overwritten by its former holder.

A second run refuses with :class:`LeaseHeld` naming the holder. A lease whose holder is dead (same host and its pid
is gone, or a heartbeat older than ``stale_seconds``) is *stale*: ``--break_lock`` removes it and the run reports
that it did. A live holder's lease is never broken.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import os
import threading
import uuid
from typing import Optional

from transforms.coding.errors import DemarcheError, LeaseHeld
from transforms.storage.commit import utc_now
from transforms.storage.files import is_local, join, local_path

LOCK_NAME = "_lock.json"
HEARTBEAT_SECONDS = 30.0
DEFAULT_STALE_SECONDS = 300.0
_LOGGER = logging.getLogger("demarche")


def describe_holder(holder: dict) -> str:
    return (f"run {holder.get('run_id')} of {holder.get('owner')} on host {holder.get('host')} (pid {holder.get('pid')}), "
            f"started {holder.get('started_at')}, last heartbeat {holder.get('heartbeat_at')}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(holder: dict, *, stale_seconds: float, now: Optional[dt.datetime] = None) -> tuple[bool, str]:
    """(stale?, why) for a lease record."""
    if holder.get("host") == os.uname().nodename and isinstance(holder.get("pid"), int):
        if not _pid_alive(holder["pid"]):
            return True, f"its process {holder['pid']} is not running on this host"
        return False, f"its process {holder['pid']} is running on this host"
    try:
        beat = dt.datetime.fromisoformat(holder["heartbeat_at"])
    except (KeyError, TypeError, ValueError):
        return True, "the lease record is unreadable"
    age = ((now or utc_now()) - beat).total_seconds()
    if age > stale_seconds:
        return True, f"no heartbeat for {age:.0f} s (more than {stale_seconds:.0f} s)"
    return False, f"its last heartbeat is {age:.0f} s old"


class _Store:
    """Create-if-absent / read / replace-if-mine / delete-if-mine of one small object."""

    def __init__(self, path: str) -> None:
        self.path = path

    def create(self, data: bytes) -> bool:
        raise NotImplementedError

    def read(self) -> Optional[dict]:
        raise NotImplementedError

    def replace(self, data: bytes) -> bool:
        raise NotImplementedError

    def delete(self, *, generation=None) -> None:
        raise NotImplementedError


class _LocalStore(_Store):
    def create(self, data: bytes) -> bool:
        path = local_path(self.path)
        folder = os.path.dirname(path) or "."
        os.makedirs(folder, exist_ok=True)
        temp = os.path.join(folder, f".{LOCK_NAME}.{uuid.uuid4().hex[:8]}.tmp")
        with open(temp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)
            return True
        except FileExistsError:
            return False
        finally:
            os.remove(temp)

    def read(self) -> Optional[dict]:
        try:
            with open(local_path(self.path), "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return {}

    def replace(self, data: bytes) -> bool:
        path = local_path(self.path)
        temp = os.path.join(os.path.dirname(path), f".{LOCK_NAME}.{uuid.uuid4().hex[:8]}.tmp")
        with open(temp, "wb") as fh:
            fh.write(data)
        os.replace(temp, path)
        return True

    def delete(self, *, generation=None) -> None:
        try:
            os.remove(local_path(self.path))
        except FileNotFoundError:
            pass


class _GcsStore(_Store):
    """google-cloud-storage with generation preconditions."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        from google.cloud import storage

        bucket, _, name = path[len("gs://"):].partition("/")
        self.blob = storage.Client().bucket(bucket).blob(name)
        self.generation: Optional[int] = None

    def create(self, data: bytes) -> bool:
        from google.api_core.exceptions import PreconditionFailed

        try:
            self.blob.upload_from_string(data, content_type="application/json", if_generation_match=0)
        except PreconditionFailed:
            return False
        self.generation = self.blob.generation
        return True

    def read(self) -> Optional[dict]:
        from google.api_core.exceptions import NotFound

        try:
            raw = self.blob.download_as_bytes()
        except NotFound:
            return None
        self.read_generation = self.blob.generation
        try:
            return json.loads(raw)
        except ValueError:
            return {}

    def replace(self, data: bytes) -> bool:
        from google.api_core.exceptions import PreconditionFailed

        try:
            self.blob.upload_from_string(data, content_type="application/json", if_generation_match=self.generation)
        except PreconditionFailed:
            return False
        self.generation = self.blob.generation
        return True

    def delete(self, *, generation=None) -> None:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        try:
            self.blob.delete(if_generation_match=generation or self.generation)
        except (NotFound, PreconditionFailed):
            pass


def _store(path: str) -> _Store:
    if is_local(path):
        return _LocalStore(path)
    if path.startswith("gs://"):
        return _GcsStore(path)
    raise DemarcheError(f"no atomic lease for {path!r}: use a local folder or gs://")


class Lease:
    """The output folder's lease, held by this process while a run writes.

    root: Output folder.
    run_id: The run taking the lease.
    break_lock: Break a stale lease (holder dead) instead of refusing.
    stale_seconds: A holder on another host without a heartbeat for this long is dead.
    """

    def __init__(self, root: str, *, run_id: str, break_lock: bool = False,
                 stale_seconds: float = DEFAULT_STALE_SECONDS, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.root = root
        self.path = join(root, LOCK_NAME)
        self.run_id = run_id
        self.break_lock = break_lock
        self.stale_seconds = stale_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.broken: Optional[str] = None  # description of the stale lease this run broke
        self._store = _store(self.path)
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        try:
            owner = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name in some containers
            owner = str(os.getuid())
        now = utc_now().isoformat()
        self.record = {"owner": owner, "host": os.uname().nodename, "pid": os.getpid(), "run_id": run_id,
                       "started_at": now, "heartbeat_at": now}

    def _data(self) -> bytes:
        return (json.dumps(self.record, indent=1) + "\n").encode("utf-8")

    def acquire(self) -> "Lease":
        if not self._store.create(self._data()):
            holder = self._store.read()
            if holder is None:  # released in between
                return self.acquire()
            stale, why = is_stale(holder, stale_seconds=self.stale_seconds)
            if not stale:
                raise LeaseHeld(f"{self.root} is being written by {describe_holder(holder)} ({why}); one writer at "
                                "a time: wait for it to finish")
            if not self.break_lock:
                raise LeaseHeld(f"{self.root} holds a stale lease {self.path}: {describe_holder(holder)}; {why}. "
                                "If that run is dead, rerun with --break_lock to break the lease (its uncommitted "
                                "files are then removed)")
            self.broken = f"{describe_holder(holder)} ({why})"
            self._store.delete(generation=getattr(self._store, "read_generation", None))
            if not self._store.create(self._data()):
                holder = self._store.read() or {}
                raise LeaseHeld(f"{self.root}: another run took the lease first: {describe_holder(holder)}")
        self._thread = threading.Thread(target=self._beat, name="demarche-lease", daemon=True)
        self._thread.start()
        return self

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            current = self._store.read()
            if not current or current.get("run_id") != self.run_id:
                _LOGGER.error("the lease %s was taken from this run (%s)", self.path, current)
                return
            self.record["heartbeat_at"] = utc_now().isoformat()
            try:
                self._store.replace(self._data())
            except Exception as err:  # noqa: BLE001 - the next beat retries
                _LOGGER.warning("lease heartbeat failed: %s", err)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        current = self._store.read()
        if current and current.get("run_id") == self.run_id:
            self._store.delete()

    def __enter__(self) -> "Lease":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
