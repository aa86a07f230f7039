"""Output schemas: the Avro files in this folder are the single source of truth.

Everything else (the Parquet/Arrow schema, BigQuery schema, field lists used by the sinks and the tests) is derived
here, in code, from the ``*.avsc`` files.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import fastavro
import pyarrow as pa

SCHEMA_NAMES = ("event", "document", "dead_letter", "event_cluster", "dyad_day", "document_signature")

# Avro primitive -> Arrow type.
_PRIMITIVES = {
    "string": pa.string(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "bytes": pa.binary(),
}
# Avro primitive -> BigQuery type.
_BQ_PRIMITIVES = {
    "string": "STRING",
    "int": "INTEGER",
    "long": "INTEGER",
    "float": "FLOAT",
    "double": "FLOAT",
    "boolean": "BOOLEAN",
    "bytes": "BYTES",
}
_BQ_LOGICAL = {"date": "DATE", "timestamp-micros": "TIMESTAMP", "timestamp-millis": "TIMESTAMP"}


@functools.lru_cache(maxsize=None)
def avro_schema(name: str) -> dict:
    """The Avro schema ``schemas/<name>.avsc`` as a JSON dict.

    name: One of SCHEMA_NAMES (or any other ``.avsc`` file shipped in this package).
    """
    text = resources.files(__package__).joinpath(f"{name}.avsc").read_text(encoding="utf-8")
    return json.loads(text)


@functools.lru_cache(maxsize=None)
def parsed_avro_schema(name: str) -> Any:
    """The schema parsed by fastavro (ready for ``fastavro.writer``)."""
    return fastavro.parse_schema(avro_schema(name))


def field_names(name: str) -> list[str]:
    """Field names of the schema, in order."""
    return [field["name"] for field in avro_schema(name)["fields"]]


def _split_nullable(avro_type: Any) -> tuple[Any, bool]:
    if isinstance(avro_type, list):
        non_null = [t for t in avro_type if t != "null"]
        if len(non_null) != 1:
            raise ValueError(f"only [null, T] unions are supported, got {avro_type!r}")
        return non_null[0], "null" in avro_type
    return avro_type, False


def _arrow_type(avro_type: Any) -> pa.DataType:
    if isinstance(avro_type, dict):
        logical = avro_type.get("logicalType")
        if logical == "date":
            return pa.date32()
        if logical == "timestamp-micros":
            return pa.timestamp("us", tz="UTC")
        if logical == "timestamp-millis":
            return pa.timestamp("ms", tz="UTC")
        if avro_type.get("type") == "array":
            return pa.list_(_arrow_type(avro_type["items"]))
        return _arrow_type(avro_type["type"])
    if avro_type in _PRIMITIVES:
        return _PRIMITIVES[avro_type]
    raise ValueError(f"unsupported Avro type {avro_type!r}")


@functools.lru_cache(maxsize=None)
def arrow_schema(name: str) -> pa.Schema:
    """The Parquet/Arrow schema derived from the Avro schema.

    Avro ``date`` becomes ``date32``, ``timestamp-micros`` becomes ``timestamp[us, tz=UTC]``, ``[null, T]`` unions
    become nullable fields; the Avro field docs are kept as Arrow field metadata.
    """
    fields = []
    for field in avro_schema(name)["fields"]:
        avro_type, nullable = _split_nullable(field["type"])
        metadata = {"doc": field["doc"]} if field.get("doc") else None
        fields.append(pa.field(field["name"], _arrow_type(avro_type), nullable=nullable, metadata=metadata))
    return pa.schema(fields, metadata={"avro_schema": json.dumps(avro_schema(name))})


def bigquery_schema(name: str) -> list[dict]:
    """BigQuery JSON schema (``bq load --schema``) derived from the Avro schema (Avro arrays are REPEATED fields)."""
    out = []
    for field in avro_schema(name)["fields"]:
        avro_type, nullable = _split_nullable(field["type"])
        mode = "NULLABLE" if nullable else "REQUIRED"
        if isinstance(avro_type, dict) and avro_type.get("type") == "array":
            avro_type, mode = avro_type["items"], "REPEATED"
        if isinstance(avro_type, dict):
            bq_type = _BQ_LOGICAL.get(avro_type.get("logicalType")) or _BQ_PRIMITIVES[avro_type["type"]]
        else:
            bq_type = _BQ_PRIMITIVES[avro_type]
        out.append(
            {
                "name": field["name"],
                "type": bq_type,
                "mode": mode,
                "description": field.get("doc", ""),
            }
        )
    return out
