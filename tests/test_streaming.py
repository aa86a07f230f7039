"""Streaming: event time, fixed windows and late data (TestStream), Pub/Sub message parsing, and the watched-folder
job on the local runner bounded by --stop_after, with files dropped in while it runs."""
from __future__ import annotations

import datetime as dt
import glob
import json
import os
import re
import time

import apache_beam as beam
import fastavro
import pyarrow.parquet as pq
import pytest
from apache_beam.io.gcp.pubsub import PubsubMessage
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.test_stream import TestStream as BeamTestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from conftest import streaming_pipeline
from pipelines import extract_events
from transforms import streaming
from transforms.records import ingest
from transforms.coding.errors import ConfigError
from transforms.coding.model import Document

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _at(seconds: float) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=seconds)


def test_event_time_is_publication_time_within_the_allowed_lateness():
    arrival = Timestamp(1000)
    timed = lambda doc: streaming.event_time(doc, arrival=arrival, allowed_lateness_seconds=60)  # noqa: E731
    assert timed(Document(doc_id="a", text="x", published_at=_at(970))) == Timestamp(970)
    assert timed(Document(doc_id="b", text="x", published_at=_at(900))) == arrival  # too old: arrival
    assert timed(Document(doc_id="c", text="x", published_at=_at(1500))) == arrival  # in the future: arrival
    assert timed(Document(doc_id="d", text="x")) == arrival  # undated
    day = Document(doc_id="e", text="x", doc_date=dt.date(1970, 1, 1))  # a bare date means its midnight UTC
    assert streaming.event_time(day, arrival=Timestamp(30), allowed_lateness_seconds=60) == Timestamp(0)


class _Panes(beam.DoFn):
    def process(self, element, window=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam):
        _key, doc_ids = element
        yield int(window.start), pane.timing, tuple(sorted(doc_ids))


def test_fixed_windows_with_late_data():
    from apache_beam.utils.windowed_value import PaneInfoTiming

    doc = lambda doc_id, published=None: Document(  # noqa: E731
        doc_id=doc_id, text="x", published_at=_at(published) if published is not None else None
    )
    stream = (
        BeamTestStream()
        .advance_watermark_to(0)
        .add_elements([TimestampedValue(doc("a", published=10), 15)])  # window [0, 60)
        .add_elements([TimestampedValue(doc("b"), 70)])  # undated: arrival time, window [60, 120)
        .advance_watermark_to(130)  # both windows fire on time
        .add_elements([TimestampedValue(doc("late", published=100), 140)])  # late, within the lateness: [60, 120)
        .add_elements([TimestampedValue(doc("old", published=50), 135)])  # older than the lateness: arrival [120, 180)
        .advance_watermark_to(300)
        .advance_watermark_to_infinity()
    )
    with streaming_pipeline() as p:
        panes = (
            p
            | stream
            | streaming.AssignEventTime(allowed_lateness_seconds=60)
            | streaming.fixed_windows(window_seconds=60, allowed_lateness_seconds=60)
            | beam.Map(lambda d: ("all", d.doc_id))
            | beam.GroupByKey()
            | beam.ParDo(_Panes())
        )
        assert_that(
            panes,
            equal_to([
                (0, PaneInfoTiming.ON_TIME, ("a",)),
                (60, PaneInfoTiming.ON_TIME, ("b",)),
                (60, PaneInfoTiming.LATE, ("late",)),
                (120, PaneInfoTiming.ON_TIME, ("old",)),
            ]),
        )


def test_pubsub_messages_become_documents_or_dead_letters():
    source = "projects/p/subscriptions/news"
    messages = [
        PubsubMessage(json.dumps({"id": "m1", "text": "Chile protested.", "date": "2025-01-02T10:00:00Z"}).encode(),
                      {}, message_id="101"),
        PubsubMessage(b"{not json", {}, message_id="102"),
        PubsubMessage(json.dumps({"id": "m3"}).encode(), {}, message_id="103"),
        json.dumps({"id": "m4", "text": "Peru agreed."}).encode(),  # raw bytes (with_attributes=False)
    ]
    with BeamTestPipeline(runner="FnApiRunner") as p:
        out = p | beam.Create(messages) | streaming.ParseMessages(source=source)
        assert_that(
            out["documents"] | beam.Map(lambda d: (d.doc_id, d.published_at)),
            equal_to([("m1", dt.datetime(2025, 1, 2, 10, tzinfo=dt.timezone.utc)), ("m4", None)]),
            label="documents",
        )
        assert_that(
            out["dead_letter"] | beam.Map(lambda l: (l["source"], l["reason"])),
            equal_to([(f"{source}#102", ingest.INVALID_JSON), (f"{source}#103", ingest.MISSING_TEXT)]),
            label="dead letters",
        )


def test_streaming_options_are_validated(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        extract_events.run(["--streaming", f"--watch_folder={tmp_path}/missing", f"--output={tmp_path}/o"])
    with pytest.raises(ConfigError, match="streaming runner"):
        extract_events.run(["--streaming", "--input_subscription=projects/p/subscriptions/s", f"--output={tmp_path}/o"])
    with pytest.raises(ConfigError, match="need --streaming"):
        extract_events.run([f"--watch_folder={tmp_path}", f"--output={tmp_path}/o"])
    with pytest.raises(ConfigError, match="window_seconds"):
        extract_events.run(["--streaming", f"--watch_folder={tmp_path}", "--window_seconds=0", f"--output={tmp_path}/o"])


STORY = (
    "Japan and South Korea agreed on Tuesday to resume regular shuttle diplomacy between their leaders, and their "
    "foreign ministers signed a memorandum on export controls in Seoul after two days of talks."
)


def _drop(folder, name: str, content: str) -> None:
    """Write like a producer should: a dotfile first, renamed into place."""
    hidden = folder / f".{name}.tmp"
    hidden.write_text(content, encoding="utf-8")
    os.replace(hidden, folder / name)


def _drop_at(folder, name: str, content: str, *, modified: float) -> None:
    """Drop a file and give it an explicit modification time (seconds since the epoch)."""
    _drop(folder, name, content)
    os.utime(folder / name, (modified, modified))


def test_first_sighting_passes_each_file_once_across_polls():
    # Three polls (TestStream, no clock): the folder grows between them; every file passes once, in the poll that
    # first lists it.
    listing = lambda *names: [(n, {"path": n}) for n in names]  # noqa: E731
    polls = [listing("a.jsonl"), listing("a.jsonl", "b.txt"), listing("a.jsonl", "b.txt", "c.jsonl", "d.txt")]
    stream = BeamTestStream()
    for tick, found in enumerate(polls):
        stream = stream.advance_watermark_to(tick * 10).add_elements([TimestampedValue(f, tick * 10) for f in found])
    with streaming_pipeline() as p:
        new = (p | stream.advance_watermark_to_infinity()
               | beam.ParDo(streaming._FirstSightingFn()).with_input_types(beam.typehints.KV[str, beam.typehints.Any])
               | beam.Map(lambda metadata, t=beam.DoFn.TimestampParam: (metadata["path"], int(t.micros // 1_000_000))))
        assert_that(new, equal_to([("a.jsonl", 0), ("b.txt", 10), ("c.jsonl", 20), ("d.txt", 20)]))


@pytest.mark.slow
def test_watched_folder_run_bounded_by_stop_after(tmp_path):
    # 12 s of 0.5 s polls also exercises the metrics query after many bundles (a Beam recursion trap). Every file is
    # in place (with explicit modification times) before the job starts, so no producer thread races the poller:
    # each of the ~24 polls lists every file, and each must still be read exactly once.
    incoming, out = tmp_path / "incoming", tmp_path / "out"
    incoming.mkdir()
    published = dt.datetime(2025, 6, 17, 9, tzinfo=dt.timezone.utc).timestamp()
    _drop_at(incoming, "first.jsonl", json.dumps({"id": "kor-1", "date": "2025-06-17", "publisher": "Wire",
                                                  "text": STORY}) + "\n", modified=published)
    (incoming / ".still-writing.jsonl").write_text("{half a doc", encoding="utf-8")  # dotfile: never read
    _drop_at(incoming, "second.txt", " date 2025-06-18\nChina criticized Japan over the disputed islands.\n",
             modified=published + 60)
    _drop_at(incoming, "copy.jsonl", json.dumps({"id": "kor-1-copy", "date": "2025-06-17", "publisher": "Paper",
                                                 "text": "SEOUL - " + STORY}) + "\n", modified=published + 120)
    _drop_at(incoming, "bad.jsonl", '{"id": "broken", "text": \n', modified=published + 120)
    _drop_at(incoming, "empty.txt", "   \n", modified=published + 120)

    started = time.monotonic()
    summary = extract_events.run([
        "--streaming", f"--watch_folder={incoming}", f"--output={out}", "--stop_after=12",
        "--poll_interval_seconds=0.5", "--window_seconds=60",
    ])
    assert time.monotonic() - started >= 12

    documents = {}
    for path in glob.glob(f"{out}/avro/documents/dt=*/*.avro"):
        with open(path, "rb") as handle:
            for record in fastavro.reader(handle):
                assert record["doc_id"] not in documents, "each file is read once"
                documents[record["doc_id"]] = record
    assert set(documents) == {"kor-1", "second", "kor-1-copy"}
    assert documents["kor-1-copy"]["duplicate_of"] == "kor-1"
    assert documents["kor-1"]["duplicate_of"] is None and documents["second"]["doc_date"] == dt.date(2025, 6, 18)
    events = [r for p in glob.glob(f"{out}/parquet/events/dt=*/*.parquet") for r in pq.read_table(p).to_pylist()]
    assert events and {e["doc_id"] for e in events} <= {"kor-1", "second"}
    assert any(e["doc_id"] == "kor-1" for e in events)
    # Windowed files keep the batch layout (dt= partitions) and carry the window start in their name.
    names = [os.path.basename(p) for p in glob.glob(f"{out}/parquet/documents/dt=2025-06-17/*.parquet")]
    window_file = re.compile(r"part-\d{8}T\d{6}Z-[0-9a-f]{6}-\d{8}T\d{6}-[0-9a-f]{6}-\d{5}-of-\d{5}\.parquet")
    assert names and all(window_file.fullmatch(name) for name in names), names
    letters = [json.loads(line) for p in glob.glob(f"{out}/dead_letter/*.jsonl") for line in open(p, encoding="utf-8")]
    assert sorted((os.path.basename(l["source"].split(":")[0]), l["reason"]) for l in letters) == [
        ("bad.jsonl", ingest.INVALID_JSON), ("empty.txt", ingest.EMPTY_TEXT)
    ]
    assert summary["documents_coded"] == 2 and summary["duplicates"] == 1
    assert not glob.glob(f"{out}/**/.temp*", recursive=True) and not os.path.exists(out / "_temporary")
