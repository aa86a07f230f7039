"""The main demarche job: news documents in, coded events out (Avro + Parquet), bad input dead-lettered.

Run ``python -m pipelines.extract_events --help`` (or ``demarche extract --help``) for the options. Any standard Beam
option (``--runner``, ``--direct_num_workers``, ``--project``, ...) is accepted too. Without ``--runner`` the job runs
on Beam's in-process FnApiRunner (no download attempt, fully offline).
"""
from __future__ import annotations

import argparse
import logging
import re
import sys
import threading
import time
from typing import TYPE_CHECKING, Optional, Sequence

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

from pipelines.cli import run_job
from transforms import dedup, progress, streaming
from transforms.records import ingest
from transforms.clusters import EventClusters
from transforms.coding.errors import ConfigError
from transforms.coding.model import DEFAULT_MODEL
from transforms.incremental import (
    SIGNATURES_TABLE,
    ReadKnownDeadLetterKeys,
    ReadKnownDocuments,
    ReadKnownSignatures,
)
from transforms.names import DEAD_LETTER, DOCUMENTS, DUPLICATES, EVENTS, NAMESPACE, SIGNATURES
from transforms.records.clusters import partition_of_cluster
from transforms.records.near_duplicates import DEFAULT_THRESHOLD, DEFAULT_TTL_SECONDS, NEAR, DedupConfig
from transforms.skip_known import SkipKnown, SkipKnownDeadLetters
from transforms.option_values import split_list
from transforms.sinks import (
    DEFAULT_MAX_FILE_MB,
    GatherWrittenFiles,
    WriteRecords,
    WriteTable,
    new_run_id,
    parse_formats,
    read_written_list,
    remove_run_temp,
)
from transforms.sources import ReadDocuments, match_pattern
from transforms.storage import incremental_plan
from transforms.storage.lease import DEFAULT_STALE_SECONDS
from transforms.storage.output_run import OutputRun

if TYPE_CHECKING:
    from transforms.annotate import CodingConfig

# Runners that execute in this process; on them a streaming job only produces output when it stops.
LOCAL_RUNNERS = ("FnApiRunner", "DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner")

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
            "per file: seed text (starts with 'date YYYY-MM-DD'), JSON Lines (.jsonl/.jsonl.gz), plain text. "
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


# Shown by --help as the fitted value (print_help reads it from the confidence model; parsing options does not, so
# that a run with nothing new never imports the coder and spaCy).
FITTED_MIN_CONFIDENCE = "the value fitted with the confidence model"


def _default_min_confidence() -> float:
    from transforms.coding.events.confidence import ConfidenceModel

    return ConfidenceModel.load().min_confidence


def coding_config(options: ExtractEventsOptions) -> CodingConfig:
    from transforms.annotate import CodingConfig  # imports spaCy: not needed by a run with nothing new

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
    """Check option values before building anything; returns the output formats. Raises ConfigError."""
    formats = parse_formats(options.formats)
    for name in ("batch_size", "max_document_bytes", "dead_letter_max_chars", "window_seconds",
                 "poll_interval_seconds", "dedup_ttl_seconds", "max_file_mb", "lock_stale_seconds"):
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


def build(pipeline: beam.Pipeline, options: ExtractEventsOptions, *, run_id: str,
          replayed_dead_letters: Sequence[str] = ()) -> dict:
    """Add the whole job to ``pipeline`` (batch, or streaming when the pipeline's options say ``--streaming``);
    returns the PCollections by name (for tests and extensions).

    replayed_dead_letters: Batch: committed dead-letter files this run reprocesses (``demarche replay``): they do not
        count as known, and the run's commit retires them.
    """
    validate(options)
    if is_streaming(pipeline.options):
        return build_streaming(pipeline, options, run_id=run_id)
    return build_batch(pipeline, options, run_id=run_id, replayed_dead_letters=replayed_dead_letters)


def build_batch(pipeline: beam.Pipeline, options: ExtractEventsOptions, *, run_id: str,
                replayed_dead_letters: Sequence[str] = ()) -> dict:
    """The batch job: files -> [skip known] -> de-duplicate -> code -> events, documents, clusters, dead letters."""
    limits = ingest.ReadLimits(
        max_document_bytes=options.max_document_bytes, dead_letter_max_chars=options.dead_letter_max_chars
    )
    read = pipeline | "ReadDocuments" >> ReadDocuments(options.input, limits=limits)
    documents, ingest_dead = read[DOCUMENTS], read[DEAD_LETTER]
    incremental = options.incremental is not False  # on unless --no_incremental
    if incremental:
        known_documents = pipeline | "KnownDocuments" >> ReadKnownDocuments(
            options.output, exclude_dead_letters=replayed_dead_letters
        )
        known_signatures = pipeline | "KnownSignatures" >> ReadKnownSignatures(options.output)
    else:
        known_documents = pipeline | "NoKnownDocuments" >> beam.Create([])
        known_signatures = pipeline | "NoKnownSignatures" >> beam.Create([])
    config = dedup_config(options)
    signatures = None
    if not config.enabled:  # off: still one document per doc_id, none already known
        kept = (documents, known_documents) | "SkipKnown" >> SkipKnown()
        documents, id_dead = kept[DOCUMENTS], kept[DEAD_LETTER]
        duplicates = pipeline | "NoDuplicates" >> beam.Create([])
    else:
        deduped = (documents, known_documents, known_signatures) | "Deduplicate" >> dedup.DeduplicateBatch(config)
        documents, duplicates, signatures = deduped[DOCUMENTS], deduped[DUPLICATES], deduped[SIGNATURES]
        id_dead = deduped[DEAD_LETTER]
    ingest_dead = (ingest_dead, id_dead) | "IngestDeadLetters" >> beam.Flatten()
    if incremental:
        known_letters = pipeline | "KnownDeadLetterKeys" >> ReadKnownDeadLetterKeys(
            options.output, exclude_dead_letters=replayed_dead_letters
        )
        ingest_dead = (ingest_dead, known_letters) | "SkipKnownDeadLetters" >> SkipKnownDeadLetters()
    outputs = _code_and_write(options, documents, duplicates, ingest_dead, signatures, run_id=run_id, batch=True)
    if not options.quiet:
        handled = (outputs["coded_documents"], outputs["nlp_dead_letters"], duplicates, ingest_dead)
        handled | "Progress" >> progress.ReportProgress(
            key=run_id, total=progress.count_input_documents(options.input),
            workers=progress.worker_processes(pipeline.options),
        )
    return outputs


def build_streaming(pipeline: beam.Pipeline, options: ExtractEventsOptions, *, run_id: str) -> dict:
    """The streaming job: Pub/Sub or watched folder -> event time -> de-duplicate (keyed state with expiry) ->
    fixed windows -> code -> windowed events, documents, clusters, dead letters."""
    limits = ingest.ReadLimits(
        max_document_bytes=options.max_document_bytes, dead_letter_max_chars=options.dead_letter_max_chars
    )
    if options.input_subscription or options.input_topic:
        read = pipeline | "ReadPubSub" >> streaming.PubSubDocuments(
            subscription=options.input_subscription, topic=options.input_topic, limits=limits
        )
    else:
        stop = None
        if options.stop_after:
            stop = time.time() + options.stop_after
        read = pipeline | "WatchFolder" >> streaming.WatchFolder(
            streaming.folder_pattern(options.watch_folder or options.input),
            poll_interval_seconds=options.poll_interval_seconds,
            stop_timestamp=stop,
            limits=limits,
        )
    documents = read[DOCUMENTS] | "EventTime" >> streaming.AssignEventTime(
        allowed_lateness_seconds=options.allowed_lateness_seconds
    )
    config = dedup_config(options, expiry_timers=runner_name(pipeline.options) != "FnApiRunner")
    if not config.enabled:  # off
        duplicates = pipeline | "NoDuplicates" >> beam.Create([])
    else:
        deduped = documents | "Deduplicate" >> dedup.DeduplicateStream(config)
        documents, duplicates = deduped[DOCUMENTS], deduped[DUPLICATES]

    def windows():
        return streaming.fixed_windows(
            window_seconds=options.window_seconds, allowed_lateness_seconds=options.allowed_lateness_seconds
        )

    documents = documents | "Window" >> windows()
    duplicates = duplicates | "WindowDuplicates" >> windows()
    ingest_dead = read[DEAD_LETTER] | "WindowDeadLetters" >> windows()
    return _code_and_write(options, documents, duplicates, ingest_dead, None, run_id=run_id, batch=False)


def _code_and_write(options, documents, duplicates, ingest_dead, signatures, *, run_id: str, batch: bool) -> dict:
    """Code the documents and write every table (shared by batch and streaming).

    Batch: one file per table, format and partition (WriteTable); the paths written are listed for the commit.
    Streaming: files per window (WriteRecords), each window firing committed on its own.
    """
    from transforms.annotate import CodeDocuments, CountUndated  # imports spaCy: only when there is a pipeline

    formats = parse_formats(options.formats)
    coded = documents | "CodeDocuments" >> CodeDocuments(coding_config(options))
    coded[DOCUMENTS] | "CountUndated" >> CountUndated()
    dead_letters = (ingest_dead, coded[DEAD_LETTER]) | "AllDeadLetters" >> beam.Flatten()
    document_records = (coded[DOCUMENTS], duplicates) | "AllDocuments" >> beam.Flatten()
    clusters = (coded[EVENTS], duplicates) | "EventClusters" >> EventClusters()
    common = dict(output=options.output, run_id=run_id)
    if batch:
        write, sized = WriteTable, dict(max_file_mb=options.max_file_mb)
    else:
        write, sized = WriteRecords, {}
    written = [
        coded[EVENTS] | "WriteEvents" >> write(
            table="events", schema_name="event", formats=formats, **common, **sized),
        document_records | "WriteDocuments" >> write(
            table="documents", schema_name="document", formats=formats, **common, **sized),
        clusters | "WriteClusters" >> write(
            table="event_clusters", schema_name="event_cluster", formats=formats, partition_fn=partition_of_cluster,
            **common, **sized),
        dead_letters | "WriteDeadLetters" >> write(
            table="dead_letter", schema_name="dead_letter", formats=("jsonl",), partition_fn=None, **common, **sized),
    ]
    outputs = {
        "events": coded[EVENTS], "documents": document_records, "dead_letter": dead_letters,
        "event_clusters": clusters, "duplicates": duplicates,
        "coded_documents": coded[DOCUMENTS], "nlp_dead_letters": coded[DEAD_LETTER],
    }
    if signatures is not None:
        written.append(signatures | "WriteSignatures" >> write(
            table=SIGNATURES_TABLE, schema_name="document_signature", formats=("avro",), partition_fn=None, **common,
            **sized))
        outputs["signatures"] = signatures
    if batch:
        outputs["written"] = (
            written | "AllWritten" >> beam.Flatten()
            | "ListWritten" >> GatherWrittenFiles(output=options.output, run_id=run_id)
        )
    return outputs


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
    for action in parser._actions:
        if action.dest == "min_confidence":
            action.help = action.help.replace(
                FITTED_MIN_CONFIDENCE, f"{FITTED_MIN_CONFIDENCE} ({_default_min_confidence()})"
            )
    for options_class in (StandardOptions, DirectOptions, PortableOptions, SetupOptions, WorkerOptions,
                          GoogleCloudOptions, DebugOptions):
        group_parser = parser.add_argument_group(f"Beam {options_class.__name__}")
        options_class._add_argparse_args(group_parser)
    parser.print_help()


def query_counters(result) -> list:
    """``result.metrics().query()["counters"]``, safe after long runs.

    Beam 2.77's FnApiRunner chains one lazy generator per bundle when it merges metrics, so after a long streaming
    run (hundreds of bundles per stage) the query recurses deeper than Python's default limit. The query runs in a
    helper thread with a large stack and a raised recursion limit, restored afterwards.
    """
    box: dict = {}

    def query() -> None:
        try:
            box["counters"] = result.metrics().query()["counters"]
        except BaseException as err:  # noqa: BLE001 - re-raised in the calling thread
            box["error"] = err

    limit, stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(max(limit, 200_000))
    threading.stack_size(512 * 1024 * 1024)
    try:
        thread = threading.Thread(target=query, name="demarche-metrics")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(stack)
        sys.setrecursionlimit(limit)
    if "error" in box:
        raise box["error"]
    return box["counters"]


def accounting(counters: dict) -> dict:
    """Where every input unit (file or line) went: ``read = coded + duplicates + already_known + repeated +
    dead_lettered`` (``unaccounted`` is the difference, 0 unless something is wrong).

    already_known: documents already in the output, their re-deliveries (streaming) and inputs whose dead letter an
        earlier run wrote; repeated: lines that lost to a later line with the same id (each has a ``repeated_id``
        dead letter); dead_lettered: every other dead letter written by this run (ingest, NLP, revised texts).
    """
    get = lambda name: counters.get(name, 0)  # noqa: E731
    repeated = get("documents_repeated_id")
    already_known = get("documents_already_known") + get("documents_redelivered") + get("dead_letters_already_known")
    written = (  # dead letters written by this run (an incremental run does not repeat known dead letters)
        get("dead_lettered_ingest") + get("dead_lettered_nlp") + get("documents_revised") + repeated
        - get("dead_letters_already_known")
    )
    duplicates = get("duplicates_exact") + get("duplicates_near")
    terms = dict(
        duplicates=duplicates, already_known=already_known, repeated=repeated, dead_lettered=written,
        dead_lettered_other=written - repeated,
    )
    terms["unaccounted"] = get("documents_read") - (
        get("documents_coded") + duplicates + already_known + repeated + terms["dead_lettered_other"]
    )
    return terms


def summary_line(summary: dict, *, output: str) -> str:
    """The end-of-run line: where every input went."""
    get = lambda name: summary.get(name, 0)  # noqa: E731
    line = (
        f"demarche: read {get('documents_read')} = coded {get('documents_coded')} + duplicates {get('duplicates')} "
        f"(exact {get('duplicates_exact')}, near {get('duplicates_near')}) + already known {get('already_known')} "
        f"+ repeated ids {get('repeated')} + dead-lettered {get('dead_lettered_other')} "
        f"(revised texts {get('documents_revised')}); {get('dead_lettered')} dead letters written; "
        f"{get('sentences')} sentences ({get('sentences_parsed')} parsed), {get('events')} events "
        f"({get('events_below_min_confidence')} more below --min_confidence, not written) -> {output}"
    )
    if get("unaccounted"):
        line += f"\ndemarche: warning: {get('unaccounted')} input(s) unaccounted for (please report this)"
    return line


def summarize(result, *, output: str) -> dict:
    """Counters of a finished run (Beam Metrics), as a dict; also printed at the end of a batch run."""
    counters = {}
    try:
        for counter in query_counters(result):
            if counter.key.metric.namespace == NAMESPACE:
                name = counter.key.metric.name
                counters[name] = counters.get(name, 0) + counter.committed
    except (NotImplementedError, AttributeError, KeyError):
        return {}
    counters.update(accounting(counters))
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
    stream = is_streaming(options)
    if stream:
        check_streaming_source(job, runner_name(options))
    else:
        if job.input_subscription or job.input_topic or job.watch_folder:
            raise ConfigError("--input_subscription, --input_topic and --watch_folder need --streaming")
        check_input_exists(job.input)
    check_user_lexicons(job)
    options.view_as(SetupOptions).save_main_session = False
    run_id = new_run_id()
    if stream and runner_name(options) not in LOCAL_RUNNERS:
        # A job submitted to a streaming runner outlives this process: no lease; each window commits its files.
        return _run_pipeline(options, job, run_id=run_id, stream=True)
    with OutputRun(job.output, run_id=run_id, kind="extract", break_lock=job.break_lock,
                   stale_seconds=job.lock_stale_seconds, spacy_model=job.spacy_model) as out:
        nothing_new = None if stream else plan_nothing_new(job)
        if nothing_new is not None:  # every input unit is already in the output: no pipeline, no spaCy
            summary = nothing_new
            print(summary_line(summary, output=job.output))
            out.commit(files=[], summary=summary, options=recorded_options(options),
                       extra={"pipeline_skipped": NOTHING_NEW})
            return summary
        summary = _run_pipeline(options, job, run_id=run_id, stream=stream)
        files = [] if stream else read_written_list(job.output, run_id)
        out.commit(files=files, summary=summary, options=recorded_options(options))
    return summary


NOTHING_NEW = "nothing new in the input (every input unit is already in the output's known-documents index)"


def plan_nothing_new(job: ExtractEventsOptions) -> Optional[dict]:
    """A batch incremental run's summary when nothing in its input is new (``transforms/storage/incremental_plan.py``),
    else None (the pipeline runs)."""
    if job.incremental is False:
        return None
    try:
        counters = incremental_plan.plan_nothing_new(
            input_pattern=job.input, output=job.output, max_document_bytes=job.max_document_bytes,
            dead_letter_max_chars=job.dead_letter_max_chars,
        )
    except Exception as err:  # noqa: BLE001 - a plan in doubt is no plan: the full job runs (and reports errors)
        _LOGGER.info("planning the run failed (%s: %s); running the pipeline", type(err).__name__, err)
        return None
    if counters is None:
        return None
    counters.update(accounting(counters))
    return counters


def recorded_options(options: PipelineOptions) -> dict:
    """The options given explicitly (for the run record)."""
    return {k: v for k, v in sorted(options.get_all_options(drop_default=True).items()) if v is not None}


def _run_pipeline(options: PipelineOptions, job: ExtractEventsOptions, *, run_id: str, stream: bool,
                  replayed_dead_letters: Sequence[str] = ()) -> dict:
    """Build, run and wait for the pipeline; print and return the counter summary."""
    pipeline = beam.Pipeline(options=options)
    build(pipeline, job, run_id=run_id, replayed_dead_letters=replayed_dead_letters)
    result = pipeline.run()
    if stream:
        wait_for_streaming(result, job, runner_name(options))
    else:
        result.wait_until_finish()
    remove_run_temp(job.output, run_id)
    summary = summarize(result, output=job.output)
    if summary:
        print(summary_line(summary, output=job.output))
        undated = summary.get("documents_coded_undated", 0)
        if undated:
            print(
                f"demarche: warning: {undated} document(s) were coded without a date: their relative dates "
                "(\"Thursday\", \"next week\") could not be resolved and they are filed under the run's date "
                "(seed files start with 'date YYYY-MM-DD'; JSON Lines have a 'date' field)"
            )
    return summary


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
    for pattern in split_list(streaming.folder_pattern(job.watch_folder or job.input)):
        folder = re.split(r"[*?\[]", pattern, maxsplit=1)[0].rsplit("/", 1)[0] or "/"
        if not FileSystems.exists(folder):
            raise ConfigError(f"watched folder {folder!r} does not exist")
    if runner in LOCAL_RUNNERS and not job.stop_after:
        _LOGGER.warning(
            "streaming on the local %s: outputs are written only when the job stops; pass --stop_after SECONDS "
            "(or use a streaming runner such as Dataflow)", runner,
        )


def wait_for_streaming(result, job: ExtractEventsOptions, runner: str) -> None:
    """Local runners: wait for the end (the watched folder stops by itself after --stop_after). Remote runners:
    with --stop_after, wait that long and cancel the job; without it, return once the job is submitted."""
    local = runner in LOCAL_RUNNERS
    pubsub = bool(job.input_subscription or job.input_topic)
    if local or (job.stop_after and not pubsub):
        result.wait_until_finish()
        return
    if job.stop_after:
        result.wait_until_finish(duration=int(job.stop_after * 1000))
        try:
            result.cancel()
        except Exception as err:  # noqa: BLE001 - already finished or not cancellable
            _LOGGER.info("cancel after --stop_after: %s", err)


def main(argv: Optional[Sequence[str]] = None, *, prog: str = "python -m pipelines.extract_events") -> int:
    return run_job(lambda: run(argv, prog=prog))


if __name__ == "__main__":
    sys.exit(main())
