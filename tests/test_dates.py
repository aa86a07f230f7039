"""Event dates (transforms/coding/dates.py) on real sentences parsed by the real model."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import pathlib

import pytest

from transforms.coding.dates import resolve_event_date, resolve_expression
from transforms.coding.model import ASSERTED, DAY, DOCUMENT, FUTURE, MONTH, UNKNOWN, YEAR, EventMatch

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "japan_korea_60th_anniversary.txt"
GOLD = ROOT / "tests" / "data" / "when_where_gold.jsonl"
D = dt.date


@pytest.fixture(scope="module")
def nlp(nlp_raw):
    """The plain model (tests/conftest.py): these functions only need its parse and entities."""
    return nlp_raw


def event(doc, word: str, *, nth: int = 0, modality: str = ASSERTED) -> EventMatch:
    """An EventMatch on the nth token spelled `word` (head = that token), as the event coder would make."""
    tok = [t for t in doc if t.text == word][nth]
    index = next(i for i, s in enumerate(doc.sents) if s.start <= tok.i < s.end)
    return EventMatch(sentence_index=index, trigger_start=tok.i, trigger_end=tok.i + 1, head=tok.i, cameo_code="040", source=None, target=None, modality=modality)


def date_of(nlp, text: str, trigger: str, doc_date, **kw):
    doc = nlp(text)
    return resolve_event_date(doc, event(doc, trigger, **kw), doc_date=doc_date)


# --- on the seed article -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_doc(nlp):
    lines = SEED.read_text(encoding="utf-8").split("\n", 1)
    assert lines[0].strip() == "date 2025-06-17"
    return nlp(lines[1])


def test_seed_treaty_signing_is_dated_1965(seed_doc):
    assert resolve_event_date(seed_doc, event(seed_doc, "signed"), doc_date=D(2025, 6, 17)) == (D(1965, 6, 22), DAY)


def test_seed_tokyo_reception_is_the_coming_thursday(seed_doc):
    match = event(seed_doc, "hold", modality=FUTURE)
    assert resolve_event_date(seed_doc, match, doc_date=D(2025, 6, 17)) == (D(2025, 6, 19), DAY)


def test_seed_phone_talks_on_monday_are_the_day_before(seed_doc):
    assert resolve_event_date(seed_doc, event(seed_doc, "held"), doc_date=D(2025, 6, 17)) == (D(2025, 6, 16), DAY)


def test_seed_clause_governed_by_the_signing_shares_its_date(seed_doc):
    # "... signed the Treaty ... on June 22, 1965, establishing diplomatic ties after decades of colonial rule."
    match = event(seed_doc, "establishing")
    assert resolve_event_date(seed_doc, match, doc_date=D(2025, 6, 17)) == (D(1965, 6, 22), DAY)


def test_seed_phone_call_duration_is_not_a_date(seed_doc):
    # "Ishiba spoke with Lee by phone for about 20 minutes.": not a duration, but the episode's Monday (the phone
    # talks "on Monday" of the sentence before)
    assert resolve_event_date(seed_doc, event(seed_doc, "spoke"), doc_date=D(2025, 6, 17)) == (D(2025, 6, 16), DAY)


# --- date kinds in sentences -------------------------------------------------------------------------------


@pytest.mark.parametrize("text,trigger,doc_date,modality,expected", [
    # absolute / historical
    ("Jordan and Israel signed a peace treaty on October 26, 1994, in the Arava valley.", "signed",
     D(2024, 10, 26), ASSERTED, (D(1994, 10, 26), DAY)),
    ("The parliament ratified the accord in March 2019 after a long debate.", "ratified", D(2024, 5, 2), ASSERTED,
     (D(2019, 3, 1), MONTH)),
    ("The two countries established diplomatic relations in 1992.", "established", D(2023, 9, 21), ASSERTED,
     (D(1992, 1, 1), YEAR)),
    # weekday, past and future, including the document's own weekday
    ("Ukrainian and American delegations held talks in Jeddah on Tuesday.", "held", D(2025, 3, 12), ASSERTED,
     (D(2025, 3, 11), DAY)),
    ("The delegations will hold another round of talks on Tuesday.", "hold", D(2025, 3, 12), FUTURE,
     (D(2025, 3, 18), DAY)),
    ("Hungary's parliament voted on Monday to ratify the accession.", "voted", D(2024, 2, 26), ASSERTED,
     (D(2024, 2, 26), DAY)),
    ("The minister is scheduled to travel to Tokyo on Friday for trade talks.", "travel", D(2025, 2, 12),
     ASSERTED, (D(2025, 2, 14), DAY)),
    ("Protesters clashed with police outside parliament on Monday night.", "clashed", D(2024, 4, 30), ASSERTED,
     (D(2024, 4, 29), DAY)),
    # the present tense is not a future: month/day stays before doc_date
    ("The tracking database shows a brief contact with the ship on January 6.", "shows", D(2019, 1, 10), ASSERTED,
     (D(2019, 1, 6), DAY)),
    # relative
    ("Police arrested the suspect at a hotel in Lyon yesterday.", "arrested", D(2025, 6, 17), ASSERTED,
     (D(2025, 6, 16), DAY)),
    ("The Egyptian president discussed the crisis with King Abdullah two days ago.", "discussed", D(2023, 10, 10),
     ASSERTED, (D(2023, 10, 8), DAY)),
    ("NATO leaders gathered in Washington last week to mark the anniversary.", "gathered", D(2024, 7, 10),
     ASSERTED, (D(2024, 7, 1), MONTH)),
    # vague
    ("Chinese warplanes flew near the island earlier this month.", "flew", D(2024, 1, 15), ASSERTED,
     (D(2024, 1, 1), MONTH)),
    ("The central bank raised interest rates twice last year.", "raised", D(2025, 2, 3), ASSERTED,
     (D(2024, 1, 1), YEAR)),
    ("Illinois lawmakers approved the state budget late last month.", "approved", D(2023, 6, 20), ASSERTED,
     (D(2023, 5, 1), MONTH)),
    # month/day without a year lies on the side of doc_date the tense says
    ("Officials signed the agreement on June 30, according to the ministry.", "signed", D(2025, 6, 17), ASSERTED,
     (D(2024, 6, 30), DAY)),
    # none
    ("The foreign ministers discussed the crisis by telephone.", "discussed", D(2025, 6, 17), ASSERTED,
     (D(2025, 6, 17), DOCUMENT)),
    # durations are not dates
    ("Lee will visit Canada for three days, his office said.", "visit", D(2025, 6, 17), FUTURE,
     (None, UNKNOWN)),  # a plan without a written date: unknown, not the article date
    ("The treaty ended decades of colonial rule.", "ended", D(2025, 6, 17), ASSERTED, (D(2025, 6, 17), DOCUMENT)),
])
def test_date_kinds(nlp, text, trigger, doc_date, modality, expected):
    assert date_of(nlp, text, trigger, doc_date, modality=modality) == expected


def test_date_of_another_clause_is_not_taken(nlp):
    text = "The minister said on Monday that rebels had attacked the town."
    # not Monday; and, in the past perfect, a background event: unknown date, not the document's
    assert date_of(nlp, text, "attacked", D(2025, 6, 18)) == (None, UNKNOWN)
    assert date_of(nlp, text, "said", D(2025, 6, 18)) == (D(2025, 6, 16), DAY)


def test_clause_sequenced_in_time_does_not_inherit_the_date(nlp):
    text = "Sweden applied to join the alliance in May 2022 after Russia invaded Ukraine."
    # not May 2022; and in a sentence about 2022, a background event: unknown date, not the document's
    assert date_of(nlp, text, "invaded", D(2024, 2, 26)) == (None, UNKNOWN)


def test_date_in_the_setting_of_the_event(nlp):
    text = "The Bank of Japan kept interest rates unchanged at its policy meeting on Thursday."
    assert date_of(nlp, text, "kept", D(2024, 12, 20)) == (D(2024, 12, 19), DAY)


def test_anaphoric_dates_count_from_the_previous_date(nlp):
    doc = nlp("Police arrested the gunman on Friday. He appeared in court the next day, officials said.")
    assert resolve_event_date(doc, event(doc, "appeared"), doc_date=D(2019, 3, 17)) == (D(2019, 3, 16), DAY)
    doc = nlp("He appeared in court the next day, officials said.")  # nothing to count from
    assert resolve_event_date(doc, event(doc, "appeared"), doc_date=D(2019, 3, 17)) == (D(2019, 3, 17), DOCUMENT)


def test_date_of_a_noun_modifier_is_not_the_event_date(nlp):
    # "1965" qualifies the treaty, not the celebration
    text = "Both governments celebrated the 1965 treaty on Monday."
    assert date_of(nlp, text, "celebrated", D(2025, 6, 17)) == (D(2025, 6, 16), DAY)


def test_date_after_doc_date_only_for_future_events(nlp):
    text = "The treaty was signed on July 1, 2025, the ministry said."
    assert date_of(nlp, text, "signed", D(2025, 6, 17)) == (D(2025, 6, 17), DOCUMENT)
    text = "The treaty will be signed on July 1, 2025, the ministry said."
    assert date_of(nlp, text, "signed", D(2025, 6, 17), modality=FUTURE) == (D(2025, 7, 1), DAY)


def test_no_doc_date_keeps_only_absolute_dates(nlp):
    assert date_of(nlp, "Japan announced its surrender on August 15, 1945.", "announced", None) == (
        D(1945, 8, 15), DAY)
    assert date_of(nlp, "The rebels attacked the town on Monday.", "attacked", None) == (None, DOCUMENT)


# --- expressions alone -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,future,expected", [
    ("June 22, 1965", False, (D(1965, 6, 22), DAY)),
    ("22 June 1965", False, (D(1965, 6, 22), DAY)),
    ("6/22/1965", False, (D(1965, 6, 22), DAY)),
    ("2025-06-10", False, (D(2025, 6, 10), DAY)),
    ("June 2024", False, (D(2024, 6, 1), MONTH)),
    ("mid-March", False, (D(2025, 3, 1), MONTH)),
    ("March", True, (D(2026, 3, 1), MONTH)),
    ("Thursday", False, (D(2025, 6, 12), DAY)),
    ("Thursday", True, (D(2025, 6, 19), DAY)),
    ("last Tuesday", True, (D(2025, 6, 10), DAY)),
    ("next Tuesday", False, (D(2025, 6, 24), DAY)),
    ("Monday evening", False, (D(2025, 6, 16), DAY)),
    ("the weekend", False, (D(2025, 6, 14), DAY)),
    ("tomorrow", True, (D(2025, 6, 18), DAY)),
    ("a week ago", False, (D(2025, 6, 1), MONTH)),
    ("three years ago", False, (D(2022, 1, 1), YEAR)),
    ("next month", True, (D(2025, 7, 1), MONTH)),
    ("earlier this year", False, (D(2025, 1, 1), YEAR)),
    ("three days", False, None),
    ("about 20 minutes", False, None),
    ("decades", False, None),
    ("the past two weeks", False, None),
    ("the 1990s", False, None),
    ("60th anniversary", False, None),
])
def test_resolve_expression(text, future, expected):
    assert resolve_expression(text, doc_date=D(2025, 6, 17), future=future) == expected


# --- evaluation script -------------------------------------------------------------------------------------


def test_eval_when_where_scores_a_small_gold_file(tmp_path):
    from evaluation import when_where as eval_when_where

    items = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()[:3]]
    assert len(items) == 3
    items[2] = dict(items[2], expected=dict(items[2]["expected"], date="1999-01-01"))  # make one fail
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items), encoding="utf-8")
    parser = argparse.ArgumentParser()
    eval_when_where.add_arguments(parser)
    result = eval_when_where.evaluate(parser.parse_args(["--gold", str(path), "--verbose"]))
    assert result["n"] == 3
    assert result["date_accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert {"precision_accuracy", "geonameid_accuracy", "country_accuracy"} <= set(result)
    assert [f["id"] for f in result["failures"]] == [items[2]["id"]]


def test_gold_file_is_large_and_well_formed():
    items = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(items) >= 40
    for item in items:
        assert item["trigger"].lower() in item["text"].lower()
        assert item["expected"]["precision"] in (DAY, MONTH, YEAR, DOCUMENT, UNKNOWN)
        D.fromisoformat(item["doc_date"])


# --- background events and missed expressions (issue 11) ----------------------------------------------------------


def test_date_with_its_year_in_a_purpose_clause_dates_the_event(nlp):
    text = "Peru and Chile signed an accord to settle the border dispute on March 3, 1929, after years of talks."
    assert date_of(nlp, text, "signed", D(2024, 3, 3)) == (D(1929, 3, 3), DAY)


def test_event_counted_since_a_span_of_time_is_that_long_ago(nlp):
    text = "The two kingdoms celebrated 40 years since they established diplomatic ties."
    assert date_of(nlp, text, "established", D(2024, 5, 2)) == (D(1984, 1, 1), YEAR)


@pytest.mark.parametrize(
    "text, word",
    [
        ("Officials said that militants had ambushed a patrol near the pass.", "ambushed"),
        ("At the time, the cabinet rejected the offer from the miners.", "rejected"),
        ("The general recalled that his unit shelled the bridge.", "shelled"),
        # a past year in a clause beside the event, or a bound: the sentence is about the past, not that date
        ("A court fined the company, and its owner paid the sum in 2019.", "fined"),
        ("The rebel leader founded the movement to oppose the junta, but was arrested in 1963.", "oppose"),
        ("The reporter said that in March the prince accepted blame but did not say he'd ordered the raid.",
         "ordered"),
        ("The last time the two navies clashed, the talks collapsed.", "clashed"),
        ("The council approved the plan on Tuesday despite protests by residents.", "protests"),
    ],
)
def test_undated_background_event_has_an_unknown_date(nlp, text, word):
    assert date_of(nlp, text, word, D(2025, 9, 9)) == (None, UNKNOWN)


@pytest.mark.parametrize(
    "text, word",
    [
        # past dates that describe something else do not set the sentence in the past
        ("The party expelled the senator, who joined the movement in 2011.", "expelled"),
        ("The minister, who took office in 2015, criticized the plan.", "criticized"),
        ("The envoy praised the reforms, which the parliament has pursued since 2012.", "praised"),
        ("The court also struck down a 2005 law on appointments.", "struck"),
        ("Ana Ruiz, 39, met officers Tom Lee and Bo Park, 40 and 49, at a pub.", "met"),  # ages, not years
        ("The envoy also announced his resignation, effective next Wednesday, September 10.", "resignation"),
    ],
)
def test_dates_of_something_else_leave_the_event_current(nlp, text, word):
    assert date_of(nlp, text, word, D(2025, 9, 9)) == (D(2025, 9, 9), DOCUMENT)


def test_conjoined_verb_without_a_subject_of_its_own_dates_the_first(nlp):
    # with a subject of its own it does not: "A court fined the company, and its owner paid the sum in 2019." is
    # UNKNOWN (test_undated_background_event_has_an_unknown_date)
    assert date_of(nlp, "The leaders met and signed the accord on Monday.", "met", D(2025, 9, 9)) == (
        D(2025, 9, 8), DAY)


def test_plain_past_event_without_a_date_keeps_the_document_date(nlp):
    assert date_of(nlp, "The minister criticized the plan.", "criticized", D(2025, 9, 9)) == (D(2025, 9, 9), DOCUMENT)


def test_obituary_background_is_not_dated_to_the_article(nlp):
    text = "Former Malawi premier dies aged 88. He died at home, his family said.\nHe signed a pact with Zambia."
    assert date_of(nlp, text, "signed", D(2025, 9, 9)) == (None, UNKNOWN)


@pytest.mark.parametrize(
    "text, word, expected",
    [
        ("The ministry sold the bonds in January.", "sold", (D(2025, 1, 1), MONTH)),
        ("On June 20 the navy seized the tanker.", "seized", (D(2025, 6, 20), DAY)),
        ("The mayor resigned in 2018. That September, the council elected a successor.", "elected",
         (D(2018, 9, 1), MONTH)),
        ("The envoy arrived on Sunday. The rebels freed the hostages that same day.", "freed",
         (D(2025, 9, 7), DAY)),
        ("The new rules follow the council's decision in January to declare a state of emergency.", "declare",
         (D(2025, 1, 1), MONTH)),
        ("To rebuild its navy, in 2019, the kingdom bought two frigates and then signed a pact with Chile.", "signed",
         (D(2019, 1, 1), YEAR)),  # a date set off after a fronted clause belongs to the main clause
        # an undated event takes the past date of the clause that governs it, written elsewhere in the sentence
        ("Back in 1998, parliament impeached the president, and the senate acquitted him.", "acquitted",
         (D(1998, 1, 1), YEAR)),
        ("The last time the two navies clashed was in 2009.", "clashed", (D(2009, 1, 1), YEAR)),
        ("During the 2011 uprising, the army shelled the city and the rebels retreated.", "retreated",
         (D(2011, 1, 1), YEAR)),
        ("In the 2016 election, the senator fought on until June and did not endorse the nominee until July.",
         "endorse", (D(2016, 1, 1), YEAR)),
        ("The coup came in 2014. That March, the junta dissolved parliament; the general banned all parties.",
         "banned", (D(2014, 3, 1), MONTH)),
    ],
)
def test_missed_expressions_are_resolved(nlp, text, word, expected):
    assert date_of(nlp, text, word, D(2025, 9, 9)) == expected


def test_roundup_events_take_the_date_of_their_paragraph(nlp):
    text = "Monthly round-up: the region in August\nOn August 4, troops entered the valley. The rebels fled."
    assert date_of(nlp, text, "fled", D(2025, 9, 9)) == (D(2025, 8, 1), MONTH)
    bare = "Monthly round-up of the region\nThe rebels fled the valley."
    assert date_of(nlp, bare, "fled", D(2025, 9, 9)) == (None, UNKNOWN)


@pytest.mark.parametrize("first_line, expected", [
    ("This monthly digest gathers what happened in the previous month.", D(2025, 8, 1)),
    ("Monthly round-up: the valley in July", D(2025, 7, 1)),
])
def test_undated_roundup_events_take_the_month_the_roundup_covers(nlp, first_line, expected):
    text = f"{first_line}\nThe rebels fled the valley. Later the governor praised the mayor."
    assert date_of(nlp, text, "praised", D(2025, 9, 9)) == (expected, MONTH)


def test_background_in_a_roundup_is_not_given_its_month(nlp):
    text = ("This monthly digest gathers what happened in the previous month.\n"
            "The rebels fled the valley. Farmers returned. The bridge reopened. Schools reopened. "
            "The governor had praised the mayor.")
    assert date_of(nlp, text, "praised", D(2025, 9, 9)) == (None, UNKNOWN)


def test_undated_event_takes_the_episode_date_written_before_it(nlp):
    text = "On Thursday, rebels stormed the port. Soldiers arrested their commander."
    assert date_of(nlp, text, "arrested", D(2025, 9, 9)) == (D(2025, 9, 4), DAY)


def test_old_dates_do_not_carry_over(nlp):
    text = "The accord was signed on March 3, 2021. Soldiers arrested the commander."
    assert date_of(nlp, text, "arrested", D(2025, 9, 9)) == (D(2025, 9, 9), DOCUMENT)


@pytest.mark.parametrize("text, word", [
    ("The senator has accused the agency of lying.", "accused"),
    ("Farmers blocked the road because the ministry cut subsidies.", "cut"),
])
def test_standing_positions_and_causes_are_background(nlp, text, word):
    assert date_of(nlp, text, word, D(2025, 9, 9)) == (None, UNKNOWN)


def test_episode_date_is_the_ledes_not_a_later_aside(nlp):
    text = ("On Thursday, gunmen stormed a police station in the capital. Officials said Saturday that two "
            "officers died. The attackers fled the city.")
    assert date_of(nlp, text, "fled", D(2025, 9, 9)) == (D(2025, 9, 4), DAY)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("6/22", None), ("22/6", None), ("the 22nd", None), ("Thursday", None), ("June 22", None),
        ("6/22/65", (D(1965, 6, 22), DAY)), ("22/06/1965", (D(1965, 6, 22), DAY)), ("2025-06-17", (D(2025, 6, 17), DAY)),
    ],
)
def test_without_a_document_date_only_what_the_text_fixes_resolves(text, expected):
    """No document date: a numeric date missing its year is not completed from the day of the run."""
    assert resolve_expression(text, doc_date=None) == expected


def test_undated_event_with_a_numeric_date_missing_its_year_is_not_dated_by_the_run(nlp):
    assert date_of(nlp, "The two ministers met in Geneva on 6/22.", "met", None) == (None, DOCUMENT)


# --- issue 11, real-news date classes ------------------------------------------------------------------------


ARTICLE = D(2025, 9, 9)  # a Tuesday
SHELLED = "On Monday, the army shelled the port. "  # the episode the next sentence follows


@pytest.mark.parametrize("text, word, expected", [
    # a perfect with "since DATE" started then
    (SHELLED + "Residents have been protesting since early March against the mayor.", "protesting",
     (D(2025, 3, 1), MONTH)),
    # adverbs of anteriority set the act before the news
    (SHELLED + "The opposition leader recently condemned the arrests.", "condemned", (None, UNKNOWN)),
    (SHELLED + "The governor threatened the newspaper before, and he accused it of lying.", "accused", (None, UNKNOWN)),
    # a speaker's own act, back-shifted under a past verb of saying, is the episode's
    (SHELLED + "The minister said he had ordered the police to guard the border.", "ordered", (D(2025, 9, 8), DAY)),
    # "N years later" counts from the written year
    ("Dutch troops left Mali in 2015, then returned two years later at the government's request.", "returned",
     (D(2017, 1, 1), YEAR)),
    # the narrator's present holds on the article's date
    (SHELLED + "Investigators are questioning the driver of the truck.", "questioning", (ARTICLE, DOCUMENT)),
    (SHELLED + "The senator insists that the treaty be renegotiated.", "insists", (ARTICLE, DOCUMENT)),
    # an undated act reported by a verb of saying with its own day takes that day
    ("The army shelled the port on Thursday. Police arrested the driver of the truck, officers said Sunday.",
     "arrested", (D(2025, 9, 7), DAY)),
    ('The army shelled the port on Thursday. The senator said on Friday "We urged the governor once again to lift '
     'the siege."', "urged", (D(2025, 9, 5), DAY)),  # "once again" repeats an act, it does not set it in the past
    # "the first/second X to ..." tells a record, not the day's act
    (SHELLED + "She was the first foreign leader to visit the island.", "visit", (None, UNKNOWN)),
    (SHELLED + "The governor, the second official to be arrested by the police, resigned.", "arrested",
     (None, UNKNOWN)),
])
def test_real_news_date_classes(nlp, text, word, expected):
    assert date_of(nlp, text, word, ARTICLE) == expected


def test_quoted_pledge_is_dated_when_made(nlp):
    doc = nlp('On Monday, the army shelled the port. "We will seek talks with the rebels," the president told '
              'reporters.')
    match = dataclasses.replace(event(doc, "seek"), cameo_code="030")
    assert resolve_event_date(doc, match, doc_date=D(2025, 9, 9)) == (D(2025, 9, 8), DAY)
    plan = dataclasses.replace(match, cameo_code="040")  # the meeting itself is a plan with no date
    assert resolve_event_date(doc, plan, doc_date=D(2025, 9, 9)) == (None, UNKNOWN)


# --- episode carry-over, obituaries, sentence dates of background, dates of event nouns ----------------------


def test_episode_date_does_not_carry_to_a_reaction_far_down_the_article(nlp):
    """An episode date carries over to the sentences that follow it, not to a reaction many sentences later (the
    article's day: codebook 7.1 (6))."""
    filler = " ".join(f"The harbour of town number {n} stayed calm." for n in range(12))
    text = f"On Thursday, rebels stormed the port of Varna. {filler} The bishop criticized the governor."
    assert date_of(nlp, text, "criticized", D(2025, 9, 9)) == (D(2025, 9, 9), DOCUMENT)
    near = "On Thursday, rebels stormed the port of Varna. The harbour stayed calm. The bishop criticized the governor."
    assert date_of(nlp, near, "criticized", D(2025, 9, 9)) == (D(2025, 9, 4), DAY)


@pytest.mark.parametrize("sentence, word", [
    ("The old general supported the farmers' unions.", "supported"),
    ("After the war, the general was hailed as a hero by the press.", "hailed"),
    ("His militias would sometimes attack the villages in the north.", "attack"),
])
def test_life_of_the_dead_in_an_obituary_is_background(nlp, sentence, word):
    """An obituary whose lede gives the age in a sentence of its own ("He was 91."): the life it tells is UNKNOWN,
    in the simple past, the past passive and the habitual "would"."""
    text = f"Karl Ostrander, former president of Ruritania, has died, his family said on Monday. He was 91. {sentence}"
    assert date_of(nlp, text, word, D(2025, 9, 10)) == (None, UNKNOWN)


def test_a_year_of_the_sentence_dates_a_background_noun_in_it(nlp):
    """A background event (object of "despite") in a sentence set in a past year takes that year, not UNKNOWN."""
    text = ("The vote in 2016 gave the party a clear win, and despite accusations by the opposition, the party ended "
            "the truce.")
    assert date_of(nlp, text, "accusations", D(2025, 9, 9)) == (D(2016, 1, 1), YEAR)


def test_a_month_day_without_year_takes_the_year_of_the_full_date_before_it(nlp):
    text = ("The army seized the palace on October 3, 2014. "
            "The king announced his abdication on October 9 in a televised speech.")
    assert date_of(nlp, text, "abdication", D(2025, 9, 9)) == (D(2014, 10, 9), DAY)
    same_year = "The army seized the palace on March 3, 2025. The king announced his abdication on March 9."
    assert date_of(nlp, same_year, "abdication", D(2025, 9, 9)) == (D(2025, 3, 9), DAY)


@pytest.mark.parametrize("clause", ["that happened on August 30", "which took place on August 30"])
def test_a_relative_clause_of_occurrence_dates_the_event_noun(nlp, clause):
    text = f"Three soldiers were wounded in an ambush {clause}."
    assert date_of(nlp, text, "wounded", D(2025, 9, 9)) == (D(2025, 8, 30), DAY)


def test_a_bare_weekday_hung_on_the_object_of_a_preposition_is_the_verbs(nlp):
    """ "asked for X's resignation Monday night": the parser hangs the date on "resignation"; it dates the asking."""
    text = "On Thursday, the governor said he had asked for the police chief's resignation Monday night."
    assert date_of(nlp, text, "asked", D(2025, 9, 12)) == (D(2025, 9, 8), DAY)


@pytest.mark.parametrize("text, word", [
    ("The ministry initially denied that its troops crossed the border.", "denied"),
    ("Neighbouring states have cited security fears to impose curfews on the border towns.", "impose"),
])
def test_initial_acts_and_purposes_of_a_perfect_clause_are_background(nlp, text, word):
    text = f"On Monday, rebels stormed the port. {text}"
    assert date_of(nlp, text, word, D(2025, 9, 9)) == (None, UNKNOWN)


def test_a_with_clause_restating_the_event_dates_it(nlp):
    text = ("On Monday, farmers marched in the capital. Other regions had similar protests, with 5,000 farmers "
            "protesting in Varna in March.")
    assert date_of(nlp, text, "protests", D(2025, 9, 9)) == (D(2025, 3, 1), MONTH)


def test_a_quoted_purpose_infinitive_of_a_perfect_is_the_days_news(nlp):
    text = ('On Saturday, thousands marched in Varna. The mayor tweeted, "Here in Varna, thousands of people have '
            'come together to demand a new vote."')
    assert date_of(nlp, text, "demand", D(2025, 9, 9)) == (D(2025, 9, 6), DAY)


@pytest.mark.parametrize("text, word", [
    ("The charge stemmed from allegations the mayor tried to pressure the court.", "pressure"),
    ("Intelligence agencies reportedly believe the prince ordered the raid.", "ordered"),
])
def test_the_content_of_an_allegation_or_belief_is_background(nlp, text, word):
    text = f"On Monday, the assembly voted to impeach the mayor. {text}"
    assert date_of(nlp, text, word, D(2025, 9, 9)) == (None, UNKNOWN)


def test_a_claim_of_responsibility_keeps_the_episode_date(nlp):
    text = "On Monday, a bomb killed two soldiers. The rebels claimed that their fighters attacked the convoy."
    assert date_of(nlp, text, "attacked", D(2025, 9, 9)) == (D(2025, 9, 8), DAY)


def test_a_planned_month_day_does_not_take_the_year_of_an_old_date(nlp):
    text = "The treaty was signed on June 3, 2015. The minister will visit Varna on October 9."
    match_date = date_of(nlp, text, "visit", D(2025, 9, 9), modality=FUTURE)
    assert match_date == (D(2025, 10, 9), DAY)
