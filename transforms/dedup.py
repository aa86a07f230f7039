"""Document de-duplication as Beam steps: exact copies (normalised text hash) and near-duplicates (MinHash + LSH).

Syndicated wire stories reach a news pipeline many times: verbatim, or with a new dateline, a trimmed last
paragraph, a different headline. demarche codes each story once. The copy that is coded (the *original*) is the
earliest one by ``(publication time, doc_id)``; every other copy becomes a ``documents`` record with
``duplicate_of`` = the original's doc_id, ``n_sentences = n_events = 0``, and is counted (Beam Metrics
``duplicates_exact`` / ``duplicates_near``). Signatures, band keys and the matching decisions are plain Python in
``transforms/records/near_duplicates.py`` (the same in batch and streaming).

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

Before that (batch), :class:`transforms.skip_known.SkipKnown` keeps one document per doc_id and none already in the
output (``transforms/records/known_documents.py``).

Limits: ``duplicate_of`` names the earliest matching document, which is normally the original; in a rare chain
(A~B, B~C but not A~C) C points to B, itself a duplicate.
"""
from __future__ import annotations

import uuid
from typing import Iterator, Optional

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms import window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration, Timestamp

from transforms.coding.model import Document
from transforms.names import DEAD_LETTER, DOCUMENTS, DUPLICATES, NAMESPACE, SIGNATURES
from transforms.records import ingest
from transforms.records.near_duplicates import (
    EXACT,
    NEAR,
    REDELIVERED,
    DedupConfig,
    DuplicateMatch,
    band_keys,
    duplicate_record,
    earliest_match,
    group_matches,
    known_band_keys,
    known_member,
    member_of,
    signature_record,
)
from transforms.skip_known import SkipKnown

# Tags of the streaming fan-out: band-key members (main) and the per-document messages of the decider.
_KEYS = "keys"
_DECIDE = "decide"


class _Counters:
    def __init__(self) -> None:
        self.exact = Metrics.counter(NAMESPACE, "duplicates_exact")
        self.near = Metrics.counter(NAMESPACE, "duplicates_near")
        self.redelivered = Metrics.counter(NAMESPACE, "documents_redelivered")
        self.unique = Metrics.counter(NAMESPACE, "documents_unique")

    def count(self, match: Optional[DuplicateMatch]) -> None:
        if match is None:
            self.unique.inc()
        else:
            {EXACT: self.exact, NEAR: self.near, REDELIVERED: self.redelivered}[match.kind].inc()


# ---------------------------------------------------------------------------------------------------------------
# Batch


class _MatchGroupFn(beam.DoFn):
    """(band key, members) -> (uid, DuplicateMatch) for every new member that duplicates an earlier member."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def process(self, element) -> Iterator[tuple]:
        key, members = element
        yield from group_matches(key, members, threshold=self.threshold)


class _KnownKeysFn(beam.DoFn):
    """(known Member, EXACT|NEAR) -> (key, Member) for its band keys that some new document also has."""

    def start_bundle(self) -> None:
        self._keys: Optional[set] = None

    def process(self, member_mode, new_keys) -> Iterator[tuple]:
        if self._keys is None:
            self._keys = set(new_keys)
        if not self._keys:
            return
        member, mode = member_mode
        for key in known_band_keys(member, mode=mode, wanted=self._keys):
            yield key, member


class _ResolveFn(beam.DoFn):
    """(uid, {doc: [(Member, Document)], match: [DuplicateMatch...]}) -> Document to code, or a duplicate record."""

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
    """``(documents, known_documents, known_signatures) | DeduplicateBatch(config)``: batch de-duplication of
    Documents (deterministic). Outputs ``documents`` (to code), ``duplicates`` (``documents`` records with
    ``duplicate_of``), ``signatures`` (index records for later incremental runs) and ``dead_letter`` (repeated ids
    and revised texts, see :class:`transforms.skip_known.SkipKnown`).

    Inputs (empty PCollections for a run that is not incremental):
    known_documents: ``documents`` records of earlier runs (doc_id, text_sha256, duplicate_of): their doc_ids are
        skipped, their texts count as originals (records without a text_sha256 only block their doc_id, e.g.
        documents that failed in the NLP stage).
    known_signatures: ``document_signature`` records of earlier runs (near-duplicates of earlier documents; read
        in near mode only).

    config: De-duplication settings (mode must not be "off").
    """

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self.config = config

    def expand(self, inputs):
        documents, known_documents, known_signatures = inputs
        pipeline = documents.pipeline
        if not self.config.near:
            known_signatures = pipeline | "NoKnownSignatures" >> beam.Create([])
        kept = (documents, known_documents) | "SkipKnown" >> SkipKnown()
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
                known_documents | "KnownExact" >> beam.Map(lambda r: (known_member(r), EXACT)),
                known_signatures | "KnownNear" >> beam.Map(lambda r: (known_member(r), NEAR)),
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
        yield TaggedOutput(_DECIDE, (uid, ("doc", document, len(keys))))
        for key in keys:
            yield key, member


class _RememberFn(beam.DoFn):
    """Keyed by band key: decide members in event-time order against the members seen within the TTL.

    A new member waits in ``pending`` until the watermark passes its timestamp (the ``decide`` timer), so the members
    of a key are decided in order of their order key whatever order they arrived in; then it is compared with the
    remembered members, its verdict is emitted as (uid, ("verdict", DuplicateMatch | None)) with the member's
    timestamp, and it is remembered until ``ttl`` after its timestamp. The ``expiry`` timer fires ``ttl`` after the
    newest member and drops every member older than that, so a key that goes quiet holds no memory.
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
        _replace(pending, later)
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
        _replace(members, alive)
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
        _replace(members, alive)
        if not alive:
            expires.clear()
            return
        latest = max([until for until, _ in alive] + [_millis(fired).micros + 1000])  # never re-arm in the past
        expires.write(latest)
        expiry.set(Timestamp(micros=latest))
        return
        yield  # pragma: no cover - makes this a generator like process()


def _replace(bag, entries: list) -> None:
    """Make a bag state hold exactly ``entries``."""
    bag.clear()
    for entry in entries:
        bag.add(entry)


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
        self.config = config

    def expand(self, documents):
        fanned = documents | "FanOut" >> beam.ParDo(_FanOutFn(self.config)).with_outputs(_DECIDE, main=_KEYS)
        verdicts = fanned[_KEYS] | "Remember" >> beam.ParDo(_RememberFn(self.config)).with_input_types(
            beam.typehints.KV[str, beam.typehints.Any]
        )
        decided = (
            (fanned[_DECIDE], verdicts)
            | "Messages" >> beam.Flatten()
            | "Decide"
            >> beam.ParDo(_DecideFn())
            .with_input_types(beam.typehints.KV[str, beam.typehints.Any])
            .with_outputs(DUPLICATES, main=DOCUMENTS)
        )
        return {DOCUMENTS: decided[DOCUMENTS], DUPLICATES: decided[DUPLICATES]}
