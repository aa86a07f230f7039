"""The CAMEO event taxonomy with its GDELT Goldstein values, quad classes and PLOVER 2021 types and modes.

The facts live in ``data/cameo_taxonomy.tsv`` (format documented in its header and in ``data/README.md``);
this module loads and validates them once, at start-up.
"""
from __future__ import annotations

import dataclasses
import importlib.resources
from typing import Iterator, Optional

from transforms.coding.data_files import read_data_file, tsv_rows
from transforms.coding.errors import DataFileError, UnknownCodeError

DEFAULT_TAXONOMY_FILE = "cameo_taxonomy.tsv"

# The 16 event types of PLOVER 2021 (CAMEO 01x public statements have none).
PLOVER_TYPES = frozenset(
    {
        "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
        "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
    }
)
_COLUMNS = ("code", "label", "goldstein", "quad_class", "plover_type", "plover_mode")


def quad_class_of_root(root: int) -> int:
    """Quad class implied by a CAMEO root: 1 verbal / 2 material cooperation, 3 verbal / 4 material conflict.

    root: CAMEO root as an integer, 1..20.
    """
    if root <= 5:
        return 1
    if root <= 9:
        return 2
    if root <= 14:
        return 3
    return 4


@dataclasses.dataclass(frozen=True)
class CameoEntry:
    """One CAMEO event code.

    code: The 2-4 digit CAMEO code ("041").
    label: Short description.
    goldstein: GDELT's Goldstein value, -10..+10.
    quad_class: 1..4 (see ``quad_class_of_root``).
    plover_type: PLOVER 2021 event type, None for CAMEO 01x.
    plover_mode: PLOVER 2021 mode, None when the code implies none.
    """

    code: str
    label: str
    goldstein: float
    quad_class: int
    plover_type: Optional[str]
    plover_mode: Optional[str]

    @property
    def root(self) -> str:
        """The two-digit CAMEO root ("04")."""
        return self.code[:2]


class Taxonomy:
    """All CAMEO event codes, validated at load time. Build it with ``Taxonomy.load()``."""

    def __init__(self, entries: dict[str, CameoEntry], *, path: str = "") -> None:
        """entries: code -> CameoEntry (already validated; use ``load`` to read a file).
        path: Where the entries came from, for messages.
        """
        self._entries = dict(entries)
        self.path = path

    @classmethod
    def load(cls, path: Optional[str] = None) -> "Taxonomy":
        """Read and validate a taxonomy file.

        path: A file in the ``cameo_taxonomy.tsv`` format; None loads the built-in one.
        Raises DataFileError (file:line: problem) on malformed lines, duplicate codes, codes without a parent,
        Goldstein values outside -10..10, quad classes inconsistent with the root and unknown PLOVER types.
        """
        if path is None:
            resource = importlib.resources.files("transforms.coding") / "data" / DEFAULT_TAXONOMY_FILE
            text = resource.read_text(encoding="utf-8")
            shown = str(resource)
        else:
            text = read_data_file(path, what="taxonomy file")
            shown = path
        return cls(_parse(text, shown), path=shown)

    def get(self, code: str) -> CameoEntry:
        """The entry of a CAMEO code.

        code: CAMEO event code ("0231").
        Raises UnknownCodeError (a DemarcheError and KeyError) for codes not in the taxonomy.
        """
        try:
            return self._entries[code]
        except KeyError:
            raise UnknownCodeError(f"unknown CAMEO event code {code!r}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._entries

    def __iter__(self) -> Iterator[CameoEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def parent(self, code: str) -> Optional[str]:
        """The parent code ("0231" -> "023", "023" -> "02"), None for roots.

        code: A code of the taxonomy.
        """
        return code[:-1] if len(code) > 2 else None


def _parse(text: str, path: str) -> dict[str, CameoEntry]:
    entries: dict[str, CameoEntry] = {}
    header_seen = False
    for lineno, fields in tsv_rows(path, what="taxonomy file", text=text):
        if not header_seen and fields[0] == "code":
            if tuple(f.strip() for f in fields) != _COLUMNS:
                raise DataFileError(path, lineno, f"header must be {' '.join(_COLUMNS)} (tab-separated)")
            header_seen = True
            continue
        if len(fields) != len(_COLUMNS):
            raise DataFileError(
                path, lineno, f"expected {len(_COLUMNS)} tab-separated columns ({', '.join(_COLUMNS)}), got {len(fields)}"
            )
        code, label, goldstein_s, quad_s, ptype, pmode = (f.strip() for f in fields)
        if not (code.isdigit() and 2 <= len(code) <= 4):
            raise DataFileError(path, lineno, f"code {code!r} must be 2 to 4 digits")
        root = int(code[:2])
        if not 1 <= root <= 20:
            raise DataFileError(path, lineno, f"code {code!r}: root must be 01..20")
        if code in entries:
            raise DataFileError(path, lineno, f"duplicate code {code!r}")
        if len(code) > 2 and code[:-1] not in entries:
            raise DataFileError(path, lineno, f"code {code!r} has no parent {code[:-1]!r} earlier in the file")
        if not label:
            raise DataFileError(path, lineno, f"code {code!r} has an empty label")
        try:
            goldstein = float(goldstein_s)
        except ValueError:
            raise DataFileError(path, lineno, f"Goldstein value {goldstein_s!r} is not a number") from None
        if not -10.0 <= goldstein <= 10.0:
            raise DataFileError(path, lineno, f"Goldstein value {goldstein} is outside -10..10")
        if quad_s not in {"1", "2", "3", "4"}:
            raise DataFileError(path, lineno, f"quad class {quad_s!r} must be 1, 2, 3 or 4")
        quad = int(quad_s)
        if quad != quad_class_of_root(root):
            raise DataFileError(
                path, lineno, f"quad class {quad} is inconsistent with root {code[:2]} (expected {quad_class_of_root(root)})"
            )
        if ptype and ptype not in PLOVER_TYPES:
            raise DataFileError(path, lineno, f"unknown PLOVER type {ptype!r} (known: {', '.join(sorted(PLOVER_TYPES))})")
        if not ptype and root != 1:
            raise DataFileError(path, lineno, f"code {code!r} needs a PLOVER type (only 01x statements have none)")
        if pmode and not ptype:
            raise DataFileError(path, lineno, f"code {code!r} has a PLOVER mode but no PLOVER type")
        entries[code] = CameoEntry(code, label, goldstein, quad, ptype or None, pmode or None)
    if not entries:
        raise DataFileError(path, None, "taxonomy file holds no codes")
    missing = [f"{r:02d}" for r in range(1, 21) if f"{r:02d}" not in entries]
    if missing:
        raise DataFileError(path, None, f"missing CAMEO roots: {', '.join(missing)}")
    return entries
