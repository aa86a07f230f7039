"""The daily dyad aggregate job: its output equals a DuckDB GROUP BY over the same event files (Parquet or Avro)."""
from __future__ import annotations

import datetime as dt
import glob
import os

import duckdb
import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import schemas
from pipelines import aggregate_events
from transforms.aggregate import DyadDayFn
from transforms.records.clusters import cluster_record, mentions_of_document
from transforms.records.dyad_days import DyadDayTotals, dyad_key, dyad_record

GROUP_BY = """
SELECT coalesce(event_date, if(event_date_precision = 'UNKNOWN', NULL, doc_date)) AS date,
       source_country, target_country, cameo_root, quad_class,
       count(*) AS n_events, count(DISTINCT doc_id) AS n_documents,
       avg(goldstein) AS goldstein_mean, avg(tone) AS tone_mean
FROM read_parquet('{events}')
WHERE modality = 'ASSERTED'
  AND coalesce(event_date, if(event_date_precision = 'UNKNOWN', NULL, doc_date)) IS NOT NULL
GROUP BY ALL
"""
KEY = ("date", "source_country", "target_country", "cameo_root", "quad_class")
NOW = dt.datetime(2025, 6, 1, 12, tzinfo=dt.timezone.utc)


def _event(i: int, **fields) -> dict:
    """A complete event.avsc record with deterministic, varied values."""
    record = {name: None for name in schemas.field_names("event")}
    code = ["042", "043", "112", "190", "036"][i % 5]
    record.update(
        event_id=f"e{i}", doc_id=f"d{i % 7}", doc_date=dt.date(2025, 5, 1 + i % 3), event_date=dt.date(2025, 5, 1 + i % 4),
        event_date_precision="DAY", sentence_index=0, sentence="s", trigger="t", char_start=0, char_end=1,
        cameo_code=code, cameo_root=code[:2], quad_class={"04": 1, "03": 1, "11": 3, "19": 4}[code[:2]],
        goldstein=[1.0, 2.8, -2.0, -10.0, None][i % 5], source_country=["KOR", "JPN", None][i % 3],
        target_country=["JPN", "KOR", "CHN", None][i % 4], modality="ASSERTED", confidence=0.5, pattern_id="p",
        tone=[None, 12.5, -30.0][i % 3], coder_version="test", nlp_model="test", ingested_at=NOW,
    )
    record.update(fields)
    return record


def _events() -> list[dict]:
    events = [_event(i) for i in range(60)]
    events.append(_event(60, event_date=None))  # falls back to doc_date
    events.append(_event(61, event_date=None, doc_date=None))  # no date at all: skipped
    events.append(_event(62, modality="NEGATED"))  # not aggregated by default
    return events


def _write_events(root, events) -> None:
    by_day: dict = {}
    for event in events:
        day = (event["doc_date"] or event["ingested_at"].date()).isoformat()
        by_day.setdefault(day, []).append(event)
    for day, rows in by_day.items():
        for fmt in ("parquet", "avro"):
            folder = root / fmt / "events" / f"dt={day}"
            folder.mkdir(parents=True)
            if fmt == "parquet":
                pq.write_table(pa.Table.from_pylist(rows, schema=schemas.arrow_schema("event")), folder / "part-0.parquet")
            else:
                with open(folder / "part-0.avro", "wb") as handle:
                    fastavro.writer(handle, schemas.parsed_avro_schema("event"), rows)


def _rows_by_key(rows) -> dict:
    return {tuple(r[k] for k in KEY): r for r in rows}


def _assert_same(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, row in expected.items():
        got = actual[key]
        assert got["n_events"] == row["n_events"] and got["n_documents"] == row["n_documents"], key
        for measure in ("goldstein_mean", "tone_mean"):
            assert (got[measure] is None) == (row[measure] is None), (key, measure)
            if row[measure] is not None:
                assert got[measure] == pytest.approx(row[measure]), (key, measure)


@pytest.fixture(scope="module")
def events_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("events")
    _write_events(root, _events())
    return root


@pytest.mark.parametrize("input_format", ["parquet", "avro"])
def test_aggregate_equals_a_duckdb_group_by(events_root, tmp_path, input_format):
    out = tmp_path / "dyads"
    assert aggregate_events.main([f"--input={events_root}", f"--output={out}", f"--input_format={input_format}"]) == 0
    expected = _rows_by_key(duckdb.sql(GROUP_BY.format(events=f"{events_root}/parquet/events/*/*.parquet")).to_arrow_table().to_pylist())
    parquet = [
        r for p in glob.glob(f"{out}/parquet/dyad_day/*/*.parquet") for r in pq.read_table(p).to_pylist()
    ]
    avro = []
    for path in glob.glob(f"{out}/avro/dyad_day/*/*.avro"):
        with open(path, "rb") as handle:
            avro.extend(fastavro.reader(handle))
    assert len(expected) > 10
    _assert_same(_rows_by_key(parquet), expected)
    _assert_same(_rows_by_key(avro), expected)
    for path in glob.glob(f"{out}/parquet/dyad_day/dt=*/*.parquet"):  # partitioned by the dyad's date
        day = os.path.basename(os.path.dirname(path))[3:]
        assert {r["date"].isoformat() for r in pq.read_table(path).to_pylist()} == {day}


def test_rerun_replaces_the_previous_table(events_root, tmp_path):
    out = tmp_path / "dyads"
    args = [f"--input={events_root}", f"--output={out}", "--formats=parquet"]
    assert aggregate_events.main(args) == 0
    first = sorted(glob.glob(f"{out}/parquet/dyad_day/*/*.parquet"))
    assert aggregate_events.main(args) == 0
    second = sorted(glob.glob(f"{out}/parquet/dyad_day/*/*.parquet"))
    assert len(first) == len(second) and not set(first) & set(second)
    total = duckdb.sql(f"SELECT sum(n_events) FROM read_parquet('{out}/parquet/dyad_day/*/*.parquet')").fetchall()[0][0]
    assert total == 61  # 60 dated + 1 with doc_date only; never doubled by the rerun


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    assert aggregate_events.main([f"--input={tmp_path}/nothing", f"--output={tmp_path}/o"]) == 2
    assert "no event files" in capsys.readouterr().err


def test_shared_output_options_are_validated(tmp_path, capsys):
    assert aggregate_events.main([f"--input={tmp_path}", f"--output={tmp_path}/o", "--max_file_mb=0"]) == 2
    assert "--max_file_mb must be positive" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()  # stopped before taking the output's lease


def test_dyad_combiner_and_keys():
    events = [_event(0), _event(15), _event(61, event_date=None, doc_date=None)]
    assert dyad_key(events[2]) is None
    fn = DyadDayFn()
    acc = fn.merge_accumulators([fn.add_input(fn.create_accumulator(), e) for e in events[:2]])
    assert fn.extract_output(acc) == {"n_events": 2, "n_documents": 2, "goldstein_mean": 1.0, "tone_mean": None}


def test_clusters_count_copies_of_reporting_documents():
    a = _event(0, doc_id="orig", publisher="Wire", url="https://w/1")
    negated = _event(1, doc_id="orig", modality="NEGATED")
    copies = [{"doc_id": "copy1", "doc_date": dt.date(2025, 5, 3), "publisher": "Paper", "url": "https://p/1"},
              {"doc_id": "copy2", "doc_date": None, "publisher": "Wire", "url": None}]
    mentions = list(mentions_of_document("orig", [a, negated], copies))
    assert len(mentions) == 3 and len({key for key, _ in mentions}) == 1  # the negated event is not a cluster
    record = cluster_record(mentions[0][0], [m for _, m in mentions], ingested_at=NOW)
    assert (record["num_mentions"], record["num_documents"], record["num_publishers"]) == (3, 3, 2)
    assert record["first_doc_id"] == "orig" and record["first_url"] == "https://w/1"
    assert record["event_date"] == a["event_date"] and record["cameo_code"] == a["cameo_code"]
    assert list(record) == schemas.field_names("event_cluster")
    pa.Table.from_pylist([record], schema=schemas.arrow_schema("event_cluster"))



class _OnlyClusteredFields(dict):
    """An event record that fails on any read of a field outside CLUSTERED_FIELDS."""

    def _check(self, name):
        from transforms.records.clusters import CLUSTERED_FIELDS

        if name not in CLUSTERED_FIELDS:
            raise AssertionError(f"clustering read {name!r}")

    def __getitem__(self, name):
        self._check(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        self._check(name)
        return super().get(name, default)


def test_clusters_read_only_the_fields_events_are_cut_to_before_grouping():
    from transforms.records.clusters import CLUSTERED_FIELDS, clustered_fields

    assert set(CLUSTERED_FIELDS) <= set(schemas.field_names("event"))
    events = [_event(i, doc_id="orig", publisher=["Wire", None][i % 2], tone=0.5 * i) for i in range(12)]
    copies = [{"doc_id": "copy1", "doc_date": dt.date(2025, 5, 3), "publisher": "Paper", "url": "https://p/1"}]

    def clusters(records):
        by_key: dict = {}
        for key, mention in mentions_of_document("orig", records, copies):
            by_key.setdefault(key, []).append(mention)
        return [cluster_record(key, mentions, ingested_at=NOW) for key, mentions in sorted(by_key.items())]

    cut = [clustered_fields(e) for e in events]
    assert len(cut[0]) == len(CLUSTERED_FIELDS) < len(events[0])
    assert clusters(events) and clusters([_OnlyClusteredFields(e) for e in events]) == clusters(events)
    assert clusters(cut) == clusters(events)

def test_background_events_of_unknown_date_do_not_count_on_the_article_day():
    import datetime as _dt

    from transforms.records.clusters import cluster_date

    day = _dt.date(2025, 6, 17)
    assert cluster_date({"event_date": None, "event_date_precision": "UNKNOWN", "doc_date": day}) is None
    assert cluster_date({"event_date": day, "event_date_precision": "DOCUMENT", "doc_date": day}) == day


def test_dyad_day_totals_ignore_nulls_and_merge_in_any_split():
    events = [
        {"doc_id": "a", "goldstein": 2.0, "tone": None},
        {"doc_id": "a", "goldstein": None, "tone": -1.0},
        {"doc_id": "b", "goldstein": -4.0, "tone": 3.0},
    ]
    whole = DyadDayTotals()
    for event in events:
        whole.add(event)
    split = DyadDayTotals.merged([DyadDayTotals().add(events[0]), DyadDayTotals().add(events[1]).add(events[2])])
    expected = {"n_events": 3, "n_documents": 2, "goldstein_mean": -1.0, "tone_mean": 1.0}
    assert whole.values() == split.values() == expected
    assert DyadDayTotals().values() == {"n_events": 0, "n_documents": 0, "goldstein_mean": None, "tone_mean": None}
    record = dyad_record(("2025-05-01", "", "KOR", "04", 1), expected)
    assert record["date"] == dt.date(2025, 5, 1) and record["source_country"] is None
    assert list(record) == schemas.field_names("dyad_day")
