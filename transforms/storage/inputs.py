"""Input files: matching globs, telling why a path cannot be read, opening and reading them into Documents and dead
letters (plain Python, no Beam; ``transforms/sources.py`` runs it as Beam steps)."""
from __future__ import annotations

import errno
import glob
import os
import stat
from typing import BinaryIO, Iterator, Optional, Union

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.coding.model import Document
from transforms.records.option_values import split_list
from transforms.records import ingest
from transforms.storage.files import is_local, local_path

# Above this many input bytes the up-front count is skipped (progress is then reported without an ETA).
MAX_COUNTED_BYTES = 2_000_000_000


def normalized_source(path: str) -> str:
    """The form in which a path is recorded (``source`` of documents and dead letters): absolute and normalised for
    local files (``file://`` URIs included), unchanged for other URIs (``gs://...``), so ``in/a.jsonl``,
    ``/data/in/a.jsonl`` and ``file:///data/in/a.jsonl`` are the same input."""
    if not path or not is_local(path) or "#" in path:  # Pub/Sub sources look like "projects/...#<message id>"
        return path
    return os.path.abspath(os.path.expanduser(local_path(path)))


def path_problem(path: str) -> Optional[str]:
    """Why a matched local path cannot be read as a file (None for a regular file). Never opens anything."""
    path = local_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "dangling symbolic link (its target does not exist)" if os.path.islink(path) else "no longer exists"
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop"
        return f"cannot inspect the file: {err.strerror or err}"
    mode = info.st_mode
    for test, what in (
        (stat.S_ISDIR, "a directory (folders are not read recursively: use a glob like 'in/**/*.jsonl')"),
        (stat.S_ISFIFO, "a FIFO (named pipe), not a regular file"),
        (stat.S_ISSOCK, "a socket, not a regular file"),
        (stat.S_ISCHR, "a character device, not a regular file"),
        (stat.S_ISBLK, "a block device, not a regular file"),
    ):
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "not a regular file"


def match_pattern(pattern: str) -> list[tuple[str, Optional[str]]]:
    """``(path, problem)`` for every non-hidden path a glob matches, sorted; ``problem`` says why a path cannot be
    read (a directory, a FIFO, a dangling link, ...), None for readable files. Local paths are absolute. Local globs
    are expanded without following anything but the glob (broken links and special files are listed, never
    opened); ``**`` matches any depth. URIs (``gs://``) are matched by Beam's filesystems."""
    if is_local(pattern):
        paths = glob.glob(os.path.expanduser(local_path(pattern)), recursive=True)
        found = [(normalized_source(p), path_problem(p)) for p in paths]
    else:
        found = [(m.path, None) for result in FileSystems.match([pattern]) for m in result.metadata_list]
    return sorted((path, problem) for path, problem in set(found) if not _is_hidden(path))


def portable_path(found: tuple) -> tuple:
    """``(path, problem)`` with the path as UTF-8 bytes (``surrogateescape``), so that a file name that is not valid
    UTF-8 (decoded by the OS layer with lone surrogates) can travel between Beam steps; ``transforms.sources.ParseFileFn`` decodes
    it again."""
    path, problem = found
    return path.encode("utf-8", "surrogateescape"), problem


def open_input(path: str) -> BinaryIO:
    """Open a matched file for reading, raw (not decompressed). A local path is opened non-blocking and checked to
    be a regular file after opening (a FIFO swapped in after matching is refused, never read). Raises OSError."""
    if not is_local(path):
        return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    fd = os.open(local_path(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_path(
    path: str, *, problem: Optional[str] = None, max_document_bytes: int, max_chars: int
) -> Iterator[Union[Document, dict]]:
    """Every input unit of one matched path, as it is read: Documents and dead letters (``unreadable`` for paths that
    cannot be opened). Never raises.

    path: The matched path (local or URI).
    problem: Why the path cannot be read, from :func:`match_pattern` (None: open it).
    max_document_bytes: Size limit of one document.
    max_chars: Truncation limit of the raw copy kept in dead letters.
    """
    path = normalized_source(path)
    if problem is not None:
        yield ingest.make_dead_letter(
            source=path, reason=ingest.UNREADABLE, detail=f"not read: {problem}", raw=None, max_chars=max_chars
        )
        return
    try:
        handle = open_input(path)
    except Exception as err:  # noqa: BLE001 - an unopenable path is this path's dead letter
        yield ingest.make_dead_letter(
            source=path, reason=ingest.UNREADABLE, detail=f"cannot open: {err}", raw=None, max_chars=max_chars
        )
        return
    with handle:
        yield from ingest.read_file(handle, path=path, max_document_bytes=max_document_bytes, max_chars=max_chars)


def folder_pattern(folder: str) -> str:
    """``DIR`` -> ``DIR/*`` (a value with a wildcard is kept as it is)."""
    if any(ch in folder for ch in "*?["):
        return folder
    return folder.rstrip("/") + "/*"


def count_input_documents(pattern: str, *, max_bytes: int = MAX_COUNTED_BYTES) -> Optional[int]:
    """Number of input units behind the comma-separated local globs ``pattern``: one per file, one per non-blank
    line of a JSON Lines file (gzipped or not). Paths are matched as the job matches them (dotfiles ignored; special
    files such as FIFOs are never opened and count one, their dead letter). A file that breaks while it is read
    (e.g. a corrupt gzip) counts the lines read so far plus one. None (progress without a total) for remote input
    (``gs://``: counting would read it all) or more than ``max_bytes``. Never raises: progress must not stop a run."""
    try:
        parts = split_list(pattern)
        if not all(is_local(part) for part in parts):
            return None
        found = sorted({item for part in parts for item in match_pattern(part)})
        if sum(os.path.getsize(path) for path, problem in found if problem is None) > max_bytes:
            return None
        return sum(1 if problem is not None else _units_in(path) for path, problem in found)
    except Exception:  # noqa: BLE001 - the job reports unreadable input itself
        return None


def _units_in(path: str) -> int:
    if not ingest.is_jsonl_path(path):
        return 1
    lines = 0
    try:
        with open_input(path) as raw, ingest._decompressed(raw, path) as handle:
            for line in handle:
                lines += bool(line.strip())
    except Exception:  # noqa: BLE001 - corrupt or unreadable: the job dead-letters the rest
        return lines + 1
    return lines


def _is_hidden(path: str) -> bool:
    """Dotfiles (producers write ``.name.tmp`` then rename into place) and editor backups are not input."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name.startswith(".") or name.endswith("~")
