"""Embeddings from an OpenAI-compatible `/v1/embeddings` server, through pipeline.llm's EmbeddingsClient.

Every text is redacted (pipeline/redact.py) right before it is sent, so a secret pasted into an old
postmortem or a query never leaves the machine, whichever caller built the text. Vectors are
L2-normalized like MiniLM's, so the cosine space of the collection means the same thing. Retries,
`Retry-After` and the error a failing server becomes belong to pipeline.llm, as for chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.similar.embedders import EmbeddingConfig

if TYPE_CHECKING:
    import numpy as np

_BATCH = 128  # inputs per request: well under the usual 2,048-input and token limits


class OpenAIEmbedder:
    def __init__(self, config: EmbeddingConfig) -> None:
        from pipeline.llm import EmbeddingsClient

        self.config = config
        self.client = EmbeddingsClient(config.model, base_url=config.base_url, api_key=config.api_key)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length vector per text, in input order; a failing server is a ModelUnavailableError."""
        import numpy as np

        from pipeline.redact import Redactor

        rows: list[list[float]] = []
        for start in range(0, len(texts), _BATCH):
            rows.extend(self.client.embed([Redactor().redact(text) for text in texts[start : start + _BATCH]]))
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
