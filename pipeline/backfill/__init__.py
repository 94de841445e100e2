"""`postmortem backfill`: old incident notes of any shape -> NoteRecords, a blameless report, the library.

Modules, in the order a note flows through them: `sources` (find notes, detect formats, stable ids and
shards), `reading` (each format -> numbered lines of text), `extract` (offline field extraction with
provenance), `llm_extract` (the same fields from a model, verified in code), `manifest` (SQLite: what is
done, so runs resume), `ratelimit` (requests and tokens per minute), `runner` (concurrency, records,
indexing, summary), `report` (blameless findings per note and for the batch).
"""
