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
