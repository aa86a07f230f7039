"""spaCy loading, chunked parsing of long texts, news sentence boundaries (real model)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from transforms.coding.errors import ConfigError
from transforms.coding.nlp import load_model, model_label, parse_texts, split_for_model


@pytest.fixture(scope="module")
def plain_nlp():
    return load_model()


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=400), st.integers(min_value=5, max_value=60))
@settings(max_examples=200)
def test_split_pieces_reassemble_exactly(text, limit):
    pieces = split_for_model(text, max_chars=limit)
    assert "".join(pieces) == text
    assert all(len(p) <= limit for p in pieces)


def test_long_text_is_parsed_in_chunks_not_truncated(plain_nlp):
    paragraph = "France and Germany signed a trade agreement in Paris on Monday. The talks lasted two days.\n\n"
    text = paragraph * 40  # ~3,600 chars, parsed in pieces of at most 1,000
    (doc,) = parse_texts(plain_nlp, [text], max_chunk_chars=1000)
    assert doc.text == text
    assert sum(1 for t in doc if t.lemma_ == "sign") == 40
    assert sum(1 for e in doc.ents if e.text == "Paris") == 40
    last_sign = [t for t in doc if t.lemma_ == "sign"][-1]
    assert text[last_sign.idx : last_sign.idx + len(last_sign.text)] == last_sign.text


def test_batches_keep_order(plain_nlp):
    texts = [f"Document number {i} mentions Canada." for i in range(7)] + ["x" * 10 + " long. " * 300]
    docs = list(parse_texts(plain_nlp, texts, batch_size=3, max_chunk_chars=1000))
    assert [d.text for d in docs] == texts


def test_headline_and_dateline(plain_nlp):
    text = "Leaders vow closer ties\n\nSEOUL, June 17 -- South Korea and Japan held talks on Monday. They agreed."
    (doc,) = parse_texts(plain_nlp, [text])
    sentences = [s.text.strip() for s in doc.sents]
    assert sentences[0] == "Leaders vow closer ties"
    assert sentences[1].startswith("SEOUL, June 17 -- South Korea and Japan held talks")


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ConfigError, match="not installed"):
        load_model("en_core_web_nonexistent")


def test_model_label(plain_nlp):
    assert model_label(plain_nlp).startswith("en_core_web_sm")


@pytest.mark.parametrize(
    "line, place, qualifier, date, agency",
    [
        ("SEOUL, June 17 -- Talks began.", "SEOUL", None, "June 17", None),
        ("KYIV, Ukraine (AP) \u2014 The government spoke.", "KYIV", "Ukraine", None, "AP"),
        ("NAIROBI, June 16 (Reuters) - Police said.", "NAIROBI", None, "June 16", "Reuters"),
        ("Paris, Aug. 6 -- Talks began.", "Paris", None, "Aug. 6", None),
        ("WASHINGTON: The talks failed.", "WASHINGTON", None, None, None),
    ],
)
def test_the_one_dateline_detector_reads_the_parts(line, place, qualifier, date, agency):
    from transforms.coding.dateline import dateline_at, find_datelines

    text = "Leaders meet\n" + line
    (found,) = find_datelines(text)
    assert (found.place, found.qualifier, found.date, found.agency) == (place, qualifier, date, agency)
    assert text[slice(*found.place_span)] == place
    assert dateline_at(text, len("Leaders meet\n")) == found
    rest = text[found.end:]  # the dateline ends after its dash and the blank after it
    assert rest[:1].isupper() and line.endswith(rest)


@pytest.mark.parametrize("line", ["Meanwhile - the talks went on.", "the talks - a summary: none.", "No dash here."])
def test_lines_that_are_not_datelines(line):
    from transforms.coding.dateline import find_datelines

    assert find_datelines(line) == ()
