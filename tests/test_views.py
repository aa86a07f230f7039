"""What a user sees of an output folder: ``demarche show``, ``report``, ``query`` and ``schema``, on the output of
one real run of the job (the seed plus a few articles written for this test, one of them rejected)."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SEED, extract_and_aggregate
from pipelines import cli, extract_events

SEED_ID = SEED.stem
ARTICLES = [
    {"id": "kharkiv-1", "date": "2025-03-04", "publisher": "Wire",
     "text": "Russian forces shelled the Ukrainian city of Kharkiv on Tuesday, and Ukraine accused Russia of "
             "targeting civilians."},
    {"id": "gaza-1", "date": "2025-03-03", "publisher": "Paper",
     "text": "Israeli troops attacked Hamas fighters in Gaza on Sunday. Egypt condemned the attack on Monday."},
    {"id": "arusha-1", "date": "2025-03-04", "publisher": "Daily",
     "text": "The presidents of Kenya and Tanzania met in Arusha on Monday and signed an agreement to build a "
             "railway."},
    {"id": "aid-1", "date": "2025-03-05", "publisher": "Wire",
     "text": "France sent humanitarian aid to Lebanon on Wednesday. Germany promised economic aid to Ukraine."},
    {"id": "empty-1", "date": "2025-03-05", "text": ""},
]


@pytest.fixture(scope="module")
def run_output(tmp_path_factory):
    """(output folder, stderr of the extract run): the real job on seeds/ and ARTICLES, then the aggregate job."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        # every event the coder finds: these tests are about the views, not about the coder's confidence cut
        out = extract_and_aggregate(tmp_path_factory.mktemp("views"), [json.dumps(a) for a in ARTICLES] + [""],
                                    extra_inputs=str(SEED), options=("--min_confidence=0",))  # and a blank line
    return out, stderr.getvalue()


@pytest.fixture(scope="module")
def output(run_output):
    return run_output[0]


def events_table(out: pathlib.Path) -> list[dict]:
    return pq.ParquetDataset(str(out / "parquet" / "events")).read().to_pylist()


def demarche(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- progress -------------------------------------------------------------------------------------------------------

def test_the_run_reports_progress_to_the_last_input_document(run_output):
    _, stderr = run_output
    lines = [line for line in stderr.splitlines() if line.startswith("demarche progress")]
    total = 1 + len(ARTICLES)  # one seed file + one per non-blank JSON Lines line
    assert lines, stderr
    assert re.match(rf"demarche progress \[pid \d+\]: {total}/{total} documents \(100%\), [\d.]+ docs/s", lines[-1])


# --- show -----------------------------------------------------------------------------------------------------------

def _sections(text: str) -> dict[int, list[str]]:
    """Sentence index -> the lines printed under it (the sentence line first)."""
    sections: dict[int, list[str]] = {}
    current = None
    for line in text.splitlines():
        head = re.match(r"\[(\d+)\] ", line)
        if head:
            current = int(head.group(1))
            sections[current] = [line]
        elif current is not None and line.startswith("    "):
            sections[current].append(line)
        elif not line.strip():
            continue
        else:
            current = None
    return sections


def test_show_lists_every_event_under_its_sentence(output, capsys):
    code, out, _ = demarche(capsys, "show", output, "--doc", SEED_ID)
    assert code == 0
    events = [e for e in events_table(output) if e["doc_id"] == SEED_ID]
    sections = _sections(out)
    assert len(sections) == 14  # every sentence of the article is shown, with or without events
    for event in events:
        lines = sections[event["sentence_index"]]
        sentence_line = lines[0].replace("[[", "").replace("]]", "")
        assert " ".join(event["sentence"].split()) in sentence_line
        assert f"[[{event['trigger']}]]" in lines[0]
        source, target = event["source_code"] or "—", event["target_code"] or "—"
        wanted = f"{source} —{event['cameo_code']} "
        matching = [line for line in lines[1:] if line.strip().startswith(wanted) and f"→ {target}" in line]
        assert matching, (event, lines)
        details = lines[lines.index(matching[0]) + 1]
        assert f"rule {event['pattern_id']}" in details and event["modality"] in details
        assert f"({event['event_date_precision']})" in details
    shown = sum(1 for line in out.splitlines() if line.startswith("    ") and "trigger \"" in line)
    assert shown == len(events)


def test_the_readme_show_excerpt_is_what_show_prints(tmp_path, capsys):
    """The README's excerpt is what `make run` (the job's defaults on the seed), then `show`, prints."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = re.search(r"demarche show out --doc japan_korea_60th_anniversary`\):\n\n```\n(.*?)\n\.\.\.\n```",
                        readme, flags=re.DOTALL).group(1)
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        extract_events.run([f"--input={SEED}", f"--output={tmp_path / 'out'}", "--quiet"])
    code, out, _ = demarche(capsys, "show", tmp_path / "out", "--doc", SEED_ID)
    assert code == 0 and out.startswith(excerpt + "\n")


def test_show_html_is_self_contained_with_triggers_and_actors_marked(output, capsys, tmp_path):
    page = tmp_path / "article.html"
    code, _, err = demarche(capsys, "show", output, "--doc", SEED_ID, "--html", page)
    assert code == 0 and str(page) in err
    text = page.read_text(encoding="utf-8")
    assert '<mark class="trigger">held</mark>' in text
    assert '<span class="source">Japanese Prime Minister Shigeru Ishiba</span>' in text
    assert '<span class="target">South Korean President Lee Jae Myung</span>' in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text) and "<script" not in text


def test_show_lists_the_dead_letters_of_a_rejected_document(output, capsys):
    code, out, _ = demarche(capsys, "show", output, "--doc", "empty-1")
    assert code == 0
    assert "not coded" in out and "dead letters (1):" in out and "ingest/empty_text" in out


def test_show_unknown_document_suggests_close_ids(output, capsys):
    code, _, err = demarche(capsys, "show", output, "--doc", "japan_korea_60th")
    assert code == 2
    assert "unknown document id 'japan_korea_60th'" in err and f"did you mean: {SEED_ID}" in err


def test_show_on_an_output_without_stored_text_shows_the_sentences_with_events(output, tmp_path, capsys):
    """Outputs written before documents stored their text: the events' own sentences are shown."""
    old = tmp_path / "old"
    shutil.copytree(output, old)
    for path in (old / "parquet" / "documents").glob("*/*.parquet"):
        table = pq.read_table(path)
        pq.write_table(table.drop_columns(["text", "sentence_starts"]), path)
    code, out, _ = demarche(capsys, "show", old, "--doc", SEED_ID)
    assert code == 0 and "does not store the text" in out
    events = [e for e in events_table(output) if e["doc_id"] == SEED_ID]
    sections = _sections(out)
    assert set(sections) == {e["sentence_index"] for e in events}
    for event in events:
        assert f"[[{event['trigger']}]]" in sections[event["sentence_index"]][0]


def test_show_missing_output_folder_is_a_clear_error(tmp_path, capsys):
    code, _, err = demarche(capsys, "show", tmp_path / "nope", "--doc", SEED_ID)
    assert code == 2 and "does not exist" in err


# --- query ----------------------------------------------------------------------------------------------------------

COUNT_SQL = "SELECT doc_id, count(*) AS n, avg(goldstein) AS g FROM events GROUP BY doc_id ORDER BY n DESC, doc_id"


def test_query_prints_an_aligned_table(output, capsys):
    code, out, _ = demarche(capsys, "query", output, COUNT_SQL)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["doc_id", "n", "g"] and set(lines[1]) <= {"-", " "}
    n_column_end = lines[0].index(" n") + 2
    assert all(line[n_column_end - 1].isdigit() for line in lines[2:-1])  # numbers right-aligned under their header
    expected = duckdb.sql(
        f"SELECT doc_id, count(*) FROM read_parquet('{output}/parquet/events/*/*.parquet') GROUP BY doc_id"
    ).fetchall()
    assert lines[-1] == f"({len(expected)} rows)"
    assert {tuple(line.split()[:2]) for line in lines[2:-1]} == {(d, str(n)) for d, n in expected}


def test_query_csv_equals_a_direct_read_of_the_parquet_files(output, capsys):
    code, out, _ = demarche(capsys, "query", output, "--csv",
                            "SELECT dt, doc_id, n_events FROM documents ORDER BY doc_id")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["dt", "doc_id", "n_events"]
    direct = pq.ParquetDataset(str(output / "parquet" / "documents")).read().to_pylist()
    assert sorted(rows[1:]) == sorted([str(d["dt"]), d["doc_id"], str(d["n_events"])] for d in direct)


def test_query_absent_table_errors_only_when_used(output, tmp_path, capsys):
    copy = tmp_path / "out"
    shutil.copytree(output, copy, ignore=lambda d, names: ["dyad_day"] if "dyad_day" in names else [])
    for record in (copy / "_runs").glob("*.json"):  # an output on which aggregate_events never ran
        if "dyad_day" in json.loads(record.read_text()).get("files", [""])[0]:
            record.unlink()
    assert demarche(capsys, "query", copy, "SELECT count(*) FROM events")[0] == 0
    code, _, err = demarche(capsys, "query", copy, "SELECT * FROM dyad_day")
    assert code == 2 and "table 'dyad_day' has no Parquet files" in err and "demarche aggregate" in err


def test_query_bad_sql_is_a_clear_error(output, capsys):
    code, _, err = demarche(capsys, "query", output, "SELEC 1")
    assert code == 2 and err.startswith("error: bad SQL") and "syntax error" in err
    code, _, err = demarche(capsys, "query", output, "SELECT nope FROM events")
    assert code == 2 and "bad SQL" in err


# --- schema ---------------------------------------------------------------------------------------------------------

AVRO_TO_BQ = {"string": "STRING", "int": "INTEGER", "long": "INTEGER", "float": "FLOAT", "double": "FLOAT",
              "boolean": "BOOLEAN", "date": "DATE", "timestamp-micros": "TIMESTAMP"}


def _expected_bq(field: dict) -> tuple[str, str, str]:
    avro_type, mode = field["type"], "REQUIRED"
    if isinstance(avro_type, list):
        (avro_type,) = [t for t in avro_type if t != "null"]
        mode = "NULLABLE"
    if isinstance(avro_type, dict) and avro_type["type"] == "array":
        avro_type, mode = avro_type["items"], "REPEATED"
    if isinstance(avro_type, dict):
        avro_type = avro_type.get("logicalType", avro_type["type"])
    return field["name"], AVRO_TO_BQ[avro_type], mode


@pytest.mark.parametrize("table,avsc", [("events", "event"), ("documents", "document"),
                                        ("event_clusters", "event_cluster"), ("dyad_day", "dyad_day")])
def test_schema_bigquery_matches_the_avro_schema_field_for_field(capsys, table, avsc):
    code, out, _ = demarche(capsys, "schema", table, "--bigquery")
    assert code == 0
    avro = json.loads((ROOT / "schemas" / f"{avsc}.avsc").read_text(encoding="utf-8"))
    bq = json.loads(out)
    assert [(f["name"], f["type"], f["mode"]) for f in bq] == [_expected_bq(f) for f in avro["fields"]]
    assert [f["description"] for f in bq] == [f["doc"] for f in avro["fields"]]


def test_schema_avro_and_arrow(capsys):
    code, out, _ = demarche(capsys, "schema", "documents", "--avro")
    assert code == 0 and json.loads(out) == json.loads((ROOT / "schemas" / "document.avsc").read_text())
    code, out, _ = demarche(capsys, "schema", "documents", "--arrow")
    assert code == 0 and "text: string" in out and "sentence_starts: list<item: int32>" in out
    code, _, err = demarche(capsys, "schema", "documentz")
    assert code == 2 and "unknown table 'documentz'" in err


# --- the documents table holds what show needs -------------------------------------------------------------------

def test_documents_store_text_and_sentence_starts_that_match_the_events(output):
    documents = {d["doc_id"]: d for d in pq.ParquetDataset(str(output / "parquet" / "documents")).read().to_pylist()}
    seed = documents[SEED_ID]
    assert seed["text"] and len(seed["text"]) == seed["n_chars"] and len(seed["sentence_starts"]) == seed["n_sentences"]
    for event in (e for e in events_table(output) if e["doc_id"] == SEED_ID):
        start = seed["sentence_starts"][event["sentence_index"]]
        assert seed["text"][event["char_start"]:event["char_end"]] == event["trigger"]
        assert seed["text"][start:].startswith(event["sentence"][:20])


# --- report ---------------------------------------------------------------------------------------------------------

def screenshot(page: pathlib.Path, png: pathlib.Path, *, width: int = 1100, height: int = 2600) -> None:
    """Headless Chromium screenshot of a local page (no network, throw-away profile)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--force-color-profile=srgb", f"--user-data-dir={profile}",
             f"--screenshot={png}", f"--window-size={width},{height}", page.resolve().as_uri()],
            check=True, capture_output=True, timeout=180,
        )


def _chromium_or_skip() -> None:
    if shutil.which("chromium"):
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("chromium is not installed (.ci/run installs it: apt-get install -y chromium)")
    pytest.skip("chromium not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def report_page(output, tmp_path_factory):
    page = tmp_path_factory.mktemp("report") / "report.html"
    assert cli.main(["report", str(output), "--output", str(page)]) == 0
    return page


def test_report_is_one_self_contained_page(output, report_page):
    text = report_page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text) and "<script" not in text
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', text)
    assert images == ["events per day by quad class", "Goldstein trend of the top dyads", "map of event locations"]
    ((source, target, n),) = duckdb.sql(
        "SELECT source_country, target_country, count(*) AS n "
        f"FROM read_parquet('{output}/parquet/events/*/*.parquet') WHERE modality = 'ASSERTED' "
        "AND source_country <> target_country GROUP BY ALL ORDER BY n DESC, source_country LIMIT 1"
    ).fetchall()
    assert f"<tr><td>{source} → {target}</td><td class=num>{n}</td>" in text  # the top dyad heads its table
    ((code, n),) = duckdb.sql(
        f"SELECT cameo_code, count(*) AS n FROM read_parquet('{output}/parquet/events/*/*.parquet') "
        "GROUP BY ALL ORDER BY n DESC, cameo_code LIMIT 1"
    ).fetchall()
    assert re.search(rf"<tr><td><code>{code}</code></td>.*?<td class=num>{n}</td>", text)  # event types table


def test_report_screenshot_shows_the_plots(output, report_page, tmp_path):
    """Screenshot the page, and the same page without its images: the plots must add the quad-class colours of the
    bars, the grey city backdrop of the map, and a good share of non-white pixels."""
    _chromium_or_skip()
    import numpy as np
    from PIL import Image

    from pipelines.report import QUAD_COLORS

    without_plots = tmp_path / "without_plots.html"
    without_plots.write_text(re.sub(r"<img [^>]*>", "", report_page.read_text(encoding="utf-8")), encoding="utf-8")
    shots = {}
    for name, page in (("report", report_page), ("without_plots", without_plots)):
        png = tmp_path / f"{name}.png"
        screenshot(page, png)
        shots[name] = np.asarray(Image.open(png).convert("RGB")).astype(int)
    pixels, bare = shots["report"], shots["without_plots"]

    def non_white(p):
        return (p.sum(axis=2) < 720).mean()

    # The plots add tens of thousands of drawn pixels (about 50,000 here: 1.7% of the screenshot).
    assert non_white(pixels) - non_white(bare) > 0.01, (non_white(pixels), non_white(bare))
    quads = {e["quad_class"] for e in events_table(output)}
    assert quads == {1, 2, 3, 4}
    for quad in quads:
        rgb = np.array([int(QUAD_COLORS[quad][i:i + 2], 16) for i in (1, 3, 5)])

        def coloured(p):
            return int((np.abs(p - rgb).max(axis=2) <= 6).sum())

        assert coloured(pixels) - coloured(bare) > 300, f"quad class {quad} bars not visible"

    def city_grey(p):  # the map's backdrop of world cities
        return int(((np.abs(p - 200).max(axis=2) <= 12) & (np.ptp(p, axis=2) <= 4)).sum())

    assert city_grey(pixels) - city_grey(bare) > 2000
