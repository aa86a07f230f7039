"""The options of the demarche jobs and their validation (checked before anything is built).

``JobOptions`` declares what every job shares, once: ``--input``, ``--output``, ``--formats`` and the output-folder
options (file size, lease). ``ExtractEventsOptions`` adds the coding, de-duplication, incremental and streaming
options of ``extract_events`` (and ``replay``); ``aggregate_events`` adds its own in its module. Beam registers each
option name once per process, so a job's ``--help`` is built from the same declarations (``add_job_arguments``),
with the job's own wording of ``--input``/``--output``.
"""
from __future__ import annotations

import argparse
import logging
import re
from typing import TYPE_CHECKING, Sequence

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

from transforms.coding.errors import ConfigError
from transforms.coding.model import DEFAULT_MODEL
from transforms.storage.lease import DEFAULT_STALE_SECONDS
from transforms.records.option_values import split_list
from transforms.records import ingest
from transforms.records.near_duplicates import DEFAULT_THRESHOLD, DEFAULT_TTL_SECONDS, NEAR, DedupConfig
from transforms.sinks import DEFAULT_MAX_FILE_MB
from transforms.storage.inputs import folder_pattern, match_pattern
from transforms.storage.tables import parse_formats

if TYPE_CHECKING:
    from transforms.annotate import CodingConfig

# Runners that execute in this process; on them a streaming job only produces output when it stops.
LOCAL_RUNNERS = ("FnApiRunner", "DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner")

DEFAULT_RUNNER = "FnApiRunner"
_LOGGER = logging.getLogger("demarche")
DEFAULT_INPUT = "seeds/*"
DEFAULT_OUTPUT = "out"
DEFAULT_FORMATS = "parquet,avro"
EXTRACT_INPUT_HELP = (
    "Input files: a glob, or several globs separated by commas (local or gs://). Formats are detected "
    "per file: seed text (starts with 'date YYYY-MM-DD'), JSON Lines (.jsonl/.jsonl.gz), plain text. "
    f"Default: {DEFAULT_INPUT}"
)
EXTRACT_OUTPUT_HELP = f"Output folder (local or gs://). Default: {DEFAULT_OUTPUT}"
BEAM_HELP_GROUPS = (StandardOptions, DirectOptions, PortableOptions, SetupOptions, WorkerOptions, GoogleCloudOptions,
                    DebugOptions)


def add_job_arguments(parser: argparse.ArgumentParser, *, title: str = "demarche (every job)",
                      input_help: str = EXTRACT_INPUT_HELP, input_default: str = DEFAULT_INPUT,
                      output_help: str = EXTRACT_OUTPUT_HELP) -> None:
    """Declare the options every job shares: the one declaration of ``--input``, ``--output``, ``--formats``,
    ``--max_file_mb``, ``--break_lock`` and ``--lock_stale_seconds``.

    parser: The parser to add a group to (Beam's, or a job's ``--help`` parser).
    title: The group's title in ``--help``.
    input_help, input_default, output_help: The job's wording of ``--input`` / ``--output`` for its ``--help``
        (Beam parses with the extract_events wording and default; a job with another default applies it itself).
    """
    group = parser.add_argument_group(title)
    group.add_argument("--input", default=input_default, help=input_help)
    group.add_argument("--output", default=DEFAULT_OUTPUT, help=output_help)
    group.add_argument(
        "--formats", default=DEFAULT_FORMATS, help="Comma-separated output formats: parquet, avro. Default: both"
    )
    group.add_argument(
        "--max_file_mb",
        type=float,
        default=DEFAULT_MAX_FILE_MB,
        help="A run writes one file per table, format and dt partition; a partition larger than this many MB "
        f"is split into several files. Default: {DEFAULT_MAX_FILE_MB}",
    )
    group.add_argument(
        "--break_lock",
        action="store_true",
        default=False,
        help="Break the output's lease (OUT/_lock.json) when its holder is dead (a killed run); the run says so. "
        "A live holder's lease is never broken.",
    )
    group.add_argument(
        "--lock_stale_seconds",
        type=float,
        default=DEFAULT_STALE_SECONDS,
        help="A lease held from another host is stale after this many seconds without a heartbeat (holders on "
        f"this host are checked by pid). Default: {DEFAULT_STALE_SECONDS:.0f}",
    )


class JobOptions(PipelineOptions):
    """Options every demarche job shares (declared once, by ``add_job_arguments``)."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        add_job_arguments(parser)


def validate_job(options: JobOptions) -> tuple[str, ...]:
    """Check the shared option values; returns the output formats. Raises ConfigError."""
    formats = parse_formats(options.formats)
    for name in ("max_file_mb", "lock_stale_seconds"):
        if getattr(options, name) <= 0:
            raise ConfigError(f"--{name} must be positive")
    return formats


class ExtractEventsOptions(JobOptions, PipelineOptions):
    """Options of the extract_events job (and of replay, which runs it), on top of the JobOptions and the standard
    Beam options. PipelineOptions is listed again so that Beam, which registers only its direct subclasses, records
    these options in ``get_all_options`` (the run record)."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("demarche extract_events")
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
            "--place_aliases_file",
            default=None,
            help="Extra place aliases (place_aliases.tsv format) read after the built-in ones (see README).",
        )
        group.add_argument(
            "--min_confidence",
            type=float,
            default=None,
            help="Drop events whose confidence (the calibrated probability that the event is right in every "
            "field) is below this, 0..1; 0 keeps every event. Dropped events are counted in the run summary "
            f"(events_below_min_confidence). Default: {FITTED_MIN_CONFIDENCE} (see README 'Confidence')",
        )
        group.add_argument(
            "--batch_size", type=int, default=32, help="Documents per spaCy nlp.pipe batch. Default: 32"
        )
        group.add_argument(
            "--no_sentence_filter",
            dest="sentence_filter",
            action="store_false",
            help="Run the tagger, parser and NER on every sentence. By default only sentences that may hold an "
            "event (a word of the pattern lexicon and a possible actor) are parsed; the others are only split "
            "and matched against the actor dictionary (document context). Same output format either way.",
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
        group.add_argument(
            "--dedup",
            default=NEAR,
            help="Document de-duplication: off, exact (normalised text hash) or near (exact + MinHash "
            "near-duplicates). Duplicates are not coded; they are recorded in the documents table with "
            "duplicate_of. Default: near",
        )
        group.add_argument(
            "--near_duplicate_threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help="Estimated Jaccard similarity of word 3-shingles above which two documents are near-duplicates. "
            f"Default: {DEFAULT_THRESHOLD}",
        )
        group.add_argument(
            "--incremental",
            action="store_true",
            default=None,
            help="Batch (the default for batch runs): code only documents whose doc_id is not yet in the output's "
            "documents table (and skip texts already coded); a run with nothing new writes nothing, so a "
            "scheduler can re-run the job over a growing input and re-running never duplicates records.",
        )
        group.add_argument(
            "--no_incremental",
            dest="incremental",
            action="store_false",
            help="Batch: code every input document even if the output already holds it (e.g. after changing a "
            "lexicon; better write to a new --output then).",
        )
        group.add_argument(
            "--quiet",
            action="store_true",
            help="Batch: no progress lines on stderr (by default each worker prints documents done, rate and ETA "
            "every 10 s). The summary line is printed either way.",
        )
        stream = parser.add_argument_group("demarche streaming (with --streaming)")
        stream.add_argument(
            "--input_subscription", default=None,
            help="Pub/Sub subscription (projects/P/subscriptions/S) delivering one JSON document per message.",
        )
        stream.add_argument(
            "--input_topic", default=None,
            help="Pub/Sub topic (projects/P/topics/T); the runner creates a temporary subscription.",
        )
        stream.add_argument(
            "--watch_folder", default=None,
            help="Folder (or glob) watched for new files, each read once (every batch input format). Without a "
            "Pub/Sub option and without --watch_folder, --input is watched. Write files as dotfiles and rename "
            "them into place.",
        )
        stream.add_argument(
            "--poll_interval_seconds", type=float, default=10.0,
            help="Watched folder: seconds between two listings. Default: 10",
        )
        stream.add_argument(
            "--window_seconds", type=int, default=60,
            help="Fixed event-time windows of the output files, in seconds. Default: 60",
        )
        stream.add_argument(
            "--allowed_lateness_seconds", type=int, default=3600,
            help="How late (event time) a document may arrive and still join its window; documents published "
            "earlier than that before their arrival are timed by arrival. Default: 3600",
        )
        stream.add_argument(
            "--dedup_ttl_seconds", type=int, default=DEFAULT_TTL_SECONDS,
            help="How long (event time) streaming de-duplication remembers a document. Memory grows with the "
            f"documents of one TTL. Default: {DEFAULT_TTL_SECONDS}",
        )
        stream.add_argument(
            "--stop_after", type=float, default=None,
            help="Stop a streaming job after this many seconds (the watched folder stops polling, a Pub/Sub job is "
            "cancelled); on local runners the outputs appear when it stops.",
        )


# Shown by --help as the fitted value (print_extract_help reads it from the confidence model; parsing options does
# not, so that a run with nothing new never imports the coder and spaCy).
FITTED_MIN_CONFIDENCE = "the value fitted with the confidence model"


def _default_min_confidence() -> float:
    from transforms.coding.events.confidence import ConfidenceModel

    return ConfidenceModel.load().min_confidence


def coding_config(options: ExtractEventsOptions) -> CodingConfig:
    from transforms.annotate import CodingConfig  # the coding step: not needed by a run with nothing new

    return CodingConfig(
        spacy_model=options.spacy_model,
        actors_file=options.actors_file,
        patterns_file=options.patterns_file,
        place_aliases_file=options.place_aliases_file,
        batch_size=options.batch_size,
        sentence_filter=options.sentence_filter,
        max_chunk_chars=options.max_chunk_chars,
        dead_letter_max_chars=options.dead_letter_max_chars,
        min_confidence=options.min_confidence,
    )


def dedup_config(options: ExtractEventsOptions, *, expiry_timers: bool = True) -> DedupConfig:
    return DedupConfig(
        mode=options.dedup,
        threshold=options.near_duplicate_threshold,
        ttl_seconds=options.dedup_ttl_seconds,
        expiry_timers=expiry_timers,
    )


def is_streaming(options: PipelineOptions) -> bool:
    return bool(options.view_as(StandardOptions).streaming)


def runner_name(options: PipelineOptions) -> str:
    runner = options.view_as(StandardOptions).runner or DEFAULT_RUNNER
    return runner if isinstance(runner, str) else type(runner).__name__


def validate(options: ExtractEventsOptions) -> tuple[str, ...]:
    """Check the extract_events option values before building anything; returns the output formats. Raises
    ConfigError."""
    formats = validate_job(options)
    for name in ("batch_size", "max_document_bytes", "dead_letter_max_chars", "window_seconds",
                 "poll_interval_seconds", "dedup_ttl_seconds"):
        if getattr(options, name) <= 0:
            raise ConfigError(f"--{name} must be positive")
    if options.min_confidence is not None and not 0.0 <= options.min_confidence <= 1.0:
        raise ConfigError("--min_confidence must be within 0..1")
    if options.allowed_lateness_seconds < 0:
        raise ConfigError("--allowed_lateness_seconds must not be negative")
    if options.stop_after is not None and options.stop_after <= 0:
        raise ConfigError("--stop_after must be positive")
    if options.input_subscription and options.input_topic:
        raise ConfigError("give --input_subscription or --input_topic, not both")
    dedup_config(options)
    if options.max_chunk_chars is not None and options.max_chunk_chars < 1000:
        raise ConfigError("--max_chunk_chars must be at least 1000")
    for name in ("actors_file", "patterns_file", "place_aliases_file"):
        path = getattr(options, name)
        if path and not FileSystems.exists(path):
            raise ConfigError(f"--{name} {path!r} does not exist")
    return formats


def check_user_lexicons(options: ExtractEventsOptions) -> None:
    """Load the coders once before submitting the job when user lexicons are given, so that a malformed entry stops
    the run here with ``FILE:LINE: what is wrong`` instead of failing every worker's set-up."""
    if options.actors_file or options.patterns_file or options.place_aliases_file:
        from transforms.coding.coder import DocumentCoder

        DocumentCoder(
            actors_file=options.actors_file,
            patterns_file=options.patterns_file,
            place_aliases_file=options.place_aliases_file,
        )


def check_input_exists(pattern: str) -> None:
    """Fail early, with a clear message, when an input glob matches no file."""
    for part in split_list(pattern):
        if not match_pattern(part):
            raise ConfigError(f"--input {part!r} matches no file")


def check_streaming_source(job: ExtractEventsOptions, runner: str) -> None:
    """Streaming sources need what they need: a watched folder must exist; Pub/Sub needs a streaming runner."""
    if job.incremental is True:
        raise ConfigError("--incremental is for batch runs (a streaming job sees every document once anyway)")
    if job.input_subscription or job.input_topic:
        if runner == "FnApiRunner":
            raise ConfigError(
                "Pub/Sub input needs a streaming runner (e.g. --runner DataflowRunner); the local FnApiRunner cannot "
                "read Pub/Sub. Use --watch_folder to try the streaming job locally."
            )
        return
    for pattern in split_list(folder_pattern(job.watch_folder or job.input)):
        folder = re.split(r"[*?\[]", pattern, maxsplit=1)[0].rsplit("/", 1)[0] or "/"
        if not FileSystems.exists(folder):
            raise ConfigError(f"watched folder {folder!r} does not exist")
    if runner in LOCAL_RUNNERS and not job.stop_after:
        _LOGGER.warning(
            "streaming on the local %s: outputs are written only when the job stops; pass --stop_after SECONDS "
            "(or use a streaming runner such as Dataflow)", runner,
        )


def given(argv: Sequence[str], flag: str) -> bool:
    """Whether ``argv`` sets ``flag`` (``--flag VALUE`` or ``--flag=VALUE``)."""
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv)


def pipeline_options(argv: Sequence[str]) -> PipelineOptions:
    """Parse argv into PipelineOptions, defaulting the runner to the offline in-process FnApiRunner."""
    argv = list(argv)
    if not given(argv, "--runner"):
        argv.append(f"--runner={DEFAULT_RUNNER}")
    return PipelineOptions(argv)


def help_parser(*, prog: str, description: str, job_options: type[PipelineOptions],
                input_help: str = EXTRACT_INPUT_HELP, input_default: str = DEFAULT_INPUT,
                output_help: str = EXTRACT_OUTPUT_HELP) -> argparse.ArgumentParser:
    """A job's ``--help``: the shared options (in the job's wording), the job's own, then the common Beam ones.

    job_options: The job's PipelineOptions subclass (its ``_add_argparse_args`` adds its group).
    """
    parser = argparse.ArgumentParser(prog=prog, description=description)
    add_job_arguments(parser, title="demarche", input_help=input_help, input_default=input_default,
                      output_help=output_help)
    job_options._add_argparse_args(parser)
    for options_class in BEAM_HELP_GROUPS:
        options_class._add_argparse_args(parser.add_argument_group(f"Beam {options_class.__name__}"))
    return parser


def print_extract_help(prog: str = "python -m pipelines.extract_events") -> None:
    """--help of extract_events (and replay): the job's options plus the common Beam ones."""
    parser = help_parser(
        prog=prog,
        description="Code political events in news documents; write Avro + Parquet events, documents and dead "
        "letters. Any other standard Beam pipeline option is accepted as well.",
        job_options=ExtractEventsOptions,
    )
    for action in parser._actions:
        if action.dest == "min_confidence":
            action.help = action.help.replace(
                FITTED_MIN_CONFIDENCE, f"{FITTED_MIN_CONFIDENCE} ({_default_min_confidence()})"
            )
    parser.print_help()


def recorded_options(options: PipelineOptions) -> dict:
    """The options given explicitly (for the run record)."""
    return {k: v for k, v in sorted(options.get_all_options(drop_default=True).items()) if v is not None}

