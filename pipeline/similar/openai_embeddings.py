"""Embeddings from an OpenAI-compatible `/v1/embeddings` server, through the `openai` client.

Every text is redacted (pipeline/redact.py) right before it is sent, so a secret pasted into an old
postmortem or a query never leaves the machine, whichever caller built the text. Vectors are
L2-normalized like MiniLM's, so the cosine space of the collection means the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from pipeline.errors import ConfigError
from pipeline.similar.embedders import EmbeddingConfig

if TYPE_CHECKING:
    import numpy as np

_BATCH = 128  # inputs per request: well under the usual 2,048-input and token limits
_TIMEOUT_SECONDS = 60.0


class OpenAIEmbedder:
    def __init__(self, config: EmbeddingConfig) -> None:
        from openai import OpenAI

        self.config = config
        self.client = OpenAI(
            base_url=config.base_url, api_key=config.api_key or "not-needed", timeout=_TIMEOUT_SECONDS
        )

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        """One unit-length vector per text, in input order; a failing server is a ConfigError."""
        import numpy as np
        import openai

        from pipeline.redact import Redactor

        rows: list[list[float]] = []
        for start in range(0, len(texts), _BATCH):
            batch = [Redactor().redact(text) for text in texts[start : start + _BATCH]]
            try:
                response = self.client.embeddings.create(
                    model=self.config.model, input=batch, encoding_format="float"  # not every server does base64
                )
            except openai.OpenAIError as exc:
                where = self.config.base_url or "the OpenAI API"
                raise ConfigError("--embeddings", f"embeddings request to {where} failed: {exc}") from exc
            rows.extend(item.embedding for item in sorted(response.data, key=lambda item: item.index))
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
