"""ActorCoder: the actor coder's public face (resolve text, add the spaCy component, find mentions)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import TYPE_CHECKING, Optional

from transforms.coding.actors.lexicon import UNDATED, load_lexicon
from transforms.coding.actors.recognizer import COMPONENT_NAME, ruler_matches  # importing registers the factory
from transforms.coding.actors.resolver import GROUP_NOUNS, ActorResolver, DocState, RulerMatches, referring
from transforms.coding.dateline import is_dateline_agency, is_dateline_place
from transforms.coding.model import CONTEXT, DICTIONARY, TEXT, Actor, ActorMention
from transforms.coding.text import name_key

if TYPE_CHECKING:  # pragma: no cover
    import spacy
    from spacy.tokens import Doc, Span

DASHES = ("--", "—", "–")
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
        date: Date the text speaks of (people's posts depend on it). When None the date is unknown and a person
            gets their most recent post (``lexicon.UNDATED``): news naming someone who held an office is
            mostly from their time in it.
        context: Optional surrounding text used for a country when the mention has none.
        Returns an Actor; its code is None when nothing is recognised (the text is kept).
        """
        return self.resolve_all(text, date=date, context=context)[0]

    def resolve_all(self, text: str, *, date: Optional[dt.date] = None, context: Optional[str] = None) -> list[Actor]:
        """Like :meth:`resolve` but returns every actor of a compound mention ("Japan and South Korea").

        text: The mention.
        date: Date for dated people; unknown when None (see :meth:`resolve`).
        context: Optional surrounding text.
        """
        return self.resolver.resolve_all(text, date=date or UNDATED, context=context)

    # -- spaCy -----------------------------------------------------------------------------------------
    def add_to_nlp(self, nlp: "spacy.Language") -> None:
        """Add the in-text recognition component before ``ner`` (idempotent).

        nlp: The spaCy pipeline to extend.
        """
        if COMPONENT_NAME in nlp.pipe_names:
            return
        where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
        nlp.add_pipe(COMPONENT_NAME, config={"actors_file": self.actors_file}, **where)

    def find_mentions(self, doc: "Doc", *, doc_date: Optional[dt.date]) -> list[ActorMention]:
        """Every actor mention in ``doc``, sorted by token start.

        doc: A Doc parsed by a pipeline extended with :meth:`add_to_nlp` (needs the parser for noun chunks).
        doc_date: Publication date (people's posts depend on it). When None the date is unknown and a person gets
            their most recent post (``lexicon.UNDATED``, as in :meth:`resolve`): the output never depends on the
            day the job runs.
        Compound actors give one mention per member; "the two countries"/"both governments"/"the two leaders"
        give one mention per member of the pair in context; surnames and "the president" refer back to earlier
        mentions; actor-like noun phrases that cannot be resolved are kept with ``Actor.code`` None.
        """
        date = doc_date or UNDATED
        state = DocState()
        carried = ruler_matches(doc)
        if carried is not None and carried.lexicon is not self.lexicon:
            carried = None  # parsed with another actors file: its matches are not this lexicon's
        consumed: set[int] = set()
        out: list[ActorMention] = []
        ents = [e for e in doc.ents if e.label_ in ACTOR_LABELS]
        for span in self._candidates(doc, ents):
            if consumed.intersection(range(span.start, span.end)):
                continue
            actors, span = self._resolve_span(doc, span, date, state, consumed, ents, carried)
            if actors is None:
                continue
            consumed.update(range(span.start, span.end))
            for actor in actors:
                out.append(ActorMention(start=span.start, end=span.end, actor=actor))
            if len(actors) == 1:
                state.at_token.update(dict.fromkeys(range(span.start, span.end), actors[0]))
                acronym = _acronym_after(doc, span)
                if acronym is not None and actors[0].code and not actors[0].name:
                    state.note_acronym(actors[0], acronym)
            for a in actors:
                if a.role and a.country and not a.name:
                    state.by_head.setdefault((_head_key(span.root), a.role), set()).add(a.country)
            self._remember(doc, span, actors, state, _within(ents, span))
        seen = set()
        result = []
        out = self._share_plural_roles(doc, sorted(out, key=lambda m: (m.start, m.end)))
        out = self._generic_bodies_at_home(doc, out)
        out = _named_later(doc, out, state)
        for m in out:
            key = (m.start, m.end, m.actor.code, m.actor.country)
            if key not in seen:
                seen.add(key)
                result.append(m)
        return result

    # -- internals -------------------------------------------------------------------------------------
    @staticmethod
    def _share_plural_roles(doc: "Doc", mentions: list[ActorMention]) -> list[ActorMention]:
        """"Japan, South Korea leaders" / "Japan and South Korea officials": a bare country right before a
        plural role noun phrase with another country shares that role; the plural phrase names both."""
        out = list(mentions)
        for k in range(len(mentions) - 1):
            a, b = mentions[k], mentions[k + 1]
            between = [t.lower_ for t in doc[a.end : b.start]]
            if between not in ([","], ["and"], ["&"]) or a.actor.role or not a.actor.country:
                continue
            root = doc[b.start : b.end].root
            if root.tag_ != "NNS" or not b.actor.role or not b.actor.country or b.actor.country == a.actor.country:
                continue
            if any(m.start == b.start and m is not b for m in mentions):
                continue
            role = b.actor.role
            shared = dataclasses.replace(a.actor, code=a.actor.country + role, role=role, name=None)
            out[out.index(a)] = ActorMention(start=a.start, end=a.end, actor=shared)
            out.append(ActorMention(start=b.start, end=b.end, actor=dataclasses.replace(shared, text=b.actor.text)))
        return sorted(out, key=lambda m: (m.start, m.end))

    def _generic_body(self, doc: "Doc", mention: ActorMention) -> bool:
        """Whether a mention is a national body named only by a common noun that many states use for theirs
        ("Congress", "the National Congress", "the Defense Department"): the dictionary gives it one country."""
        a = mention.actor
        if not a.name or not a.country or a.country_source != DICTIONARY:
            return False
        words = [t.text for t in doc[mention.start : mention.end] if t.lower_ != "the"]
        for k in range(len(words)):  # "Congress", "National Congress": a generic noun ends the name ...
            tail = " ".join(words[k:])
            if self.lexicon.role_of(tail) is not None and any(
                    e.kind == "org" and e.country == a.country for e in self.lexicon.lookup(tail)):
                # ... and no word before it names a country ("U.S. Congress")
                return not any(e.kind == "country" for w in words[:k] for e in self.lexicon.lookup(w))
        return False

    def _generic_bodies_at_home(self, doc: "Doc", mentions: list[ActorMention]) -> list[ActorMention]:
        """A generic national body ("the Congress", "the Defence Ministry") in an article about another country
        is that country's: it takes the article's dominant country (``document_country``) instead of the one
        the dictionary gives the name."""
        from transforms.coding.coder import document_country  # the document coder imports this module

        generic = [self._generic_body(doc, m) for m in mentions]
        if not any(generic):
            return mentions
        home = document_country([m for m, g in zip(mentions, generic) if not g], None)
        if home is None:
            return mentions
        out = []
        for m, g in zip(mentions, generic):
            if g and m.actor.country != home:
                actor = dataclasses.replace(m.actor, code=home + m.actor.role, country=home, name=None,
                                            country_source=CONTEXT)
                m = dataclasses.replace(m, actor=actor)
            out.append(m)
        return out

    def _candidates(self, doc: "Doc", ents: list["Span"]) -> list["Span"]:
        chunks = []
        noun_chunks = doc.noun_chunks if doc.has_annotation("DEP") else ()  # no parser: entities only
        for c in noun_chunks:
            if len(c) == 1 and c.root.pos_ == "PRON":
                continue
            chunks.extend(self._split(doc, self._with_postpositive(doc, c)))
        in_chunk = set()
        for c in chunks:
            in_chunk.update(range(c.start, c.end))
        # An organisation's name the parser cut into several chunks ("Bank" | "of" | "America") is one mention.
        whole = [e for e in ents if e.label_ in ("ORG", "FAC") and len(e) > 2
                 and sum(1 for c in chunks if c.start < e.end and e.start < c.end) > 1
                 and all(e.start <= c.start and c.end <= e.end for c in chunks if c.start < e.end and e.start < c.end)]
        if whole:
            inside = {i for e in whole for i in range(e.start, e.end)}
            chunks = [c for c in chunks if not inside.intersection(range(c.start, c.end))] + whole
        loose = [_trim(doc, e) for e in ents if not in_chunk.issuperset(range(e.start, e.end))]
        loose = [e for e in loose if len(e)]
        titled = [t for t in (self._titled_person(doc, e) for e in ents if e.label_ == "PERSON") if t is not None]
        # "the parliament's decision": when the whole phrase names no actor, its possessor may ("the parliament")
        spans = [s for s in chunks + loose + titled + _possessors(chunks)
                 if not is_dateline_place(s) and not is_dateline_agency(s)]
        return sorted(spans, key=lambda s: (s.start, -len(s)))

    def _with_postpositive(self, doc: "Doc", chunk: "Span") -> "Span":
        """A noun chunk with the adjective that follows its last noun when the two make a role ("attorneys general",
        "secretaries general"): the parser leaves such postpositive adjectives out of the chunk."""
        if chunk.end >= len(doc):
            return chunk
        nxt, last = doc[chunk.end], doc[chunk.end - 1]
        if nxt.dep_ == "amod" and nxt.head.i == last.i and self.lexicon.role_of(f"{last.text} {nxt.text}"):
            return doc[chunk.start : chunk.end + 1]
        return chunk

    #: Lower-case words a person's title may hold between its capitalised words ("Secretary of State").
    TITLE_JOINERS = frozenset({"of", "for", "the", "'s", "’s", "and", "-"})

    def _titled_person(self, doc: "Doc", person: "Span") -> Optional["Span"]:
        """A person's name with the whole title written before it, when the parser split them ("U.S. Secretary
        of State Warren Christopher" parses as "U.S. Secretary" + "State Warren Christopher"): the capitalised
        words and title joiners right before the name, when they hold a role noun. None when there is no title."""
        k = person.start
        sent_start = doc[person.start].sent.start
        if sent_start == person.start and person.start > 0 and doc[person.start - 1].text == ")":
            sent_start = doc[person.start - 1].sent.start  # the splitter cut after "MP (Member of Parliament)"
        aside = _aside_before(doc, person.start, sent_start)  # "Green MP (Member of Parliament) Jane Doyle"
        if aside is not None:
            k = aside
        while k > sent_start and person.start - k < 8 + (person.start - aside if aside is not None else 0):
            tok = doc[k - 1]
            if tok.text[:1].isupper() or tok.lower_ in self.TITLE_JOINERS:
                k -= 1
                continue
            break
        while k < person.start and doc[k].lower_ in self.TITLE_JOINERS:
            k += 1
        if k == person.start or not any(self.lexicon.role_of(t.text) or self.lexicon.role_of(t.lemma_)
                                         for t in doc[k : person.start]):
            return None
        if aside is None and not any(t.lower_ in ("of", "for") for t in doc[k : person.start]):
            return None  # without an "of" the noun chunk already holds the whole title
        if aside is not None and aside == k:
            return None  # nothing but the parenthesis before the name
        return doc[k : person.end]

    def _split(self, doc: "Doc", chunk: "Span") -> list["Span"]:
        """Split a noun chunk at line breaks and dashes (headline/dateline run-ons), then at 'and'/commas when
        every part is an actor of its own ("Japanese Prime Minister X and South Korean President Y")."""
        out = []
        for piece in _cut(doc, chunk, lambda t: t.is_space or t.text in DASHES or "\n" in t.whitespace_):
            parts = _cut(doc, piece, lambda t: t.lower_ in ("and", "or", ",", "&"))
            if len(parts) > 1 and all(self._own_actor(p) for p in parts):
                out.extend(parts)
            else:
                out.append(piece)
        return [p for p in out if not all(t.is_punct or t.is_space for t in p)]

    def _own_actor(self, part: "Span") -> bool:
        if any(t.ent_type_ in ("PERSON", "ORG") for t in part):
            return True
        has_actor_word = any(t.ent_type_ in ACTOR_LABELS for t in part)
        return len(part) > 1 and has_actor_word and self.lexicon.role_of(part.root.text) is not None

    def _actor_like(self, span: "Span", ents: list["Span"], state: DocState) -> bool:
        root = span.root
        if self._named_thing(span, root) or self._abstract_use(span, root):
            return False
        if _within(ents, span):
            return True
        if root.pos_ == "PROPN" and root.text[:1].isupper() and name_key(root.text) in state.names:
            return True  # "Katigbak apologized" after "the firm's CEO Carlo Katigbak": a name the NER left out
        if root.lower_ in GROUP_NOUNS:
            return True
        return self.lexicon.role_of(root.text) is not None or self.lexicon.role_of(root.lemma_) is not None

    def _is_actor_word(self, tok) -> bool:
        return (tok.ent_type_ in ACTOR_LABELS or tok.lower_ in GROUP_NOUNS or self.lexicon.role_of(tok.text) is not None
                or self.lexicon.role_of(tok.lemma_) is not None)

    def _named_thing(self, span: "Span", root) -> bool:
        """The phrase names a thing after a kind of actor, not an actor: its head is a common noun that is no actor
        word and its only actor words are role nouns compounded to it ("Court packing", "the army base", "a police
        station"). A named actor so compounded stays the actor of the thing ("a UN resolution", "US mediation")."""
        if root.pos_ != "NOUN" or self._is_actor_word(root):
            return False
        modifiers = [t for t in span if t.i != root.i and t.dep_ == "compound" and t.head.i == root.i]
        others = [t for t in span if t.i != root.i and t.dep_ not in ("det", "compound", "amod", "nummod", "punct")]
        if not modifiers or others or any(self.lexicon.lookup(t.text) for t in span if t.i != root.i):
            return False
        return any(self.lexicon.role_of(t.text) or self.lexicon.role_of(t.lemma_) for t in modifiers)

    def _abstract_use(self, span: "Span", root) -> bool:
        """A role noun used in its abstract sense: singular, lower-case, with no determiner, possessor, number or
        name, and qualified by an adjective that is no actor word ("social justice", "racial justice" are no
        judges)."""
        if root.tag_ != "NN" or not root.text.islower() or self.lexicon.role_of(root.text) is None:
            return False
        kids = [t for t in root.children if span.start <= t.i < span.end]
        if any(t.dep_ in ("det", "poss", "nummod", "compound") for t in kids):
            return False
        adjectives = [t for t in kids if t.dep_ == "amod"]
        return bool(adjectives) and not any(self._is_actor_word(t) or self.lexicon.lookup(t.text) for t in adjectives)

    def _possessed_thing(self, span: "Span") -> bool:
        """The phrase names a thing an actor owns, not an actor: its head is no actor word (no role noun, group
        noun or name) and it has a possessor ("Ruritania's proposed deal", "the minister's advice", "Ana Lind's
        resignation"). The possessor is the mention (a candidate of its own, see ``_possessors``), so that the
        words of the thing ("legislative franchise") do not code it."""
        root = span.root
        if not any(c.dep_ == "poss" and c.pos_ != "PRON" and span.start <= c.i < span.end for c in root.children):
            return False
        if root.ent_type_ in ACTOR_LABELS or root.lower_ in GROUP_NOUNS:
            return False
        return self.lexicon.role_of(root.text) is None and self.lexicon.role_of(root.lemma_) is None

    def _resolve_span(self, doc, span, date, state, consumed, ents, carried):
        """Actors of one candidate span (None when it is not actor-like), and the span finally used."""
        if not self._actor_like(span, ents, state) or self._possessed_thing(span):
            return None, span
        text = _PARENTHESIS.sub("", span.text)  # an expansion or acronym in brackets adds nothing to the code
        root = span.root
        if span[0].lower_ in ("his", "her") and root.lemma_.lower() in PERSONAL_STAFF and state.persons:
            return [referring(state.persons[-1], text)], span  # "his office said"
        actors = self.resolver.resolve_all(text, date=date, state=state, carried=_placed(carried, span))
        placed = self._national_of_last_person(doc, span, actors, state)
        if placed is not None:
            return [placed], span
        if all(a.country is None for a in actors) and not any(_international(a) for a in actors):
            actors, span = self._with_complement(doc, span, actors, date, state, consumed, carried)
        if all(a.country is None for a in actors) and any(a.role for a in actors):
            actors = self._with_patron(doc, span, actors, date, state, carried)
        if len(actors) == 1 and actors[0].role and not actors[0].country and span[0].lower_ == "the":
            # "The officers" after "two French police officers": the same noun with the same role, one country
            seen = state.by_head.get((_head_key(span.root), actors[0].role), set())
            if len(seen) == 1:
                iso = next(iter(seen))
                actors = [dataclasses.replace(actors[0], code=iso + actors[0].role, country=iso,
                                              country_source=CONTEXT)]
        persons = [e for e in _within(ents, span) if e.label_ == "PERSON"]
        if not persons and len(actors) == 1 and actors[0].name in self.lexicon.people:
            persons = [span]  # a dictionary person the NER took for something else ("Oshima" as a place)
        if persons and len(actors) == 1:
            actors = self._with_appositive(doc, span, persons[0], actors, date, state, consumed, carried)
        if persons and len(actors) == 1 and not actors[0].country and actors[0].role != "ELI":
            actors = self._with_predicate(doc, span, actors, date, state, carried)
        if len(actors) == 1 and not actors[0].code:
            named = persons[0] if persons else (span if len(span) > 1 and all(t.pos_ == "PROPN" for t in span) else None)
            if named is not None:  # the small model labels some unknown names GPE or ORG
                actors = _appositive_of(doc, span, named, actors, state)
        resolved = [a for a in actors if a.code]
        return (resolved or [Actor(text=span.text)]), span

    def _national_of_last_person(self, doc, span, actors, state) -> Optional[Actor]:
        """"The 16-year-old Swede", "the Briton": a definite singular national right after a person the article
        has not placed refers to that person, and places them (their later mentions get the country too)."""
        if len(actors) != 1 or not state.persons or not _definite(doc, span):
            return None
        if span.root.tag_ not in ("NNP", "NN", "") or span.root.text.endswith("s"):
            return None  # "the Swedes" are a people, not the person
        nation = actors[0]
        if not nation.country or nation.role or nation.country_source != TEXT or any(
                t.ent_type_ == "PERSON" for t in span):
            return None
        if not any(e.kind == "country" and e.form_kind == "people" for e in self.lexicon.lookup(span.root.text)):
            return None
        person = state.persons[-1]
        if person.country or not person.role or person.role in ("IGO", "NGO"):
            return None
        placed = dataclasses.replace(person, code=nation.country + person.role, country=nation.country,
                                     country_source=TEXT)
        state.replace_person(person, placed)
        return dataclasses.replace(placed, text=span.text)

    def _with_complement(self, doc, span, actors, date, state, consumed, carried):
        """Complete a mention without a country by the "of/from/to ..." phrase right after it
        ("officials from both governments", "a member of the Thai parliament")."""
        for prep in span.root.children:
            if prep.dep_ != "prep" or prep.lower_ not in COMPLEMENT_PREPS or prep.i != span.end:
                continue
            pobj = [c for c in prep.children if c.dep_ == "pobj"]
            if not pobj:
                break
            end = max(t.i for t in pobj[0].subtree) + 1
            if end - span.start > MAX_MENTION_TOKENS:
                break
            ext = doc[span.start : end]
            more = self.resolver.resolve_all(ext.text, date=date, state=state, carried=_placed(carried, ext))
            if any(a.country or _international(a) or (a.code and a.name and a.role == "BUS") for a in more):
                consumed.update(range(prep.i, end))
                return more, ext
            break
        return actors, span

    #: Adjectives after a role noun whose "to X" complement names the person the actors work for ("officials
    #: close to Lee", "aides loyal to the president"): X's country is theirs.
    ENTOURAGE_WORDS = frozenset({"close", "closest", "loyal", "near"})

    def _with_patron(self, doc, span, actors, date, state, carried):
        """Actors without a country followed by "close/loyal to X" take the country of person X."""
        if span.end + 2 >= len(doc) or doc[span.end].lower_ not in self.ENTOURAGE_WORDS:
            return actors
        prep = doc[span.end + 1]
        if prep.lower_ != "to":
            return actors
        pobj = [c for c in prep.children if c.dep_ == "pobj"]
        if not pobj:
            return actors
        sub = list(pobj[0].subtree)
        if sub[-1].i - sub[0].i > 6:
            return actors
        who = doc[sub[0].i : sub[-1].i + 1]
        patron = self.resolver.resolve_all(who.text, date=date, state=state, carried=_placed(carried, who))
        iso = next((a.country for a in patron if a.country and a.name), None)
        if iso is None:
            return actors
        return [dataclasses.replace(a, code=iso + (a.role or ""), country=iso, country_source=CONTEXT) for a in actors]

    def _with_appositive(self, doc, span, person, actors, date, state, consumed, carried):
        """A person's appositive ("X, a special adviser to Ishiba, ...") is part of the mention; it codes a
        person the dictionaries do not know."""
        phrases = []
        for app in span.root.children:
            if app.dep_ == "appos":
                sub = list(app.subtree)
                phrases.append(doc[sub[0].i : sub[-1].i + 1])
        if not phrases and actors[0].role and actors[0].role != "ELI" and not actors[0].country:
            phrases = [p for p in (_comma_phrase(doc, span.end),) if p is not None]
        for desc in phrases[:1]:
            consumed.update(range(desc.start, desc.end))
            if actors[0].role and actors[0].role != "ELI" and actors[0].country:
                break
            got = self._resolve_description(desc, date, state, carried)
            if actors[0].role and actors[0].role != "ELI":
                # "prosecutor X, the U.S. attorney for ...": the title gave the role, the appositive the country
                if got.country and got.country_source == TEXT:
                    return [dataclasses.replace(actors[0], code=got.country + actors[0].role, country=got.country,
                                                country_source=TEXT)]
                break
            # the appositive states the post at the time of writing ("X, the UN relief coordinator, ..."): it
            # wins over ELI (a dictionary person outside every listed post on this date)
            stated = got.role and got.role != "ELI" and (got.country or _international(got))
            if got.code and (not actors[0].role or stated):
                return [dataclasses.replace(got, text=span.text, name=actors[0].name or person.text)]
            break
        return actors

    def _resolve_description(self, desc, date, state, carried) -> Actor:
        """The actor a person's description names, without a bracketed acronym or expansion ("a lawyer of the
        Electronic Frontier Foundation (EFF)": the EFF is not South Africa's Economic Freedom Fighters)."""
        text = _PARENTHESIS.sub("", desc.text)
        placed = _placed(carried, desc) if text == desc.text else None  # the carried offsets hold for the text
        return self.resolver.resolve_all(text, date=date, state=state, carried=placed)[0]

    def _with_predicate(self, doc, span, actors, date, state, carried):
        """A person the article has not placed, subject of "to be" with a described nationality ("Jane Roe is a
        Ruritanian national"), takes the country written there, and the role
        too when the name had none."""
        root = span.root
        verb = root.head
        if root.dep_ != "nsubj" or verb.lemma_ != "be":
            return actors
        attrs = [c for c in verb.children if c.dep_ == "attr" and c.i > root.i]
        if not attrs:
            return actors
        sub = list(attrs[0].subtree)
        if sub[-1].i + 1 - sub[0].i > MAX_MENTION_TOKENS:
            return actors
        desc = doc[sub[0].i : sub[-1].i + 1]
        got = self._resolve_description(desc, date, state, carried)
        if not got.country or got.country_source != TEXT or _international(got):
            return actors
        role = actors[0].role or got.role
        return [dataclasses.replace(actors[0], code=got.country + (role or ""), country=got.country, role=role,
                                    country_source=TEXT)]

    def _remember(self, doc, span, actors, state: DocState, ents: list["Span"]) -> None:
        persons = [e for e in ents if e.label_ == "PERSON"]
        if len(persons) > 1 and self.lexicon.role_of(persons[0].text) is not None:
            persons = persons[1:]  # "Crown Prince" | "Mohammed bin Salman": the first "person" is the title
        for a in actors:
            state.note_country(a.country)
            if not persons:
                state.note_body(a)
        if not persons or len(actors) != 1:
            return
        person = persons[0]
        end = person.end
        while end < span.end and doc[end].text[:1].isupper() and not doc[end].is_punct and doc[end].ent_iob_ == "B":
            end += 1  # "Ruth" + "Amman": a capital the recognizer marked right after a given name ends the name
        person = doc[person.start : end]
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
        if title is None:  # the entity holds the title itself ("Crown Prince Mohammed bin Salman" as one PERSON)
            title = next((doc[person.start : k].text for k in range(person.end - 1, person.start, -1)
                          if self.lexicon.role_of(doc[person.start : k].text) is not None), None)
        names = [person.text] + ([actor.name] if actor.name else [])
        for name in names:
            state.note_person(actor, name, None)
        if title:
            state.note_person(actor, None, title)
            words = name_key(title).split()
            if len(words) > 1:
                state.note_person(actor, None, words[-1])


def _named_later(doc: "Doc", mentions: list[ActorMention], state: DocState) -> list[ActorMention]:
    """A personal name the article places only after its first mention ("The court was petitioned by Jane Doyle
    ... Doyle and the co-petitioners are members of parliament"): the unresolved first mention takes the actor its
    later mentions resolved to, when the words of the first are words of that person's name (codebook 2.2: a named
    person's office)."""
    out = []
    for m in mentions:
        span = doc[m.start : m.end]
        words = name_key(span.text).split()
        if m.actor.code is None and words and all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in span):
            hit = next((state.names[w] for w in reversed(words) if w in state.names), None)
            if hit is not None and hit.code and set(words) <= set(name_key(hit.name or hit.text).split()):
                m = dataclasses.replace(m, actor=referring(hit, m.actor.text))
        out.append(m)
    return out


_PARENTHESIS = re.compile(r"\s*\([^()]{1,60}\)")


def _aside_before(doc: "Doc", end: int, sent_start: int) -> Optional[int]:
    """Start of a bracketed aside of at most six words that ends right before token ``end`` ("MP (Member of
    Parliament) Jane Doyle"); None when there is none."""
    if end - 1 <= sent_start or doc[end - 1].text != ")":
        return None
    for k in range(end - 2, max(sent_start, end - 9) - 1, -1):
        if doc[k].text == "(":
            return k
        if doc[k].text in (")", ".", ";"):
            return None
    return None


#: Possessive pronouns before a role noun that make it someone else's ("his lawyer, Jan Kos," is not Kos).
OTHER_POSSESSORS = frozenset({"his", "her", "their", "its", "my", "our", "your"})
#: Determiners that open a comma-set description of a person ("X, the U.S. attorney for ..., said").
_DESCRIPTION_DETERMINERS = frozenset({"the", "a", "an"})


def _comma_phrase(doc: "Doc", start: int) -> Optional["Span"]:
    """The description set off by a comma at token ``start`` ("Hal Umber, the U.S. Attorney for the District of
    Nevada."), up to the next comma, semicolon or the sentence end, when it opens with a determiner and holds at most
    MAX_MENTION_TOKENS words; None otherwise (for names the parser did not give an appositive)."""
    if start + 2 >= len(doc) or doc[start].text != "," or doc[start + 1].lower_ not in _DESCRIPTION_DETERMINERS:
        return None
    end = start + 1
    sent_end = doc[start].sent.end
    while end < sent_end and doc[end].text not in (",", ";", ".", "(", ")") and not doc[end].is_space:
        end += 1
    if end - start - 1 > MAX_MENTION_TOKENS:
        return None
    return doc[start + 1 : end]


def _acronym_after(doc: "Doc", span: "Span") -> Optional[str]:
    """The acronym written in brackets right after a body's name ("the Telecommunications Commission (TC)"), or
    None: one upper-case word of at least two letters."""
    if span.end + 2 >= len(doc) or doc[span.end].text != "(" or doc[span.end + 2].text != ")":
        return None
    word = doc[span.end + 1].text
    return word if len(word) >= 2 and word.isalpha() and word.isupper() else None


def _head_key(token) -> str:
    """A mention's head noun for matching a later definite mention of it ("officers" = "officer")."""
    return (token.lemma_ or token.text).lower()


def _definite(doc: "Doc", span: "Span") -> bool:
    """Whether ``span`` is (the end of) a definite noun phrase: it starts with "the", or only lower-case words,
    numbers and hyphens lie between it and a "the" before it ("the sixteen-year-old" + "Swede", in a sentence the
    parser did not see)."""
    if span[0].lower_ == "the":
        return True
    k = span.start - 1
    start = doc[span.start].sent.start
    while k >= start and span.start - k <= 6 and doc[k].lower_ != "the" and (
            doc[k].is_lower or doc[k].like_num or doc[k].text == "-"):
        k -= 1
    return k >= start and doc[k].lower_ == "the"


def _appositive_of(doc: "Doc", span: "Span", person: "Span", actors: list[Actor], state: DocState) -> list[Actor]:
    """A person the dictionaries do not know, written as the appositive of a role phrase ("the city's mayor,
    Ann Dorrow, said"; "Ruritania's police chief, Jan Kos"), is the actor that phrase codes (with the person's
    name). Unchanged when the name is not such an appositive or the phrase names no role or another named actor."""
    root = person.root
    if root.dep_ == "appos" and span.start <= root.i < span.end and root.head.i < span.start:
        if not any(t.text == "," for t in doc[root.head.i : person.start]):
            return actors
        noun = root.head.i
    elif (len(person) > 1 and person.start >= 2 and doc[person.start - 1].text == ","
          and doc[person.start - 2].pos_ == "NOUN"
          and (person.end == len(doc) or doc[person.end].text in (",", ")"))):
        noun = person.start - 2  # "the city's mayor, Ann Dorrow, ..." that the parser did not join
    else:
        return actors
    if doc[noun].tag_ in ("NNS", "NNPS") or doc[noun].left_edge.lower_ in OTHER_POSSESSORS:
        return actors  # "via his lawyers, Jan Kos,": the name is not the lawyers
    head = state.at_token.get(noun)
    if head is None or not head.role or head.name or not head.code or head.role in ("ELI", "CVL"):
        return actors
    return [dataclasses.replace(head, text=actors[0].text, name=person.text)]


def _possessors(chunks: list["Span"]) -> list["Span"]:
    """The possessor phrases of noun chunks ("the parliament" of "the parliament's decision", "Ruritania" of
    "Ruritania's new policy"), without the possessive ending; personal pronouns ("its", "their") are left out. They
    are candidates of their own, tried after the whole chunk (which wins when it names an actor itself)."""
    out = []
    for chunk in chunks:
        for poss in chunk.root.children:
            if poss.dep_ != "poss" or poss.pos_ == "PRON" or poss.i < chunk.start or poss.i >= chunk.end:
                continue
            start = max(poss.left_edge.i, chunk.start)
            if start <= poss.i:
                out.append(chunk.doc[start : poss.i + 1])
    return out


def _trim(doc: "Doc", span: "Span") -> "Span":
    """An entity without trailing function words: the small model sometimes ends an ORG on a preposition
    ("the Bank of" | "Greece"); trimmed, the "of ..." complement is added back by the usual rule."""
    end = span.end
    while end > span.start and doc[end - 1].pos_ in ("ADP", "DET", "CCONJ", "PUNCT"):
        end -= 1
    return doc[span.start : end]


def _placed(carried: Optional[RulerMatches], span: "Span") -> Optional[RulerMatches]:
    """The recognizer's matches placed at ``span`` (whose text the resolver gets), or None."""
    return None if carried is None else carried.shifted(span.start_char)


def _within(ents: list["Span"], span: "Span") -> list["Span"]:
    """The entities of ``ents`` that lie inside ``span``."""
    return [e for e in ents if e.start >= span.start and e.end <= span.end]


def _international(actor: Actor) -> bool:
    return (actor.code or "").startswith(("IGO", "NGO"))


def _cut(doc: "Doc", span: "Span", is_cut) -> list["Span"]:
    """Parts of ``span`` between tokens for which ``is_cut`` holds (the cut tokens are dropped)."""
    parts, start = [], span.start
    for tok in span:
        if is_cut(tok):
            end = tok.i + 1 if "\n" in tok.whitespace_ and not tok.is_space and tok.text not in DASHES else tok.i
            if end > start:
                parts.append(doc[start:end])
            start = tok.i + 1
    if start < span.end:
        parts.append(doc[start : span.end])
    return parts
