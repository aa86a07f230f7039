"""``demarche query OUT "SQL"``: the embedded warehouse — DuckDB over an output folder's Parquet tables.

The tables appear as views named ``events``, ``documents``, ``event_clusters`` and ``dyad_day`` (with the ``dt``
partition as a column). Every command that reads an output folder (``query``, ``show``, ``report``) finds the files
through :func:`transforms.storage.commit.committed_files`, so they see committed runs only.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from typing import Optional, Sequence

from pipelines.cli import job_main
from transforms.coding.errors import OutputError
from transforms.storage.commit import committed_files

# View name -> schemas/<name>.avsc
TABLES = {"events": "event", "documents": "document", "event_clusters": "event_cluster", "dyad_day": "dyad_day"}


def check_output_folder(root: str) -> None:
    """A clear error when ``root`` is not a demarche output folder."""
    if not os.path.isdir(root):
        raise OutputError(f"output folder {root!r} does not exist (run `demarche extract --output {root}` first)")
    if not any(os.path.isdir(os.path.join(root, fmt)) for fmt in ("parquet", "avro")) and not os.path.isdir(
        os.path.join(root, "dead_letter")
    ):
        raise OutputError(f"{root!r} is not a demarche output folder (no parquet/, avro/ or dead_letter/ inside)")


def _sql_list(paths: Sequence[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def connect(root: str):
    """A DuckDB connection with one view per table present in ``root`` (Parquet files)."""
    import duckdb

    check_output_folder(root)
    con = duckdb.connect()
    for view in TABLES:
        files = committed_files(root, view, "parquet")
        if files:
            con.execute(
                f"CREATE VIEW {view} AS SELECT * FROM read_parquet({_sql_list(files)}, hive_partitioning = true, "
                "union_by_name = true)"
            )
    return con


def read_records(root: str, table: str, *, doc_id: Optional[str] = None) -> list[dict]:
    """Records of ``table`` in ``root`` (all, or those of one ``doc_id``), from Parquet, else Avro, else (dead
    letters) JSON Lines. Columns missing from older files are None."""
    if table == "dead_letter":
        letters = []
        for path in committed_files(root, table, "jsonl"):
            with open(path, encoding="utf-8") as handle:
                letters += [json.loads(line) for line in handle if line.strip()]
        return [r for r in letters if doc_id is None or r.get("doc_id") == doc_id]
    files = committed_files(root, table, "parquet")
    if files:
        import duckdb

        con = duckdb.connect()
        try:
            sql = f"SELECT * FROM read_parquet({_sql_list(files)}, union_by_name = true)"
            relation = con.execute(sql + (" WHERE doc_id = ?" if doc_id is not None else ""),
                                   [doc_id] if doc_id is not None else [])
            columns = [d[0] for d in relation.description]
            return [dict(zip(columns, row)) for row in relation.fetchall()]
        finally:
            con.close()
    import fastavro

    records = []
    for path in committed_files(root, table, "avro"):
        with open(path, "rb") as handle:
            records += [r for r in fastavro.reader(handle) if doc_id is None or r.get("doc_id") == doc_id]
    return records


def run_query(root: str, sql: str) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` against the views of ``root``; returns (column names, rows). OutputError on bad SQL."""
    import duckdb

    con = connect(root)
    try:
        relation = con.sql(sql)
        if relation is None:  # a statement without a result (e.g. SET)
            return [], []
        return list(relation.columns), relation.fetchall()
    except duckdb.CatalogException as err:
        missing = re.search(r"Table with name (\w+) does not exist", str(err))
        if missing and missing.group(1).lower() in TABLES:
            name = missing.group(1).lower()
            hint = " (written by `demarche aggregate`)" if name == "dyad_day" else ""
            if committed_files(root, name, "avro"):
                hint = " (only Avro files: run the job with --formats parquet,avro to query it)"
            raise OutputError(f"table {name!r} has no Parquet files in {root!r}{hint}") from None
        raise OutputError(f"bad SQL: {err}\nviews: {', '.join(TABLES)}") from None
    except duckdb.Error as err:
        raise OutputError(f"bad SQL: {err}") from None
    finally:
        con.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_table(columns: Sequence[str], rows: Sequence[tuple], *, max_width: int = 60) -> str:
    """An aligned text table (numbers right-aligned, long cells cut with an ellipsis)."""
    cells = [[_cell(v) for v in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    numeric = [
        bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows) for i in range(len(columns))
    ]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def write_csv(columns: Sequence[str], rows: Sequence[tuple], stream) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if v is None else v for v in row] for row in rows])


def parser(prog: str = "demarche query") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Run SQL (DuckDB dialect) over an output folder's Parquet tables, exposed as the views "
        f"{', '.join(TABLES)} (each with its dt= partition as a `dt` column). dyad_day exists after "
        "`demarche aggregate`. Prints an aligned table, or CSV with --csv.",
        epilog='example: demarche query out '
        '"SELECT cameo_root, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC"',
    )
    p.add_argument("output", help="output folder of `demarche extract` (e.g. out)")
    p.add_argument("sql", help="the query, quoted")
    p.add_argument("--csv", action="store_true", help="print CSV (header + rows) instead of a table")
    return p


def run(argv: Optional[Sequence[str]] = None, *, prog: str = "demarche query", stream=None) -> int:
    args = parser(prog).parse_args(argv)
    stream = stream or sys.stdout
    columns, rows = run_query(args.output, args.sql)
    try:
        if args.csv:
            write_csv(columns, rows, stream)
        else:
            print(format_table(columns, rows), file=stream)
        stream.flush()
    except BrokenPipeError:  # `demarche query ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


main = job_main(run, prog="demarche query")


if __name__ == "__main__":
    sys.exit(main())
