"""Who acts: the source actor's country and role (codebook section 2), on whole invented articles."""
from __future__ import annotations

import datetime as dt

import pytest

from test_coder import code_text
from transforms.coding.events import EventCoder
from transforms.coding.model import CONTEXT, Actor, ActorMention
from transforms.coding.taxonomy import Taxonomy

D = dt.date(2025, 6, 17)


def _sources(events, **fields):
    return {e["source_code"] for e in events if all(e[k] == v for k, v in fields.items())}


@pytest.mark.parametrize("text,root,expected", [
    # prosecutors and courts charge, jail and sentence (JUD); the police arrest (COP)
    ("Peruvian officials met on Monday. The former mayor was charged with fraud on Tuesday.", "17", "PERJUD"),
    ("Peruvian officials met on Monday. The former mayor was sentenced to six years in prison on Tuesday.", "17",
     "PERJUD"),
    ("Peruvian officials met on Monday. The former mayor was arrested on Tuesday.", "17", "PERCOP"),
    # a legislature impeaches
    ("Peruvian officials met on Monday. President Ana Quispe was impeached in 2031.", "17", "PERLEG"),
])
def test_an_agentless_act_takes_the_body_its_verb_implies(document_coder, nlp, text, root, expected):
    events = code_text(document_coder, nlp, text, doc_date=D)
    assert _sources(events, cameo_root=root) == {expected}


def test_a_private_person_who_assaults_is_an_unidentified_attacker(document_coder, nlp):
    text = "In Lyon, France, a bakery worker went on a stabbing spree on Monday, killing three police officers."
    events = code_text(document_coder, nlp, text, doc_date=D)
    assert _sources(events, cameo_root="18") == {"FRAUAF"}


def test_a_country_whose_minister_announces_its_course_is_its_government(document_coder, nlp):
    text = ("Chile's Foreign Minister Rosa Varela met reporters on Monday. The foreign minister said Chile would seek "
            "to extradite the smuggler.")
    events = code_text(document_coder, nlp, text, doc_date=D)
    assert _sources(events, trigger="extradite") <= {"CHLGOV"} and _sources(events) & {"CHLGOV"}
    assert "CHL" not in _sources(events)


def test_a_person_introduced_with_a_title_keeps_it_when_named_alone(document_coder, nlp):
    text = ("Acme Corp CEO Marta Velikova said the refunds were offered. Velikova apologized to the Bulgarian "
            "government on Tuesday.")
    events = code_text(document_coder, nlp, text, doc_date=D)
    assert _sources(events, cameo_code="055") == {"BUS"} or _sources(events, cameo_code="055") == {"BGRBUS"}


def test_a_name_placed_later_in_the_article_places_its_first_mention(document_coder, nlp):
    text = ("The court had been petitioned by Orla Brennan of the Green Party for a ruling on the closure. "
            "Brennan, a member of the Irish parliament, criticised the government on Friday.")
    events = code_text(document_coder, nlp, text, doc_date=D)
    assert _sources(events, cameo_code="115") == {"IRLLEG"}


def test_the_nearest_of_two_subjects_acts(document_coder, nlp):
    text = ("According to the Denver mayor, Paul Arno, during the weekend, police were investigating whether the "
            "letter was written by the suspect.")
    events = code_text(document_coder, nlp, text, doc_date=D)
    assert _sources(events, cameo_root="09") == {"USACOP"}


def test_the_people_of_a_country_who_demonstrate_are_civilians(document_coder, nlp):
    text = "Ruthenians marched in Kyiv on Sunday. Ukrainians have been protesting since early June."
    events = code_text(document_coder, nlp, text, doc_date=D)
    assert _sources(events, cameo_root="14") == {"UKRCVL"}


def test_the_police_do_not_take_the_nationality_of_the_man_they_detain(nlp_raw):
    # "Tomas Arce" carries the Chilean nationality an earlier sentence gave him (CONTEXT): it does not place the
    # police of the country he was arrested in (the document's country does, later)
    doc = nlp_raw("Police soon arrived and detained the man, later identified as Tomas Arce.")
    police = ActorMention(start=0, end=1, actor=Actor(text="Police", code="COP", role="COP"))
    arce = ActorMention(start=11, end=13, actor=Actor(text="Tomas Arce", code="CHLCVL", country="CHL", role="CVL",
                                                      country_source=CONTEXT))
    assert doc[11:13].text == "Tomas Arce"
    events = EventCoder(taxonomy=Taxonomy.load()).code(doc, [police, arce])
    arrests = [e for e in events if e.cameo_code.startswith("17")]
    assert arrests and all(e.source.code == "COP" and e.source.country is None for e in arrests)


def test_a_title_before_a_sentence_cut_after_its_parenthesis_still_names_the_person(document_coder, nlp):
    # the splitter sometimes ends a sentence after "MP (Member of Parliament)": the title still names Doyle
    text = "The speakers included Labour MP (Member of Parliament) Jane Doyle, and Sadiq Khan. Doyle criticised them."
    doc = nlp.make_doc(text)
    name = next(t.i for t in doc if t.text == "Jane")
    for t in doc:
        t.is_sent_start = t.i in (0, name) or doc[t.i - 1].text == "."
    for _, component in nlp.pipeline:
        doc = component(doc)
    codes = {doc[m.start : m.end].text: m.actor.code for m in document_coder.actors.find_mentions(doc, doc_date=D)}
    assert codes["Doyle"] == "GBRLEG"
    assert any(text.endswith("Jane Doyle") and code == "GBRLEG" for text, code in codes.items())
