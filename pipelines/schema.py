"""``demarche schema TABLE --bigquery|--avro|--arrow``: print a table's schema, derived from ``schemas/*.avsc``.

``--bigquery`` prints the JSON schema that ``bq load --schema=FILE`` and ``bq mk --table`` accept; ``--avro`` the
Avro schema itself (the source of truth); ``--arrow`` the Parquet/Arrow schema the Parquet files are written with.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence

import schemas
from pipelines.cli import job_main
from transforms.coding.errors import OutputError

# Table (folder) name -> schemas/<name>.avsc
TABLE_SCHEMAS = {
    "events": "event",
    "documents": "document",
    "event_clusters": "event_cluster",
    "dyad_day": "dyad_day",
    "dead_letter": "dead_letter",
    "document_signatures": "document_signature",
}


def schema_name(table: str) -> str:
    """``events`` or ``event`` -> ``event``; OutputError for an unknown table."""
    if table in TABLE_SCHEMAS:
        return TABLE_SCHEMAS[table]
    if table in TABLE_SCHEMAS.values():
        return table
    raise OutputError(f"unknown table {table!r}; tables: {', '.join(TABLE_SCHEMAS)}")


def render(table: str, kind: str) -> str:
    """The schema of ``table`` as text: kind is ``bigquery``, ``avro`` or ``arrow``."""
    name = schema_name(table)
    if kind == "bigquery":
        return json.dumps(schemas.bigquery_schema(name), indent=2, ensure_ascii=False)
    if kind == "avro":
        return json.dumps(schemas.avro_schema(name), indent=2, ensure_ascii=False)
    if kind == "arrow":
        return schemas.arrow_schema(name).remove_metadata().to_string(show_field_metadata=False)
    raise OutputError(f"unknown schema kind {kind!r}")


def parser(prog: str = "demarche schema") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Print the schema of an output table, derived from its Avro schema (schemas/*.avsc, the single "
        f"source of truth). Tables: {', '.join(TABLE_SCHEMAS)}.",
        epilog="example: demarche schema events --bigquery > events.bq.json && "
        "bq mk --table PROJECT:demarche.events events.bq.json",
    )
    p.add_argument("table", help="table name (events, documents, ...) or schema name (event, document, ...)")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--bigquery", dest="kind", action="store_const", const="bigquery",
                      help="BigQuery JSON schema for bq load/bq mk (the default)")
    kind.add_argument("--avro", dest="kind", action="store_const", const="avro", help="the Avro schema (.avsc)")
    kind.add_argument("--arrow", dest="kind", action="store_const", const="arrow",
                      help="the Arrow schema of the Parquet files")
    p.set_defaults(kind="bigquery")
    return p


def run(argv: Optional[Sequence[str]] = None, *, prog: str = "demarche schema", stream=None) -> int:
    args = parser(prog).parse_args(argv)
    print(render(args.table, args.kind), file=stream or sys.stdout)
    return 0


main = job_main(run, prog="demarche schema")


if __name__ == "__main__":
    sys.exit(main())
