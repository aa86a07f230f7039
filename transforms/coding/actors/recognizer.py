"""In-text recognition: a spaCy component that marks dictionary actors as entities before the statistical NER.

The component (registered as ``demarche_actors``) runs two PhraseMatchers built once from the lexicon - ORTH for
names (case matters: "Turkey" vs "turkey", "US" vs "us"; ALL-CAPS variants are added for datelines) and LOWER
for lower-case forms - then marks as PERSON:

- a run of capitalised words right after a person title ("Prime Minister Shigeru Ishiba", "General X Y");
- later single words repeating a part of a person name found earlier in the document ("Ishiba", "Lee").

The spans are written to ``doc.ents``; the ``ner`` component placed after it keeps them and predicts around
them, so "Ishiba" is no longer an ORG and "Nagashima" no longer a place.

The dictionary matches are also passed on to the resolver (:func:`ruler_matches`, kept in ``doc.user_data``):
each matched span with its dictionary entries, so that the resolver takes them as they are instead of looking
them up again.
"""
from __future__ import annotations

import hashlib
import re
from typing import Optional

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from transforms.coding import startup_cache
from transforms.coding.actors.lexicon import TITLE, ActorLexicon, family_names, is_short_acronym, load_lexicon
from transforms.coding.actors.resolver import NOT_CARRIED, Probe, RulerMatches, probe
from transforms.coding.text import name_key

COMPONENT_NAME = "demarche_actors"
#: ``doc.user_data`` key of the :class:`RulerMatches` the component passes on to the resolver.
RULER_MATCHES_KEY = "demarche_actor_matches"

_LABELS = {
    "person": "PERSON",
    "org": "ORG",
    "name": "GPE",
    "region": "GPE",
    "capital": "GPE",
    "seat": "ORG",
    "adj": "NORP",
    "people": "NORP",
}
#: Titles that also begin company or event names: a single capitalised word after them is not a name.
AMBIGUOUS_TITLES = frozenset(
    "general major captain chief director leader secretary justice speaker marshal commander judge".split()
)


class ActorRuler:
    """spaCy component marking dictionary actors and titled names as entities.

    nlp: The pipeline (its tokenizer builds the patterns).
    lexicon: The actor lexicon.
    """

    def __init__(self, nlp: Language, lexicon: ActorLexicon) -> None:
        self.lexicon = lexicon
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._probes: dict[str, Probe] = {}  # matched text -> its probe (bounded by the patterns)
        orth, lower = token_patterns(nlp, lexicon)
        for label, patterns in orth:
            self.orth.add(label, patterns)
        for label, patterns in lower:
            self.lower.add(label, patterns)

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, s, e, label=m) for m, s, e in self.orth(doc)]
        spans += [Span(doc, s, e, label=m) for m, s, e in self.lower(doc)]
        spans = filter_spans(spans)
        doc.user_data[RULER_MATCHES_KEY] = self._carry(doc, spans)
        taken = {i for sp in spans for i in range(sp.start, sp.end)}
        spans += self._titled_names(doc, taken)
        spans = filter_spans(spans)
        spans += self._name_repeats(doc, spans)
        doc.ents = filter_spans(list(doc.ents) + spans)
        return doc

    def _carry(self, doc: Doc, spans: list[Span]) -> RulerMatches:
        """The dictionary matches as the resolver takes them: each match's span with its :func:`probe` (its
        dictionary entries; remembered per matched text, as the patterns are few)."""
        probes = {}
        for sp in spans:
            found = self._probes.get(sp.text, NOT_CARRIED)
            if found is NOT_CARRIED:
                found = self._probes[sp.text] = probe(self.lexicon, sp.text)
            probes[sp.start_char] = {sp.end_char: found}
        return RulerMatches(probes=probes, lexicon=self.lexicon)

    @staticmethod
    def _is_name_token(tok) -> bool:
        t = tok.text
        return bool(t[:1].isupper() and re.match(r"^[\w.'’-]+$", t) and not tok.is_punct and not tok.like_num)

    def _titled_names(self, doc: Doc, taken: set[int]) -> list[Span]:
        out = []
        i = 0
        n = len(doc)
        while i < n:
            tok = doc[i]
            if TITLE.match(tok.text) and i + 1 < n and (i + 1) not in taken and self._is_name_token(doc[i + 1]):
                j = i + 1
                while j < n and j - i <= 4 and j not in taken and self._is_name_token(doc[j]):
                    j += 1
                one_word_ok = tok.lower_.rstrip(".") not in AMBIGUOUS_TITLES  # "General Motors", "Major League"
                if not TITLE.match(doc[i + 1].text) and (j - i > 2 or one_word_ok):
                    out.append(Span(doc, i + 1, j, label="PERSON"))
                    i = j
                    continue
            i += 1
        return out

    def _name_repeats(self, doc: Doc, spans: list[Span]) -> list[Span]:
        first_seen: dict[str, int] = {}
        for sp in spans:
            if sp.label_ == "PERSON" and len(sp) >= 2:
                known = [e.country for e in self.lexicon.lookup(sp.text) if e.kind == "person"]
                for key in family_names(sp.text, known[0] if known else None):
                    first_seen.setdefault(key, sp.end)
        if not first_seen:
            return []
        taken = {i for sp in spans for i in range(sp.start, sp.end)}
        out = []
        for tok in doc:
            if tok.i in taken or not tok.text[:1].isupper():
                continue
            start = first_seen.get(name_key(tok.text))
            if start is not None and tok.i >= start:
                out.append(Span(doc, tok.i, tok.i + 1, label="PERSON"))
        return out


#: A phrase matcher's patterns: (label, the token attribute values (ORTH or LOWER hashes) of each form).
TokenPatterns = list[tuple[str, list[tuple[int, ...]]]]


def token_patterns(nlp: Language, lexicon: ActorLexicon) -> tuple[TokenPatterns, TokenPatterns]:
    """The ORTH and LOWER matchers' patterns for the lexicon's forms, tokenized by ``nlp``'s tokenizer: from the
    start-up cache (``transforms/coding/startup_cache.py``) when the lexicon came from it (keyed by its
    fingerprint, the tokenizer and the spaCy version), else built by :func:`build_token_patterns`."""
    key = None
    if lexicon.fingerprint is not None:
        import spacy

        tokenizer = hashlib.sha1(nlp.tokenizer.to_bytes(exclude=["vocab"])).hexdigest()
        key = startup_cache.fingerprint(
            parts=[lexicon.fingerprint, f"tokenizer={nlp.lang}:{tokenizer}", f"spacy={spacy.__version__}"])
    return startup_cache.read_or_build("actor-patterns", key, lambda: build_token_patterns(nlp, lexicon), tuple)


def pattern_forms(lexicon: ActorLexicon) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The written forms of the ORTH matcher (capitalised forms and acronyms, with their ALL-CAPS variants) and of
    the LOWER matcher (lower-case forms), by entity label."""
    orth: dict[str, set[str]] = {}
    lower: dict[str, set[str]] = {}
    for entries in lexicon.forms.values():
        for e in entries:
            label = _LABELS.get(e.kind if e.kind in ("person", "org") else e.form_kind)
            if label is None:
                continue
            form = e.form
            if form[:1].isupper() or is_short_acronym(form):
                variants = {form, form.upper()}
                if e.kind == "person":
                    variants.add(form.replace("-", " "))
                if form.isupper() and len(form) > 3:
                    variants.add(form.title())
                orth.setdefault(label, set()).update(variants)
            else:
                lower.setdefault(label, set()).add(form)
    return orth, lower


def build_token_patterns(nlp: Language, lexicon: ActorLexicon) -> tuple[TokenPatterns, TokenPatterns]:
    """The ORTH and LOWER matchers' patterns (:func:`pattern_forms`, sorted, tokenized by ``nlp``) as token
    attribute values: what ``PhraseMatcher.add`` keeps of a pattern Doc, so that they can be cached and added
    without tokenizing again."""
    orth, lower = pattern_forms(lexicon)

    def values(forms: set[str], attr: str) -> list[tuple[int, ...]]:
        return [tuple(int(v) for v in doc.to_array(attr)) for doc in nlp.tokenizer.pipe(sorted(forms))]

    return ([(label, values(forms, "ORTH")) for label, forms in orth.items()],
            [(label, values(forms, "LOWER")) for label, forms in lower.items()])


def ruler_matches(doc: Doc) -> Optional[RulerMatches]:
    """The dictionary matches the ``demarche_actors`` component passed on with ``doc``; None when it did not run."""
    return doc.user_data.get(RULER_MATCHES_KEY)


@Language.factory(COMPONENT_NAME, default_config={"actors_file": None})
def make_actor_ruler(nlp: Language, name: str, actors_file: Optional[str]) -> ActorRuler:
    """spaCy factory: ``nlp.add_pipe("demarche_actors", before="ner", config={"actors_file": path})``.

    nlp: The pipeline.
    name: Component name (given by spaCy).
    actors_file: Optional user actor dictionary (same as ``ActorCoder(actors_file=...)``).
    """
    return ActorRuler(nlp, load_lexicon(actors_file))
