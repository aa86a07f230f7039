"""Sentence tone (transforms/coding/tone.py): VADER compound x 100."""
from __future__ import annotations

import pytest

from transforms.coding.tone import sentence_tone


def test_cooperative_sentence_is_positive_and_violent_one_negative():
    friendly = sentence_tone("The two leaders agreed to strengthen cooperation and praised the friendly talks.")
    violent = sentence_tone("Gunmen killed twelve civilians in a brutal attack on the village.")
    assert friendly > 20
    assert violent < -50


def test_neutral_sentence_is_near_zero():
    assert abs(sentence_tone("The committee met on Tuesday in Brussels.")) < 5


def test_negation_is_taken_into_account():
    assert sentence_tone("The ministry condemned the strike.") < sentence_tone("The ministry did not condemn the strike.")


@pytest.mark.parametrize("text", [
    "Terrible, horrific, catastrophic massacre of innocent people!!!",
    "Wonderful, joyful, excellent and warm celebration of lasting peace!!!",
    "",
    "   ",
])
def test_scale_is_bounded_and_empty_text_is_neutral(text):
    tone = sentence_tone(text)
    assert -100.0 <= tone <= 100.0
    if not text.strip():
        assert tone == 0.0
    else:
        assert abs(tone) > 80
