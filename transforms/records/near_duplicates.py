"""Exact and near-duplicate documents: MinHash signatures, LSH band keys and the matching decisions. No Beam.

How near-duplicates are found (the same in batch and streaming, ``transforms/dedup.py`` runs it):

* the normalised text (case folded, whitespace collapsed) is cut into word shingles (``SHINGLE_WORDS`` words);
* a 128-value MinHash signature estimates the Jaccard similarity of two shingle sets;
* the signature is cut into ``BANDS`` bands of ``ROWS`` values; documents sharing a band are *candidates*
  (locality-sensitive hashing: ~99.8 % of pairs with Jaccard 0.8 share a band, ~27 % at 0.5, ~0 % below 0.3);
* a candidate pair is a duplicate when the signatures agree on at least ``threshold`` of their values
  (``--near_duplicate_threshold``, default 0.8). The exact text hash is one more "band", so exact copies always meet.

The copy that is coded (the *original*) is the earliest one by its order key ``(rank, publication time, doc_id,
uid)``; known documents of earlier runs have rank 0 and so always come first.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Iterable, Iterator, Optional

import numpy as np

from transforms.coding.errors import ConfigError
from transforms.coding.model import Document
from transforms.records import ingest
from transforms.records.documents import document_record

OFF = "off"
EXACT = "exact"
NEAR = "near"
MODES = (OFF, EXACT, NEAR)
REDELIVERED = "redelivered"
NUM_PERM = 128
BANDS = 20
ROWS = 6
SHINGLE_WORDS = 3
DEFAULT_THRESHOLD = 0.8
DEFAULT_TTL_SECONDS = 86_400
EXACT_KEY_PREFIX = "x:"  # the band key of the normalised text hash

_PRIME = np.uint64((1 << 61) - 1)
_MASK = np.uint64(0xFFFFFFFF)
_rng = np.random.RandomState(20250617)  # fixed: signatures must be identical across runs and workers
_PERM_A = _rng.randint(1, 2**31 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_PERM_B = _rng.randint(0, 2**31 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_UNKNOWN_TIME = "~"  # sorts after every ISO timestamp: undated documents are never preferred as originals


@dataclasses.dataclass(frozen=True, kw_only=True)
class DedupConfig:
    """De-duplication settings, validated when built (the one check of ``--dedup`` and its companions).

    mode: "off", "exact" (normalised text hash only) or "near" (exact + MinHash near-duplicates).
    threshold: Minimum estimated Jaccard similarity of word shingles for a near-duplicate (0..1).
    ttl_seconds: Streaming only: how long (event time) a document is remembered for de-duplication.
    expiry_timers: Streaming only: drop expired state with event-time timers. Turned off on the local FnApiRunner,
        which is not a streaming runner: it advances the watermark to the end of time after every bundle, so the
        timers would fire at once and forget everything. Without timers, expired members are still dropped
        whenever their key sees a new document.
    Raises ConfigError for a value out of range.
    """

    mode: str = NEAR
    threshold: float = DEFAULT_THRESHOLD
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    expiry_timers: bool = True

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"--dedup must be one of {', '.join(MODES)}, got {self.mode!r}")
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"--near_duplicate_threshold must be in (0, 1], got {self.threshold}")
        if self.ttl_seconds <= 0:
            raise ConfigError("--dedup_ttl_seconds must be positive")

    @property
    def enabled(self) -> bool:
        return self.mode != OFF

    @property
    def near(self) -> bool:
        return self.mode == NEAR


def word_shingles(text: str, *, size: int = SHINGLE_WORDS) -> set[str]:
    """Set of ``size``-word shingles of the normalised text (the whole text when it is shorter).

    text: Document text.
    size: Words per shingle.
    """
    words = ingest.repair_surrogates(text).casefold().split()
    if len(words) <= size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash_signature(text: str, *, size: int = SHINGLE_WORDS) -> bytes:
    """MinHash signature of the text's word shingles: NUM_PERM unsigned 32-bit values, packed little-endian.

    text: Document text.
    size: Words per shingle.
    """
    shingles = word_shingles(text, size=size)
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little") for s in shingles),
        dtype=np.uint64,
        count=len(shingles),
    )
    values = ((np.outer(hashes, _PERM_A) + _PERM_B) % _PRIME) & _MASK
    return values.min(axis=0).astype("<u4").tobytes()


def similarity(left: bytes, right: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (fraction of equal MinHash values)."""
    a = np.frombuffer(left, dtype="<u4")
    b = np.frombuffer(right, dtype="<u4")
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(*, text_sha256: str, signature: Optional[bytes]) -> list[str]:
    """Grouping keys of a document: ``x:<text hash>`` plus one ``b<i>:<hash>`` per LSH band of the signature."""
    keys = [f"{EXACT_KEY_PREFIX}{text_sha256}"]
    if signature is not None:
        width = ROWS * 4
        for band in range(BANDS):
            chunk = signature[band * width : (band + 1) * width]
            keys.append(f"b{band}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


def is_exact_key(key: str) -> bool:
    """True for the band key of the normalised text hash (the exact-copy group)."""
    return key.startswith(EXACT_KEY_PREFIX)


def time_key(document: Document, timestamp: Optional[dt.datetime] = None) -> str:
    """Sortable publication time of a document (UTC ISO), for choosing the original among copies."""
    if timestamp is not None:
        return timestamp.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    if document.published_at is not None:
        return document.published_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    if document.doc_date is not None:
        return document.doc_date.isoformat() + "T00:00:00.000000"
    return _UNKNOWN_TIME


@dataclasses.dataclass(frozen=True)
class Member:
    """A document as de-duplication sees it.

    order: Sort key; the smallest member of a group of copies is the original. ``(rank, time, doc_id, uid)``
        with rank 0 for documents already in the output (incremental runs), 1 for new ones.
    doc_id: Document id.
    root: doc_id to cite in ``duplicate_of`` when a later copy matches this member (its own original if known).
    text_sha256: Normalised text hash.
    signature: MinHash signature, or None (exact mode, or a known document without a stored signature).
    uid: Unique id of this element (the doc_id in batch; doc_id + random suffix in streaming).
    known: True for documents of earlier runs (never re-decided).
    """

    order: tuple
    doc_id: str
    root: str
    text_sha256: str
    signature: Optional[bytes]
    uid: str
    known: bool = False


@dataclasses.dataclass(frozen=True, order=True)
class DuplicateMatch:
    """Why a member is a duplicate: the original's order key, doc_id to cite, kind (exact/near/redelivered)."""

    order: tuple
    root: str
    kind: str


def match_against(member: Member, earlier: Member, *, threshold: float) -> Optional[DuplicateMatch]:
    """The DuplicateMatch of ``member`` against one earlier member, or None when they are not duplicates."""
    if earlier.order >= member.order:
        return None
    if earlier.doc_id == member.doc_id and earlier.text_sha256 == member.text_sha256:
        return DuplicateMatch(earlier.order, earlier.root, REDELIVERED)
    if earlier.text_sha256 == member.text_sha256:
        return DuplicateMatch(earlier.order, earlier.root, EXACT)
    if member.signature is not None and earlier.signature is not None:
        if similarity(member.signature, earlier.signature) >= threshold:
            return DuplicateMatch(earlier.order, earlier.root, NEAR)
    return None


def earliest_match(member: Member, others: Iterable[Member], *, threshold: float) -> Optional[DuplicateMatch]:
    """The earliest (by order key) other member that ``member`` duplicates, or None."""
    best = None
    for other in others:
        found = match_against(member, other, threshold=threshold)
        if found is not None and (best is None or found < best):
            best = found
    return best


def group_matches(key: str, members: Iterable[Member], *, threshold: float) -> Iterator[tuple[str, DuplicateMatch]]:
    """(uid, DuplicateMatch) for every new member of one band-key group that duplicates an earlier member of the group.

    key: The group's band key (an exact-copy key needs no similarity check).
    members: The group's members, new and known, in any order (repeated members count once).
    threshold: Minimum estimated similarity of a near-duplicate.
    """
    members = sorted(set(members), key=lambda m: m.order)
    if len(members) < 2 or all(m.known for m in members):
        return
    exact_group = is_exact_key(key)
    for index, member in enumerate(members):
        if member.known or index == 0:
            continue
        # A document is never a duplicate of itself (a known record with its own doc_id, e.g. from an older
        # output, or a redelivered copy): only other documents count as earlier copies.
        earlier = [m for m in members[:index] if m.doc_id != member.doc_id and m.root != member.doc_id]
        if not earlier:
            continue
        if exact_group:
            first = earlier[0]
            yield member.uid, DuplicateMatch(first.order, first.root, EXACT)
            continue
        found = earliest_match(member, earlier, threshold=threshold)
        if found is not None:
            yield member.uid, found


def known_band_keys(member: Member, *, mode: str, wanted: set[str]) -> Iterator[str]:
    """The band keys of a known member that are in ``wanted`` (the keys of this run's new documents).

    mode: EXACT for a ``documents`` record (only its text-hash key), NEAR for a ``document_signature`` record (only
        its LSH band keys).
    """
    for key in band_keys(text_sha256=member.text_sha256, signature=member.signature):
        if is_exact_key(key) == (mode == EXACT) and key in wanted:
            yield key


def member_of(document: Document, *, config: DedupConfig, rank: int = 1, uid: Optional[str] = None,
              timestamp: Optional[dt.datetime] = None) -> Member:
    """The Member of a new document (computes the text hash and, in near mode, the signature)."""
    uid = uid or document.doc_id
    return Member(
        order=(rank, time_key(document, timestamp), document.doc_id, uid),
        doc_id=document.doc_id,
        root=document.doc_id,
        text_sha256=ingest.normalized_text_sha256(document.text),
        signature=minhash_signature(document.text) if config.near else None,
        uid=uid,
    )


def known_member(record: dict) -> Member:
    """A Member for a document of an earlier run (a ``documents`` or ``document_signatures`` record)."""
    root = record.get("duplicate_of") or record.get("root") or record["doc_id"]
    return Member(
        order=(0, "", record["doc_id"], record["doc_id"]),
        doc_id=record["doc_id"],
        root=root,
        text_sha256=record["text_sha256"],
        signature=record.get("signature"),
        uid=record["doc_id"],
        known=True,
    )


def signature_record(member: Member, *, root: str, ingested_at: dt.datetime) -> dict:
    """The ``document_signature.avsc`` record of a new document (the near-duplicate index of later runs)."""
    return {
        "doc_id": member.doc_id,
        "text_sha256": member.text_sha256,
        "root": root,
        "signature": member.signature,
        "ingested_at": ingested_at,
    }


def duplicate_record(document: Document, match: DuplicateMatch) -> dict:
    """The ``documents`` record of a duplicate (not coded)."""
    return document_record(
        document, n_sentences=0, n_events=0, ingested_at=ingest.utc_now(), duplicate_of=match.root
    )
