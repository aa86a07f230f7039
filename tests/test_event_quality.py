"""Event quality (issue 10): the PETRARCH2 verb dictionary as a second tier, error classes fixed at their root,
and the calibrated confidence. Every sentence here is written for these tests.

The tests run the real DocumentCoder (real ActorCoder, real spaCy model) on single sentences.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import pathlib

import pytest

from transforms.coding.events.lexicon import DICTIONARY, OWN, Lexicon
from transforms.coding.model import Document
from transforms.coding.taxonomy import Taxonomy

ROOT = pathlib.Path(__file__).resolve().parents[1]


def code(nlp, document_coder, text: str) -> list[dict]:
    doc = nlp(text)
    document = Document(doc_id="t", text=text, doc_date=dt.date(2021, 3, 4))
    return document_coder.code(doc, document, nlp_model="m", ingested_at=dt.datetime(2021, 3, 4)).events


def summary(events: list[dict]) -> set[tuple]:
    return {(e["source_code"], e["cameo_code"], e["target_code"], e["modality"]) for e in events}


# ---------------------------------------------------------------------- the verb dictionary (second tier)
def _converter():
    spec = importlib.util.spec_from_file_location("convert_petrarch_verbs", ROOT / "tools" / "convert_petrarch_verbs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INVENTED_DICTIONARY = """\
# The MIT License (MIT)
# Copyright (c) 2015 Somebody
# IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

&PACT
+TREATY
+ACCORD

--- MEND [---] ---
MEND
PATCH
+PATCH_UP {+PATCHED_UP +PATCHING_UP}
- * RELATIONS [054] # MEND
- * &PACT (WITH +) [057] # PATCH
- * [051] # MEND
- * (ON MONDAY) [---] # MEND
- * UP (WITH ^) [---] # PATCH_UP
- * UP FENCES [050] # PATCH_UP
- WILL * RELATIONS [030] # MEND
"""


def test_converter_turns_verb_object_phrases_into_patterns():
    convert = _converter()
    lines = INVENTED_DICTIONARY.splitlines(keepends=True)
    body, stats = convert.convert(lines, {"054", "057", "051", "050", "030"}, isolated=False, roots=None)
    patterns = [line for line in body if line.startswith("petrarch.")]
    assert "petrarch.mend.1  054  v:mend  obj=relation" in patterns  # only the verb the pattern was written for
    assert "petrarch.mend.2  057  v:patch  obj=accord,treaty  prep=with:@actor  >  with,obj,to,against,on" in patterns
    assert "petrarch.mend.3  050  v:patch  prt=up  obj=fence" in patterns
    # null codes, bare verbs, phrases with no object noun and auxiliaries before the verb are not converted
    assert len(patterns) == 3 and stats["patterns_in"] == 7
    assert convert.parse_license(lines)[0] == "The MIT License (MIT)"
    body, _ = convert.convert(lines, {"054", "057", "051"}, isolated=True, roots=None, synonyms=True)
    assert "petrarch.mend.1  054  v:mend,patch  obj=relation" in body


def test_generated_dictionary_keeps_the_mit_notice_and_loads_as_second_tier():
    text = (ROOT / "transforms" / "coding" / "data" / "event_patterns_petrarch.txt").read_text(encoding="utf-8")
    assert "The MIT License (MIT)" in text and "Open Event Data Alliance" in text
    lexicon = Lexicon.load(taxonomy=Taxonomy.load())
    tiers = {p.tier for p in lexicon.patterns}
    assert tiers == {OWN, DICTIONARY}
    # own patterns are always tried first for a trigger word
    for lemma in ("freeze", "attack", "accuse"):
        found = [p.tier for p in lexicon.lookup("VERB", lemma)]
        assert found and found == sorted(found, key=lambda t: t != OWN)
    # light and speech verbs are grammar, never dictionary phrases
    assert not [p for p in lexicon.lookup("VERB", "say") if p.tier == DICTIONARY]
    assert not Lexicon.load(taxonomy=Taxonomy.load(), dictionary=False).lookup("VERB", "advise")


def test_dictionary_codes_a_phrase_the_own_lexicon_lacks_and_own_patterns_win(nlp, document_coder):
    events = code(nlp, document_coder, "The French government advised against travel to Morocco on Monday.")
    assert [(e["source_code"], e["cameo_root"]) for e in events] == [("FRAGOV", "16")]
    assert events[0]["pattern_id"].startswith("petrarch.")
    events = code(nlp, document_coder, "Canada froze the bank accounts of three Iranian officials on Tuesday.")
    assert events and all(not e["pattern_id"].startswith("petrarch.") for e in events)


# ---------------------------------------------------------------------- error classes (issue 10, part 4)
@pytest.mark.parametrize("text", [
    "A violent storm killed eleven people in western Peru on Saturday.",  # weather
    "A train collision killed six passengers near the Chilean capital.",  # accident
    "Norway beat Sweden 3-1 in the European championship qualifier on Friday.",  # sports
    "The war has ruined the economy of Yemen, the Omani minister said.",  # a conflict's name, not an act
    "The battle for the port lasted four weeks.",
])
def test_no_violence_without_a_political_act(nlp, document_coder, text):
    assert not [e for e in code(nlp, document_coder, text) if e["cameo_root"] in ("18", "19", "20")]


def test_violence_between_actors_is_still_coded(nlp, document_coder):
    events = code(nlp, document_coder, "Turkish warplanes bombed Kurdish rebel positions in northern Iraq on Sunday.")
    assert {(e["source_country"], e["cameo_root"]) for e in events} >= {("TUR", "19")}
    events = code(nlp, document_coder, "Russia's attack on Georgia drew condemnation.")
    assert ("RUS", "GEO") in {(e["source_country"], e["target_country"]) for e in events if e["cameo_root"] in ("18", "19")}


@pytest.mark.parametrize("text", [
    "The Peruvian president agreed that the tax system needed reform.",  # concurred
    "The Chilean police offered a reward for information about the robbers.",
])
def test_intent_needs_a_commitment(nlp, document_coder, text):
    assert not [e for e in code(nlp, document_coder, text) if e["cameo_root"] == "03"]


def test_voting_is_not_an_intention(nlp, document_coder):
    events = code(nlp, document_coder, "The Spanish parliament voted to extend the state of emergency.")
    assert not [e for e in events if e["pattern_id"].startswith("intent.")]


def test_release_of_a_document_is_not_a_release_of_people(nlp, document_coder):
    events = code(nlp, document_coder, "The Kremlin released a transcript of the call between the two leaders.")
    assert not [e for e in events if e["cameo_code"].startswith("084")]
    events = code(nlp, document_coder, "Iran released two British sailors on Thursday.")
    assert "0841" in {e["cameo_code"] for e in events}


def test_brokering_a_truce_is_mediation(nlp, document_coder):
    events = code(nlp, document_coder, "Egypt brokered a truce between Israel and Hamas on Sunday.")
    codes = {(e["source_country"], e["cameo_code"]) for e in events}
    assert ("EGY", "045") in codes and not [c for s, c in codes if s == "EGY" and c.startswith("05")]


def test_a_campaign_rally_is_not_a_protest(nlp, document_coder):
    for text in ("The Mexican president held a rally with supporters in Monterrey.",
                 "Russia closed its border with Finland on Monday."):
        assert not [e for e in code(nlp, document_coder, text) if e["cameo_root"] == "14"]
    events = code(nlp, document_coder, "Thousands of Chilean students marched against the government in Santiago.")
    assert "14" in {e["cameo_root"] for e in events}


def test_never_a_self_target(nlp, document_coder):
    for text in ("The Kenyan president agreed to hold talks.", "Police arrested protesters in Tunis and Sousse."):
        for e in code(nlp, document_coder, text):
            assert e["target_text"] != e["source_text"]
            assert not (e["target_code"] and e["target_code"] == e["source_code"])


def test_a_place_phrase_is_not_an_actor(nlp, document_coder):
    events = code(nlp, document_coder, "Police arrested twelve protesters in Tunis, Sfax and Sousse on Wednesday.")
    assert events and all(e["target_text"] not in ("Tunis", "Sfax", "Sousse") for e in events)
    # a foreign place acted upon stands for its country
    events = code(nlp, document_coder, "Israel reimposed a blockade in the Gaza Strip on Friday.")
    assert {(e["source_country"], e["target_country"]) for e in events} <= {("ISR", "PSE"), ("ISR", None)}


def test_two_actors_of_one_code_are_not_a_self_target(nlp, document_coder):
    # one country's president and prime minister are two actors, though both are coded GOV
    events = code(nlp, document_coder, "The Polish president thanked the Polish prime minister on Monday.")
    assert ("POLGOV", "POLGOV") in {(e["source_code"], e["target_code"]) for e in events}


def test_a_capital_in_a_place_phrase_is_a_place(nlp, document_coder):
    # "in Nairobi" says where, not whom: no government target, and no violence without a named victim
    assert not [e for e in code(nlp, document_coder, "Kenyan police opened fire in Nairobi on Monday.")
                if e["cameo_root"] in ("18", "19", "20")]
    for e in code(nlp, document_coder, "Kenya agreed to hold talks in Nairobi."):
        assert e["target_text"] != "Nairobi" and e["target_code"] in (None, "")
    # a capital as the subject still stands for its government
    events = code(nlp, document_coder, "Washington imposed sanctions on Moscow.")
    assert ("USAGOV", "RUSGOV") in {(e["source_code"], e["target_code"]) for e in events}


def test_a_domestic_act_in_a_place_of_the_country_targets_the_country(nlp, document_coder):
    # a part of a country (its government) acting in a place of that country acts on the country as a whole
    events = code(nlp, document_coder, "The Sudanese government lifted the state of emergency in Darfur on Monday.")
    assert {(e["source_code"], e["target_code"], e["target_text"]) for e in events} == {("SDNGOV", "SDN", "Sudan")}
    # protesters at home address their government
    events = code(nlp, document_coder, "Thousands of Peruvian teachers protested in Lima on Tuesday.")
    assert ("PEREDU", "14", "PERGOV") in {(e["source_code"], e["cameo_root"], e["target_code"]) for e in events}
    # the country itself acting at home has no target (never a self-target), nor has violence without a victim
    for text in ("Kenya agreed to hold talks in Nairobi.", "Kenyan police opened fire in Nairobi on Monday."):
        assert all(e["target_country"] != "KEN" for e in code(nlp, document_coder, text)), text


def test_pronoun_takes_a_singular_antecedent(nlp, document_coder):
    events = code(nlp, document_coder,
                  "Journalists asked the Italian prime minister about the deal, but he declined to comment.")
    declined = [e for e in events if e["cameo_code"] == "011"]
    assert declined and declined[0]["source_code"] == "ITAGOV"


def test_quoted_imperative_is_an_appeal_of_the_speaker(nlp, document_coder):
    events = code(nlp, document_coder, '"Free the hostages now," the Iranian foreign minister told Britain.')
    assert {(e["source_code"], e["cameo_root"], e["target_code"], e["modality"]) for e in events} == {
        ("IRNGOV", "02", "GBR", "ASSERTED")
    }


def test_should_statement_is_a_demand_and_allegations_are_hypothetical(nlp, document_coder):
    events = code(nlp, document_coder, "Egypt should reopen its embassy in Libya, the Turkish president said.")
    assert {(e["source_code"], e["cameo_root"], e["modality"]) for e in events} >= {("TURGOV", "10", "ASSERTED")}
    events = code(nlp, document_coder, "The opposition alleged that the Ugandan army had killed dozens of villagers.")
    assert all(e["modality"] == "HYPOTHETICAL" for e in events if e["cameo_root"] in ("18", "19", "20"))


# ---------------------------------------------------------------------- calibrated confidence (issue 10, part 2)
def test_confidence_model_file_is_validated_with_file_and_line(tmp_path):
    from transforms.coding.errors import DataFileError
    from transforms.coding.events.confidence import ConfidenceModel

    model = ConfidenceModel.load()
    assert 0.0 <= model.min_confidence <= 1.0 and model.weights["event"]
    bad = tmp_path / "model.tsv"
    head = "@min_confidence 0.5\n@intercept event 0\n@intercept fields 0\n"
    bad.write_text(head + "event colour=red 1.0\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"model.tsv:4: bad feature 'colour=red'"):
        ConfidenceModel.load(str(bad))
    bad.write_text("@min_confidence 2\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"model.tsv:1: @min_confidence must be within 0..1"):
        ConfidenceModel.load(str(bad))
    bad.write_text("@min_confidence 0.5\n@intercept event 0\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="@intercept fields"):
        ConfidenceModel.load(str(bad))
    good = ConfidenceModel.parse(head + "event tgt=none -2\nfields date=DAY 1\n", "m")
    assert good.probability(["tgt=none"]) < good.probability(["tgt=country"]) == 0.25
    assert good.probability(["date=DAY"]) > 0.25  # P(event) x P(fields | event)


def test_events_carry_features_and_the_calibrated_confidence(nlp, document_coder):
    events = code(nlp, document_coder, "Japan and South Korea signed a fisheries agreement on Monday.")
    assert events
    for event in events:
        features = event_features_of(nlp, document_coder, event)
        assert "tier=own" in features and any(f.startswith("date=") for f in features)
        assert event["confidence"] == round(document_coder.confidence.probability(features), 4)


def event_features_of(nlp, document_coder, event):
    text = "Japan and South Korea signed a fisheries agreement on Monday."
    doc = nlp(text)
    document = Document(doc_id="t", text=text, doc_date=dt.date(2021, 3, 4))
    records = document_coder.code(doc, document, nlp_model="m", ingested_at=dt.datetime(2021, 3, 4),
                                  keep_features=True).events
    return next(r["_features"] for r in records if r["event_id"] == event["event_id"])


def test_min_confidence_drops_and_counts_events(tmp_path):
    from pipelines import extract_events

    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "a", "date": "2024-05-06", "text": "Japan and South Korea signed a fisheries agreement on Monday."}\n',
        encoding="utf-8",
    )
    every = extract_events.run([f"--input={source}", f"--output={tmp_path}/all", "--formats=avro", "--min_confidence=0"])
    none = extract_events.run([f"--input={source}", f"--output={tmp_path}/none", "--formats=avro", "--min_confidence=1"])
    assert every["events"] >= 2 and every.get("events_below_min_confidence", 0) == 0
    assert none["events"] == 0 and none["events_below_min_confidence"] == every["events"]
    from transforms.coding.errors import ConfigError

    with pytest.raises(ConfigError, match="--min_confidence"):
        extract_events.run([f"--input={source}", f"--output={tmp_path}/x", "--min_confidence=1.5"])


def test_questions_and_standing_positions_are_not_events(nlp, document_coder):
    for text in ("How would you work with the Canadian government to end the dispute?",
                 "The Greek government strongly opposes the Turkish plan.",
                 "France has supported the Ukrainian government for years."):
        assert code(nlp, document_coder, text) == [], text
    assert code(nlp, document_coder, "The Greek government rejected the Turkish plan on Monday.")


# ---------------------------------------------------------------------- codes chosen by the codebook's rules
def codes(events: list[dict]) -> set[tuple]:
    return {(e["source_code"], e["cameo_code"], e["target_code"]) for e in events}


@pytest.mark.parametrize("text, expected", [
    # impeachment, sentencing and contempt are sanctions of the legislature or the court (172), not accusations
    ("The Brazilian Senate impeached the president on Tuesday.", ("BRALEG", "172", "BRAGOV")),
    ("A federal judge sentenced the former Peruvian minister to ten years in prison.", ("PERJUD", "172", "PERELI")),
    ("The Canadian parliament voted to hold the finance minister in contempt.", ("CANLEG", "172", "CANGOV")),
    # pressing someone to act is a demand (10x), not an appeal
    ("The Chilean government will pressure Argentina to reopen its embassy.", ("CHLGOV", "100", "ARG")),
    # a crime investigated, or the police investigating: 091
    ("Kenyan police are investigating the murder of the opposition leader.", ("KENCOP", "091", "KENOPP")),
    # killing and shooting by a non-military attacker is assault (18x); by armed forces it stays 19x
    ("A gunman shot two Kenyan police officers outside the station.", ("KENUAF", "182", "KENCOP")),
    ("An attacker killed three Swiss tourists with a knife on Sunday.", ("CHEUAF", "1823", "CHECVL")),
    ("Police shot the attacker in the leg.", ("COP", "182", "UAF")),
    ("Nigerian troops killed twelve Boko Haram fighters.", ("NGAMIL", "190", "NGAREB")),
    # classes of the real-news hand check (issue 10)
    # aircraft and drones as the attacker: air strikes (195), whatever the verb
    ("Japanese warplanes attacked a Chinese destroyer on Monday.", ("JPNMIL", "195", "CHNMIL")),
    ("Russian drones attacked a Ukrainian convoy near the border.", ("RUSMIL", "195", "UKR")),
    ("German air force jets struck Serbian positions.", ("DEUMIL", "195", "SRB")),
    # a legal appeal or a petition to a court is a suit (115), not a plea (020)
    ("The Polish government filed an appeal against the ruling of the European Court.", ("POLGOV", "115", "POLJUD")),
    # people protesting (no object) hold a demonstration
    ("Greek students protested in Athens on Monday.", ("GRCEDU", "141", "GRCGOV")),
    # weighing an act is a policy option (014), not the act
    ("The French president said he would consider charging the Belgian diplomat.", ("FRAGOV", "014", "BELGOV")),
    ("The Colombian government is weighing sending troops to the border with Venezuela.", ("COLGOV", "014", "VEN")),
    ("The Nigerian president accused the Dutch oil company of swindling.", ("NGAGOV", "1121", "NLDBUS")),
    # pressing someone to act is an appeal; a demand on another country stays a demand
    ("Lithuanian lawmakers pressed the Polish government to release the activists.", ("LTULEG", "0253", "POLGOV")),
    ("The Saudi foreign minister said Iran must stop its attacks on shipping.", ("SAUGOV", "100", "IRN")),
    # "attacked / blasted X for Y / as Z": criticism (111), not violence
    ("The Spanish prime minister attacked the opposition leader as a liar.", ("ESPGOV", "111", "ESPOPP")),
    ("Speakers hammered the French president for his response to the crisis.", ("FRALEG", "111", "FRAGOV")),
    ("The Brazilian president blasted the Argentine president as a communist.", ("BRAGOV", "111", "ARGGOV")),
    # killed or wounded in a violent event of a given means takes its code
    ("Two Tunisian policemen were killed in a suicide bombing in Tunis on Thursday.", ("TUNUAF", "1831", "TUNCOP")),
    ("Three Afghan soldiers were killed in an air strike in Helmand.", ("AFGUAF", "195", "AFGMIL")),
    ("A car bomb killed six Somali soldiers in Mogadishu.", (None, "1832", "SOMMIL")),
    ("A bomb killed three Pakistani policemen in Quetta.", (None, "183", "PAKCOP")),
    # still violence: a length of time is not a reason; hanging people is an execution; engaging troops is fighting
    ("Rebels attacked the Malian army base for three hours on Sunday.", ("MLIREB", "180", "MLIMIL")),
    ("Iran hanged two Kurdish activists on Tuesday.", ("IRN", "1823", "IRNCVL")),
    ("Syrian rebels engaged Filipino peacekeepers in a firefight on Saturday.", ("SYRREB", "193", "PHLMIL")),  # a firefight: small arms
    # the means of a killing are read in the sentences before it
    ("An attacker stabbed four French police officers in Lyon on Monday. The woman was killed in a stairwell.",
     ("FRAUAF", "1823", "FRACVL")),
    ("A gunman opened fire at a shopping mall in Ohio on Saturday. Six Mexican nationals were killed in the attack.",
     ("UAF", "182", "MEXCVL")),
    ("Russian artillery shelled the Ukrainian town overnight. Six Ukrainian civilians were killed.",
     ("UAF", "190", "UKRCVL")),
    ("Unknown attackers killed a Mexican journalist in Veracruz.", ("MEXUAF", "180", "MEXMED")),
])
def test_codes_follow_the_codebook(nlp, document_coder, text, expected):
    assert expected in codes(code(nlp, document_coder, text)), text


def test_questioning_is_criticism_of_an_act_not_of_a_suspect(nlp, document_coder):
    found = code(nlp, document_coder, "Two Irish senators questioned the legitimacy of the election.")
    assert {e["cameo_code"] for e in found} == {"111"}
    assert code(nlp, document_coder, "Police questioned the suspect for five hours.") == []


def test_approving_a_budget_is_not_an_event(nlp, document_coder):
    assert code(nlp, document_coder, "The Senate approved the budget on Friday.") == []


# ---------------------------------------------------------------------- targets the matcher used to miss
@pytest.mark.parametrize("text, expected", [
    # "called for X to ...": X is asked, not the object of the infinitive
    ("The Polish president has called for NATO members to increase military spending.", ("POLGOV", "020", "IGOWSTNAT")),
    ("The Spanish government called for Morocco to release the fishermen.", ("ESPGOV", "0253", "MAR")),
    # the possessor of the object phrase is the target ("criticized X's decision")
    ("The Romanian prime minister criticized the parliament's decision on Monday.", ("ROUGOV", "111", "ROULEG")),
    # protesters who name no addressee protest to their own government
    ("Thousands of Hungarian students marched through the capital on Sunday.", ("HUNEDU", "141", "HUNGOV")),
])
def test_targets_of_the_kinds_the_matcher_missed(nlp, document_coder, text, expected):
    assert expected in codes(code(nlp, document_coder, text)), text


def test_a_possessive_pronoun_or_a_whole_actor_phrase_is_not_split(nlp, document_coder):
    # "its decision": no possessor mention; "the Iraqi government's envoy" stays one actor
    found = codes(code(nlp, document_coder, "The Romanian prime minister criticized its decision on Monday."))
    assert all(target is None for _, _, target in found)
    doc = nlp("The Iraqi government's envoy met the Turkish foreign minister.")
    mentions = document_coder.actors.find_mentions(doc, doc_date=dt.date(2021, 3, 4))
    assert [doc[m.start:m.end].text for m in mentions if m.actor.country == "IRQ"] == ["The Iraqi government's envoy"]


# ---------------------------------------------------------------------- false positives and implied agents
@pytest.mark.parametrize("text", [
    "Ten police officers arrived at the store six minutes later.",  # a visit needs a counterpart
    "The former Thai princess returned to Thailand in 2001.",  # going home is not a visit
    "The lawsuit was filed in a Chilean court on Monday.",  # nobody acts, and the court is not the patient
    "No Iraqi soldiers were injured in the attack.",  # agentless violence that did not happen
])
def test_not_events(nlp, document_coder, text):
    assert code(nlp, document_coder, text) == [], text


def test_agentless_violence_and_arrests_take_the_implied_agent(nlp, document_coder):
    shot = code(nlp, document_coder, "Two Afghan soldiers were killed in Kandahar.")
    assert {(e["source_role"], e["target_code"]) for e in shot} == {("UAF", "AFGMIL")}
    arrested = code(nlp, document_coder, "A prominent Egyptian blogger was arrested in Cairo on Monday.")
    assert {(e["source_code"], e["cameo_code"]) for e in arrested} == {("EGYCOP", "173")}
    assert ("FRAGOV", "042", "DEU") in codes(code(nlp, document_coder, "The French president arrived in Berlin on Monday."))
    # an agentless passive keeps its named patient; killing in a military attack stays military force (19x)
    accused = code(nlp, document_coder, "The former Haitian president has been accused of corruption.")
    assert {(e["cameo_code"], e["target_code"]) for e in accused} == {("1121", "HTIELI")}
    shelled = code(nlp, document_coder, "Four Palestinian children were killed in Israeli tank shelling on Friday.")
    assert {e["cameo_code"][:2] for e in shelled} == {"19"}


# ---------------------------------------------------------------------- court rulings (116)
@pytest.mark.parametrize("text, expected", [
    ("A federal judge in Texas ruled the government's practice is unconstitutional.", ("USAJUD", "116", "USAGOV")),
    ("The Australian High Court ruled against the government on Friday.", ("AUSJUD", "116", "AUSGOV")),
])
def test_a_court_ruling_an_act_unlawful_finds_its_author_liable(nlp, document_coder, text, expected):
    assert expected in codes(code(nlp, document_coder, text)), text


@pytest.mark.parametrize("text", [
    "The court ruled that the election was valid.",  # a ruling for someone is not a finding of liability
    "The Kenyan government declared the strike illegal.",  # a government is not a court
])
def test_rulings_that_find_nobody_liable_are_not_116(nlp, document_coder, text):
    assert not any(e["cameo_code"] == "116" for e in code(nlp, document_coder, text)), text


def test_comp_condition_is_validated_and_documented(tmp_path):
    bad = tmp_path / "p.txt"
    bad.write_text("mine.rule 116 v:rule comp=@somebody\n", encoding="utf-8")
    from transforms.coding.errors import DataFileError

    with pytest.raises(DataFileError, match="p.txt:1"):
        Lexicon.load(taxonomy=Taxonomy.load(), patterns_file=str(bad))
    assert "comp=" in (ROOT / "transforms" / "coding" / "data" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("text, expected", [
    # a protest whose aim is a policy is 1412; against an actor, or for a cause of another kind, 141
    ("Thousands of Hungarian students marched through the capital against the new education law.", "1412"),
    ("Thousands of people marched in Madrid on Saturday during an anti-austerity march.", "1412"),
    ("Thousands of protesters marched against the government in Caracas.", "141"),
    ("Pro-democracy protesters rallied in Minsk on Sunday.", "141"),
])
def test_a_protest_for_a_policy_is_1412(nlp, document_coder, text, expected):
    assert {e["cameo_code"] for e in code(nlp, document_coder, text)} == {expected}, text


def test_calling_something_a_quoted_name_is_not_a_phone_call(nlp, document_coder):
    named = code(nlp, document_coder, 'The Labour leader called the prime minister\'s Brexit plan "lousy" on Sunday.')
    assert {(e["cameo_code"], e["pattern_id"].endswith("grammar.naming")) for e in named} == {("111", True)}
    assert code(nlp, document_coder, 'The Dutch minister called the Turkish president "a dictator".') == []
    phoned = code(nlp, document_coder, "The French president called the Russian president on Monday.")
    assert ("FRAGOV", "041", "RUSGOV") in codes(phoned)


# ---------------------------------------------------------------------- codes and non-events on real news (issue 10)
@pytest.mark.parametrize("text, not_codes", [
    # an action that is the subject of its clause is talked about, not done
    ("Attacking Iran would be a grave mistake, the French foreign minister said.", {"18", "19", "20"}),
    ("Executing the prisoners would not bring peace, the Iraqi prime minister said.", {"18", "19", "20"}),
    # "X must ..." said of the speaker's own country is its own course, not a demand
    ("Italy's prime minister said Italy must leave the alliance by June.", {"10"}),
    ("The Kenyan president said Kenya must withdraw its troops from Somalia.", {"10"}),
    # handing over files is not extradition
    ("The Greek government handed over the files to the Turkish parliament.", {"063"}),
    # pressing ahead with a plan urges nobody; a government shutdown is no strike
    ("The Kenyan government pressed ahead with the plan.", {"02"}),
    ("Democrats plan to end the government shutdown quickly.", {"13", "14"}),
    # a candidate's rally is electioneering
    ("The Brazilian opposition candidate held a rally in Sao Paulo on Friday.", {"14"}),
    # the consider frame without a codable complement codes nothing
    ("The Chilean government is considering raising the fuel tax.", {"01"}),
    # a beaten team lost a match: no assault
    ("The Brazilian team beat Argentina in the final on Sunday.", {"18", "19"}),
    # a quoted exhortation to nobody named is no appeal (and no fighting)
    ('"Fight them wherever you find them," the militant leader told his followers.', {"02", "19"}),
    # a claimed possibility is an opinion, not an event
    ("Analysts speculated that Israel could strike Iranian nuclear sites.", {"18", "19"}),
    # the accusation is the event; the violence it alleges is not coded beside it
    ("The opposition alleged that the Turkish army had killed civilians in Afrin.", {"18", "19", "20"}),
    # "we must ..." is the speaker's own course
    ('"We must crush the rebels," the Ethiopian prime minister said.', {"10"}),
    # brokering a ceasefire is the mediation only
    ("Qatar brokered a ceasefire between Israel and Hamas.", {"087"}),
    # figurative and medical senses
    ("After three days, the Brazilian president was released from the hospital.", {"0841"}),  # a discharge, not a release
    ("The WHO decided to declare the outbreak a public health emergency.", {"1724"}),  # no coercion
    ("The United States has retreated from its goal of ousting the Syrian president.", {"0874"}),  # no retreat
    ("Officials said there was no evidence to support the Kenyan president's claims.", {"051"}),  # reasoning
    ("The space shuttle missions cost more than the American rockets.", {"045"}),  # no shuttle diplomacy
])
def test_real_news_non_events(nlp, document_coder, text, not_codes):  # no code starting with one of not_codes
    found = {e["cameo_code"] for e in code(nlp, document_coder, text)}
    assert not [c for c in found if c.startswith(tuple(not_codes))], (text, found)


def test_a_complement_is_never_a_circumstance_and_a_rally_against_is_dissent(nlp, document_coder):
    events = code(nlp, document_coder, "Hungarian voters are due to go to the polls following the resignation of the president.")
    assert not [e for e in events if e["modality"] == "FUTURE"]  # the resignation is not what is scheduled
    events = code(nlp, document_coder, "Opposition supporters held a rally against the Brazilian government during the campaign.")
    assert "14" in {e["cameo_root"] for e in events}


def test_claims_that_stay_events(nlp, document_coder):
    # a claimed demand is a demand; a mediation keeps both counterparts; a beaten protester is assaulted
    found = codes(code(nlp, document_coder, "The Turkish president claimed that Greece should withdraw its troops from the islands."))
    assert any(c[0] == "TURGOV" and c[1].startswith("10") and c[2] == "GRC" for c in found), found
    found = codes(code(nlp, document_coder, "Qatar brokered a ceasefire between Israel and Hamas."))
    assert {("QAT", "045", "ISR"), ("QAT", "045", "PSEREB")} <= found
    found = codes(code(nlp, document_coder, "Kenyan police beat protesters in Nairobi on Monday."))
    assert any(c[1] == "182" for c in found), found


def test_irrealis_complements(nlp, document_coder):
    # a negative quoted order is an appeal of the speaker to the addressee, not a negated attack
    found = codes(code(nlp, document_coder, '"Don\'t attack civilians," the UN envoy told the Sudanese army.'))
    assert ("IGOUNO", "020", "SDNMIL") in found and not [c for c in found if c[1].startswith("18")], found
    # a denial of an act is a denial (016) of the denier; the act is not coded
    found = codes(code(nlp, document_coder, "Iran has repeatedly denied that it supplied drones to Russia."))
    assert found == {("IRN", "016", "RUS")}, found
    assert not code(nlp, document_coder, "The Kenyan minister denied being tired.")


@pytest.mark.parametrize("text", [
    "The Chilean government wants the Bolivian army to withdraw from the border.",  # a wish about another's act
    "Serbia and Kosovo agreed that talks were needed.",  # concurred; no commitment
    "The Canadian government offered a reward for the capture of the killers.",  # what the reward is for
])
def test_wishes_concurrences_and_rewards_are_no_events(nlp, document_coder, text):
    assert code(nlp, document_coder, text) == [], text


@pytest.mark.parametrize("text", [
    "After the Zimbabwean president fired his vice president, the army moved.",  # dismissal, not artillery
    "The Labour party controlled the House of Commons until 2010.",  # a majority, not an occupation
    "A volunteer hangs signs in preparation for the fair in Texas.",
    "The virus has killed three people in Wuhan, Chinese officials said.",  # disease
    "The Chilean senator engaged with the Catholic church in 1993.",
])
def test_not_violence(nlp, document_coder, text):
    found = {e["cameo_root"] for e in code(nlp, document_coder, text)}
    assert not found & {"18", "19", "20"}, (text, found)


def test_literal_senses_still_coded(nlp, document_coder):
    assert ("EGYGOV", "0841", "CANMED") in codes(code(nlp, document_coder, "The Egyptian government released the Canadian journalist from prison on Monday."))
    assert ("THAMIL", "1724", "THA") in codes(code(nlp, document_coder, "The Thai army declared martial law in Bangkok."))
    assert ("FRAGOV", "051", "LBNGOV") in codes(code(nlp, document_coder, "The French government backed the Lebanese prime minister."))


def test_means_directives_are_validated_with_file_and_line(tmp_path):
    from transforms.coding.errors import DataFileError

    bad = tmp_path / "patterns.txt"
    bad.write_text("# a user file\n@assault_stab\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"patterns.txt:2"):
        Lexicon.load(taxonomy=Taxonomy.load(), patterns_file=str(bad))


def test_a_climate_change_demonstration_is_for_policy(nlp, document_coder):
    found = codes(code(nlp, document_coder, "The Swedish activist led the largest climate change demonstration in Stockholm."))
    assert ("SWECVL", "1412", "SWEGOV") in found, found
    found = codes(code(nlp, document_coder, "Chilean students held an anti-government rally in Santiago."))
    assert ("CHLEDU", "141", "CHLGOV") in found, found


# ---------------------------------------------------------------------- false positives fixed by class (codebook 1, 7)
@pytest.mark.parametrize("text, banned", [
    # a resignation with no pressure stated (7.1, point 7); "stepped into a role" is no resignation at all
    ("The Kenyan interior minister resigned for family reasons.", "0831"),
    ("The Kenyan minister stepped down after a family illness.", "0831"),
    ("The deputy minister stepped into the vacant post on Monday.", "0831"),
    # word senses: coming from a place, a flag order for the dead (7.1, point 1)
    ("The American senator hails from Ohio.", "051"),
    ("The Kenyan governor ordered that flags fly at half-mast for a week.", "100"),
    ("The Kenyan ministry gave the cause of death as a cardiac arrest.", "173"),
    # a private person moving to a country; an interview with a news outlet (7.1, point 4)
    ("Mr. Jones, a Somali refugee, came to Kenya in 2015.", "042"),
    ("Barack Obama discussed his background with the BBC.", "040"),
    # purpose and requirement, a reported question, a definition: nothing happened
    ("The minister described the raid as designed to intimidate the Kenyan opposition.", "130"),
    ("Two thirds of the Kenyan senate is needed to impeach the president.", "172"),
    ("Kenyan opposition leaders would not reveal whom they will back for governor.", "032"),
    ("A recall is the procedure by which Kenyan voters can remove a governor from office.", "160"),
    # background nouns: a recalled episode, a consequence (7 and 7.1, point 9)
    ("The Kenyan army had little ammunition left from its recent attack on Somali rebels.", "180"),
    ("The Kenyan activist's campaign resulted in his arrest.", "173"),
    # nobody reports the act; a standing position; a "when" clause is no plan
    ("The Kenyan police chief did not say that his officers had detained the Somali journalist.", "173"),
    ("The Kenyan senator had long opposed the new tax law.", "120"),
    ("When the Kenyan cabinet met, the ministers decided to postpone the budget.", "036"),
    # a crowd joining the protest the article already told is no second protest
    ("By noon, hundreds of Kenyan teachers had joined the march.", "141"),
    ("Some 5,000 students from Nairobi attended the demonstration.", "141"),
    ("Nearly half of the Kenyan students took part in the protests.", "141"),
])
def test_not_an_event(nlp, document_coder, text, banned):
    found = {e["cameo_code"] for e in code(nlp, document_coder, text)}
    assert banned not in found, (text, found)


def test_events_kept_beside_the_false_positive_classes(nlp, document_coder):
    found = codes(code(nlp, document_coder, "The Kenyan interior minister resigned amid protests over the budget."))
    assert ("KENGOV", "0831", None) in found, found
    found = codes(code(nlp, document_coder, "French President Emmanuel Macron traveled to Germany for the summit."))
    assert ("FRAGOV", "042", "DEU") in found, found
    found = codes(code(nlp, document_coder, "Barack Obama discussed the crisis with German Chancellor Angela Merkel."))
    assert ("USAELI", "040", "DEUGOV") in found, found
    found = codes(code(nlp, document_coder, "Kenyan students joined a protest against the new tax."))
    assert ("KENEDU", "1412", "KENGOV") in found, found
    found = codes(code(nlp, document_coder, "The Kenyan police chief said that his officers had detained the Somali journalist."))
    assert ("KENCOP", "173", "SOMMED") in found, found


def test_a_call_for_a_resignation_in_the_article_makes_it_one_under_pressure(nlp, document_coder):
    text = ("Kenyan protesters called for the interior minister's resignation. "
            "The Kenyan interior minister resigned on Friday.")
    found = {e["cameo_code"] for e in code(nlp, document_coder, text)}
    assert "0831" in found, found


# ---------------------------------------------------------------------- codes of real events (dev error classes)
@pytest.mark.parametrize("text, expected", [
    # an order by an authority is the ordered act, not a demand (100)
    ("The Russian defence minister ordered troops to shell the Ukrainian border town.", ("RUSGOV", "194", "UKR")),
    ("The Iraqi prime minister ordered security forces on high alert.", ("IRQGOV", "152", None)),
    ("The Chilean president ordered the arrest of the opposition leader.", ("CHLGOV", "173", "CHLOPP")),
    # a decree is what it does
    ("The Tunisian prime minister signed a decree banning the opposition party.", ("TUNGOV", "1722", "TUNOPP")),
    # resignations: called for 0241, demanded 1041, asked for 0241, in protest 140
    ("Chilean protesters called for the interior minister's resignation.", ("CHLCVL", "0241", "CHLGOV")),
    ("The Bolivian president asked the army chief for his resignation.", ("BOLGOV", "0241", "BOLMIL")),
    ("The Bolivian finance minister resigned in protest against the president's budget.", ("BOLGOV", "140", None)),
    # agreeing on / to the terms of a deal is the agreement (057), not an intention
    ("The Kenyan president agreed to power-sharing with the Kenyan opposition.", ("KENGOV", "057", "KENOPP")),
    # a speaker saying that someone breaks the law accuses them (1121); it is not the speaker's defiance (128)
    ("The Kenyan opposition leader said the Kenyan government is breaking the law.", ("KENOPP", "1121", "KENGOV")),
    # a meeting in a city is a meeting (040): a third country is not known from the words
    ("The German chancellor met with the French president in Brussels.", ("DEUGOV", "040", "FRAGOV")),
    # attacking a decision or an inquiry, or attacking something "as" something, is criticism (111), not an assault
    ("The American president attacked the impeachment investigation as a witch hunt.", ("USAGOV", "111", None)),
    ("The Chilean senator attacked the government's decision to raise taxes.", ("CHLLEG", "111", "CHLGOV")),
    # a firefight is a fight with small arms (193): a killing in one takes its code
    ("Three Russian militants were killed in a firefight with police on Monday.", ("RUSUAF", "193", "RUSREB")),
    # the aim protesters carry makes a rally for a policy
    ("Thousands of Argentine women gathered outside the Argentine Congress with banners supporting the legalisation "
     "of abortion.", ("ARGCVL", "1412", "ARGLEG")),
])
def test_codes_of_real_event_classes(nlp, document_coder, text, expected):
    found = codes(code(nlp, document_coder, text))
    assert expected in found, (text, found)
    assert len({c for _, c, _ in found}) == 1, (text, found)  # and no second code for the same act


@pytest.mark.parametrize("text", [
    "The appeals court vacated the conviction of the former Peruvian mayor and ordered a new trial.",  # nothing codable ordered
    "The Peruvian governor announced his resignation on Wednesday.",  # no pressure or protest stated
    "American troops are in Iraq at the invitation of the Iraqi government to defeat the militants.",  # an aim
    "The former Zimbabwean president was hailed a national hero.",  # praise by nobody
    "The Kenyan president supported education, healthcare and farming.",  # support of a policy, not of an actor
    "We appreciate the Iraqi army's quick response and investigation.",  # praise by an unknown speaker; the
    # investigation is what is praised, not an event of its own
    "The British prime minister stressed his support for the Brexit movement.",  # support of no actor
    "Two Democratic representatives opposed both articles of impeachment against the American president.",  # a vote
    # the means of an act ("using a knife") is not an event of its own (not 175 from the dictionary tier)
    "Witnesses, according to the local newspaper, said a man approached and attacked a group of middle-aged men in "
    "London, using a knife.",
])
def test_orders_resignations_aims_and_support_of_nobody_are_no_events(nlp, document_coder, text):
    assert code(nlp, document_coder, text) == [], text


def test_inability_is_no_refusal(nlp, document_coder):
    events = code(nlp, document_coder, "The Chilean president and the Chilean Congress could not agree on a national budget.")
    assert summary(events) == {("CHLGOV", "057", "CHLLEG", "NEGATED"), ("CHLLEG", "057", "CHLGOV", "NEGATED")}, summary(events)
    events = code(nlp, document_coder, "The Chilean president and the Chilean Congress refused to agree on a national budget.")
    assert {e["cameo_root"] for e in events} == {"12"}, summary(events)


def test_a_fronted_participle_is_not_the_complement(nlp, document_coder):
    found = codes(code(nlp, document_coder, "Refusing to give up power, the Kenyan president agreed to talks with the opposition."))
    assert ("KENGOV", "036", "KENOPP") in found, found
    assert not any(c.startswith("12") and t == "KENOPP" for _, c, t in found), found


# ---------------------------------------------------------------------- hand check of unseen news (handA)
@pytest.mark.parametrize("text", [
    "Officials said arrests were made in Portugal, Norway, Chile and the United Kingdom.",  # places, not arrestees
    "During the televised debate, Smith called Jones a clown, a liar, and the worst mayor.",  # naming, no phone call
    "Later that night, the AP also called Nevada for the governor.",  # a media projection, no appeal
    "Residents are tired and fed up with the current mayor.",  # weariness, no aid
    "The charity said the scandal would harm the community.",  # figurative harm
    "Health officials confirmed it has infected over 200 people and killed three people.",  # a disease
    "A father called the police on Sunday after his son found a bag of pills.",  # reporting a crime
])
def test_hand_check_non_events(nlp, document_coder, text):
    assert code(nlp, document_coder, text) == []


def test_hand_check_events_kept(nlp, document_coder):
    assert ("GOV", "020", "CVL", "ASSERTED") in summary(code(nlp, document_coder, "The governor urged residents to evacuate."))
    assert not any(e["cameo_code"] == "0233" for e in code(nlp, document_coder, "The governor urged residents to evacuate."))
    assert {e["cameo_code"] for e in code(nlp, document_coder, "The army evacuated the villagers.")} == {"073"}
    assert {e["cameo_code"] for e in code(nlp, document_coder, "The villagers were evacuated by the army.")} == {"073"}
    assert {e["cameo_code"] for e in code(nlp, document_coder, "The senator called for the minister to resign.")} == {"0241"}
    assert {e["cameo_code"] for e in code(nlp, document_coder, "Police arrested the protesters in Paris.")} == {"173"}
    assert {e["cameo_code"] for e in code(nlp, document_coder, "The mayor called the police chief on Sunday.")} == {"041"}
    # a deal announced by a third party is between its parties, not with the announcer
    events = code(nlp, document_coder, "The administration announced new agreements between Israel and Egypt.")
    assert {(e["source_code"], e["cameo_code"], e["target_code"]) for e in events} == {("ISR", "057", "EGY"), ("EGY", "057", "ISR")}
    # two lists of parties: never the announcer, never a party of one list with a party of the other
    for text in ("The administration announced new deals between Israel and Bahrain and between Serbia and Kosovo.",
                 "The administration announced additional deals between Israel and Bahrain and between Serbia and Kosovo."):
        for e in code(nlp, document_coder, text):
            assert {e["source_code"], e["target_code"]} in ({"ISR", "BHR"}, {"SRB", "XKX"}), e


def test_hand_check_codes_and_modality(nlp, document_coder):
    def codes(text):
        return {(e["source_code"], e["cameo_code"], e["target_code"], e["modality"]) for e in code(nlp, document_coder, text)}
    # a party's claim of its own attack is not the narrator's fact
    assert {m for *_, m in codes("Ruritania's army claimed to have killed 300 Kenyan soldiers.")} == {"HYPOTHETICAL"}
    # economic ties are economic cooperation, diplomatic ties recognition
    assert {c for _, c, _, _ in codes("Serbia and Kosovo opened economic ties on Monday.")} == {"061"}
    assert {c for _, c, _, _ in codes("Bahrain opened diplomatic relations with Israel.")} == {"054"}
    # a clash with no armed side is a violent protest
    assert {c for _, c, _, _ in codes("Clashes with counter-protesters broke out in the capital on Monday.")} == {"145"}
    # the police opening a criminal case investigate; a civil case is a lawsuit
    assert {c for _, c, _, _ in codes("Police opened a criminal case against the bus driver.")} == {"091"}
    assert {c for _, c, _, _ in codes("The family opened a civil case against the company.")} == {"115"}
    # mourning the dead is a tribute (not coded); benefits received are no hosting
    assert codes("The space agency paused its broadcast to mourn the cosmonaut's passing.") == set()
    assert codes("Chess players in Kenya receive benefits from their governments.") == set()


def test_hand_check_unsaid_askers_and_plans(nlp, document_coder):
    # "when asked to": nobody named asks, and what was asked is not done
    assert code(nlp, document_coder, "The governor made a vague statement about the militia when asked to condemn it.") == []
    assert code(nlp, document_coder, "When asked to comment on the arrests, the minister declined.") == []


def test_hand_check_questions_and_verbal_attacks(nlp, document_coder):
    # a reported question is no appeal; a request to act is
    assert code(nlp, document_coder, "The reporter asked the minister whether the army was ready.") == []
    assert code(nlp, document_coder, "The senator asked why the governor did not act.") == []
    assert code(nlp, document_coder, "The senator asked the governor if he would resign.") == []
    assert {e["cameo_code"] for e in code(nlp, document_coder, "The senator asked the governor to resign.")} == {"0241"}
    # attacking a politician on a topic is criticism; attacking soldiers on a road is violence
    assert {e["cameo_code"] for e in code(nlp, document_coder, "The opposition continued to attack the president on his taxes.")} == {"111"}
    assert {e["cameo_code"] for e in code(nlp, document_coder, "The rebels attacked the Kenyan soldiers on the road.")} == {"180"}


def test_hand_check_expelled_ambassador_is_174(nlp, document_coder):
    events = code(nlp, document_coder, "Athens expelled the Libyan ambassador on Monday.")
    assert {e["cameo_code"] for e in events} == {"174"}
