"""Clause grammar shared by the event matcher, the date resolver and the place resolver.

One copy of each decision about a clause, read from spaCy's dependency parse:

- ``clause_verb``: the verb of an event's clause (the event word itself, or the light verb of an event noun);
- tense: ``is_past``, ``is_perfect``;
- negation: ``is_negation``;
- future: ``is_future_aux`` (an auxiliary of the future: "will", "shall", "'ll", "won't") and
  ``is_future_clause`` (the future auxiliary on the clause or on a clause governing it, or a future governor:
  "is set to visit", "plans to travel", "is going to meet");
- argument scope: ``argument_scope`` (the clause whose phrases may name an event's participants) and
  ``in_scope`` (a phrase of that clause, not of a clause of its own inside it: a relative clause, a finite
  adverbial clause, an "according to" attribution).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Token

__all__ = [
    "VERB_POS", "AUX_DEPS", "FUTURE_AUX", "FUTURE_GOVERNORS", "NEGATIONS", "INFINITIVE_MARKER",
    "clause_verb", "auxiliaries", "is_past", "is_perfect", "is_negation", "is_future_aux", "is_future_clause",
    "has_subject", "argument_scope", "in_scope",
]

#: Parts of speech of a clause's verb.
VERB_POS = frozenset({"VERB", "AUX"})
#: Dependency labels of auxiliaries (active and passive).
AUX_DEPS = ("aux", "auxpass")
#: Dependency labels of an event noun that makes it an argument of its clause's (light) verb.
ARGUMENT_DEPS = ("dobj", "nsubj", "nsubjpass", "attr", "obj")
#: Auxiliaries of the future ("wo" is the first half of "won't"; "ll" is "'ll" written without its apostrophe).
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "ll"})
#: Verbs (lemmas) whose "to" complement is a future event: "plans to travel", "is set to visit".
FUTURE_GOVERNORS = frozenset({
    "plan", "schedule", "set", "due", "expect", "intend", "prepare", "aim", "go", "slate", "poise", "vow",
    "promise", "pledge", "threaten", "agree",
})
#: "go" governs a future only in the progressive: "is going to meet", not "went to meet".
GOING_TO_LEMMA = "go"
GOING_TO_TAG = "VBG"
#: Words that negate the predicate they modify.
NEGATIONS = frozenset({"not", "n't", "never", "no"})
NEGATION_DEPS = ("advmod", "neg")
#: The infinitive marker of a "to" clause.
INFINITIVE_MARKER = "to"
#: Auxiliaries that put a verb in the past ("did", "had agreed", "was scheduled").
PAST_AUX = frozenset({"did", "had", "was", "were"})
#: Auxiliaries of the present perfect ("has agreed", "have accused").
PRESENT_PERFECT_AUX = frozenset({"has", "have", "'ve"})
PAST_PERFECT_AUX = "had"
PAST_TAG = "VBD"
#: Dependency labels of a clause's own subject (a clause with one is finite: it has participants of its own).
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
#: Clauses that share the participants of the predicate they depend on when they have no subject of their own:
#: "went on a spree, [killing] four", "continued the strike [to demand] X", "met X and [signed] ...".
OPEN_CLAUSE_DEPS = ("xcomp", "advcl", "conj", "pcomp")
#: Clauses with participants of their own: a relative clause ("the group, which [is linked] to X"), a verbal
#: modifier ("the law [imposed] by X"; an "acl" that is a verb), and "until X [joined]" (advcl/parataxis/csubj only
#: when they have their own subject). A clausal complement (ccomp) is not one: what a verb of the scope says, warns
#: or alleges is about its counterpart ("warned that [X could ...]", "criticized the move, arguing [X was ...]").
RELATIVE_CLAUSE_DEP = "relcl"
VERBAL_MODIFIER_DEP = "acl"
SUBORDINATE_CLAUSE_DEPS = ("advcl", "parataxis", "csubj")
#: A preposition that attributes the sentence to a source ("according to X"): X is who reports, not a participant.
ATTRIBUTION_PREP = "according"
PARTICIPLE_TAG = "VBN"


def clause_verb(tok: "Token") -> Optional["Token"]:
    """The verb of the event's clause: the head itself, or the light verb of an event noun argument.

    tok: The event's head token.
    RETURNS: The verb token, or None for an event noun that is not a verb's subject/object.
    """
    if tok.pos_ in VERB_POS:
        return tok
    if tok.dep_ in ARGUMENT_DEPS and tok.head.pos_ in VERB_POS:
        return tok.head
    return None


def is_past(tok: "Token") -> bool:
    """Past tense: "agreed", "has agreed", "was scheduled" (not "is scheduled", "has been scheduled")."""
    auxes = auxiliaries(tok)
    if tok.tag_ == PAST_TAG or auxes & PAST_AUX:
        return True
    return tok.tag_ == PARTICIPLE_TAG and bool(auxes & {"has", "have"}) and "been" not in auxes


def is_perfect(verb: "Token") -> bool:
    """Past perfect ("had attacked", "had been arrested") or present perfect ("has called for", "have accused")."""
    if verb.tag_ != PARTICIPLE_TAG:
        return False
    auxes = auxiliaries(verb)
    return PAST_PERFECT_AUX in auxes or bool(auxes & PRESENT_PERFECT_AUX)


def is_negation(child: "Token") -> bool:
    """``child`` negates its head: a ``neg`` dependent, or "not"/"never"/"no" as an adverb."""
    return child.dep_ == "neg" or (child.lower_ in NEGATIONS and child.dep_ in NEGATION_DEPS)


def is_future_aux(child: "Token", *, deps: tuple[str, ...] = AUX_DEPS) -> bool:
    """``child`` is an auxiliary of the future ("will", "shall", "'ll", "wo[n't]") attached with one of ``deps``."""
    return child.dep_ in deps and child.lower_ in FUTURE_AUX


def is_future_clause(verb: "Token") -> bool:
    """The clause of ``verb`` is grammatically future: a future auxiliary on it or on a clause it is an
    ``xcomp``/``conj`` of, or a future governor with a "to" infinitive ("is set to visit", "plans to travel",
    "is going to meet"; not "went to", not "agreed to" in the past). The present tense is not future."""
    for tok in (verb, *verb.ancestors):
        if any(is_future_aux(c) for c in tok.children):
            return True
        lemma = tok.lemma_.lower()
        if tok is not verb and lemma in FUTURE_GOVERNORS:
            if lemma != GOING_TO_LEMMA or tok.tag_ == GOING_TO_TAG:
                return _is_infinitive(verb) and not is_past(tok)
        if tok.dep_ not in ("xcomp", "conj"):
            break
    return False


def _is_infinitive(verb: "Token") -> bool:
    return any(c.dep_ == "aux" and c.lower_ == INFINITIVE_MARKER for c in verb.children)


def auxiliaries(tok: "Token") -> set[str]:
    """The auxiliaries of a verb, lower-cased ("has", "been", "will", ...)."""
    return {c.lower_ for c in tok.children if c.dep_ in AUX_DEPS}


def has_subject(verb: "Token") -> bool:
    """The clause of ``verb`` has a subject of its own (``SUBJECT_DEPS``): it is finite, with its own participants."""
    return any(c.dep_ in SUBJECT_DEPS for c in verb.children)


def argument_scope(tok: "Token") -> "Token":
    """The predicate whose phrases may name the participants of the event at ``tok``.

    From an event noun, the verb it depends on ("despite [criticism] by X" -> the clause's verb); from there up
    through clauses without a subject of their own (participles, "to" infinitives, conjoined verbs sharing the
    subject: "went on a spree, [killing] four" -> "went"). It stops at a clause with its own subject, and at a
    relative or reported clause: "the minister said [Russia would attack]" -> "attack" (the speaker is not a
    participant).

    tok: The event's head token.
    RETURNS: The token heading the scope (``tok`` itself for a verb with its own subject).
    """
    node = tok
    for _ in range(12):  # from an event noun to its verb
        if node.pos_ in VERB_POS or node.head.i == node.i:
            break
        node = node.head
    for _ in range(12):
        if node.head.i == node.i or has_subject(node) or node.dep_ not in OPEN_CLAUSE_DEPS:
            break
        node = node.head
        while node.pos_ not in VERB_POS and node.head.i != node.i:  # "by [killing]": the preposition's verb
            node = node.head
    return node


def in_scope(scope: "Token", tok: "Token", *, along: "Token") -> bool:
    """``tok`` (the head of a phrase) belongs to the clause headed by ``scope``: ``scope`` dominates it and no
    clause of its own comes between them -- a relative clause or verbal modifier ("the law [imposed by X]", "the
    group, [which is linked to X]"), an adverbial clause with its own subject ("until [X joined]", "while [its
    application to X is decided]"); a clausal complement is part of the clause ("warned that [X could ...]"),
    unless it belongs to another act conjoined to the event ("hailed the report and warned that [X ...]") -- nor
    an attribution ("according to X"). Clauses on the way from ``scope``
    to ``along`` (the event's own word) are the event's own; conjoined clauses of ``scope`` are part of it
    ("X insists ..., but [Y has not passed] it").

    scope: ``argument_scope`` of the event.
    tok: The head of the candidate phrase.
    along: The event's head token.
    """
    own = {along.i, *(a.i for a in along.ancestors)}
    node = tok
    for _ in range(40):
        if node.i == scope.i:
            return True
        if node.i not in own:
            if node.dep_ == RELATIVE_CLAUSE_DEP or (node.dep_ == VERBAL_MODIFIER_DEP and node.pos_ in VERB_POS):
                return False
            if node.dep_ in SUBORDINATE_CLAUSE_DEPS and has_subject(node):
                return False
            if node.dep_ == "conj" and has_subject(node) and node.head.i != scope.i:
                return False
            if node.dep_ == "ccomp" and node.head.dep_ == "conj" and node.head.i not in own:
                return False  # what another act conjoined to the event says: "hailed X and [warned that Y ...]"
            if node.lower_ == ATTRIBUTION_PREP and node.dep_ == "prep":
                return False
        if node.head.i == node.i:
            return False
        node = node.head
    return False
