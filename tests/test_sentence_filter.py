"""Candidate-sentence parsing (real model): only sentences that may hold an event get the statistical pipeline,
the others keep their tokens and dictionary names, and the coded output does not depend on the filter."""
from __future__ import annotations

import datetime as dt

import pytest

from transforms.coding.model import Document
from transforms.coding.nlp import model_label

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)

# Written for this test: a dateline, a headline, a candidate sentence, sentences without a predicate or without
# any possible actor, a full name introduced in a sentence that holds no event and used later by surname.
TEXT = (
    "Ministers meet in Vienna\n\n"
    "VIENNA, March 2 -- Austrian Chancellor Karl Nehammer welcomed Italian Prime Minister Giorgia Meloni at the "
    "chancellery on Monday. The weather in the old town was cold and grey all morning.\n\n"
    "Snow is expected later this week. "
    "Nehammer criticized Hungary over its energy deals, and he praised the European Commission. "
    "Both leaders signed an agreement on migration with Tunisia.\n"
    "A storm struck the valley the next day.\n"
)


@pytest.fixture(scope="module")
def parsers(document_coder, nlp):
    return document_coder.parser(nlp), document_coder.parser(nlp, sentence_filter=False)


def _code(document_coder, nlp, doc):
    document = Document(doc_id="vienna", text=TEXT, doc_date=dt.date(2026, 3, 2))
    return document_coder.code(doc, document, nlp_model=model_label(nlp), ingested_at=NOW).events


def _sentence(doc, start_words):
    (sent,) = [s for s in doc.sents if s.text.startswith(start_words)]
    return sent


def test_candidate_sentence_is_parsed_and_coded(parsers, document_coder, nlp):
    filtered, _ = parsers
    ((doc, n_parsed),) = filtered.parse_counted([TEXT])
    assert doc.text == TEXT
    welcome = _sentence(doc, "VIENNA")
    assert {t.pos_ for t in welcome} >= {"PROPN", "VERB"}
    assert welcome.root.lemma_ == "welcome"
    assert any(e.label_ == "PERSON" and e.text == "Giorgia Meloni" for e in welcome.ents)
    events = _code(document_coder, nlp, doc)
    criticize = [e for e in events if e["trigger"] == "criticized"]
    assert criticize and criticize[0]["source_code"] == "AUTGOV" and criticize[0]["target_country"] == "HUN"
    assert 0 < n_parsed < len(list(doc.sents))


def test_sentences_without_predicate_or_actor_are_skipped(parsers, document_coder):
    filtered, _ = parsers
    (doc,) = filtered.parse([TEXT])
    storm = _sentence(doc, "A storm struck")
    assert document_coder.events.might_hold_event(storm.text)  # a predicate, but nobody to act
    for start in ("The weather in", "A storm struck"):
        sentence = _sentence(doc, start)
        assert not any(t.pos_ or t.lemma_ for t in sentence), start  # no tagger, no lemmatizer ran here
        assert {t.dep_ for t in sentence} <= {"ROOT", "dep"}  # the placeholder tree keeps its bounds
    # the sentence before a candidate that refers back with "he"/"its" is parsed as its context
    assert _sentence(doc, "Snow is expected").root.lemma_ == "expect"
    (doc_all,) = parsers[1].parse([TEXT])
    assert [s.text for s in doc.sents] == [s.text for s in doc_all.sents]


def test_skipped_sentences_keep_dictionary_names_for_coreference(parsers, document_coder, nlp):
    text = (
        "Austrian Chancellor Karl Nehammer spent the weekend at home.\n\n"
        "Yesterday Nehammer criticized the Hungarian government over energy deals.\n"
    )
    (doc,) = parsers[0].parse([text])
    first = next(iter(doc.sents))
    assert not first[0].pos_  # not parsed: no predicate
    assert ("Karl Nehammer", "PERSON") in [(e.text, e.label_) for e in first.ents]
    document = Document(doc_id="coref", text=text, doc_date=dt.date(2026, 3, 2))
    events = document_coder.code(doc, document, nlp_model=model_label(nlp), ingested_at=NOW).events
    # the surname refers back to the full name of the skipped sentence (its title needs the parse: not used)
    assert [(e["trigger"], e["source_country"], e["source_name"]) for e in events][:1] == [
        ("criticized", "AUT", "Karl Nehammer")
    ]


def test_offsets_and_coded_predicates_agree_with_filter_on_and_off(parsers, document_coder, nlp):
    filtered, unfiltered = parsers
    (doc_on,) = filtered.parse([TEXT])
    (doc_off,) = unfiltered.parse([TEXT])
    assert doc_on.text == doc_off.text == TEXT
    assert [(t.idx, t.text) for t in doc_on] == [(t.idx, t.text) for t in doc_off]
    assert [s.start for s in doc_on.sents] == [s.start for s in doc_off.sents]
    on, off = _code(document_coder, nlp, doc_on), _code(document_coder, nlp, doc_off)
    # Runs of candidate sentences are parsed as one Doc, the unfiltered document as a whole: the statistical
    # context differs at the edges of a run (the NER may see a name in a skipped sentence), so actors may
    # differ (here the whole-document NER takes "Snow" for a person, one more candidate for "Both leaders"); what
    # is coded where may not.
    keys = ("sentence_index", "trigger", "char_start", "cameo_code", "modality")
    assert {tuple(e[k] for k in keys) for e in on} == {tuple(e[k] for k in keys) for e in off}
    assert len(on) >= 3
    for event in on:
        assert TEXT[event["char_start"] : event["char_end"]] == event["trigger"]
        assert event["sentence"] in TEXT


def test_consecutive_candidate_sentences_are_parsed_as_one_doc(nlp):
    from transforms.coding.nlp import DocumentParser

    text = (
        "Canada and Mexico signed a pact. Their ministers met in Ottawa. The rain fell all day. "
        "Mexico praised the deal. Canada thanked Mexico."
    )
    parser = DocumentParser(nlp, select_sentences=lambda sents: [True, True, False, True, True])
    seen = []
    statistical = parser._statistical_pass
    parser._statistical_pass = lambda docs: (seen.extend(len(list(d.sents)) for d in docs), statistical(docs))[1]
    ((doc, n_parsed),) = parser.parse_counted([text])
    assert seen == [2, 2] and n_parsed == 4
    assert [s.text.strip() for s in doc.sents][1:3] == ["Their ministers met in Ottawa.", "The rain fell all day."]
    assert [t.lemma_ for t in doc if t.pos_ == "VERB"] == ["sign", "meet", "praise", "thank"]


def test_long_document_is_split_for_the_sentence_splitter_and_keeps_offsets(document_coder, nlp):
    parser = document_coder.parser(nlp, max_chunk_chars=1000)
    paragraph = "France and Germany signed a trade agreement in Paris on Monday. The sky was clear.\n\n"
    text = paragraph * 30
    ((doc, n_parsed),) = parser.parse_counted([text, ""][:1])
    assert doc.text == text
    signs = [t for t in doc if t.lemma_ == "sign"]
    assert len(signs) == 30 == n_parsed
    assert text[signs[-1].idx : signs[-1].idx + 6] == "signed"
    assert [d.text for d in parser.parse(["", "  \n", "Peace."])] == ["", "  \n", "Peace."]


def test_option_turns_the_filter_off():
    from pipelines.options import ExtractEventsOptions, coding_config, pipeline_options

    on = coding_config(pipeline_options(["--input=x"]).view_as(ExtractEventsOptions))
    off = coding_config(pipeline_options(["--input=x", "--no_sentence_filter"]).view_as(ExtractEventsOptions))
    assert on.sentence_filter is True and off.sentence_filter is False
