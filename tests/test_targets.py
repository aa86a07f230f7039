"""Event targets (codebook 2.4) with the real actor and event coders, on sentences written for these tests."""
from __future__ import annotations

import pytest

from test_coder import code_text


@pytest.fixture(scope="module")
def coded(document_coder, nlp):
    def run(text):
        return [(e["cameo_code"], e["source_code"], e["target_code"]) for e in code_text(document_coder, nlp, text)]

    return run


def test_the_possessor_of_a_thing_acted_on_is_the_target(coded):
    # "Hungary's military spending" names Hungary, not Hungary's army
    assert coded("Germany criticised Hungary's military spending on Tuesday.") == [("111", "DEU", "HUN")]
    assert coded("Opposition senators in Kenya condemned President William Ruto's proposed tax deal.") == [
        ("111", "KENLEG", "KENGOV")]


def test_asked_for_a_named_officials_resignation_targets_the_official(coded):
    # two people of one code are two actors (codebook 7.1, rule 2)
    events = coded("Kenyan President William Ruto asked for Interior Minister Kithure Kindiki's resignation on Monday.")
    assert events == [("0241", "KENGOV", "KENGOV")]


def test_an_acronym_in_brackets_names_the_body_later(coded):
    events = coded("The Kenya Electoral Commission (KEC) suspended the count on Monday. "
                   "Opposition lawmakers condemned the decision of the KEC.")
    assert ("111", "KENOPP", "KENGOV") in events


def test_a_finding_targets_the_passive_subject_of_what_it_finds(coded):
    events = coded("The Kenyan Supreme Court found that the president's decree was motivated by an improper purpose "
                   "and was unlawful.")
    assert events == [("116", "KENJUD", "KENGOV")]


def test_a_request_does_not_target_the_patient_of_what_it_asks(coded):
    events = coded("Kenyan protesters called for the killers of the journalist to be brought to justice.")
    assert [t for _c, _s, t in events] == [None]


def test_a_private_persons_travel_is_no_visit(coded):
    assert coded("The Kenyan activist flew to Geneva on Monday.") == []
    assert [c for c, _s, _t in coded("Kenyan President William Ruto flew to Geneva on Monday.")] == ["042"]


def test_a_country_qualifying_another_actor_is_no_target(coded):
    # "the President of Kenya" is one actor; Kenya is not what the criticism acts on
    events = coded("Kenyan President William Ruto criticized the ruling, with Kithure Kindiki succeeding him as the "
                   "President of Kenya.")
    assert [(c, t) for c, _s, t in events] == [("111", None)]


def test_a_country_in_a_circumstance_phrase_is_no_target(coded):
    # "following Kenya's election" says when, not whom the protest resignation acts on
    events = coded("Following Kenya's election, the Kenyan president resigned in protest on Monday.")
    assert [(c, t) for c, _s, t in events] == [("140", None)]



def test_a_capital_standing_for_its_state_is_no_second_actor_of_a_named_leader(coded):
    # named people of one code are two actors, but "Nairobi" read as KENGOV is President Ruto's own state
    events = coded("Kenyan President William Ruto and Ugandan President Yoweri Museveni held talks on Monday. "
                   "The two leaders agreed to strengthen trade between Nairobi and Kampala.")
    assert events, events
    assert not [e for e in events if e[1] == e[2]], events
