"""Dependency-parse traversal: finds pattern triggers, their source and target actors and their modality.

Grammar lives here (subjects, passives, quotes, complements, conjunctions, modality); vocabulary lives in the
lexicon data file.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional

from spacy.tokens import Span, Token

from transforms.coding.events.lexicon import REQUEST_FRAMES, Condition, Lexicon, Pattern
from transforms.coding.events.pronouns import may_be_one_person
from transforms.coding.model import ASSERTED, FUTURE, HYPOTHETICAL, NEGATED, Actor, ActorMention
from transforms.coding.syntax import is_future_aux, is_negation

SUBJECT_DEPS = ("nsubj", "csubj")
PASSIVE_SUBJECT_DEPS = ("nsubjpass", "csubjpass")
OBJECT_DEPS = ("dobj", "obj")
HEDGE_AUX = frozenset({"could", "may", "might", "can", "should", "ought"})
HEDGE_ADV = frozenset({"possibly", "perhaps", "maybe", "potentially", "probably"})
CONDITION_MARKS = frozenset({"if", "unless", "whether", "lest"})
REQUEST_AUX = frozenset({"must", "should"})
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "him", "her", "them", "us", "who", "which", "that"})
SINGULAR_PERSONAL = frozenset({"he", "she", "him", "her", "his", "hers"})
ALLEGED_ADV = frozenset({"allegedly", "purportedly", "supposedly", "reputedly"})
# verbs of allegation whose infinitive complement is claimed, not established ("claimed to have shot down X")
CLAIM_VERBS = frozenset({"claim", "allege", "purport", "rumour", "rumor", "suspect"})
FIRST_PERSON = frozenset({"i", "we"})  # "we must ...": the speaker's own side
THIRD_PERSON = frozenset({"he", "she", "it", "they", "him", "her", "them", "his", "its", "their", "hers", "theirs"})
SOURCE_PREPS = ("of", "from", "in", "at", "throughout", "across")
BOUNDARY_NOUNS = frozenset({"border", "frontier", "boundary", "borderline"})
# nouns for people that an "of" phrase ties to an actor ("supporters of X", "two members of X")
MEMBER_NOUNS = frozenset({
    "member", "supporter", "leader", "official", "citizen", "national", "soldier", "troop", "staff", "employee",
    "worker", "delegation", "representative", "family", "relative", "head", "chief", "minister", "envoy",
    "ambassador", "crew", "fighter", "militant", "activist", "follower", "people", "resident", "student", "officer",
    "agent", "spokesman", "spokeswoman", "spokesperson", "president", "wife", "son", "daughter", "mother", "father",
    "brother", "sister", "husband", "aide", "adviser", "advisor", "dozen", "hundred", "thousand", "group", "unit",
    "commander", "general", "team", "body", "remains", "opponent", "critic", "lawyer", "journalist", "diplomat",
    "prisoner", "hostage", "detainee", "captive", "crowd", "delegate", "emissary", "negotiator", "mayor",
    "governor", "director", "secretary", "founder", "owner", "executive", "candidate", "nominee", "victim",
    "dozens", "hundreds", "thousands", "score", "scores", "some", "many", "most", "all", "two", "three", "several",
})
# event nouns inside these phrases are circumstances of the sentence, not its news ("after the attack")
BACKGROUND_PREPS = frozenset({
    "after", "following", "before", "since", "during", "amid", "amidst", "despite", "because", "over", "in", "of",
    "for", "about", "on", "against", "under", "without", "by", "through", "with",
})
CIRCUMSTANCE_PREPS = frozenset({
    "after", "following", "before", "since", "during", "amid", "amidst", "despite", "because", "without",
})
# nouns whose compound modifier names the event ("a mediation effort", "a rescue operation")
CARRIER_NOUNS = frozenset({
    "effort", "operation", "campaign", "mission", "initiative", "drive", "bid", "attempt", "plan", "process",
    "program", "programme", "action", "move", "deal", "package",
})
LOCATIVE_PREPS = ("in", "into", "across", "throughout", "inside")
QUANTITY_NOUNS = frozenset({
    "ten", "ton", "tonne", "scores", "dozens", "hundreds", "thousands", "millions", "million", "billion",
    "thousand", "hundred", "dozen", "score", "worth", "amount", "batch",
    "shipment", "consignment", "lot", "number", "package", "kind", "type", "piece", "percent", "half", "third",
    "part", "portion", "series", "group", "wave", "round", "string", "spate", "set", "pair", "couple", "handful",
    "bunch", "quantity", "load", "supply", "total", "range", "host", "barrage", "volley", "flurry",
})
# a place named in one of these phrases is where something happens, never an actor ("protested in Kirkuk")
PLACE_PREPS = frozenset({
    "in", "at", "near", "outside", "inside", "into", "across", "throughout", "around", "within", "through", "along",
    "toward", "towards", "from",
})
PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})
CLAUSE_STOP_DEPS = frozenset({"relcl", "acl", "advcl", "appos", "conj", "cc", "ccomp", "punct", "parataxis"})


@dataclasses.dataclass(kw_only=True)
class Trigger:
    """A token that matched a pattern, with the tokens its conditions consumed."""

    token: Token
    pattern: Pattern
    consumed: set


@dataclasses.dataclass(kw_only=True)
class ActorRef:
    """An actor found for a role. mention: the ActorMention it came from (None for bare noun phrases)."""

    actor: Actor
    mention: Optional[ActorMention]
    direct: bool = True


def names_only_a_place(mention: ActorMention, doc) -> bool:
    """Every word of the mention (but "the" and punctuation) is part of a place name: "Tokyo", "the United States"."""
    words = [t for t in doc[mention.start : mention.end] if not (t.is_punct or t.lower_ == "the")]
    return bool(words) and all(t.ent_type_ in PLACE_ENTS for t in words)


def is_place_phrase(mention: ActorMention, doc) -> bool:
    """The mention names a place in a locative phrase ("in Pakistan", "at the Tunis airport", "in Tunis, Sfax and
    Sousse", "in Nairobi"): a country-level actor, or a place name the actor coder reads as its government (a
    capital), governed by a place preposition."""
    if mention.actor.role and not names_only_a_place(mention, doc):
        return False  # "the Kenyan police"; but a capital standing for its government is a place here: "in Nairobi"
    head = doc[mention.end - 1]
    for _ in range(4):  # through list members and appositions: "in Tunis, Sfax and Sousse"
        if head.dep_ in ("conj", "appos", "compound") and head.head.i != head.i:
            head = head.head
            continue
        break
    if head.dep_ != "pobj" or head.head.lower_ not in PLACE_PREPS:
        return False
    if mention.actor.role and head.head.lower_ == "from" and head.head.head.pos_ in ("NOUN", "PROPN"):
        return False  # a capital as the author of a thing: "the claim from Berlin", "a letter from Tokyo"
    return any(t.ent_type_ in PLACE_ENTS for t in doc[mention.start : mention.end]) or mention.actor.code == mention.actor.country


def _misattached_conjunct(verb: Token, head: Token) -> bool:
    """A finite past verb the parser conjoined to a reported clause in another tense: "Lind predicted the army would
    withdraw and asked voters to stay calm" -- "asked" shares the subject of "predicted", not of "would withdraw"."""
    if verb.tag_ != "VBD" or head.dep_ != "ccomp" or head.head is head or head.head.tag_ != "VBD":
        return False
    return head.tag_ == "VB" and any(c.dep_ == "aux" and c.tag_ == "MD" for c in head.children)


class MentionIndex:
    """ActorMentions by token index."""

    def __init__(self, mentions: Iterable[ActorMention]) -> None:
        self.by_token: dict[int, list[ActorMention]] = {}
        self.mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        for mention in self.mentions:
            for i in range(mention.start, mention.end):
                self.by_token.setdefault(i, []).append(mention)

    def covering(self, i: int) -> list[ActorMention]:
        return self.by_token.get(i, [])

    def in_tokens(self, indices: set) -> list[ActorMention]:
        return [m for m in self.mentions if any(i in indices for i in range(m.start, m.end))]


def token_lemmas(token: Token, lexicon: Lexicon) -> set[str]:
    """Lemmas a trigger token may stand for: spaCy's lemma and surface form, plus de-inflections of the surface
    form for verbs (the small model's lemmatizer misses some: "hoped" -> "hop")."""
    out = {token.lemma_.lower(), token.lower_}
    if token.tag_.startswith("VB"):
        out |= lexicon.candidate_lemmas(token.lower_)
        if token.lower_.startswith("re-"):
            out |= lexicon.candidate_lemmas(token.lower_[3:])  # "re-examine", "re-impose"
    elif token.tag_ in ("NNS", "NNPS") and token.lower_.endswith("s"):
        out.add(token.lower_[:-1])
    return out


def is_pronoun(token: Token) -> bool:
    """Personal and relative pronouns ("US" the country is a proper noun, not "us")."""
    return token.pos_ == "PRON" or (token.lower_ in PRONOUNS and token.tag_ in ("PRP", "WP", "WDT"))


def kind_of(token: Token) -> Optional[str]:
    if token.pos_ == "VERB" or (token.tag_.startswith("VB") and token.pos_ != "AUX"):
        return "VERB"
    if token.pos_ == "NOUN" or (token.pos_ == "PROPN" and not token.ent_type_):
        return "NOUN"  # names ("the National Conference", "the Vietnam War") are not event nouns
    if token.pos_ == "ADJ":
        return "ADJ"
    return None


# ---------------------------------------------------------------------- syntax helpers
def children(token: Token, deps: Iterable[str]) -> list[Token]:
    deps = tuple(deps)
    return [c for c in token.children if c.dep_ in deps]


def infinitives(token: Token) -> list[Token]:
    """Open "to"-complements of a verb: xcomp, and subjectless "to" clauses the parser attached as advcl when a
    phrase intervenes ("threatened on Monday [to resume] attacks")."""
    return [
        c for c in token.children
        if c.dep_ == "xcomp" or (
            c.dep_ == "advcl" and c.i > token.i and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
            and not children(c, SUBJECT_DEPS + PASSIVE_SUBJECT_DEPS)
        )
    ]


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in PASSIVE_SUBJECT_DEPS or c.dep_ == "auxpass" for c in verb.children)


def direct_object(token: Token) -> Optional[Token]:
    """The direct object of a verb (the passive subject for passives); conjoined verbs share their head's."""
    if token.pos_ not in ("VERB", "AUX") and not token.tag_.startswith("VB"):
        return None
    if token.dep_ == "acl" and token.tag_ == "VBN" and not children(token, OBJECT_DEPS):
        return token.head  # reduced passive relative: "soldiers killed in Ukraine"
    if is_passive(token) and children(token, ("xcomp",)):
        return None  # raising passives: "X is expected to visit" has no object
    if is_passive(token):
        found = children(token, PASSIVE_SUBJECT_DEPS)
    else:
        found = children(token, OBJECT_DEPS) or children(token, ("attr",))
        if not found and token.dep_ == "conj":
            found = children(token.head, OBJECT_DEPS)  # "signed and ratified the treaty"
        if not found and not children(token, ("xcomp", "ccomp", "prep")):
            for conj in children(token, ("conj",)):  # "donated and delivered the goods"
                if conj.tag_.startswith("VB") and not children(conj, ("aux", "nsubj")):
                    found = children(conj, OBJECT_DEPS)
                    if found:
                        break
    if not found:
        return None
    return through_quantity(found[0])


def through_quantity(noun: Token) -> Token:
    """"tons of food aid" -> "aid", "part of a program" -> "program": look through quantity nouns."""
    for _ in range(2):
        if noun.lemma_.lower() not in QUANTITY_NOUNS:
            return noun
        nxt = [p for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for p in children(c, ("pobj",))]
        if not nxt:
            return noun
        noun = nxt[0]
    return noun


def preposition_objects(token: Token, preps: Iterable[str]) -> list[Token]:
    """Objects of the prepositions ``preps`` (and of "by" agents, datives) attached to ``token``."""
    preps = set(preps)
    out = []
    for child in token.children:
        if child.dep_ in ("prep", "agent", "dative") and child.lower_ in preps:
            out.extend(children(child, ("pobj", "pcomp")))
    return out


def modifiers(token: Token, lemmas: frozenset) -> list[Token]:
    """Compound/adjective/possessive modifiers of ``token`` (those with one of ``lemmas``, if given)."""
    mods = [c for c in token.children if c.dep_ in ("compound", "amod", "nmod", "npadvmod", "poss")]
    if not lemmas:
        return mods
    return [m for m in mods if m.lemma_.lower() in lemmas or m.lower_ in lemmas]


# ---------------------------------------------------------------------- the matcher
class EventPatternMatcher:
    """Finds event patterns of the lexicon in one parsed sentence (its triggers, actors and modality).

    lexicon: The loaded pattern lexicon.
    """

    def __init__(self, *, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    # -------------------------------------------------------------- triggers
    def triggers(self, sent: Span, mentions: MentionIndex) -> list[Trigger]:
        """Every token of the sentence with a matching pattern (the most specific one)."""
        found = []
        for token in sent:
            kind = kind_of(token)
            if kind is None:
                continue
            if kind == "NOUN" and token.dep_ == "compound" and token.head.lemma_.lower() not in CARRIER_NOUNS:
                continue  # "war games", "aid workers", "war crimes court": the noun only describes another
            for lemma in sorted(token_lemmas(token, self.lexicon)):
                match = self._first_matching(token, kind, lemma, mentions)
                if match is not None:
                    found.append(match)
                    break
        return found

    def _first_matching(self, token: Token, kind: str, lemma: str, mentions: MentionIndex) -> Optional[Trigger]:
        for pattern in self.lexicon.lookup(kind, lemma):
            consumed: set = set()
            if all(self._holds(token, cond, mentions, consumed) for cond in pattern.conditions):
                return Trigger(token=token, pattern=pattern, consumed=consumed)
        return None

    def _holds(self, token: Token, cond: Condition, mentions: MentionIndex, consumed: set) -> bool:
        result, used = self._check(token, cond, mentions)
        if cond.negated:
            return not result
        if result:
            consumed.update(used)
        return result

    def _check(self, token: Token, cond: Condition, mentions: MentionIndex) -> tuple[bool, set]:
        values = cond.values
        if cond.key == "obj":
            obj = direct_object(token)
            if obj is None or children(token, ("oprd",)):
                return False, set()  # "called X a liar": X is described, not acted on
            return self._lemma_ok(obj, values, mentions), {obj.i}
        if cond.key == "subj":
            subj = self.subject_token(token)
            return (subj is not None and self._lemma_ok(subj, values, mentions)), set()
        if cond.key == "smod":
            subj = self.subject_token(token)
            if subj is None:
                return False, set()
            # "the first deployment of peacekeeping troops": also the noun the subject is "of"
            nouns = [subj] + [p for c in subj.children if c.dep_ == "prep" and c.lower_ == "of" for p in children(c, ("pobj",))]
            return any(modifiers(n, values) for n in nouns), set()
        if cond.key == "comp":
            # a word of the predicate's object or complement clause: "ruled the law unconstitutional", "found it
            # to be unlawful", "ruled that the ban was illegal"
            words = [t for c in token.children if c.dep_ in ("ccomp", "xcomp", "oprd", "acomp", "dobj", "obj")
                     for t in c.subtree]
            return any(self._lemma_ok(t, values, mentions) for t in words), set()
        if cond.key == "prt":
            return any(c.dep_ == "prt" and c.lower_ in values for c in token.children), set()
        if cond.key == "xcomp":
            comps = infinitives(token)
            ok = [c for c in comps if not values or c.lemma_.lower() in values or c.lower_ in values]
            return bool(ok), set()
        if cond.key == "mod":
            heads = [token]
            obj = direct_object(token)
            if obj is not None:
                heads.append(obj)
            for head in heads:
                if modifiers(head, values) or any(
                    w.lower_.split("-")[0] in values for w in head.lefts if w.dep_ in ("compound", "amod")
                ):
                    return True, {head.i}
                # "phone talks" may be tokenised "phone-call"; also "strike" lemma of "hunger strike"
                if head.lower_ in values:
                    return True, set()
            return False, set()
        if cond.key == "prep":
            preps = set(cond.arg.split(","))
            heads = [token]
            obj = direct_object(token)
            if obj is not None:
                heads.append(obj)
            for head in heads:
                for child in head.children:
                    if child.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in preps for m in child.children):
                        if not values:
                            return True, set()  # "pushing for [the US to support ...]"
                    if child.dep_ in ("prep", "agent", "dative", "acomp", "advmod") and child.lower_ in preps:
                        pobjs = children(child, ("pobj", "pcomp"))
                        if not values:
                            return True, {p.i for p in pobjs}
                        for pobj in pobjs:
                            for p in [pobj] + list(pobj.conjuncts):
                                if self._lemma_ok(p, values, mentions):
                                    return True, {p.i}
            return False, set()
        return False, set()

    def _lemma_ok(self, token: Token, values: frozenset, mentions: MentionIndex) -> bool:
        if not values:
            return True
        if "@actor" in values and self._is_actor(token, mentions):
            return True
        lemmas = {token.lemma_.lower(), token.lower_} | self.lexicon.candidate_lemmas(token.lower_)
        if lemmas & values:
            return True
        # "cease-fire" / hyphenated compounds: match on the last part
        return token.lower_.split("-")[-1] in values

    def _is_actor(self, token: Token, mentions: MentionIndex) -> bool:
        """The phrase names an actor: its head or a modifier is a mention, or the "of" / "from" phrase of a people
        noun ("members of X", "a delegation from X"); "caucuses in X", "a statue of X", "the duties of X",
        "benefits from X" are not actors."""
        return any(
            mentions.in_tokens(self._np_region(t, ("of", "from") if t.lemma_.lower() in MEMBER_NOUNS else ()))
            for t in [token, *token.conjuncts]
        )

    # -------------------------------------------------------------- actors
    def subject_token(self, token: Token) -> Optional[Token]:
        """The head of the phrase naming the agent of a predicate (looking through quantities)."""
        subj, _ = self._subject(token)
        return through_quantity(subj) if subj is not None else None

    def _subject(self, token: Token, depth: int = 0) -> tuple[Optional[Token], bool]:
        """The token naming the agent of ``token`` and whether it is a direct dependent."""
        if depth > 6:
            return None, False
        if token.pos_ == "ADJ" or token.dep_ == "acomp":
            subj = children(token, SUBJECT_DEPS) or children(token.head, SUBJECT_DEPS)
            if subj:
                return subj[0], token.dep_ != "acomp"
        if is_passive(token):
            agents = [p for c in token.children if c.dep_ == "agent" for p in children(c, ("pobj",))]
            if agents:
                return agents[0], True
            if children(token, ("xcomp",)) and children(token, PASSIVE_SUBJECT_DEPS):
                return children(token, PASSIVE_SUBJECT_DEPS)[0], True  # "X is expected/scheduled to ..."
            return None, False
        subj = children(token, SUBJECT_DEPS)
        if subj:
            # two subjects are a misparse of a fronted phrase ("According to the mayor, Ann Dorrow, police were
            # investigating"): the one nearest before the verb is its subject
            before = [t for t in subj if t.i < token.i]
            return (before[-1] if before else subj[0]), True
        if token.dep_ in ("xcomp", "conj", "advcl", "pcomp") and token.head is not token:
            head = token.head
            if token.dep_ == "xcomp":
                objs = children(head, OBJECT_DEPS)
                # object control: "urged X to ...", "forced X to ..."
                if objs and head.lemma_.lower() not in ("promise", "offer", "vow", "threaten"):
                    return objs[0], False
            if token.dep_ == "pcomp":
                head = head.head
            if token.dep_ == "conj" and _misattached_conjunct(token, head):
                head = head.head
            found, _ = self._subject(head, depth + 1)
            return found, False
        if token.dep_ in ("relcl", "acl") and token.head is not token:
            if token.tag_ == "VBN" and token.dep_ == "acl":
                return None, False  # "soldiers killed in the attack": the noun is the patient
            return token.head, False
        return None, False

    def actors_at(self, token: Optional[Token], mentions: MentionIndex, *, expand_conj: bool = True) -> list[ActorRef]:
        """Actors named by the phrase headed by ``token`` (one per conjoined member)."""
        if token is None:
            return []
        heads = [token] + (list(token.conjuncts) if expand_conj else [])
        if expand_conj:
            # "The US, Russia, and Switzerland": the small model often parses lists as apposition + conj
            for appos in children(token, ("appos",)):
                if any(c.dep_ == "conj" for c in appos.children):
                    heads += [appos, *appos.conjuncts]
        out: list[ActorRef] = []
        for head in heads:
            out.extend(self._actors_of_head(head, mentions))
        if any(r.mention is not None and r.actor.resolved for r in out):
            out = [r for r in out if r.mention is not None and r.actor.resolved]  # "Israeli helicopters and tanks"
        unique, seen = [], set()
        for ref in out:
            key = (ref.mention.start, ref.mention.end, ref.actor.code, ref.actor.text) if ref.mention else (ref.actor.text,)
            if key not in seen:
                seen.add(key)
                unique.append(ref)
        return unique

    def _actors_of_head(self, head: Token, mentions: MentionIndex) -> list[ActorRef]:
        covering = mentions.covering(head.i)
        if any(m.actor.resolved for m in covering):
            return [ActorRef(actor=m.actor, mention=m) for m in covering if m.actor.resolved]
        # modifiers of the head: left ones nearest first, then "of/from/in" phrases
        region = self._np_region(head)
        inner = [m for m in mentions.in_tokens(region) if m.actor.resolved and m not in covering]
        if inner:
            left = [m for m in inner if m.end <= head.i]
            if left:
                best = max(left, key=lambda m: m.end)
                return [ActorRef(actor=m.actor, mention=m) for m in left if (m.start, m.end) == (best.start, best.end)]
            right = sorted(inner, key=lambda m: m.start)
            best = right[0]
            return [ActorRef(actor=m.actor, mention=m) for m in right if (m.start, m.end) == (best.start, best.end)]
        if head.lemma_.lower() in BOUNDARY_NOUNS:
            # "to its border with X": a boundary phrase names the neighbour
            for pobj in preposition_objects(head, ("with",)):
                refs = [r for r in self._actors_of_head(pobj, mentions) if r.mention is not None and r.actor.resolved]
                if refs:
                    return refs
        for appos in children(head, ("appos",)):
            # "Kenzo Oshima, the UN relief coordinator": the apposition identifies an unknown name
            refs = [r for r in self._actors_of_head(appos, mentions) if r.mention is not None and r.actor.resolved]
            if refs:
                return refs
        if covering:
            return [ActorRef(actor=m.actor, mention=m) for m in covering]
        unresolved = [m for m in mentions.in_tokens(region)]
        if unresolved:
            return [ActorRef(actor=unresolved[0].actor, mention=unresolved[0])]
        if head.pos_ in ("PROPN", "NOUN") and not is_pronoun(head):
            words = [t for t in head.subtree if t.i in region and t.dep_ not in ("det", "punct")]
            text = " ".join(t.text for t in words) if words else head.text
            return [ActorRef(actor=Actor(text=text), mention=None)]
        return []

    def _np_region(self, head: Token, preps: tuple = SOURCE_PREPS) -> set:
        region = {head.i}
        stack = [c for c in head.children if c.dep_ not in CLAUSE_STOP_DEPS]
        while stack:
            tok = stack.pop()
            if tok.dep_ == "prep" and tok.head.i == head.i and tok.lower_ not in preps:
                continue
            region.add(tok.i)
            stack.extend(c for c in tok.children if c.dep_ not in CLAUSE_STOP_DEPS)
        return region

    def sources(self, trigger: Token, mentions: MentionIndex) -> tuple[list[ActorRef], bool]:
        """Source actors of a trigger and whether the link is a direct dependency."""
        if kind_of(trigger) == "NOUN" and trigger.dep_ not in ("ROOT",):
            return self._noun_sources(trigger, mentions)
        subj, direct = self._subject(trigger)
        if subj is None:
            if is_passive(trigger) or (trigger.dep_ == "acl" and trigger.tag_ == "VBN"):
                return [], False  # "X was arrested": the agent is unknown, not the reporter
            return self.speaker(trigger, mentions), False
        subj = through_quantity(subj)
        if is_pronoun(subj):
            if subj.lower_ in ("who", "which", "that") and subj.head.dep_ == "relcl":
                return self.actors_at(subj.head.head, mentions), False
            if self._in_subordinate_clause(trigger):
                # "X killed 23 people when they blew themselves up, police said": "they" is X, not the police
                antecedent = self._antecedent(subj, mentions)
                if antecedent:
                    return antecedent, False
            speaker = self.speaker(trigger, mentions)
            if speaker:
                return speaker, False
            return self._antecedent(subj, mentions), False
        return self.actors_at(subj, mentions), direct

    @staticmethod
    def _in_subordinate_clause(token: Token) -> bool:
        """The predicate heads an adverbial or relative clause of another predicate (not a reported clause)."""
        node = token
        for _ in range(6):
            if node.dep_ in ("advcl", "relcl"):
                return True
            if node.dep_ not in ("conj", "xcomp") or node.head.i == node.i:
                return False
            node = node.head
        return False

    def _noun_sources(self, noun: Token, mentions: MentionIndex) -> tuple[list[ActorRef], bool]:
        while noun.dep_ == "conj" and kind_of(noun.head) == "NOUN" and not children(noun, ("poss",)):
            noun = noun.head  # "announced asset freezes and travel bans": conjuncts share the governor
        poss = children(noun, ("poss",))
        if poss:
            if poss[0].pos_ == "PRON":
                return self._antecedent(poss[0], mentions), False
            return self.actors_at(poss[0], mentions), True
        by = preposition_objects(noun, ("by",))
        if by:
            return self.actors_at(by[0], mentions), True
        mods = [m for m in noun.children if m.dep_ in ("compound", "amod", "nmod") and mentions.covering(m.i)]
        if mods:
            refs = []
            for mod in mods:
                refs.extend(ActorRef(actor=m.actor, mention=m) for m in mentions.covering(mod.i))
            return refs, True
        if noun.dep_ in ("compound", "amod") and kind_of(noun.head) == "NOUN":
            noun = noun.head  # "a mediation effort": the phrase head carries the syntax
        governor = noun.head
        if noun.dep_ in ("dobj", "obj", "attr") and governor.lemma_.lower() in self.lexicon.light_verbs:
            refs, _ = self.sources(governor, mentions)
            return refs, False
        # "sent a message of congratulations", "took part in talks": climb noun-prep chains to a light verb
        node = noun
        for _ in range(3):
            if node.dep_ == "pobj" and node.head.dep_ == "prep":
                node = node.head.head
            elif node.dep_ in ("dobj", "obj", "attr") and node is not noun:
                break
            else:
                break
            if kind_of(node) == "VERB":
                if node.lemma_.lower() in self.lexicon.light_verbs:
                    refs, _ = self.sources(node, mentions)
                    return refs, False
                break
            if node.dep_ in ("dobj", "obj", "attr") and node.head.lemma_.lower() in self.lexicon.light_verbs:
                refs, _ = self.sources(node.head, mentions)
                return refs, False
        return [], False

    def speaker(self, token: Token, mentions: MentionIndex) -> list[ActorRef]:
        """Speaker of the quote containing ``token`` ("X said it would ...", "..., according to X")."""
        node = token
        for _ in range(8):
            if node.dep_ in ("ccomp", "parataxis", "xcomp", "conj", "advcl") and node.head is not node:
                head = node.head
                if head.lemma_.lower() in self.lexicon.speech_verbs and node.dep_ in ("ccomp", "parataxis"):
                    subj, _ = self._subject(head)
                    own = children(token, SUBJECT_DEPS)
                    if subj is not None and own and own[0].lower_ == "it" and subj.tag_ in ("NNS", "NNPS"):
                        return []  # "officials said it has infected ...": "it" is not the officials
                    if subj is not None and subj.pos_ != "PRON":
                        return self.actors_at(subj, mentions)
                    if subj is not None:
                        return self._antecedent(subj, mentions)
                node = head
                continue
            break
        root = token.sent.root
        for according in root.subtree:
            if according.lower_ == "according":
                objs = preposition_objects(according, ("to",))
                if objs:
                    return self.actors_at(objs[0], mentions)
        return []

    def _antecedent(self, pronoun: Token, mentions: MentionIndex) -> list[ActorRef]:
        """Nearest preceding resolved actor mention (within the sentence, then the previous one), for
        third-person pronouns ("we" in a quote is the unknown quoted speaker)."""
        if pronoun.lower_ not in THIRD_PERSON:
            return []
        start = pronoun.sent.start
        prev_start = pronoun.doc[start - 1].sent.start if start > 0 else start
        candidates = [m for m in mentions.mentions if prev_start <= m.start and m.end <= pronoun.i and m.actor.resolved]
        if not candidates:
            return []
        if pronoun.lower_ in SINGULAR_PERSONAL:
            # "reporters asked the minister ..., but he declined": "he" is one person, not the reporters
            candidates = [m for m in candidates if may_be_one_person(m, pronoun.doc)]
            if not candidates:
                return []
        subjects = [m for m in candidates if pronoun.doc[m.end - 1].dep_ in SUBJECT_DEPS + PASSIVE_SUBJECT_DEPS]
        last = (subjects or candidates)[-1]
        return [ActorRef(actor=m.actor, mention=m, direct=False) for m in candidates if (m.start, m.end) == (last.start, last.end)]

    def targets(self, trigger: Token, pattern: Pattern, mentions: MentionIndex) -> tuple[list[ActorRef], bool]:
        """Target actors following the pattern's list of places; second value: found a 'between' pair."""
        obj = direct_object(trigger) if kind_of(trigger) == "VERB" else None
        for place in pattern.targets:
            found: list[Token] = []
            if place == "obj":
                if obj is not None:
                    found = [obj]
            elif place == "dative":
                found = children(trigger, ("dative", "iobj"))
                found = [p for d in found for p in (children(d, ("pobj",)) or [d])]
            elif place == "author":
                if obj is not None:
                    found = children(obj, ("poss",)) + preposition_objects(obj, ("by", "from"))
                    found += [m for m in obj.children if m.dep_ in ("amod", "compound") and mentions.covering(m.i)]
            elif place == "poss":
                if kind_of(trigger) == "NOUN":  # "called for [the governor's] resignation": whom the noun is about
                    found = children(trigger, ("poss",))
            elif place == "ccsubj":
                for comp in children(trigger, ("ccomp", "advcl")):
                    if comp.dep_ == "ccomp" or any(m.dep_ == "mark" and m.lower_ in ("for", "that") for m in comp.children):
                        # a passive subject is who a finding is about ("found that X's advice was motivated by
                        # ..."), not who a request asks ("called for the killers to be brought to justice",
                        # "demanded that the prisoners be freed")
                        passive = PASSIVE_SUBJECT_DEPS if pattern.frame not in REQUEST_FRAMES else ()
                        found.extend(children(comp, SUBJECT_DEPS + passive))
                found.extend(self._for_subject(trigger))
            else:
                heads = [trigger]
                if obj is not None:
                    heads.append(obj)
                if kind_of(trigger) == "NOUN":
                    phrase = trigger.head if trigger.dep_ in ("compound", "amod") else trigger
                    if phrase is not trigger:
                        heads.append(phrase)
                    if phrase.head.lemma_.lower() in self.lexicon.light_verbs:
                        heads.append(phrase.head)
                for head in heads:
                    found.extend(preposition_objects(head, (place,)))
            refs = []
            for tok in found:
                if tok.pos_ == "PRON" and tok.lower_ not in ("each", "other"):
                    refs.extend(self._antecedent(tok, mentions))
                else:
                    refs.extend(self.actors_at(tok, mentions))
            refs = [r for r in refs if r.mention is not None]
            if refs:
                return refs, place == "between"
        return [], False

    @staticmethod
    def _for_subject(trigger: Token) -> list[Token]:
        """The subject of a "for X to ..." clause the parser split into a "for" phrase and a subjectless infinitive
        ("called [for Morocco] [to release] the fishermen"): X is who is asked, not the infinitive's object."""
        infinitive = [c for c in infinitives(trigger) if not children(c, SUBJECT_DEPS + PASSIVE_SUBJECT_DEPS)]
        if not infinitive:
            return []
        return [p for p in preposition_objects(trigger, ("for",)) if p.i < infinitive[0].i]

    def location_target(self, trigger: Token, mentions: MentionIndex) -> list[ActorRef]:
        """A resolved place in a locative phrase of the predicate ("in X", "into X", "across X")."""
        heads = [trigger]
        obj = direct_object(trigger) if kind_of(trigger) == "VERB" else None
        if obj is not None:
            heads.append(obj)
        if kind_of(trigger) == "NOUN" and trigger.head.lemma_.lower() in self.lexicon.light_verbs:
            heads.append(trigger.head)
        for head in heads:
            for pobj in preposition_objects(head, LOCATIVE_PREPS):
                refs = [r for r in self.actors_at(pobj, mentions) if r.mention is not None and r.actor.resolved]
                if refs:
                    return refs
        return []

    # -------------------------------------------------------------- modality
    def modality(self, tokens: list[Token]) -> str:
        """NEGATED > HYPOTHETICAL > FUTURE > ASSERTED, from the auxiliaries, adverbs and clause marks of the
        predicate tokens (and of the clause they are a complement of)."""
        negated = hedged = future = False
        for token in tokens:
            for child in token.children:
                low = child.lower_
                if is_negation(child):
                    negated = True
                elif is_future_aux(child):
                    future = True
                elif child.dep_ == "aux" and low in HEDGE_AUX:
                    hedged = True
                elif child.dep_ == "aux" and low == "would":
                    if self._in_reported_speech(token):
                        future = True
                    else:
                        hedged = True
                elif child.dep_ == "advmod" and (low in HEDGE_ADV or low in ALLEGED_ADV):
                    hedged = True
                elif child.dep_ == "mark" and low in CONDITION_MARKS:
                    hedged = True
                elif child.dep_ == "det" and low == "no" and kind_of(token) == "NOUN":
                    negated = True
            for subj in children(token, SUBJECT_DEPS + PASSIVE_SUBJECT_DEPS):
                if any(c.dep_ == "det" and c.lower_ == "no" for c in subj.children):
                    negated = True  # "no troops were injured"
            if token.dep_ == "xcomp" and token.head.lemma_.lower() == "go" and token.head.tag_ == "VBG":
                future = True
            scope_neg, scope_hedge = self._governor_scope(token)
            negated, hedged = negated or scope_neg, hedged or scope_hedge or self._alleged(token)
            clause = token
            for _ in range(6):  # a predicate inside a conditional clause ("if war starts")
                if clause.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKS for c in clause.children):
                    hedged = True
                    break
                if clause.dep_ in ("ROOT", "ccomp", "xcomp", "conj") or clause.head is clause:
                    break
                clause = clause.head
        if negated:
            return NEGATED
        if hedged:
            return HYPOTHETICAL
        if future:
            return FUTURE
        return ASSERTED

    @staticmethod
    def _governor_scope(token: Token) -> tuple[bool, bool]:
        """(negated, hedged) inherited from the verb governing an infinitive or its object: "would not give
        permission to Russia to [help]", "failed to [reach] a deal", "could send troops to [help]"."""
        node = token
        for _ in range(4):
            if node.dep_ not in ("xcomp", "acl", "advcl", "dobj", "obj", "pobj", "prep", "pcomp") or node.head.i == node.i:
                return False, False
            if node.dep_ in ("xcomp", "acl", "advcl") and not any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children):
                return False, False  # participles ("troops stationed in ...") are not in the governor's scope
            head = node.head
            if head.pos_ in ("VERB", "AUX"):
                if any(c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ in ("never", "not")) for c in head.children):
                    return True, False
                if head.lemma_.lower() == "fail" and node.dep_ == "xcomp":
                    return True, False
                if any(c.dep_ == "aux" and c.lower_ in HEDGE_AUX for c in head.children):
                    return False, True
            node = head
        return False, False

    def is_background(self, token: Token, triggers: frozenset = frozenset()) -> bool:
        """True for predicates in relative/purpose clauses or circumstance phrases ("after the attack").

        token: The trigger.
        triggers: Token indices of the sentence's triggers and of the words their conditions matched: an event
            noun depending on one of them ("a strike in protest of the refusal", "rejected a proposal for
            signing ...") is background, one depending on a plain noun ("a message of congratulations") is not.
        """
        node = token
        for _ in range(10):
            if node.dep_ in ("relcl", "acl", "appos"):
                return True
            if node.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children):
                return True
            if node.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("after", "before", "since", "as", "because", "when", "while", "until", "if", "unless", "although", "though", "whereas") for c in node.children):
                return True
            if node.dep_ == "advcl" and node.tag_ == "VBG" and node.i > node.head.i:
                return True  # ", killing three people": a consequence of the main event
            if node.dep_ in ("pobj", "pcomp") and node.head.dep_ in ("prep", "agent"):
                prep, governor = node.head, node.head.head
                if governor.lemma_.lower() in QUANTITY_NOUNS or governor.tag_ == "$":
                    pass  # "$12M of donations": decided by the quantity's own place
                elif prep.lower_ in CIRCUMSTANCE_PREPS or governor.i in triggers:
                    return True
                elif (
                    kind_of(governor) != "NOUN" and prep.lower_ in BACKGROUND_PREPS
                    and not (prep.lower_ in ("on", "in", "into") and governor.lemma_.lower() in self.lexicon.light_verbs)
                ):
                    return True  # but "went on strike", "engaged in talks" are the event itself
            if node.dep_ == "ROOT" or node.head is node:
                return False
            node = node.head
        return False

    def _alleged(self, token: Token) -> bool:
        """The predicate is inside the clause of a verb of allegation or denial ("alleged that X had killed",
        "denied reports that its troops attacked"): a claim, not an established fact."""
        return self.allegation_verb(token) is not None

    def allegation_verb(self, token: Token) -> Optional[Token]:
        """The verb of allegation or denial (@allege) whose clause holds ``token`` ("alleged that X had [killed]",
        "denied reports that its troops [attacked]", "speculated that X could [strike]"), or None."""
        node = token
        for _ in range(6):
            if node.head.i == node.i:
                return None
            head = node.head
            if node.dep_ in ("ccomp", "acl", "relcl") and head.lemma_.lower() in self.lexicon.allegation_verbs:
                return head
            if node.dep_ == "xcomp" and head.lemma_.lower() in CLAIM_VERBS:
                return head  # "claimed to have killed 300 soldiers", "is alleged to have bribed": the claim, not a fact
            if node.dep_ == "acl" and head.lemma_.lower() in ("report", "claim", "allegation", "accusation", "rumour", "rumor", "speculation"):
                return self.allegation_verb(head) or head  # "reports that its troops attacked"
            if node.dep_ not in ("conj", "xcomp", "ccomp", "acl", "dobj", "pobj", "prep"):
                return None
            node = head
        return None

    def reported_imperative(self, token: Token) -> Optional[Token]:
        """The verb of saying that quotes ``token`` as an order ('"Release them," X told Y'), or None.

        An imperative is a base-form verb with no subject and no auxiliary but "do" ("Don't ...") heading a quoted or
        reported clause
        (or conjoined to one: '"Attack them and drive them out"').
        """
        node = token
        blocking = [c for c in children(node, SUBJECT_DEPS + PASSIVE_SUBJECT_DEPS + ("aux", "auxpass", "mark"))
                    if not (c.dep_ == "aux" and c.lower_ == "do" and c.i < node.i)]  # '"Don't attack them"'
        if node.tag_ != "VB" or blocking:
            return None
        if node.dep_ == "conj" and node.head.tag_ == "VB":
            node = node.head
            if children(node, SUBJECT_DEPS + ("aux", "auxpass", "mark")):
                return None
        if node.dep_ in ("ccomp", "parataxis") and node.head.lemma_.lower() in self.lexicon.speech_verbs:
            return node.head
        if node.dep_ == "advcl" and node.i < node.head.i and node.head.lemma_.lower() in self.lexicon.speech_verbs:
            return node.head  # '"Attack them," he told ...' parsed as an adverbial clause of the speech verb
        if node.dep_ == "ROOT":
            for child in node.children:
                if child.dep_ in ("ccomp", "parataxis") and child.lemma_.lower() in self.lexicon.speech_verbs:
                    return child  # '"Release them", the minister said' parsed with the speech verb as dependent
        return None

    def addressees(self, speech: Token, mentions: MentionIndex) -> list[ActorRef]:
        """Who a verb of saying addresses ("told Britain", "said to Britain")."""
        found = children(speech, ("dobj", "obj", "dative", "iobj"))
        found = [p for d in found for p in (children(d, ("pobj",)) or [d])] + preposition_objects(speech, ("to",))
        refs: list[ActorRef] = []
        for tok in found:
            refs.extend(self.actors_at(tok, mentions))
        return refs

    def demands_by_modal(self, token: Token) -> bool:
        """"X said Y must ..." : the clause of ``token`` is an obligation reported by a speaker."""
        return any(c.dep_ == "aux" and c.lower_ in REQUEST_AUX for c in token.children) and self._in_reported_speech(token)

    def _in_reported_speech(self, token: Token) -> bool:
        node = token
        for _ in range(4):
            if node.dep_ in ("ccomp", "parataxis") and node.head.lemma_.lower() in self.lexicon.speech_verbs:
                return True
            if node.dep_ in ("conj", "xcomp") and node.head is not node:
                node = node.head
                continue
            return False
        return False
