"""Names shared by the Beam modules: the metrics namespace and the tags of multi-output transforms.

Every Beam Metric of the job is counted under :data:`NAMESPACE` (the end-of-run summary reads that namespace). A
transform with several outputs returns a dict keyed by these tags, and its DoFns emit ``TaggedOutput``s under them.
"""
from __future__ import annotations

NAMESPACE = "demarche"

# Output tags (and the keys of the dicts the multi-output transforms return).
DOCUMENTS = "documents"  # Documents to code, or ``documents`` records once coded
EVENTS = "events"  # ``event`` records
DEAD_LETTER = "dead_letter"  # ``dead_letter`` records
DUPLICATES = "duplicates"  # ``documents`` records of duplicate copies (``duplicate_of`` set)
SIGNATURES = "signatures"  # ``document_signature`` records (the near-duplicate index)
