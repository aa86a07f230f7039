"""Daily dyad aggregates of coded events (``dyad_day`` table): keys, running totals and records. No Beam
(``transforms/aggregate.py`` runs it).

One record per ``(date, source_country, target_country, cameo_root, quad_class)`` with ``n_events``,
``n_documents`` (distinct doc_ids), ``goldstein_mean`` and ``tone_mean`` (means over non-null values). ``date`` is the
event's resolved date, else its document date (not for background events of UNKNOWN date); events with neither
have no key. By default only ASSERTED events are aggregated.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Iterable, Optional

from transforms.coding.model import MODALITIES
from transforms.option_values import parse_subset
from transforms.records.clusters import cluster_date


def dyad_key(event: dict) -> Optional[tuple]:
    """``(date ISO, source_country, target_country, cameo_root, quad_class)`` of an event (countries "" when null),
    None when it has no date. Plain strings and ints: a Beam key must encode deterministically."""
    day = cluster_date(event)
    if day is None:
        return None
    return (day.isoformat(), event.get("source_country") or "", event.get("target_country") or "",
            event["cameo_root"], int(event["quad_class"]))


@dataclasses.dataclass(kw_only=True)
class DyadDayTotals:
    """Running totals of the events of one dyad-day (nulls ignored in the sums).

    n_events: Events added.
    doc_ids: Their distinct documents.
    goldstein_sum, goldstein_n: Sum and count of non-null Goldstein values.
    tone_sum, tone_n: Sum and count of non-null tones.
    """

    n_events: int = 0
    doc_ids: set = dataclasses.field(default_factory=set)
    goldstein_sum: float = 0.0
    goldstein_n: int = 0
    tone_sum: float = 0.0
    tone_n: int = 0

    def add(self, event: dict) -> "DyadDayTotals":
        """Count one event record in (returns self)."""
        self.n_events += 1
        self.doc_ids.add(event["doc_id"])
        if event.get("goldstein") is not None:
            self.goldstein_sum += event["goldstein"]
            self.goldstein_n += 1
        if event.get("tone") is not None:
            self.tone_sum += event["tone"]
            self.tone_n += 1
        return self

    @classmethod
    def merged(cls, parts: Iterable["DyadDayTotals"]) -> "DyadDayTotals":
        """The totals of several parts together."""
        total = cls()
        for part in parts:
            total.n_events += part.n_events
            total.doc_ids |= part.doc_ids
            total.goldstein_sum += part.goldstein_sum
            total.goldstein_n += part.goldstein_n
            total.tone_sum += part.tone_sum
            total.tone_n += part.tone_n
        return total

    def values(self) -> dict:
        """The measures of the ``dyad_day`` record: n_events, n_documents, goldstein_mean, tone_mean."""
        return {
            "n_events": self.n_events,
            "n_documents": len(self.doc_ids),
            "goldstein_mean": self.goldstein_sum / self.goldstein_n if self.goldstein_n else None,
            "tone_mean": self.tone_sum / self.tone_n if self.tone_n else None,
        }


def dyad_record(key: tuple, values: dict) -> dict:
    """The ``dyad_day.avsc`` record of a key and its combined values."""
    day, source, target, root, quad = key
    return {"date": dt.date.fromisoformat(day), "source_country": source or None,
            "target_country": target or None, "cameo_root": root, "quad_class": quad, **values}


def parse_modalities(value: str) -> tuple[str, ...]:
    """``"ASSERTED,FUTURE"`` -> tuple; ConfigError on unknown values."""
    return parse_subset(value, MODALITIES, option="--modalities", upper=True)
