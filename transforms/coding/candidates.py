"""Candidate sentences: which sentences may hold an event, judged before tagging and parsing.

The statistical pipeline (tagger, parser, NER) is the main cost of coding. A sentence can only be coded when it
has both

- a **predicate**: a word that is a form of a trigger lemma of the loaded pattern lexicon (built-in patterns,
  ``--patterns_file``, and whatever else the event coder loads), or a modal of obligation - the same test
  :meth:`EventCoder.might_hold_event` applies to every sentence at coding time, so it removes nothing the coder
  would code; and
- a possible **actor**: a name the actor lexicon's phrase matcher marked (countries, people, organisations,
  titled names), a role or group noun of the actor lexicon ("police", "lawmakers", "both governments"), a
  third-person pronoun (resolved to an earlier mention), or a capitalised word inside the sentence that the
  statistical NER may find to be a name.

The sentence before a candidate that has a third-person pronoun is parsed too (pronouns resolve to the subject of
the previous sentence, which needs its parse). Sentences failing the tests are not parsed; they keep their tokens, sentence bounds and dictionary names,
which the coders use as document context (dateline, earlier full names for coreference, countries of the
document). Nothing here depends on the test sentences: the word lists come from the loaded lexicons.
"""
from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Optional

from transforms.coding.actors.resolver import GROUP_NOUNS
from transforms.coding.events.matcher import THIRD_PERSON

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Span, Token

    from transforms.coding.actors.lexicon import ActorLexicon
    from transforms.coding.events import EventCoder

# Capitalised words that never start a name inside a sentence (they are capitalised as words of a title,
# a quote start or a pronoun).
_NOT_NAMES = frozenset({"i", "the", "a", "an", "in", "on", "at", "of", "and", "but", "or", "for", "to", "it",
                        "he", "she", "they", "we", "you", "this", "that", "these", "those", "there", "what"})
_PLURALS = (("ies", "y"), ("es", ""), ("s", ""))


class CandidateSentences:
    """Sentence test for :class:`transforms.coding.nlp.DocumentParser`: True when a sentence may hold an event.

    events: The event coder (its pattern lexicon gives the predicate words).
    lexicon: The actor lexicon (role and group nouns).
    """

    def __init__(self, *, events: "EventCoder", lexicon: "ActorLexicon") -> None:
        self.events = events
        self.lexicon = lexicon

    def __call__(self, sentence: "Span") -> bool:
        return self.may_name_actor(sentence) and self.events.might_hold_event(sentence.text)

    def select(self, sentences: list["Span"]) -> list[bool]:
        """Which sentences of one document to parse: the candidates, and the sentence before a candidate that
        refers back with a third-person pronoun.

        sentences: The document's sentences, in order, annotated by the lexical pass.
        """
        # the document's entities once (a Span's ``ents`` builds every entity of its Doc again, sentence by
        # sentence); they are sorted and never overlap, so an entity lies within a sentence exactly when the first
        # one starting in it also ends in it
        ents = list(sentences[0].doc.ents) if sentences else []
        starts = [ent.start for ent in ents]
        chosen = []
        for sentence in sentences:
            first = bisect.bisect_left(starts, sentence.start)
            has_entity = first < len(ents) and ents[first].end <= sentence.end
            chosen.append(self.may_name_actor(sentence, has_entity=has_entity)
                          and self.events.might_hold_event(sentence.text))
        for i in range(1, len(sentences)):
            if chosen[i] and not chosen[i - 1] and any(t.lower_ in THIRD_PERSON for t in sentences[i]):
                chosen[i - 1] = True
        return chosen

    def may_name_actor(self, sentence: "Span", *, has_entity: Optional[bool] = None) -> bool:
        """Whether a token of the sentence may be part of an actor mention (see the module docstring).

        sentence: A sentence annotated by the lexical pass (tokens, dictionary entities).
        has_entity: Whether an entity of the Doc lies within the sentence, when the caller knows (else read).
        """
        if has_entity if has_entity is not None else bool(sentence.ents):
            return True
        first = True
        for token in sentence:
            if token.is_space or token.is_punct:
                continue
            lower = token.lower_
            if lower in THIRD_PERSON or lower in GROUP_NOUNS or self._is_role(lower):
                return True
            if not first and self._may_be_name(token):
                return True
            first = False
        return False

    def _is_role(self, lower: str) -> bool:
        if self.lexicon.role_of(lower) is not None:
            return True
        for suffix, repl in _PLURALS:
            if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
                if self.lexicon.role_of(lower[: -len(suffix)] + repl) is not None:
                    return True
        return False

    @staticmethod
    def _may_be_name(token: "Token") -> bool:
        text = token.text
        if not text[:1].isupper() or token.lower_ in _NOT_NAMES or token.like_num:
            return False
        previous = token.nbor(-1) if token.i > 0 else None
        # the first word after a quote, a colon or a line break is capitalised anyway
        return previous is None or not (previous.is_quote or previous.text in (":", "(") or "\n" in previous.text)
