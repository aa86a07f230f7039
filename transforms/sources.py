"""Beam sources: files -> Documents, with every unreadable input dead-lettered (tagged output ``dead_letter``)."""
from __future__ import annotations

import errno
import glob
import os
import stat
from typing import BinaryIO, Iterable, Iterator, Optional, Union

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from transforms.records import ingest
from transforms.names import DEAD_LETTER, DOCUMENTS, NAMESPACE
from transforms.option_values import split_list
from transforms.coding.model import Document


def count_parsed(parsed: Union[Document, dict], counters: dict) -> Union[Document, TaggedOutput]:
    """Count one parsed input and route it: Documents to the main output, dead letters to ``dead_letter``."""
    counters["read"].inc()
    if isinstance(parsed, Document):
        counters["accepted"].inc()
        return parsed
    counters["dead"].inc()
    return TaggedOutput(DEAD_LETTER, parsed)


def ingest_counters() -> dict:
    return {
        "read": Metrics.counter(NAMESPACE, "documents_read"),
        "accepted": Metrics.counter(NAMESPACE, "documents_accepted"),
        "dead": Metrics.counter(NAMESPACE, "dead_lettered_ingest"),
    }


def is_local(path: str) -> bool:
    """True for local paths (no ``scheme://``)."""
    return "://" not in path


def normalized_source(path: str) -> str:
    """The form in which a path is recorded (``source`` of documents and dead letters): absolute and normalised for
    local files, unchanged for URIs (``gs://...``), so ``in/a.jsonl`` and ``/data/in/a.jsonl`` are the same input."""
    if not path or not is_local(path) or "#" in path:  # Pub/Sub sources look like "projects/...#<message id>"
        return path
    return os.path.abspath(os.path.expanduser(path))


def path_problem(path: str) -> Optional[str]:
    """Why a matched local path cannot be read as a file (None for a regular file). Never opens anything."""
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
        paths = glob.glob(os.path.expanduser(pattern), recursive=True)
        found = [(normalized_source(p), path_problem(p)) for p in paths]
    else:
        found = [(m.path, None) for result in FileSystems.match([pattern]) for m in result.metadata_list]
    return sorted((path, problem) for path, problem in set(found) if not _is_hidden(path))


def portable_path(found: tuple) -> tuple:
    """``(path, problem)`` with the path as UTF-8 bytes (``surrogateescape``), so that a file name that is not valid
    UTF-8 (decoded by the OS layer with lone surrogates) can travel between Beam steps; :class:`ParseFileFn` decodes
    it again."""
    path, problem = found
    return path.encode("utf-8", "surrogateescape"), problem


def open_input(path: str) -> BinaryIO:
    """Open a matched file for reading, raw (not decompressed). A local path is opened non-blocking and checked to
    be a regular file after opening (a FIFO swapped in after matching is refused, never read). Raises OSError."""
    if not is_local(path):
        return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
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


class ParseFileFn(beam.DoFn):
    """Matched path -> Documents (main output) and dead letters (``dead_letter``), format detected per file.

    Elements: ``(path, problem)`` from :func:`match_pattern` (the path as str or as :func:`portable_path` bytes), a
    ``ReadableFile``/``FileMetadata`` or a path.
    limits: Size limit of one document, truncation limit of dead letters' raw copies.
    """

    def __init__(self, *, limits: ingest.ReadLimits) -> None:
        self.max_document_bytes = limits.max_document_bytes
        self.max_chars = limits.dead_letter_max_chars

    def setup(self) -> None:
        self.counters = ingest_counters()

    def process(self, element) -> Iterable[Union[Document, TaggedOutput]]:
        problem = None
        if isinstance(element, tuple):
            path, problem = element
            if isinstance(path, bytes):
                path = path.decode("utf-8", "surrogateescape")
        else:
            metadata = getattr(element, "metadata", element)
            path = getattr(metadata, "path", metadata)
            if is_local(path):
                problem = path_problem(path)
        parsed_items = read_path(
            path, problem=problem, max_document_bytes=self.max_document_bytes, max_chars=self.max_chars
        )
        for parsed in parsed_items:
            yield count_parsed(parsed, self.counters)


class ReadDocuments(beam.PTransform):
    """Read every file matching a pattern into Documents; outputs ``documents`` and ``dead_letter``.

    Every matched path is one input unit or more (the lines of a JSON Lines file); paths that cannot be read (a
    directory, a FIFO, a socket, a dangling link or a link loop) are dead-lettered ``unreadable`` without being
    opened.

    file_pattern: Glob or comma-separated globs (local paths or gs://...).
    limits: Size limit of one document, truncation limit of dead letters' raw copies.
    """

    def __init__(self, file_pattern: str, *, limits: ingest.ReadLimits = ingest.ReadLimits()) -> None:
        super().__init__()
        self.patterns = split_list(file_pattern)
        self.limits = limits

    def expand(self, pbegin):
        parsed = (
            pbegin
            | "Patterns" >> beam.Create(self.patterns)
            | "Match" >> beam.FlatMap(lambda pattern: [portable_path(found) for found in match_pattern(pattern)])
            | "OncePerPath" >> beam.Distinct()  # overlapping globs
            | "SpreadFiles" >> beam.Reshuffle()
            | "Parse"
            >> beam.ParDo(ParseFileFn(limits=self.limits)).with_outputs(DEAD_LETTER, main=DOCUMENTS)
        )
        # Spread documents over workers (a single JSONL file would otherwise be coded by one worker).
        documents = parsed[DOCUMENTS] | "Spread" >> beam.Reshuffle()
        return {DOCUMENTS: documents, DEAD_LETTER: parsed[DEAD_LETTER]}


def _is_hidden(path: str) -> bool:
    """Dotfiles (producers write ``.name.tmp`` then rename into place) and editor backups are not input."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name.startswith(".") or name.endswith("~")
