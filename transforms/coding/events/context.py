"""Country context for actors the ActorCoder resolved only partly.

CAMEO-style coding gives every actor a country when the sentence makes it clear: "Judge X opened an
investigation against Chilean officials" (a judge, in a sentence about Chile), "police dispersed the
protesters" (protesters of the police's country). These helpers fill the country of such actors from the
sentence; they never override a country the ActorCoder found.
"""
from __future__ import annotations

import functools
from typing import Optional

from spacy.tokens import Span, Token

from transforms.coding.events.matcher import CIRCUMSTANCE_PREPS, ActorRef, MentionIndex, is_place_phrase
from transforms.coding.model import CONTEXT, Actor, ActorMention
from transforms.coding.syntax import argument_scope, in_scope

# Roles that are not bound to a country.
STATELESS_ROLES = frozenset({"IGO", "NGO", "IMG", "MNC", "UIS"})


def sentence_countries(sent: Span, index: MentionIndex) -> dict[str, str]:
    """Distinct countries of the resolved actor mentions of a sentence (ISO3 -> words of its first mention),
    in order of appearance.

    sent: The sentence.
    index: The document's mentions.
    """
    seen: dict[str, str] = {}
    for mention in index.mentions:
        if sent.start <= mention.start and mention.end <= sent.end and mention.actor.country and not _carried_nationality(
                mention.actor):
            seen.setdefault(mention.actor.country, mention.actor.text)
    return seen


# private people whose country the article gave earlier (a suspect's stated nationality) do not place the other
# actors of a sentence: "police detained the man, identified as [the Osterlich national] Jan Kos" = RURCOP (codebook
# 7.1 (3): an Osterlich national arrested in Ruritania)
_PRIVATE_PERSON_ROLES = frozenset({"CVL", "CRM", "UAF"})


def _carried_nationality(actor: Actor) -> bool:
    return actor.country_source == CONTEXT and actor.role in _PRIVATE_PERSON_ROLES


def target_countries(sent: Span, index: MentionIndex) -> dict[str, list]:
    """Resolved actor mentions of the sentence by country, leaving out places named in locative phrases ("in
    Pakistan"): the actors that may stand as the target of an event that names none."""
    out: dict[str, list] = {}
    for m in index.mentions:
        if sent.start <= m.start and m.end <= sent.end and m.actor.country and not is_place_phrase(m, sent.doc):
            out.setdefault(m.actor.country, []).append(m)
    return out


def reachable_targets(targets: dict[str, list], *, trigger: Token, sources: list[ActorRef]) -> dict[str, list]:
    """The candidates of ``target_countries`` that may stand for the unnamed counterpart of the event at
    ``trigger``: actors of the event's own clause (``syntax.argument_scope`` / ``syntax.in_scope``), not the
    participants of another clause inside it ("the martial law imposed by X", "until X joined", the speaker of
    "according to X"), and not the source's own phrase: its conjuncts (co-agents: "criticism by X and Y") or
    what modifies it ("X, which is linked to Y").

    targets: ``target_countries`` of the sentence.
    trigger: The event's head token.
    sources: The event's source actors.
    """
    doc = trigger.doc
    scope = argument_scope(trigger)
    source_heads = [_head(r.mention, doc) for r in sources if r.mention is not None]
    actor_tokens = {i for mentions in targets.values() for m in mentions for i in range(m.start, m.end)}
    out: dict[str, list] = {}
    for country, mentions in targets.items():
        kept = [
            m for m in mentions
            if in_scope(scope, _head(m, doc), along=trigger) and not any(_inside(_head(m, doc), s) for s in source_heads)
            and not _qualifies_actor(_head(m, doc), actor_tokens) and not _in_circumstance(_head(m, doc), scope)
        ]
        if kept:
            out[country] = kept
    return out


def _in_circumstance(tok: Token, scope: Token) -> bool:
    """``tok`` lies in a circumstance phrase of the clause ("following the UK's vote", "after clashes with X",
    "despite X's objections"): the time or cause of the event, not its counterpart."""
    for node in (tok, *tok.ancestors):
        if node.i == scope.i:
            return False
        if node.dep_ == "prep" and node.lower_ in CIRCUMSTANCE_PREPS:
            return True
    return False


def _qualifies_actor(tok: Token, actor_tokens: set) -> bool:
    """``tok`` only qualifies another actor's noun: its possessor ("the party's leader") or its "of" complement
    ("the Prime Minister of Great Britain"), where that noun is an actor mention of its own (``actor_tokens``)."""
    if tok.dep_ == "poss":
        owner = tok.head
    elif tok.dep_ == "pobj" and tok.head.lower_ == "of":
        owner = tok.head.head
    else:
        return False
    return owner.i in actor_tokens


def _head(mention: ActorMention, doc) -> Token:
    return doc[mention.start : mention.end].root


def _inside(tok: Token, source: Token) -> bool:
    """``tok`` is part of the phrase of ``source``: a conjunct of it or a word of its subtree."""
    return tok.i == source.i or source in tok.ancestors or tok in source.conjuncts


@functools.lru_cache(maxsize=None)
def country_name(iso3: str) -> str:
    """The common English name of a country ("Sudan" for SDN); the code itself when pycountry does not know it."""
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    return (getattr(country, "common_name", None) or country.name) if country is not None else iso3


def domestic_source(ref: Optional[ActorRef], country: str) -> bool:
    """``ref`` is one part of ``country`` (its government, police, army, opposition ...), not the country itself:
    the country as a whole is another actor than the source (PLOVER's convention for domestic events acted out
    in a place of the source's own country, see ``event_coder._place_target``)."""
    if ref is None or ref.mention is None:
        return False
    actor = ref.actor
    role = actor.role
    if role is None and actor.code and actor.code.isalpha() and len(actor.code) == 3 and actor.code.isupper():
        role = actor.code if actor.code != actor.country else None
    own = actor.country or (country if needs_country(ref) else None)
    return own == country and bool(role) and role not in STATELESS_ROLES


def with_country(ref: ActorRef, country: str) -> ActorRef:
    """A copy of ``ref`` whose actor has ``country`` (code = country + role when the role is known)."""
    actor = ref.actor
    role = actor.role
    if role is None and actor.code and actor.code.isalpha() and len(actor.code) == 3 and actor.code.isupper():
        role = actor.code
    code = country + (role or "") if role else country
    return ActorRef(actor=Actor(text=actor.text, code=code, country=country, role=role, name=actor.name), mention=ref.mention, direct=False)


def needs_country(ref: Optional[ActorRef]) -> bool:
    """True for an actor mention without a country that may belong to one; not a name the coder did not know (a
    person, a website): with no role, the country alone would make it the state (codebook 2.1)."""
    if ref is None or ref.mention is None or ref.actor.country:
        return False
    if not (ref.actor.role or ref.actor.code) and _name_like(ref.actor.text):
        return False  # an unknown name ("Pierce", "Wikinews"): the country alone would make it the state
    code = ref.actor.code or ""
    role = ref.actor.role or ""
    return not (code.startswith(tuple(STATELESS_ROLES)) or role in STATELESS_ROLES)


def _name_like(text: str) -> bool:
    """Every word of the mention is capitalised (a proper name), leaving out a leading article."""
    words = [w for w in text.split() if w.lower() != "the"]
    return bool(words) and all(w[:1].isupper() for w in words)


def fill_countries(
    source: Optional[ActorRef],
    target: Optional[ActorRef],
    *,
    context: dict[str, str],
    proper_target: bool,
    place: Optional[str] = None,
    targets: Optional[dict[str, list]] = None,
) -> tuple[Optional[ActorRef], Optional[ActorRef]]:
    """Complete an event's actors from the sentence's country context.

    - no target, and the sentence names exactly one country: the event is coded against that country (CAMEO's
      convention for domestic events: "rebels in X blocked the roads" -> X);
    - a source without a country in a one-country sentence gets that country;
    - a target without a country gets the country of the place the event happens in ("bombers killed 23 people
      in Tel Aviv"), else the source's country (domestic: "police arrested the protesters"), unless it is a
      proper name the ActorCoder did not know.

    source, target: The event's actors.
    context: ``sentence_countries`` of the sentence.
    targets: ``target_countries`` of the sentence, narrowed to the event's own clause by ``reachable_targets``: a
        missing target is filled with another actor of the one country (never the source itself, never a place
        phrase); None keeps the country-only fill.
    proper_target: The target mention is an unknown proper name.
    place: Country of the place phrase of the event's predicate, if any.
    """
    only = next(iter(context)) if len(context) == 1 else None
    if target is None and source is not None and source.mention is not None and only is not None:
        if targets is None:
            target = ActorRef(actor=Actor(text=context[only], code=only, country=only), mention=None, direct=False)
        else:
            others = [m for m in targets.get(only, [])
                      if not (m.start < source.mention.end and source.mention.start < m.end) and m.actor.code != source.actor.code]
            if others:
                target = ActorRef(actor=others[0].actor, mention=others[0], direct=False)
    if needs_country(source) and only is not None:
        source = with_country(source, only)
    if needs_country(target) and not proper_target:
        if place is not None:
            target = with_country(target, place)
        elif source is not None and source.actor.country:
            target = with_country(target, source.actor.country)
        elif only is not None:
            target = with_country(target, only)
    return source, target


#: roles whose protests address their own country's government when the sentence names no addressee
DISSENT_ROLES = frozenset({"CVL", "EDU", "LAB", "AGR", "REL", "HLH", "OPP", "MED", "BUS", "REF", "NGO"})


def dissent_target(code: str, source: Optional[Actor], target: Optional[Actor]) -> Optional[Actor]:
    """The addressee of a protest (14x) that names none: the government of the protesters' own country (codebook
    section 3, "protesters rallied against the government" = CVL -> GOV). ``target`` unchanged otherwise, and when
    the protesters' country is unknown."""
    if target is not None or source is None or not code.startswith("14") or not source.country:
        return target
    if source.role not in DISSENT_ROLES:
        return target
    country = source.country
    return Actor(text=country_name(country), code=country + "GOV", country=country, role="GOV", country_source=CONTEXT)
