"""A faster equivalent of spaCy's ``attribute_ruler``: the same token attributes, mostly by table lookup.

The English pipelines' ``attribute_ruler`` maps fine-grained tags to part-of-speech and morphology (one
single-token ``{"TAG": ...}`` pattern per tag) and adds token-specific exceptions ("that"/WDT is a pronoun,
"'s"/VBZ has the lemma "be", ...). spaCy runs all of its ~180 patterns through a ``Matcher`` at every token: on
news text about 19 µs per token, 10-15% of the statistical pipeline's CPU time.

:class:`AttributeTable` compiles the patterns *of the loaded component* (nothing is hard-coded): every
single-token pattern that only tests ``TAG``, ``LOWER`` or ``ORTH`` for equality (or ``IN`` a list) becomes a
table entry keyed by those values; every other pattern (dependency labels, regular expressions, ``NOT_IN``,
several tokens, operators, ``IS_SPACE``) stays in a ``Matcher`` of its own, run exactly as the stock component
runs it. Per token, the rules that match are applied in the stock component's order (later rules win), so the
attributes are identical: ``tests/test_attribute_table.py`` compares them with the stock component, and
:func:`replace_attribute_ruler` keeps the stock component when a pattern has an attribute it cannot copy.
"""
from __future__ import annotations

import operator
from typing import Iterable, Iterator, Optional

from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.tokens._retokenize import normalize_token_attrs, set_token_attrs
from spacy.vocab import Vocab

ATTRIBUTE_TABLE = "demarche_attribute_table"
# Token attributes whose value, as ``Doc.to_array`` gives it, is all the Matcher reads for a pattern key: a
# single-token pattern testing only these is a function of the token's values of them.
_TOKEN_ATTRS = frozenset(
    {"TAG", "POS", "DEP", "LOWER", "ORTH", "NORM", "LEMMA", "SHAPE", "LENGTH", "ENT_TYPE",
     "IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT", "LIKE_NUM"}
)
#: Entries of the per-token cache before it is emptied (a long-running worker sees ever new words).
CACHE_SIZE = 200_000
_NONE: frozenset[int] = frozenset()


def _tested_attributes(pattern: list) -> Optional[tuple[str, ...]]:
    """The attributes a single-token pattern tests (upper case, TEXT as ORTH; sorted), or None when the pattern
    needs the Matcher on the whole Doc: several tokens, an operator, extension attributes, other attributes."""
    if len(pattern) != 1 or not isinstance(pattern[0], dict) or not pattern[0]:
        return None
    names = set()
    for key in pattern[0]:
        if not isinstance(key, str):
            return None
        name = "ORTH" if key.upper() == "TEXT" else key.upper()
        if name not in _TOKEN_ATTRS or name in names:
            return None  # "OP", "_", context-dependent attributes
        names.add(name)
    return tuple(sorted(names))


def _equal_to(value) -> Optional[tuple]:
    """What a pattern value accepts when it is a plain string, a list of strings (``IN``) or a boolean, as the
    values ``Doc.to_array`` gives; None for any other test (``NOT_IN``, ``REGEX``, comparisons, ...)."""
    if isinstance(value, bool):
        return (int(value),)
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, dict) and list(value) == ["IN"] and isinstance(value["IN"], list):
        if value["IN"] and all(isinstance(v, str) and v for v in value["IN"]):
            return tuple(value["IN"])
    return None


class _Group:
    """Single-token rules that test the same attributes: an index of the values their equality tests accept,
    and a Matcher (run on one token, cached by the token's values) for the other tests."""

    def __init__(self, vocab: Vocab, names: tuple[str, ...]) -> None:
        self.names = names
        self.index: dict = {}
        self.matcher = Matcher(vocab)
        self.cache: dict = {}
        self.has_predicates = False
        self._strings = vocab.strings

    def add(self, number: int, pattern: list) -> None:
        spec = {("ORTH" if k.upper() == "TEXT" else k.upper()): v for k, v in pattern[0].items()}
        accepted = [_equal_to(spec[name]) for name in self.names]
        if any(values is None for values in accepted):
            self.matcher.add(str(number), [pattern])
            self.has_predicates = True
            return
        keys: list[tuple[int, ...]] = [()]
        for values in accepted:
            keys = [key + (v if isinstance(v, int) else self._strings.add(v),) for key in keys for v in values]
        for key in keys:
            bare = key if len(key) > 1 else key[0]  # as operator.itemgetter gives it: a bare value for one attribute
            self.index[bare] = self.index.get(bare, _NONE) | {number}

    def rules(self, doc: Doc, i: int, key) -> frozenset[int]:
        """Numbers of the group's rules that match token ``i`` of ``doc``, whose values of the group's
        attributes are ``key`` (a tuple, or the bare value for a group of one attribute)."""
        found = self.index.get(key, _NONE)
        if self.has_predicates:
            matched = self.cache.get(key)
            if matched is None:
                spans = self.matcher(doc[i : i + 1], allow_missing=True, as_spans=False)
                matched = frozenset(int(self._strings[m]) for m, _, _ in spans)
                if len(self.cache) >= CACHE_SIZE:
                    self.cache.clear()
                self.cache[key] = matched
            found = found | matched
        return found


class AttributeTable:
    """The rules of a spaCy ``AttributeRuler``, applied with a table of what they give each kind of token.

    vocab: The pipeline's vocabulary.
    patterns: The ruler's patterns (``AttributeRuler.patterns``: dicts with ``patterns``, ``attrs``, ``index``),
        in its order (later rules take precedence).
    """

    def __init__(self, vocab: Vocab, patterns: list[dict]) -> None:
        self.vocab = vocab
        self.attrs: list[dict] = []
        self.indices: list[int] = []
        groups: dict[tuple[str, ...], _Group] = {}
        self.matcher = Matcher(vocab)  # rules of several tokens etc., run on every Doc as the stock component does
        self.matcher_rules = 0
        for number, rule in enumerate(patterns):
            self.attrs.append(normalize_token_attrs(vocab, dict(rule["attrs"])))
            self.indices.append(rule.get("index", 0))
            rest = []
            for pattern in rule["patterns"]:
                names = _tested_attributes(pattern)
                if names is None:
                    rest.append(pattern)
                    continue
                if names not in groups:
                    groups[names] = _Group(vocab, names)
                groups[names].add(number, pattern)
            if rest:
                self.matcher.add(str(number), rest)
                self.matcher_rules += 1
        self.key_attributes = sorted({name for names in groups for name in names})
        self._columns = [IDS[name] for name in self.key_attributes]
        self._groups = [
            (group, operator.itemgetter(*[self.key_attributes.index(name) for name in group.names]))
            for group in groups.values()
        ]
        # key (the token's values of key_attributes) -> (numbers of the matching single-token rules in order,
        # their attributes merged in that order)
        self._cache: dict[tuple[int, ...], tuple[tuple[int, ...], dict]] = {}

    def _single_rules(self, doc: Doc, i: int, key: tuple[int, ...]) -> tuple[tuple[int, ...], dict]:
        """Numbers of the single-token rules matching token ``i`` of ``doc`` (whose values of
        ``key_attributes`` are ``key``), and their attributes merged in rule order."""
        found = self._cache.get(key)
        if found is None:
            numbers = sorted(set().union(*[group.rules(doc, i, values(key)) for group, values in self._groups]))
            merged: dict = {}
            for number in numbers:
                merged.update(self.attrs[number])
            found = (tuple(numbers), merged)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        # Every rule is matched against the Doc as the tagger and parser left it, before any attribute changes
        # (as the stock component does), and a token gets the attributes of its rules in rule order.
        exceptions: dict[int, set[int]] = {}
        if self.matcher_rules:
            strings = self.vocab.strings
            for match_id, start, end in self.matcher(doc, allow_missing=True, as_spans=False):
                number = int(strings[match_id])
                target = Span(doc, start, end)[self.indices[number]].i  # IndexError for a bad index, as stock
                exceptions.setdefault(target, set()).add(number)
        if self._columns:
            keys = doc.to_array(self._columns).reshape(len(doc), len(self._columns)).tolist()
        else:
            keys = [[]] * len(doc)
        cache = self._cache
        for i, values in enumerate(keys):
            key = tuple(values)
            numbers, merged = cache.get(key) or self._single_rules(doc, i, key)
            extra = exceptions.get(i) if exceptions else None
            if extra is None:
                if merged:
                    set_token_attrs(doc[i], merged)
                continue
            token = doc[i]
            for number in sorted(extra.union(numbers)):
                set_token_attrs(token, self.attrs[number])
        return doc


def table_for(ruler) -> Optional[AttributeTable]:
    """An :class:`AttributeTable` with the rules of a stock ``AttributeRuler``, or None when a rule sets
    something the table cannot copy exactly (extension attributes)."""
    patterns = ruler.patterns
    if any("_" in rule["attrs"] for rule in patterns):
        return None
    return AttributeTable(ruler.vocab, patterns)


@Language.factory(ATTRIBUTE_TABLE)
def _make_attribute_table(nlp: Language, name: str) -> "AttributeTableComponent":
    return AttributeTableComponent()


class AttributeTableComponent:
    """The pipeline component: created empty by the factory, given its table by :func:`replace_attribute_ruler`."""

    table: Optional[AttributeTable] = None

    def __call__(self, doc: Doc) -> Doc:
        if self.table is None:
            raise RuntimeError(f"{ATTRIBUTE_TABLE} was added without its rules (use replace_attribute_ruler)")
        return self.table(doc)

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


def replace_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> Optional[AttributeTable]:
    """Replace the pipeline's stock ``attribute_ruler`` (same name, same place) by an :class:`AttributeTable`
    compiled from its own patterns. Returns the table, or None when the pipeline has no such component or it
    is kept (not a stock ``AttributeRuler``, or rules the table cannot copy).

    nlp: A loaded spaCy pipeline.
    name: The component's name.
    """
    from spacy.pipeline import AttributeRuler

    if name not in nlp.component_names:
        return None
    ruler = nlp.get_pipe(name)
    if type(ruler) is not AttributeRuler:
        return None
    table = table_for(ruler)
    if table is None:
        return None
    disabled = name in nlp.disabled
    nlp.replace_pipe(name, ATTRIBUTE_TABLE)
    nlp.get_pipe(name).table = table
    if disabled:
        nlp.disable_pipe(name)
    return table
