"""EventCoder: from a parsed document and its actor mentions to CAMEO-coded EventMatches."""
from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Optional

from spacy.tokens import Doc, Span, Token

from transforms.coding.events.confidence import event_features
from transforms.coding.events.context import (
    STATELESS_ROLES, country_name, domestic_source, fill_countries, reachable_targets, sentence_countries,
    target_countries,
)
from transforms.coding.events.lexicon import (
    APPEAL, COMPLEMENT_ONLY_FRAMES, DEMAND, DENY, FUTURE_FRAME, INTENT, PLAN_FRAMES, RECIPROCAL, REJECT,
    REQUEST_FRAMES, SCHEDULED, Lexicon, Pattern,
)
from transforms.coding.events.matcher import (
    CIRCUMSTANCE_PREPS, FIRST_PERSON, HEDGE_AUX, OBJECT_DEPS, PLACE_ENTS, REQUEST_AUX, ActorRef, EventPatternMatcher,
    MentionIndex, Trigger, children, direct_object, infinitives, is_passive, is_place_phrase, kind_of, names_only_a_place,
    preposition_objects,
)
from transforms.coding.events.pronouns import may_be_one_person
from transforms.coding.model import ASSERTED, FUTURE, HYPOTHETICAL, NEGATED, TEXT, Actor, ActorMention, EventMatch
from transforms.coding.syntax import is_future_aux, is_negation
from transforms.coding.taxonomy import Taxonomy
from transforms.coding.text import QUOTE_TOKENS
from transforms.coding.tone import sentence_tone

_WORDS = re.compile(r"[A-Za-z][A-Za-z'\-]*")
# Roots whose future / intended form is recoded with the @map intent table (CAMEO codes intentions as 03x/13x).
_VERBAL_ROOTS = frozenset({"01", "02", "03", "10", "11", "12", "13"})
# where an uncoded complement ("threatened to [cut off electricity to X]") names its target
_COMPLEMENT_TARGETS = Pattern(
    pattern_id="complement", code="010", kind="VERB", lemmas=frozenset(), conditions=(),
    targets=("obj", "dative", "to", "against", "on", "with", "from"), flags=frozenset(), source="",
)
_NOT_ACTOR_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"})
# agentless violence is still news ("a journalist was killed in a car bombing")
_VIOLENT_ROOTS = frozenset({"18", "19", "20"})
# verbal reactions whose object is the thing reacted to, not a second event ("condemned the strikes on X")
_COMMENT_ROOTS = frozenset({"01", "05", "11"})
_MEDIATION_CODE = "045"  # "brokered [a ceasefire] between A and B": the mediation, not a second event
# verbal support (praise, endorse 051; defend 052) is given by an actor to an actor (codebook 3, 7.1)
_SUPPORT_CODES = frozenset({"051", "052"})
_STATEMENT_ROOT = "01"  # make public statement: its conditions' words do not make event nouns background
_CONSULT_ROOT = "04"
_PHONE_CODE = "041"
_APPEAL_ROOT = "02"
_POLICE_ROLE = "COP"
# participles whose "to"-infinitive is a purpose or a requirement ("designed to intimidate", "needed to impeach")
_PURPOSE_PARTICIPLES = frozenset({"design", "need", "intend", "mean", "aim"})
# nouns whose relative clause defines a procedure ("the process by which ...")
_PROCEDURE_NOUNS = frozenset({"process", "procedure", "mechanism", "means", "method", "way"})
# modifiers that make an event noun a recalled episode ("its recent attack")
_RECALLED_MODIFIERS = frozenset({"recent", "previous", "earlier", "prior", "past"})
# verbs whose "in"/"to" phrase names a consequence ("resulted in his arrest", "led to a coup")
_CONSEQUENCE_VERBS = frozenset({"result", "lead", "culminate"})
# verbs of joining a protest ("joined the protest", "attended the rally", "took part in the protests")
_PARTICIPATION_VERBS = frozenset({"join", "attend", "participate", "take"})
_VISIT_CODE = "042"  # make a visit
_MEDIA_ROLE = "MED"
_RESIGN_CODE = "0831"  # resign under pressure
_RESIGNATION_DEMANDS = frozenset({"0241", "1041"})  # appeal / demand for a resignation
_PROTEST_ROOT = "14"
_PROTEST_WORD = "protest"  # "resigned in protest": dissent by whoever acts, officials included
_AUX_DEP = ("aux",)
_WOULD = "would"  # a future in the past ("said it would not accept"), for rejections
_DEMAND_CODE = "100"  # "X said Y must ...": a demand of X on Y
# defiance of a norm (128) that a speaker ascribes to someone else is that speaker's accusation: of a crime (1121)
# when what is broken is the law, else an accusation (112)
_DEFY_CODE, _ACCUSE_CODE, _ACCUSE_CRIME_CODE = "128", "112", "1121"
_LAWS = frozenset({"law", "constitution", "legislation", "statute"})
# roots of cooperation (03 intend to cooperate .. 09 investigate) that a negated plan turns into a rejection
_COOPERATION_ROOTS = ("03", "09")
# roots of cooperation whose object's "with" phrase names the partner ("endorsed an agreement with X"): 03 .. 08
_PARTNER_ROOTS = ("03", "08")
# acts whose target is a person or a group of people, never the country where they happen: arrest and detention,
# expulsion of individuals, abduction
_PERSON_TARGET_CODES = ("173", "174", "181")
COMPLEMENT_DEPS = ("xcomp", "ccomp", "dobj", "obj", "pobj", "acl", "advcl", "nsubjpass", "attr")
# an event noun of violence is news only in an event frame: the object of a light verb ("launched an attack") or
# the subject of one of these ("the attack killed ...", "the raid took place"); "the war", "the battle for X" are not
_VIOLENT_NOUN_PREDICATES = frozenset({
    "kill", "wound", "injure", "hit", "destroy", "damage", "claim", "leave", "target", "strike", "rock", "occur",
    "happen", "take", "erupt", "break", "kill", "shake", "injure", "flatten", "level",
})
# verbs of stance: in the simple present or present perfect they describe a position, not an event
_STANCE_VERBS = frozenset({"support", "oppose", "back", "favor", "favour", "endorse", "champion"})
# protest roots (14x) need protesters: a rally, march or parade held by the state, a party or a politician is a
# campaign event, not dissent
_STATE_ROLES = frozenset({"GOV", "MIL", "COP", "JUD", "SPY", "LEG", "ELI", "PTY"})
# killing and shooting by someone who is not an armed force (a gunman, a knifeman, the police, nobody named) is
# assault (18x), not military force (19x): codebook section 3, "beat / stabbed / shot (non-military attacker) -> 182
# (or 180 when the means are unclear)", section 7 "killing by stabbing 1823"
_ARMED_ROLES = frozenset({"MIL", "REB", "INS", "SPY"})
_CLASH_WORDS = frozenset({"clash", "skirmish", "scuffle", "brawl"})
_RIOT_CODE = "145"
# the agent an event implies when the sentence names none (codebook sections 3 and 7): violence by an unidentified
# armed actor, an arrest by the police
_UNIDENTIFIED_ATTACKER = Actor(text="", code="UAF", role="UAF")
_IMPLIED_AGENTS = {"173": Actor(text="", code="COP", role="COP")}
# ... unless the predicate names the body that acts (codebook sections 2.1 and 3: prosecutors and courts charge,
# jail and sentence -- JUD; a legislature impeaches -- LEG): "X was charged", "X was impeached in 1998"
_JUDICIARY = Actor(text="", code="JUD", role="JUD")
_IMPLIED_AGENTS_BY_WORD = {
    **dict.fromkeys(("charge", "indict", "jail", "imprison", "sentence", "sentencing", "convict"), _JUDICIARY),
    "impeach": Actor(text="", code="LEG", role="LEG"),
}
# private persons and bodies: their trips are no visits, and an assault (18x) by one (a worker, a resident,
# veterans) is by an unidentified attacker (codebook section 7, "UAF when the text only says gunman/attacker")
_PRIVATE_ROLES = frozenset({"CVL", "LAB", "BUS", "EDU", "AGR", "HLH", "MED", "REL", "REF"})
_ASSAULT_ROOT = "18"
# the word lists of the means of a killing are the @assault_kill, @assault_shoot, @assault_stab and @military_means
# directives of data/event_patterns.txt; the means are read from the sentence, then from up to this many sentences
# before it ("An attacker stabbed four officers ... The woman was killed in a stairwell": 1823)
_MEANS_CONTEXT = 3
# auxiliaries of ability and predicates of inability: a negated plan with one of them is an inability, not a refusal
_ABILITY_AUX = frozenset({"can", "could", "ca"})
_MEANS_VERB = "use"  # ", using a knife": the means of the act it follows (_means_participle)
_INABILITY_GOVERNORS = frozenset({"unable", "fail"})
# pronoun subjects of a reply that stand for the one asked ("asked X ..., but he declined", see _replier)
_REPLY_PRONOUNS = frozenset({"he", "she", "it"})


class EventCoder:
    """Codes events in parsed documents with the pattern lexicon.

    taxonomy: The CAMEO taxonomy every pattern code is checked against.
    patterns_file: Optional user pattern file (same format as ``data/event_patterns.txt``); its patterns are
        tried before the built-in ones. Errors raise DataFileError with file and line.
    infer_countries: Complete actors from the sentence's country context (see ``events/context.py``: a
        country-less actor in a one-country sentence gets that country; an event with no named target is coded
        against that country). False leaves actors exactly as the ActorCoder resolved them.
    """

    def __init__(
        self, *, taxonomy: Taxonomy, patterns_file: Optional[str] = None, infer_countries: bool = True
    ) -> None:
        self.taxonomy = taxonomy
        self.infer_countries = infer_countries
        self.lexicon = Lexicon.load(taxonomy=taxonomy, patterns_file=patterns_file)
        self.matcher = EventPatternMatcher(lexicon=self.lexicon)
        # obligations ("X said Y must ...") are coded without a trigger word, so their modals count too
        self._trigger_lemmas = frozenset(self.lexicon.trigger_lemmas() | REQUEST_AUX)

    def might_hold_event(self, sentence_text: str) -> bool:
        """Cheap lexical pre-filter: True when any word of the sentence could be a trigger.

        sentence_text: Raw sentence text.
        ``code`` applies the same test to each sentence, so a sentence this rejects is never coded.
        """
        for word in _WORDS.findall(sentence_text.lower()):
            for part in {word, *word.split("-")}:
                if self.lexicon.candidate_lemmas(part) & self._trigger_lemmas:
                    return True
        return False

    def code(self, doc: Doc, mentions: list[ActorMention]) -> list[EventMatch]:
        """Every event of the document, sentence by sentence.

        doc: The parsed document (parsed by a pipeline with the actor components added).
        mentions: The ActorCoder's mentions of ``doc``.
        """
        index = MentionIndex(mentions)
        events: list[EventMatch] = []
        sents = list(doc.sents)
        for sentence_index, sent in enumerate(sents):
            if not self.might_hold_event(sent.text):
                continue
            if sent.text.rstrip().rstrip('"\u201d\'').endswith("?"):
                continue  # a question asks about an act, it does not report one ("How would you work with X?")
            events.extend(self._code_sentence(sent, sentence_index, index))
        # a resignation is an event only under pressure (codebook 7.1, point 7): pressure named in its sentence, or
        # a call for a resignation reported in the article; "resigned for family reasons" is no event
        demanded = any(e.cameo_code in _RESIGNATION_DEMANDS for e in events)
        return [e for e in events if e.cameo_code != _RESIGN_CODE or demanded
                or self.lexicon.under_pressure(sents[e.sentence_index])]

    # ------------------------------------------------------------------ per sentence
    def _code_sentence(self, sent: Span, sentence_index: int, index: MentionIndex) -> list[EventMatch]:
        triggers = self.matcher.triggers(sent, index)
        by_token = {t.token.i: t for t in triggers}
        consumed_by_verbs = set()
        for trig in triggers:
            if trig.pattern.kind == "VERB" and trig.pattern.frame is None:
                consumed_by_verbs.update(i for i in trig.consumed if i != trig.token.i)
                obj = direct_object(trig.token)
                if obj is None or obj.i == trig.token.i:
                    continue
                if trig.pattern.code[:2] in _COMMENT_ROOTS or trig.pattern.code == _MEDIATION_CODE:
                    # "condemned the missile launch", "praised the response and investigation": the object (and
                    # its conjuncts) is what is commented on
                    consumed_by_verbs.add(obj.i)
                    consumed_by_verbs.update(c.i for c in obj.conjuncts)
                elif obj.i in by_token and by_token[obj.i].pattern.code[:2] == trig.pattern.code[:2]:
                    consumed_by_verbs.add(obj.i)  # "mediated talks", "signed an accord": one event, not two
        # complement-taking predicates adopt the event in their complement
        adopted: dict[int, Trigger] = {}
        governed: set = set()
        for trig in sorted(triggers, key=lambda t: t.token.i):
            if trig.pattern.frame is None or trig.token.i in governed:
                continue
            comp = self._complement(trig, by_token)
            # "refused to commit to [assistance]": look through nested intent predicates
            for _ in range(3):
                if comp is None or comp.pattern.frame not in PLAN_FRAMES:
                    break
                inner = self._complement(comp, by_token)
                if inner is None:
                    break
                governed.add(comp.token.i)
                comp = inner
            if comp is not None:
                adopted[trig.token.i] = comp
                governed.add(comp.token.i)
        main: list[EventMatch] = []
        background: list[tuple[int, EventMatch]] = []
        # words of other events; what a statement consumed ("sent a message of ...") is its content, not an event
        trigger_ids = frozenset(by_token).union(
            *(t.consumed for t in triggers if not t.pattern.code.startswith(_STATEMENT_ROOT))
        )
        # a governor that codes nothing (no agent found) leaves its complement to be coded on its own
        coded = {i: self._events_for(by_token[i], comp, sentence_index, index) for i, comp in adopted.items()}
        released = {adopted[i].token.i for i, found in coded.items() if not found and not (
            by_token[i].pattern.frame == INTENT and _no_commitment(by_token[i].token, adopted[i].token)
        ) and not _reduced_passive(by_token[i].token)}
        # ... but what a reward is for, what was agreed to be needed, or what someone "when asked to" do was asked
        # to do, is no act either
        for trig in triggers:
            tok = trig.token
            if tok.i in governed and tok.i not in released:
                continue
            if tok.i in consumed_by_verbs:
                continue
            found = coded[tok.i] if tok.i in coded else self._events_for(trig, None, sentence_index, index)
            if self.matcher.is_background(tok, trigger_ids):
                # circumstances are only coded when they name a country or an organisation
                background.extend((_depth(tok), e) for e in found if _named(e.source) or _named(e.target))
            else:
                main.extend(found)
        main.extend(self._obligations(sent, sentence_index, index, by_token))
        # what a claim or a denial reports is not coded when the claim is an event itself ("accused X of killing",
        # "denied that its troops shelled": 112 / 016 only) or nobody known makes it ("analysts speculated that")
        kept = [e for e in main if not self._unendorsed_claim(sent.doc[e.head], by_token, index)]
        if len(kept) < len(main):
            background = []  # the sentence's news was a claim: its circumstances are not news in its place
        main = kept
        for event in main:
            self._code_by_means(event, sent.doc[event.head], by_token)
        # events in purpose/relative clauses and circumstance phrases ("after the attack") only when the
        # sentence has nothing else
        # ... but never the aim an infinitive attaches to a noun ("at the invitation of X to [defeat] Y")
        background = [(depth, e) for depth, e in background if not _aim_infinitive(sent.doc[e.head])
                      and not _means_participle(sent.doc[e.head])]
        if not main and background:
            top = min(depth for depth, _ in background)  # "fired tear gas to disperse [students protesting]"
            main = [e for depth, e in background if depth == top]
        return _dedupe(main)

    def _obligations(self, sent: Span, sentence_index: int, index: MentionIndex, by_token: dict) -> list[EventMatch]:
        """"X said Y must/should ..." with an uncoded predicate: a demand (100) of X on Y."""
        out = []
        for tok in sent:
            if tok.i in by_token or not self.matcher.demands_by_modal(tok):
                continue
            subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not subj:
                continue
            targets = [r for r in self.matcher.actors_at(subj[0], index) if r.mention is not None]
            sources = [r for r in self.matcher.speaker(tok, index) if r.mention is not None]
            if _own_course(subj[0], sources, targets, tok.doc):
                continue
            for s in sources:
                for t in targets or [None]:
                    features = event_features(
                        tier="grammar", specific=False, complement=False, source=s.actor, source_direct=False,
                        target=t.actor if t else None, target_direct=bool(t and t.direct), modality=ASSERTED,
                        trigger=tok, code=_DEMAND_CODE,
                    )
                    out.append(EventMatch(sentence_index=sentence_index, trigger_start=tok.i, trigger_end=tok.i + 1,
                                          head=tok.i, cameo_code=_DEMAND_CODE, source=s.actor, target=t.actor if t else None,
                                          modality=ASSERTED, pattern_id="grammar.obligation",
                                          confidence=self._confidence(s, t, False, None, None), features=features))
        return out

    def _complement(self, trig: Trigger, by_token: dict) -> Optional[Trigger]:
        """The coded event a complement-taking predicate governs ("agreed to [meet]", "demanded [withdrawal]")."""
        tok = trig.token
        frontier = [c for c in tok.children if (c.dep_ in COMPLEMENT_DEPS or c.dep_ == "prep") and not (
            c.dep_ == "advcl" and c.i < tok.i and c.tag_ == "VBG"
        )]  # "Refusing to give up power, X agreed to ...": a fronted participle is a circumstance, not the complement
        if kind_of(tok) == "NOUN" and tok.dep_ in ("dobj", "obj") and tok.head.lemma_.lower() in self.lexicon.light_verbs:
            frontier += [c for c in tok.head.children if c.dep_ == "ccomp"]  # "reiterated its demand that ..."
        seen = set()
        while frontier:
            nxt = []
            for node in frontier:
                if node.i in seen:
                    continue
                seen.add(node.i)
                if node.dep_ == "advcl" and _circumstance_clause(node):
                    continue  # "when the council met, they chose to ...", "decided to run, challenging X": no plan
                if node.i in by_token and node.i != tok.i:
                    return by_token[node.i]
                if node.dep_ == "prep" and node.lower_ in CIRCUMSTANCE_PREPS:
                    continue  # "due to vote [following the resignation]": a circumstance, not what is planned
                if node.dep_ in ("prep", "xcomp", "ccomp", "aux", "conj") or node.pos_ in ("ADP",) or (
                    node.dep_ == "advcl" and node.head.i == tok.i and node in infinitives(tok)
                ):
                    nxt.extend(c for c in node.children if c.dep_ in COMPLEMENT_DEPS + ("conj", "prep", "pcomp"))
                elif node.dep_ in ("dobj", "obj", "attr", "pobj"):
                    nxt.extend(c for c in node.children if (c.dep_ == "prep" and c.lower_ in ("of", "to", "for")) or c.dep_ == "acl")
            frontier = nxt
        return None

    def _events_for(self, trig: Trigger, comp: Optional[Trigger], sentence_index: int, index: MentionIndex) -> list[EventMatch]:
        pattern = trig.pattern
        tok = trig.token
        code = pattern.code
        head_tokens = [tok]
        if comp is not None and pattern.frame == INTENT and _no_commitment(tok, comp.token):
            comp = None  # "agreed that talks were needed" (concurred), "offered a reward for [the capture]"
        if comp is not None:
            frame = pattern.frame
            map_name = INTENT if frame == FUTURE_FRAME else frame
            # a scheduled event is reported, not an intention ("X is due to visit Y" is a future visit)
            code = comp.pattern.code if frame == SCHEDULED else self.lexicon.map_code(map_name, comp.pattern.code)
            head_tokens.append(comp.token)
        modality = self.matcher.modality(head_tokens + self._governing_light_verb(tok))
        if pattern.frame == DENY:
            modality = self.matcher.modality([tok])  # the denial was made; what it denies is not coded
        if pattern.frame in (FUTURE_FRAME, SCHEDULED) and modality not in (NEGATED, HYPOTHETICAL):
            modality = FUTURE
        # obligations reported by a speaker: "X said Y must leave" -> X demands of Y
        demand_by_modal = self.matcher.demands_by_modal(tok)
        if demand_by_modal and _own_course(
            self.matcher.subject_token(tok),
            [r for r in self.matcher.speaker(tok, index) if r.mention is not None],
            [r for r in self.matcher.sources(tok, index)[0] if r.mention is not None], tok.doc,
        ):
            return []  # '"We must withdraw," X said', "Kenya must withdraw" said by its president: not a demand
        if demand_by_modal:
            code = self.lexicon.map_code(DEMAND, comp.pattern.code if comp is not None else pattern.code)
            modality = ASSERTED  # "X said Y must/should ...": the demand was made
        elif modality in (FUTURE,) and code[:2] not in _VERBAL_ROOTS and pattern.frame != SCHEDULED:
            code = self.lexicon.map_code(INTENT, code)
        original = comp.pattern.code if comp is not None else pattern.code
        if (
            modality == NEGATED
            and _COOPERATION_ROOTS[0] <= original[:2] <= _COOPERATION_ROOTS[1]
            and (pattern.frame in PLAN_FRAMES or self._has_future_aux(head_tokens))
            and not _inability(head_tokens)
        ):
            code = self.lexicon.map_code(REJECT, original)  # "will not accept", "does not intend to meet"
            modality = ASSERTED
        if code.startswith("04") and tok.lemma_.lower() == "call" and _names_in_quotes(tok):
            # '"X called the plan "lousy"': naming, not a phone call; a criticism when the words are negative
            if sentence_tone(tok.sent.text) >= 0:
                return []
            code, pattern_suffix = "111", "+grammar.naming"
        else:
            pattern_suffix = ""
        if code.startswith(_APPEAL_ROOT) and _asks_a_question(tok):
            return []  # "asked the minister whether ...", "asked why X did not act": a question, not a request
        if code.startswith(_APPEAL_ROOT) and tok.lemma_.lower() == "call" and children(tok, OBJECT_DEPS):
            return []  # "called for X" asks; "called Ohio for the challenger" (its own object) is a media projection
        if code not in self.taxonomy:
            return []
        if comp is None and pattern.frame in PLAN_FRAMES and any(c.key == "xcomp" for c in pattern.conditions):
            return []  # "plans to ...", "decided to ..." with nothing codable in the plan
        if comp is None and pattern.frame in COMPLEMENT_ONLY_FRAMES:
            return []  # "considered leaving", "denied being tired": weighing or denying nothing codable
        if kind_of(tok) == "VERB" and self._wished_of_another(tok):
            return []  # "X wants Y to withdraw", "hopes that Y will attack": a wish about someone else's act
        if kind_of(tok) == "VERB" and _action_as_subject(tok):
            return []  # "Attacking X would be a mistake": an action talked about, not one that happened
        if kind_of(tok) == "VERB" and (_purpose_only(tok) or _indirect_question(tok) or _definition_clause(tok)):
            return []  # "designed to intimidate", "did not say whom they would support", "the process by which ..."
        if self._unsaid(tok):
            return []  # "did not say he had ordered it": nobody reports the act
        if kind_of(tok) == "NOUN" and _background_noun(tok):
            return []  # "its recent attack on X", "resulted in his arrest": background, not the sentence's news
        if comp is None and pattern.frame in (INTENT, FUTURE_FRAME) and not infinitives(tok) and not any(
            not c.negated and (c.values or c.key in ("prep", "prt")) for c in pattern.conditions
        ):
            return []  # "agreed that ..." (concurred), "offered a reward": no commitment to do anything
        if code[:2] in _VIOLENT_ROOTS and kind_of(tok) == "NOUN" and not self._violent_noun_frame(tok):
            return []  # "the war", "the battle for the city": a name of a conflict, not an act
        if tok.lemma_.lower() in _STANCE_VERBS and (tok.tag_ in ("VBZ", "VBP") or (
            tok.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ in ("has", "have", "had") for c in tok.children)
        )) and comp is None:
            return []  # a standing position ("the party opposes abortion", "has / had supported X"), not an act
        if code[:2] in _VIOLENT_ROOTS and self.lexicon.outside_violence(tok.sent):
            return []  # sports results ("beat X 2-1 in the final"), disasters and accidents
        if code[:2] == _PROTEST_ROOT and self._campaign_rally(tok):
            return []  # "the candidate held a rally in X": electioneering, not dissent
        if code[:2] == _PROTEST_ROOT and _joins_the_protest(tok):
            return []  # "thousands joined the protest", "attended the rally": the protest the article already told
        imperative = self.matcher.reported_imperative(tok)

        sources, direct = self.matcher.sources(tok, index)
        if _reduced_passive(tok):
            sources, direct = [], False  # "when asked to condemn them, X ...": who asked is not said
        if imperative is not None:
            # '"Release the prisoners," X told Y': X appeals to Y; nobody released anyone
            code = self.lexicon.map_code(APPEAL, code)
            sources = [r for r in self.matcher.speaker(tok, index) if r.mention is not None]
            if not sources:
                subj = self.matcher.subject_token(imperative)
                sources = [r for r in self.matcher.actors_at(subj, index) if r.mention is not None]
            if not sources or code not in self.taxonomy:
                return []
            targets = [r for r in self.matcher.addressees(imperative, index) if r.mention is not None]
            if not targets:
                return []  # an exhortation is an appeal only when speaker and addressee are actors
            direct, between, modality = False, False, ASSERTED
        elif accusers := self._accusers(tok, code, sources, index):
            # '"the government is breaking the law," X said': X accuses the government (112), it is not defiance
            obj = direct_object(tok)
            code = _ACCUSE_CRIME_CODE if obj is not None and obj.lemma_.lower() in _LAWS else _ACCUSE_CODE
            targets, sources, direct, between = sources, accusers, False, False
        elif demand_by_modal:
            speaker = self.matcher.speaker(tok, index)
            targets = sources
            sources, direct = speaker, False
            between = False
        else:
            targets, between = self._targets(trig, comp, index)
            sources = self._replier(tok, index) or sources
            if not targets or _spans(targets) <= _spans(sources):
                # no target, or only the source itself (the object "he declined" borrows from "asked X to ...")
                targets = self._reply_targets(tok, sources, index) or targets
        if not sources and not targets:
            return []
        sources = self._state_by_its_government(sources, tok, index)
        if not sources and kind_of(tok) == "NOUN" and not between and tok.dep_ not in ("nsubj", "nsubjpass", "ROOT"):
            return []  # an event noun with no agent, inside another predicate ("endorsed an agreement with X")
        if not any(r.mention is not None for r in sources + targets):
            return []
        # the agent is named but is not an actor ("the virus killed ...", "video captured X"); an unknown agent
        # still counts when the words pin the event down ("fundamentalists continued their hunger strike")
        pinned = kind_of(tok) != "VERB" or any(
            c.key in ("subj", "smod") or (c.key in ("obj", "mod") and c.values and "@actor" not in c.values and not c.negated)
            for c in pattern.conditions
        )
        if sources and all(r.mention is None or (not r.actor.resolved and not pinned) for r in sources) and not any(
            c.key in ("subj", "smod") for c in pattern.conditions
        ) and not self._names_someone(tok):
            return []
        agentless = is_passive(tok) or tok.dep_ == "acl" or kind_of(tok) == "NOUN"  # the syntax leaves out the agent
        if not sources and not between and code[:2] not in _VIOLENT_ROOTS and not (agentless and _implied_agent(code, tok) is not None):
            # nobody acts: only a named patient of a passive makes it news ("X has been accused of ..."); a phrase
            # elsewhere is not ("five people were rescued", "the suit was filed in the court")
            patient = direct_object(tok) if kind_of(tok) == "VERB" and is_passive(tok) else None
            targets = [r for r in targets if patient is not None and r.direct and r.mention is not None
                       and r.mention.start <= patient.i < r.mention.end
                       and (r.actor.country or self._is_name(tok.doc, r.mention))]
            if not targets:
                return []
        if not sources and not between and modality != ASSERTED:
            return []  # violence nobody is said to commit that did not happen ("no troops were injured", "if ...")
        pairs: list[tuple[Optional[ActorRef], Optional[ActorRef]]] = []
        recip = RECIPROCAL in pattern.flags or (comp is not None and RECIPROCAL in comp.pattern.flags)
        if not targets and recip and len(sources) >= 2:
            pairs = [(a, b) for a, b in itertools.permutations(sources, 2)]
        elif between and len(targets) >= 2 and recip and not sources:
            pairs = [(a, b) for a, b in itertools.permutations(targets, 2)]
        elif between and len(targets) >= 2 and recip and not _party_of(sources, targets):
            # "X announced / hosted talks (a deal) between A and B": the act is between A and B, X is no party to it;
            # with several "between" lists ("between A and B and between C and D") who pairs with whom is unclear
            groups = _between_groups(targets, tok.doc)
            if len(groups) != 1:
                return []
            pairs = [(a, b) for a, b in itertools.permutations(targets, 2)]
        else:
            for s in sources or [None]:
                for t in targets or [None]:
                    if s is not None and t is not None and s.mention is not None and s.mention == t.mention:
                        t = None  # the source is never its own target ("he declined": no object of his own)
                    if (s, t) not in pairs:
                        pairs.append((s, t))
        if code.startswith(_CONSULT_ROOT) and RECIPROCAL in pattern.flags and all(t is None for _, t in pairs):
            return []  # a meeting needs a counterpart ("the cabinet met" is not an interaction)
        context = sentence_countries(tok.sent, index) if self.infer_countries else {}
        target_context = (
            reachable_targets(target_countries(tok.sent, index), trigger=tok, sources=sources)
            if self.infer_countries else {}
        )
        place = self._place_country(head_tokens, index) if self.infer_countries else None
        pairs = [
            fill_countries(s, t, context=context, proper_target=t is not None and t.mention is not None
                           and t.actor.code is None
                           and self._is_name(tok.doc, t.mention), place=place, targets=target_context)
            for s, t in pairs
        ]
        # somebody must be a known actor: "Caloundra defeated Wynnum", "a soldier who fights" are not news events
        pairs = [(s, t) for s, t in pairs if (s is not None and s.actor.resolved) or (t is not None and t.actor.resolved)]
        # a place phrase stands for its country only when that is another country than the source's
        pairs = [(s, _place_target(s, t, tok.doc, domestic=code[:2] not in _VIOLENT_ROOTS | {_CONSULT_ROOT},
                                   dissent=code[:2] == _PROTEST_ROOT)) for s, t in pairs]
        # never a self-target: the target is the source's own words, overlaps its mention, or is the same actor
        pairs = [(s, None if _same_actor(s, t, tok.doc) else t) for s, t in pairs]
        if code in _SUPPORT_CODES:
            # praise and support are of an actor by an actor: "supported education", "was hailed a hero" are not
            pairs = [(s, t) for s, t in pairs if s is not None and t is not None and t.actor.resolved]
        if code[:2] in _VIOLENT_ROOTS:
            # violence only against a resolved political actor, by a resolved one (an unnamed agent -- "a roadside
            # bomb killed two soldiers" -- is kept with a low confidence, see confidence.py)
            pairs = [(None if s is not None and s.mention is None and not s.actor.resolved else s, t) for s, t in pairs]
            pairs = [(s, t) for s, t in pairs if t is not None and t.mention is not None and t.actor.resolved
                     and (s is None or s.actor.resolved)]
        if code.startswith(_CONSULT_ROOT):
            # going to one's own country is going home, not a visit ("the princess returned to Thailand"); a
            # private person, a firm or a hospital going to a place is travel, not a visit to its state ("the
            # activist flew to Geneva", "he came to Britain years ago")
            pairs = [(s, None if s is not None and t is not None and s.actor.country
                      and t.actor.code == s.actor.country else t) for s, t in pairs]
            pairs = [(s, None if t is not None and _names_place(t, tok.doc) and not (s is not None and _is_state(s, tok.doc))
                      else t) for s, t in pairs]
            # a meeting abroad is with the host country ("X attended a summit in Y"), but a source of unknown
            # country may be at home where it meets ("the leaders met in Niamey"): no counterpart
            pairs = [(s, None if t is not None and t.mention is not None and is_place_phrase(t.mention, tok.doc)
                      and not (s is not None and s.actor.country) else t) for s, t in pairs]
            # the counterpart is a known actor, and no news outlet: "with Wikinews, X discusses ..." is an interview
            # (codebook 7.1, point 4)
            pairs = [(s, None if t is not None and (not t.actor.resolved or t.actor.role == _MEDIA_ROLE) else t)
                     for s, t in pairs]
        if code == _PHONE_CODE:
            # a private person calling the police (or an emergency line) reports a crime, it is no consultation
            pairs = [(s, None if t is not None and t.actor.role == _POLICE_ROLE
                      and (s is None or s.actor.role in _PRIVATE_ROLES or not s.actor.role) else t) for s, t in pairs]
        if code == _VISIT_CODE:
            # a trip is news when a political actor makes it: not an unnamed traveller, nor a private person or a
            # refugee moving to a country ("X came to the UK years ago")
            pairs = [(s, t) for s, t in pairs if s is not None and s.actor.resolved and s.actor.role not in _PRIVATE_ROLES]
        if code.startswith(_CONSULT_ROOT) and all(t is None for _, t in pairs):
            return []  # a visit or a meeting needs a counterpart ("officers arrived at the store", "returned home")
        if code[:2] == _PROTEST_ROOT and not any(p.lemma_.lower() == _PROTEST_WORD for p in preposition_objects(tok, ("in",))):
            # dissent needs protesters: a state (its government, forces, a party) closing a road or holding a
            # rally is not a protest; but anyone can act "in protest" ("the minister resigned in protest", 140)
            pairs = [(s, t) for s, t in pairs if not (s is not None and _is_state(s, tok.doc))]
            pairs = [(_protesters(s), t) for s, t in pairs]
        start = min(t.i for t in head_tokens)
        end = max(t.i for t in head_tokens) + 1
        if end - start > 4:
            start, end = tok.i, tok.i + 1
        out = []
        specific = any(not c.negated and (c.values or c.key in ("prep", "prt")) for c in pattern.conditions)
        for s, t in pairs:
            pair_code = _assault_code(code, tok, s, t, lexicon=self.lexicon)
            pair_code = _policy_protest_code(pair_code, tok, lexicon=self.lexicon)
            pair_code = _clash_code(pair_code, tok, s, t)
            s = _attacker(s, pair_code)
            confidence = self._confidence(s, t, direct, pattern, comp)
            features = event_features(
                tier=pattern.tier, specific=specific, complement=comp is not None,
                source=s.actor if s else None, source_direct=direct and bool(s and s.direct),
                target=t.actor if t else None, target_direct=bool(t and t.direct), modality=modality,
                trigger=tok, code=pair_code,
            )
            if s is None and not between and agentless:
                s = _implied_agent(pair_code, tok)  # "X was shot": an unidentified attacker; "X was arrested": the police
            out.append(
                EventMatch(
                    sentence_index=sentence_index,
                    trigger_start=start,
                    trigger_end=end,
                    head=tok.i,
                    cameo_code=pair_code,
                    source=s.actor if s else None,
                    target=t.actor if t else None,
                    modality=modality,
                    pattern_id=(pattern.pattern_id if comp is None else f"{pattern.pattern_id}+{comp.pattern.pattern_id}")
                    + pattern_suffix,
                    confidence=confidence,
                    features=features,
                )
            )
        return out

    def _state_by_its_government(self, sources: list[ActorRef], tok: Token, index: MentionIndex) -> list[ActorRef]:
        """A country named alone as the source of a course its own government's official announces ("the foreign
        minister said Mexico would seek to extradite him") is that government acting (codebook 2.1: the country
        alone is the state as a whole; the minister speaks for its government): the country + GOV."""
        if len(sources) != 1 or not any(
            r.actor.country and r.actor.role is None and r.actor.code == r.actor.country for r in sources
        ):
            return sources  # several states ("A and B agreed ..., B's ministry said"): each acts as itself
        speakers = [r for r in self.matcher.speaker(tok, index) if r.mention is not None]
        out = []
        for ref in sources:
            actor = ref.actor
            if actor.country and actor.role is None and actor.code == actor.country and any(
                r.actor.role == "GOV" and r.actor.country in (None, actor.country) for r in speakers
            ):
                ref = dataclasses.replace(ref, actor=dataclasses.replace(actor, code=actor.country + "GOV", role="GOV"))
            out.append(ref)
        return out

    def _accusers(self, tok: Token, code: str, sources: list[ActorRef], index: MentionIndex) -> list[ActorRef]:
        """The speaker who says that the sources defy a law or a norm (128), when it is someone else: an accusation."""
        if code != _DEFY_CODE or not sources or not children(tok, ("nsubj",)):
            return []  # a statement that someone defies ("X breaks the law"), not a participle ("..., disregarding")
        speakers = [r for r in self.matcher.speaker(tok, index) if r.mention is not None]
        if not speakers or _spans(speakers) & _spans(sources) or {
            r.actor.code for r in speakers
        } & {r.actor.code for r in sources}:
            return []  # the speaker's own side ("the administration said he would ..., disregarding the ruling")
        return speakers

    def _targets(self, trig: Trigger, comp: Optional[Trigger], index: MentionIndex) -> tuple[list[ActorRef], bool]:
        if comp is None:
            refs, between = self.matcher.targets(trig.token, trig.pattern, index)
            if not refs and trig.pattern.frame is not None:
                # "threatened to cut off electricity to X": the uncoded complement still names the target
                for xcomp in infinitives(trig.token):
                    refs, between = self.matcher.targets(xcomp, _COMPLEMENT_TARGETS, index)
                    if refs:
                        break
        else:
            first, second = (trig, comp) if trig.pattern.frame in REQUEST_FRAMES else (comp, trig)
            refs, between = self.matcher.targets(first.token, first.pattern, index)
            if not refs and first is trig:
                refs = self._asked(trig.token, index)
            if not refs:
                refs, between = self.matcher.targets(second.token, second.pattern, index)
        if not refs and _PARTNER_ROOTS[0] <= (comp or trig).pattern.code[:2] <= _PARTNER_ROOTS[1]:
            # "endorsed an agreement [with X]", "approved the deal [with X]": the partner of what is agreed to
            refs = self._partner(trig.token, index)
        if not refs and not (comp or trig).pattern.code.startswith(_PERSON_TARGET_CODES):
            # the country where the event takes place ("lifted the curfew in X", "blockades in X"); kept below only
            # when it is another country than the source's (see _place_target)
            # ... also of an uncoded complement ("threatened to resume attacks in X"); never for acts done to
            # persons ("arrests were made in X and Y": the place is where, nobody arrests a country)
            xcomps = infinitives(trig.token) if trig.pattern.frame is not None else []
            for tok in ([comp.token] if comp is not None else []) + [trig.token] + xcomps:
                refs = self.matcher.location_target(tok, index)
                if refs:
                    break
        return refs, between

    def _reply_targets(self, tok: Token, sources: list[ActorRef], index: MentionIndex) -> list[ActorRef]:
        """A reply conjoined to what it answers is addressed to its author: "the government asked the judge to wait,
        but he declined" -> the judge (the object of "asked") declines the government (its subject)."""
        asked = _asked_in_request(tok)
        if asked is None or not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
            return []
        if not _spans(self.matcher.actors_at(asked, index)) & _spans(sources):
            return []
        return [r for r in self.matcher.actors_at(self.matcher.subject_token(tok.head), index) if r.mention is not None]

    def _partner(self, tok: Token, index: MentionIndex) -> list[ActorRef]:
        """The actor of a "with" phrase of the event verb's object ("endorsed an agreement with X")."""
        obj = direct_object(tok) if kind_of(tok) == "VERB" else None
        if obj is None:
            return []
        for pobj in preposition_objects(obj, ("with",)):
            refs = [r for r in self.matcher.actors_at(pobj, index) if r.mention is not None and r.actor.resolved]
            if refs:
                return refs
        return []

    def _asked(self, request: Token, index: MentionIndex) -> list[ActorRef]:
        """Who a request is made of when its pattern's places name nobody, rather than a phrase inside what is
        asked ("restrictions on the travel of Y", "murdered Y"): the subject of a request noun's that-clause (a
        clause of the noun, or of the light verb it is the object of: "reiterated its demand today that X ease
        ..."), or the agent of the act demanded ("demanded an admission by X")."""
        agents = []
        if kind_of(request) == "NOUN":
            clauses = [c for c in request.children if c.dep_ in ("acl", "ccomp") and any(
                m.dep_ == "mark" and m.lower_ == "that" for m in c.children)]
            clauses += [c for verb in self._governing_light_verb(request) for c in verb.children if c.dep_ == "ccomp"]
            agents = [s for clause in clauses for s in clause.children if s.dep_ in ("nsubj", "nsubjpass")]
        else:
            demanded = direct_object(request)
            agents = preposition_objects(demanded, ("by",)) if demanded is not None else []
        for agent in agents:
            refs = [r for r in self.matcher.actors_at(agent, index) if r.mention is not None]
            if refs:
                return refs
        return []

    def _replier(self, tok: Token, index: MentionIndex) -> list[ActorRef]:
        """The pronoun subject of a reply conjoined to a request is the one asked: "the press asked the president
        ..., but he declined" -> the president (not the latest subject of the text)."""
        subj = [c for c in tok.children if c.dep_ == "nsubj"]
        asked = _asked_in_request(tok)
        if not subj or asked is None or subj[0].lower_ not in _REPLY_PRONOUNS:
            return []
        refs = [r for r in self.matcher.actors_at(asked, index, expand_conj=False) if r.mention is not None]
        if len(refs) != 1 or (subj[0].lower_ != "it" and not may_be_one_person(refs[0].mention, tok.doc)):
            return []
        return [ActorRef(actor=refs[0].actor, mention=refs[0].mention, direct=False)]

    def _place_country(self, tokens: list[Token], index: MentionIndex) -> Optional[str]:
        """Country of the place the event happens in ("killed 23 people [in Tel Aviv]"), if named."""
        for tok in tokens:
            for ref in self.matcher.location_target(tok, index):
                if ref.actor.country:
                    return ref.actor.country
        return None

    def _violent_noun_frame(self, tok: Token) -> bool:
        """An event noun of violence in an event frame ("launched an attack", "the raid killed ...")."""
        if self._governing_light_verb(tok):
            return True
        node = tok.head if tok.dep_ in ("compound", "amod") else tok
        if node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.head.lemma_.lower() in self.lexicon.light_verbs:
            return True  # "took part in the attack", "engaged in fighting"
        if node.dep_ in ("nsubj", "nsubjpass") and node.head.lemma_.lower() in _VIOLENT_NOUN_PREDICATES:
            return True
        # the noun names its agent and its victim: "Israel's attack on Lebanon", "the shelling of X by Y"
        agent = [c for c in node.children if c.dep_ == "poss"] or preposition_objects(node, ("by",))
        victim = preposition_objects(node, ("on", "against", "of")) if agent else []
        return bool(agent and victim)

    @staticmethod
    def _code_by_means(event: EventMatch, tok: Token, by_token: dict) -> None:
        """A killing or wounding "in" / "by" a violent event of a specific means takes that event's code: "killed in a
        suicide bombing" 1831, "wounded in shelling" 194, "killed in an air strike" 195 (not a generic 180/190)."""
        if event.cameo_code[:2] not in _VIOLENT_ROOTS or kind_of(tok) != "VERB":
            return
        for means in preposition_objects(tok, ("in", "by")):
            found = by_token.get(means.i)
            if found is None or found.pattern.code[:2] not in _VIOLENT_ROOTS or found.pattern.code.endswith("0"):
                continue  # a plain "attack" (180) or "fighting" (190) says nothing of the means
            event.cameo_code = found.pattern.code
            event.pattern_id = f"{event.pattern_id}+{found.pattern.pattern_id}"
            return

    def _unsaid(self, tok: Token) -> bool:
        """The predicate is the reported clause of a negated verb of saying ("did not say he had ordered it", "has not
        announced that it will attack"): the sentence reports that the act was not told, not the act."""
        node = tok
        for _ in range(6):  # up from a conjunct, an object or a phrase to the clause: "... ordered [the arrest]"
            if node.dep_ in ("conj", "dobj", "obj", "pobj", "prep", "xcomp", "compound", "amod") and node.head.i != node.i:
                node = node.head
                continue
            break
        head = node.head
        return (node.dep_ == "ccomp" and head.lemma_.lower() in self.lexicon.speech_verbs
                and any(is_negation(c) for c in head.children))

    def _wished_of_another(self, tok: Token) -> bool:
        """``tok`` heads a clause with its own subject under a verb of wanting or planning (a trigger of a
        +future pattern: "wants [the army to withdraw]", "hopes [that Y will attack]"): a wish, not an act."""
        node = tok.head if tok.dep_ == "conj" else tok
        if node.dep_ not in ("ccomp", "xcomp") or not children(node, ("nsubj", "nsubjpass")):
            return False
        head = node.head
        return kind_of(head) == "VERB" and FUTURE_FRAME in self.lexicon.frames_of("VERB", head.lemma_.lower())

    def _unendorsed_claim(self, tok: Token, by_token: dict, index: MentionIndex) -> bool:
        """``tok`` is in the clause of a verb of allegation or denial that is coded itself ("accused X of [killing]"),
        whose subject is no actor, or that claims a mere possibility ("speculated that X could [strike]")."""
        claim = self.matcher.allegation_verb(tok)
        if claim is None or claim.i == tok.i:
            return False
        if claim.i in by_token:
            return True
        if any(c.dep_ == "aux" and c.lower_ in (HEDGE_AUX | {_WOULD}) - REQUEST_AUX for c in tok.children):
            return True  # a claimed possibility is an opinion about the future, not an event
        subject = self.matcher.subject_token(claim)
        return not any(r.mention is not None for r in self.matcher.actors_at(subject, index))

    def _campaign_rally(self, tok: Token) -> bool:
        """A rally or march in a sentence about electioneering (an @campaign word), unless the words make it dissent
        (the trigger or its object is an @dissent word: "staged a protest"; or it is "against" something)."""
        if not self.lexicon.campaign(tok.sent):
            return False
        words = [tok] + [w for w in (direct_object(tok),) if w is not None]
        if any(w.lemma_.lower() in self.lexicon.dissent_words for w in words):
            return False
        return not any(preposition_objects(w, ("against",)) for w in words)

    def _governing_light_verb(self, tok: Token) -> list[Token]:
        """The light verb an event noun is the object of ("could join [the war]", "did not hold [talks]")."""
        if kind_of(tok) == "NOUN" and tok.dep_ in ("dobj", "obj", "attr") and tok.head.lemma_.lower() in self.lexicon.light_verbs:
            return [tok.head]
        return []

    @staticmethod
    def _is_name(doc: Doc, mention: ActorMention) -> bool:
        return any(t.pos_ == "PROPN" for t in doc[mention.start : mention.end])

    def _names_someone(self, tok: Token) -> bool:
        """The subject phrase contains a proper name (an actor the ActorCoder may not know)."""
        subj = self.matcher.subject_token(tok)
        return subj is not None and any(t.pos_ == "PROPN" and t.ent_type_ not in _NOT_ACTOR_ENTS for t in subj.subtree)

    @staticmethod
    def _has_future_aux(tokens: list[Token]) -> bool:
        """A future auxiliary (syntax.FUTURE_AUX) or "would" on one of ``tokens`` ("will not accept")."""
        return any(
            is_future_aux(c, deps=_AUX_DEP) or (c.dep_ in _AUX_DEP and c.lower_ == _WOULD)
            for t in tokens for c in t.children
        )

    @staticmethod
    def _confidence(source: Optional[ActorRef], target: Optional[ActorRef], direct: bool, pattern, comp) -> float:
        score = 0.35
        if source is not None and source.actor.resolved:
            score += 0.25
        elif source is not None:
            score += 0.1
        if target is not None and target.actor.resolved:
            score += 0.15
        if direct:
            score += 0.15
        if target is not None and not target.direct:
            score -= 0.05  # target inferred from the place or the sentence's country
        if (pattern is not None and pattern.conditions) or comp is not None:
            score += 0.1
        return round(min(score, 1.0), 2)


def _place_target(
    source: Optional[ActorRef], target: Optional[ActorRef], doc: Doc, *, domestic: bool = True, dissent: bool = False
) -> Optional[ActorRef]:
    """A target found in a place phrase ("in Tunis", "into Lebanon"): the country acted upon when it is foreign to
    the source (coded as the country alone, never as a city's people), no target when the source has none (a place
    is not an actor), is that country itself or has no known country (it may be at home there). In the source's own country, a source that is a part of it (its
    government, police, opposition: ``domestic_source``) acts on the country as a whole ("the Sudanese government
    lifted the curfew in Darfur" -> SDN, named as the country, not the place) when ``domestic`` allows it (not for
    violence, whose victim must be named); protesters at home (``dissent``) address its government ("students
    marched in Santiago" -> CHLGOV)."""
    if target is None or target.mention is None or not is_place_phrase(target.mention, doc):
        return target
    country = target.actor.country
    if domestic and country and source is not None and domestic_source(source, country):
        if dissent:
            return ActorRef(actor=Actor(text=country_name(country), code=country + "GOV", country=country, role="GOV"), mention=None,
                            direct=False)
        return ActorRef(actor=Actor(text=country_name(country), code=country, country=country), mention=None, direct=False)
    if source is None or not country or country == source.actor.country or not source.actor.resolved:
        return None
    return ActorRef(actor=Actor(text=target.actor.text, code=country, country=country), mention=target.mention, direct=False)


def _assault_code(
    code: str, trigger: Token, source: Optional[ActorRef], target: Optional[ActorRef], *, lexicon: Lexicon
) -> str:
    """The CAMEO code of a killing or shooting by its agent: an armed force (MIL, REB, INS, SPY) or a state named as
    such uses military force (19x, ``code`` unchanged); anyone else -- a gunman, the police, an agent the sentence
    does not name (unless the victims are soldiers) -- assaults: 1823 for a killing with a knife, 182 for a stabbing
    or a shooting, 180 for a killing whose means neither the sentence nor the few before it give (words of the
    @assault_kill / @assault_shoot / @assault_stab / @military_means directives)."""
    if code not in ("180", "190", "193"):
        return code
    lemma = trigger.lemma_.lower()
    kill, shoot, stab = lexicon.assault_kill, lexicon.assault_shoot, lexicon.assault_stab
    if lemma not in kill | shoot | {"stab", "knife"}:
        return code
    if source is not None:
        actor = source.actor
        if (actor.role or "") in _ARMED_ROLES or (actor.country and not actor.role and actor.resolved):
            return code
    elif target is not None and (target.actor.role or "") in _ARMED_ROLES:
        return code  # "two soldiers were killed": fighting, most likely
    if lemma in ("stab", "knife"):
        return "182"
    if lemma in shoot:
        return "182" if not lexicon.military_means.intersection(t.lemma_.lower() for t in trigger.sent) else code
    for words in _means_context(trigger):
        if lexicon.military_means.intersection(t.lemma_.lower() for t in words):
            return code  # "killed in tank shelling", "killed in an air strike": military force
        if stab.intersection(t.lower_ for t in words):
            return "1823"  # killed with a knife
        if shoot.intersection(t.lemma_.lower() for t in words) or shoot.intersection(t.lower_ for t in words):
            return "182"  # killed in a shooting
    return "180"


def _asks_a_question(verb: Token) -> bool:
    """The verb's clause complement is a question ("asked whether / if ...", "asked why / how ..."), not a request
    to act ("asked X to resign")."""
    for clause in children(verb, ("ccomp", "advcl")):
        for c in clause.children:
            if c.dep_ == "mark" and c.lower_ in ("whether", "if"):
                return True
            if clause.dep_ == "ccomp" and c.tag_ in ("WRB", "WP", "WDT", "WP$") and c.i < clause.i:
                return True
    return False


def _reduced_passive(tok: Token) -> bool:
    """A participle clause with no subject, auxiliary or agent ("when asked to condemn them, X ...", "if attacked, X
    ..."): the main clause's subject undergoes the act, whose doer is not said ("had attacked" is a finite clause)."""
    return (kind_of(tok) == "VERB" and tok.tag_ == "VBN" and tok.dep_ == "advcl"
            and not children(tok, ("nsubj", "nsubjpass", "agent", "aux", "auxpass")))


def _clash_code(code: str, trigger: Token, source: Optional[ActorRef], target: Optional[ActorRef]) -> str:
    """A clash in which no side is an armed force (protesters and police, rival crowds) is a violent protest (145),
    not military force (190): "clashes with counter-protesters broke out"."""
    if code != "190" or trigger.lemma_.lower() not in _CLASH_WORDS:
        return code
    sides = [ref.actor for ref in (source, target) if ref is not None and ref.mention is not None]
    if not sides or any((a.role or "") in _ARMED_ROLES or (a.country and not a.role) for a in sides):
        return code
    return _RIOT_CODE


def _means_context(trigger: Token) -> list:
    """The trigger's sentence, then up to _MEANS_CONTEXT sentences before it (nearest first)."""
    sents = [trigger.sent]
    doc = trigger.doc
    start = trigger.sent.start
    while len(sents) <= _MEANS_CONTEXT and start > 0:
        previous = doc[start - 1].sent
        sents.append(previous)
        start = previous.start
    return sents


def _implied_agent(code: str, trigger: Token) -> Optional[ActorRef]:
    """The source of an agentless event the codebook implies (UAF for violence; JUD for a charge, a jailing or a
    sentence, LEG for an impeachment, by the trigger's word; COP for other arrests), or None."""
    if code[:2] in _VIOLENT_ROOTS:
        return ActorRef(actor=_UNIDENTIFIED_ATTACKER, mention=None, direct=False)
    actor = _IMPLIED_AGENTS_BY_WORD.get(trigger.lemma_.lower()) or _IMPLIED_AGENTS.get(code)
    return ActorRef(actor=actor, mention=None, direct=False) if actor is not None else None


def _attacker(source: Optional[ActorRef], code: str) -> Optional[ActorRef]:
    """The source of an assault (18x) coded as an unidentified attacker (country + UAF) when the text gives it a
    private role ("an IT worker went on a stabbing spree" -> FRAUAF): codebook section 7, attackers."""
    if source is None or code[:2] != _ASSAULT_ROOT or source.actor.role not in _PRIVATE_ROLES:
        return source
    country = source.actor.country or ""
    return dataclasses.replace(source, actor=dataclasses.replace(source.actor, code=country + "UAF", role="UAF"))


def _protesters(source: Optional[ActorRef]) -> Optional[ActorRef]:
    """The people of a country who demonstrate ("Ruritanians have been protesting since June") are civilians:
    country + CVL (codebook 2.1: CVL are protesters; the country alone is the state or its people in general)."""
    if source is None or source.actor.role or not source.actor.country or source.actor.code != source.actor.country:
        return source
    actor = source.actor
    return dataclasses.replace(source, actor=dataclasses.replace(actor, code=actor.country + "CVL", role="CVL"))


def _policy_protest_code(code: str, trigger: Token, *, lexicon: Lexicon) -> str:
    """141 for a demonstration becomes 1412 when its aim is a policy (codebook section 7: "a rally for a policy
    1412"): the protest word (or a protest noun of the sentence: @protest_words) is "anti-X" / "X protest" / "X Y
    protest" with X an issue (@policy_issues), or protests against/over/about a policy: "marched against the new
    law", "an anti-austerity march", "her climate change protest". Actors ("anti-government", "against the
    president") and causes of another kind ("pro-democracy") keep 141."""
    if code != "141":
        return code
    nodes = [trigger] + [t for t in trigger.sent if t.lemma_.lower() in lexicon.protest_words and t.i != trigger.i]
    for node in nodes:
        issues = [c for c in node.children if c.dep_ in ("compound", "amod", "nmod")]
        issues += [g for c in issues if c.dep_ == "compound" for g in c.children if g.dep_ in ("compound", "amod")]
        issues += [c for c in node.children if c.dep_ in ("dobj", "obj") and node.pos_ == "VERB"]
        issues += preposition_objects(node, ("against", "over", "about"))
        if node is trigger:
            # what the protesters carried or said: "with slogans supporting the legalisation of abortion",
            # "protesters, carrying placards asking the government to revoke the treaty, marched"
            aims = preposition_objects(node, ("with",)) + [
                c for subj in children(node, ("nsubj",)) for c in subj.children if c.dep_ in ("acl", "relcl")
            ]
            issues += [w for aim in aims for w in aim.subtree]
        for word in issues:
            lemma = word.lemma_.lower()
            if lemma.startswith("anti-"):
                lemma = lemma[5:]
            if lemma in lexicon.policy_issues:
                return "1412"
    return code


def _party_of(sources: list[ActorRef], targets: list[ActorRef]) -> bool:
    """Some source is also one of the targets (the same code): "A signed a pact between A and B"."""
    codes = {t.actor.code for t in targets if t.actor.code}
    return any(s.actor.code in codes for s in sources if s.actor.code)


def _between_groups(targets: list[ActorRef], doc: Doc) -> set[int]:
    """The "between" prepositions the targets' mentions hang from (one per list of parties)."""
    groups = set()
    for ref in targets:
        if ref.mention is None:
            continue
        node = doc[ref.mention.start : ref.mention.end].root
        while node.lower_ != "between" and node.head.i != node.i:
            node = node.head
        groups.add(node.i if node.lower_ == "between" else -1)
    return groups


def _names_in_quotes(verb: Token) -> bool:
    """'called X "a disgrace"' / 'called X a "smash and grab"': the object is followed by a quoted description; or
    'called X a clown' when the parser folds the description into the object ("X a clown": a name followed by an
    article inside the object phrase, or an apposition to it)."""
    obj = direct_object(verb)
    if obj is None:
        return False
    doc = verb.doc
    end = min(obj.right_edge.i + 4, verb.sent.end)
    if any(t.text in QUOTE_TOKENS for t in doc[obj.i + 1 : end]):
        return True
    phrase = list(obj.subtree)
    return any(t.tag_ in ("NNP", "NNPS") and n.dep_ == "det" and n.lower_ in ("a", "an")
               for t, n in zip(phrase, phrase[1:]))


def _is_state(ref: ActorRef, doc: Doc) -> bool:
    """A state actor: a state role (GOV, MIL, ...) or a country named as such ("Russia", not "Iraqi Kurds")."""
    actor = ref.actor
    if (actor.role or "") in _STATE_ROLES:
        return True
    if actor.country and not actor.role and ref.mention is not None:
        return doc[ref.mention.end - 1].ent_type_ == "GPE"
    return False


def _names_place(ref: ActorRef, doc: Doc) -> bool:
    """The actor is a place: a country alone, or a mention whose words are all place names ("Geneva", "New York")."""
    if ref.actor.country and ref.actor.code == ref.actor.country:
        return True
    return ref.mention is not None and names_only_a_place(ref.mention, doc)


def _same_actor(source: Optional[ActorRef], target: Optional[ActorRef], doc: Doc) -> bool:
    """The target is the source itself: the source's own words (a mention overlapping the source's, the same words,
    or the same named person), or a target coded like the source without showing it is another actor.

    Two different actors of one code -- "the Polish president thanked the Polish prime minister", one lawmaker
    accusing another -- are not a self-target: an equal code stands for the same actor only when the target is not
    a mention of its own (the sentence-context fill), took its country from the source or the context ("artillery"
    of "X's forces"), or is a place ("in West Darfur State" read as the state's government)."""
    if source is None or target is None:
        return False
    same_code = bool(source.actor.code) and source.actor.code == target.actor.code
    same_country = bool(source.actor.country) and source.actor.country == target.actor.country
    if not (same_code or same_country):
        return False
    if source.mention is None or target.mention is None:
        return same_code or (bool(target.actor.text) and target.actor.text == source.actor.text)
    if source.mention.start < target.mention.end and target.mention.start < source.mention.end:
        return True
    if (target.actor.text or "").lower() == (source.actor.text or "").lower():
        return True
    if not same_code:
        return False
    if source.actor.name and source.actor.name == target.actor.name:
        return True
    words = doc[target.mention.start : target.mention.end]
    if names_only_a_place(target.mention, doc) or names_only_a_place(source.mention, doc):
        return True  # a place read as its state ("between Tokyo and Seoul") is that state, not a second actor
    if source.actor.name and target.actor.name:
        return False  # two people the text names ("the president asked his adviser Jan Kos to resign")
    own_words = target.direct and target.actor.country_source == TEXT
    return not own_words or any(t.ent_type_ in PLACE_ENTS for t in words)


def _aim_infinitive(token: Token) -> bool:
    """A "to"-infinitive of aim: modifying a noun ("an invitation to defeat X", "efforts to fight Y") or a state
    ("troops are in X to defeat Y"), not an act that happened."""
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
        return False
    if token.dep_ == "acl":
        return token.head.pos_ in ("NOUN", "PROPN")
    return token.dep_ == "advcl" and token.head.lemma_.lower() == "be"


def _means_participle(token: Token) -> bool:
    """", using a knife": the means of the act it follows, part of that act and never an event of its own."""
    return token.dep_ == "advcl" and token.tag_ == "VBG" and token.lemma_.lower() == _MEANS_VERB


def _inability(tokens: list[Token]) -> bool:
    """The predicate is negated as an inability, not a refusal: "could not agree", "cannot meet", "were unable to
    reach" (the act did not happen: NEGATED, not 12x)."""
    for token in tokens:
        if any(c.dep_ == "aux" and c.lower_ in _ABILITY_AUX for c in token.children):
            return True
        if token.dep_ == "xcomp" and token.head.lemma_.lower() in _INABILITY_GOVERNORS:
            return True
    return False


def _no_commitment(verb: Token, complement: Token) -> bool:
    """The complement of an intent predicate is no commitment of its subject: it sits in a "that"-clause with no
    will/would ("agreed that talks were needed": concurred), or in a "for" phrase of the object ("offered a reward
    for [the capture] of X": what the reward is for)."""
    node = complement
    for _ in range(8):
        if node.i == verb.i or node.head.i == node.i:
            return False
        if node.dep_ == "ccomp" and not any(is_future_aux(c, deps=_AUX_DEP) or (c.dep_ in _AUX_DEP and c.lower_ == _WOULD)
                                            for c in node.children):
            return True
        if node.dep_ == "prep" and node.lower_ == "for" and (
            node.head.i == verb.i or (node.head.dep_ in ("dobj", "obj") and node.head.head.i == verb.i)
        ):
            return True
        node = node.head
    return False


def _own_course(subject: Optional[Token], speakers: list[ActorRef], obliged: list[ActorRef], doc: Doc) -> bool:
    """A "must / should" that states the speaker's own course, not a demand on another: its subject is "I"/"we"
    ('"We must withdraw," X said'), or every obliged party is the speaker's own side (``_obliges_own_side``)."""
    if subject is not None and subject.lower_ in FIRST_PERSON:
        return True
    return _obliges_own_side(speakers, obliged, doc)


def _obliges_own_side(speakers: list[ActorRef], obliged: list[ActorRef], doc: Doc) -> bool:
    """Every party a speaker says "must / should" act is the speaker's own side: the speaker itself (a pronoun
    for it, the same code) or the speaker's country as a whole ("Britain must leave", said by its prime minister)."""
    if not speakers or not obliged:
        return False
    return all(
        _same_actor(s, o, doc) or (o.actor.code and o.actor.code in (s.actor.code, s.actor.country))
        for s in speakers for o in obliged
    )


def _action_as_subject(verb: Token) -> bool:
    """A gerund (or a "to"-infinitive) that is the subject of its clause -- "Attacking X would be a mistake",
    "Executing him will not bring her back", "To impose sanctions is pointless" -- names an action someone talks
    about, not an event that took place."""
    node = verb
    if node.dep_ == "conj" and node.head.tag_ == node.tag_:
        node = node.head  # "Attacking and occupying X ..."
    if node.dep_ not in ("csubj", "csubjpass", "nsubj", "nsubjpass"):
        return False
    if any(c.dep_ in ("nsubj", "nsubjpass") and c.i != node.i for c in [*node.head.children, *node.children]):
        return False  # a subject of its own, or a clause with its subject already: a misparsed participle
    return node.tag_ == "VBG" or (node.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children))


def _circumstance_clause(clause: Token) -> bool:
    """An adverbial clause of time, cause or condition ("when the council met", "until X resigned", "because ...")
    or a participle beside the predicate ("..., challenging X"): a circumstance, not what is planned or asked (a
    "to" or "for X to" clause is: "pushing for the US [to] support")."""
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children):
        return False
    if any(c.dep_ == "mark" and c.lower_ in ("for", "that") for c in clause.children):
        return False
    if any(c.dep_ == "mark" or (c.dep_ == "advmod" and c.tag_ == "WRB") for c in clause.children):
        return True
    return clause.tag_ == "VBG"


def _joins_the_protest(tok: Token) -> bool:
    """Joining, attending or taking part in *the* protest (a definite one, told before in the article): "thousands of
    Swedes joined the protest", "60,000 visitors attended the rally", "four million took part in the protests". The
    protest is one event, coded where the article reports it; the crowd joining it is no second one."""
    if kind_of(tok) == "VERB":
        verb, noun = tok, direct_object(tok)
    else:
        noun = tok
        verb = tok.head.head if tok.dep_ == "pobj" and tok.head.dep_ == "prep" else tok.head
    if noun is None or verb.lemma_.lower() not in _PARTICIPATION_VERBS:
        return False
    if verb.lemma_.lower() == "take" and not any(c.lemma_.lower() == "part" for c in verb.children):
        return False
    return any(c.dep_ == "det" and c.lower_ == "the" for c in noun.children)


def _purpose_only(verb: Token) -> bool:
    """The "to"-infinitive of a participle of purpose or requirement -- "an attack designed to intimidate", "a
    majority is needed to impeach", "laws meant to deter" -- tells what an act is for or what it takes, not an act."""
    node = verb.head if verb.dep_ == "conj" and verb.head.tag_ == verb.tag_ else verb
    if node.dep_ not in ("xcomp", "advcl") or not any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children):
        return False
    return node.head.tag_ == "VBN" and node.head.lemma_.lower() in _PURPOSE_PARTICIPLES


def _indirect_question(verb: Token) -> bool:
    """A reported question -- "did not say whom they would support", "asked what the army would attack" -- asks
    about an act, it does not report one."""
    node = verb.head if verb.dep_ == "conj" and verb.head.tag_ == verb.tag_ else verb
    return node.dep_ in ("ccomp", "xcomp") and any(
        c.tag_ == "WP" and c.i < node.i and c.dep_ in ("dobj", "obj", "nsubj", "nsubjpass", "dative") for c in node.children
    )


def _definition_clause(verb: Token) -> bool:
    """A relative clause defining a procedure -- "impeachment is the process by which an official can be removed"
    -- states a rule, not an event."""
    node = verb.head if verb.dep_ == "conj" and verb.head.tag_ == verb.tag_ else verb
    return node.dep_ == "relcl" and node.head.lemma_.lower() in _PROCEDURE_NOUNS


def _background_noun(noun: Token) -> bool:
    """An event noun that only recalls an earlier event or names a consequence (codebook 7 and 7.1, point 9): "its
    recent attack on cargo ships", "the earlier talks", "the protests resulted in his arrest", "the vote led to a
    coup". A noun that is the subject of its clause is reported as happening and stays an event."""
    node = noun.head if noun.dep_ in ("compound", "amod") and noun.head.pos_ in ("NOUN", "PROPN") else noun
    if node.dep_ in ("nsubj", "nsubjpass"):
        return False
    if any(c.dep_ == "amod" and c.lower_ in _RECALLED_MODIFIERS for c in node.children):
        return True
    return (node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.lower_ in ("in", "to")
            and node.head.head.lemma_.lower() in _CONSEQUENCE_VERBS)


def _asked_in_request(reply: Token) -> Optional[Token]:
    """The object of the verb a reply is conjoined to ("asked [the judge] to wait, but he declined"), or None
    when ``reply`` is no verb conjoined to a verb."""
    if reply.dep_ != "conj" or kind_of(reply) != "VERB" or kind_of(reply.head) != "VERB":
        return None
    return direct_object(reply.head)


def _spans(refs: list[ActorRef]) -> set:
    """The token spans of the mentions of ``refs``."""
    return {(r.mention.start, r.mention.end) for r in refs if r.mention is not None}


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def _named(actor) -> bool:
    """An actor with a country, or an organisation code (IGO, NGO, ...), not a bare role ("a soldier")."""
    return actor is not None and actor.resolved and bool(actor.country or actor.code[:3] in STATELESS_ROLES)


def _dedupe(events: list[EventMatch]) -> list[EventMatch]:
    with_target = {(e.cameo_code, e.source.code if e.source else None) for e in events if e.target is not None}
    events = [e for e in events if e.target is not None or (e.cameo_code, e.source.code if e.source else None) not in with_target]
    seen = set()
    out = []
    for event in events:
        key = (
            event.head,
            event.cameo_code,
            event.source.code if event.source else None,
            event.source.text if event.source else None,
            event.target.code if event.target else None,
            event.target.text if event.target else None,
        )
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out
