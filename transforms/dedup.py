"""Document de-duplication: exact copies (normalised text hash) and near-duplicates (MinHash + LSH bands).

Syndicated wire stories reach a news pipeline many times: verbatim, or with a new dateline, a trimmed last
paragraph, a different headline. demarche codes each story once. The copy that is coded (the *original*) is the
earliest one by ``(publication time, doc_id)``; every other copy becomes a ``documents`` record with
``duplicate_of`` = the original's doc_id, ``n_sentences = n_events = 0``, and is counted (Beam Metrics
``duplicates_exact`` / ``duplicates_near``).

How near-duplicates are found (the same in batch and streaming):

* the normalised text (case folded, whitespace collapsed) is cut into word shingles (``SHINGLE_WORDS`` words);
* a 128-value MinHash signature estimates the Jaccard similarity of two shingle sets;
* the signature is cut into ``BANDS`` bands of ``ROWS`` values; documents sharing a band are *candidates*
  (locality-sensitive hashing: ~99.8 % of pairs with Jaccard 0.8 share a band, ~27 % at 0.5, ~0 % below 0.3);
* a candidate pair is a duplicate when the signatures agree on at least ``threshold`` of their values
  (``--near_duplicate_threshold``, default 0.8). The exact text hash is one more "band", so exact copies always meet.

Batch (:class:`DeduplicateBatch`): group by band key, sort each group by the order key, a document is a duplicate of
the earliest earlier member it matches. Deterministic: the same input always gives the same originals. With
``--incremental`` the known documents (the output's own ``documents`` table and the ``document_signatures``
index of earlier runs) join the groups as members that always come first.

Streaming (:class:`DeduplicateStream`): the same band keys; each key decides its members in event-time order once the
watermark passes them (an event-time timer), and keeps the members it has seen in keyed
state, which expires ``ttl_seconds`` of event time after the key's newest member (an event-time timer), so memory
stays bounded by the traffic of one TTL. A document's verdicts from all its keys are gathered by a second stateful
step keyed by a per-element id. A document is a duplicate only of a member that precedes it in the order key, so
keys that see two copies in different arrival orders still agree; when an earlier-dated copy arrives after a later
one was already coded, both are coded (nothing is ever lost).

Before that (batch), :class:`SkipKnown` keeps one document per doc_id: the last occurrence in file order (file path,
then line number as a number); the others become ``repeated_id`` dead letters. With ``--incremental``, a doc_id
already in the output is not coded again; arriving with a different text it becomes one ``revised_text`` dead
letter (the output is append-only and keeps the first version).

Limits: ``duplicate_of`` names the earliest matching document, which is normally the original; in a rare chain
(A~B, B~C but not A~C) C points to B, itself a duplicate.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from typing import Iterable, Iterator, Optional, Sequence

import apache_beam as beam
import numpy as np
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms import window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration, Timestamp

from transforms.records import ingest
from transforms.coding.errors import ConfigError
from transforms.coding.model import Document

NAMESPACE = "demarche"
MODES = ("off", "exact", "near")
NUM_PERM = 128
BANDS = 20
ROWS = 6
SHINGLE_WORDS = 3
DEFAULT_THRESHOLD = 0.8
DEFAULT_TTL_SECONDS = 86_400
EXACT = "exact"
NEAR = "near"
REDELIVERED = "redelivered"

DOCUMENTS = "documents"
DUPLICATES = "duplicates"
SIGNATURES = "signatures"
DEAD_LETTER = "dead_letter"

_PRIME = np.uint64((1 << 61) - 1)
_MASK = np.uint64(0xFFFFFFFF)
_rng = np.random.RandomState(20250617)  # fixed: signatures must be identical across runs and workers
_PERM_A = _rng.randint(1, 2**31 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_PERM_B = _rng.randint(0, 2**31 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_UNKNOWN_TIME = "~"  # sorts after every ISO timestamp: undated documents are never preferred as originals


@dataclasses.dataclass(frozen=True)
class DedupConfig:
    """De-duplication settings.

    mode: "off", "exact" (normalised text hash only) or "near" (exact + MinHash near-duplicates).
    threshold: Minimum estimated Jaccard similarity of word shingles for a near-duplicate (0..1).
    ttl_seconds: Streaming only: how long (event time) a document is remembered for de-duplication.
    expiry_timers: Streaming only: drop expired state with event-time timers. Turned off on the local FnApiRunner,
        which is not a streaming runner: it advances the watermark to the end of time after every bundle, so the
        timers would fire at once and forget everything. Without timers, expired members are still dropped
        whenever their key sees a new document.
    """

    mode: str = NEAR
    threshold: float = DEFAULT_THRESHOLD
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    expiry_timers: bool = True

    def validate(self) -> "DedupConfig":
        if self.mode not in MODES:
            raise ConfigError(f"--dedup must be one of {', '.join(MODES)}, got {self.mode!r}")
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"--near_duplicate_threshold must be in (0, 1], got {self.threshold}")
        if self.ttl_seconds <= 0:
            raise ConfigError("--dedup_ttl_seconds must be positive")
        return self

    @property
    def near(self) -> bool:
        return self.mode == NEAR


# ---------------------------------------------------------------------------------------------------------------
# Pure functions (no Beam)


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
    keys = [f"x:{text_sha256}"]
    if signature is not None:
        width = ROWS * 4
        for band in range(BANDS):
            chunk = signature[band * width : (band + 1) * width]
            keys.append(f"b{band}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


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
class Match:
    """Why a member is a duplicate: the original's order key, doc_id to cite, kind (exact/near/redelivered)."""

    order: tuple
    root: str
    kind: str


def match_against(member: Member, earlier: Member, *, threshold: float) -> Optional[Match]:
    """The Match of ``member`` against one earlier member, or None when they are not duplicates."""
    if earlier.order >= member.order:
        return None
    if earlier.doc_id == member.doc_id and earlier.text_sha256 == member.text_sha256:
        return Match(earlier.order, earlier.root, REDELIVERED)
    if earlier.text_sha256 == member.text_sha256:
        return Match(earlier.order, earlier.root, EXACT)
    if member.signature is not None and earlier.signature is not None:
        if similarity(member.signature, earlier.signature) >= threshold:
            return Match(earlier.order, earlier.root, NEAR)
    return None


def earliest_match(member: Member, others: Iterable[Member], *, threshold: float) -> Optional[Match]:
    """The earliest (by order key) other member that ``member`` duplicates, or None."""
    best = None
    for other in others:
        found = match_against(member, other, threshold=threshold)
        if found is not None and (best is None or found < best):
            best = found
    return best


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


def duplicate_record(document: Document, match: Match) -> dict:
    """The ``documents`` record of a duplicate (not coded)."""
    from transforms.annotate import document_record  # imports the coder: keep it out of module import time

    return document_record(
        document, n_sentences=0, n_events=0, ingested_at=ingest.utc_now(), duplicate_of=match.root
    )


class _Counters:
    def __init__(self) -> None:
        self.exact = Metrics.counter(NAMESPACE, "duplicates_exact")
        self.near = Metrics.counter(NAMESPACE, "duplicates_near")
        self.redelivered = Metrics.counter(NAMESPACE, "documents_redelivered")
        self.known = Metrics.counter(NAMESPACE, "documents_already_known")
        self.repeated_id = Metrics.counter(NAMESPACE, "documents_repeated_id")
        self.unique = Metrics.counter(NAMESPACE, "documents_unique")

    def count(self, match: Optional[Match]) -> None:
        if match is None:
            self.unique.inc()
        else:
            {EXACT: self.exact, NEAR: self.near, REDELIVERED: self.redelivered}[match.kind].inc()


# ---------------------------------------------------------------------------------------------------------------
# Batch


def file_order(document: Document) -> tuple:
    """Where a document stands in the input: (file, line number), compared numerically (line 10 after line 9)."""
    path, _, line = document.source.rpartition(":")
    if path and line.isdigit():
        return (path, int(line))
    return (document.source, 0)


def repeated_id_letter(document: Document, *, winner: Document) -> dict:
    """The ``repeated_id`` dead letter of a line that lost to a later line with the same id."""
    path, line = file_order(document)
    same = "the same text" if document.text == winner.text else "a different text"
    return ingest.make_dead_letter(
        source=path, line=line or None, doc_id=document.doc_id, reason=ingest.REPEATED_ID,
        detail=f"id {document.doc_id!r} appears again later in the input ({winner.source}, with {same}); the last "
        "occurrence in file order is the one coded",
        raw=document.text,
    )


def revised_text_letter(document: Document) -> dict:
    """The ``revised_text`` dead letter of a known id that arrives with a different text."""
    path, line = file_order(document)
    return ingest.make_dead_letter(
        source=path, line=line or None, doc_id=document.doc_id, reason=ingest.REVISED_TEXT,
        detail=f"id {document.doc_id!r} is already in the output with a different text; the output is append-only "
        "and keeps the first version (give the revised article a new id, or re-code everything into a new --output)",
        raw=document.text,
    )


class _KeepNewFn(beam.DoFn):
    """(doc_id, {new: [Document...], known: [text hash or None...]}) -> at most one Document per doc_id.

    Repeated ids: the last occurrence in file order (file path, then line number) is kept; every other one becomes a
    ``repeated_id`` dead letter. Known ids (incremental runs): not coded again; every occurrence counts as already
    known, except when the kept occurrence's text differs from the known text (normalised hash): that revision
    becomes a ``revised_text`` dead letter (the output is append-only; the first version stays).
    """

    def setup(self) -> None:
        self.counters = _Counters()
        self.revised = Metrics.counter(NAMESPACE, "documents_revised")

    def process(self, element) -> Iterator:
        _doc_id, grouped = element
        new = sorted(grouped["new"], key=lambda d: (file_order(d), d.text))
        if not new:
            return
        known = list(grouped["known"])
        winner = new[-1]
        if known:
            hashes = set(known)
            if None in hashes or ingest.normalized_text_sha256(winner.text) in hashes:
                self.counters.known.inc(len(new))
                return
            self.counters.known.inc(len(new) - 1)
            self.revised.inc()
            yield TaggedOutput(DEAD_LETTER, revised_text_letter(winner))
            return
        if len(new) > 1:
            self.counters.repeated_id.inc(len(new) - 1)
            for loser in new[:-1]:
                yield TaggedOutput(DEAD_LETTER, repeated_id_letter(loser, winner=winner))
        yield winner


class SkipKnown(beam.PTransform):
    """Keep one Document per doc_id (the last in file order), and none for doc_ids already in the output
    (incremental runs). Outputs ``documents`` and ``dead_letter`` (``repeated_id``, ``revised_text``).

    known_documents: Optional PCollection of ``documents`` records of earlier runs (doc_id, text_sha256; a record
        without a text hash only blocks its doc_id).
    """

    def __init__(self, *, known_documents=None) -> None:
        super().__init__()
        self.known_documents = known_documents

    def expand(self, documents):
        known = self.known_documents
        if known is None:
            known = documents.pipeline | "NoKnownDocuments" >> beam.Create([])
        kept = (
            {
                "new": documents | "ById" >> beam.Map(lambda d: (d.doc_id, d)),
                "known": known | "KnownIds" >> beam.Map(lambda r: (r["doc_id"], r.get("text_sha256"))),
            }
            | "JoinKnownIds" >> beam.CoGroupByKey()
            | "KeepNew" >> beam.ParDo(_KeepNewFn()).with_outputs(DEAD_LETTER, main=DOCUMENTS)
        )
        return {DOCUMENTS: kept[DOCUMENTS], DEAD_LETTER: kept[DEAD_LETTER]}


class _MatchGroupFn(beam.DoFn):
    """(band key, members) -> (uid, Match) for every new member that duplicates an earlier member of the group."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def process(self, element) -> Iterator[tuple]:
        key, members = element
        members = sorted(set(members), key=lambda m: m.order)
        if len(members) < 2 or all(m.known for m in members):
            return
        exact_group = key.startswith("x:")
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
                yield member.uid, Match(first.order, first.root, EXACT)
                continue
            found = earliest_match(member, earlier, threshold=self.threshold)
            if found is not None:
                yield member.uid, found


class _KnownKeysFn(beam.DoFn):
    """(known Member, "exact"|"near") -> (key, Member) for its band keys that some new document also has."""

    def start_bundle(self) -> None:
        self._keys: Optional[set] = None

    def process(self, member_kind, new_keys) -> Iterator[tuple]:
        if self._keys is None:
            self._keys = set(new_keys)
        if not self._keys:
            return
        member, kind = member_kind
        for key in band_keys(text_sha256=member.text_sha256, signature=member.signature):
            if key.startswith("x:") == (kind == "exact") and key in self._keys:
                yield key, member


class _ResolveFn(beam.DoFn):
    """(uid, {doc: [(Member, Document)], match: [Match...]}) -> Document to code, or a duplicate record."""

    def __init__(self, write_signatures: bool) -> None:
        self.write_signatures = write_signatures

    def setup(self) -> None:
        self.counters = _Counters()

    def process(self, element) -> Iterator:
        _uid, grouped = element
        for member, document in grouped["doc"]:
            matches = list(grouped["match"])
            match = min(matches) if matches else None
            self.counters.count(match)
            if match is None:
                yield document
            else:
                yield TaggedOutput(DUPLICATES, duplicate_record(document, match))
            if self.write_signatures:
                root = member.doc_id if match is None else match.root
                yield TaggedOutput(SIGNATURES, signature_record(member, root=root, ingested_at=ingest.utc_now()))


class DeduplicateBatch(beam.PTransform):
    """Batch de-duplication of Documents (deterministic). Outputs ``documents`` (to code), ``duplicates``
    (``documents`` records with ``duplicate_of``), ``signatures`` (index records for later incremental runs) and
    ``dead_letter`` (repeated ids and revised texts, see :class:`SkipKnown`).

    config: De-duplication settings (mode must not be "off").
    known_documents: Optional PCollection of ``documents`` records of earlier runs (doc_id, text_sha256,
        duplicate_of): their doc_ids are skipped, their texts count as originals (records without a text_sha256
        only block their doc_id, e.g. documents that failed in the NLP stage).
    known_signatures: Optional PCollection of ``document_signature`` records of earlier runs (near-duplicates of
        earlier documents).
    """

    def __init__(self, config: DedupConfig, *, known_documents=None, known_signatures=None) -> None:
        super().__init__()
        self.config = config.validate()
        self.known_documents = known_documents
        self.known_signatures = known_signatures

    def expand(self, documents):
        pipeline = documents.pipeline
        known_documents = self.known_documents
        if known_documents is None:
            known_documents = pipeline | "NoKnownDocuments" >> beam.Create([])
        known_signatures = self.known_signatures
        if known_signatures is None or not self.config.near:
            known_signatures = pipeline | "NoKnownSignatures" >> beam.Create([])
        kept = documents | "SkipKnown" >> SkipKnown(known_documents=known_documents)
        new = kept[DOCUMENTS]
        known_documents = known_documents | "WithHash" >> beam.Filter(lambda r: bool(r.get("text_sha256")))
        config = self.config
        members = new | "Sign" >> beam.Map(lambda d: (member_of(d, config=config), d))
        new_keys = members | "NewKeys" >> beam.FlatMap(
            lambda md: [(key, md[0]) for key in band_keys(text_sha256=md[0].text_sha256, signature=md[0].signature)]
        )
        # Only the keys of this run's new documents can match: known documents are filtered against them (a side
        # input) before the shuffle, so a run with few new documents does not shuffle the whole known history.
        known = (
            (
                known_documents | "KnownExact" >> beam.Map(lambda r: (known_member(r), "exact")),
                known_signatures | "KnownNear" >> beam.Map(lambda r: (known_member(r), "near")),
            )
            | "AllKnown" >> beam.Flatten()
            | "KnownKeys" >> beam.ParDo(
                _KnownKeysFn(), new_keys=beam.pvalue.AsIter(new_keys | "NewKeyNames" >> beam.Map(lambda kv: kv[0]))
            )
        )
        matches = (
            (new_keys, known)
            | "AllKeys" >> beam.Flatten()
            | "GroupByBand" >> beam.GroupByKey()
            | "MatchGroups" >> beam.ParDo(_MatchGroupFn(config.threshold))
        )
        resolved = (
            {"doc": members | "ByUid" >> beam.Map(lambda md: (md[0].uid, md)), "match": matches}
            | "JoinMatches" >> beam.CoGroupByKey()
            | "Resolve"
            >> beam.ParDo(_ResolveFn(write_signatures=config.near)).with_outputs(DUPLICATES, SIGNATURES, main=DOCUMENTS)
        )
        return {
            DOCUMENTS: resolved[DOCUMENTS], DUPLICATES: resolved[DUPLICATES], SIGNATURES: resolved[SIGNATURES],
            DEAD_LETTER: kept[DEAD_LETTER],
        }


# ---------------------------------------------------------------------------------------------------------------
# Streaming


class _FanOutFn(beam.DoFn):
    """Document -> (key, ("member", Member)) per band key, plus (uid, ("doc", Document, n_keys)) for the decider."""

    def __init__(self, config: DedupConfig) -> None:
        self.config = config

    def process(self, document: Document, timestamp=beam.DoFn.TimestampParam) -> Iterator:
        uid = f"{document.doc_id}#{uuid.uuid4().hex[:12]}"
        when = timestamp.to_utc_datetime(has_tz=True)
        member = member_of(document, config=self.config, uid=uid, timestamp=when)
        keys = band_keys(text_sha256=member.text_sha256, signature=member.signature)
        yield TaggedOutput("decide", (uid, ("doc", document, len(keys))))
        for key in keys:
            yield key, member


class _RememberFn(beam.DoFn):
    """Keyed by band key: decide members in event-time order against the members seen within the TTL.

    A new member waits in ``pending`` until the watermark passes its timestamp (the ``decide`` timer), so the members
    of a key are decided in order of their order key whatever order they arrived in; then it is compared with the
    remembered members, its verdict is emitted as (uid, ("verdict", Match | None)) with the member's timestamp, and
    it is remembered until ``ttl`` after its timestamp. The ``expiry`` timer fires ``ttl`` after the newest member and
    drops every member older than that, so a key that goes quiet holds no memory.
    """

    PENDING = BagStateSpec("pending", PickleCoder())  # (timestamp micros, Member)
    MEMBERS = BagStateSpec("members", PickleCoder())  # (expires micros, Member)
    DECIDE_AT = ReadModifyWriteStateSpec("decide_at", PickleCoder())
    EXPIRES = ReadModifyWriteStateSpec("expires", PickleCoder())
    DECIDE = TimerSpec("decide", TimeDomain.WATERMARK)
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, config: DedupConfig) -> None:
        self.threshold = config.threshold
        self.ttl = Duration(seconds=config.ttl_seconds)
        self.timers = config.expiry_timers

    def process(
        self,
        element,
        timestamp=beam.DoFn.TimestampParam,
        pending=beam.DoFn.StateParam(PENDING),
        decide_at=beam.DoFn.StateParam(DECIDE_AT),
        decide=beam.DoFn.TimerParam(DECIDE),
    ) -> Iterator:
        _key, member = element
        pending.add((timestamp.micros, member))
        due = _millis(timestamp)
        current = decide_at.read()
        if current is None or due.micros < current:
            decide_at.write(due.micros)
            decide.set(due)
        return
        yield  # pragma: no cover - a generator like on_timer methods

    @on_timer(DECIDE)
    def decide_pending(
        self,
        fired=beam.DoFn.TimestampParam,
        pending=beam.DoFn.StateParam(PENDING),
        members=beam.DoFn.StateParam(MEMBERS),
        decide_at=beam.DoFn.StateParam(DECIDE_AT),
        expires=beam.DoFn.StateParam(EXPIRES),
        decide=beam.DoFn.TimerParam(DECIDE),
        expiry=beam.DoFn.TimerParam(EXPIRY),
    ) -> Iterator:
        limit = _millis(fired).micros + 999
        waiting = list(pending.read())
        ready = sorted((entry for entry in waiting if entry[0] <= limit), key=lambda entry: entry[1].order)
        later = [entry for entry in waiting if entry[0] > limit]
        pending.clear()
        for entry in later:
            pending.add(entry)
        if later:
            due = _millis(Timestamp(micros=min(stamp for stamp, _ in later)))
            decide_at.write(due.micros)
            decide.set(due)
        else:
            decide_at.clear()
        remembered = list(members.read())
        newest = max((stamp for stamp, _ in ready), default=None)
        horizon = newest if newest is not None else limit
        alive = [(until, m) for until, m in remembered if until > horizon]
        for stamp, member in ready:
            match = earliest_match(member, (m for _, m in alive), threshold=self.threshold)
            yield window.TimestampedValue((member.uid, ("verdict", match)), Timestamp(micros=stamp))
            alive.append((_millis(Timestamp(micros=stamp) + self.ttl).micros, member))
        members.clear()
        for entry in alive:
            members.add(entry)
        if self.timers and alive:
            latest = max(until for until, _ in alive)
            current = expires.read()
            if current is None or latest > current:
                expires.write(latest)
                expiry.set(Timestamp(micros=latest))

    @on_timer(EXPIRY)
    def expire(
        self,
        fired=beam.DoFn.TimestampParam,
        pending=beam.DoFn.StateParam(PENDING),
        members=beam.DoFn.StateParam(MEMBERS),
        expires=beam.DoFn.StateParam(EXPIRES),
        expiry=beam.DoFn.TimerParam(EXPIRY),
    ) -> Iterator:
        # Members still needed by a pending (not yet decided) member stay, whatever order the runner fires timers in.
        cutoff = min([_millis(fired).micros] + [stamp for stamp, _ in pending.read()])
        alive = [(until, m) for until, m in members.read() if until > cutoff]
        members.clear()
        if not alive:
            expires.clear()
            return
        for entry in alive:
            members.add(entry)
        latest = max([until for until, _ in alive] + [_millis(fired).micros + 1000])  # never re-arm in the past
        expires.write(latest)
        expiry.set(Timestamp(micros=latest))
        return
        yield  # pragma: no cover - makes this a generator like process()


def _millis(stamp: Timestamp) -> Timestamp:
    """``stamp`` truncated to whole milliseconds (the precision of runner timers)."""
    return Timestamp(micros=(stamp.micros // 1000) * 1000)


class _DecideFn(beam.DoFn):
    """Keyed by element uid: wait for the document and the verdicts of all its keys, then emit the decision."""

    MESSAGES = BagStateSpec("messages", PickleCoder())

    def setup(self) -> None:
        self.counters = _Counters()

    def process(self, element, messages=beam.DoFn.StateParam(MESSAGES)) -> Iterator:
        _uid, message = element
        messages.add(message)
        received = list(messages.read())
        docs = [m for m in received if m[0] == "doc"]
        if not docs:
            return
        _, document, n_keys = docs[0]
        verdicts = [m[1] for m in received if m[0] == "verdict"]
        if len(verdicts) < n_keys:
            return
        messages.clear()
        found = [v for v in verdicts if v is not None]
        match = min(found) if found else None
        self.counters.count(match)
        if match is None:
            yield document
        elif match.kind != REDELIVERED:
            yield TaggedOutput(DUPLICATES, duplicate_record(document, match))


class DeduplicateStream(beam.PTransform):
    """Streaming de-duplication with keyed state that expires (see the module doc). Input: timestamped Documents
    in the global window. Outputs ``documents`` (to code) and ``duplicates`` (``documents`` records), with the
    input timestamps. Re-delivered copies (same doc_id and text) are dropped and counted
    (``documents_redelivered``).

    config: De-duplication settings (mode must not be "off").
    """

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self.config = config.validate()

    def expand(self, documents):
        fanned = documents | "FanOut" >> beam.ParDo(_FanOutFn(self.config)).with_outputs("decide", main="keys")
        verdicts = fanned["keys"] | "Remember" >> beam.ParDo(_RememberFn(self.config)).with_input_types(
            beam.typehints.KV[str, beam.typehints.Any]
        )
        decided = (
            (fanned["decide"], verdicts)
            | "Messages" >> beam.Flatten()
            | "Decide"
            >> beam.ParDo(_DecideFn())
            .with_input_types(beam.typehints.KV[str, beam.typehints.Any])
            .with_outputs(DUPLICATES, main=DOCUMENTS)
        )
        return {DOCUMENTS: decided[DOCUMENTS], DUPLICATES: decided[DUPLICATES]}


def parse_mode(value: Optional[str]) -> str:
    """Normalise a ``--dedup`` value."""
    mode = (value or NEAR).strip().lower()
    if mode not in MODES:
        raise ConfigError(f"--dedup must be one of {', '.join(MODES)}, got {value!r}")
    return mode


__all__: Sequence[str] = (
    "DedupConfig", "DeduplicateBatch", "DeduplicateStream", "Member", "Match", "minhash_signature", "similarity",
    "band_keys", "word_shingles", "earliest_match", "MODES",
)
