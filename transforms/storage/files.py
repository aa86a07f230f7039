"""The file system of an output folder: local paths and object stores (gs://, s3://) alike (plain Python, no Beam).

Local paths (and ``file://``) use ``os`` directly; other schemes go through Beam's ``FileSystems``. A folder or
pattern that does not exist is "no files"; any other failure (no credentials, permission denied, a scheme with no
registered file system) raises :class:`~transforms.coding.errors.StorageError` naming the path: an incremental run
must never take "cannot list the output" for "nothing is known yet" and re-code everything into duplicates.
"""
from __future__ import annotations

import os
import posixpath
import uuid
from typing import Sequence

from apache_beam.io.filesystem import BeamIOError, FileMetadata
from apache_beam.io.filesystems import FileSystems

from transforms.coding.errors import StorageError

LOCAL_SCHEME = "file://"


def is_local(path: str) -> bool:
    return "://" not in path or path.startswith(LOCAL_SCHEME)


def local_path(path: str) -> str:
    """``file:///a/b`` -> ``/a/b``; other paths unchanged."""
    return path[len(LOCAL_SCHEME):] if path.startswith(LOCAL_SCHEME) else path


def join(root: str, *parts: str) -> str:
    if is_local(root):
        return os.path.join(local_path(root), *parts)
    return posixpath.join(root.rstrip("/"), *parts)


def _is_not_found(err: BaseException) -> bool:
    """True when ``err`` only says that the path does not exist (Beam wraps per-path errors in BeamIOError)."""
    if isinstance(err, FileNotFoundError):
        return True
    details = getattr(err, "exception_details", None)
    if isinstance(err, BeamIOError) and isinstance(details, dict) and details:
        return all(_is_not_found(inner) for inner in details.values())
    return False


def match(pattern: str) -> list[FileMetadata]:
    """The files matching a glob (or one path), through Beam's FileSystems; [] when nothing exists there.

    Raises StorageError naming the pattern when the listing itself fails (credentials, permissions, an unknown
    scheme, a network error): "failed" is never reported as "not found".
    """
    try:
        return list(FileSystems.match([pattern])[0].metadata_list)
    except Exception as err:  # noqa: BLE001 - re-raised below unless it only says "not found"
        if _is_not_found(err):
            return []
        raise StorageError(f"cannot list {pattern}: {type(err).__name__}: {err}") from err


def has_files(pattern: str) -> bool:
    """Whether any file matches ``pattern`` (False when nothing exists there; StorageError when listing fails)."""
    return bool(match(pattern))


def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old content or the whole new content, never a part.

    Local: a dotfile next to it, fsync'd, renamed over it. Object stores (gs://, s3://): one upload, which is atomic.
    """
    if is_local(path):
        path = local_path(path)
        folder = os.path.dirname(path) or "."
        os.makedirs(folder, exist_ok=True)
        temp = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(temp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, path)
        finally:
            if os.path.exists(temp):
                os.remove(temp)
        return
    with FileSystems.create(path, mime_type="application/json") as fh:
        fh.write(data)


def read_bytes(path: str) -> bytes:
    """The content of one file. FileNotFoundError when it does not exist; StorageError when reading it fails."""
    try:
        if is_local(path):
            with open(local_path(path), "rb") as fh:
                return fh.read()
        with FileSystems.open(path) as fh:
            return fh.read()
    except Exception as err:  # noqa: BLE001 - re-raised: not found as it is, anything else as StorageError
        if _is_not_found(err):
            raise FileNotFoundError(2, "No such file", path) from err
        raise StorageError(f"cannot read {path}: {type(err).__name__}: {err}") from err


def list_files(folder: str, *, recursive: bool = True) -> list[str]:
    """Paths of the files under ``folder``, sorted (empty when it does not exist; StorageError when listing fails)."""
    if is_local(folder):
        folder = local_path(folder)
        try:
            if not recursive:
                names = os.listdir(folder)
                return sorted(os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n)))
            if not os.path.isdir(folder):
                return []
            return sorted(os.path.join(d, n) for d, _dirs, names in os.walk(folder, onerror=_raise_unless_gone)
                          for n in names)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as err:
            raise StorageError(f"cannot list {folder}: {type(err).__name__}: {err}") from err
    pattern = folder.rstrip("/") + ("/**" if recursive else "/*")
    return sorted(m.path for m in match(pattern))


def _raise_unless_gone(err: OSError) -> None:
    """``os.walk`` skips folders it cannot read unless told otherwise: one that vanished meanwhile has no files, one
    that cannot be read fails the listing."""
    if not isinstance(err, FileNotFoundError):
        raise StorageError(f"cannot list {err.filename}: {type(err).__name__}: {err}") from err


def delete_files(paths: Sequence[str]) -> None:
    local = [local_path(p) for p in paths if is_local(p)]
    for path in local:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
    remote = [p for p in paths if not is_local(p)]
    if remote:
        FileSystems.delete(remote)


def exists(path: str) -> bool:
    if is_local(path):
        return os.path.exists(local_path(path))
    return FileSystems.exists(path)


def remove_empty_dirs(folder: str) -> None:
    """Local only: remove empty sub-folders of ``folder`` (and ``folder`` itself when empty)."""
    if not is_local(folder) or not os.path.isdir(local_path(folder)):
        return
    for directory, _dirs, _names in sorted(os.walk(local_path(folder)), key=lambda t: -len(t[0])):
        try:
            os.rmdir(directory)
        except OSError:
            pass


def relative(root: str, path: str) -> str:
    root = local_path(root).rstrip("/") + "/"
    path = local_path(path)
    if not path.startswith(root):
        raise ValueError(f"{path} is not under {root}")
    return path[len(root):]
