"""The event coder: CAMEO/PLOVER events from the dependency parse, driven by the pattern lexicon.

``EventCoder`` (event_coder.py) is the public entry point; ``lexicon.py`` parses and validates the pattern
files; ``matcher.py`` holds the grammar (subjects, passives, quotes, complements, conjunctions, modality);
``context.py`` completes actors from the sentence's country context (CAMEO coding conventions).
"""
from transforms.coding.events.event_coder import EventCoder
from transforms.coding.events.lexicon import Lexicon, Pattern

__all__ = ["EventCoder", "Lexicon", "Pattern"]
