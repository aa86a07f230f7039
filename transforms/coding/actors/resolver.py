"""Mention text -> Actor(s), by general rules over the actor dictionaries.

A mention is split at its first free preposition into a *head part* ("Russia's ambassador") and a
*complement* ("to Poland"). In the head part, dictionary forms and role nouns are found longest-first; the
right-most role noun names the sector (English noun phrases are head-final: "Pakistani Army general" -> MIL),
member nouns ("official", "spokesman", "force") take the sector of what precedes them ("CIA official" -> SPY),
and "former"/"retired" turn the role into ELI. Country comes from the head part, else from the complement,
else from the caller's context. Known people get the post they held on the date (people.tsv).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Optional

from transforms.coding.actors.lexicon import (
    TITLE,
    ActorLexicon,
    Entry,
    Person,
    RoleWord,
    family_names,
    is_igo_code,
)
from transforms.coding.model import CONTEXT, DICTIONARY, TEXT, Actor
from transforms.coding.text import name_key

_TOKEN = re.compile(r"\w+(?:[.’'&-]\w+)*\.?|[^\w\s]", re.UNICODE)
_POSSESSIVE = re.compile(r"^(.+?)(['’]s)$")
#: "then-", "now-" before a capitalised title or place ("then-New York mayor"): a word of its own, not part of the name.
_TIME_PREFIX = re.compile(r"^(then|now)-(?=[A-Z])", re.IGNORECASE)
_AFFIX = re.compile(r"^(.+?)(-(?:based|led|born|owned|run|made|backed|allied|aligned|sponsored|supported))$", re.IGNORECASE)
#: Suffixes after which a country is the patron, not the actor's own ("Iran-backed militias").
PATRON_SUFFIXES = frozenset({"-backed", "-allied", "-aligned", "-sponsored", "-supported"})

DETERMINERS = frozenset(
    "the a an this that these those some several many few most all both each every any another other "
    "two three four five six seven eight nine ten dozen dozens hundreds thousands scores over about nearly "
    "more than around at least one its their his her our my your current new top senior".split()
)
PRONOUNS = frozenset(
    "he she they it him her them we us i you his hers its their theirs who whom which someone somebody anyone "
    "everyone everybody nobody himself herself themselves itself".split()
)
PREPOSITIONS = frozenset(
    "of to at in from for with on near inside under over between against within by across outside toward "
    "towards among".split()
)
CONJUNCTIONS = frozenset({"and", ",", "&", "or"})
#: Prepositions after which a capital is the place where something is, not its government ("a store in Canberra").
LOCATIVE_PREPOSITIONS = frozenset({"in", "at", "near", "inside", "outside", "across"})
#: Nouns that, after "the two"/"both", refer to the last two countries of the document.
GROUP_NOUNS = {
    "countries": None, "nations": None, "neighbors": None, "neighbours": None, "sides": None, "states": None,
    "allies": None, "parties": None, "governments": "GOV", "capitals": "GOV", "administrations": "GOV",
    "leaders": "PERSON", "presidents": "PERSON", "heads": "PERSON", "ministers": "PERSON",
    "militaries": "MIL", "armies": "MIL", "parliaments": "LEG",
}
_GROUP = re.compile(
    r"\b(?:the two|both(?: the)?|the 2)\s+(?:\w+\s+){0,2}?(" + "|".join(GROUP_NOUNS) + r")\b", re.IGNORECASE
)


#: Capitalised words that, after a place name, make a newspaper's title ("The Japan Times", "Bangkok Post").
NEWSPAPER_WORDS = frozenset(
    "Times Post Herald Tribune Bulletin Gazette Journal Chronicle Standard Observer Express Inquirer Courier "
    "Guardian Telegraph Mail Star Sun Daily Independent Monitor Mirror Dispatch".split()
)
#: Role nouns naming bodies, which no personal name ends with ("Jonathan Fisher" is a person, "the Telecommunications
#: Commission" a body).
INSTITUTION_NOUNS = frozenset(
    "commission commissions ministry ministries council agency authority department court tribunal parliament "
    "assembly committee bureau directorate army navy police party government administration".split()
)
#: Business titles that keep the sector of a media body before them ("the network's CEO" of a broadcaster -> MED).
EXECUTIVE_NOUNS = frozenset({
    "ceo", "ceos", "chief executive", "chief executives", "chief executive officer", "managing director",
    "chairman", "chairwoman", "owner", "owners",
})
#: Plain "people" nouns that do not override a sector word before them ("displaced Sudanese families" -> REF).
GENERIC_PEOPLE = frozenset("people persons families family men women children individuals population".split())
#: Lower-case words inside personal names ("Abdel Fattah el-Sisi", "Mohammed bin Salman", "Ursula von der Leyen").
NAME_PARTICLES = frozenset(
    "al el ad as ash bin ibn bint abu de da do dos das del della di du van von der den ter le la".split()
)
#: Name suffixes telling a son from his father ("Ferdinand Marcos Jr."): a full name without it is not the son.
GENERATION_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_ARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|as|ash|at|an|ar|az)-\w", re.IGNORECASE)


def referring(actor: Actor, text: str) -> Actor:
    """An earlier actor referred to by ``text`` ("Lee", "the president"): its country comes from the context."""
    return dataclasses.replace(actor, text=text, country_source=CONTEXT if actor.country else None)


@dataclasses.dataclass
class MentionToken:
    """A word of a mention's text with its character offsets [start, end) (the resolver's own split, not spaCy's)."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def _shifted(tokens: list[MentionToken], by: int) -> list[MentionToken]:
    return [MentionToken(t.text, t.start + by, t.end + by) for t in tokens]


def tokenize(text: str) -> list[MentionToken]:
    """Split a mention into tokens (possessive 's and -based/-led suffixes split off)."""
    out: list[MentionToken] = []
    for m in _TOKEN.finditer(text):
        s, e, t = m.start(), m.end(), m.group()
        pm = _POSSESSIVE.match(t)
        am = _AFFIX.match(t)
        tm = _TIME_PREFIX.match(t)
        if tm:  # "then-New Jersey Governor": the post held then, named by the words after the hyphen
            out.append(MentionToken(text[s : s + len(tm.group(1))], s, s + len(tm.group(1))))
            out += _shifted(tokenize(t[len(tm.group(0)):]), s + len(tm.group(0)))
        elif pm and len(pm.group(1)) > 1:
            cut = s + len(pm.group(1))
            out += [MentionToken(text[s:cut], s, cut), MentionToken(text[cut:e], cut, e)]
        elif am:
            cut = s + len(am.group(1))
            out += [MentionToken(text[s:cut], s, cut), MentionToken(text[cut:e], cut, e)]
        else:
            out.append(MentionToken(t, s, e))
    return out


#: Kinds of :func:`probe` results.
FORM, ROLE = "form", "role"
#: What a span of text is in the dictionaries: (FORM, entries) or (ROLE, role noun); None when neither.
Probe = Optional[tuple[str, object]]
#: A span :class:`RulerMatches` holds nothing for.
NOT_CARRIED = object()


def probe(lex: ActorLexicon, span: str) -> Probe:
    """What ``span`` is in the dictionaries: its forms (a dictionary form wins), else its role noun, else None."""
    entries = lex.lookup(span)
    if entries:
        return FORM, tuple(entries)
    word = lex.role_of(span)
    return None if word is None else (ROLE, word)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RulerMatches:
    """The recognizer's dictionary matches in one document, passed on to the resolver so that it does not look
    them up again.

    probes: For the first character of each match (an offset in ``doc.text``): the character offset where a span
        from there ends -> its :func:`probe`. The recognizer gives each match's own span (its dictionary entries);
        the resolver's scan, which prefers a longer form or role noun starting there, adds the longer spans it
        probes, so that the next mention of the document holding the match takes the whole decision from here.
    lexicon: The lexicon the probes were made with (a resolver with another one must not use them).
    offset: Where in ``doc.text`` the text being resolved starts (see :meth:`shifted`).
    """

    probes: dict[int, dict[int, Probe]]
    lexicon: ActorLexicon = dataclasses.field(repr=False, compare=False)
    offset: int = 0

    def shifted(self, by: int) -> "RulerMatches":
        """These matches for a text starting ``by`` characters after the current one."""
        return dataclasses.replace(self, offset=self.offset + by)

    def starting_at(self, start: int) -> Optional["CarriedSpans"]:
        """The carried spans starting at character ``start`` of the current text, or None when no match does."""
        ends = self.probes.get(self.offset + start)
        return None if ends is None else CarriedSpans(ends=ends, offset=self.offset)


@dataclasses.dataclass(frozen=True, kw_only=True)
class CarriedSpans:
    """The spans of one :class:`RulerMatches` start, seen from the text being resolved."""

    ends: dict[int, Probe]
    offset: int

    def probe(self, lex: ActorLexicon, text: str, start: int, end: int) -> Probe:
        """:func:`probe` of ``text[start:end]``: carried, or looked up once and carried from then on."""
        key = self.offset + end
        found = self.ends.get(key, NOT_CARRIED)
        if found is NOT_CARRIED:
            found = self.ends[key] = probe(lex, text[start:end])
        return found


def _name_particle(toks: list["MentionToken"], j: int, covered: set[int]) -> bool:
    """Whether lower-case token ``j`` continues a capitalised name: an article glued to the next name part
    ("el-Sisi") or a particle followed by a capitalised word ("bin Salman", "von der Leyen")."""
    text = toks[j].text
    if _ARTICLE_PREFIX.match(text) and text.split("-", 1)[1][:1].isupper():
        return True
    k = j
    while k < len(toks) and k not in covered and toks[k].text in NAME_PARTICLES:
        k += 1
    return k > j and k < len(toks) and k not in covered and toks[k].text[:1].isupper()


@dataclasses.dataclass
class DictionaryHit:
    """A dictionary hit inside a mention: tokens [start, end) and what they are."""

    start: int
    end: int
    kind: str  # "form" | "role" | "person" | "coref" | "name"
    entry: Optional[Entry] = None
    word: Optional[RoleWord] = None
    person: Optional[Person] = None
    actor: Optional[Actor] = None
    text: str = ""


@dataclasses.dataclass
class DocState:
    """What a document has said so far, for coreference inside it."""

    names: dict[str, Actor] = dataclasses.field(default_factory=dict)  # name token -> actor it refers to
    named: dict[str, list[Actor]] = dataclasses.field(default_factory=dict)  # name token -> distinct people
    titles: dict[str, Actor] = dataclasses.field(default_factory=dict)  # "president" -> last president
    countries: list[str] = dataclasses.field(default_factory=list)  # most recent last, no repeats
    persons: list[Actor] = dataclasses.field(default_factory=list)  # most recent last, no repeats
    bodies: list[Actor] = dataclasses.field(default_factory=list)  # international bodies, most recent last
    #: token index -> the actor of the mention covering it (for appositives: "the city's mayor, Ann Dorrow")
    at_token: dict[int, Actor] = dataclasses.field(default_factory=dict)
    #: (head noun lemma, role) -> countries of the mentions with that head and role ("officers", COP -> {FRA})
    by_head: dict[tuple[str, str], set[str]] = dataclasses.field(default_factory=dict)

    def note_body(self, actor: Actor) -> None:
        if (actor.code or "").startswith("IGO"):
            self.bodies = [b for b in self.bodies if b.code != actor.code] + [actor]

    def note_country(self, iso3: Optional[str]) -> None:
        if iso3:
            if iso3 in self.countries:
                self.countries.remove(iso3)
            self.countries.append(iso3)

    def note_acronym(self, actor: Actor, acronym: str) -> None:
        """``acronym`` stands for ``actor`` from now on ("the Telecommunications Commission (TC) ... the TC")."""
        self.names[name_key(acronym)] = actor

    def replace_person(self, old: Actor, new: Actor) -> None:
        """Every reference to person ``old`` refers to ``new`` from now on (the article placed them later)."""
        self.names = {k: (new if a is old else a) for k, a in self.names.items()}
        self.named = {k: [new if a is old else a for a in people] for k, people in self.named.items()}
        self.titles = {k: (new if a is old else a) for k, a in self.titles.items()}
        self.persons = [new if a is old else a for a in self.persons]

    def note_person(self, actor: Actor, name: Optional[str], title: Optional[str]) -> None:
        if name:
            for tok in family_names(name, actor.country):
                people = self.named.setdefault(tok, [])
                same = [k for k, p in enumerate(people) if p.name == actor.name or p.text == actor.text]
                if same:
                    people[same[0]] = actor
                else:
                    people.append(actor)
                # A family name shared by several people of the article ("Donald Trump" and "Eric Trump") refers
                # to the first, dictionary-known one (news names relatives in full), else to no one.
                known = [p for p in people if p.code and p.name]
                if len(people) == 1:
                    self.names[tok] = people[0]
                elif known and known[0] is people[0]:
                    self.names[tok] = people[0]
                else:
                    self.names.pop(tok, None)
        if title:
            self.titles[name_key(title)] = actor
        self.persons = [p for p in self.persons if p.name != actor.name] + [actor]


@dataclasses.dataclass
class _Parse:
    """What the head part of a mention says."""

    role: Optional[str] = None
    role_from: Optional[DictionaryHit] = None
    member_default: bool = False
    countries: list[tuple[str, DictionaryHit]] = dataclasses.field(default_factory=list)
    org: Optional[Entry] = None
    igo: Optional[Entry] = None
    person: Optional[DictionaryHit] = None
    name_run: Optional[DictionaryHit] = None
    inherited: bool = False  # a member noun took the sector of what precedes it ("WHO chief")
    eli: bool = False
    title: Optional[str] = None
    multi: bool = False
    newspaper: bool = False


class ActorResolver:
    """Resolves mention text to actors using an :class:`ActorLexicon`."""

    def __init__(self, lexicon: ActorLexicon) -> None:
        self.lex = lexicon
        self._role_first_words = {key.split()[0] for key in lexicon.roles}
        self._person_tokens = {
            name: set(name_key(name).split()) for name in lexicon.people
        }
        for key, entries in lexicon.forms.items():
            for e in entries:
                if e.kind == "person":
                    self._person_tokens.setdefault(e.name, set()).update(key.split())

    # -- public ----------------------------------------------------------------------------------------
    def resolve_all(
        self,
        text: str,
        *,
        date: dt.date,
        context: Optional[str] = None,
        state: Optional[DocState] = None,
        carried: Optional["RulerMatches"] = None,
    ) -> list[Actor]:
        """All actors a mention denotes (several for "Japan and South Korea" or "both governments").

        text: The mention.
        date: Date used for dated people.
        context: Optional text giving a country when the mention has none ("Mexico", "Colombian defense").
        state: Optional document state for coreference (updated by the caller, not here).
        carried: The recognizer's matches of the document ``text`` was cut from, placed at ``text``
            (``ruler_matches(doc).shifted(span.start_char)``); None for text that is no slice of a parsed Doc.
        Returns one unresolved Actor (code None) when nothing is recognised.
        """
        actors = self._resolve(text, date, state, depth=0, carried=carried)
        if context and actors and all(a.country is None for a in actors) and not any(
            a.code and a.code.startswith(("IGO", "NGO")) for a in actors
        ):
            ctx = [a.country for a in self._resolve(context, date, state, depth=1, carried=None) if a.country]
            if ctx:
                actors = [self._with_country(a, ctx[0]) for a in actors]
        return actors

    # -- internals -------------------------------------------------------------------------------------
    @staticmethod
    def _with_country(actor: Actor, iso3: str) -> Actor:
        if actor.code is None and actor.name is None:
            return dataclasses.replace(actor, code=iso3, country=iso3, country_source=CONTEXT)
        role = actor.role or ""
        return dataclasses.replace(actor, code=iso3 + role, country=iso3, country_source=CONTEXT)

    def _resolve(
        self, text: str, date: dt.date, state: Optional[DocState], depth: int, carried: Optional["RulerMatches"]
    ) -> list[Actor]:
        toks = tokenize(text)
        kept = [t for t in toks if t.text not in ("'s", "’s", "'", "’")]
        words = [t.lower for t in kept]
        content = [
            t.lower for t in kept
            if t.lower not in DETERMINERS and re.search(r"\w", t.text)
            and (t.lower not in PRONOUNS or (t.text.isupper() and len(t.text) > 1))
        ]
        if not content:
            return [Actor(text=text)]
        if state is not None:
            group = self._group(text, state)
            if group is not None:
                return [dataclasses.replace(a, text=text, country_source=CONTEXT) for a in group]
            if words[0] == "the" and content in (["alliance"], ["bloc"], ["organisation"], ["organization"]):
                if state.bodies:  # "the alliance" -> the international body mentioned last
                    return [dataclasses.replace(state.bodies[-1], text=text)]
            definite = words[0] in ("the", "his", "her", "their", "its") or words[0] not in DETERMINERS
            if definite and (words[0] in ("the", "his", "her", "their", "its") or len(words) <= 2):
                key = name_key(" ".join(content))
                if key in state.titles:
                    return [referring(state.titles[key], text)]
        matches = self._scan(text, toks, state, date, carried, complement=depth > 0)
        return self._assemble(text, toks, matches, date, state, depth, carried)

    def _group(self, text: str, state: DocState) -> Optional[list[Actor]]:
        m = _GROUP.search(text)
        if not m:
            return None
        kind = GROUP_NOUNS[m.group(1).lower()]
        if kind == "PERSON":
            people = state.persons[-2:]
            if len(people) == 2 and people[0].country != people[1].country:
                return list(people)
            kind = "GOV"
        pair = state.countries[-2:]
        if len(pair) < 2:
            return None
        names = self.lex.country_names
        return [
            Actor(text=text, code=c + (kind or ""), country=c, role=kind, name=names.get(c, c) if not kind else None)
            for c in pair
        ]

    def _scan(
        self, text: str, toks: list[MentionToken], state: Optional[DocState], date: dt.date,
        carried: Optional["RulerMatches"], complement: bool = False,
    ) -> list[DictionaryHit]:
        """Dictionary forms and role nouns of a mention, longest first at each token; where the recognizer's
        matches (``carried``) already tell what a span is, that is used instead of looking it up again."""
        lex = self.lex
        matches: list[DictionaryHit] = []
        i = 0
        n = len(toks)
        while i < n:
            best: Optional[DictionaryHit] = None
            here = None if carried is None else carried.starting_at(toks[i].start)
            for j in range(min(n, i + lex.MAX_FORM_TOKENS), i, -1):
                span = text[toks[i].start : toks[j - 1].end]
                found = probe(lex, span) if here is None else here.probe(lex, text, toks[i].start, toks[j - 1].end)
                if found is not None:
                    kind, what = found
                    if kind == FORM:
                        best = self._form_match(i, j, [e.on(date) for e in what], span)
                    else:
                        best = DictionaryHit(i, j, "role", word=what, text=span)
                    break
            if best is not None and best.kind == "role" and self._surname_like(toks, i, best.end, matches):
                best = None  # "Jonathan Fisher", "Zabiullah Mujahid": a name, not a fisher or a mujahid
            if best is None and toks[i].text.islower():
                word = lex.misspelt_role(toks[i].text)  # "white supremicists"
                if word is not None:
                    best = DictionaryHit(i, i + 1, "role", word=word, text=toks[i].text)
            if (best is None and state is not None and toks[i].text[:1].isupper()
                    and not self._inside_name(toks, i, matches)):
                actor = state.names.get(name_key(toks[i].text))
                if actor is not None:
                    best = DictionaryHit(i, i + 1, "coref", actor=actor, text=toks[i].text)
            if (best is not None and best.kind == "form" and best.entry.kind == "country"
                    and best.entry.form_kind in ("capital", "region", "city") and best.end - i == 1
                    and state is not None and name_key(toks[i].text) in state.names
                    and not self._inside_name(toks, i, matches) and not (complement and i == 0)
                    and (i == 0 or toks[i - 1].lower not in PREPOSITIONS)):
                # "Amman said" after "Ruth Amman": the person the article named, not the capital
                best = DictionaryHit(i, i + 1, "coref", actor=state.names[name_key(toks[i].text)], text=toks[i].text)
            if best is not None and best.kind == "form" and best.entry.form_kind in ("capital", "region") \
                    and best.end - i == 1 and not (matches and matches[-1].end == i):
                before = toks[i - 1].text if i > 0 else ""
                after = toks[best.end].text if best.end < n else ""
                # "Ruth Amman": a capital or region right after an unknown given name is part of a personal name
                if (before[:1].isupper() and before.lower() not in DETERMINERS and not TITLE.match(before)
                        and not before.isupper() and not lex.lookup(before) and lex.role_of(before) is None
                        and not after[:1].isupper()):
                    best = None
                elif (best.entry.form_kind == "capital" and after[:1].isupper() and not after.isupper()
                      and after not in NEWSPAPER_WORDS and after.lower() not in self._role_first_words
                      and not lex.lookup(after)):
                    best = None  # "Victoria Park", "Lima Square": a place named after a capital
            if (best is not None and best.kind == "form" and best.entry.kind == "country" and best.end < n
                    and (toks[best.end].text in ("War", "Wars")
                         or toks[best.end].lower in ("war", "wars") and best.entry.form_kind == "name")):
                best = None  # "an Iraq War veteran", "the Korean War": a war named after a country is not it
            if (best is not None and best.kind == "form" and best.entry.form_kind == "capital"
                    and re.match(r"(?:St\.?|Saint)[ -]", best.text) and best.end < n
                    and toks[best.end].text[:1].isupper() and not self._possessive_end(toks, best.end)):
                best = None  # "St. John's Episcopal Church", "St. George's Hospital": named after the saint
            if (best is not None and best.kind == "form" and best.entry.kind == "org" and best.end - i == 1
                    and best.entry.country is None and best.entry.code == best.entry.role and i > 0
                    and not (matches and matches[-1].end == i)):
                before = toks[i - 1].text
                if before[:1].isupper() and before.lower() not in DETERMINERS and not lex.lookup(before):
                    best = None  # "Opera House": a one-word body ("House") ending another name is that name
            if best is not None and best.kind == "form" and best.entry.form_kind == "city":
                before = toks[i - 1].text if i > 0 else ""
                after = toks[best.end].text if best.end < n else ""
                after_is_role = after.lower() in self._role_first_words
                if (before[:1].isupper() and before.lower() not in DETERMINERS) or (
                    after[:1].isupper() and not after_is_role
                ):
                    best = None
            if best is not None:
                matches.append(best)
                i = best.end
            else:
                i += 1
        return self._name_runs(text, toks, matches, state, date)

    @staticmethod
    def _possessive_end(toks: list[MentionToken], k: int) -> bool:
        """Whether token ``k`` is a possessive ending ("'s")."""
        return toks[k].text in ("'s", "’s", "'", "’")

    @staticmethod
    def _inside_name(toks: list[MentionToken], i: int, matches: list[DictionaryHit]) -> bool:
        """Whether token i continues a longer personal name ("Eric Trump", "Hamza bin Laden"): right after an
        unmatched capitalised word or a name particle; such a token refers to no earlier person by itself."""
        if i == 0 or (matches and matches[-1].end == i):
            return False
        prev = toks[i - 1].text
        if prev in NAME_PARTICLES:
            return True
        return (prev[:1].isupper() and not prev.isupper() and prev.lower() not in DETERMINERS
                and not TITLE.match(prev) and not prev.endswith((".", "'s", "’s")))

    @staticmethod
    def _surname_like(toks: list[MentionToken], i: int, j: int, matches: list[DictionaryHit]) -> bool:
        """Whether the one-word role noun toks[i] is rather the last part of a personal name: capitalised, right
        after a capitalised word that matched nothing (a given name) and that is no group adjective ("Kurdish",
        "Islamist", "Shiite"), and not followed by another capitalised word."""
        word, prev = toks[i].text, toks[i - 1].text if i > 0 else ""
        if word.lower() in INSTITUTION_NOUNS:
            return False  # "the Telecommunications Commission", "the Supreme Council": a body, never a surname
        if j != i + 1 or not word[:1].isupper() or word.isupper() or not prev[:1].isupper() or prev.isupper():
            return False
        if matches and matches[-1].end == i or prev.lower() in DETERMINERS:
            return False
        if re.search(r"(?:ish|ist|ite|ic|ese|ian)$", prev.lower()):
            return False
        following = toks[j].text if j < len(toks) else ""
        # "Martin Luther King Jr.": a generation suffix continues the name, it does not start another
        return not following[:1].isupper() or name_key(following) in GENERATION_SUFFIXES

    @staticmethod
    def _form_match(i: int, j: int, entries: list[Entry], span: str) -> DictionaryHit:
        order = {"org": 0, "person": 1, "country": 2}
        kinds = {"name": 0, "adj": 1, "people": 2, "seat": 3, "capital": 4, "region": 5}
        # An organisation beats a person beats a country; a country's name beats the same-spelled capital
        # ("Singapore", "East Jerusalem").
        entry = min(entries, key=lambda e: (order.get(e.kind, 3), kinds.get(e.form_kind, 6)))
        return DictionaryHit(i, j, "form", entry=entry, text=span)

    def _name_runs(
        self, text: str, toks: list[MentionToken], matches: list[DictionaryHit], state: Optional[DocState], date: dt.date
    ) -> list[DictionaryHit]:
        """Turn runs of unmatched capitalised tokens into people (dictionary, document) or unknown names."""
        covered = set()
        for m in matches:
            covered.update(range(m.start, m.end))
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(toks):
            t = toks[i].text
            # "No doctor": a sentence-initial "No" before a common noun is no name (nor North Korea's No Kwang-chol)
            lone_no = t.lower() == "no" and not (i + 1 < len(toks) and toks[i + 1].text[:1].isupper())
            if (i not in covered and t[:1].isupper() and t.lower() not in DETERMINERS | PRONOUNS | PREPOSITIONS
                    and not lone_no):
                j = i
                while j < len(toks) and j not in covered and (
                    toks[j].text[:1].isupper() or _name_particle(toks, j, covered)
                ):
                    j += 1
                runs.append((i, j))
                i = j
            else:
                i += 1
        out = list(matches)
        for i, j in runs:
            span = text[toks[i].start : toks[j - 1].end]
            keys = [name_key(toks[k].text) for k in range(i, j)]
            if state is not None:
                hit = next((state.names[k] for k in reversed(keys) if k in state.names), None)
                # "Hamza bin Laden" after "Osama bin Laden": another given name is another person
                if hit is not None and len(keys) > 1:
                    own = set(name_key(" ".join(x for x in (hit.name, hit.text) if x)).split())
                    if any(k not in own and k not in NAME_PARTICLES for k in keys):
                        hit = None
                if hit is not None:
                    out.append(DictionaryHit(i, j, "coref", actor=hit, text=span))
                    continue
            title = next((m.text for m in matches if m.end == i and m.kind == "role"), None)
            # A lone surname is only trusted after a title ("President Duterte"), before a role noun
            # ("the Bush administration") or as the whole mention.
            role_after = any(m.start == j and (m.kind == "role" or (m.entry and m.entry.role)) for m in matches)
            alone = j - i == 1 and not title and not role_after and len(toks) > 1
            stated = {m.entry.country for m in matches if m.kind == "form" and m.entry.kind == "country"}
            person = None if alone else self._pick_person(keys, date, title, stated=stated)
            typo = self._misspelt_country(span) if j == i + 1 else None
            variant = None if person is not None or typo is not None or alone else self.lex.fuzzy(span)
            if toks[j - 1].text in ("War", "Wars") or (j < len(toks) and toks[j].text in ("War", "Wars")):
                person, typo, variant = None, None, None  # "Korean War": the name of a war, nobody's name
            if variant and stated and variant[0].country not in stated:
                variant = None  # "Kyrgyz Prime Minister X": not a look-alike name of another country
            if person is not None:
                out.append(DictionaryHit(i, j, "person", person=person, text=span))
            elif typo is not None:
                out.append(DictionaryHit(i, j, "form", entry=typo, text=span))
            elif variant:  # a transliteration variant of a known name ("Moamer Kadhafi", "Kassem Soleimani")
                out.append(DictionaryHit(i, j, "form", entry=variant[0].on(date), text=span))
            else:
                out.append(DictionaryHit(i, j, "name", text=span))
        return sorted(out, key=lambda m: m.start)

    def _misspelt_country(self, word: str) -> Optional[Entry]:
        """A country form with one slip: two adjacent letters swapped ("Kazahks", "Dehli") in names,
        demonyms and capitals of 5+ letters, or one letter missing or extra ("Afganistan", "Quatar") in
        country names of 6+ letters. The first letter must be right."""
        if len(word) < 5 or not word.isalpha():
            return None
        kinds = ("name", "adj", "people", "capital")
        variants = [word[:k] + word[k + 1] + word[k] + word[k + 2 :] for k in range(1, len(word) - 1)]
        for variant in variants:
            for e in self.lex.lookup(variant):
                if e.kind == "country" and e.form_kind in kinds:
                    return e
        if len(word) >= 6:
            key = name_key(word)
            for k in range(1, len(key)):  # one letter extra in the text
                e = self._country_name(key[:k] + key[k + 1 :], word)
                if e is not None:
                    return e
            for k in range(1, len(key) + 1):  # one letter missing in the text
                for letter in "abcdefghijklmnopqrstuvwxyz":
                    e = self._country_name(key[:k] + letter + key[k:], word)
                    if e is not None:
                        return e
        return None

    def _country_name(self, key: str, written: str) -> Optional[Entry]:
        if len(key) < 5:
            return None
        for e in self.lex.forms.get(key, ()):
            if e.kind == "country" and e.form_kind == "name" and written[:1].isupper():
                return e
        return None

    def _pick_person(
        self, keys: list[str], date: dt.date, title: Optional[str] = None, *, stated: frozenset = frozenset()
    ) -> Optional[Person]:
        """The dictionary person a written name refers to, or None when unknown or ambiguous.

        keys: Normalised name tokens ("g", "w", "bush").
        date: Date of the text (a person in office then is preferred).
        title: Title written before the name, if any ("President").
        stated: Countries written in the mention ("Jordan's King Abdullah"): people of those countries win.
        """
        keys = [k for k in keys if k]
        suffixes = GENERATION_SUFFIXES.intersection(keys)
        keys = [k for k in keys if k not in GENERATION_SUFFIXES]  # the suffix is checked apart (below)
        if not keys:
            return None  # "Jr." alone names no one
        candidates: set[str] = set()
        for k in (keys[-1], keys[0]):
            candidates |= self.lex.surnames.get(k, set())
        if not candidates and len(keys) >= 2:  # the lower tier only for full names it alone knows
            for k in (keys[-1], keys[0]):
                for p in self.lex.lower_people(k):
                    candidates.add(p.name)
                    self._person_tokens.setdefault(p.name, set(name_key(p.name).split()))
        scored = []
        for name in candidates:
            ptoks = self._person_tokens.get(name, set())
            hits = [k in ptoks or (len(k) == 1 and any(p.startswith(k) for p in ptoks)) for k in keys]
            matched = sum(hits)
            if matched < min(2, len(keys)):
                continue
            if not (hits[0] and hits[-1]):
                continue  # "Hamza bin Laden" is not Osama bin Laden: the first and last written names must match
            if (ptoks & GENERATION_SUFFIXES) != suffixes and len(keys) > 1:
                continue  # "Ferdinand Marcos" is the father, not Ferdinand Marcos Jr.: the same suffix must be written
            person = self.lex.people[name]
            in_office = any(p.holds_on(date) for p in person.all_posts())
            titled = bool(title) and any(name_key(title) == name_key(p.title) for p in person.posts)
            scored.append(((matched, titled, in_office), person.last_end(), person))
        if not scored:
            return None
        if stated and any(x[2].country in stated for x in scored):
            scored = [x for x in scored if x[2].country in stated]  # "Jordan's King Abdullah" is Jordan's
        scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
        top = [x for x in scored if x[0] == scored[0][0]]
        # Same evidence for people of different countries, or for several people in office ("Kim" alone):
        # too ambiguous to pick one. Otherwise the most recent wins ("Bush" -> George W. Bush).
        if len({x[2].country for x in top}) > 1 or (len(top) > 1 and top[0][0][2]):
            return None
        return scored[0][2]

    def _parse_head(self, toks: list[MentionToken], matches: list[DictionaryHit]) -> _Parse:
        p = _Parse()
        prev_end = None
        for m in matches:
            if m.kind == "role":
                w = m.word
                if w.type == "modifier":
                    p.eli = True
                elif w.type == "head":
                    if w.role == "MED" and p.role == "GOV":
                        continue  # "official newspaper", "state television": state media are the government
                    if w.role == "BUS" and p.role == "MED" and name_key(m.text) in EXECUTIVE_NOUNS:
                        continue  # "BBC chief executive": the head of a media body is media, not business
                    if name_key(m.text) in GENERIC_PEOPLE and p.role is not None and p.role_from is not None:
                        continue  # "displaced Sudanese families", "army men": the earlier word is the sector
                    p.role, p.role_from, p.member_default = w.role, m, False
                    p.title = m.text
                else:  # member
                    # A plain CVL word before a member noun is a modifier ("public health expert" -> EDU).
                    weak = p.role == "CVL" and p.role_from is not None and (
                        p.role_from.kind == "role" or p.role_from.entry.form_kind == "city"  # "Chelyabinsk officials"
                    )
                    if p.role is None or (w.role is not None and (p.member_default or weak)):
                        p.role, p.role_from, p.member_default = w.role, m, True
                    else:
                        p.inherited = True
                    p.title = m.text
            elif m.kind == "form":
                e = m.entry
                if e.kind == "person":
                    p.person = m
                elif e.kind == "org":
                    p.org = e
                    if e.code.startswith("IGO"):
                        p.igo = e
                    if e.country:
                        self._add_country(p, e.country, m, toks, prev_end)
                    p.role, p.role_from, p.member_default = e.role, m, False
                elif m.start > 0 and toks[m.start - 1].lower == "ethnic" and e.form_kind in ("adj", "people"):
                    pass  # "ethnic Albanians" names an ethnic group, not citizens of Albania
                elif m.end < len(toks) and toks[m.end].lower in PATRON_SUFFIXES:
                    pass  # "Russian-backed separatists" are not Russian
                else:
                    self._add_country(p, e.country, m, toks, prev_end)
                    if e.role:
                        p.role, p.role_from, p.member_default = e.role, m, False
                    if m.end < len(toks) and toks[m.end].text in NEWSPAPER_WORDS:
                        p.role, p.role_from, p.member_default = "MED", m, False  # "Tehran Times", "Dhaka Tribune"
                        p.newspaper = True
            elif m.kind in ("person", "coref"):
                p.person = m
            elif m.kind == "name":
                title_word = p.title.split()[-1] if p.title else ""
                if prev_end == m.start and TITLE.match(title_word) and p.role_from is not None:
                    p.name_run = m  # "Foreign Minister Penny Wong": a titled, unknown person
            prev_end = m.end
        return p

    @staticmethod
    def _add_country(p: _Parse, iso3: str, m: DictionaryHit, toks: list[MentionToken], prev_end: Optional[int]) -> None:
        if p.countries:
            last_iso, last = p.countries[-1]
            between = {t.lower for t in toks[last.end : m.start]}
            if last.end == prev_end and between and between <= CONJUNCTIONS and iso3 != last_iso:
                p.multi = True
        p.countries.append((iso3, m))

    def _assemble(
        self,
        text: str,
        toks: list[MentionToken],
        matches: list[DictionaryHit],
        date: dt.date,
        state: Optional[DocState],
        depth: int,
        carried: Optional["RulerMatches"],
    ) -> list[Actor]:
        covered = set()
        for m in matches:
            covered.update(range(m.start, m.end))
        cut = next(
            (k for k, t in enumerate(toks) if k > 0 and k not in covered and t.lower in PREPOSITIONS), len(toks)
        )
        words_end = max((k + 1 for k in range(cut) if re.search(r"\w", toks[k].text)), default=0)
        # lower-tier role nouns only count as the head noun (the last word before the complement)
        in_head = [m for m in matches if m.end <= cut]
        head = self._parse_head(
            toks, [m for m in in_head if not (m.kind == "role" and m.word.lower and m.end != words_end)]
        )
        comp: list[Actor] = []
        if cut < len(toks) - 1 and depth < 3:
            rest = toks[cut + 1].start
            placed = None if carried is None else carried.shifted(rest)
            comp = self._resolve(text[rest:], date, state, depth + 1, placed)
        prep = toks[cut].lower if cut < len(toks) else None

        # People: the dictionary (dated) or an earlier mention in the same document. A person before the
        # role noun only lends a country: "the Putin government", "Obama aides".
        if head.person is not None:
            if head.role_from is None or head.role_from.start < head.person.start:
                return [self._person_actor(text, head, date)]
            country = self._person_actor(text, head, date).country
            if country and not head.countries:
                head.countries.append((country, head.person))

        if (prep == "of" and head.role is None and not head.countries and head.person is None and head.org is None
                and any(m.kind == "name" for m in matches if m.end <= cut) and comp
                and all(t.text[:1].isupper() for t in toks[cut + 1 :] if t.text.lower() not in ("the", "and", "&"))):
            # "Friends of Syria", "Bank of Nowhere": a name made with a place is an organisation, not the place
            return [Actor(text=text)]
        role = head.role
        if comp and comp[0].role and (role is None or (head.member_default and prep == "of")) and not (
            prep in LOCATIVE_PREPOSITIONS and self._capital(comp[0])
        ):  # "Costco's store in Canberra" is not the Australian government
            # A member noun keeps its own sector before an IGO or a named place ("deputy governor of Tyumen").
            place = comp[0].role == "CVL" and comp[0].name is not None
            if not (head.member_default and (comp[0].role == "IGO" or place)):
                role = comp[0].role
        countries = [c for c, _ in head.countries]
        if head.multi:
            isos = list(dict.fromkeys(countries))
        elif countries:
            isos = [countries[0]]
        elif comp and comp[0].country and head.igo is None:  # "UN envoy for Syria" stays the UN's
            isos = list(dict.fromkeys(a.country for a in comp if a.country))
        else:
            isos = []
        if head.eli and (role or isos or head.name_run):
            role = "ELI"
        if not role and not isos:
            if head.igo is None and comp and comp[0].code and comp[0].code.startswith(("IGO", "NGO")):
                return [dataclasses.replace(comp[0], text=text)]
            return [Actor(text=text)]

        name = self._name(head, role, isos)
        out = []
        for iso in isos or [None]:
            code = self._code(head, role, iso)
            out.append(Actor(text=text, code=code, country=iso, role=role, name=name,
                             country_source=self._country_source(iso, head, comp)))
        return out

    def _capital(self, actor: Actor) -> bool:
        """Whether ``actor`` is a capital named as a place ("Canberra" -> AUSGOV by metonymy)."""
        return bool(actor.name) and actor.role == "GOV" and any(
            e.kind == "country" and e.form_kind == "capital" for e in self.lex.lookup(actor.name))

    @staticmethod
    def _country_source(iso: Optional[str], head: _Parse, comp: list[Actor]) -> Optional[str]:
        """TEXT when a country form of the mention gives ``iso``, DICTIONARY when a named person or organisation
        does, else what the complement says ("officials from Japan")."""
        if iso is None:
            return None
        for c, m in head.countries:
            if c == iso:
                if m.kind == "form" and m.entry.kind == "country":
                    return TEXT
                if m.kind == "coref":
                    return CONTEXT
                return DICTIONARY
        return next((a.country_source for a in comp if a.country == iso), TEXT)

    def _code(self, head: _Parse, role: Optional[str], iso: Optional[str]) -> str:
        org = head.org
        src = head.role_from
        if org is not None and (iso is None or iso == org.country):
            if role == org.role or (src is not None and src.kind == "role" and src.word.type == "member"):
                return org.code
        if iso is None and head.igo is not None:
            return head.igo.code + (role if role and role not in ("IGO", head.igo.role) else "")
        return (iso or "") + (role or "")

    def _name(self, head: _Parse, role: Optional[str], isos: list[str]) -> Optional[str]:
        src = head.role_from
        if head.newspaper:
            return None  # "Tehran Times" is not Tehran
        if head.name_run is not None:
            return head.name_run.text
        if head.inherited:
            return None  # "WHO chief" is not the WHO
        foreign = bool(isos) and head.org is not None and head.org.country not in (None, *isos)
        if src is not None and src.kind == "form":
            if src.entry.kind == "org" and role == src.entry.role and not foreign:
                return src.entry.name
            if src.entry.kind == "country":
                return src.entry.name
        if head.org is not None and role == head.org.role and not foreign:  # not "Peru's Congress" -> US Congress
            return head.org.name
        if role is None and len(isos) == 1 and len(head.countries) == 1:
            entry = head.countries[0][1].entry
            if entry is not None and entry.form_kind in ("name", "region", "capital", "seat", "city"):
                return entry.name
        return None

    def _person_actor(self, text: str, head: _Parse, date: dt.date) -> Actor:
        m = head.person
        # countries written in the mention itself ("Turkish national X", "Jordan's King Abdullah")
        written = [c for c, h in head.countries if h.kind == "form" and h.entry.kind == "country"]
        if m.kind == "coref":
            actor = m.actor
            if written and not actor.country and actor.role and not is_igo_code(actor.code or ""):
                # "Turkish national Jane Roe" after a "Jane Roe" the article had not placed: the text places her
                actor = dataclasses.replace(actor, code=written[0] + actor.role, country=written[0],
                                            country_source=TEXT)
                return dataclasses.replace(actor, text=text)
            if head.eli and actor.country:
                return dataclasses.replace(referring(actor, text), role="ELI", code=actor.country + "ELI")
            return referring(actor, text)
        person = m.person if m.kind == "person" else self.lex.people.get(m.entry.name)
        country, role, _title = person.at(date)
        held = role
        # A title written in the mention states the post at the time of writing ("Senator Rubio").
        title_role = head.role if head.role_from is not None and head.role_from.kind == "role" else None
        if written and title_role and country and not is_igo_code(country) and country not in written:
            # "Jordan's King Abdullah" is not Saudi Arabia's King Abdullah: the written country and title win
            return Actor(text=text, code=written[0] + title_role, country=written[0], role=title_role,
                         country_source=TEXT)
        if title_role and title_role != role and (role == "ELI" or any(p.role == title_role for p in person.posts)):
            role = title_role
        if head.eli:
            # "former presidential candidate X" who is a sitting senator on the date: "former" is about the
            # other title, the post held then stands (the codebook's "post on the event's date")
            other = title_role is not None and held not in (None, "ELI") and title_role != held
            role = held if other else "ELI"
        elif role == "ELI" and head.org is not None:
            # Out of every listed post, but the mention names the body ("NATO Secretary General X").
            org = head.org
            return Actor(text=text, code=org.code, country=org.country, role=org.role, name=person.name,
                         country_source=DICTIONARY if org.country else None)
        if is_igo_code(country):  # a post in an international body: the body's code ("IGOUNO")
            return Actor(text=text, code=country, country=None, role=role, name=person.name)
        if country is None:  # only international posts listed, none held on this date
            return Actor(text=text, code=None, country=None, role=role, name=person.name)
        source = TEXT if any(m.entry is not None and m.entry.kind == "country" and c == country
                             for c, m in head.countries) else DICTIONARY
        return Actor(text=text, code=country + role, country=country, role=role, name=person.name,
                     country_source=source)
