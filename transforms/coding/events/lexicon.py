"""The event pattern lexicon: parsing and validating ``data/event_patterns.txt`` (and user pattern files).

The format is documented in the header of the data file and in ``data/README.md``. Everything here is plain
data; the dependency-parse matching lives in ``matcher.py``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
import re
from typing import Iterable, Optional

from transforms.coding import startup_cache
from transforms.coding.data_files import read_data_file
from transforms.coding.errors import DataFileError
from transforms.coding.taxonomy import Taxonomy

DEFAULT_PATTERNS_FILE = "event_patterns.txt"
# second tier: the PETRARCH2 verb dictionary converted by tools/convert_petrarch_verbs.py (MIT; notice in the file)
DICTIONARY_PATTERNS_FILE = "event_patterns_petrarch.txt"
OWN, DICTIONARY = "own", "dictionary"
TRIGGER_KINDS = {"v": "VERB", "n": "NOUN", "a": "ADJ"}
CONDITION_KEYS = ("obj", "prep", "prt", "mod", "xcomp", "subj", "smod", "comp")
# complement-taking frames (pattern flags "+intent", ...); each but FUTURE and SCHEDULED names an @map table too
INTENT, FUTURE_FRAME, SCHEDULED, THREAT, REJECT, DEMAND, APPEAL, CONSIDER, DENY, ORDER = (
    "intent", "future", "scheduled", "threat", "reject", "demand", "appeal", "consider", "deny", "order"
)
FRAME_FLAGS = (INTENT, FUTURE_FRAME, SCHEDULED, THREAT, REJECT, DEMAND, APPEAL, CONSIDER, DENY, ORDER)
# frames that code only through a coded complement ("considered [imposing sanctions]", "denied that it [supplied]
# drones", "ordered [the arrest] of X"): with none, the predicate is no event ("considered leaving", "denied being
# tired", "ordered a new trial")
COMPLEMENT_ONLY_FRAMES = frozenset({CONSIDER, DENY, ORDER})
# word-list directives of a patterns file -> the Lexicon attribute (a set of lemmas or word forms) they fill
WORD_LIST_DIRECTIVES = {
    "@light": "light_verbs", "@speech": "speech_verbs", "@not_violence": "not_violence",
    "@allege": "allegation_verbs", "@campaign": "campaign_words", "@dissent": "dissent_words",
    "@assault_kill": "assault_kill", "@assault_shoot": "assault_shoot", "@assault_stab": "assault_stab",
    "@military_means": "military_means", "@protest_words": "protest_words", "@policy_issues": "policy_issues",
    "@pressure": "pressure_words",
}
# "+recip": the event holds both ways between its actors ("X and Y met")
RECIPROCAL = "recip"
FLAGS = frozenset(FRAME_FLAGS + (RECIPROCAL,))
MAP_NAMES = frozenset(FRAME_FLAGS) - {FUTURE_FRAME, SCHEDULED}
# frames that look through to the event of their complement ("agreed to [meet]", "is due to [visit]")
PLAN_FRAMES = frozenset({INTENT, FUTURE_FRAME, SCHEDULED})
# frames whose own code comes first when a frame and its complement are the same event ("demanded [withdrawal]")
REQUEST_FRAMES = frozenset({DEMAND, APPEAL, REJECT})
NAMED_TARGETS = frozenset({"obj", "dative", "author", "ccsubj", "poss"})
DEFAULT_TARGETS = {
    "VERB": ("obj", "dative", "with", "to", "against", "on"),
    "ADJ": ("to", "with"),
    "NOUN": ("with", "on", "against", "to", "between", "of"),
}
_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")
_CODE = re.compile(r"^\d{2,4}$")
_SCORE = re.compile(r"(?<![\d,.])\d{1,2} ?[-\u2013] ?\d{1,2}(?![\d,.])")  # a match score ("2-1"), not a year range
_WORD = re.compile(r"^[a-z0-9@*][a-z0-9'\-]*$")
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ying", "ie"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
             ("es", ""), ("es", "e"), ("s", ""), ("d", ""))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Condition:
    """One pattern condition. key: obj|prep|prt|mod|xcomp|subj|smod|comp; arg: preposition for prep; values: lemmas
    (empty = any); negated: the condition must NOT hold."""

    key: str
    values: frozenset
    arg: str = ""
    negated: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class Pattern:
    """One lexicon rule (see the data file header for the meaning of each field)."""

    pattern_id: str
    code: str
    kind: str  # VERB | NOUN | ADJ
    lemmas: frozenset
    conditions: tuple
    targets: tuple
    flags: frozenset
    source: str  # "path:line"
    tier: str = OWN  # OWN (built-in or user file) | DICTIONARY (converted PETRARCH2 verb dictionary)

    @property
    def frame(self) -> Optional[str]:
        """The complement-taking flag of the pattern (intent, threat, ...), or None."""
        for flag in FRAME_FLAGS:
            if flag in self.flags:
                return flag
        return None

    @property
    def specificity(self) -> int:
        # specific positive conditions count most, wildcards ("obj=*") and negated conditions least
        return sum(1 if c.negated or not (c.values or c.key in ("prep", "prt")) else 3 for c in self.conditions)


class Lexicon:
    """All patterns and directives, validated against the taxonomy. Build with ``Lexicon.load``."""

    def __init__(self) -> None:
        self.patterns: list[Pattern] = []
        self.light_verbs: set[str] = set()
        self.speech_verbs: set[str] = set()
        self.maps: dict[str, dict[str, str]] = {name: {} for name in MAP_NAMES}
        self.irregular: dict[str, str] = {}  # word form -> lemma
        self.not_violence: set[str] = set()  # @not_violence: sentence words that rule out violence codes
        self.allegation_verbs: set[str] = set()  # @allege: what their clause reports is not established fact
        self.campaign_words: set[str] = set()  # @campaign: a rally in a sentence with one is electioneering
        self.dissent_words: set[str] = set()  # @dissent: ... unless the rally is called one of these
        self.assault_kill: set[str] = set()  # @assault_kill: verbs of killing whose code depends on the means
        self.assault_shoot: set[str] = set()  # @assault_shoot: words of shooting (182 by a non-military attacker)
        self.assault_stab: set[str] = set()  # @assault_stab: word forms of stabbing (a killing with them: 1823)
        self.military_means: set[str] = set()  # @military_means: words that make a killing military force (19x)
        self.protest_words: set[str] = set()  # @protest_words: nouns and verbs naming a demonstration
        self.policy_issues: set[str] = set()  # @policy_issues: aims that make a demonstration a rally for policy (1412)
        self.pressure_words: set[str] = set()  # @pressure: a resignation in a sentence with one was under pressure
        self._index: dict[tuple[str, str], list[Pattern]] = {}

    @classmethod
    def load(
        cls, *, taxonomy: Taxonomy, patterns_file: Optional[str] = None, dictionary: bool = True
    ) -> "Lexicon":
        """Read the built-in lexicon plus an optional user file (whose patterns take precedence), then the
        second-tier dictionary patterns (tried only after every own pattern of a trigger word failed). The result
        is kept in the start-up cache (``transforms/coding/startup_cache.py``), keyed by the files' contents and
        the taxonomy's codes.

        taxonomy: Codes every pattern and map must use.
        patterns_file: Optional user file in the same format.
        dictionary: Also load ``data/event_patterns_petrarch.txt`` (the converted PETRARCH2 verb dictionary).
        """
        key = None
        if startup_cache.cache_dir() is not None:
            data = importlib.resources.files("transforms.coding") / "data"
            files = [str(data / DEFAULT_PATTERNS_FILE), str(data / DICTIONARY_PATTERNS_FILE) if dictionary else None,
                     patterns_file]
            codes = hashlib.sha1(" ".join(sorted(entry.code for entry in taxonomy)).encode()).hexdigest()
            key = startup_cache.fingerprint(files=files, parts=[f"dictionary={dictionary}", f"taxonomy={codes}"])
        return startup_cache.read_or_build(
            "event-lexicon", key,
            lambda: cls.build(taxonomy=taxonomy, patterns_file=patterns_file, dictionary=dictionary), cls,
        )

    @classmethod
    def build(
        cls, *, taxonomy: Taxonomy, patterns_file: Optional[str] = None, dictionary: bool = True
    ) -> "Lexicon":
        """Parse the lexicon files (what :meth:`load` does without the start-up cache; same arguments)."""
        lexicon = cls()
        resource = importlib.resources.files("transforms.coding") / "data" / DEFAULT_PATTERNS_FILE
        builtin = lexicon._parse(resource.read_text(encoding="utf-8"), str(resource), taxonomy)
        second: list[Pattern] = []
        if dictionary:
            extra = importlib.resources.files("transforms.coding") / "data" / DICTIONARY_PATTERNS_FILE
            second = lexicon._parse(extra.read_text(encoding="utf-8"), str(extra), taxonomy, known=builtin, tier=DICTIONARY)
        user: list[Pattern] = []
        if patterns_file is not None:
            text = read_data_file(patterns_file, what="patterns file")
            user = lexicon._parse(text, patterns_file, taxonomy, known=builtin + second)
        lexicon.patterns = user + builtin + second
        lexicon._build_index(len(user), len(user) + len(builtin))
        return lexicon

    # ------------------------------------------------------------------ lookup
    def lookup(self, kind: str, lemma: str) -> list[Pattern]:
        """Patterns for a trigger word, most specific first.

        kind: VERB, NOUN or ADJ.
        lemma: Lower-case lemma.
        """
        return self._index.get((kind, lemma), [])

    def frames_of(self, kind: str, lemma: str) -> set[str]:
        """The complement-taking frames (intent, future, ...) of the patterns of a trigger word."""
        return {p.frame for p in self.lookup(kind, lemma) if p.frame is not None}

    def trigger_lemmas(self) -> set[str]:
        """Every trigger lemma of every pattern."""
        return {lemma for kind, lemma in self._index}

    def candidate_lemmas(self, word: str) -> set[str]:
        """Possible lemmas of a lower-case word form: the word, de-inflected forms and irregular forms."""
        out = {word}
        if word in self.irregular:
            out.add(self.irregular[word])
        for suffix, repl in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 2:
                stem = word[: -len(suffix)] + repl
                out.add(stem)
                if len(stem) > 3 and stem[-1] == stem[-2] and suffix in ("ing", "ed"):
                    out.add(stem[:-1])  # "shelled" -> "shell" already; "planned" -> "plan"
        return out

    def outside_violence(self, sent) -> bool:
        """The sentence is about sport, a disaster or an accident (an @not_violence word, or a score "2-1")."""
        if any(token.lemma_.lower() in self.not_violence or token.lower_ in self.not_violence for token in sent):
            return True
        return bool(_SCORE.search(sent.text))

    def campaign(self, sent) -> bool:
        """The sentence is about electioneering (an @campaign word: "candidate", "campaign rally")."""
        return any(token.lemma_.lower() in self.campaign_words or token.lower_ in self.campaign_words for token in sent)

    def under_pressure(self, sent) -> bool:
        """The sentence tells of pressure on someone (an @pressure word: "amid protests", "calls to resign", "forced
        out"): a resignation in it is 0831 (codebook 7.1, point 7); without one it is no event."""
        return any(token.lemma_.lower() in self.pressure_words or token.lower_ in self.pressure_words for token in sent)

    def map_code(self, name: str, code: str) -> str:
        """Re-code ``code`` with the @map table ``name`` (longest matching prefix; ``*`` fallback).

        name: intent | threat | reject | demand | appeal | consider | deny | order.
        code: A CAMEO code.
        """
        table = self.maps.get(name, {})
        for length in range(len(code), 1, -1):
            value = table.get(code[:length])
            if value is not None:
                return code if value == "keep" else value
        value = table.get("*")
        return code if value in (None, "keep") else value

    # ------------------------------------------------------------------ parsing
    def _build_index(self, n_user: int, n_own: Optional[int] = None) -> None:
        index: dict[tuple[str, str], list[tuple]] = {}
        n_own = len(self.patterns) if n_own is None else n_own
        for order, pattern in enumerate(self.patterns):
            rank = 0 if order < n_user else 1 if order < n_own else 2
            for lemma in pattern.lemmas:
                index.setdefault((pattern.kind, lemma), []).append((rank, -pattern.specificity, order, pattern))
        self._index = {key: [item[-1] for item in sorted(items, key=lambda t: t[:3])] for key, items in index.items()}

    def _parse(
        self, text: str, path: str, taxonomy: Taxonomy, known: Iterable[Pattern] = (), tier: str = OWN
    ) -> list[Pattern]:
        patterns: list[Pattern] = []
        seen = {p.pattern_id: p.source for p in known}
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
            if not line:
                continue
            fields = line.split()
            if fields[0].startswith("@"):
                if tier == DICTIONARY and fields[0] != "@forms":
                    raise DataFileError(path, lineno, "the dictionary tier may only hold patterns and @forms")
                self._directive(fields, path, lineno, taxonomy, override=tier != DICTIONARY)
                continue
            pattern = _parse_pattern(fields, path, lineno, taxonomy)
            if tier != OWN:
                # light and speech verbs are grammar here ("held talks", "said it would"): the own lexicon's
                # directives decide what they govern, never a dictionary verb-object phrase
                lemmas = pattern.lemmas - self.light_verbs - self.speech_verbs
                if not lemmas:
                    continue
                pattern = dataclasses.replace(pattern, tier=tier, lemmas=frozenset(lemmas))
            if pattern.pattern_id in seen:
                raise DataFileError(path, lineno, f"duplicate pattern id {pattern.pattern_id!r} (first at {seen[pattern.pattern_id]})")
            seen[pattern.pattern_id] = pattern.source
            patterns.append(pattern)
        return patterns

    def _directive(self, fields: list[str], path: str, lineno: int, taxonomy: Taxonomy, override: bool = True) -> None:
        name = fields[0]
        if name in WORD_LIST_DIRECTIVES:
            if len(fields) < 2:
                raise DataFileError(path, lineno, f"{name} needs a comma-separated list of lemmas")
            words = {w for field in fields[1:] for w in field.lower().split(",") if w}
            getattr(self, WORD_LIST_DIRECTIVES[name]).update(words)
        elif name == "@map":
            if len(fields) < 3 or fields[1] not in MAP_NAMES:
                raise DataFileError(path, lineno, f"@map needs a name ({', '.join(sorted(MAP_NAMES))}) and PREFIX=CODE items")
            table = self.maps[fields[1]]
            for item in fields[2:]:
                prefix, _, value = item.partition("=")
                if not value or not (prefix == "*" or _CODE.match(prefix)):
                    raise DataFileError(path, lineno, f"bad @map item {item!r}: expected PREFIX=CODE, e.g. 04=036")
                if value != "keep" and value not in taxonomy:
                    raise DataFileError(path, lineno, f"@map {fields[1]}: code {value!r} is not in the CAMEO taxonomy")
                table[prefix] = value
        elif name == "@forms":
            if len(fields) != 3:
                raise DataFileError(path, lineno, "@forms needs a lemma and a comma-separated list of forms")
            for form in fields[2].lower().split(","):
                if form and (override or form not in self.irregular):
                    self.irregular[form] = fields[1].lower()
        else:
            known = ", ".join([*WORD_LIST_DIRECTIVES, "@map", "@forms"])
            raise DataFileError(path, lineno, f"unknown directive {name!r} (known: {known})")


def _parse_pattern(fields: list[str], path: str, lineno: int, taxonomy: Taxonomy) -> Pattern:
    if len(fields) < 3:
        raise DataFileError(path, lineno, "a pattern needs at least ID CODE TRIGGER (e.g. 'my.visit 042 v:visit')")
    pattern_id, code, trigger = fields[:3]
    if not _ID.match(pattern_id):
        raise DataFileError(path, lineno, f"bad pattern id {pattern_id!r}: use letters, digits, '_', '.', '-'")
    if not _CODE.match(code):
        raise DataFileError(path, lineno, f"bad CAMEO code {code!r}: expected 2-4 digits")
    if code not in taxonomy:
        raise DataFileError(path, lineno, f"CAMEO code {code!r} is not in the taxonomy")
    kind_letter, _, lemma_list = trigger.partition(":")
    if kind_letter not in TRIGGER_KINDS or not lemma_list:
        raise DataFileError(path, lineno, f"bad trigger {trigger!r}: expected v:LEMMA[,LEMMA], n:... or a:...")
    lemmas = frozenset(w for w in lemma_list.lower().split(",") if w)
    for lemma in lemmas:
        if not _WORD.match(lemma) or lemma.startswith(("@", "*")):
            raise DataFileError(path, lineno, f"bad trigger lemma {lemma!r}")
    conditions: list[Condition] = []
    targets: tuple = ()
    flags: set[str] = set()
    rest = fields[3:]
    i = 0
    while i < len(rest):
        field = rest[i]
        if field == ">":
            if i + 1 >= len(rest):
                raise DataFileError(path, lineno, "'>' must be followed by a comma-separated list of target places")
            targets = tuple(t for t in rest[i + 1].lower().split(",") if t)
            for target in targets:
                if target not in NAMED_TARGETS and not target.isalpha():
                    raise DataFileError(path, lineno, f"bad target place {target!r}")
            i += 2
            continue
        if field.startswith("+"):
            flag = field[1:]
            if flag not in FLAGS:
                raise DataFileError(path, lineno, f"unknown flag {field!r} (known: {', '.join('+' + f for f in sorted(FLAGS))})")
            flags.add(flag)
            i += 1
            continue
        conditions.append(_parse_condition(field, path, lineno))
        i += 1
    if sum(1 for f in flags if f in FRAME_FLAGS) > 1:
        raise DataFileError(path, lineno, "a pattern can have only one of " + ", ".join("+" + f for f in FRAME_FLAGS))
    kind = TRIGGER_KINDS[kind_letter]
    return Pattern(
        pattern_id=pattern_id,
        code=code,
        kind=kind,
        lemmas=lemmas,
        conditions=tuple(conditions),
        targets=targets or DEFAULT_TARGETS[kind],
        flags=frozenset(flags),
        source=f"{path}:{lineno}",
    )


def _parse_condition(field: str, path: str, lineno: int) -> Condition:
    negated = field.startswith("!")
    body = field[1:] if negated else field
    key, eq, value = body.partition("=")
    if key not in CONDITION_KEYS or not eq or not value:
        raise DataFileError(
            path, lineno, f"bad condition {field!r}: expected KEY=VALUES with KEY one of {', '.join(CONDITION_KEYS)}"
        )
    arg = ""
    if key == "prep":
        arg, _, value = value.partition(":")
        preps = [p for p in arg.split(",") if p]
        if not preps or not all(p.isalpha() for p in preps):
            raise DataFileError(path, lineno, f"bad preposition in {field!r}")
        values = frozenset(w for w in value.lower().split(",") if w)
        return Condition(key="prep", values=values, arg=arg.lower(), negated=negated)
    values = frozenset(w for w in value.lower().split(",") if w)
    for word in values:
        if not _WORD.match(word) or (word.startswith("@") and word != "@actor"):
            raise DataFileError(path, lineno, f"bad value {word!r} in condition {field!r}")
    if "*" in values:
        values = frozenset()
    return Condition(key=key, values=values, negated=negated)
