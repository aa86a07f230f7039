"""Fuzz the input layer: many generated input folders mixing good documents with every kind of bad input, run
through the real batch pipeline; prints how many inputs went where. Expect 0 crashes and 0 unaccounted inputs.

    python benchmarks/fuzz_inputs.py                       # 10,000+ inputs: 4 pipeline runs of ~2,500 inputs
    python benchmarks/fuzz_inputs.py --units 500 --runs 2  # quicker
    python benchmarks/fuzz_inputs.py --ingest_only         # the pure ingest layer only (no spaCy), seconds

Every generated input unit (a file, or a non-blank line of a JSON Lines file) is predicted independently of the
product code: which reason its dead letter must have, or that it must be coded / be a repeated id. A run passes when
it does not raise, its summary satisfies ``read = coded + duplicates + already known + repeated + dead-lettered``
with 0 unaccounted, ``read`` equals the number of units generated, and the dead letters per reason are exactly the
predicted ones. ``tests/test_fuzz_inputs.py`` uses the same generator with hypothesis.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import glob
import gzip
import io
import json
import os
import random
import socket
import sys
import tempfile
import time
import zlib
from typing import Optional

SENTENCES = (
    "Norway criticized Denmark over fishing quotas on {day}.",
    "The president of Chile will visit Peru on {day}.",
    "Egypt and Jordan signed a water agreement in Cairo on {day}.",
    "Japan protested to China about a coast guard incident on {day}.",
    "Kenya hosted talks between Sudanese factions on {day}.",
    "Brazil accused Argentina of violating a trade accord on {day}.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

# Kinds of JSON Lines lines, with the predicted outcome (a dead-letter reason, "coded" or "repeated").
LINE_KINDS = {
    "good": "coded",
    "good_surrogate_text": "coded",      # "\ud800" in the text: repaired with U+FFFD
    "good_surrogate_id_title": "coded",  # in the id and the title
    "good_huge_int_id": "coded",         # an integer id longer than 4,300 digits
    "good_crlf_nbsp": "coded",
    "repeated_id": "repeated",           # same id as a later good line (the later one wins)
    "invalid_json": "invalid_json",
    "deep_nesting": "invalid_json",
    "not_object": "invalid_json",
    "missing_id": "missing_id",
    "nan_id": "missing_id",
    "missing_text": "missing_text",
    "huge_int_text": "missing_text",
    "empty_text": "empty_text",
    "bad_date": "bad_date",
    "overflow_date_late": "bad_date",
    "overflow_date_early": "bad_date",
    "surrogate_bad_date": "bad_date",    # lone surrogate in the id of a line dead-lettered anyway
    "bad_field": "bad_field",
    "too_large": "too_large",
    "not_utf8": "undecodable",
}
# Kinds of whole files or paths, with the predicted outcome of their single unit.
FILE_KINDS = {
    "seed_same_line": "coded",
    "seed_own_line_crlf_bom": "coded",
    "plain_text": "coded",
    "non_utf8_file_name": "coded",  # the doc_id and source get U+FFFD
    "seed_bad_value": "bad_date",
    "seed_bad_word": "bad_date",
    "binary_text": "undecodable",
    "empty_text_file": "empty_text",
    "directory": "unreadable",
    "dangling_link": "unreadable",
    "link_loop": "unreadable",
    "fifo": "unreadable",
    "socket": "unreadable",
    "gz_bad_crc": "undecodable",
    "gz_corrupt": "undecodable",
    "gz_plain_text": "undecodable",
    "gz_five_bytes": "truncated",
    "gz_truncated": "truncated",  # plus the complete lines before the cut, coded
}
MAX_DOCUMENT_BYTES = 250_000  # above the deep-nesting (200 kB) and huge-integer lines


class Fuzz:
    """Writes one input folder of generated units and predicts their outcomes.

    rng: Random source (seeded: the same seed writes the same folder).
    folder: Where to write (created).
    """

    def __init__(self, rng: random.Random, folder: str) -> None:
        self.rng = rng
        self.folder = folder
        self.expected: collections.Counter = collections.Counter()
        self.units = 0
        self.counter = 0
        self.sockets: list[socket.socket] = []
        os.makedirs(folder, exist_ok=True)

    # -- helpers ---------------------------------------------------------------------------------------------
    def _id(self) -> str:
        self.counter += 1
        return f"fz{self.counter}"

    def _text(self) -> str:
        """A short article, unique (a serial number) so that generated documents are not duplicates."""
        words = [self.rng.choice(SENTENCES).format(day=self.rng.choice(DAYS)) for _ in range(self.rng.randint(1, 2))]
        return " ".join(words) + f" Report {self.counter} {self.rng.randrange(10**9)}."

    def _expect(self, outcome: str, n: int = 1) -> None:
        self.expected[outcome] += n
        self.units += n

    def _path(self, suffix: str) -> str:
        return os.path.join(self.folder, f"{self._id()}{suffix}")

    # -- JSON Lines ------------------------------------------------------------------------------------------
    def line(self, kind: str) -> list[bytes]:
        """The bytes of one or more lines of ``kind`` (``repeated_id`` adds the winning line too)."""
        doc_id, text = self._id(), self._text()
        good = {"id": doc_id, "text": text, "date": f"2025-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}"}
        dump = lambda obj: json.dumps(obj).encode()  # noqa: E731 - ASCII: escapes lone surrogates as \\udXXX
        if kind == "good":
            lines = [dump(good)]
        elif kind == "good_surrogate_text":
            lines = [dump(dict(good, text=text[:10] + "\ud800" + text[10:]))]
        elif kind == "good_surrogate_id_title":
            lines = [dump(dict(good, id=doc_id + "\udc00", title="T\ud800itle"))]
        elif kind == "good_huge_int_id":
            lines = [b'{"id": ' + str(self.counter).encode() + b"7" * 4400 + b', "text": ' + dump(text) + b"}"]
        elif kind == "good_crlf_nbsp":
            lines = [dump(dict(good, text=text.replace(" ", "\u00a0", 1) + "\r\n")) + b"\r"]
        elif kind == "repeated_id":
            lines = [dump(good), dump(dict(good, text=self._text()))]
            self._expect("coded")
        elif kind == "invalid_json":
            lines = [b'{"id": "' + doc_id.encode() + b'", "text": ']
        elif kind == "deep_nesting":
            depth = self.rng.choice((2_000, 100_000))
            lines = [b"[" * depth + b"]" * depth]
        elif kind == "not_object":
            lines = [dump([doc_id, text])]
        elif kind == "missing_id":
            lines = [dump({"text": text})]
        elif kind == "nan_id":
            lines = [b'{"id": NaN, "text": ' + dump(text) + b"}"]
        elif kind == "missing_text":
            lines = [dump({"id": doc_id})]
        elif kind == "huge_int_text":
            lines = [b'{"id": "' + doc_id.encode() + b'", "text": ' + b"9" * 4400 + b"}"]
        elif kind == "empty_text":
            lines = [dump({"id": doc_id, "text": " \u00a0 \r\n "})]
        elif kind == "bad_date":
            lines = [dump(dict(good, date=self.rng.choice(("yesterday", "2025-13-45", "17/06/2025", 20250617))))]
        elif kind == "overflow_date_late":
            lines = [dump(dict(good, date="9999-12-31T23:59:59-05:00"))]
        elif kind == "overflow_date_early":
            lines = [dump(dict(good, date="0001-01-01T00:00:00+05:00"))]
        elif kind == "surrogate_bad_date":
            lines = [dump(dict(good, id=doc_id + "\ud800", date="never"))]
        elif kind == "bad_field":
            lines = [dump(dict(good, title=self.rng.choice((5, ["a"], {"b": 1}))))]
        elif kind == "too_large":
            lines = [dump(dict(good, text=text + " padding" * (MAX_DOCUMENT_BYTES // 8 + 10)))]
        elif kind == "not_utf8":
            lines = [b'{"id": "' + doc_id.encode() + b'", "text": "caf\xe9 \xed\xa0\x80"}']
        else:
            raise ValueError(kind)
        self._expect(LINE_KINDS[kind])
        return lines

    def jsonl_file(self, kinds: list[str], *, gzip_it: bool = False) -> None:
        lines: list[bytes] = []
        for kind in kinds:
            lines += self.line(kind)
            if self.rng.random() < 0.1:
                lines.append(self.rng.choice((b"", b"   ", b"\t")))  # blank lines are not units
        data = b"\n".join(lines) + self.rng.choice((b"\n", b""))
        if gzip_it:
            with open(self._path(".jsonl.gz"), "wb") as handle:
                handle.write(gzip.compress(data))
        else:
            with open(self._path(self.rng.choice((".jsonl", ".ndjson"))), "wb") as handle:
                handle.write(data)

    # -- files and paths -------------------------------------------------------------------------------------
    def file(self, kind: str) -> None:
        text = self._text()
        if kind == "seed_same_line":
            self._write(".txt", f" date 2025-06-1{self.rng.randint(0, 9)} {text}\n".encode())
        elif kind == "seed_own_line_crlf_bom":
            self._write(".txt", f"\ufeffdate 2025-06-17\r\n{text}".encode())
        elif kind == "plain_text":
            self._write(".txt", text.encode())
        elif kind == "non_utf8_file_name":
            with open(os.path.join(os.fsencode(self.folder), self._id().encode() + b"-caf\xe9.txt"), "wb") as handle:
                handle.write(text.encode())
        elif kind == "seed_bad_value":
            self._write(".txt", f" date 2025-13-45 {text}".encode())
        elif kind == "seed_bad_word":
            self._write(".txt", f"date tomorrow\n{text}".encode())
        elif kind == "binary_text":
            self._write(".txt", b"\x89PNG\r\n\x1a\n\xff\xfe\x00garbage")
        elif kind == "empty_text_file":
            self._write(".txt", self.rng.choice((b"", b"  \r\n\r\n", b"\xef\xbb\xbf\n")))
        elif kind == "directory":
            os.mkdir(self._path(".d"))
        elif kind == "dangling_link":
            os.symlink(os.path.join(self.folder, "no-such-target"), self._path(".jsonl"))
        elif kind == "link_loop":
            first, second = self._path(".jsonl"), self._path(".jsonl")
            os.symlink(second, first)
            os.symlink(first, second)
            self._expect(FILE_KINDS[kind])  # two paths, two units
        elif kind == "fifo":
            os.mkfifo(self._path(".jsonl"))
        elif kind == "socket":
            self._socket()
        elif kind.startswith("gz_"):
            self._gzip(kind, text)
            return
        else:
            raise ValueError(kind)
        self._expect(FILE_KINDS[kind])

    def _write(self, suffix: str, data: bytes) -> None:
        with open(self._path(suffix), "wb") as handle:
            handle.write(data)

    def _socket(self) -> None:
        path = self._path(".txt")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with contextlib.chdir(self.folder):  # AF_UNIX paths are limited to ~100 bytes: bind a relative name
                sock.bind(os.path.basename(path))
        finally:
            sock.close()  # the socket file stays

    def _gzip(self, kind: str, text: str) -> None:
        lines = [json.dumps({"id": self._id(), "text": self._text()}).encode() for _ in range(self.rng.randint(3, 30))]
        data = gzip.compress(b"\n".join(lines) + b"\n")
        if kind == "gz_bad_crc":  # the lines decompress, the checksum at the end does not match
            data = data[:-8] + bytes([data[-8] ^ 0xFF]) + data[-7:]
            self._expect("coded", len(lines))
        elif kind == "gz_corrupt":  # the deflate stream is damaged right after the header
            data = data[:10] + bytes(b ^ 0xA5 for b in data[10:40]) + data[40:]
            self._expect("coded", _complete_lines(data))
        elif kind == "gz_plain_text":
            data = b"\n".join(lines) + b"\n"
        elif kind == "gz_five_bytes":
            data = data[:5]
        elif kind == "gz_truncated":
            data = data[: self.rng.randint(11, len(data) - 9)]
            self._expect("coded", _complete_lines(data))
        self._write(".jsonl.gz", data)
        self._expect(FILE_KINDS[kind])

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def _complete_lines(data: bytes) -> int:
    """Complete (newline-terminated) lines a gzip stream yields before it breaks off (independent of demarche)."""
    out = b""
    try:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = decompressor.decompress(data)
    except zlib.error:
        # decompress in small steps to keep what came out before the damage
        decompressor, out = zlib.decompressobj(16 + zlib.MAX_WBITS), b""
        for start in range(0, len(data), 1):
            try:
                out += decompressor.decompress(data[start:start + 1])
            except zlib.error:
                break
    return out.count(b"\n")


def write_mixed_folder(folder: str, *, rng: random.Random, units: int) -> Fuzz:
    """A folder of about ``units`` input units of every kind, good ones among them (~15 %)."""
    fuzz = Fuzz(rng, folder)
    line_kinds, file_kinds = sorted(LINE_KINDS), sorted(FILE_KINDS)
    while fuzz.units < units:
        if rng.random() < 0.8:
            kinds = [rng.choice(line_kinds) if rng.random() < 0.85 else "good" for _ in range(rng.randint(1, 40))]
            fuzz.jsonl_file(kinds, gzip_it=rng.random() < 0.2 and "not_utf8" not in kinds)
        else:
            fuzz.file(rng.choice(file_kinds))
    return fuzz


def check_run(fuzz: Fuzz, summary: dict, letters: list[dict]) -> list[str]:
    """What is wrong with a run's accounting (empty when everything is accounted for as predicted)."""
    problems = []
    if summary.get("unaccounted", 0) != 0:
        problems.append(f"unaccounted {summary.get('unaccounted')}")
    if summary.get("documents_read", 0) != fuzz.units:
        problems.append(f"read {summary.get('documents_read')} != generated {fuzz.units}")
    reasons = collections.Counter(letter["reason"] for letter in letters)
    predicted = {reason: n for reason, n in fuzz.expected.items() if reason not in ("coded", "repeated")}
    predicted["repeated_id"] = fuzz.expected.get("repeated", 0)
    for reason in set(predicted) | set(reasons):
        if predicted.get(reason, 0) != reasons.get(reason, 0):
            problems.append(f"{reason}: {reasons.get(reason, 0)} dead letters, predicted {predicted.get(reason, 0)}")
    coded = summary.get("documents_coded", 0) + summary.get("duplicates", 0) + summary.get("dead_lettered_nlp", 0)
    if coded != fuzz.expected.get("coded", 0):
        problems.append(f"coded+duplicates+nlp failures {coded} != predicted good {fuzz.expected.get('coded', 0)}")
    return problems


def check_ingest(fuzz: Fuzz, counts: collections.Counter) -> list[str]:
    """What is wrong with the ingest layer's outcomes (repeated ids are resolved later, so they count as accepted)."""
    predicted = collections.Counter(fuzz.expected)
    predicted["accepted"] = predicted.pop("coded", 0) + predicted.pop("repeated", 0)
    predicted["documents_read"] = fuzz.units
    return [
        f"{key}: {counts.get(key, 0)}, predicted {predicted.get(key, 0)}"
        for key in sorted(set(predicted) | set(counts)) if counts.get(key, 0) != predicted.get(key, 0)
    ]


def read_dead_letters(output: str) -> list[dict]:
    letters = []
    for path in glob.glob(os.path.join(output, "dead_letter", "*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            letters.extend(json.loads(line) for line in handle)
    return letters


def run_pipeline(folder: str, output: str) -> dict:
    from pipelines import extract_events

    with contextlib.redirect_stdout(io.StringIO()):
        return extract_events.run([
            f"--input={folder}/*", f"--output={output}", "--formats=avro", "--dedup=exact",
            f"--max_document_bytes={MAX_DOCUMENT_BYTES}", "--batch_size=64",
        ])


def ingest_only(folder: str) -> dict:
    """The ingest layer alone (matching, reading, parsing), no Beam: the same counters as the pipeline's reader."""
    from transforms.storage import inputs
    from transforms.coding.model import Document

    counts = collections.Counter()
    for path, problem in inputs.match_pattern(f"{folder}/*"):
        for parsed in inputs.read_path(path, problem=problem, max_document_bytes=MAX_DOCUMENT_BYTES, max_chars=2000):
            counts["documents_read"] += 1
            counts["accepted" if isinstance(parsed, Document) else parsed["reason"]] += 1
    return counts


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2_500, help="input units per pipeline run (default 2500)")
    parser.add_argument("--runs", type=int, default=4, help="pipeline runs, each on a new folder (default 4)")
    parser.add_argument("--seed", type=int, default=20251201)
    parser.add_argument("--ingest_only", action="store_true", help="only the ingest layer (no Beam, no spaCy)")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    totals: collections.Counter = collections.Counter()
    outcomes: collections.Counter = collections.Counter()
    crashes = unaccounted_runs = 0
    started = time.perf_counter()
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="demarche-fuzz-") as root:
            fuzz = write_mixed_folder(os.path.join(root, "in"), rng=random.Random(args.seed + run), units=args.units)
            totals["generated"] += fuzz.units
            try:
                if args.ingest_only:
                    counts = ingest_only(fuzz.folder)
                    problems = check_ingest(fuzz, counts)
                    summary = dict(counts)
                else:
                    summary = run_pipeline(fuzz.folder, os.path.join(root, "out"))
                    problems = check_run(fuzz, summary, read_dead_letters(os.path.join(root, "out")))
            except Exception as err:  # noqa: BLE001 - a crash is what this script counts
                crashes += 1
                print(f"run {run}: CRASH {type(err).__name__}: {err}")
                continue
            finally:
                fuzz.close()
            if args.ingest_only:
                outcomes.update(summary)
            for key in ("documents_read", "documents_coded", "duplicates", "already_known", "repeated",
                        "dead_lettered_other", "unaccounted"):
                totals[key] += summary.get(key, 0)
            if problems:
                unaccounted_runs += 1
                print(f"run {run}: {'; '.join(problems)}")
            print(f"run {run}: {fuzz.units} inputs generated, read {summary.get('documents_read', 0)}, "
                  f"{time.perf_counter() - started:.0f} s so far")
    if args.ingest_only:
        read = outcomes.pop("documents_read", 0)
        print(f"fuzz (ingest layer only): {totals['generated']} inputs generated, read {read}: "
              + ", ".join(f"{key} {n}" for key, n in sorted(outcomes.items()))
              + f"; crashes {crashes}; unaccounted {abs(totals['generated'] - read)}; runs with mispredicted "
              f"outcomes {unaccounted_runs}; {time.perf_counter() - started:.0f} s")
        return 1 if crashes or unaccounted_runs else 0
    print(
        f"fuzz: {totals['generated']} inputs generated in {args.runs} runs; read {totals['documents_read']} = coded "
        f"{totals['documents_coded']} + duplicates {totals['duplicates']} + already known {totals['already_known']} "
        f"+ repeated {totals['repeated']} + dead-lettered {totals['dead_lettered_other']}; crashes {crashes}; "
        f"unaccounted {totals['unaccounted'] + abs(totals['generated'] - totals['documents_read'])}; runs with "
        f"mispredicted outcomes {unaccounted_runs}; {time.perf_counter() - started:.0f} s"
    )
    return 1 if crashes or unaccounted_runs else 0


if __name__ == "__main__":
    sys.exit(main())
