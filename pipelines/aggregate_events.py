"""Daily dyad aggregates: event files in (Avro or Parquet), the ``dyad_day`` table out (Parquet + Avro).

    python -m pipelines.aggregate_events --input out --output dyads

``--input`` is an output folder of extract_events (its ``parquet/events`` partitions are read, else ``avro/events``)
or a glob of event files; only committed event files are read. The result replaces the previous ``dyad_day`` table
(the aggregate is recomputed from all events each time): the run's commit record lists the new files and retires the
old ones, which are deleted after the commit. Like extract_events, the job takes the output's lease. Any standard Beam
option is accepted; without ``--runner`` the job runs on the in-process FnApiRunner.
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions

from pipelines.cli import run_job
from pipelines.options import JobOptions, given, help_parser, pipeline_options, recorded_options, validate_job
from pipelines.summary import METRICS_UNAVAILABLE, summarize
from transforms.aggregate import INPUT_FORMATS, AggregateDyads, ReadTable, resolve_table_input
from transforms.coding.errors import ConfigError
from transforms.records.dyad_days import parse_modalities
from transforms.sinks import GatherWrittenFiles, WriteTable, new_run_id, read_written_list
from transforms.storage.commit import committed_files
from transforms.storage.output_run import OutputRun

TABLE = "dyad_day"
DEFAULT_INPUT = "out"
INPUT_HELP = f"extract_events output folder, or a glob of event files. Default: {DEFAULT_INPUT}"
OUTPUT_HELP = "Output folder; the table goes to OUTPUT/{parquet,avro}/dyad_day/dt=YYYY-MM-DD/. Default: out"


class AggregateEventsOptions(PipelineOptions):
    """Options of the aggregate_events job besides the JobOptions (``--input``, ``--output``, ``--formats`` and the
    output-folder options), which every job shares."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("demarche aggregate_events")
        group.add_argument("--input_format", default="auto", choices=INPUT_FORMATS,
                           help="Event files to read: parquet, avro, or auto (Parquet when present). Default: auto")
        group.add_argument("--modalities", default="ASSERTED",
                           help="Event modalities to aggregate (comma-separated). Default: ASSERTED")


def _help_parser(prog: str) -> argparse.ArgumentParser:
    return help_parser(
        prog=prog,
        description="Daily dyad aggregates of coded events (Parquet + Avro). Any standard Beam pipeline option is "
        "accepted as well.",
        job_options=AggregateEventsOptions, input_help=INPUT_HELP, input_default=DEFAULT_INPUT, output_help=OUTPUT_HELP,
    )


def partition_of_dyad(record: dict) -> str:
    return record["date"].isoformat()


def build(pipeline: beam.Pipeline, options: AggregateEventsOptions, *, input: str, output: str,
          formats: Sequence[str], run_id: str, max_file_mb: float = 256):
    """Add the job to ``pipeline``; returns the dyad_day PCollection.

    options: The job's own options (input format, modalities).
    input: extract_events output folder or glob of event files.
    output: Output folder.
    formats: Output formats.
    run_id: Run id for file names.
    max_file_mb: Size after which a partition's file is split.
    """
    modalities = parse_modalities(options.modalities)
    pattern, fmt = resolve_table_input(input, "events", options.input_format)
    if pattern is None:
        raise ConfigError(f"--input {input!r} holds no event files (looked for parquet/events and avro/events)")
    dyads = (
        pipeline
        | "ReadEvents" >> ReadTable(pattern, fmt)
        | "Aggregate" >> AggregateDyads(modalities=modalities)
    )
    (
        dyads
        | "WriteDyads" >> WriteTable(
            output=output, table=TABLE, schema_name="dyad_day", formats=formats, run_id=run_id,
            partition_fn=partition_of_dyad, max_file_mb=max_file_mb,
        )
        | "ListWritten" >> GatherWrittenFiles(output=output, run_id=run_id)
    )
    return dyads


def previous_files(output: str, formats: Sequence[str]) -> list[str]:
    """The committed ``dyad_day`` files of earlier runs (replaced by this run's commit)."""
    return [path for fmt in formats for path in committed_files(output, TABLE, fmt)]


def run(argv: Optional[Sequence[str]] = None) -> dict:
    """Run the job; returns the counter summary."""
    argv = list(sys.argv[1:] if argv is None else argv)
    options = pipeline_options(argv)
    job = options.view_as(AggregateEventsOptions)
    shared = options.view_as(JobOptions)
    input_ = shared.input if given(argv, "--input") else DEFAULT_INPUT  # Beam's default is extract_events' input
    output = shared.output
    formats = validate_job(shared)
    options.view_as(SetupOptions).save_main_session = False
    run_id = new_run_id()
    with OutputRun(output, run_id=run_id, kind="aggregate", break_lock=shared.break_lock,
                   stale_seconds=shared.lock_stale_seconds) as out:
        pipeline = beam.Pipeline(options=options)
        build(pipeline, job, input=input_, output=output, formats=formats, run_id=run_id,
              max_file_mb=shared.max_file_mb)
        result = pipeline.run()
        result.wait_until_finish()
        summary = summarize(result, output=output)
        if METRICS_UNAVAILABLE in summary:
            print(f"demarche aggregate: warning: no run summary: {summary[METRICS_UNAVAILABLE]}", file=sys.stderr)
        old = previous_files(output, formats)
        out.commit(files=read_written_list(output, run_id), removed=old, summary=summary,
                   options=recorded_options(options))
    print(
        f"demarche aggregate: {TABLE} written to {output} (replaced {len(old)} files of earlier runs); "
        f"{summary.get('events_without_date', 0)} events without a date skipped"
    )
    return summary


def main(argv: Optional[Sequence[str]] = None, *, prog: str = "python -m pipelines.aggregate_events") -> int:
    """Entry point (``demarche aggregate``): returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        _help_parser(prog).print_help()
        return 0
    return run_job(lambda: run(argv))


if __name__ == "__main__":
    sys.exit(main())
