"""The main demarche job: news documents in, coded events out (Avro + Parquet), bad input dead-lettered.

Run ``python -m pipelines.extract_events --help`` (or ``demarche extract --help``) for the options. Any standard Beam
option (``--runner``, ``--direct_num_workers``, ``--project``, ...) is accepted too. Without ``--runner`` the job runs
on Beam's in-process FnApiRunner (no download attempt, fully offline).
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import (
    DebugOptions,
    DirectOptions,
    GoogleCloudOptions,
    PipelineOptions,
    PortableOptions,
    SetupOptions,
    StandardOptions,
    WorkerOptions,
)

from transforms import ingest
from transforms.annotate import CodeDocuments, CodingConfig
from transforms.coding.errors import ConfigError, DemarcheError
from transforms.coding.nlp import DEFAULT_MODEL
from transforms.sinks import WriteRecords, new_run_id, parse_formats, remove_run_temp
from transforms.sources import DEAD_LETTER, DOCUMENTS, ReadDocuments

DEFAULT_RUNNER = "FnApiRunner"
_LOGGER = logging.getLogger("demarche")


class ExtractEventsOptions(PipelineOptions):
    """Options of the extract_events job (the standard Beam options come on top)."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("demarche extract_events")
        group.add_argument(
            "--input",
            default="seeds/*",
            help="Input files: a glob, or several globs separated by commas (local or gs://). Formats are detected "
            "per file: seed text ('date YYYY-MM-DD' first line), JSON Lines (.jsonl/.jsonl.gz), plain text. "
            "Default: seeds/*",
        )
        group.add_argument("--output", default="out", help="Output folder (local or gs://). Default: out")
        group.add_argument(
            "--formats", default="parquet,avro", help="Comma-separated output formats: parquet, avro. Default: both"
        )
        group.add_argument(
            "--spacy_model",
            default=DEFAULT_MODEL,
            help=f"Installed spaCy pipeline to use (e.g. en_core_web_md, en_core_web_trf). Default: {DEFAULT_MODEL}",
        )
        group.add_argument(
            "--actors_file", default=None, help="Extra actor dictionary extending the built-in one (see README)."
        )
        group.add_argument(
            "--patterns_file", default=None, help="Extra event pattern lexicon extending the built-in one (see README)."
        )
        group.add_argument(
            "--batch_size", type=int, default=32, help="Documents per spaCy nlp.pipe batch. Default: 32"
        )
        group.add_argument(
            "--max_document_bytes",
            type=int,
            default=ingest.DEFAULT_MAX_DOCUMENT_BYTES,
            help="Documents larger than this are dead-lettered (reason too_large). "
            f"Default: {ingest.DEFAULT_MAX_DOCUMENT_BYTES}",
        )
        group.add_argument(
            "--max_chunk_chars",
            type=int,
            default=None,
            help="Longest piece of text given to spaCy at once; longer documents are parsed in pieces and "
            "re-assembled (never truncated). Default: the model's max_length.",
        )
        group.add_argument(
            "--dead_letter_max_chars",
            type=int,
            default=ingest.DEFAULT_DEAD_LETTER_MAX_CHARS,
            help=f"Raw input kept in a dead letter is truncated to this. Default: {ingest.DEFAULT_DEAD_LETTER_MAX_CHARS}",
        )


def coding_config(options: ExtractEventsOptions) -> CodingConfig:
    return CodingConfig(
        spacy_model=options.spacy_model,
        actors_file=options.actors_file,
        patterns_file=options.patterns_file,
        batch_size=options.batch_size,
        max_chunk_chars=options.max_chunk_chars,
        dead_letter_max_chars=options.dead_letter_max_chars,
    )


def validate(options: ExtractEventsOptions) -> tuple[str, ...]:
    """Check option values before building anything; returns the output formats. Raises ConfigError."""
    formats = parse_formats(options.formats)
    for name in ("batch_size", "max_document_bytes", "dead_letter_max_chars"):
        if getattr(options, name) <= 0:
            raise ConfigError(f"--{name} must be positive")
    if options.max_chunk_chars is not None and options.max_chunk_chars < 1000:
        raise ConfigError("--max_chunk_chars must be at least 1000")
    for name in ("actors_file", "patterns_file"):
        path = getattr(options, name)
        if path and not FileSystems.exists(path):
            raise ConfigError(f"--{name} {path!r} does not exist")
    return formats


def check_input_exists(pattern: str) -> None:
    """Fail early, with a clear message, when an input glob matches no file."""
    for part in (p.strip() for p in pattern.split(",") if p.strip()):
        if not FileSystems.match([part])[0].metadata_list:
            raise ConfigError(f"--input {part!r} matches no file")


def build(pipeline: beam.Pipeline, options: ExtractEventsOptions, *, run_id: str) -> dict:
    """Add the whole job to ``pipeline``; returns the PCollections by name (for tests and extensions)."""
    formats = validate(options)
    read = pipeline | "ReadDocuments" >> ReadDocuments(
        options.input,
        max_document_bytes=options.max_document_bytes,
        dead_letter_max_chars=options.dead_letter_max_chars,
    )
    coded = read[DOCUMENTS] | "CodeDocuments" >> CodeDocuments(coding_config(options))
    dead_letters = (read[DEAD_LETTER], coded["dead_letter"]) | "AllDeadLetters" >> beam.Flatten()
    common = dict(output=options.output, run_id=run_id)
    coded["events"] | "WriteEvents" >> WriteRecords(table="events", schema_name="event", formats=formats, **common)
    coded["documents"] | "WriteDocuments" >> WriteRecords(
        table="documents", schema_name="document", formats=formats, **common
    )
    dead_letters | "WriteDeadLetters" >> WriteRecords(
        table="dead_letter", schema_name="dead_letter", formats=("jsonl",), partition_fn=None, **common
    )
    return {"events": coded["events"], "documents": coded["documents"], "dead_letter": dead_letters}


def pipeline_options(argv: Sequence[str]) -> PipelineOptions:
    """Parse argv into PipelineOptions, defaulting the runner to the offline in-process FnApiRunner."""
    argv = list(argv)
    if not any(arg == "--runner" or arg.startswith("--runner=") for arg in argv):
        argv.append(f"--runner={DEFAULT_RUNNER}")
    return PipelineOptions(argv)


def print_help(prog: str = "python -m pipelines.extract_events") -> None:
    """--help: the job's own options plus the common Beam ones."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Code political events in news documents; write Avro + Parquet events, documents and dead "
        "letters. Any other standard Beam pipeline option is accepted as well.",
    )
    ExtractEventsOptions._add_argparse_args(parser)
    for options_class in (StandardOptions, DirectOptions, PortableOptions, SetupOptions, WorkerOptions,
                          GoogleCloudOptions, DebugOptions):
        group_parser = parser.add_argument_group(f"Beam {options_class.__name__}")
        options_class._add_argparse_args(group_parser)
    parser.print_help()


def summarize(result, *, output: str) -> dict:
    """Counters of a finished run (Beam Metrics), as a dict; also printed at the end of a batch run."""
    counters = {}
    try:
        for counter in result.metrics().query()["counters"]:
            if counter.key.metric.namespace == "demarche":
                name = counter.key.metric.name
                counters[name] = counters.get(name, 0) + counter.committed
    except (NotImplementedError, AttributeError, KeyError):
        return {}
    counters["dead_lettered"] = counters.get("dead_lettered_ingest", 0) + counters.get("dead_lettered_nlp", 0)
    return counters


def run(argv: Optional[Sequence[str]] = None, *, prog: str = "python -m pipelines.extract_events") -> dict:
    """Run the job. Returns the counter summary (empty when the runner does not report metrics)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        print_help(prog)
        return {}
    options = pipeline_options(argv)
    job = options.view_as(ExtractEventsOptions)
    validate(job)
    check_input_exists(job.input)
    options.view_as(SetupOptions).save_main_session = False
    run_id = new_run_id()
    pipeline = beam.Pipeline(options=options)
    build(pipeline, job, run_id=run_id)
    result = pipeline.run()
    result.wait_until_finish()
    remove_run_temp(job.output, run_id)
    summary = summarize(result, output=job.output)
    if summary:
        print(
            "demarche: read {documents_read} documents, accepted {documents_accepted}, coded {documents_coded}, "
            "dead-lettered {dead_lettered}; {sentences} sentences, {events} events -> {output}".format(
                output=job.output, **{k: summary.get(k, 0) for k in (
                    "documents_read", "documents_accepted", "documents_coded", "dead_lettered", "sentences", "events")}
            )
        )
    return summary


def main(argv: Optional[Sequence[str]] = None, *, prog: str = "python -m pipelines.extract_events") -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        run(argv, prog=prog)
    except DemarcheError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
