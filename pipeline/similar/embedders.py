"""Which embeddings a library uses: the bundled MiniLM (default, offline) or an OpenAI-compatible server.

Chosen with `--embeddings` or `$POSTMORTEM_EMBEDDINGS`: `minilm`, or `openai:MODEL` (for example
`openai:text-embedding-3-small`). The server is `--embeddings-url` / `$POSTMORTEM_EMBEDDINGS_URL`, else
`$OPENAI_BASE_URL`, else OpenAI's; the key is `$OPENAI_API_KEY`. Vectors of different models cannot be
compared, so each collection records its `spec` and the store refuses to mix (EmbeddingMismatchError).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from pipeline.errors import ConfigError, PipelineError

if TYPE_CHECKING:
    import numpy as np

MINILM = "minilm"
OPENAI_PREFIX = "openai:"


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class EmbeddingConfig:
    """`provider` is minilm or openai; `model` and `base_url` only matter for openai."""

    provider: str = MINILM
    model: str = ""
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)

    @classmethod
    def resolve(
        cls, choice: str | None = None, *, base_url: str | None = None, environ: Mapping[str, str] | None = None
    ) -> EmbeddingConfig:
        """Options first, then the environment; an unknown choice is a ConfigError naming the setting."""
        env = os.environ if environ is None else environ
        choice = (choice or env.get("POSTMORTEM_EMBEDDINGS") or MINILM).strip()
        if choice.lower() == MINILM:
            return cls()
        if not choice.lower().startswith(OPENAI_PREFIX) or not choice[len(OPENAI_PREFIX) :].strip():
            raise ConfigError(
                "--embeddings",
                f"unknown embeddings {choice!r}; use minilm or openai:MODEL (e.g. openai:text-embedding-3-small)",
            )
        url = base_url or env.get("POSTMORTEM_EMBEDDINGS_URL") or env.get("OPENAI_BASE_URL") or None
        key = env.get("OPENAI_API_KEY") or None
        if not key and not url:
            raise ConfigError(
                "OPENAI_API_KEY", "no API key for OpenAI embeddings; set OPENAI_API_KEY or --embeddings-url"
            )
        return cls(provider="openai", model=choice[len(OPENAI_PREFIX) :].strip(), base_url=url, api_key=key)

    @property
    def spec(self) -> str:
        """What a collection records: vectors with different specs must never be compared."""
        from pipeline.similar.embeddings import MODEL_NAME

        return f"{MINILM}:{MODEL_NAME}" if self.provider == MINILM else f"openai:{self.model}"


class EmbeddingMismatchError(PipelineError):
    """The library was built with other embeddings than the ones asked for."""

    def __init__(self, where: str, built: str, wanted: str):
        self.hint = (
            "vectors of different models cannot be compared: use the library's embeddings "
            f"(--embeddings {built.split(':', 1)[0] if built.startswith(MINILM) else built}), or re-index "
            "your postmortems into a new library (postmortem index --store NEW_DIR ...)"
        )
        super().__init__(f"error: the library at {where} was built with {built} embeddings, not {wanted}")


def embedder_for(config: EmbeddingConfig) -> Embedder:
    """The process-wide MiniLM, or a client for the configured OpenAI-compatible server."""
    if config.provider == MINILM:
        from pipeline.similar.embeddings import default_model

        return default_model()
    from pipeline.similar.openai_embeddings import OpenAIEmbedder

    return OpenAIEmbedder(config)


def indexing_embedder_for(config: EmbeddingConfig, new_chunks: int) -> Embedder:
    """For indexing: MiniLM with int8 matrix products when available (3x faster, same vector space as the
    float32 queries to cosine >= 0.98), else the same embedder queries use."""
    if config.provider == MINILM:
        from pipeline.similar.quantized import indexing_model

        return indexing_model(new_chunks)
    return embedder_for(config)
