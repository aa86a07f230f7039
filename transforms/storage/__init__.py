"""Output-folder logic in plain Python (no Beam): which files of an output folder count and how a run adds to it.

* ``files`` — the file system: list, read, write atomically, delete; local paths and object stores (gs://) alike.
  Not-found is "no files"; any other failure raises ``StorageError`` naming the path.
* ``commit`` — run records and the atomic commit: ``committed_files`` is what every reader of an output folder asks.
* ``lease`` — one writer per output folder (a lock file with a heartbeat).
* ``known_index`` — the compact index of the documents, signatures and dead letters already committed.
* ``output_run`` — one run against an output folder: lease, recovery, begin, commit, index update.
* ``incremental_plan`` — an incremental batch run that has nothing new to do skips its pipeline.
"""
