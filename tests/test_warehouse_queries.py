"""Every SQL example of the README's warehouse section runs through ``demarche query`` (the embedded DuckDB
warehouse) against a real output of the jobs."""
from __future__ import annotations

import json
import pathlib
import re

import duckdb
import pytest

from conftest import extract_and_aggregate
from pipelines import cli
from pipelines.query import TABLES, run_query

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Streaming, incremental runs and the warehouse"

STORY = (
    "The presidents of Kenya and Tanzania met in Arusha on Monday and signed an agreement to build a new railway "
    "line between the two countries, and their ministers promised to finish the first section within three years."
)
DOCS = [
    {"id": "wire-1", "date": "2025-02-03T07:00:00Z", "publisher": "Wire", "url": "https://wire.example/1", "text": STORY},
    {"id": "paper-1", "date": "2025-02-03T09:00:00Z", "publisher": "Paper", "url": "https://paper.example/1",
     "text": "ARUSHA - " + STORY},
    {"id": "daily-1", "date": "2025-02-04", "publisher": "Daily", "text": STORY.upper()},
    {"id": "wire-2", "date": "2025-02-04", "publisher": "Wire",
     "text": "Russia accused Ukraine of shelling a border village, and Ukraine denied it on Tuesday."},
]


def readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end != -1 else None]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    return extract_and_aggregate(tmp_path_factory.mktemp("warehouse"), [json.dumps(d) for d in DOCS])


def _run(query: str, out: pathlib.Path):
    return run_query(str(out), query)[1]


def test_the_readme_has_the_example_queries():
    queries = readme_queries()
    assert len(queries) >= 5
    views = "|".join(TABLES)
    assert all(re.search(rf"\b(FROM|JOIN) ({views})\b", q) and "read_parquet" not in q for q in queries)


@pytest.mark.parametrize("index", range(5))
def test_readme_query_runs_and_returns_rows(output, index):
    queries = readme_queries()
    rows = _run(queries[index], output)
    assert rows, queries[index]


@pytest.mark.parametrize("index", range(5))
def test_demarche_query_answers_the_readme_query(output, index, capsys):
    """The command line prints every row of the answer (as CSV here, so that the rows can be compared)."""
    query = readme_queries()[index]
    assert cli.main(["query", str(output), "--csv", query]) == 0
    printed = capsys.readouterr().out.splitlines()
    columns, rows = run_query(str(output), query)
    assert printed[0].split(",") == columns and len(printed) == 1 + len(rows) > 1


def test_readme_dyad_sql_equals_the_aggregate_table(output):
    (dyad_sql,) = [q for q in readme_queries() if "count(DISTINCT doc_id) AS n_documents" in q]
    from_sql = [tuple(r[:7]) for r in _run(dyad_sql, output)]
    from_job = sorted(
        duckdb.sql(
            "SELECT date, source_country, target_country, cameo_root, quad_class, n_events, n_documents "
            f"FROM read_parquet('{output}/parquet/dyad_day/*/*.parquet')"
        ).fetchall(),
        key=repr,
    )
    from_sql = sorted(from_sql, key=repr)
    assert from_sql and from_sql == from_job


def test_duplicates_query_finds_the_copies(output):
    (query,) = [q for q in readme_queries() if "duplicate_of" in q]
    copies = {row[0]: row[2] for row in _run(query, output)}
    assert copies == {"paper-1": "wire-1", "daily-1": "wire-1"}
