"""The main demarche job: news documents in, coded events out (Avro + Parquet), bad input dead-lettered.

Run ``python -m pipelines.extract_events --help`` (or ``demarche extract --help``) for the options. Any standard Beam
option (``--runner``, ``--direct_num_workers``, ``--project``, ...) is accepted too. Without ``--runner`` the job runs
on Beam's in-process FnApiRunner (no download attempt, fully offline).

The graph, read top-down (like Beam's ``examples/complete/game``): ``ReadNewDocuments`` (batch: files -> documents not
yet in the output, de-duplicated) or ``ReadStreamingDocuments`` (Pub/Sub or a watched folder -> event time ->
de-duplicated -> fixed windows), then ``CodeAndWrite`` (code -> events, documents, clusters, dead letters written).
The options and their validation are in ``pipelines/options.py``, the end-of-run summary in ``pipelines/summary.py``.
"""
from __future__ import annotations

import logging
import sys
import time
from typing import Optional, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions
from apache_beam.pvalue import PBegin, PCollection

from pipelines.cli import job_main
from pipelines.options import (
    LOCAL_RUNNERS,
    ExtractEventsOptions,
    check_input_exists,
    check_streaming_source,
    check_user_lexicons,
    coding_config,
    dedup_config,
    is_streaming,
    pipeline_options,
    print_extract_help,
    recorded_options,
    runner_name,
    validate,
)
from pipelines.summary import accounting, print_summary, summarize
from transforms import dedup, progress, streaming
from transforms.clusters import EventClusters
from transforms.coding.errors import ConfigError
from transforms.incremental import (
    ReadKnownDeadLetterKeys,
    ReadKnownDocuments,
    ReadKnownSignatures,
)
from transforms.names import DEAD_LETTER, DOCUMENTS, DUPLICATES, EVENTS, SIGNATURES
from transforms.records import ingest
from transforms.records.clusters import partition_of_cluster
from transforms.skip_known import SkipKnown, SkipKnownDeadLetters
from transforms.sinks import (
    GatherWrittenFiles,
    WriteRecords,
    WriteTable,
    remove_run_temp,
)
from transforms.sources import ReadDocuments
from transforms.storage import incremental_plan
from transforms.storage.commit import new_run_id
from transforms.storage.inputs import count_input_documents, folder_pattern
from transforms.storage.tables import SIGNATURES_TABLE, parse_formats, read_written_list
from transforms.storage.output_run import OutputRun

_LOGGER = logging.getLogger("demarche")


class ReadNewDocuments(beam.PTransform):
    """Batch: input files -> the documents to code (not yet in the output, one per doc_id, de-duplicated), their
    duplicates, their MinHash signatures (when de-duplicating) and every ingest dead letter not already written."""

    def __init__(self, options: ExtractEventsOptions, *, replayed_dead_letters: Sequence[str] = ()) -> None:
        """options: The job's options.
        replayed_dead_letters: Committed dead-letter files this run reprocesses: they do not count as known.
        """
        super().__init__()
        self._options = options
        self._replayed = tuple(replayed_dead_letters)

    def expand(self, pbegin: PBegin) -> dict[str, PCollection]:
        options = self._options
        limits = ingest.ReadLimits(
            max_document_bytes=options.max_document_bytes, dead_letter_max_chars=options.dead_letter_max_chars
        )
        read = pbegin | "ReadDocuments" >> ReadDocuments(options.input, limits=limits)
        documents, ingest_dead = read[DOCUMENTS], read[DEAD_LETTER]
        incremental = options.incremental is not False  # on unless --no_incremental
        if incremental:
            known_documents = pbegin | "KnownDocuments" >> ReadKnownDocuments(
                options.output, exclude_dead_letters=self._replayed
            )
            known_signatures = pbegin | "KnownSignatures" >> ReadKnownSignatures(options.output)
        else:
            known_documents = pbegin | "NoKnownDocuments" >> beam.Create([])
            known_signatures = pbegin | "NoKnownSignatures" >> beam.Create([])
        config = dedup_config(options)
        outputs = {}
        if not config.enabled:  # off: still one document per doc_id, none already known
            kept = (documents, known_documents) | "SkipKnown" >> SkipKnown()
            documents, id_dead = kept[DOCUMENTS], kept[DEAD_LETTER]
            duplicates = pbegin | "NoDuplicates" >> beam.Create([])
        else:
            deduped = (documents, known_documents, known_signatures) | "Deduplicate" >> dedup.DeduplicateBatch(config)
            documents, duplicates = deduped[DOCUMENTS], deduped[DUPLICATES]
            outputs[SIGNATURES] = deduped[SIGNATURES]
            id_dead = deduped[DEAD_LETTER]
        ingest_dead = (ingest_dead, id_dead) | "IngestDeadLetters" >> beam.Flatten()
        if incremental:
            known_letters = pbegin | "KnownDeadLetterKeys" >> ReadKnownDeadLetterKeys(
                options.output, exclude_dead_letters=self._replayed
            )
            ingest_dead = (ingest_dead, known_letters) | "SkipKnownDeadLetters" >> SkipKnownDeadLetters()
        outputs.update({DOCUMENTS: documents, DUPLICATES: duplicates, DEAD_LETTER: ingest_dead})
        return outputs


class ReadStreamingDocuments(beam.PTransform):
    """Streaming: Pub/Sub or a watched folder -> event time -> de-duplicated (keyed state with expiry) -> fixed
    windows: the documents to code, their duplicates and the ingest dead letters, all windowed."""

    def __init__(self, options: ExtractEventsOptions, *, expiry_timers: bool) -> None:
        """options: The job's options.
        expiry_timers: Whether de-duplication state expires by timers (not on the FnApiRunner).
        """
        super().__init__()
        self._options = options
        self._expiry_timers = expiry_timers

    def expand(self, pbegin: PBegin) -> dict[str, PCollection]:
        options = self._options
        limits = ingest.ReadLimits(
            max_document_bytes=options.max_document_bytes, dead_letter_max_chars=options.dead_letter_max_chars
        )
        if options.input_subscription or options.input_topic:
            read = pbegin | "ReadPubSub" >> streaming.PubSubDocuments(
                subscription=options.input_subscription, topic=options.input_topic, limits=limits
            )
        else:
            stop = None
            if options.stop_after:
                stop = time.time() + options.stop_after
            read = pbegin | "WatchFolder" >> streaming.WatchFolder(
                folder_pattern(options.watch_folder or options.input),
                poll_interval_seconds=options.poll_interval_seconds,
                stop_timestamp=stop,
                limits=limits,
            )
        documents = read[DOCUMENTS] | "EventTime" >> streaming.AssignEventTime(
            allowed_lateness_seconds=options.allowed_lateness_seconds
        )
        config = dedup_config(options, expiry_timers=self._expiry_timers)
        if not config.enabled:  # off
            duplicates = pbegin | "NoDuplicates" >> beam.Create([])
        else:
            deduped = documents | "Deduplicate" >> dedup.DeduplicateStream(config)
            documents, duplicates = deduped[DOCUMENTS], deduped[DUPLICATES]

        def windows():
            return streaming.fixed_windows(
                window_seconds=options.window_seconds, allowed_lateness_seconds=options.allowed_lateness_seconds
            )

        return {
            DOCUMENTS: documents | "Window" >> windows(),
            DUPLICATES: duplicates | "WindowDuplicates" >> windows(),
            DEAD_LETTER: read[DEAD_LETTER] | "WindowDeadLetters" >> windows(),
        }


class CodeAndWrite(beam.PTransform):
    """The documents to code (with their duplicates, ingest dead letters and signatures) -> coded and every table
    written: events, documents, event_clusters, dead_letter (and the signatures index in batch).

    Batch: one file per table, format and partition (WriteTable); the paths written are listed for the commit.
    Streaming: files per window (WriteRecords), each window firing committed on its own.
    """

    def __init__(self, options: ExtractEventsOptions, *, run_id: str, batch: bool) -> None:
        """options: The job's options. run_id: The run's id (file names). batch: Batch or streaming writes."""
        super().__init__()
        self._options = options
        self._run_id = run_id
        self._batch = batch

    def expand(self, inputs: dict[str, PCollection]) -> dict[str, PCollection]:
        from transforms.annotate import CodeDocuments, CountUndated  # spaCy: only in the process that codes

        options, run_id = self._options, self._run_id
        documents, duplicates, ingest_dead = inputs[DOCUMENTS], inputs[DUPLICATES], inputs[DEAD_LETTER]
        signatures = inputs.get(SIGNATURES)
        formats = parse_formats(options.formats)
        coded = documents | "CodeDocuments" >> CodeDocuments(coding_config(options))
        coded[DOCUMENTS] | "CountUndated" >> CountUndated()
        dead_letters = (ingest_dead, coded[DEAD_LETTER]) | "AllDeadLetters" >> beam.Flatten()
        document_records = (coded[DOCUMENTS], duplicates) | "AllDocuments" >> beam.Flatten()
        clusters = (coded[EVENTS], duplicates) | "EventClusters" >> EventClusters()
        common = dict(output=options.output, run_id=run_id)
        if self._batch:
            write, sized = WriteTable, dict(max_file_mb=options.max_file_mb)
        else:
            write, sized = WriteRecords, {}
        written = [
            coded[EVENTS] | "WriteEvents" >> write(
                table="events", schema_name="event", formats=formats, **common, **sized),
            document_records | "WriteDocuments" >> write(
                table="documents", schema_name="document", formats=formats, **common, **sized),
            clusters | "WriteClusters" >> write(
                table="event_clusters", schema_name="event_cluster", formats=formats,
                partition_fn=partition_of_cluster, **common, **sized),
            dead_letters | "WriteDeadLetters" >> write(
                table="dead_letter", schema_name="dead_letter", formats=("jsonl",), partition_fn=None, **common,
                **sized),
        ]
        outputs = {
            "events": coded[EVENTS], "documents": document_records, "dead_letter": dead_letters,
            "event_clusters": clusters, "duplicates": duplicates,
            "coded_documents": coded[DOCUMENTS], "nlp_dead_letters": coded[DEAD_LETTER],
        }
        if signatures is not None:
            written.append(signatures | "WriteSignatures" >> write(
                table=SIGNATURES_TABLE, schema_name="document_signature", formats=("avro",), partition_fn=None,
                **common, **sized))
            outputs["signatures"] = signatures
        if self._batch:
            outputs["written"] = (
                written | "AllWritten" >> beam.Flatten()
                | "ListWritten" >> GatherWrittenFiles(output=options.output, run_id=run_id)
            )
        return outputs


def build(pipeline: beam.Pipeline, options: ExtractEventsOptions, *, run_id: str,
          replayed_dead_letters: Sequence[str] = ()) -> dict:
    """Add the whole job to ``pipeline`` (batch, or streaming when the pipeline's options say ``--streaming``);
    returns the PCollections by name (for tests and extensions).

    replayed_dead_letters: Batch: committed dead-letter files this run reprocesses (``demarche replay``): they do not
        count as known, and the run's commit retires them.
    """
    validate(options)
    if is_streaming(pipeline.options):
        new = pipeline | "ReadStreamingDocuments" >> ReadStreamingDocuments(
            options, expiry_timers=runner_name(pipeline.options) != "FnApiRunner"
        )
        return new | "CodeAndWrite" >> CodeAndWrite(options, run_id=run_id, batch=False)
    new = pipeline | "ReadNewDocuments" >> ReadNewDocuments(options, replayed_dead_letters=replayed_dead_letters)
    outputs = new | "CodeAndWrite" >> CodeAndWrite(options, run_id=run_id, batch=True)
    if not options.quiet:
        handled = (outputs["coded_documents"], outputs["nlp_dead_letters"], new[DUPLICATES], new[DEAD_LETTER])
        handled | "Progress" >> progress.ReportProgress(
            key=run_id, total=count_input_documents(options.input),
            workers=progress.worker_processes(pipeline.options),
        )
    return outputs


def run(argv: Optional[Sequence[str]] = None, *, prog: str = "python -m pipelines.extract_events") -> dict:
    """Run the job. Returns the counter summary (empty when the runner does not report metrics)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        print_extract_help(prog)
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
        return run_pipeline(options, job, run_id=run_id, stream=True)
    with OutputRun(job.output, run_id=run_id, kind="extract", break_lock=job.break_lock,
                   stale_seconds=job.lock_stale_seconds, spacy_model=job.spacy_model) as out:
        nothing_new = None if stream else plan_nothing_new(job)
        if nothing_new is not None:  # every input unit is already in the output: no pipeline, no spaCy
            summary = nothing_new
            print_summary(summary, output=job.output)
            out.commit(files=[], summary=summary, options=recorded_options(options),
                       extra={"pipeline_skipped": NOTHING_NEW})
            return summary
        summary = run_pipeline(options, job, run_id=run_id, stream=stream)
        files = [] if stream else read_written_list(job.output, run_id)
        out.commit(files=files, summary=summary, options=recorded_options(options))
    return summary


NOTHING_NEW = "nothing new in the input (every input unit is already in the output's known-documents index)"


def plan_nothing_new(job: ExtractEventsOptions) -> Optional[dict]:
    """A batch incremental run's summary when nothing in its input is new (``transforms/storage/incremental_plan.py``),
    else None (the pipeline runs). A plan in doubt is None; a failure to read the output (StorageError) fails the run,
    as it would fail the pipeline."""
    if job.incremental is False:
        return None
    counters = incremental_plan.plan_nothing_new(
        input_pattern=job.input, output=job.output, max_document_bytes=job.max_document_bytes,
        dead_letter_max_chars=job.dead_letter_max_chars,
    )
    if counters is None:
        return None
    counters.update(accounting(counters))
    return counters



def run_pipeline(options: PipelineOptions, job: ExtractEventsOptions, *, run_id: str, stream: bool,
                 replayed_dead_letters: Sequence[str] = ()) -> dict:
    """Build, run and wait for the pipeline; print and return the counter summary (also used by ``replay``)."""
    pipeline = beam.Pipeline(options=options)
    build(pipeline, job, run_id=run_id, replayed_dead_letters=replayed_dead_letters)
    result = pipeline.run()
    if stream:
        wait_for_streaming(result, job, runner_name(options))
    else:
        result.wait_until_finish()
    remove_run_temp(job.output, run_id)
    summary = summarize(result, output=job.output)
    print_summary(summary, output=job.output)
    return summary


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


main = job_main(run, prog="python -m pipelines.extract_events")


if __name__ == "__main__":
    sys.exit(main())
