"""The file system of an output folder: local paths and object stores (gs://, s3://) alike (plain Python, no Beam).

Local paths (and ``file://``) use ``os`` directly; other schemes go through Beam's ``FileSystems``. A folder or
pattern that does not exist is "no files".
"""
from __future__ import annotations

import os
import posixpath
import uuid
from typing import Sequence

from apache_beam.io.filesystem import FileMetadata
from apache_beam.io.filesystems import FileSystems

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


def match(pattern: str) -> list[FileMetadata]:
    """The files matching a glob (or one path), through Beam's FileSystems; [] when nothing exists there."""
    try:
        return list(FileSystems.match([pattern])[0].metadata_list)
    except Exception:  # noqa: BLE001 - a missing folder is "no files"
        return []


def has_files(pattern: str) -> bool:
    """Whether any file matches ``pattern``."""
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
    if is_local(path):
        with open(local_path(path), "rb") as fh:
            return fh.read()
    with FileSystems.open(path) as fh:
        return fh.read()


def list_files(folder: str, *, recursive: bool = True) -> list[str]:
    """Paths of the files under ``folder`` (empty when it does not exist)."""
    if is_local(folder):
        folder = local_path(folder)
        if not os.path.isdir(folder):
            return []
        if not recursive:
            return sorted(os.path.join(folder, n) for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n)))
        return sorted(os.path.join(d, n) for d, _dirs, names in os.walk(folder) for n in names)
    pattern = folder.rstrip("/") + ("/**" if recursive else "/*")
    return sorted(m.path for m in match(pattern))


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
