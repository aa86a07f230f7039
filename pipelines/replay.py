"""``demarche replay``: reprocess dead letters whose cause was fixed (a lexicon change, a larger size limit, ...).

    demarche replay 'OUT/dead_letter/*.jsonl' --output OUT [any extract_events option]

The given files must be committed dead-letter files of OUT. Each letter's input is recovered from its ``source``
file when that still exists (the whole, untruncated input; the documents of that file already in OUT are skipped as
usual), else from the letter's ``raw`` copy when it was not truncated (``--dead_letter_max_chars``). The job then
runs like ``demarche extract`` on those inputs, with the replayed files not counting as known, and its commit
retires them: a letter whose input fails again is written again (by this run, with its new reason), a letter whose
input cannot be recovered is carried over unchanged, so nothing is lost.
"""
from __future__ import annotations

import glob as globlib
import json
import os
import re
import sys
from typing import Optional, Sequence

from apache_beam.options.pipeline_options import SetupOptions

from pipelines.cli import run_job
from pipelines.extract_events import run_pipeline
from pipelines.options import (
    ExtractEventsOptions,
    check_user_lexicons,
    given,
    pipeline_options,
    print_extract_help,
    recorded_options,
    validate,
)
from transforms import sinks
from transforms.coding.errors import ConfigError
from transforms.storage import commit
from transforms.storage import files as fs
from transforms.storage.output_run import OutputRun

_TRUNCATED = re.compile(r"\.\.\. \[truncated, \d+ chars\]$")
USAGE = "usage: demarche replay DEAD_LETTER_FILES... --output OUT [extract options]  (files first)"


def split_argv(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(dead-letter paths or globs: the leading arguments, the options that follow)."""
    argv = list(argv)
    first_option = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    return argv[:first_option], argv[first_option:]


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


def plan(letters: Sequence[dict], staging: str) -> tuple[list[str], dict[str, list[str]], list[dict]]:
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


def run(argv: Optional[Sequence[str]] = None) -> dict:
    argv = list(sys.argv[1:] if argv is None else argv)
    patterns, rest = split_argv(argv)
    if not patterns:
        raise ConfigError(f"give the dead-letter files to replay\n{USAGE}")
    if not given(rest, "--output"):
        raise ConfigError(f"give --output, the output folder the dead letters belong to\n{USAGE}")
    options = pipeline_options(rest + ["--input=unused"])
    job = options.view_as(ExtractEventsOptions)
    validate(job)
    check_user_lexicons(job)
    options.view_as(SetupOptions).save_main_session = False
    output = job.output.rstrip("/")
    run_id = sinks.new_run_id()
    with OutputRun(output, run_id=run_id, kind="replay", break_lock=job.break_lock,
                   stale_seconds=job.lock_stale_seconds, spacy_model=job.spacy_model) as out:
        files = resolve_letters(output, patterns)
        letters = [json.loads(line) for path in files for line in fs.read_bytes(path).decode("utf-8").splitlines()
                   if line.strip()]
        staging = fs.join(output, commit.TEMP_DIR, f"replay-{run_id}")
        sources, staged, carried = plan(letters, staging)
        for path, raws in staged.items():
            fs.atomic_write(path, ("\n".join(raws) + "\n").encode("utf-8"))
        inputs = sources + list(staged)
        summary: dict = {}
        written: list[str] = []
        if inputs:
            job.input = ",".join(inputs)
            summary = run_pipeline(options, job, run_id=run_id, stream=False, replayed_dead_letters=files)
            written = sinks.read_written_list(output, run_id)
        if carried:
            writer = sinks._FormatWriter("jsonl", "dead_letter",
                                         sinks.file_path(output, "dead_letter", "jsonl", run_id, None, 99999))
            for letter in carried:
                writer.write(letter)
            written.append(writer.close())
        fs.delete_files(fs.list_files(staging))
        fs.remove_empty_dirs(fs.join(output, commit.TEMP_DIR))
        summary.update(replayed_letters=len(letters), replayed_files=len(files), not_replayable=len(carried))
        out.commit(files=written, removed=files, summary=summary, options=recorded_options(options),
                   extra={"replayed": [fs.relative(output, f) for f in files]})
    print(f"demarche replay: {len(letters)} dead letters of {len(files)} files reprocessed ({len(sources)} source "
          f"files read again, {sum(len(v) for v in staged.values())} inputs from their raw copy, {len(carried)} not "
          f"replayable and kept); coded {summary.get('documents_coded', 0)}, dead-lettered again "
          f"{summary.get('dead_lettered', 0)} -> {output}")
    return summary


def main(argv: Optional[Sequence[str]] = None, *, prog: str = "demarche replay") -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        print_extract_help(prog + " DEAD_LETTER_FILES")
        return 0
    return run_job(lambda: run(argv))


if __name__ == "__main__":
    sys.exit(main())
