"""Pure record logic (no Beam): input lines into Documents, near-duplicate detection, the known-documents anti-join,
and the builders of ``documents``, ``event_clusters`` and ``dyad_day`` records. The Beam modules in ``transforms/``
call these functions; tests call them directly."""
