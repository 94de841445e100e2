"""Similar past incidents: a Chroma library of postmortems with offline MiniLM embeddings.

Modules: `documents` (files -> chunked, categorized documents), `taxonomy` (trigger/factor keywords as
data), `embeddings` (MiniLM in numpy), `store` (Chroma, embedded or server), `explain` (grouping,
explanations, recurrence), `library` (the functions below). Importing this package loads no heavy
library; Chroma and the model load on first use.
"""

from pipeline.similar.library import (
    ensure_example_library,
    index_paths,
    similar_for_draft,
    similar_to_draft,
    similar_to_incident,
    similar_to_text,
)

__all__ = [
    "ensure_example_library",
    "index_paths",
    "similar_for_draft",
    "similar_to_draft",
    "similar_to_incident",
    "similar_to_text",
]
