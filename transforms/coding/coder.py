"""Per-document coding: a parsed document in, event records out. Pure Python, no Beam.

The order is fixed: actors (with in-document coreference) -> events -> event date, place and tone. The Beam
transform in ``transforms/annotate.py`` is a thin wrapper around :class:`DocumentCoder`, and so are the evaluation
commands, so the pipeline and the scores measure the same code.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from importlib import metadata
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from transforms.coding.actors import ActorCoder
from transforms.coding.actors.lexicon import UNDATED
from transforms.coding.actors.recognizer import COMPONENT_NAME as ACTOR_COMPONENT
from transforms.coding.candidates import CandidateSentences
from transforms.coding.dateline import doc_text
from transforms.coding.dates import resolve_event_date
from transforms.coding.events import EventCoder
from transforms.coding.events.confidence import ConfidenceModel, input_feature
from transforms.coding.events.context import dissent_target
from transforms.coding.model import (
    CONTEXT,
    DAY,
    DICTIONARY,
    DOCUMENT,
    MONTH,
    TEXT,
    UNKNOWN,
    YEAR,
    Actor,
    ActorMention,
    Document,
    EventMatch,
    Location,
)
from transforms.coding.nlp import DocumentParser
from transforms.coding.places import PlaceResolver
from transforms.coding.taxonomy import Taxonomy
from transforms.coding.tone import sentence_tone


def coder_version() -> str:
    """Version of the installed demarche package (recorded on every event)."""
    try:
        return metadata.version("demarche")
    except metadata.PackageNotFoundError:  # running from a source tree without installing
        return "0+unknown"


@dataclasses.dataclass
class CodedDocument:
    """Result of coding one document: event records (``event.avsc`` dicts) and the sentence count."""

    events: list[dict]
    n_sentences: int


def event_id(doc_id: str, match: EventMatch, char_start: int, char_end: int) -> str:
    """Deterministic event id: the same document text and coder produce the same ids on every run."""
    parts = [
        doc_id,
        str(match.sentence_index),
        str(char_start),
        str(char_end),
        match.cameo_code,
        _actor_key(match.source),
        _actor_key(match.target),
        match.modality,
    ]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


def _actor_key(actor: Optional[Actor]) -> str:
    if actor is None:
        return ""
    return actor.code or f"?{actor.text}"


def _actor_fields(prefix: str, actor: Optional[Actor]) -> dict:
    actor = actor or Actor(text="")
    source = actor.country_source
    if actor.country and source is None:
        source = CONTEXT  # completed by the event coder from the sentence's countries
    return {
        f"{prefix}_text": actor.text or None,
        f"{prefix}_code": actor.code,
        f"{prefix}_country": actor.country,
        f"{prefix}_role": actor.role,
        f"{prefix}_name": actor.name,
        f"{prefix}_country_source": source if actor.country else None,
    }


#: Roles that belong to no country (international bodies, groups across borders).
STATELESS_ROLES = frozenset({"IGO", "NGO", "IMG", "MNC", "UIS"})
#: Least share of the country-bearing mentions (written or from the dictionaries) the dominant country must have.
DOMINANT_SHARE = 0.5


def document_country(mentions: list[ActorMention], dateline: Optional[str]) -> Optional[str]:
    """The country an article is about, for actors that the text does not place: the dateline's country, else
    the only country of the mentions whose country is written or known from the dictionaries (news agencies quoted
    as sources left out), else the country of at least DOMINANT_SHARE (and three) of them. None when nothing is
    clear.

    mentions: The document's actor mentions.
    dateline: ISO3 country of the dateline place, if any.
    """
    if dateline:
        return dateline
    counts: dict[str, int] = {}
    named: set[str] = set()  # without news agencies quoted as sources ("the Associated Press reported"), which
    for m in mentions:  # say nothing of where the news is
        if m.actor.country and m.actor.country_source in (TEXT, DICTIONARY):
            counts[m.actor.country] = counts.get(m.actor.country, 0) + 1
            if m.actor.role != "MED":
                named.add(m.actor.country)
    if not counts:
        return None
    if len(named) == 1:
        return next(iter(named))  # the only country the article names
    best = max(counts, key=lambda c: (counts[c], -list(counts).index(c)))
    total = sum(counts.values())
    return best if counts[best] >= 3 and counts[best] / total >= DOMINANT_SHARE else None


def with_document_country(actor: Optional[Actor], iso3: Optional[str]) -> Optional[Actor]:
    """``actor`` placed in the document's country when it has a role but no country and may have one."""
    if actor is None or iso3 is None or actor.country or not actor.role or actor.role in STATELESS_ROLES:
        return actor
    if (actor.code or "").startswith(("IGO", "NGO", "IMG")) or actor.role in ("ELI",) and actor.name:
        return actor
    return dataclasses.replace(actor, code=iso3 + actor.role, country=iso3, country_source=CONTEXT)


def _location_fields(location: Optional[Location]) -> dict:
    location = location or Location(name="")
    return {
        "location_name": location.name or None,
        "location_country": location.country,
        "location_geonameid": location.geonameid,
        "location_lat": location.lat,
        "location_lon": location.lon,
    }


DATELINE_DAYS = 7


def _near_document_date(event_date: Optional[dt.date], doc_date: Optional[dt.date]) -> bool:
    """Whether the dateline may locate an event: only events within DATELINE_DAYS of publication happen there."""
    if event_date is None or doc_date is None:
        return True
    return abs((event_date - doc_date).days) <= DATELINE_DAYS


class DocumentCoder:
    """Codes parsed documents into event records.

    actors_file: Optional user actor dictionary extending the built-in one (``--actors_file``).
    patterns_file: Optional user pattern lexicon extending the built-in one (``--patterns_file``).
    place_aliases_file: Optional user place aliases extending the built-in ones (``--place_aliases_file``).
    taxonomy_file: Optional replacement CAMEO taxonomy file.
    confidence_model_file: Optional replacement of ``data/confidence_model.tsv`` (see events/confidence.py).
    """

    def __init__(
        self,
        *,
        actors_file: Optional[str] = None,
        patterns_file: Optional[str] = None,
        place_aliases_file: Optional[str] = None,
        taxonomy_file: Optional[str] = None,
        confidence_model_file: Optional[str] = None,
    ) -> None:
        self.taxonomy = Taxonomy.load(taxonomy_file)
        self.confidence = ConfidenceModel.load(confidence_model_file)
        self.actors = ActorCoder(actors_file=actors_file)
        self.events = EventCoder(taxonomy=self.taxonomy, patterns_file=patterns_file)
        self.places = PlaceResolver(aliases_file=place_aliases_file)
        self.version = coder_version()

    def _on_date(
        self, actor: Optional[Actor], event_date: Optional[dt.date], precision: str, doc_date: Optional[dt.date]
    ) -> Optional[Actor]:
        """A known person's role on the event's date when it differs from the document's ("Bill Clinton was
        impeached in 1998": USAGOV, not the USAELI of a 2019 article). Only roles the dictionary gave (the
        same as the person's on the document date) change; a title written in the text keeps its role."""
        if actor is None or not actor.name or event_date is None or precision not in (DAY, MONTH, YEAR):
            return actor
        person = self.actors.lexicon.people.get(actor.name)
        if person is None:
            return actor
        base = doc_date or UNDATED  # undated: the person's most recent post, whatever the day of the run
        if event_date == base:
            return actor
        before = person.at(base)
        if (before[0], before[1]) != (actor.country, actor.role) or actor.role is None:
            return actor
        country, role, _title = person.at(event_date)
        if (country, role) == (actor.country, actor.role) or country is None or role is None:
            return actor
        code = country if country.startswith("IGO") else country + role
        return dataclasses.replace(actor, code=code, country=None if country.startswith("IGO") else country,
                                   role=role, country_source=DICTIONARY)

    def _features(self, match: EventMatch, date_precision: str, n_sentences: int) -> tuple[str, ...]:
        """The event's confidence features: its coding-time ones, where its date came from, what it was coded from."""
        return match.features + (f"date={date_precision}", input_feature(n_sentences))

    def _confidence(self, match: EventMatch, date_precision: str, n_sentences: int) -> float:
        """The calibrated probability that the event is right in every field."""
        if not match.features:
            return match.confidence
        return self.confidence.probability(self._features(match, date_precision, n_sentences))

    def prepare(self, nlp: Language) -> Language:
        """Add the coders' spaCy components (actor recognition) to ``nlp``; returns it."""
        self.actors.add_to_nlp(nlp)
        return nlp

    def parser(
        self,
        nlp: Language,
        *,
        sentence_filter: bool = True,
        batch_size: int = 32,
        max_chunk_chars: Optional[int] = None,
    ) -> DocumentParser:
        """The document parser for this coder: lexical pass with the actor phrase matcher on every sentence, the
        statistical pipeline on the sentences that may hold an event (``transforms/coding/candidates.py``).

        nlp: A pipeline prepared with :meth:`prepare`.
        sentence_filter: False parses every sentence (same sentence split, same output format).
        batch_size: Documents per batch.
        max_chunk_chars: Longest text given to the sentence splitter at once.
        """
        select = CandidateSentences(events=self.events, lexicon=self.actors.lexicon).select if sentence_filter else None
        return DocumentParser(
            nlp,
            select_sentences=select,
            lexical_components=(ACTOR_COMPONENT,),
            batch_size=batch_size,
            max_chunk_chars=max_chunk_chars,
        )

    def code(
        self,
        doc: Doc,
        document: Document,
        *,
        nlp_model: str,
        ingested_at: dt.datetime,
        keep_features: bool = False,
    ) -> CodedDocument:
        """Code one parsed document.

        doc: The spaCy Doc of ``document.text`` (parsed by a pipeline prepared with :meth:`prepare`).
        document: The document's metadata.
        nlp_model: Label of the spaCy model, recorded on each event.
        ingested_at: Processing timestamp (UTC), recorded on each event.
        keep_features: Add the confidence features to each record under ``_features`` (calibration tooling only;
            not part of the event schema).
        """
        sentences = list(doc.sents)
        mentions = self.actors.find_mentions(doc, doc_date=document.doc_date)
        matches = self.events.code(doc, mentions)
        dateline = self.places.dateline(doc_text(doc))
        places = self.places.context(doc, mentions=mentions)
        main_country = document_country(mentions, dateline.country if dateline is not None else None)
        tones: dict[int, float] = {}
        records = []
        seen = set()
        for match in matches:
            sentence = sentences[match.sentence_index]
            trigger = doc[match.trigger_start : match.trigger_end]
            char_start, char_end = trigger.start_char, trigger.end_char
            eid = event_id(document.doc_id, match, char_start, char_end)
            if eid in seen:
                continue
            seen.add(eid)
            entry = self.taxonomy.get(match.cameo_code)
            event_date, precision = resolve_event_date(doc, match, doc_date=document.doc_date)
            if event_date is None and precision != UNKNOWN:
                precision = DOCUMENT
            location = self.places.locate(
                doc, match, context=places,
                use_dateline=precision != UNKNOWN and _near_document_date(event_date, document.doc_date),
            )
            # actors the text leaves without country: the event's place, else the article's country
            place_country = location.country if location is not None else None
            source = self._on_date(match.source, event_date, precision, document.doc_date)
            target = self._on_date(match.target, event_date, precision, document.doc_date)
            match = dataclasses.replace(
                match,
                source=with_document_country(source, place_country or main_country),
                target=with_document_country(target, place_country or main_country),
            )
            match = dataclasses.replace(match, target=dissent_target(match.cameo_code, match.source, match.target))
            if match.sentence_index not in tones:
                tones[match.sentence_index] = sentence_tone(sentence.text)
            record = {
                "event_id": eid,
                "doc_id": document.doc_id,
                "doc_date": document.doc_date,
                "event_date": event_date,
                "event_date_precision": precision,
                "sentence_index": match.sentence_index,
                "sentence": sentence.text.strip(),
                "trigger": trigger.text,
                "char_start": char_start,
                "char_end": char_end,
                "cameo_code": entry.code,
                "cameo_root": entry.code[:2],
                "quad_class": entry.quad_class,
                "goldstein": entry.goldstein,
                "plover_type": entry.plover_type,
                "plover_mode": entry.plover_mode,
                **_actor_fields("source", match.source),
                **_actor_fields("target", match.target),
                "modality": match.modality,
                **_location_fields(location),
                "tone": tones[match.sentence_index],
                "confidence": round(float(self._confidence(match, precision, len(sentences))), 4),
                "pattern_id": match.pattern_id,
                "url": document.url,
                "publisher": document.publisher,
                "coder_version": self.version,
                "nlp_model": nlp_model,
                "ingested_at": ingested_at,
            }
            if keep_features:
                record["_features"] = list(self._features(match, precision, len(sentences)))
            records.append(record)
        return CodedDocument(events=records, n_sentences=len(sentences))
