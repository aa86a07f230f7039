"""The compact index of what an output already holds, for incremental runs (plain Python, no Beam transforms).

An incremental run needs, of everything committed before: each document's id, text hash and original
(``duplicate_of``), its MinHash signature (near-duplicates), and the keys of known dead letters. Read from the tables
that is one small file per table, partition and run — thousands of files after a few hundred scheduled runs. So at
every commit the run also writes an index **segment** ``OUT/_index/known-<run_id>-<kind>.parquet`` (kind:
document, signature, dead_letter) with just those columns for the files it adds, and lists the segments of the whole output in its run record (``index``, with a
digest of the files they cover). Past ``MAX_SEGMENTS`` segments they are merged into one. A run reads the index in
a handful of files; when the digest does not match the committed files (an older output, a streaming job's
windows, a replay that retired dead letters), readers fall back to the tables and the next commit rebuilds it.
"""
from __future__ import annotations

import hashlib
import io
import json
import posixpath
from typing import Iterable, Optional, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.storage import commit
from transforms.storage import files as fs

INDEX_DIR = commit.INDEX_DIR
MAX_SEGMENTS = 8
SIGNATURES_TABLE = "document_signatures"
COVERED = (("documents", "parquet"), ("documents", "avro"), (SIGNATURES_TABLE, "avro"), ("dead_letter", "jsonl"))
DOCUMENT, SIGNATURE, DEAD_LETTER = "document", "signature", "dead_letter"
SCHEMA = pa.schema([
    ("kind", pa.string()),  # document | signature | dead_letter
    ("doc_id", pa.string()),
    ("text_sha256", pa.string()),
    ("duplicate_of", pa.string()),  # document rows
    ("root", pa.string()),  # signature rows: doc_id of the coded original
    ("signature", pa.binary()),  # signature rows
    ("dead_letter_key", pa.string()),  # dead-letter rows: repr of dead_letter_key()
    ("stage", pa.string()),  # dead-letter rows
])


def dead_letter_key(letter: dict) -> tuple:
    """What makes two dead letters "the same" across runs (the source compared as a normalised absolute path, so a
    rerun with a relative instead of an absolute glob finds the dead letters it wrote before)."""
    from transforms.sources import normalized_source

    source = normalized_source(letter.get("source") or "")
    return (letter.get("stage"), source, letter.get("line"), letter.get("doc_id"), letter.get("reason"))


def covered_relpaths(relpaths: Iterable[str]) -> list[str]:
    return sorted(rel for rel in relpaths if commit.table_of(rel) in COVERED)


def digest(relpaths: Iterable[str]) -> str:
    return hashlib.sha1("\n".join(covered_relpaths(relpaths)).encode("utf-8")).hexdigest()


def current(root: str, records: Optional[list[dict]] = None) -> Optional[list[str]]:
    """Full paths of the index segments of ``root`` when they cover exactly its committed files, else None."""
    if not commit.has_run_records(root):
        return None
    records = commit.run_records(root) if records is None else records
    latest = next((r for r in reversed(records) if "index" in r), None)
    if latest is None or latest.get("index_digest") != digest(commit.committed_relpaths(root, records)):
        return None
    segments = [fs.join(root, rel) for rel in latest["index"]]
    if not all(fs.exists(p) for p in segments):  # someone removed index files: read the tables
        return None
    return segments


def _read_file(path: str, fmt: str) -> list[dict]:
    data = fs.read_bytes(path)
    if fmt == "parquet":
        return pq.read_table(io.BytesIO(data), columns=["doc_id", "text_sha256", "duplicate_of"]).to_pylist()
    if fmt == "avro":
        import fastavro

        return list(fastavro.reader(io.BytesIO(data)))
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def rows_of(root: str, relpaths: Sequence[str]) -> list[dict]:
    """Index rows of committed table files (documents: Parquet, else Avro; signatures; dead letters)."""
    relpaths = covered_relpaths(relpaths)
    has_parquet = any(commit.table_of(rel) == ("documents", "parquet") for rel in relpaths)
    rows = []
    for rel in relpaths:
        table, fmt = commit.table_of(rel)
        if table == "documents" and fmt == "avro" and has_parquet:
            continue
        for record in _read_file(fs.join(root, rel), fmt):
            if table == "documents":
                rows.append({"kind": DOCUMENT, "doc_id": record["doc_id"], "text_sha256": record.get("text_sha256"),
                             "duplicate_of": record.get("duplicate_of")})
            elif table == SIGNATURES_TABLE:
                rows.append({"kind": SIGNATURE, "doc_id": record["doc_id"], "text_sha256": record.get("text_sha256"),
                             "root": record.get("root"), "signature": record.get("signature")})
            else:
                rows.append({"kind": DEAD_LETTER, "doc_id": record.get("doc_id"), "stage": record.get("stage"),
                             "dead_letter_key": repr(dead_letter_key(record))})
    return [{name: row.get(name) for name in SCHEMA.names} for row in rows]


def kind_of(segment: str) -> str:
    """Kind of the rows of a segment file ``known-<run_id>[-merged]-<kind>.parquet``."""
    return segment.rsplit("-", 1)[-1][: -len(".parquet")]


def write_segment(root: str, stem: str, rows: list[dict]) -> list[str]:
    """One file per kind of row (readers read only the kind they need): ``_index/<stem>-<kind>.parquet``."""
    written = []
    for kind in (DOCUMENT, SIGNATURE, DEAD_LETTER):
        of_kind = [r for r in rows if r["kind"] == kind]
        if not of_kind:
            continue
        rel = posixpath.join(INDEX_DIR, f"{stem}-{kind}.parquet")
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(of_kind, schema=SCHEMA), sink, compression="zstd")
        fs.atomic_write(fs.join(root, rel), sink.getvalue())
        written.append(rel)
    return written


def update(root: str, run_id: str, *, new_files: Sequence[str], removed: Sequence[str] = ()) -> tuple[dict, list[str]]:
    """Index segments after this run's commit: (fields for the run record, old segment paths to delete after it).

    new_files: Full paths the run adds. removed: Full paths it retires (forces a rebuild when covered).
    """
    records = commit.run_records(root)
    committed = commit.committed_relpaths(root, records)
    new_rel = [fs.relative(root, p) for p in new_files]
    removed_rel = {fs.relative(root, p) for p in removed}
    after = sorted((set(committed) | set(new_rel)) - removed_rel)
    segments = current(root, records)
    old_rel = [fs.relative(root, p) for p in segments] if segments is not None else []
    stale: list[str] = []
    if segments is None or covered_relpaths(removed_rel):  # rebuild from the committed tables
        stale = _all_segments(root)
        rel_segments = write_segment(root, f"known-{run_id}", rows_of(root, after))
    else:
        added = covered_relpaths(new_rel)
        rel_segments = list(old_rel)
        if added:
            rel_segments += write_segment(root, f"known-{run_id}", rows_of(root, added))
        if len({r.rsplit("-", 1)[0] for r in rel_segments}) > MAX_SEGMENTS:
            rows = read([fs.join(root, r) for r in rel_segments]).to_pylist()
            stale = [fs.join(root, r) for r in rel_segments]
            rel_segments = write_segment(root, f"known-{run_id}-merged", rows)
    keep = {fs.join(root, r) for r in rel_segments}
    return {"index": rel_segments, "index_digest": digest(after)}, [p for p in stale if p not in keep]


def _all_segments(root: str) -> list[str]:
    return fs.list_files(fs.join(root, INDEX_DIR), recursive=False)


def read(segments: Sequence[str], columns: Optional[Sequence[str]] = None) -> pa.Table:
    """The index rows of the given segments (one table)."""
    tables = [pq.read_table(io.BytesIO(fs.read_bytes(p)), columns=list(columns) if columns else None)
              for p in segments]
    if not tables:
        return SCHEMA.empty_table() if not columns else pa.schema([SCHEMA.field(c) for c in columns]).empty_table()
    return pa.concat_tables(tables)
