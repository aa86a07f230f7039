"""Parsing of comma-separated option values (``--input a,b``, ``--formats parquet,avro``, ``--modalities ...``)."""
from __future__ import annotations

from typing import Iterable

from transforms.coding.errors import ConfigError


def split_list(value: str) -> list[str]:
    """``"a, b,,c"`` -> ["a", "b", "c"] (items stripped, empty ones dropped)."""
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_subset(value: str, allowed: Iterable[str], *, option: str, upper: bool = False) -> tuple[str, ...]:
    """A comma-separated, non-empty subset of ``allowed``, de-duplicated in order.

    value: The option value as given.
    allowed: The accepted items (in their canonical case).
    option: Option name for the error message (``--formats``).
    upper: Compare in upper case (else lower case).
    Raises ConfigError on unknown or no items.
    """
    allowed = tuple(allowed)
    items = tuple(dict.fromkeys(i.upper() if upper else i.lower() for i in split_list(value)))
    if not items or any(i not in allowed for i in items):
        raise ConfigError(f"{option} must be a comma-separated subset of {','.join(allowed)}, got {value!r}")
    return items
