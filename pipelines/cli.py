"""``demarche`` console script: ``demarche extract|aggregate|evaluate|replay|show|report|query|schema ...``."""
from __future__ import annotations

import importlib
import logging
import sys
from typing import Callable, Optional, Sequence

COMMANDS = {
    "extract": ("pipelines.extract_events", "code events from documents (python -m pipelines.extract_events)"),
    "aggregate": ("pipelines.aggregate_events", "daily dyad aggregates of coded events (python -m pipelines.aggregate_events)"),
    "evaluate": ("pipelines.evaluate", "score the coders on labelled files (python -m pipelines.evaluate)"),
    "replay": ("pipelines.replay", "reprocess dead letters whose cause was fixed (python -m pipelines.replay)"),
    "show": ("pipelines.show", "one document as coded: its text with each event under its sentence (--html FILE)"),
    "report": ("pipelines.report", "one self-contained HTML page of plots and tables of an output folder"),
    "query": ("pipelines.query", "SQL (DuckDB) over an output folder: views events, documents, event_clusters, dyad_day"),
    "schema": ("pipelines.schema", "print a table's schema for BigQuery (--bigquery), Avro (--avro) or Arrow (--arrow)"),
}

USAGE = "usage: demarche {" + ",".join(COMMANDS) + "} [options]   (demarche COMMAND --help for the options)\n\n" + "\n".join(
    f"  {name:<10} {text}" for name, (_, text) in COMMANDS.items()
)


def run_job(run: Callable[[], object]) -> int:
    """Run a job function the way every demarche command does: warnings logged, DemarcheError -> exit code 2.

    run: The job, as a function without arguments.
    """
    from transforms.coding.errors import DemarcheError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        run()
    except DemarcheError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def job_main(run: Callable[..., object], *, prog: str) -> Callable[..., int]:
    """The ``main(argv=None, *, prog=PROG)`` of a command: its ``run(argv, prog=prog)`` inside ``run_job``.

    run: The command's work, called as ``run(argv, prog=prog)``.
    prog: The program name its ``--help`` shows by default (``demarche COMMAND`` when started by ``demarche``).
    """

    def main(argv: Optional[Sequence[str]] = None, *, prog: str = prog) -> int:
        return run_job(lambda: run(argv, prog=prog))

    return main


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"demarche: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return module.main(rest, prog=f"demarche {command}")


if __name__ == "__main__":
    sys.exit(main())
