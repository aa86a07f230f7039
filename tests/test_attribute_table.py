"""The table-driven attribute_ruler gives every token the attributes the stock spaCy component gives it."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.vocab import Vocab

from transforms.coding.attribute_table import AttributeTable, AttributeTableComponent, table_for

# Invented sentences that reach the model's exception rules: auxiliaries and main-verb "do"/"have", "'s" as
# "is"/"has"/possessive, pronouns as subjects and objects, "that" as determiner/pronoun/conjunction, "there is",
# "ain't", "gonna", "let's", "y'all", "nothin'", indefinite pronouns, negation, modals, line breaks.
SENTENCES = [
    "The envoy said that she had done nothing wrong, but it wasn't enough for them.",
    "There is no deal yet, and there were protests outside the ministry on Tuesday.",
    "Let's be clear: we ain't gonna sign anything they write, y'all know that.",
    "The minister's aide has gone home; he's tired and it's late.",
    "Did the council have a vote?  Yes, it did, and nobody objected to it.",
    "They gave it to me and I thanked them myself.\n\nCould those talks resume soon?",
    "Somebody must've seen somethin' - nothin' was reported to the police once.",
    "If the rebels do attack, the army will respond, although officials doubt it.",
]
ATTRIBUTES = ("tag_", "pos_", "morph", "lemma_", "dep_", "head", "norm_")


def token_attributes(doc: Doc) -> list[tuple]:
    return [tuple(str(getattr(token, name)) for name in ATTRIBUTES) for token in doc]


def test_the_table_copies_the_models_rules_exactly(nlp_raw):
    stock = nlp_raw.get_pipe("attribute_ruler")
    table = table_for(stock)
    assert table is not None and table.matcher_rules < len(stock.patterns) // 5
    with nlp_raw.select_pipes(disable=["attribute_ruler", "lemmatizer"]):
        parsed = [doc.to_bytes() for doc in nlp_raw.pipe(SENTENCES)]
    lemmatizer = nlp_raw.get_pipe("lemmatizer")
    for data in parsed:
        expected = lemmatizer(stock(Doc(nlp_raw.vocab).from_bytes(data)))
        got = lemmatizer(table(Doc(nlp_raw.vocab).from_bytes(data)))
        assert token_attributes(got) == token_attributes(expected)
    # the same again, with the table's cache warm
    for data in parsed:
        assert token_attributes(table(Doc(nlp_raw.vocab).from_bytes(data))) == token_attributes(
            stock(Doc(nlp_raw.vocab).from_bytes(data))
        )


def test_load_model_runs_the_table_and_keeps_the_models_output(nlp_raw):
    from transforms.coding.nlp import load_model

    nlp = load_model()
    assert isinstance(nlp.get_pipe("attribute_ruler"), AttributeTableComponent)
    assert nlp.pipe_names.index("attribute_ruler") == nlp.pipe_names.index("lemmatizer") - 1
    for text in SENTENCES:
        text = text.replace("\n\n", " ")  # no line breaks: demarche's sentence rules would change the parse
        assert token_attributes(nlp(text)) == token_attributes(nlp_raw(text))


# A rule set with every kind of pattern the table handles, in an order where later rules override earlier ones.
RULES = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},
    {"patterns": [[{"TAG": "VBD"}]], "attrs": {"POS": "VERB", "MORPH": "Tense=Past"}},
    {"patterns": [[{"TAG": "DT"}]], "attrs": {"POS": "DET"}},
    {"patterns": [[{"TAG": "NN", "LOWER": {"IN": ["nothing", "someone"]}}]], "attrs": {"POS": "PRON"}},
    {"patterns": [[{"TAG": "VBD", "LOWER": "did"}], [{"TAG": "VBD", "LOWER": "had"}]],
     "attrs": {"POS": "AUX", "LEMMA": "do"}},
    {"patterns": [[{"LOWER": "had"}]], "attrs": {"LEMMA": "have"}},
    {"patterns": [[{"TEXT": "Nothing"}]], "attrs": {"MORPH": "PronType=Neg"}},
    {"patterns": [[{"LOWER": "did", "DEP": "ROOT"}]], "attrs": {"POS": "VERB"}},
    {"patterns": [[{"TAG": {"NOT_IN": ["DT", ""]}, "DEP": {"IN": ["aux", "det"]}}]], "attrs": {"POS": "AUX"}},
    {"patterns": [[{"LOWER": {"REGEX": "^no?th"}}]], "attrs": {"LEMMA": "nothing"}},
    {"patterns": [[{"DEP": "expl"}, {"LOWER": "was"}]], "attrs": {"POS": "VERB"}, "index": 1},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "to"}, "index": -1},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE"}},
    {"patterns": [[{"TAG": "DT", "IS_SPACE": False}]], "attrs": {"MORPH": "PronType=Art"}},
    {"patterns": [[{"TAG": "NN", "OP": "+"}]], "attrs": {"MORPH": "Number=Plur"}},
]
WORDS = ["nothing", "Nothing", "someone", "did", "had", "was", "gon", "na", "the", "talks", "nth", "  "]
TAGS = ["NN", "VBD", "DT", "IN", ""]
DEPS = ["ROOT", "aux", "det", "expl", "nsubj"]


# NORM is not only a token field: with it, the table sets attributes token by token instead of with from_array
NORM_RULE = {"patterns": [[{"LOWER": "talks"}]], "attrs": {"NORM": "talk"}}


@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(TAGS), st.sampled_from(DEPS)), min_size=1,
                max_size=12), st.booleans())
@settings(max_examples=300, deadline=None)
def test_every_kind_of_pattern_gives_what_the_stock_ruler_gives(tokens, with_norm):
    vocab = Vocab()
    stock = AttributeRuler(vocab)
    stock.add_patterns(RULES + [NORM_RULE] * with_norm)
    table = AttributeTable(vocab, stock.patterns)
    assert table.matcher_rules == 3  # several tokens, an operator: the Matcher; everything else is a table

    def make() -> Doc:
        words = [word for word, _, _ in tokens]
        deps = ["ROOT"] + [dep if dep != "ROOT" else "dep" for _, _, dep in tokens[1:]]
        return Doc(vocab, words=words, spaces=[False] * len(words), tags=[tag for _, tag, _ in tokens],
                   heads=[0] * len(words), deps=deps)

    assert token_attributes(table(make())) == token_attributes(stock(make()))
    assert token_attributes(table(make())) == token_attributes(stock(make()))  # cache warm


def test_rules_setting_extension_attributes_keep_the_stock_component():
    from spacy.tokens import Token

    Token.set_extension("demarche_test_seen", default=False, force=True)
    vocab = Vocab()
    stock = AttributeRuler(vocab)
    stock.add_patterns([{"patterns": [[{"LOWER": "x"}]], "attrs": {"_": {"demarche_test_seen": True}}}])
    assert table_for(stock) is None


def test_an_empty_component_says_how_to_fill_it():
    with pytest.raises(RuntimeError, match="replace_attribute_ruler"):
        AttributeTableComponent()(Doc(Vocab(), words=["a"]))
