"""The one reader of gold files: JSON Lines, one record per non-blank line, errors as ``FILE:LINE: what``.

Every scorer (``evaluation.news``, ``actors``, ``events``, ``when_where``) and the gold-building scripts read their
files with ``read_jsonl`` and check their own fields, raising ``GoldError`` with the line number it yields.
"""
from __future__ import annotations

import json
from typing import Iterator

from transforms.coding.errors import ConfigError


class GoldError(ConfigError):
    """A gold file (or the corpus it refers to) is not usable; ``pipelines.evaluate`` prints it as one line."""


def read_jsonl(path: str) -> Iterator[tuple[int, dict]]:
    """(line number, record) of every non-blank line of ``path``.

    path: A JSON Lines file.
    RAISES: GoldError ``path: cannot read ...`` when the file cannot be opened, ``path:LINE: invalid JSON ...``
        for a line that is not JSON, ``path:LINE: not a JSON object`` for any other value.
    """
    try:
        handle = open(path, encoding="utf-8")
    except OSError as err:
        raise GoldError(f"cannot read gold file {path}: {err}") from err
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise GoldError(f"{path}:{number}: invalid JSON: {err}") from None
            if not isinstance(record, dict):
                raise GoldError(f"{path}:{number}: not a JSON object")
            yield number, record
