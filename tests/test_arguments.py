"""Which phrase fills an event's source and target (issue 10, "events you can trust on real news"): the sentence
context fill only takes actors of the event's own clause, "he"/"she" never stand for an institution, and a reply
is addressed to whoever made the request. Every sentence here is written for these tests; the tests run the real
DocumentCoder (real ActorCoder, real spaCy model)."""
from __future__ import annotations

import datetime as dt

import pytest

from transforms.coding.errors import DataFileError
from transforms.coding.events.pronouns import collective_nouns, parse_collective_nouns
from transforms.coding.model import Document
from transforms.coding.syntax import argument_scope, in_scope


def code(nlp, document_coder, text: str) -> set[tuple]:
    doc = nlp(text)
    document = Document(doc_id="t", text=text, doc_date=dt.date(2021, 3, 4))
    events = document_coder.code(doc, document, nlp_model="m", ingested_at=dt.datetime(2021, 3, 4)).events
    return {(e["trigger"], e["source_code"], e["cameo_code"], e["target_code"]) for e in events}


def targets_of(events: set[tuple], trigger: str) -> set:
    return {t for trig, _, _, t in events if trig == trigger}


def word(doc, text: str):
    return next(t for t in doc if t.text == text)


# ---------------------------------------------------------------------- the clause grammar
def test_scope_climbs_through_clauses_without_a_subject(nlp_raw):
    doc = nlp_raw("An office worker went on a stabbing spree at the offices of the French police, killing four.")
    assert argument_scope(word(doc, "killing")).text == "went"
    killing = word(doc, "killing")
    assert in_scope(argument_scope(killing), word(doc, "police"), along=killing)


def test_scope_stops_at_a_reported_clause_and_leaves_out_attributions(nlp_raw):
    doc = nlp_raw("The minister said that Russia would attack the town.")
    assert argument_scope(word(doc, "attack")).text == "attack"
    doc = nlp_raw("According to the Brazilian mayor, police were investigating the fire.")
    investigating = word(doc, "investigating")
    assert not in_scope(argument_scope(investigating), word(doc, "mayor"), along=investigating)


def test_participants_of_clauses_of_their_own_are_out_of_scope(nlp_raw):
    doc = nlp_raw("The Kenyan government ordered the station to close during the emergency declared by the Kenyan president.")
    ordered = word(doc, "ordered")
    assert not in_scope(argument_scope(ordered), word(doc, "president"), along=ordered)
    doc = nlp_raw("The students vowed to keep marching until the Chilean government resigned.")
    vowed = word(doc, "vowed")
    assert not in_scope(argument_scope(vowed), word(doc, "government"), along=vowed)


# ---------------------------------------------------------------------- the sentence context fill
@pytest.mark.parametrize(
    "sentence, trigger",
    [
        # co-agents are not each other's targets
        ("The Greek foreign minister and the Greek opposition criticized the decision.", "criticized"),
        # what modifies the source is not its target
        ("The rebel group, which once fought the Philippine army, claimed responsibility for the bombing.", "claimed"),
        # the agent of another clause
        ("The Kenyan government demanded the closure of the station during the emergency declared by the Kenyan "
         "president.", "demanded"),
        # (the "until" clause is a time limit, not what was vowed: the vow is to keep marching)
        ("The students vowed to keep marching until the Chilean government resigned.", "vowed to keep marching"),
        # who reports the event
        ("According to the Brazilian mayor, police were investigating the fire.", "investigating"),
    ],
)
def test_the_context_fill_leaves_out_actors_of_other_clauses(nlp, document_coder, sentence, trigger):
    events = code(nlp, document_coder, sentence)
    assert targets_of(events, trigger) == {None}, events


def test_what_the_event_says_is_about_its_counterpart_but_not_what_a_conjoined_act_says(nlp, document_coder):
    events = code(nlp, document_coder,
                  "The Bolivian president hailed the report and warned that the Bolivian opposition could block the reform.")
    # praise of a report is no event (051 needs an actor praised); the warning is about the opposition
    assert targets_of(events, "hailed") <= {None} and targets_of(events, "warned") == {"BOLOPP"}, events


@pytest.mark.parametrize(
    "sentence, trigger, target",
    [
        ("The Bolivian senator criticized the decision, arguing the Bolivian president had overstepped his powers.",
         "criticized", "BOLGOV"),
        ("An office worker went on a stabbing spree at the offices of the French police, killing four.", "killing",
         "FRACOP"),
        ("Students continued their hunger strike to demand the resignation of the Bolivian president.", "continued",
         "BOLGOV"),
    ],
)
def test_the_context_fill_keeps_actors_of_the_events_own_clause(nlp, document_coder, sentence, trigger, target):
    assert targets_of(code(nlp, document_coder, sentence), trigger) == {target}


# ---------------------------------------------------------------------- pronouns and replies
@pytest.mark.parametrize(
    "sentence, reply",
    [
        ("The Peruvian government asked Judge Alvarez to delay the ruling, but he declined.", "declined"),
        ("The Peruvian government asked the judge to delay the ruling, but he refused.", "refused"),
    ],
)
def test_a_reply_is_made_by_the_one_asked_and_addressed_to_who_asked(nlp, document_coder, sentence, reply):
    events = code(nlp, document_coder, sentence)
    assert (reply, "PERJUD", "120", "PERGOV") in events, events
    assert not any(trig == reply and source == "PERGOV" for trig, source, _, _ in events)


def test_collective_noun_list_loads_and_reports_bad_lines():
    assert {"government", "jury", "court"} <= collective_nouns()
    assert parse_collective_nouns("# comment\n\njury\n", "x.txt") == frozenset({"jury"})
    with pytest.raises(DataFileError, match="x.txt:2"):
        parse_collective_nouns("jury\nThe Jury\n", "x.txt")
    with pytest.raises(DataFileError, match="x.txt:3: duplicate"):
        parse_collective_nouns("jury\n# c\njury\n", "x.txt")


def test_the_one_asked_replies_even_when_another_subject_is_nearer(nlp, document_coder):
    text = ("Reports said the rebel leader had died, but the US only recently came to believe it. "
            "The press asked Trump about it that same day, but he declined to comment.")
    events = code(nlp, document_coder, text)
    assert {(source, target) for trig, source, _, target in events if trig == "declined"} == {("USAELI", "USAMED")}


def test_it_replies_for_the_organisation_asked(nlp, document_coder):
    events = code(nlp, document_coder, "The Mexican government asked the Mexican army to leave the town, but it refused.")
    assert ("refused", "MEXMIL", "120", "MEXGOV") in events, events


# ---------------------------------------------------------------------- complements of requests and threats
@pytest.mark.parametrize(
    "sentence",
    [
        "The Arab League renewed its demand that Egypt lift restrictions on the travel of Sudanese students.",
        "The Arab League repeated its demand today that Egypt release the Sudanese fishermen.",
    ],
)
def test_the_one_asked_is_the_subject_of_the_request_clause(nlp, document_coder, sentence):
    events = code(nlp, document_coder, sentence)
    assert {target for _, source, _, target in events if source == "IGOARBARL"} == {"EGY"}, events


@pytest.mark.parametrize(
    "sentence, target",
    [
        ("The Kenyan parliament demanded an apology by the Ugandan army for the raid.", "UGAMIL"),
        ("The Arab League demanded an admission by Egypt that its police tortured Sudanese students.", "EGY"),
    ],
)
def test_the_one_asked_is_the_agent_of_the_act_demanded(nlp, document_coder, sentence, target):
    events = code(nlp, document_coder, sentence)
    assert {t for trig, _, _, t in events if trig.startswith("demanded")} == {target}, events


def test_a_threat_names_its_place_in_the_infinitive_even_when_a_deeper_event_is_adopted(nlp, document_coder):
    events = code(nlp, document_coder,
                  "The separatists threatened to renew their operations in Spain in support of the protest movement.")
    assert targets_of(events, "threatened") == {"ESP"}, events


@pytest.mark.parametrize(
    "sentence, trigger, target",
    [
        ("Moldovan lawmakers on Tuesday endorsed an association agreement with the European Union.", "endorsed",
         "IGOEUREEC"),
        ("The Moroccan king backed a partnership with Spain.", "backed", "ESP"),
    ],
)
def test_cooperation_with_the_partner_named_by_the_object(nlp, document_coder, sentence, trigger, target):
    assert targets_of(code(nlp, document_coder, sentence), trigger) == {target}


def test_violence_does_not_take_the_instrument_as_partner(nlp, document_coder):
    events = code(nlp, document_coder, "The Chilean army attacked the village with heavy artillery.")
    assert targets_of(events, "attacked") <= {"CHLCVL"}, events
