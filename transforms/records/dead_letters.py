"""Which dead letters a replay reprocesses, and how (plain Python, no Beam; ``pipelines/replay.py`` runs it).

A replayed letter's input is its ``source`` file when that still exists, else its ``raw`` copy when it was not
truncated (staged as a file of its own); any other letter is carried over unchanged.
"""
from __future__ import annotations

import glob as globlib
import os
import re
from typing import Sequence

from transforms.coding.errors import ConfigError
from transforms.storage import commit
from transforms.storage import files as fs

_TRUNCATED = re.compile(r"\.\.\. \[truncated, \d+ chars\]$")  # the marker of ingest.make_dead_letter


def resolve_letters(output: str, patterns: Sequence[str]) -> list[str]:
    """Committed dead-letter files of ``output`` matching ``patterns``; ConfigError for anything else."""
    committed = {os.path.abspath(p) if fs.is_local(p) else p: p
                 for p in commit.committed_files(output, "dead_letter", "jsonl")}
    chosen = []
    for pattern in patterns:
        matches = sorted(globlib.glob(pattern)) if fs.is_local(pattern) else [pattern]
        if not matches:
            raise ConfigError(f"{pattern!r} matches no file")
        for path in matches:
            key = os.path.abspath(path) if fs.is_local(path) else path
            if key not in committed:
                raise ConfigError(f"{path} is not a committed dead-letter file of {output}")
            chosen.append(committed[key])
    return sorted(set(chosen))


def plan_replay(letters: Sequence[dict], *, staging: str) -> tuple[list[str], dict[str, list[str]], list[dict]]:
    """(source files to read again, {staged file: raw inputs}, letters that cannot be replayed)."""
    sources, staged, carried = [], {}, []
    for letter in letters:
        source, raw = letter.get("source") or "", letter.get("raw")
        if source and fs.exists(source) and os.path.isfile(source):
            if source not in sources:
                sources.append(source)
        elif raw is not None and not _TRUNCATED.search(raw):
            name = os.path.basename(source.split("#")[0]) or "replayed"
            if letter.get("line") is not None and not name.endswith(".jsonl"):
                name += ".jsonl"
            if letter.get("line") is None:  # a whole text file: its own file, named like the source (doc_id = stem)
                staged.setdefault(fs.join(staging, f"f{len(staged):04d}", name), []).append(raw)
            else:
                staged.setdefault(fs.join(staging, name), []).append(raw)
        else:
            carried.append(letter)
    return sources, staged, carried
