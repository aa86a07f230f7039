"""ActorCoder: the actor coder's public face (resolve text, add the spaCy component, find mentions)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Optional

from transforms.coding.actors.lexicon import load_lexicon, norm
from transforms.coding.actors.recognizer import COMPONENT_NAME
from transforms.coding.actors.resolver import GROUP_NOUNS, ActorResolver, DocState
from transforms.coding.model import Actor, ActorMention

if TYPE_CHECKING:  # pragma: no cover
    import spacy
    from spacy.tokens import Doc, Span

#: Entity labels that can name actors.
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
#: Prepositions whose object may complete a mention that lacks a country ("officials from both governments").
COMPLEMENT_PREPS = frozenset({"of", "from", "to", "at", "in", "for"})
#: Longest span a mention may grow to when its prepositional complement is added.
MAX_MENTION_TOKENS = 12
#: Nouns that after "his"/"her" stand for the last person mentioned ("his office said").
PERSONAL_STAFF = frozenset({"office", "spokesman", "spokeswoman", "spokesperson", "aide", "adviser", "advisor",
                            "government", "administration", "cabinet", "camp", "entourage"})


class ActorCoder:
    """Codes actors: mention text -> CAMEO-style actor; parsed documents -> actor mentions.

    actors_file: Optional user dictionary extending the built-in data (format in data/README.md,
        "actors_file"); validated on load (DataFileError with path and line).
    """

    def __init__(self, *, actors_file: Optional[str] = None) -> None:
        self.actors_file = actors_file
        self.lexicon = load_lexicon(actors_file)
        self.resolver = ActorResolver(self.lexicon)

    # -- text ------------------------------------------------------------------------------------------
    def resolve(self, text: str, *, date: Optional[dt.date] = None, context: Optional[str] = None) -> Actor:
        """Resolve one mention to an actor (the first one when the text names several).

        text: The mention ("South Korean President Lee Jae-myung", "the Kremlin", "Kazakhs").
        date: Date the text speaks of (people's posts depend on it); today when None.
        context: Optional surrounding text used for a country when the mention has none.
        Returns an Actor; its code is None when nothing is recognised (the text is kept).
        """
        return self.resolve_all(text, date=date, context=context)[0]

    def resolve_all(self, text: str, *, date: Optional[dt.date] = None, context: Optional[str] = None) -> list[Actor]:
        """Like :meth:`resolve` but returns every actor of a compound mention ("Japan and South Korea").

        text: The mention.
        date: Date for dated people; today when None.
        context: Optional surrounding text.
        """
        return self.resolver.resolve_all(text, date=date or dt.date.today(), context=context)

    # -- spaCy -----------------------------------------------------------------------------------------
    def add_to_nlp(self, nlp: "spacy.Language") -> None:
        """Add the in-text recognition component before ``ner`` (idempotent).

        nlp: The spaCy pipeline to extend.
        """
        import transforms.coding.actors.recognizer  # noqa: F401  (registers the factory)

        if COMPONENT_NAME in nlp.pipe_names:
            return
        where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
        nlp.add_pipe(COMPONENT_NAME, config={"actors_file": self.actors_file}, **where)

    def find_mentions(self, doc: "Doc", *, doc_date: Optional[dt.date]) -> list[ActorMention]:
        """Every actor mention in ``doc``, sorted by token start.

        doc: A Doc parsed by a pipeline extended with :meth:`add_to_nlp` (needs the parser for noun chunks).
        doc_date: Publication date (people's posts depend on it); today when None.
        Compound actors give one mention per member; "the two countries"/"both governments"/"the two leaders"
        give one mention per member of the pair in context; surnames and "the president" refer back to earlier
        mentions; actor-like noun phrases that cannot be resolved are kept with ``Actor.code`` None.
        """
        date = doc_date or dt.date.today()
        state = DocState()
        consumed: set[int] = set()
        out: list[ActorMention] = []
        for span in self._candidates(doc):
            if consumed.intersection(range(span.start, span.end)):
                continue
            actors, span = self._resolve_span(doc, span, date, state, consumed)
            if actors is None:
                continue
            consumed.update(range(span.start, span.end))
            for actor in actors:
                out.append(ActorMention(span.start, span.end, actor))
            self._remember(doc, span, actors, state)
        seen = set()
        result = []
        for m in sorted(out, key=lambda m: (m.start, m.end)):
            key = (m.start, m.end, m.actor.code, m.actor.country)
            if key not in seen:
                seen.add(key)
                result.append(m)
        return result

    # -- internals -------------------------------------------------------------------------------------
    def _candidates(self, doc: "Doc") -> list["Span"]:
        chunks = []
        for c in doc.noun_chunks:
            if len(c) == 1 and c.root.pos_ == "PRON":
                continue
            chunks.extend(self._split(doc, c))
        in_chunk = set()
        for c in chunks:
            in_chunk.update(range(c.start, c.end))
        ents = [
            e for e in doc.ents
            if e.label_ in ACTOR_LABELS and not in_chunk.issuperset(range(e.start, e.end))
        ]
        return sorted(chunks + ents, key=lambda s: (s.start, -len(s)))

    def _split(self, doc: "Doc", chunk: "Span") -> list["Span"]:
        """Split a noun chunk at line breaks and dashes, and at 'and'/commas between actors of their own."""
        pieces, start = [], chunk.start
        for tok in chunk:
            if tok.is_space or tok.text in ("--", "—", "–") or "\n" in tok.whitespace_:
                if tok.i > start and not tok.is_space and tok.text not in ("--", "—", "–"):
                    pieces.append(doc[start : tok.i + 1])
                elif tok.i > start:
                    pieces.append(doc[start : tok.i])
                start = tok.i + 1
        if start < chunk.end:
            pieces.append(doc[start : chunk.end])
        out = []
        for piece in pieces:
            parts, start = [], piece.start
            for tok in piece:
                if tok.lower_ in ("and", "or", ",", "&") and tok.i > start:
                    parts.append(doc[start : tok.i])
                    start = tok.i + 1
            if start < piece.end:
                parts.append(doc[start : piece.end])
            actorish = [p for p in parts if any(t.ent_type_ in ("PERSON", "ORG") for t in p) or (
                len(p) > 1 and any(t.ent_type_ in ACTOR_LABELS for t in p)
                and self.lexicon.role_of(p.root.text) is not None)]
            if len(parts) > 1 and len(actorish) == len(parts):
                out.extend(parts)
            else:
                out.append(piece)
        return [p for p in out if len(p) and not all(t.is_punct or t.is_space for t in p)]

    def _actor_like(self, span: "Span") -> bool:
        if any(e.label_ in ACTOR_LABELS for e in span.ents):
            return True
        root = span.root
        if root.lower_ in GROUP_NOUNS:
            return True
        return self.lexicon.role_of(root.text) is not None or self.lexicon.role_of(root.lemma_) is not None

    def _resolve_span(self, doc, span, date, state, consumed):
        if not self._actor_like(span):
            return None, span
        text = span.text
        actors = self.resolver.resolve_all(text, date=date, state=state)
        resolved = [a for a in actors if a.code]
        root = span.root
        first = span[0]
        if first.lower_ in ("his", "her") and root.lemma_.lower() in PERSONAL_STAFF and state.persons and len(span) <= 3:
            return [dataclasses.replace(state.persons[-1], text=text)], span
        if self._actor_like(span):
            # A mention without a country may be completed by its "of/from/to ..." complement.
            if all(a.country is None for a in actors) and not any(
                (a.code or "").startswith(("IGO", "NGO")) for a in actors
            ):
                for prep in root.children:
                    if prep.dep_ != "prep" or prep.lower_ not in COMPLEMENT_PREPS or prep.i != span.end:
                        continue
                    pobj = [c for c in prep.children if c.dep_ == "pobj"]
                    if not pobj:
                        continue
                    end = max(t.i for t in pobj[0].subtree) + 1
                    if end - span.start > MAX_MENTION_TOKENS:
                        break
                    ext = doc[span.start : end]
                    more = self.resolver.resolve_all(ext.text, date=date, state=state)
                    if any(a.country or (a.code or "").startswith("IGO") for a in more):
                        consumed.update(range(prep.i, end))
                        actors, span, resolved = more, ext, [a for a in more if a.code]
                    break
            # An unknown person described by an appositive ("X, a special adviser to Ishiba").
            if any(e.label_ == "PERSON" for e in span.ents) and len(resolved) <= 1:
                for app in root.children:
                    if app.dep_ != "appos":
                        continue
                    sub = list(app.subtree)
                    desc = doc[sub[0].i : sub[-1].i + 1]
                    got = self.resolver.resolve_all(desc.text, date=date, state=state)[0]
                    consumed.update(range(desc.start, desc.end))
                    if got.code and (not resolved or not resolved[0].role):
                        person = next(e for e in span.ents if e.label_ == "PERSON")
                        actors = [dataclasses.replace(got, text=text, name=got.name or person.text)]
                        if got.name is None or got.name != person.text:
                            actors = [dataclasses.replace(actors[0], name=person.text)]
                        resolved = actors
                    break
        if resolved:
            return resolved, span
        if self._actor_like(span):
            return [Actor(text=text)], span
        return None, span

    def _remember(self, doc, span, actors, state: DocState) -> None:
        for a in actors:
            state.note_country(a.country)
        persons = [e for e in span.ents if e.label_ == "PERSON"]
        if not persons or len(actors) != 1:
            return
        person = persons[0]
        actor = actors[0]
        if not actor.code:
            actor = dataclasses.replace(actor, name=person.text)
        title = None
        for k in range(span.start, person.start):
            if self.lexicon.role_of(doc[k : person.start].text) is not None:
                title = doc[k : person.start].text
                break
        if title is None and person.start > span.start:
            title = doc[person.start - 1].text if self.lexicon.role_of(doc[person.start - 1].text) else None
        names = [person.text] + ([actor.name] if actor.name else [])
        for name in names:
            state.note_person(actor, name, None)
        if title:
            state.note_person(actor, None, title)
            words = norm(title).split()
            if len(words) > 1:
                state.note_person(actor, None, words[-1])
