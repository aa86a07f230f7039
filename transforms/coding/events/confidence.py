"""Calibrated event confidence: the estimated probability that an event is right in every field.

The coder describes each event by categorical features known at coding time (``event_features``: pattern tier
and specificity, how source and target were resolved, modality, trigger kind, CAMEO root group, quote, sentence
length; ``DocumentCoder`` adds the date's source and whether the input was a lone sentence or an article). ``ConfidenceModel`` turns them into a probability with a
logistic model read from ``data/confidence_model.tsv``, which ``tools/calibrate_confidence.py`` fits on hand-coded
events (the real-news gold dev half, or gold sentence files) and which also records the default
``--min_confidence``. The format is documented in the file header and in ``data/README.md``.
"""
from __future__ import annotations

import dataclasses
import importlib.resources
import math
import re
from typing import TYPE_CHECKING, Iterable, Optional

from transforms.coding.data_files import read_data_file
from transforms.coding.errors import DataFileError
from transforms.coding.model import Actor
from transforms.coding.text import QUOTE_TOKENS

if TYPE_CHECKING:  # spaCy is imported by the coder, not by everything that reads the model's threshold
    from spacy.tokens import Token

DEFAULT_MODEL_FILE = "confidence_model.tsv"
FEATURE_NAMES = (
    "tier", "spec", "src", "src_link", "tgt", "tgt_link", "modality", "kind", "root", "quote", "length", "date",
    "input",
)
_FEATURE = re.compile(r"^([a-z_]+)=([A-Za-z0-9_\-]+)$")
_ORG_PREFIXES = ("IGO", "NGO", "IMG", "MNC")
ROOT_GROUPS = {
    **{f"{r:02d}": "verbal_coop" for r in range(1, 6)},
    **{f"{r:02d}": "material_coop" for r in range(6, 10)},
    **{f"{r:02d}": "verbal_conflict" for r in range(10, 14)},
    "14": "protest",
    **{f"{r:02d}": "coercion" for r in range(15, 18)},
    **{f"{r:02d}": "violence" for r in range(18, 21)},
}


def actor_status(actor: Optional[Actor]) -> str:
    """none | unresolved | org | country_role | country | role."""
    if actor is None:
        return "none"
    if not actor.code:
        return "unresolved"
    if actor.code.startswith(_ORG_PREFIXES):
        return "org"
    if actor.country and actor.role:
        return "country_role"
    if actor.country:
        return "country"
    return "role"


def event_features(
    *,
    tier: str,
    specific: bool,
    complement: bool,
    source: Optional[Actor],
    source_direct: bool,
    target: Optional[Actor],
    target_direct: bool,
    modality: str,
    trigger: Token,
    code: str,
) -> tuple[str, ...]:
    """The coding-time features of one event ("name=value" strings, one per name of FEATURE_NAMES but date and
    input, which ``DocumentCoder`` adds: ``input_feature``).

    tier: "own", "dictionary" or "grammar" (rules without a lexicon pattern, e.g. reported obligations).
    specific: The pattern has a positive condition with values (an object noun, a preposition ...).
    complement: The event was adopted from a complement ("agreed to [meet]").
    source_direct, target_direct: The actor is a direct dependent of the predicate (not via a pronoun, the
        speaker of a quote, the sentence's country context or a place).
    trigger: The trigger token (its sentence gives quote and length).
    """
    sent = trigger.sent
    n_tokens = sum(1 for t in sent if not t.is_punct)
    quote = any(t.text in QUOTE_TOKENS for t in sent)
    kind = "noun" if trigger.pos_ in ("NOUN", "PROPN") else "adj" if trigger.pos_ == "ADJ" else "verb"
    return (
        f"tier={tier}",
        f"spec={'complement' if complement else 'specific' if specific else 'plain'}",
        f"src={actor_status(source)}",
        f"src_link={'direct' if source_direct else 'indirect'}" if source is not None else "src_link=none",
        f"tgt={actor_status(target)}",
        f"tgt_link={'direct' if target_direct else 'indirect'}" if target is not None else "tgt_link=none",
        f"modality={modality}",
        f"kind={kind}",
        f"root={ROOT_GROUPS.get(code[:2], 'other')}",
        f"quote={'yes' if quote else 'no'}",
        f"length={'short' if n_tokens <= 20 else 'medium' if n_tokens <= 35 else 'long'}",
    )


def input_feature(n_sentences: int) -> str:
    """What the event was coded from: a lone sentence (a headline, a gold sentence file, a short item) or an article,
    whose context (earlier dates, names introduced before) both helps and misleads the coder."""
    return f"input={'sentence' if n_sentences <= 1 else 'article'}"


PARTS = ("event", "fields")


def _sigmoid(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


@dataclasses.dataclass
class ConfidenceModel:
    """Two logistic models over feature indicators, multiplied: P(right in every field) = P(a real event) x
    P(every field right | a real event). Each part is 1 / (1 + exp(-(intercept + sum of the weights of the event's
    features))); unknown features weigh 0. Splitting the probability lets the event-detection signal (plenty of
    examples) rank events even when few are right in every field.

    intercepts: part -> bias term.
    weights: part -> {"name=value": weight}.
    min_confidence: The default ``--min_confidence`` chosen when the model was fitted.
    source: Where the model was read from.
    """

    intercepts: dict
    weights: dict
    min_confidence: float
    source: str = ""

    @classmethod
    def load(cls, path: Optional[str] = None) -> "ConfidenceModel":
        """Read and validate a model file (default: the built-in ``data/confidence_model.tsv``)."""
        if path is None:
            resource = importlib.resources.files("transforms.coding") / "data" / DEFAULT_MODEL_FILE
            text, where = resource.read_text(encoding="utf-8"), str(resource)
        else:
            text, where = read_data_file(path, what="confidence model"), path
        return cls.parse(text, where)

    @classmethod
    def parse(cls, text: str, where: str) -> "ConfidenceModel":
        intercepts: dict[str, float] = {}
        minimum: Optional[float] = None
        weights: dict[str, dict[str, float]] = {part: {} for part in PARTS}
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if fields[0] == "@min_confidence" and len(fields) == 2:
                minimum = _number(fields[1], where, lineno)
                if not 0.0 <= minimum <= 1.0:
                    raise DataFileError(where, lineno, "@min_confidence must be within 0..1")
                continue
            if len(fields) != 3:
                raise DataFileError(
                    where, lineno, "expected PART FEATURE WEIGHT, @intercept PART VALUE or @min_confidence VALUE "
                    f"(PART: {', '.join(PARTS)})"
                )
            value = _number(fields[2], where, lineno)
            if fields[0] == "@intercept":
                if fields[1] not in PARTS:
                    raise DataFileError(where, lineno, f"unknown model part {fields[1]!r} (known: {', '.join(PARTS)})")
                intercepts[fields[1]] = value
                continue
            part, name = fields[0], fields[1]
            if part not in PARTS:
                raise DataFileError(where, lineno, f"unknown model part {part!r} (known: {', '.join(PARTS)})")
            match = _FEATURE.match(name)
            if not match or match.group(1) not in FEATURE_NAMES:
                raise DataFileError(
                    where, lineno, f"bad feature {name!r}: expected NAME=VALUE with NAME one of {', '.join(FEATURE_NAMES)}"
                )
            if name in weights[part]:
                raise DataFileError(where, lineno, f"duplicate feature {name!r} in part {part}")
            weights[part][name] = value
        missing = [p for p in PARTS if p not in intercepts]
        if missing or minimum is None:
            raise DataFileError(where, None, "the model needs @intercept event, @intercept fields and @min_confidence lines")
        return cls(intercepts=intercepts, weights=weights, min_confidence=minimum, source=where)

    def part_probability(self, part: str, features: Iterable[str]) -> float:
        return _sigmoid(self.intercepts[part] + sum(self.weights[part].get(f, 0.0) for f in features))

    def probability(self, features: Iterable[str]) -> float:
        """Estimated probability that an event with these features is right in every field."""
        features = list(features)
        return self.part_probability("event", features) * self.part_probability("fields", features)


def _number(value: str, where: str, lineno: int) -> float:
    try:
        number = float(value)
    except ValueError:
        raise DataFileError(where, lineno, f"not a number: {value!r}") from None
    if not math.isfinite(number):
        raise DataFileError(where, lineno, f"not a finite number: {value!r}")
    return number
