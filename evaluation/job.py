"""The pipeline run behind the event scorers: ``extract_events`` on a temporary corpus, Avro output read back."""
from __future__ import annotations

import argparse
import glob
from typing import Iterator


def job_argv(args: argparse.Namespace, *, corpus: str, output: str) -> list[str]:
    """The ``extract_events`` arguments of a scorer's run over ``corpus`` into ``output``: Avro only, no dedup, and
    the scorer's own ``--spacy_model``, ``--actors_file``, ``--patterns_file`` and ``--no_sentence_filter``."""
    argv = [f"--input={corpus}", f"--output={output}", "--formats=avro", "--dedup=off",
            f"--spacy_model={args.spacy_model}"]
    for option in ("actors_file", "patterns_file"):
        if getattr(args, option, None):
            argv.append(f"--{option}={getattr(args, option)}")
    if getattr(args, "no_sentence_filter", False):
        argv.append("--no_sentence_filter")
    return argv


def read_events(output: str) -> Iterator[dict]:
    """The event records a run wrote under ``output`` (its Avro events table), in file order."""
    import fastavro  # read only after a run: the scorers' command line starts without it

    for path in sorted(glob.glob(f"{output}/avro/events/dt=*/*.avro")):
        with open(path, "rb") as handle:
            yield from fastavro.reader(handle)
