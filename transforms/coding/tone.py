"""Sentence tone from the VADER lexicon (vaderSentiment), on a -100..+100 scale.

Scale: ``tone = 100 * compound``, where ``compound`` is VADER's normalised valence of the whole sentence
(-1 most negative, +1 most positive; negation, intensifiers, "but" and punctuation taken into account),
rounded to 2 decimals. 0 is neutral; roughly, |tone| < 5 is neutral, 5..50 mild, > 50 strong.

How it relates to GDELT: GDELT 1.0's ``AvgTone`` (and GKG V1 tone) is the percentage of positive words
minus the percentage of negative words of the *whole article*, in theory -100..+100 but in practice mostly
-10..+10. We chose VADER's compound score instead of re-deriving (pos - neg)% because it is per sentence
(the sentence the event was coded from), handles negation ("did not condemn") and saturates sensibly on
short texts, where a word-percentage swings wildly. Same sign and range as GDELT's, but not the same
magnitude: do not mix the two without rescaling.

The analyzer (and its lexicon) is built once per process, on first use.
"""
from __future__ import annotations

import functools

__all__ = ["sentence_tone"]


@functools.lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentence_tone(text: str) -> float:
    """Tone of a sentence, -100 (most negative) .. +100 (most positive).

    text: The sentence (plain text).
    RETURNS: 100 x VADER's compound score, rounded to 2 decimals; 0.0 for empty text.
    """
    if not text or not text.strip():
        return 0.0
    return round(100.0 * _analyzer().polarity_scores(text)["compound"], 2)
