"""Event places (transforms/coding/places.py) on real sentences parsed by the real model."""
from __future__ import annotations

import pathlib

import pytest

from transforms.coding.errors import DataFileError
from transforms.coding.model import Actor, ActorMention, EventMatch
from transforms.coding.places import PlaceResolver

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "japan_korea_60th_anniversary.txt"

SEOUL, TOKYO, GENEVA, PARIS_FR, PARIS_TX = 1835848, 1850147, 2660646, 2988507, 4717560
CANADA, GEORGIA_COUNTRY, GEORGIA_STATE, WASHINGTON_DC = 6251999, 614540, 4197000, 4140963


@pytest.fixture(scope="module")
def nlp(nlp_raw):
    """The plain model (tests/conftest.py): these functions only need its parse and entities."""
    return nlp_raw


@pytest.fixture(scope="module")
def resolver():
    return PlaceResolver()


def event(doc, word: str, *, nth: int = 0) -> EventMatch:
    tok = [t for t in doc if t.text == word][nth]
    index = next(i for i, s in enumerate(doc.sents) if s.start <= tok.i < s.end)
    return EventMatch(sentence_index=index, trigger_start=tok.i, trigger_end=tok.i + 1, head=tok.i, cameo_code="040", source=None, target=None)


def mention(doc, text: str, country: str | None, code: str | None = None) -> ActorMention:
    start = doc.text.index(text)
    span = doc.char_span(start, start + len(text))
    return ActorMention(start=span.start, end=span.end, actor=Actor(text=text, code=code, country=country))


def place_of(nlp, resolver, text: str, trigger: str, mentions=()):
    doc = nlp(text)
    return resolver.locate(doc, event(doc, trigger),
                           context=resolver.context(doc, mentions=[mention(doc, *m) for m in mentions]))


# --- on the seed article -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_doc(nlp):
    return nlp(SEED.read_text(encoding="utf-8").split("\n", 1)[1])


def test_seed_embassy_reception_is_in_seoul(seed_doc, resolver):
    for trigger in ("hosted", "attended"):
        loc = resolver.locate(seed_doc, event(seed_doc, trigger), context=resolver.context(seed_doc, mentions=[]))
        assert (loc.name, loc.geonameid, loc.country) == ("Seoul", SEOUL, "KOR")
        assert loc.lat == pytest.approx(37.57, abs=0.1) and loc.lon == pytest.approx(126.98, abs=0.1)


def test_seed_tokyo_reception_is_in_tokyo(seed_doc, resolver):
    assert resolver.locate(seed_doc, event(seed_doc, "hold"),
                           context=resolver.context(seed_doc, mentions=[])).geonameid == TOKYO


def test_seed_trip_is_to_canada_and_unplaced_events_take_the_dateline(seed_doc, resolver):
    assert resolver.locate(seed_doc, event(seed_doc, "visit"),
                           context=resolver.context(seed_doc, mentions=[])).geonameid == CANADA
    assert resolver.locate(seed_doc, event(seed_doc, "spoke"),
                           context=resolver.context(seed_doc, mentions=[])).geonameid == SEOUL  # "SEOUL, June 17 --"


# --- place kinds -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,trigger,geonameid,country", [
    # governed by the event
    ("The foreign ministers met in Geneva on Monday to discuss the ceasefire.", "met", GENEVA, "CHE"),
    ("The president arrived in Canada on Sunday for the summit.", "arrived", CANADA, "CAN"),
    ("His visit to Canada lasted three days.", "visit", CANADA, "CAN"),
    ("Lee left for Canada on Monday to attend the summit.", "left", CANADA, "CAN"),
    ("Syrian rebels entered Damascus on Sunday as the president fled.", "entered", 170654, "SYR"),
    # embassy in a city, facility inside a city, landmark standing for its city
    ("Hundreds of protesters gathered at the embassy in Tokyo on Friday.", "gathered", TOKYO, "JPN"),
    ("The South Korean Embassy in Tokyo hosted a reception for veterans.", "hosted", TOKYO, "JPN"),
    ("Trump signed the executive orders at the White House.", "signed", WASHINGTON_DC, "USA"),
    # nearest place in a locative role elsewhere in the sentence
    ("Police used water cannon against protesters in Tbilisi on Sunday night.", "used", 611717, "GEO"),
])
def test_place_kinds(nlp, resolver, text, trigger, geonameid, country):
    loc = place_of(nlp, resolver, text, trigger)
    assert loc is not None and (loc.geonameid, loc.country) == (geonameid, country)


def test_capital_of_a_country(nlp, resolver):
    loc = place_of(nlp, resolver, "Thousands of protesters marched in the Ukrainian capital on Sunday.", "marched")
    assert (loc.name, loc.geonameid) == ("Kyiv", 703448)
    loc = place_of(nlp, resolver, "Rebel fighters advanced into the outskirts of Syria's capital.", "advanced")
    assert (loc.name, loc.country) == ("Damascus", "SYR")


def test_here_means_the_dateline(nlp, resolver):
    text = "BEIJING, Aug 6 (AFP) - The two countries seek a deeper partnership, the US envoy said here Wednesday."
    assert place_of(nlp, resolver, text, "said").geonameid == 1816670


def test_dateline_when_the_sentence_has_no_place(nlp, resolver):
    loc = place_of(nlp, resolver, "PARIS (AFP) - France and Germany agreed on Sunday to coordinate their response.",
                   "agreed", mentions=[("France", "FRA", "FRA"), ("Germany", "DEU", "DEU")])
    assert (loc.geonameid, loc.country) == (PARIS_FR, "FRA")
    loc = place_of(nlp, resolver, "KYIV, Ukraine (AP) \u2014 The government announced new sanctions.", "announced")
    assert (loc.name, loc.country) == ("Kyiv", "UKR")


def test_actor_is_not_a_place(nlp, resolver):
    text = "Japan signed the agreement with South Korea and criticized China."
    mentions = [("Japan", "JPN", "JPN"), ("South Korea", "KOR", "KOR"), ("China", "CHN", "CHN")]
    assert place_of(nlp, resolver, text, "signed", mentions) is None
    assert place_of(nlp, resolver, text, "criticized", mentions) is None
    # "sanctions on Iran": Iran is the target, not the place
    assert place_of(nlp, resolver, "The European Union imposed sanctions on Iran in 2019.", "imposed") is None
    # with a dateline, the dateline wins over actor names
    loc = place_of(nlp, resolver, "TOKYO (AP) \u2014 Japan criticized China on Monday.", "criticized",
                   [("Japan", "JPN", "JPN"), ("China", "CHN", "CHN")])
    assert loc.geonameid == TOKYO


def test_place_tagged_as_actor_still_counts_in_a_locative_role(nlp, resolver):
    # the actor coder may tag "Seoul" as a metonym actor; "in Seoul" is still the place
    text = "Nagashima attended the reception in Seoul on Monday."
    loc = place_of(nlp, resolver, text, "attended", [("Seoul", "KOR", "KORGOV")])
    assert loc.geonameid == SEOUL


def test_ambiguous_names_use_document_context(nlp, resolver):
    assert resolver.resolve("Paris").geonameid == PARIS_FR
    assert resolver.resolve("Paris", qualifier="Texas").geonameid == PARIS_TX
    assert resolver.resolve("Paris", countries=["USA"], states=["TX"]).geonameid == PARIS_TX
    assert resolver.resolve("Georgia").geonameid == GEORGIA_COUNTRY
    assert resolver.resolve("Georgia", countries=["USA"]).geonameid == GEORGIA_STATE
    assert resolver.resolve("Georgia", countries=["USA", "GEO"]).geonameid == GEORGIA_COUNTRY
    assert resolver.resolve("Washington").geonameid == WASHINGTON_DC
    assert resolver.resolve("Kiev").name == "Kyiv"

    loc = place_of(nlp, resolver, "A tornado damaged dozens of homes in Paris, Texas, on Monday.", "damaged")
    assert loc.geonameid == PARIS_TX
    text = "Election officials in Georgia, one of the swing states in the United States, said turnout was high."
    assert place_of(nlp, resolver, text, "said").geonameid == GEORGIA_STATE
    text = "Police dispersed protesters in Georgia after the Interior Ministry in Tbilisi banned the rally."
    assert place_of(nlp, resolver, text, "dispersed").geonameid == GEORGIA_COUNTRY
    text = "The American ambassador met local officials in Paris on Monday."
    assert place_of(nlp, resolver, text, "met", [("The American ambassador", "USA", "USAGOV")]).geonameid == PARIS_FR


def test_unresolvable_and_region_places_keep_their_name(nlp, resolver):
    loc = place_of(nlp, resolver, "Gunmen attacked a checkpoint in the village of Wadi Sahrat al-Nimr on Saturday.",
                   "attacked")
    assert loc is not None and loc.name == "Wadi Sahrat al-Nimr" and loc.geonameid is None and loc.lat is None
    loc = place_of(nlp, resolver, "Russian troops advanced in the Donetsk region on Tuesday.", "advanced")
    assert (loc.name, loc.country, loc.geonameid) == ("Donetsk region", "UKR", None)
    assert resolver.resolve("Atlantis Prime").geonameid is None
    # an unknown town with a known country next to it keeps the country
    loc = place_of(nlp, resolver, "The former president was born in 1924 in Kutama, Zimbabwe.", "born")
    assert (loc.name, loc.country, loc.geonameid) == ("Kutama", "ZWE", None)


def test_countries_and_states_resolve_to_their_own_entries(resolver):
    korea = resolver.resolve("South Korea")
    assert (korea.geonameid, korea.country) == (1835841, "KOR")
    assert 33 < korea.lat < 39 and 124 < korea.lon < 131
    assert resolver.resolve("the United States").geonameid == 6252001
    assert resolver.resolve("Britain").country == "GBR"
    texas = resolver.resolve("Texas")
    assert (texas.geonameid, texas.country) == (4736286, "USA") and 25 < texas.lat < 37
    assert resolver.resolve("Europe").geonameid == 6255148


def test_no_place_and_no_dateline_gives_none(nlp, resolver):
    assert place_of(nlp, resolver, "The two leaders agreed to strengthen communication.", "agreed") is None


def test_user_aliases_extend_the_built_in_ones(tmp_path):
    path = tmp_path / "aliases.tsv"
    path.write_text("# my aliases\nGotham\tcity:5128581\nMiddle Earth\tregion:NZL\n", encoding="utf-8")
    resolver = PlaceResolver(aliases_file=str(path))
    assert resolver.resolve("Gotham").name == "New York City"
    assert (resolver.resolve("Middle Earth").country, resolver.resolve("Middle Earth").geonameid) == ("NZL", None)


@pytest.mark.parametrize("line,message", [
    ("Gotham city:5128581", "expected"),
    ("Gotham\ttown:5128581", "unknown target kind"),
    ("Gotham\tcity:999999999", "unknown city"),
    ("Gotham\tcountry:XXX", "unknown country"),
])
def test_bad_alias_lines_are_reported_with_their_line(tmp_path, line, message):
    path = tmp_path / "aliases.tsv"
    path.write_text(f"# header\n{line}\n", encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        PlaceResolver(aliases_file=str(path))
    assert err.value.line == 2 and message in err.value.message
