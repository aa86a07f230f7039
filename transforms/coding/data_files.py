"""Reading lexicon, dictionary and taxonomy files (built-in or given by the user) as text.

One reader for every data file, so each gives the same clear error for the same problem: ``FILE:LINE: ...`` for
bytes that are not UTF-8 (the line of the first bad byte) or binary content, ``FILE: ...`` for paths that cannot be
read (missing, a directory, a FIFO: never opened blocking). A UTF-8 byte-order mark (as Windows editors write) is
removed.
"""
from __future__ import annotations

import os
import stat

from .errors import DataFileError

MAX_DATA_FILE_BYTES = 200_000_000


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
    return read_data_file(path, what=what).replace("\r\n", "\n").replace("\r", "\n").split("\n")
