"""All user-facing errors of demarche, in one place (as spaCy does with its Errors table)."""
from __future__ import annotations

from typing import Optional


class DemarcheError(Exception):
    """Base class of every error demarche raises on purpose."""


class DataFileError(DemarcheError):
    """A lexicon, dictionary or taxonomy file is malformed.

    path: The file that failed validation.
    line: 1-based line number of the offending entry, or None for whole-file problems.
    message: What is wrong and how to fix it.
    """

    def __init__(self, path: str, line: Optional[int], message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class ConfigError(DemarcheError):
    """A pipeline option or combination of options is invalid."""


class OutputError(DemarcheError):
    """An output folder, table, document id or query that the view commands (query, show, report) cannot use."""


class LeaseHeld(DemarcheError):
    """Another run holds the output folder's lease (transforms/storage/lease.py): one writer at a time."""


class StorageError(DemarcheError):
    """A folder or file of an input or output could not be listed or read (credentials, permissions, an unknown
    scheme): never taken for "no files", which would make an incremental run re-code what it already wrote."""


class UnknownCodeError(DemarcheError, KeyError):
    """A CAMEO code that is not in the taxonomy was looked up."""

    def __str__(self) -> str:  # KeyError would otherwise print the repr of the message
        return str(self.args[0]) if self.args else ""
