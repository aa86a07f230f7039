"""Reading lexicon, dictionary and taxonomy files (built-in or given by the user) as text.

One reader for every data file (:func:`read_data_file`, and :func:`tsv_rows` for the tab-separated ones), so each gives the same clear error for the same problem: ``FILE:LINE: ...`` for
bytes that are not UTF-8 (the line of the first bad byte) or binary content, ``FILE: ...`` for paths that cannot be
read (missing, a directory, a FIFO: never opened blocking). A UTF-8 byte-order mark (as Windows editors write) is
removed.
"""
from __future__ import annotations

import os
import stat
from typing import Iterator, Optional

from .errors import DataFileError

MAX_DATA_FILE_BYTES = 200_000_000
#: A data line starting with this (after blanks) is a comment.
COMMENT_PREFIX = "#"
#: Column separator of the tab-separated data files.
FIELD_SEPARATOR = "\t"


def read_data_file(path: str, *, what: str) -> str:
    """The text of a data file, BOM removed.

    path: Local file path.
    what: What the file is ("actor dictionary", "patterns file", ...), for error messages.
    Raises DataFileError (``path:line: problem``) when the file cannot be read, is not UTF-8 or is binary.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise DataFileError(path, None, f"cannot read {what}: {err.strerror or err}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DataFileError(path, None, f"cannot read {what}: not a regular file (a directory, FIFO or device)")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_DATA_FILE_BYTES + 1)
    if len(data) > MAX_DATA_FILE_BYTES:
        raise DataFileError(path, None, f"{what} is larger than {MAX_DATA_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise DataFileError(
            path, line, f"{what} is not UTF-8 text (byte 0x{data[err.start]:02x} at column {column}: {err.reason}); "
            "save it as UTF-8"
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise DataFileError(path, text.count("\n", 0, nul) + 1, f"{what} contains binary data (a NUL byte)")
    return text


def data_file_lines(path: str, *, what: str) -> list[str]:
    """The lines of a data file (``\\n``, ``\\r\\n`` or ``\\r`` line ends removed), numbered as editors number them
    (``lines[0]`` is line 1). Raises DataFileError as :func:`read_data_file` does."""
    return _lines(read_data_file(path, what=what))


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def tsv_rows(path: str, *, what: str, text: Optional[str] = None) -> Iterator[tuple[int, list[str]]]:
    """(line number, tab-separated fields) of every data line of a TSV data file; blank lines and comment lines
    (``#`` after optional blanks) are skipped. Fields are as written (not stripped): the caller checks the header
    and the columns and raises ``DataFileError(path, line number, ...)``.

    path: The file (read with :func:`read_data_file`), or the name shown in errors when ``text`` is given.
    what: What the file is, for error messages.
    text: The file's content when it is already read (a package resource); None reads ``path``.
    """
    lines = data_file_lines(path, what=what) if text is None else _lines(text)
    for lineno, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith(COMMENT_PREFIX):
            continue
        yield lineno, line.split(FIELD_SEPARATOR)
