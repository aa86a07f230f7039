"""``demarche replay``: dead letters whose cause was fixed are coded; the rest are dead-lettered again, never lost."""
from __future__ import annotations

import json
import os

import pyarrow.parquet as pq

from pipelines import cli, extract_events
from transforms.storage import commit

LONG = ("Norway and Sweden agreed on Tuesday to build a joint rail link across their northern border, and their "
        "transport ministers signed the financing plan in Oslo after talks that lasted two days. Officials from both "
        "countries said that the work would begin next spring and end within five years.")
DOCS = [
    {"id": "r1", "date": "2025-04-01", "text": "Egypt condemned an air strike near its border with Sudan on Monday."},
    {"id": "r2", "date": "2025-04-01", "text": LONG},
]


def _letters(out) -> list[dict]:
    return [json.loads(line) for p in commit.committed_files(str(out), "dead_letter", "jsonl")
            for line in open(p, encoding="utf-8")]


def _documents(out) -> list[str]:
    return sorted(r["doc_id"] for p in commit.committed_files(str(out), "documents", "parquet")
                  for r in pq.read_table(p).to_pylist())


def test_replay_codes_fixed_dead_letters_and_keeps_the_others(tmp_path, capsys):
    source, out = tmp_path / "news.jsonl", tmp_path / "out"
    source.write_text("\n".join([json.dumps(d) for d in DOCS] + ["{broken"]) + "\n", encoding="utf-8")
    extract_events.run([f"--input={source}", f"--output={out}", "--max_document_bytes=300"])
    assert sorted(l["reason"] for l in _letters(out)) == ["invalid_json", "too_large"]
    assert _documents(out) == ["r1"]
    first_letters = commit.committed_files(str(out), "dead_letter", "jsonl")

    # the cause is fixed (a larger limit): the source is read again, r2 is coded, the broken line fails again
    assert cli.main(["replay", f"{out}/dead_letter/*.jsonl", f"--output={out}", "--max_document_bytes=100000"]) == 0
    assert "2 dead letters of 1 files reprocessed (1 source files read again" in capsys.readouterr().out
    assert _documents(out) == ["r1", "r2"], "r2 coded once, r1 not coded again"
    assert [l["reason"] for l in _letters(out)] == ["invalid_json"]
    assert not any(os.path.exists(p) for p in first_letters), "the replayed file is retired"
    record = commit.run_records(str(out))[-1]
    assert record["kind"] == "replay" and record["summary"]["documents_coded"] == 1
    assert any("/events/" in f for f in record["files"])

    # the source is gone: the letter's raw copy is replayed; still invalid, so it is written again, not lost
    source.unlink()
    assert cli.main(["replay", *commit.committed_files(str(out), "dead_letter", "jsonl"), f"--output={out}"]) == 0
    assert "1 inputs from their raw copy" in capsys.readouterr().out
    letters = _letters(out)
    assert [(l["reason"], l["raw"]) for l in letters] == [("invalid_json", "{broken")]
    assert _documents(out) == ["r1", "r2"]
    assert not os.path.exists(out / "_temporary") and not os.path.exists(out / "_lock.json")


def test_replay_refuses_files_that_are_not_committed_dead_letters(tmp_path, capsys):
    stray = tmp_path / "letters.jsonl"
    stray.write_text("{}\n", encoding="utf-8")
    assert cli.main(["replay", str(stray), f"--output={tmp_path}/out"]) == 2
    assert "is not a committed dead-letter file" in capsys.readouterr().err
