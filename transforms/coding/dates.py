"""Event dates: the date of the event itself, not the date of the article.

``resolve_event_date(doc, match, *, doc_date)`` looks for temporal expressions (spaCy ``DATE``/``TIME``
entities, plus stray weekday/month names the NER missed) that are *attached to the event* and resolves the
best one against the document date.

Attachment (which expressions belong to the event)
    The expression must be an adverbial of the event: the object of a temporal preposition ("on Monday",
    "in 1965", "during the night"; not "before/after/since/until/by/for ...", which give bounds or durations),
    or a bare temporal modifier ("met Monday", "two days ago"). It is then attached to the word it modifies.
    Candidates, in order of preference (ties broken by token distance to the event head):

    1. attached to the event's head, one of its trigger words, or its clause verb (for an event noun that is
       the subject/object of a light verb: "held talks on Monday");
    2. attached to a direct argument of that verb ("talks on Monday" with head "held"), or modifying the
       event noun itself ("Monday's attack"); then attached to the noun of a setting phrase of the event
       ("kept rates unchanged at its meeting on Thursday", "killed in an attack on Monday"). A relative clause
       telling when such a noun happened dates the noun ("injured in a bombing that happened on June 27",
       "which took place on Monday"); a bare date the parser hangs on the object of a preposition of the verb is
       the verb's ("asked for the minister's resignation Monday night");
    3. **sentence-level fallback**: attached to a clause that governs the event's clause through
       ``conj``/``xcomp``/``advcl`` ("met on Monday and signed ...", "left on Monday to attend ..."), to a
       verb conjoined under the event's verb, or to a "with" clause restating the event with the same verb ("had
       protests, with students protesting in January"); not through a clause sequenced in time ("applied in May after
       Russia invaded ..." does not date the invasion). Dates of other clauses (relative clauses, reported speech
       ``ccomp``, subordinate clauses of other events) are never taken.

    Durations ("for three days", "about 20 minutes", "decades") and decades ("the 1990s") are not dates.
    Anaphoric expressions ("the next day", "two days later", "the same day") count from the latest
    day-precise date written before them in the same sentence or the three before it.

Resolution (``resolve_expression``)
    Own rules first, dateparser (offline, ``RELATIVE_BASE`` = doc_date, ``PREFER_DATES_FROM`` by tense) for
    the numeric formats the rules do not cover:

    - absolute: "June 22, 1965" -> 1965-06-22 DAY; "June 2024" -> MONTH; "1965" -> YEAR; a month/day without
      a year takes the year that puts it on the right side of doc_date for the event's tense, except just after
      a full date of another year (same sentence or the one before), whose year it takes ("the army moved on
      November 15, 2017 ... his resignation on November 21" -> 2017-11-21; ``_year_of_context``);
    - weekdays by tense: past events take the latest such weekday on or before doc_date, future events the
      next one on or after it ("last/next Monday" force the direction);
    - relative: "yesterday", "today", "tonight", "two days ago" -> DAY; "last week", "this week",
      "N weeks ago" -> MONTH (week-level precision does not exist; the month holding that day);
      "earlier this month", "last month" -> MONTH; "last year", "earlier this year" -> YEAR.

    MONTH-precision dates are the 1st of the month, YEAR-precision dates January 1st.

    The event's tense is FUTURE when ``match.modality == FUTURE`` or the clause is grammatically future
    ("will/shall/'ll", "be going/set/due/scheduled/expected to", "plan/vow/agree to": ``syntax.is_future_clause``,
    whose word lists the event matcher shares). The present tense is
    not: on news text it is mostly stative ("the report shows ... on January 6"), so "the talks open on
    Thursday" resolves to the past Thursday unless the event coder marks it FUTURE. A resolved date later
    than doc_date is only accepted for future events; otherwise the next candidate is tried.

Elapsed time ("60 years since the two countries normalized ties")
    An event in a "since" clause of a span of time ("60 years since ...", "a decade since ...", "three months
    after ...") happened that long before doc_date: YEAR (or MONTH) precision.

Perfect clauses with "since" ("have been striking since early March")
    A clause in the (present or past) perfect with a "since" date started then: that date at its precision.

Counted from a written date ("withdrew in 2015, then returned two years later")
    "N years/months/weeks later/earlier" counts from the latest date written before it (same sentence or the three
    before): YEAR for years; MONTH for months and weeks (which need a DAY or MONTH date to count from).

Dates with their own year in a purpose clause
    "signed the treaty to normalize relations on June 22, 1965": the parser often hangs the date on the
    infinitive; an expression with its own year attached to a clause that depends on the event's verb
    (``xcomp``/``advcl``/``acl``) dates the event (rank 3, after every closer candidate).

**Background events: UNKNOWN, not the document date** (``_background``)
    When nothing attached resolves and the event is background, the result is ``(None, UNKNOWN)``:

    - the event's verb is in the past perfect ("had attacked", "he'd ordered") or the present perfect ("has
      called for", "have accused": a standing position, not the day's act); not a speaker's own act back-shifted
      under a past verb of saying ("the minister said he had ordered troops" is the episode's). A purpose
      infinitive outside quotes takes its clause's tense ("have cited security fears to impose bans");
    - the verb (or the verb it is conjoined to) carries an adverb of anteriority: "recently", "before",
      "earlier", "previously", "formerly", "once", "initially", "originally";
    - it is an infinitive telling a record: "the second minister to be dismissed", "the first leader to visit";
    - it is the cause of the news, in a "because"/"since" clause;
    - it is the object of "despite" ("approved the plan despite protests by residents": the protests came before);
    - it is the content of an allegation or belief ("allegations he tried to pressure the court", "agencies
      believe the prince ordered the killing");
    - the event is reported as remembered ("recalled that ...") or is the life of the subject of an obituary
      (the document reports a death with the age of the dead in its first two sentences: "dies aged 88", "has
      died ... He was 95."; and the event is narrated in the past outside them: simple past, past passive "was
      hailed", habitual "would kill");
    - a monthly or weekly round-up (its first line says "round-up", "roundup", "in review", "recap", "month in",
      "week in") gets, for an undated event, the latest DAY/MONTH date written in the three sentences before it
      (MONTH precision at best), else the month its first line says it covers ("compiled throughout the previous
      month", "the region in August"), else UNKNOWN: its events happened over the weeks before publication.

**Dates written elsewhere in the sentence** (``_past_context_date``, tried before the background rules except the
perfect: "The election in 2013 saw a victory, and despite allegations of fraud, he ended the truce" -> 2013)
    An undated event whose sentence writes a calendar date (a year, or a month of doc_date's year) lying before the
    news episode (ending more than EPISODE_DAYS before doc_date) happened then, at YEAR or MONTH precision ("Back in
    1998, parliament impeached the president, and the senate acquitted him" -> 1998; "The last time the navies
    clashed was in 2009" -> 2009), when the clause holding that date governs the event's clause (or is a clause
    set before it: "That March, the junta dissolved parliament; the general banned all parties"). When the date
    belongs to another clause (a later clause with its own subject, a bound "until 2018"/"from 2013 to 2019", or
    the event is sequenced "after ..."), the sentence is about the past but its date is not the event's:
    UNKNOWN. Dates that say nothing about when the sentence is set are ignored: "since 1995" (a period running to
    now), a qualifier of a noun that is no setting ("struck down a 2005 law"; "in the 2016 election" is one), a
    relative or participle clause describing something else ("the minister, who took office in 2015, ..."),
    ages and times tagged as dates.
    Then a sentence that says it is about the past with no usable date ("at the time", "back then", "years ago",
    "decades earlier", "in the past", "the last time", "formerly", "previously", ...) gives UNKNOWN.

A date set off by commas between a fronted clause and the main clause belongs to the main clause ("To rebuild
its navy, in 2019, the kingdom bought frigates and then signed ..."), whatever clause the parser hangs it on.
A verb conjoined under the event's verb dates it only when it has no subject of its own ("met and signed the
accord on Monday", not "a court fined the company, and its owner paid in 2019").

**Episode date**
    An undated event that is not background takes the day-precise date of the article's lede (first two
    sentences), else the latest one written before it (or in its own sentence), within EPISODE_DAYS (31) before
    doc_date: news reports an episode ("On Thursday troops entered the city. They arrested the mayor." ->
    Thursday). Only up to EPISODE_SENTENCES (10) sentences after the latest such date: further down, the article
    tells the reactions and statements of its own day (codebook 7.1 (6)), which take the document date.

**Reported on a day** ("arrested the driver, police said Sunday"): an undated act in the complement of a verb of
saying that carries a day-precise date of its own takes that day.

**Narrated present** ("investigators are questioning", "the senator insists"): outside quotes and first/second
person speech, an undated present-tense act holds on the article's date (``DOCUMENT``), not the episode's.

**Future events** without a written date are UNKNOWN (a plan's date is not the article's); a pledge or stated
intention (03x, not FUTURE) is the act of its statement and is dated like any other event.

**Document-level fallback**
    Otherwise, when no attached expression resolves, the event gets ``(doc_date, DOCUMENT)``. When doc_date is
    None, only expressions carrying their own year can be resolved; everything else gives ``(None, DOCUMENT)``.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from typing import TYPE_CHECKING, Iterator, Optional

from .dateline import doc_text, is_dateline_date
from .model import DAY, DOCUMENT, FUTURE, MONTH, UNKNOWN, YEAR, EventMatch
from .syntax import VERB_POS, auxiliaries, clause_verb, has_subject, is_future_clause, is_perfect

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

__all__ = ["resolve_event_date", "resolve_expression", "is_future_event"]

_TEMPORAL_LABELS = {"DATE", "TIME"}
# Prepositions whose object dates the event itself. Others (before, after, since, until, by, for, over, ...)
# give bounds or durations.
_DATING_PREPS = {"on", "in", "at", "during", "of", "this", "last", "next"}
# Nouns a temporal word can modify and still be temporal ("Monday evening", "the morning of June 5").
_TEMPORAL_NOUNS = {
    "morning", "afternoon", "evening", "night", "day", "week", "weekend", "month", "year", "dawn", "noon",
    "midnight", "hours", "overnight", "today", "tonight", "time", "date", "beginning", "start", "end", "middle",
    "part", "half",
}
_NOUN_POS = {"NOUN", "PROPN", "PRON", "NUM"}
_ARG_DEPS = {"dobj", "nsubj", "nsubjpass", "attr", "obj", "pobj", "appos", "oprd"}
_CLAUSE_LINKS = {"conj", "xcomp", "advcl"}
_SETTING_PREPS = {"at", "during", "in", "amid"}
#: Prepositions whose object is a bound of a period, not the date of the act ("served until 2018").
_BOUND_PREPS = {"since", "until", "till", "before", "after", "by", "from", "through", "to", "between"}
#: Bounds that open a period running to the present: a date after them does not set the sentence in the past
#: ("cancel the amendments made since 1995").
_START_PREPS = {"since"}
#: Prepositions whose event-noun object is background of the sentence's act ("announced it despite criticism").
_CONCESSIVE_PREPS = {"despite", "notwithstanding"}
#: Verbs of a relative clause that tell when its noun happened ("the bombing that happened on June 27"), with the
#: particle or object they need ("took place", "broke out").
_OCCURRENCE_VERBS = {"happen": None, "occur": None, "unfold": None, "erupt": None, "take": "place", "break": "out"}
_SEQUENCE_MARKERS = {"after", "before", "since", "until", "till", "once", "following", "ahead", "prior"}

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
_WEEKDAYS.update({"tues": 1, "thur": 3, "thurs": 3})
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS.update({"sept": 9})
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
    "several": 3,
}
_UNITS = r"(?P<unit>second|minute|hour|day|week|fortnight|month|year|decade|centur(?:y|ie))s?"
_QUANT = r"(?P<n>\d+|" + "|".join(sorted((re.escape(k) for k in _NUMBER_WORDS), key=len, reverse=True)) + r")"
_HEDGES = r"(?:about|around|some|nearly|almost|roughly|approximately|more than|over|less than|under|up to|" \
          r"at least|another|a further|the (?:past|last|next|previous|first|coming|following)|(?:past|last|next)|" \
          r"barely|just|only)"
_DURATION_RE = re.compile(rf"^(?:{_HEDGES}\s+)*(?:{_QUANT}\s+)?(?:more\s+)?{_UNITS}(?:\s+and\s+a\s+half)?"
                          rf"(?:\s+(?:long|old|later|earlier|running|straight|in a row|of \w+))?$")
_AGO_RE = re.compile(rf"^(?:{_HEDGES}\s+)*{_QUANT}\s+{_UNITS}\s+ago$")
_DECADE_RE = re.compile(r"\b(?:1[0-9]|20)?\d0'?s\b")
_YEAR_RE = re.compile(r"(?<![\d/.-])(1[0-9]{3}|20[0-9]{2})(?![\d/.-])")
_DAY_RE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_REL_DAY = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "earlier today": 0,
    "later today": 0, "overnight": 0, "yesterday": -1, "last night": -1, "tomorrow": 1,
    "the day before yesterday": -2, "day before yesterday": -2, "the day after tomorrow": 2,
}
_LEAD_STRIP = re.compile(
    r"^(?:(?:the|on|in|at|during|of|by|as of|from|early|late|mid|mid-|earlier|later|the end of|end of|"
    r"the beginning of|beginning of|the start of|start of|the middle of|middle of|the first half of|"
    r"the second half of|the night of|the morning of|the evening of|the afternoon of|around|about|"
    r"sometime|some time)\s+|mid-)+"
)
_ANAPHORA = {
    "the same day": 0, "that day": 0, "the same night": 0, "that night": 0, "that evening": 0,
    "that morning": 0, "later that day": 0, "earlier that day": 0, "the next day": 1, "the following day": 1,
    "a day later": 1, "the day after": 1, "the next morning": 1, "the following morning": 1, "next day": 1,
    "the previous day": -1, "the day before": -1, "a day earlier": -1, "the previous night": -1,
    "the night before": -1, "the previous evening": -1,
    "that same day": 0, "the very same day": 0, "that very day": 0, "that same night": 0, "that same morning": 0,
    "that same evening": 0, "that same afternoon": 0, "later that night": 0, "earlier that morning": 0,
    "later that evening": 0, "the same morning": 0, "the same evening": 0, "the same afternoon": 0,
}
_ANAPHORA_NOUNS = {"day", "night", "morning", "evening", "afternoon"}
_LATER_RE = re.compile(rf"^{_QUANT}\s+days?\s+(?P<dir>later|earlier|before|afterwards)$")
_LATER_UNIT_RE = re.compile(rf"^{_QUANT}\s+(?P<unit>week|month|year)s?\s+(?P<dir>later|earlier|before|afterwards)$")
# fixed (month, day) or days from Western Easter Sunday
_HOLIDAYS = {
    "christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24), "boxing day": (12, 26),
    "new year's day": (1, 1), "new year's eve": (12, 31), "new year": (1, 1), "valentine's day": (2, 14),
    "halloween": (10, 31), "easter": 0, "easter sunday": 0, "easter monday": 1, "good friday": -2,
    "holy saturday": -1, "palm sunday": -7, "ash wednesday": -46, "ascension day": 39, "pentecost": 49,
    "whit monday": 50,
}
_HOLIDAY_PREFIXES = {"easter", "christmas", "good", "holy", "palm", "ash", "whit", "boxing"}
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night|noon|midday|overnight))?"


def resolve_event_date(
    doc: "Doc", match: EventMatch, *, doc_date: Optional[dt.date]
) -> tuple[Optional[dt.date], str]:
    """Date an event from the temporal expressions attached to it.

    doc: The parsed spaCy Doc the event was found in.
    match: The event (its ``head`` and trigger span are Doc token indices; ``modality`` sets the tense).
    doc_date: Publication date of the document, the base of relative expressions; None when unknown.
    RETURNS: ``(event_date, precision)`` with precision in ``model.DATE_PRECISIONS``; ``(doc_date, DOCUMENT)``
        when nothing attached resolves (see the module docstring for the rules and fallbacks).
    """
    future = is_future_event(doc, match)
    for text, start, rank in _attached_expressions(doc, match):
        resolved = _that_month(doc, text, start) or (None if future else _year_of_context(doc, text, start, doc_date))
        if resolved is None:
            resolved = resolve_expression(text, doc_date=doc_date, future=future)
        if resolved is None:
            resolved = _anaphoric(doc, text, start, doc_date)
        if resolved is None:
            continue
        date, precision = resolved
        if rank >= 3 and not _YEAR_RE.search(text):
            continue  # a purpose clause's own date only when it carries its year
        if doc_date is not None and not future and _starts_after(date, precision, doc_date):
            continue
        return date, precision
    if doc_date is None:
        return None, DOCUMENT
    since = _since_date(doc, match, doc_date)
    if since is not None:
        return since
    elapsed = _elapsed_since(doc, match, doc_date)
    if elapsed is not None:
        return elapsed
    if future and not (match.cameo_code.startswith("03") and match.modality != FUTURE):
        return None, UNKNOWN  # a plan with no date written: not the article's date (a pledge is dated when made)
    roundup = _roundup_date(doc, match, doc_date)
    if roundup is not None and roundup[0] is not None:
        return roundup
    past = None if _perfect(doc, match) else _past_context_date(doc, match, doc_date)
    if past is not None and past[0] is not None:
        return past  # background by its place in the sentence, dated by it ("the 2013 vote saw ..., despite fraud")
    if _background(doc, match, doc_date) or past is not None:
        return None, UNKNOWN
    if _PAST_MARKERS.search(doc[match.head].sent.text):
        return None, UNKNOWN  # "at the time", "years ago", "the last time": about the past, with no date written
    if roundup is not None:  # a round-up item that is no background: the month the round-up covers, if it says
        period = _roundup_period(_first_line(doc), doc_date)
        return (period, MONTH) if period is not None else (None, UNKNOWN)
    spoken = _speech_date(doc, match, doc_date)
    if spoken is not None:
        return spoken
    if _narrated_present(doc, match):
        return doc_date, DOCUMENT
    episode = _episode_date(doc, match, doc_date)
    if episode is not None:
        return episode, DAY
    return doc_date, DOCUMENT


def is_future_event(doc: "Doc", match: EventMatch) -> bool:
    """Whether dates of this event are resolved forwards (and may lie after doc_date).

    doc: The parsed spaCy Doc.
    match: The event; ``modality == FUTURE`` is enough, otherwise the clause's grammar decides.
    RETURNS: True for FUTURE modality and grammatically future clauses.
    """
    if match.modality == FUTURE:
        return True
    verb = clause_verb(doc[match.head])
    return verb is not None and is_future_clause(verb)


def resolve_expression(
    text: str, *, doc_date: Optional[dt.date], future: bool = False
) -> Optional[tuple[dt.date, str]]:
    """Resolve one temporal expression.

    text: The expression as written ("June 22, 1965", "Thursday", "earlier this month").
    doc_date: Base date for relative expressions; None resolves only expressions with their own year.
    future: Resolve ambiguous expressions (weekdays, month names without year) forwards.
    RETURNS: ``(date, precision)`` or None when the text is not a date (durations, decades, unparsable).
    """
    norm = " ".join(text.lower().replace("\u2019", "'").replace(",", " ").split())
    norm = norm.rstrip(".")
    if not norm:
        return None
    stripped = _LEAD_STRIP.sub("", norm)
    if doc_date is not None:
        for attempt in (norm, stripped):
            for rule in (_relative_day, _ago, _relative_unit, _weekday, _weekend, _holiday):
                res = rule(attempt, doc_date, future)
                if res is not None:
                    return res
    if _DURATION_RE.match(norm) or _DECADE_RE.search(norm):
        return None
    return _absolute(stripped, doc_date, future, require_year=doc_date is None)


# --- attachment -----------------------------------------------------------------------------------------


def _attached_expressions(doc: "Doc", match: EventMatch) -> Iterator[tuple[str, int, int]]:
    head = doc[match.head]
    sent = head.sent
    verb = clause_verb(head)
    event_toks = {match.head, *range(match.trigger_start, match.trigger_end)}
    direct = set(event_toks)
    if verb is not None:
        direct.add(verb.i)
    args = {c.i for t in direct for c in doc[t].children if c.dep_ in _ARG_DEPS and c.pos_ in _NOUN_POS}
    # nouns of a setting phrase of the event: "kept rates unchanged at its meeting on Thursday"
    hosts = direct | args | {c.i for t in direct | args for c in doc[t].children
                             if c.dep_ in ("amod", "acomp", "oprd", "advmod")}
    settings = {o.i for t in hosts for p in doc[t].children if p.dep_ == "prep" and p.lower_ in _SETTING_PREPS
                for o in p.children if o.dep_ == "pobj" and o.pos_ == "NOUN"}
    governing: set[int] = set()
    tok = verb if verb is not None else head
    while tok.dep_ in _CLAUSE_LINKS and tok.head is not tok and not _sequenced(tok):
        tok = tok.head
        governing.add(tok.i)
    if verb is not None:
        # a verb conjoined under the event's ("met and signed the accord on Monday"), unless it has a subject
        # of its own: "a jury convicted him, and he received a sentence in 2016" is another clause's date
        governing |= {c.i for c in verb.children if c.dep_ == "conj" and c.pos_ in VERB_POS
                      and not has_subject(c)}
    # clauses that depend on the event's verb (purpose/infinitive clauses): only dates with their own year count
    dependent = set()
    if verb is not None:
        for c in verb.children:
            if c.dep_ in ("xcomp", "advcl", "acl") and c.pos_ in VERB_POS and not _sequenced(c):
                dependent.add(c.i)
        for a in args:
            for c in doc[a].children:
                if c.dep_ in ("acl", "relcl") and c.pos_ in VERB_POS and c.tag_ in ("VB", "TO"):
                    dependent.add(c.i)  # "the treaty to normalize relations on June 22, 1965"
    # nouns in a prepositional phrase of the event's verb: a bare date the parser hangs on them is the verb's
    # ("asked for the minister's resignation Monday night")
    prep_objects = {o.i for t in direct for p in doc[t].children if p.dep_ == "prep"
                    for o in p.children if o.dep_ == "pobj" and o.pos_ in _NOUN_POS}
    # a relative clause telling when a noun happened dates the noun ("in a bombing that happened on June 27")
    occurrences = {c.i: n for n in event_toks | args | settings for c in doc[n].children
                   if c.dep_ in ("relcl", "acl") and _occurrence(c)}
    # a "with" clause restating the event ("had protests, with students protesting in January"): its participle
    # of the same verb is the event's
    lemmas = {doc[t].lemma_.lower() for t in event_toks}
    restated = {c.i for t in direct for p in doc[t].children if p.dep_ == "prep" and p.lower_ == "with"
                for o in p.children if o.dep_ == "pobj" for c in o.children
                if c.dep_ == "acl" and c.tag_ in ("VBG", "VBN") and c.lemma_.lower() in lemmas}
    governing |= restated
    ranked = []
    for span in _temporal_spans(doc, sent):
        anchor = _anchor(span)
        if anchor is None:
            continue
        kind, tok_i = _fronted(doc, span, anchor)
        if kind == "adv" and tok_i in occurrences:
            tok_i = occurrences[tok_i]
            kind = "poss"  # as "Monday's attack": the date of that event noun
        elif kind == "adv" and tok_i in prep_objects and span.root.dep_ in ("npadvmod", "tmod"):
            tok_i = doc[tok_i].head.head.i
        if tok_i in direct:
            rank = 0 if kind == "adv" or tok_i in event_toks else 1
        elif tok_i in args and kind in ("adv", "poss"):
            rank = 1
        elif (tok_i in governing and kind == "adv") or (tok_i in settings and kind in ("adv", "poss")):
            rank = 2
        elif tok_i in dependent and kind == "adv":
            rank = 3
        else:
            continue
        ranked.append((rank, abs(span.root.i - match.head), span.start, _expression_text(doc, span)))
    for item in sorted(ranked):
        yield item[3], item[2], item[0]


def _occurrence(verb: "Token") -> bool:
    """A verb telling that its subject happened: "happened", "occurred", "took place", "broke out"."""
    lemma = verb.lemma_.lower()
    if lemma not in _OCCURRENCE_VERBS:
        return False
    needed = _OCCURRENCE_VERBS[lemma]
    return needed is None or any(c.lower_ == needed and c.dep_ in ("dobj", "prt") for c in verb.children)


def _expression_text(doc: "Doc", span: "Span") -> str:
    """The text of a temporal span with the word the NER left out: "Easter Monday" (tagged "Monday"), "That
    September" (the September of the year the text spoke of)."""
    text = span.text
    if span.start > 0 and doc[span.start - 1].lower_ in _HOLIDAY_PREFIXES:
        return f"{doc[span.start - 1].text} {text}"
    if span.start > 0 and doc[span.start - 1].lower_ in ("that", "same") and span[0].lower_ in _MONTHS:
        return f"that {text}"
    return text


def _temporal_spans(doc: "Doc", sent: "Span") -> list["Span"]:
    spans = [_trim_date(doc, e) for e in sent.ents if e.label_ in _TEMPORAL_LABELS]
    covered = {i for e in spans for i in range(e.start, e.end)}
    for tok in sent:  # anaphoric phrases the NER does not tag ("that same day", "later that night")
        if tok.lower_ in _ANAPHORA_NOUNS and tok.i not in covered:
            for n in (4, 3, 2):
                first = tok.i - n + 1
                if first >= sent.start and " ".join(t.lower_ for t in doc[first : tok.i + 1]) in _ANAPHORA:
                    spans.append(doc[first : tok.i + 1])
                    covered.update(range(first, tok.i + 1))
                    break
    for tok in sent:  # weekday/month names the NER missed
        if tok.i not in covered and tok.pos_ == "PROPN" and tok.lower_ in _WEEKDAYS and len(tok.text) > 3:
            spans.append(doc[tok.i:tok.i + 1])
    return spans


def _trim_date(doc: "Doc", span: "Span") -> "Span":
    """A DATE entity cut before a preposition it ran into ("March 3, 1929, after years" -> "March 3, 1929")."""
    for tok in span[1:]:
        if tok.pos_ == "ADP" and tok.lower_ != "of":
            end = tok.i
            while end > span.start + 1 and doc[end - 1].is_punct:
                end -= 1
            return doc[span.start : end]
    return span


def _anchor(span: "Span") -> Optional[tuple[str, int]]:
    """The word a temporal expression modifies: ("adv", verb-or-noun) for adverbials, ("poss", noun) for
    "Sunday's election", ("mod", noun) for other noun modifiers."""
    tok = span.root
    for _ in range(6):
        dep = tok.dep_
        parent = tok.head
        if parent is tok:
            return None
        if parent.i in range(span.start, span.end):
            tok = parent
            continue
        if dep in ("compound", "nmod", "amod", "nummod", "npadvmod", "appos", "conj", "pobj") and (
            parent.lower_ in _TEMPORAL_NOUNS or parent.ent_type_ in _TEMPORAL_LABELS
        ) and parent.pos_ != "ADP":
            tok = parent
            continue
        if dep == "pobj":
            if parent.pos_ != "ADP" or parent.lower_ not in _DATING_PREPS:
                return None
            target = parent.head
            if parent.lower_ == "of" and target.lower_ not in _TEMPORAL_NOUNS:
                return None
            if target.lower_ in _TEMPORAL_NOUNS and target.ent_type_ in _TEMPORAL_LABELS:
                tok = target
                continue
            return ("adv", target.i)
        if dep in ("npadvmod", "tmod", "advmod", "obl", "obl:tmod", "nmod:tmod"):
            return ("adv", parent.i)
        if dep == "poss":
            return ("poss", parent.i)  # "Sunday's election": the date of that event noun
        if dep in ("compound", "nmod", "amod", "nummod"):
            return ("mod", parent.i)  # "the 1965 treaty": a name-like qualifier, not an event date
        if dep in ("dobj", "pcomp") and parent.pos_ in VERB_POS and span.root.lower_ in _WEEKDAYS:
            return ("adv", parent.i)  # parser error on "will meet Thursday"
        return None
    return None


def _fronted(doc: "Doc", span: "Span", anchor: tuple[str, int]) -> tuple[str, int]:
    """A date set off by commas between a fronted clause and the main clause belongs to the main clause: "To
    modernize its army, in 2018, the country bought ..." (the parser hangs "in 2018" on the fronted clause)."""
    kind, tok_i = anchor
    clause = doc[tok_i]
    prep = span.root.head if span.root.dep_ == "pobj" else None
    if kind != "adv" or clause.dep_ != "advcl" or prep is None or prep.head.i != clause.i:
        return anchor
    main = clause.head
    set_off = prep.i > 0 and doc[prep.i - 1].text == "," and span.end < len(doc) and doc[span.end].text == ","
    if set_off and clause.i < prep.i and main.i > span.end:
        return kind, main.i
    return anchor


def _sequenced(clause: "Token") -> bool:
    """A subordinate clause set before/after its governor in time ("after Russia invaded ...")."""
    return clause.dep_ == "advcl" and any(
        c.dep_ in ("mark", "advmod") and c.lower_ in _SEQUENCE_MARKERS for c in clause.children
    )


# --- background events ------------------------------------------------------------------------------------

_PAST_MARKERS = re.compile(
    r"\b(?:at the time|back then|in the past|in those days|years ago|decades ago|years earlier|decades earlier|"
    r"years before|decades before|formerly|previously|for the first time since|used to|"
    r"at that time|the last time|the previous time|in his youth|in her youth|as a young|in (?:his|her) early|"
    r"was born|were born)\b",
    re.IGNORECASE,
)
_RECALL_VERBS = {"recall", "remember", "reminisce", "recount", "look back"}
#: An obituary's opening: a death with the age of the dead ("dies aged 88", "died on Monday at the age of 90",
#: "has died ... He was 95.").
_OBITUARY = re.compile(
    r"\bobituary\b|\b(?:died|dies|passed away|dead)\b[^.]{0,80}?\b(?:aged|at the age of|at)\s+\d{2,3}\b", re.I
)
_DEATH = re.compile(r"\b(?:died|dies|passed away|is dead)\b", re.I)
_AGE_OF_DEAD = re.compile(r"\b(?:he|she) was (?:aged )?\d{2,3}(?: years old)?\s*[.,;]", re.I)
_ROUNDUP = re.compile(r"\b(?:round-?up|in review|recap|month in|week in|year in|monthly|weekly summary|"
                      r"what happened in)\b", re.IGNORECASE)
#: A round-up's own period in its first line (``_roundup_period``).
_PREVIOUS_MONTH = re.compile(r"\b(?:previous|past|last|preceding) month\b", re.IGNORECASE)
_MONTH_NAME = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                         r"December)(?:,? \d{4})?\b")
_SINCE_SPAN = re.compile(rf"^{_QUANT}\s+(?P<unit>year|month|decade)s?$")


def _elapsed_since(doc: "Doc", match: EventMatch, doc_date: dt.date) -> Optional[tuple[dt.date, str]]:
    """ "60 years since the two countries normalized ties": the event happened that long before doc_date."""
    verb = clause_verb(doc[match.head]) or doc[match.head]
    if verb.dep_ != "advcl" and not (verb.dep_ in ("pcomp", "pobj") and verb.head.lower_ in ("since", "after")):
        return None
    marker = next((c for c in verb.children if c.dep_ == "mark" and c.lower_ in ("since", "after")), None)
    if marker is None and verb.head.lower_ in ("since", "after"):
        marker = verb.head
    if marker is None:
        return None
    governor = verb.head if marker.i != verb.head.i else verb.head.head
    # the span of time the clause counts from: "60 years", "a decade" (the noun the clause hangs on, or its
    # number just before "since")
    for cand in (governor, doc[marker.i - 1] if marker.i > 0 else governor):
        words = [t for t in cand.subtree if t.i < marker.i]
        if not words:
            continue
        text = " ".join(t.lower_ for t in words[-3:])
        m = _SINCE_SPAN.search(text) or _SINCE_SPAN.search(" ".join(t.lower_ for t in words[-2:]))
        if m:
            n = int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS[m["n"]]
            if m["unit"] == "decade":
                n *= 10
            if m["unit"] == "month":
                return _shift_month(doc_date, -n), MONTH
            return dt.date(doc_date.year - n, 1, 1), YEAR
    return None


#: How far before the article an episode date may lie to carry over to later undated sentences.
EPISODE_DAYS = 31
#: How many sentences after the latest written episode date it still carries over: further on, an article tells
#: the reactions and asides of its own day (or background), no longer the dated episode.
EPISODE_SENTENCES = 10
#: Sentences of an article's lede (the episode it reports; an obituary's opening).
LEDE_SENTENCES = 2
#: How many sentences before an expression count as its context (anaphora, "that September", round-up items).
CONTEXT_SENTENCES = 3


def _episode_date(doc: "Doc", match: EventMatch, doc_date: dt.date) -> Optional[dt.date]:
    """The date of the news episode an undated event belongs to: the day-precise date written in the article's lede
    (its first two sentences: the episode the article reports), else the latest one written before the event (or
    in its sentence); only dates within EPISODE_DAYS before doc_date ("On Thursday troops entered the city. They
    arrested the mayor." -> Thursday). None when the text wrote no such date."""
    head = doc[match.head]
    sent = head.sent
    candidates = [e for e in doc.ents if e.label_ in _TEMPORAL_LABELS and e.start < sent.end
                  and (e.end <= head.i or e.start >= sent.start)]  # before the event, or in its sentence
    starts = [s.start for s in doc.sents]
    lede_end = starts[LEDE_SENTENCES] if len(starts) > LEDE_SENTENCES else len(doc)
    candidates = [e for e in candidates if not is_dateline_date(e)]
    dated = []  # (sentence index, date) of the day-precise dates of the episode, in text order
    for ent in candidates:
        text = _trim_date(doc, ent).text
        if _DURATION_RE.match(text.lower()):
            continue
        ref = resolve_expression(text, doc_date=doc_date, future=False)
        if ref is not None and ref[1] == DAY and 0 <= (doc_date - ref[0]).days <= EPISODE_DAYS:
            dated.append((bisect.bisect_right(starts, ent.start) - 1, ref[0], ent.end <= lede_end))
    if not dated:
        return None
    event_sentence = bisect.bisect_right(starts, head.i) - 1
    if event_sentence - dated[-1][0] > EPISODE_SENTENCES:
        return None  # far from every date the text wrote: reactions and asides of the article's day, not the episode's
    lede = [date for _, date, in_lede in dated if in_lede]
    return lede[0] if lede else dated[-1][1]


def _since_date(doc: "Doc", match: EventMatch, doc_date: dt.date) -> Optional[tuple[dt.date, str]]:
    """ "have been striking since early March", "has been detained since 2019": a perfect clause with a "since"
    date started on that date (at its precision); None otherwise."""
    verb = clause_verb(doc[match.head])
    if verb is None:
        return None
    if not auxiliaries(verb) & {"has", "have", "had", "'ve", "'s"}:  # perfect, "'s" included ("it's been")
        return None
    for prep in verb.children:
        if prep.dep_ != "prep" or prep.lower_ != "since":
            continue
        for obj in prep.children:
            if obj.dep_ != "pobj" or obj.ent_type_ not in _TEMPORAL_LABELS:
                continue
            words = list(obj.subtree)
            text = doc[words[0].i : words[-1].i + 1].text
            if _DURATION_RE.match(text.lower()):
                continue
            resolved = resolve_expression(text, doc_date=doc_date, future=False)
            if resolved is not None and not _starts_after(resolved[0], resolved[1], doc_date):
                return resolved
    return None


#: Adverbs that set an act before the news ("he recently condemned", "had threatened the network before").
_ANTERIOR_ADVERBS = {"recently", "before", "earlier", "previously", "formerly", "once", "initially", "originally"}
#: Verbs of saying whose past tense back-shifts a reported act into the past perfect ("said he had ordered").
_REPORTING_VERBS = {"say", "tell", "announce", "report", "state", "add", "claim", "confirm", "reveal", "explain",
                    "write", "tweet", "insist", "note", "disclose", "acknowledge", "admit"}


def _anterior(verb: "Token") -> bool:
    """Whether the verb, or the verb it is conjoined to, carries an adverb of anteriority with no object of its own
    ("recently condemned", "threatened the network before, ... and accused it")."""
    for tok in (verb, verb.head if verb.dep_ == "conj" else None):
        if tok is None:
            continue
        if any(c.dep_ == "advmod" and c.lower_ in _ANTERIOR_ADVERBS and not list(c.children) for c in tok.children):
            return True
    return False


_ORDINAL_WORDS = {"first", "second", "third", "fourth", "fifth", "last", "only", "latest"}


def _record_infinitive(verb: "Token") -> bool:
    """An infinitive that tells a record ("the second minister to be dismissed", "the first leader to visit the
    island"): a history of such acts, not the day's act."""
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return False
    nouns = [verb.head] if verb.dep_ in ("relcl", "acl") else []
    nouns += [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    return any(a.dep_ == "amod" and (a.lower_ in _ORDINAL_WORDS or a.ent_type_ == "ORDINAL")
               for n in nouns for a in n.children)


def _backshifted(verb: "Token") -> bool:
    """A speaker's own act in the past perfect under a past verb of saying: "the minister said he had ordered troops"
    reports the act in the tense of the report, not as background ("said rebels had attacked" stays background)."""
    gov = verb.head
    own = any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("he", "she", "they", "we", "i", "it")
              for c in verb.children)
    return own and verb.dep_ == "ccomp" and gov.lemma_.lower() in _REPORTING_VERBS and gov.tag_ == "VBD"


def _speech_date(doc: "Doc", match: EventMatch, doc_date: dt.date) -> Optional[tuple[dt.date, str]]:
    """The day of the statement that reports an undated act ("arrested the driver, police said Sunday";
    "said on Friday: 'We urged the governor to lift the siege'"): the act is news of that day. None when the verb
    of saying has no day-precise date of its own."""
    verb = clause_verb(doc[match.head]) or doc[match.head]
    gov = verb.head
    if verb.dep_ not in ("ccomp", "parataxis") or gov.lemma_.lower() not in _REPORTING_VERBS:
        return None
    for span in _temporal_spans(doc, gov.sent):
        anchor = _anchor(span)
        if anchor is None or anchor != ("adv", gov.i):
            continue
        resolved = resolve_expression(span.text, doc_date=doc_date, future=False)
        if resolved is not None and resolved[1] == DAY and not _starts_after(resolved[0], DAY, doc_date):
            return resolved
    return None


def _narrated_present(doc: "Doc", match: EventMatch) -> bool:
    """The narrator's present tense ("investigators are questioning", "the senator insists"), outside quotes: the
    act holds on the article's date, not on the date of the episode it follows."""
    verb = clause_verb(doc[match.head])
    if verb is None:
        return False
    auxes = auxiliaries(verb)
    present = verb.tag_ in ("VBZ", "VBP") and not auxes
    progressive = verb.tag_ == "VBG" and bool(auxes & {"is", "are", "am"})
    if not (present or progressive):
        return False
    if any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("i", "we", "you") for c in verb.children):
        return False  # a speaker's own words ("We appreciate ..."), quoted over several sentences
    sent = verb.sent
    quotes = sum(t.text.count('"') + t.text.count("“") + t.text.count("”") for t in doc[sent.start : verb.i])
    return quotes % 2 == 0 and not any(t.text in ('"', "“", "”", "'") for t in doc[sent.start : sent.end]
                                       if t.i > verb.i and t.i < sent.end - 2)


def _background(doc: "Doc", match: EventMatch, doc_date: dt.date) -> bool:
    """Whether an undated event is background by its own clause: perfect, anterior adverb, record, cause, concession,
    remembered, or the life of the subject of an obituary (see the module docstring). A sentence only marked as
    about the past ("at the time") is background after its written dates have been tried (``_PAST_MARKERS``)."""
    head = doc[match.head]
    verb = clause_verb(head) or head
    if _perfect(doc, match):
        return True  # past or present perfect: "had attacked", "has called for" (a standing position, not the day's)
    if any(c.dep_ == "mark" and c.lower_ in ("because", "since") for c in verb.children):
        return True  # the cause of the news, told as background
    if _anterior(verb) or _record_infinitive(verb):
        return True
    if head.dep_ == "pobj" and head.head.lower_ in _CONCESSIVE_PREPS:
        return True  # "announced the change despite criticism by the minister": the criticism came before
    for tok in verb.ancestors:
        if tok.lemma_.lower() in _RECALL_VERBS:
            return True
    if _alleged(verb):
        return True
    if _narrated_past(verb) and match.sentence_index >= LEDE_SENTENCES and _obituary(doc):
        return True
    return False


def _perfect(doc: "Doc", match: EventMatch) -> bool:
    """The event's verb is in the past or present perfect ("had attacked", "he'd ordered", "has called for"), and not
    a speaker's own act back-shifted under a past verb of saying (``_backshifted``)."""
    verb = clause_verb(doc[match.head]) or doc[match.head]
    if "to" in auxiliaries(verb) and not has_subject(verb) and not _quoted(verb):
        # a purpose infinitive is told in its clause's tense, outside quotes (where "we have come together to send a
        # message" is the day's news)
        if verb.dep_ == "advcl":  # "have cited fears to impose bans"
            verb = verb.head
        elif verb.dep_ == "acl" and verb.head.dep_ == "dobj":  # the same, hung on the object by the parser
            verb = verb.head.head
    return (is_perfect(verb) or (verb.tag_ == "VBN" and "'d" in auxiliaries(verb))) and not _backshifted(verb)


#: Nouns and verbs whose complement is an allegation or a belief about an earlier act, not narrated news
#: ("allegations he tried to pressure the court", "agencies believe the prince ordered the killing").
_ALLEGATION_NOUNS = {"allegation", "accusation", "claim", "suspicion"}
_BELIEF_VERBS = {"believe", "suspect", "allege"}


def _alleged(verb: "Token") -> bool:
    """Whether the event's clause (or the clause its infinitive or conjunct hangs on) is the content of an
    allegation or belief."""
    clause = verb
    while clause.dep_ in ("xcomp", "conj") and clause.head.i != clause.i:
        clause = clause.head
    if clause.dep_ not in ("ccomp", "acl"):
        return False
    gov = clause.head
    lemma = gov.lemma_.lower()
    return (gov.pos_ == "NOUN" and lemma in _ALLEGATION_NOUNS) or (gov.pos_ in VERB_POS and lemma in _BELIEF_VERBS)


def _quoted(tok: "Token") -> bool:
    """Whether a word is inside a quotation opened earlier in its sentence."""
    doc, sent = tok.doc, tok.sent
    marks = sum(t.text.count('"') + t.text.count("“") + t.text.count("”") for t in doc[sent.start : tok.i])
    return marks % 2 == 1


def _obituary(doc: "Doc") -> bool:
    """Whether the document is an obituary: its first two sentences report a death with the age of the dead."""
    lede = " ".join(s.text for _, s in zip(range(LEDE_SENTENCES), doc.sents))
    return bool(_OBITUARY.search(lede) or (_DEATH.search(lede) and _AGE_OF_DEAD.search(lede)))


def _narrated_past(verb: "Token") -> bool:
    """A clause narrated in the past: simple past ("ruled"), past passive ("was hailed"), or habitual "would" ("they
    would sometimes kill")."""
    auxes = auxiliaries(verb)
    if verb.tag_ == "VBD":
        return True
    if verb.tag_ == "VBN" and auxes & {"was", "were"}:
        return True
    return verb.tag_ == "VB" and "would" in auxes


def _past_context_date(doc: "Doc", match: EventMatch, doc_date: dt.date) -> Optional[tuple[dt.date, str]]:
    """ "To modernize its army, the country bought rifles in 2018 and then agreed to ...": an undated event in a
    sentence whose own dates lie before the news episode (more than EPISODE_DAYS before doc_date) happened then,
    at no finer than MONTH precision (the date is the sentence's, not the event's own)."""
    head = doc[match.head]
    verb = clause_verb(head) or head
    sent = head.sent
    past = False
    for span in sorted(_temporal_spans(doc, sent), key=lambda sp: abs(sp.root.i - head.i)):
        if not _dates_sentence(span, verb):
            continue
        text = _expression_text(doc, span)
        if _DURATION_RE.match(text.lower()):
            continue
        resolved = _that_month(doc, text, span.start)
        if resolved is None:
            if text.startswith("that ") or not _calendar_date(span, doc_date):
                continue
            resolved = resolve_expression(text, doc_date=doc_date, future=False)
        if resolved is None:
            continue
        date, precision = resolved
        if _ends_before(date, precision, doc_date - dt.timedelta(days=EPISODE_DAYS)):
            if _shares_date(span, verb):
                return (date, YEAR) if precision == YEAR else (_month_start(date), MONTH)
            past = True
    return (None, UNKNOWN) if past else None  # a sentence about the past, but its dates are other clauses'


def _calendar_date(span: "Span", doc_date: dt.date) -> bool:
    """A DATE entity that names a calendar period by itself: a year ("in 2018", "the 2011 uprising"), or a month
    that falls in doc_date's year ("in January" of a March article). Not ages or numbers tagged DATE ("40 and 49"),
    not times ("1625 UTC"), not a month-day just after doc_date that would be pushed a year back ("effective
    July 31" in a July 28 article)."""
    if span.label_ != "DATE":
        return False
    if _YEAR_RE.search(span.text):
        return True
    words = [w.rstrip(".").lower() for w in span.text.split()]
    month = next((_MONTHS[w] for w in words if w in _MONTHS and w != "may"), None)
    return month is not None and month < doc_date.month


def _shares_date(span: "Span", verb: "Token") -> bool:
    """Whether a date of the sentence may be the event's: the clause the date is written in must govern the event's
    clause ("Back in 1998, parliament impeached the president, and the senate acquitted him"; "The last time the
    navies clashed was in 2009"), or be a clause set before it in the same sentence ("That March, the junta
    dissolved parliament; the general banned all parties"); and the event must not be set before or after another
    clause ("joined in 2022 after Russia invaded ..."). Not a date of a clause beside it ("a jury convicted him,
    and he received a sentence in 2016")."""
    if any(_sequenced(t) for t in (verb, *verb.ancestors)):
        return False
    if span.root.dep_ == "pobj" and span.root.head.lower_ in _BOUND_PREPS:
        return False  # "served until 2018", "seized skins from 2013 to 2019": a bound, not a date
    clause = span.root
    while clause.pos_ not in VERB_POS and clause.head.i != clause.i:
        clause = clause.head
    if clause.i == verb.i or clause.i in {a.i for a in verb.ancestors}:
        return True
    return clause.head.i == verb.i and clause.dep_ in ("ccomp", "parataxis") and clause.i < verb.i


def _ends_before(date: dt.date, precision: str, limit: dt.date) -> bool:
    """Whether the period denoted by (date, precision) ends before ``limit``."""
    if precision == YEAR:
        return date.year < limit.year
    if precision == MONTH:
        return (date.year, date.month) < (limit.year, limit.month)
    return date < limit


def _dates_sentence(ent: "Span", verb: "Token") -> bool:
    """Whether a date written in the event's sentence says the sentence is about the past: not when it opens a
    period running to the present ("since 1995"), qualifies a noun that is no setting ("struck down a 2005 law";
    but "in the 2016 election" is one), or sits in a relative or participle clause that describes
    something else than the event ("the minister, who took office in 2015, criticised ...", "her husband, who
    was arrested in May, ...", "the rules imposed in 1972")."""
    tok = ent.root
    if tok.dep_ == "pobj" and tok.head.lower_ in _START_PREPS:
        return False  # "the amendments made since 1995": a period running to the present
    if tok.dep_ in ("compound", "amod", "nummod", "nmod") and tok.head.lower_ not in _TEMPORAL_NOUNS:
        noun = tok.head  # "a 2005 law": a name-like qualifier, unless the noun sets the scene ("in the 2016 election")
        if not (noun.dep_ == "pobj" and noun.head.lower_ in _DATING_PREPS | _SETTING_PREPS):
            return False
    for anc in tok.ancestors:
        if anc.i == verb.i:
            break
        if anc.dep_ in ("relcl", "acl") and verb.i not in {t.i for t in anc.subtree}:
            return False
    return True


def _roundup_date(doc: "Doc", match: EventMatch, doc_date: dt.date) -> Optional[tuple[Optional[dt.date], str]]:
    """For a round-up article (see the module docstring): the latest date written in the event's sentence or the
    three before it (MONTH precision at best), else UNKNOWN; None for other articles."""
    if not _ROUNDUP.search(_first_line(doc)):
        return None
    sent = doc[match.head].sent
    first = sent.start
    for _ in range(CONTEXT_SENTENCES):
        if first == 0:
            break
        first = doc[first - 1].sent.start
    for ent in reversed([e for e in doc.ents if first <= e.start and e.end <= sent.end and e.label_ == "DATE"]):
        ref = resolve_expression(ent.text, doc_date=doc_date, future=False)
        if ref is not None and ref[1] in (DAY, MONTH) and not _starts_after(ref[0], ref[1], doc_date):
            return _month_start(ref[0]), MONTH
    return None, UNKNOWN


_FIRST_LINE_KEY = "demarche_first_line"


def _first_line(doc: "Doc") -> str:
    """The document's first non-blank line (where a round-up says what it covers), found once per Doc: it is asked
    for every event, and splitting the text would copy the whole article each time."""
    line = doc.user_data.get(_FIRST_LINE_KEY)
    if line is None:
        text = doc_text(doc)
        start = len(text) - len(text.lstrip())
        end = text.find("\n", start)
        line = doc.user_data[_FIRST_LINE_KEY] = text[start:] if end < 0 else text[start:end]
    return line


def _roundup_period(first_line: str, doc_date: dt.date) -> Optional[dt.date]:
    """The month a round-up says it covers in its first line: "compiled throughout the previous month" (the month
    before doc_date), "the region in August" (the latest August on or before doc_date); None when it names none."""
    if _PREVIOUS_MONTH.search(first_line):
        return _shift_month(_month_start(doc_date), -1)
    named = _MONTH_NAME.search(first_line)
    if named is None:
        return None
    ref = resolve_expression(named.group(0), doc_date=doc_date, future=False)
    if ref is None or ref[1] != MONTH or _starts_after(ref[0], ref[1], doc_date):
        return None
    return _month_start(ref[0])


# --- resolution rules -------------------------------------------------------------------------------------


def _anaphoric(doc: "Doc", text: str, start: int, doc_date: Optional[dt.date]) -> Optional[tuple[dt.date, str]]:
    """ "the next day", "two days later", "the same day": a day offset from the latest DAY-precision date
    written before the expression (same sentence or the three before it), resolved as a past date."""
    norm = " ".join(text.lower().split())
    norm = re.sub(r"^(?:on|in|during)\s+", "", norm)
    offset = _ANAPHORA.get(norm)
    if offset is None and _LATER_UNIT_RE.match(norm):
        return _later_unit(doc, _LATER_UNIT_RE.match(norm), start, doc_date)
    if offset is None:
        m = _LATER_RE.match(norm)
        if not m:
            return None
        n = int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS[m["n"]]
        offset = n if m["dir"] == "later" else -n
    for ent in _temporal_entities_before(doc, start):
        ref = resolve_expression(ent.text, doc_date=doc_date, future=False)
        if ref is not None and ref[1] == DAY:
            return ref[0] + dt.timedelta(days=offset), DAY
    return None




def _later_unit(doc: "Doc", m: "re.Match", start: int, doc_date: Optional[dt.date]) -> Optional[tuple[dt.date, str]]:
    """ "three years later", "two months earlier", "a week later": that far from the latest date written before the
    expression (same sentence or the three before it), at the unit's precision (weeks give the month)."""
    n = int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS[m["n"]]
    sign = -1 if m["dir"] in ("earlier", "before") else 1
    unit = m["unit"]
    for ent in _temporal_entities_before(doc, start):
        ref = resolve_expression(ent.text, doc_date=doc_date, future=False)
        if ref is None:
            continue
        date, precision = ref
        if unit == "year":
            return dt.date(date.year + sign * n, 1, 1), YEAR
        if precision == YEAR:
            return None  # "in 2011 ... two months later": no month to count from
        if unit == "month":
            return _shift_month(date, sign * n), MONTH
        if precision == DAY:
            return _month_start(date + dt.timedelta(days=7 * sign * n)), MONTH
        return None
    return None


def _temporal_entities_before(doc: "Doc", start: int, *, sentences: int = CONTEXT_SENTENCES) -> list:
    """Date/time entities written before token ``start``, in its sentence or the ``sentences`` before it, latest
    first."""
    first = doc[start].sent.start
    for _ in range(sentences):
        if first == 0:
            break
        first = doc[first - 1].sent.start
    return list(reversed([e for e in doc.ents if first <= e.start and e.end <= start and e.label_ in _TEMPORAL_LABELS]))


def _that_month(doc: "Doc", text: str, start: int) -> Optional[tuple[dt.date, str]]:
    """ "That September" / "that same May": the month in the latest year written before it (same sentence or the
    three before it); None when the text is no such expression or no year was written."""
    words = text.lower().split()
    if len(words) != 2 or words[0] != "that" or words[1] not in _MONTHS:
        return None
    for ent in _temporal_entities_before(doc, start):
        years = _YEAR_RE.findall(ent.text)
        if years and not _DECADE_RE.search(ent.text):
            return dt.date(int(years[-1]), _MONTHS[words[1]], 1), MONTH
    return None


def _year_of_context(doc: "Doc", text: str, start: int, doc_date: Optional[dt.date]) -> Optional[tuple[dt.date, str]]:
    """A month (and day) written without a year just after a full date of another year takes that date's year (the
    next one if it falls before it): "the army moved on November 15, 2017 ... his resignation on November 21" ->
    2017-11-21. Only a date with its month and year, in the same sentence or the one before, counts, and only for past
    events; None otherwise."""
    if doc_date is None or _YEAR_RE.search(text):
        return None
    own = resolve_expression(text, doc_date=doc_date, future=False)
    if own is None or own[1] not in (DAY, MONTH) or not any(w.rstrip(".") in _MONTHS for w in text.lower().split()):
        return None
    for ent in _temporal_entities_before(doc, start, sentences=1):
        if not _YEAR_RE.search(ent.text):
            continue
        ref = resolve_expression(ent.text, doc_date=doc_date, future=False)
        if ref is None or ref[1] not in (DAY, MONTH) or ref[0].year == own[0].year:
            return None
        year = ref[0].year + (1 if (own[0].month, own[0].day) < (ref[0].month, ref[0].day) else 0)
        leap_day = own[0].month == 2 and own[0].day == 29 and not calendar.isleap(year)
        date = own[0].replace(year=year, day=28 if leap_day else own[0].day)
        return None if _starts_after(date, own[1], doc_date) else (date, own[1])
    return None


def _relative_day(norm: str, base: dt.date, future: bool) -> Optional[tuple[dt.date, str]]:
    key = re.sub(r"\s+(?:morning|afternoon|evening|night)$", "", norm) if norm.startswith(("yesterday",
                                                                                          "tomorrow")) else norm
    if key in _REL_DAY:
        return base + dt.timedelta(days=_REL_DAY[key]), DAY
    return None


def _ago(norm: str, base: dt.date, future: bool) -> Optional[tuple[dt.date, str]]:
    m = _AGO_RE.match(norm)
    if not m:
        return None
    n = int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS[m["n"]]
    unit = m["unit"]
    if unit == "day":
        return base - dt.timedelta(days=n), DAY
    if unit in ("week", "fortnight"):
        return _month_start(base - dt.timedelta(days=7 * n * (2 if unit == "fortnight" else 1))), MONTH
    if unit == "month":
        return _shift_month(base, -n), MONTH
    if unit == "year":
        return dt.date(base.year - n, 1, 1), YEAR
    return None  # seconds/minutes/hours ago: same day, but that's no better than DOCUMENT; decades: vague


def _relative_unit(norm: str, base: dt.date, future: bool) -> Optional[tuple[dt.date, str]]:
    m = re.match(r"^(?:(earlier|later)\s+)?(this|last|next|past|coming|previous|current)\s+(week|month|year)$",
                 norm)
    if not m:
        return None
    offset = {"this": 0, "current": 0, "last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}[m[2]]
    unit = m[3]
    if unit == "week":
        return _month_start(base + dt.timedelta(days=7 * offset)), MONTH
    if unit == "month":
        return _shift_month(base, offset), MONTH
    return dt.date(base.year + offset, 1, 1), YEAR


def _weekday(norm: str, base: dt.date, future: bool) -> Optional[tuple[dt.date, str]]:
    m = re.match(r"^(?:(this|last|next|coming|past|previous)\s+)?([a-z]+)\.?" + _PART_OF_DAY + "$", norm)
    if not m or m[2] not in _WEEKDAYS:
        return None
    target = _WEEKDAYS[m[2]]
    mod = m[1]
    if mod in ("last", "past", "previous"):
        back = (base.weekday() - target) % 7 or 7
        return base - dt.timedelta(days=back), DAY
    if mod in ("next", "coming"):
        fwd = (target - base.weekday()) % 7 or 7
        return base + dt.timedelta(days=fwd), DAY
    if future:
        return base + dt.timedelta(days=(target - base.weekday()) % 7), DAY
    return base - dt.timedelta(days=(base.weekday() - target) % 7), DAY


def _weekend(norm: str, base: dt.date, future: bool) -> Optional[tuple[dt.date, str]]:
    m = re.match(r"^(?:(this|last|next|coming|past|previous)\s+)?weekend$", norm)
    if not m:
        return None
    mod = m[1] or ("next" if future else "last")
    if base.weekday() >= 5 and m[1] in (None, "this"):  # it is the weekend
        return base, DAY
    if mod in ("next", "coming") or (mod == "this" and future):
        return base + dt.timedelta(days=(5 - base.weekday()) % 7 or 7), DAY
    return base - dt.timedelta(days=(base.weekday() - 5) % 7 or 7), DAY


def _holiday(norm: str, base: dt.date, future: bool) -> Optional[tuple[dt.date, str]]:
    """Christmas, New Year, Easter-based days; the year by tense, as for month names."""
    m = re.match(r"^(?:(?:this|last|next)\s+)?(" + "|".join(map(re.escape, _HOLIDAYS)) + r")(?:\s+(\d{4}))?$", norm)
    if not m:
        return None
    from dateutil.easter import easter  # python-dateutil comes with dateparser

    def on(year: int) -> dt.date:
        rule = _HOLIDAYS[m[1]]
        return easter(year) + dt.timedelta(days=rule) if isinstance(rule, int) else dt.date(year, *rule)

    if m[2]:
        return on(int(m[2])), DAY
    date = on(base.year)
    if future and date < base:
        date = on(base.year + 1)
    elif not future and date > base:
        date = on(base.year - 1)
    return date, DAY


def _absolute(
    norm: str, base: Optional[dt.date], future: bool, *, require_year: bool
) -> Optional[tuple[dt.date, str]]:
    words = norm.replace("-", " ").replace("/", " / ").split()
    month = next((_MONTHS[w.rstrip(".")] for w in words if w.rstrip(".") in _MONTHS and w != "may."), None)
    if "may" in words and month == 5 and not _looks_like_may_date(words):
        month = None  # the modal verb "may"
    years = _YEAR_RE.findall(norm)
    year = int(years[0]) if years else None
    day = None
    if month is not None:
        for i, w in enumerate(words):
            if w.rstrip(".") in _MONTHS and _MONTHS[w.rstrip(".")] == month:
                for j in (i + 1, i - 1, i - 2):
                    if 0 <= j < len(words) and _DAY_RE.match(words[j]) and 1 <= int(_DAY_RE.match(words[j])[1]) <= 31:
                        day = int(_DAY_RE.match(words[j])[1])
                        break
                break
    if month is None and year is None:
        return _dateparser(norm, base, future) if re.search(r"\d", norm) else None
    if year is None:
        if require_year or base is None:
            return None
        year = base.year
        probe = dt.date(year, month, min(day or 1, calendar.monthrange(year, month)[1]))
        probe_cmp = probe if day else _month_start(probe)
        base_cmp = base if day else _month_start(base)
        if future and probe_cmp < base_cmp:
            year += 1
        elif not future and probe_cmp > base_cmp:
            year -= 1
    if month is None:
        return dt.date(year, 1, 1), YEAR
    if day is None:
        return dt.date(year, month, 1), MONTH
    try:
        return dt.date(year, month, day), DAY
    except ValueError:
        return dt.date(year, month, 1), MONTH


def _looks_like_may_date(words: list[str]) -> bool:
    i = words.index("may")
    neighbours = words[max(0, i - 1):i] + words[i + 1:i + 2]
    return any(_DAY_RE.match(w) or _YEAR_RE.match(w) for w in neighbours) or words in (["may"], ["in", "may"])


#: Two unrelated base dates: without a document date, a numeric date is accepted only when it resolves the same
#: against both (the text fixes it by itself: "6/22/65"), never completed from the day of the run ("6/22").
_UNDATED_PROBES = (dt.date(2001, 3, 10), dt.date(2010, 9, 25))


def _dateparser(norm: str, base: Optional[dt.date], future: bool) -> Optional[tuple[dt.date, str]]:
    """Numeric formats ("2025-06-17", "6/22/1965") through dateparser, offline, English only. Without ``base``
    only dates the text fixes by itself (see ``_UNDATED_PROBES``)."""
    if base is None:
        results = {_dateparser(norm, probe, future) for probe in _UNDATED_PROBES}
        return results.pop() if len(results) == 1 else None
    settings = {
        "PREFER_DATES_FROM": "future" if future else "past",
        "RETURN_TIME_AS_PERIOD": True,
        "STRICT_PARSING": False,
    }
    settings["RELATIVE_BASE"] = dt.datetime.combine(base, dt.time())
    try:
        data = _parser(tuple(sorted(settings.items()))).get_date_data(norm)
    except (ValueError, OverflowError, TypeError, AttributeError):  # dateparser chokes on some odd strings
        return None
    if data is None or data.date_obj is None:
        return None
    date = data.date_obj.date()
    period = data.period or "day"
    if period == "year":
        return dt.date(date.year, 1, 1), YEAR
    if period in ("month", "week"):
        return _month_start(date), MONTH
    return date, DAY


_PARSERS: dict = {}


def _parser(settings: tuple):
    if settings not in _PARSERS:
        from dateparser.date import DateDataParser  # imported lazily: only odd formats need it

        _PARSERS[settings] = DateDataParser(languages=["en"], settings=dict(settings))
    return _PARSERS[settings]


# --- helpers ----------------------------------------------------------------------------------------------


def _month_start(date: dt.date) -> dt.date:
    return date.replace(day=1)


def _shift_month(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _starts_after(date: dt.date, precision: str, doc_date: dt.date) -> bool:
    """Whether the period denoted by (date, precision) starts after doc_date."""
    if precision == YEAR:
        return date.year > doc_date.year
    if precision == MONTH:
        return (date.year, date.month) > (doc_date.year, doc_date.month)
    return date > doc_date
