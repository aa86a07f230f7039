"""The shared clause grammar (transforms/coding/syntax.py) on real parses of sentences written for these tests."""
from __future__ import annotations

import pytest

from transforms.coding.syntax import clause_verb, is_future_aux, is_future_clause, is_negation, is_past, is_perfect


def word(doc, text: str):
    return next(t for t in doc if t.text == text)


@pytest.mark.parametrize(
    "sentence, verb, future",
    [
        ("Germany will send troops to Poland.", "send", True),
        ("Germany ll send troops to Poland.", "send", True),
        ("The minister is set to visit Ankara.", "visit", True),
        ("The minister is going to visit Ankara.", "visit", True),
        ("The minister went to visit Ankara.", "visit", False),
        ("The minister agreed to visit Ankara.", "visit", False),
        ("The minister visits Ankara.", "visits", False),
    ],
)
def test_future_clause(nlp_raw, sentence, verb, future):
    assert is_future_clause(word(nlp_raw(sentence), verb)) is future


def test_clause_verb_is_the_verb_or_the_light_verb_of_an_event_noun(nlp_raw):
    doc = nlp_raw("The two leaders held talks in Geneva.")
    assert clause_verb(word(doc, "talks")).text == "held"
    assert clause_verb(word(doc, "held")).text == "held"
    assert clause_verb(word(doc, "Geneva")) is None


def test_tense_and_negation(nlp_raw):
    doc = nlp_raw("Russia had attacked the town, but Iran has not replied and will never agree.")
    assert is_perfect(word(doc, "attacked")) and is_past(word(doc, "attacked"))
    assert is_perfect(word(doc, "replied"))
    assert any(is_negation(c) for c in word(doc, "replied").children)
    assert any(is_negation(c) for c in word(doc, "agree").children)
    assert any(is_future_aux(c) for c in word(doc, "agree").children)
    assert not is_perfect(word(doc, "agree")) and not is_past(word(doc, "agree"))
