"""Country context for actors the ActorCoder resolved only partly.

CAMEO-style coding gives every actor a country when the sentence makes it clear: "Judge X opened an
investigation against Chilean officials" (a judge, in a sentence about Chile), "police dispersed the
protesters" (protesters of the police's country). These helpers fill the country of such actors from the
sentence; they never override a country the ActorCoder found.
"""
from __future__ import annotations

from typing import Optional

from spacy.tokens import Span

from transforms.coding.events.matcher import ActorRef, MentionIndex
from transforms.coding.model import Actor

# Roles that are not bound to a country.
STATELESS_ROLES = frozenset({"IGO", "NGO", "IMG", "MNC", "UIS"})


def sentence_countries(sent: Span, index: MentionIndex) -> list[str]:
    """Distinct countries of the resolved actor mentions of a sentence, in order of appearance.

    sent: The sentence.
    index: The document's mentions.
    """
    seen: list[str] = []
    for mention in index.mentions:
        if sent.start <= mention.start and mention.end <= sent.end and mention.actor.country:
            if mention.actor.country not in seen:
                seen.append(mention.actor.country)
    return seen


def with_country(ref: ActorRef, country: str) -> ActorRef:
    """A copy of ``ref`` whose actor has ``country`` (code = country + role when the role is known)."""
    actor = ref.actor
    role = actor.role
    if role is None and actor.code and actor.code.isalpha() and len(actor.code) == 3 and actor.code.isupper():
        role = actor.code
    code = country + (role or "") if role else country
    return ActorRef(Actor(text=actor.text, code=code, country=country, role=role, name=actor.name), ref.mention, False)


def needs_country(ref: Optional[ActorRef]) -> bool:
    """True for an actor mention without a country that may belong to one."""
    if ref is None or ref.mention is None or ref.actor.country:
        return False
    code = ref.actor.code or ""
    role = ref.actor.role or ""
    return not (code.startswith(tuple(STATELESS_ROLES)) or role in STATELESS_ROLES)


def fill_countries(
    source: Optional[ActorRef], target: Optional[ActorRef], *, context: list[str], proper_target: bool
) -> tuple[Optional[ActorRef], Optional[ActorRef]]:
    """Give country-less actors the sentence's country.

    source, target: The event's actors.
    context: ``sentence_countries`` of the sentence.
    proper_target: The target mention is a proper name (names the ActorCoder did not know are left alone).
    """
    if target is None and source is not None and len(context) == 1 and source.mention is not None:
        # no counterpart named: CAMEO codes the event against the country it happens in
        target = ActorRef(Actor(text=context[0], code=context[0], country=context[0]), None, False)
    if needs_country(source) and len(context) == 1:
        source = with_country(source, context[0])
    if needs_country(target) and not proper_target:
        if source is not None and source.actor.country:
            target = with_country(target, source.actor.country)  # domestic: "police arrested protesters"
        elif len(context) == 1:
            target = with_country(target, context[0])
    return source, target
