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
from transforms.coding.dates import resolve_event_date
from transforms.coding.events import EventCoder
from transforms.coding.events.confidence import ConfidenceModel
from transforms.coding.model import DOCUMENT, Actor, Document, EventMatch, Location
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
    return {
        f"{prefix}_text": actor.text or None,
        f"{prefix}_code": actor.code,
        f"{prefix}_country": actor.country,
        f"{prefix}_role": actor.role,
        f"{prefix}_name": actor.name,
    }


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

    def _confidence(self, match: EventMatch, date_precision: str) -> float:
        """The calibrated probability that the event is right in every field (its coding-time features plus
        where its date came from)."""
        if not match.features:
            return match.confidence
        return self.confidence.probability(match.features + (f"date={date_precision}",))

    def prepare(self, nlp: Language) -> Language:
        """Add the coders' spaCy components (actor recognition) to ``nlp``; returns it."""
        self.actors.add_to_nlp(nlp)
        return nlp

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
            if event_date is None:
                precision = DOCUMENT
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
                **_location_fields(
                    self.places.locate(
                        doc, match, mentions=mentions, use_dateline=_near_document_date(event_date, document.doc_date)
                    )
                ),
                "tone": tones[match.sentence_index],
                "confidence": round(float(self._confidence(match, precision)), 4),
                "pattern_id": match.pattern_id,
                "url": document.url,
                "publisher": document.publisher,
                "coder_version": self.version,
                "nlp_model": nlp_model,
                "ingested_at": ingested_at,
            }
            if keep_features:
                record["_features"] = list(match.features) + [f"date={precision}"]
            records.append(record)
        return CodedDocument(events=records, n_sentences=len(sentences))
