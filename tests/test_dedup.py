"""De-duplication: MinHash signatures, batch grouping (deterministic originals), streaming state with expiry, and a
batch run of the real job where syndicated copies are caught, recorded with duplicate_of and counted."""
from __future__ import annotations

import datetime as dt
import glob
import json

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.test_stream import TestStream as BeamTestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from conftest import streaming_pipeline
from pipelines import extract_events
from pipelines.options import ExtractEventsOptions, pipeline_options, validate
from transforms import dedup
from transforms.names import DOCUMENTS, DUPLICATES, SIGNATURES
from transforms import skip_known
from transforms.records import ingest, known_documents, near_duplicates
from transforms.records.near_duplicates import DedupConfig
from transforms.coding.errors import ConfigError
from transforms.coding.model import Document

STORY = (
    "The foreign ministers of Chile and Peru met in Lima on Monday to settle a long dispute over fishing rights "
    "along their maritime border. After six hours of talks they signed an agreement that opens joint patrols, "
    "shares catch data between the two navies and sets up a commission to review quotas every year. Both "
    "governments said the deal would be submitted to their parliaments before the end of the month."
)
# A syndicated copy: new dateline, one word changed, last clause trimmed.
COPY = "LIMA (Wire) - " + STORY.replace("six hours", "seven hours").replace(" before the end of the month", "")
OTHER = (
    "Kenya and Ethiopia opened a new border crossing on Friday, and their trade ministers promised to cut the "
    "time lorries wait at customs. The crossing is part of a road corridor financed by several lenders."
)


def test_signatures_estimate_similarity():
    story, copy, other = (near_duplicates.minhash_signature(t) for t in (STORY, COPY, OTHER))
    assert len(story) == near_duplicates.NUM_PERM * 4
    assert near_duplicates.minhash_signature(STORY) == story  # deterministic (fixed permutations, stable hash)
    assert near_duplicates.similarity(story, story) == 1.0
    assert near_duplicates.similarity(story, copy) >= near_duplicates.DEFAULT_THRESHOLD
    assert near_duplicates.similarity(story, other) < 0.2
    # Case and spacing do not matter; copies share at least one LSH band, unrelated texts none.
    assert near_duplicates.minhash_signature(STORY.upper().replace(" ", "  ")) == story
    keys = lambda text, sig: set(near_duplicates.band_keys(text_sha256=text, signature=sig)[1:])  # noqa: E731
    assert keys("a", story) & keys("b", copy)
    assert not keys("a", story) & keys("c", other)


def test_config_is_validated_when_built():
    with pytest.raises(ConfigError, match="--dedup"):
        DedupConfig(mode="fuzzy")
    with pytest.raises(ConfigError, match="threshold"):
        DedupConfig(threshold=1.5)
    with pytest.raises(ConfigError, match="--dedup_ttl_seconds"):
        DedupConfig(ttl_seconds=0)
    with pytest.raises(ConfigError, match="--dedup must be one of off, exact, near"):
        validate(pipeline_options(["--dedup=fuzzy"]).view_as(ExtractEventsOptions))


def _known(p, documents=(), signatures=()):
    """The known sides of DeduplicateBatch's input (empty: a run that is not incremental)."""
    return (p | "KnownDocs" >> beam.Create(list(documents)), p | "KnownSigs" >> beam.Create(list(signatures)))


def _docs():
    return [
        Document(doc_id="late-copy", text=COPY, doc_date=dt.date(2025, 5, 6), publisher="Paper"),
        Document(doc_id="original", text=STORY, doc_date=dt.date(2025, 5, 5), publisher="Wire"),
        Document(doc_id="verbatim", text=STORY.upper(), doc_date=dt.date(2025, 5, 7)),
        Document(doc_id="other", text=OTHER, doc_date=dt.date(2025, 5, 5)),
        Document(doc_id="other", text=OTHER, doc_date=dt.date(2025, 5, 5)),  # the same document twice
    ]


def test_batch_dedup_picks_the_earliest_copy_as_original():
    with BeamTestPipeline(runner="FnApiRunner") as p:
        out = (p | "Docs" >> beam.Create(_docs()), *_known(p)) | dedup.DeduplicateBatch(DedupConfig())
        assert_that(out[DOCUMENTS] | beam.Map(lambda d: d.doc_id), equal_to(["original", "other"]),
                    label="coded")
        assert_that(
            out[DUPLICATES] | beam.Map(lambda r: (r["doc_id"], r["duplicate_of"], r["n_events"])),
            equal_to([("late-copy", "original", 0), ("verbatim", "original", 0)]),
            label="duplicates",
        )
        assert_that(
            out[SIGNATURES] | beam.Map(lambda r: (r["doc_id"], r["root"], len(r["signature"]))),
            equal_to([(d, "original", 512) for d in ("late-copy", "original", "verbatim")] + [("other", "other", 512)]),
            label="signatures",
        )


def test_batch_dedup_against_known_documents():
    known_docs = [{"doc_id": "old", "text_sha256": "0" * 64, "duplicate_of": None},
                  {"doc_id": "other", "text_sha256": "1" * 64, "duplicate_of": None}]
    signature = near_duplicates.minhash_signature(STORY)
    known_sigs = [{"doc_id": "old", "text_sha256": "0" * 64, "root": "old", "signature": signature}]
    with BeamTestPipeline(runner="FnApiRunner") as p:
        out = (p | "Docs" >> beam.Create(_docs()), *_known(p, known_docs, known_sigs)) | dedup.DeduplicateBatch(
            DedupConfig(mode="near")
        )
        # "other" is already in the output; the three copies of the story duplicate the older "old".
        assert_that(out[DOCUMENTS], equal_to([]), label="nothing to code")
        assert_that(out[DUPLICATES] | beam.Map(lambda r: (r["doc_id"], r["duplicate_of"])),
                    equal_to([("late-copy", "old"), ("original", "old"), ("verbatim", "old")]), label="dups")


def test_exact_mode_ignores_near_copies():
    with BeamTestPipeline(runner="FnApiRunner") as p:
        out = (p | "Docs" >> beam.Create(_docs()), *_known(p)) | dedup.DeduplicateBatch(DedupConfig(mode="exact"))
        assert_that(out[DOCUMENTS] | beam.Map(lambda d: d.doc_id), equal_to(["original", "late-copy", "other"]))


def test_streaming_dedup_state_expires_after_the_ttl():
    story = lambda doc_id: Document(doc_id=doc_id, text=STORY)  # noqa: E731 - undated: timed by arrival
    stream = (
        BeamTestStream()
        .advance_watermark_to(0)
        .add_elements([TimestampedValue(story("first"), 10)])
        .add_elements([TimestampedValue(Document(doc_id="copy", text=COPY), 40)])  # near copy within the TTL
        .add_elements([TimestampedValue(story("first"), 50)])  # re-delivered message: dropped
        .advance_watermark_to(400)  # TTL 100 s: first and copy are forgotten
        .add_elements([TimestampedValue(story("again"), 410)])  # same text again: no longer a duplicate
        .add_elements([TimestampedValue(Document(doc_id="other", text=OTHER), 420)])
        .advance_watermark_to(500)
        .advance_watermark_to_infinity()
    )
    with streaming_pipeline() as p:
        out = p | stream | dedup.DeduplicateStream(DedupConfig(ttl_seconds=100))
        assert_that(out[DOCUMENTS] | beam.Map(lambda d: d.doc_id), equal_to(["first", "again", "other"]),
                    label="coded")
        assert_that(out[DUPLICATES] | beam.Map(lambda r: (r["doc_id"], r["duplicate_of"])),
                    equal_to([("copy", "first")]), label="dups")


def test_streaming_dedup_decides_in_event_time_order():
    # The later copy arrives first; once the watermark passes, the earlier one is still the original.
    stream = (
        BeamTestStream()
        .advance_watermark_to(0)
        .add_elements([TimestampedValue(Document(doc_id="copy", text=COPY), 30)])
        .add_elements([TimestampedValue(Document(doc_id="first", text=STORY), 20)])
        .advance_watermark_to(100)
        .advance_watermark_to_infinity()
    )
    with streaming_pipeline() as p:
        out = p | stream | dedup.DeduplicateStream(DedupConfig())
        assert_that(out[DOCUMENTS] | beam.Map(lambda d: d.doc_id), equal_to(["first"]), label="coded")
        assert_that(out[DUPLICATES] | beam.Map(lambda r: r["duplicate_of"]), equal_to(["first"]), label="dup")


def test_near_duplicates_are_caught_in_a_batch_run(tmp_path):
    lines = [
        {"id": "wire-1", "date": "2025-05-05T06:00:00Z", "publisher": "Wire", "url": "https://wire.example/1", "text": STORY},
        {"id": "paper-1", "date": "2025-05-05T09:30:00Z", "publisher": "Paper", "url": "https://paper.example/1", "text": COPY},
        {"id": "paper-2", "date": "2025-05-06", "publisher": "Daily", "text": "  ".join(STORY.split())},
        {"id": "kenya", "date": "2025-05-05", "text": OTHER},
    ]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "wire.jsonl").write_text("\n".join(json.dumps(l) for l in lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = extract_events.run([f"--input={tmp_path}/in/*", f"--output={out}", "--formats=parquet"])
    documents = {r["doc_id"]: r for p in glob.glob(f"{out}/parquet/documents/*/*.parquet")
                 for r in pq.read_table(p).to_pylist()}
    assert documents["paper-1"]["duplicate_of"] == "wire-1" and documents["paper-1"]["n_events"] == 0
    assert documents["paper-2"]["duplicate_of"] == "wire-1"
    assert documents["wire-1"]["duplicate_of"] is None and documents["kenya"]["duplicate_of"] is None
    events = [r for p in glob.glob(f"{out}/parquet/events/*/*.parquet") for r in pq.read_table(p).to_pylist()]
    assert {e["doc_id"] for e in events} <= {"wire-1", "kenya"}
    assert summary["duplicates_near"] == 1 and summary["duplicates_exact"] == 1 and summary["documents_coded"] == 2
    # Event clusters count the copies as extra reports of the original's events.
    clusters = [r for p in glob.glob(f"{out}/parquet/event_clusters/*/*.parquet") for r in pq.read_table(p).to_pylist()]
    wire_events = [e for e in events if e["doc_id"] == "wire-1" and e["modality"] == "ASSERTED"]
    assert wire_events and clusters
    for cluster in clusters:
        if cluster["first_doc_id"] == "wire-1":
            assert cluster["num_documents"] == 3 and cluster["num_publishers"] == 3
            assert cluster["first_url"] == "https://wire.example/1"
            assert cluster["num_mentions"] >= 3


def _member(doc_id, text, *, day, known=False):
    document = Document(doc_id=doc_id, text=text, doc_date=day)
    if known:
        return near_duplicates.known_member(
            {"doc_id": doc_id, "text_sha256": near_duplicates.member_of(document, config=DedupConfig()).text_sha256,
             "signature": near_duplicates.minhash_signature(text)}
        )
    return near_duplicates.member_of(document, config=DedupConfig())


def test_group_matches_cite_the_earliest_copy_and_never_the_document_itself():
    original = _member("original", STORY, day=dt.date(2025, 5, 5))
    copy = _member("copy", COPY, day=dt.date(2025, 5, 6))
    verbatim = _member("verbatim", STORY.upper(), day=dt.date(2025, 5, 7))
    other = _member("other", OTHER, day=dt.date(2025, 5, 4))
    band = lambda m: near_duplicates.band_keys(text_sha256=m.text_sha256, signature=m.signature)  # noqa: E731
    shared = next(key for key in band(copy)[1:] if key in band(original))
    found = dict(near_duplicates.group_matches(shared, [verbatim, copy, original, other, copy], threshold=0.8))
    assert {uid: (m.root, m.kind) for uid, m in found.items()} == {
        "copy": ("original", near_duplicates.NEAR), "verbatim": ("original", near_duplicates.EXACT)}
    # The exact-copy group needs no similarity; a known record of the same doc_id is not an earlier copy.
    exact = band(original)[0]
    assert near_duplicates.is_exact_key(exact) and not near_duplicates.is_exact_key(shared)
    assert dict(near_duplicates.group_matches(exact, [verbatim, original], threshold=1.0))["verbatim"].kind == "exact"
    itself = _member("original", STORY, day=None, known=True)
    assert list(near_duplicates.group_matches(exact, [itself, original], threshold=0.8)) == []
    assert list(near_duplicates.group_matches(exact, [itself], threshold=0.8)) == []


def test_known_band_keys_keep_only_the_keys_of_new_documents():
    known = _member("old", STORY, day=None, known=True)
    keys = near_duplicates.band_keys(text_sha256=known.text_sha256, signature=known.signature)
    wanted = {keys[0], keys[3], "b0:not-a-known-key"}
    assert list(near_duplicates.known_band_keys(known, mode=near_duplicates.EXACT, wanted=wanted)) == [keys[0]]
    assert list(near_duplicates.known_band_keys(known, mode=near_duplicates.NEAR, wanted=wanted)) == [keys[3]]


def _line(doc_id, text, line, path="/in/a.jsonl"):
    return Document(doc_id=doc_id, text=text, source=f"{path}:{line}")


def test_decide_doc_id_keeps_the_last_line_and_skips_known_ids():
    lines = [_line("a", "first text", 10), _line("a", "second text", 9), _line("a", "third text", 2)]
    verdict = known_documents.decide_doc_id(occurrences=lines, known_hashes=[])
    assert verdict.keep.text == "first text"  # line 10 comes after line 9 (numeric order)
    assert verdict.repeated == 2 and [l["reason"] for l in verdict.dead_letters] == ["repeated_id"] * 2
    assert [l["line"] for l in verdict.dead_letters] == [2, 9]
    same = known_documents.decide_doc_id(occurrences=lines[:1],
                                         known_hashes=[ingest.normalized_text_sha256("FIRST  text")])
    assert (same.keep, same.already_known, same.dead_letters) == (None, 1, ())
    revised = known_documents.decide_doc_id(occurrences=lines[:2], known_hashes=["0" * 64])
    assert revised.keep is None and revised.revised == 1 and revised.already_known == 1
    assert [l["reason"] for l in revised.dead_letters] == ["revised_text"]
    failed = known_documents.decide_doc_id(occurrences=lines[:1], known_hashes=[None])  # failed in NLP: not retried
    assert failed.keep is None and failed.already_known == 1 and not failed.dead_letters
    assert known_documents.decide_doc_id(occurrences=[], known_hashes=["0" * 64]) is None


def test_skip_known_dead_letters_takes_the_known_keys_as_input():
    letters = [ingest.make_dead_letter(source="/in/a.jsonl", line=n, reason="invalid_json", detail="x", raw="{")
               for n in (1, 2)]
    with BeamTestPipeline(runner="FnApiRunner") as p:
        known = p | "Known" >> beam.Create([skip_known.letter_key(letters[0])])
        new = (p | "Letters" >> beam.Create(letters), known) | skip_known.SkipKnownDeadLetters()
        assert_that(new | beam.Map(lambda l: l["line"]), equal_to([2]))
