"""The Avro schemas are the single source of truth; everything else is derived from them."""
from __future__ import annotations

import json

import pyarrow as pa
import pytest

import schemas
from transforms.records.documents import document_record
from transforms.coding.model import Document

EVENT_FIELDS = (
    "event_id doc_id doc_date event_date event_date_precision sentence_index sentence trigger char_start char_end "
    "cameo_code cameo_root quad_class goldstein plover_type plover_mode source_text source_code source_country "
    "source_role source_name source_country_source target_text target_code target_country target_role target_name "
    "target_country_source modality "
    "location_name location_country location_geonameid location_lat location_lon tone confidence pattern_id url "
    "publisher coder_version nlp_model ingested_at"
).split()


def test_event_schema_has_the_contract_fields_in_order():
    assert schemas.field_names("event") == EVENT_FIELDS


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_every_schema_parses_and_derives(name):
    avro = schemas.avro_schema(name)
    arrow = schemas.arrow_schema(name)
    assert arrow.names == schemas.field_names(name)
    assert all(field.get("doc") for field in avro["fields"]), "every field is documented"
    bq = schemas.bigquery_schema(name)
    assert [f["name"] for f in bq] == arrow.names


def test_logical_types_map_to_arrow_and_bigquery():
    arrow = schemas.arrow_schema("event")
    assert arrow.field("doc_date").type == pa.date32()
    assert arrow.field("ingested_at").type == pa.timestamp("us", tz="UTC")
    assert arrow.field("location_geonameid").type == pa.int64()
    assert not arrow.field("event_id").nullable and arrow.field("target_code").nullable
    bq = {f["name"]: f for f in schemas.bigquery_schema("event")}
    assert bq["doc_date"]["type"] == "DATE" and bq["ingested_at"]["type"] == "TIMESTAMP"
    assert bq["event_id"]["mode"] == "REQUIRED" and bq["goldstein"]["mode"] == "NULLABLE"
    assert json.loads(arrow.metadata[b"avro_schema"]) == schemas.avro_schema("event")


def test_document_record_matches_schema():
    import datetime as dt

    record = document_record(
        Document(doc_id="d", text="Some text."), n_sentences=1, n_events=0,
        ingested_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
    )
    assert list(record) == schemas.field_names("document")
    pa.Table.from_pylist([record], schema=schemas.arrow_schema("document"))  # types agree


def test_unsupported_union_is_rejected():
    with pytest.raises(ValueError):
        schemas._split_nullable(["null", "string", "int"])
