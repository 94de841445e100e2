"""The Chroma library: embedded (`PersistentClient`) by default, or a shared `chroma run` server.

Where the embedded library lives, first match wins:
1. `--store DIR` / `StoreConfig(path=...)` given explicitly;
2. `chroma/` in the library home (pipeline/home.py): `$POSTMORTEM_HOME`, else the user data folder,
   never the current directory (an old `./.postmortem/` there is moved into the home once).
A server is used instead when `--chroma-url` (or `$POSTMORTEM_CHROMA_URL`) is set; a token
(`--chroma-token` or `$POSTMORTEM_CHROMA_TOKEN`) is sent as `Authorization: Bearer`. Each collection
records the embeddings it was built with (embedders.py) and is never opened with others.

Chroma gotchas handled here (stack-notes 3): the collection is always opened with our own embedding
function (Chroma's default one downloads a model), its persisted config holds no file path, and every
client gets the same `Settings(anonymized_telemetry=False)`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from pipeline.errors import ConfigError, PipelineError
from pipeline.home import adopt_legacy_library, library_home
from pipeline.redact import redact
from pipeline.similar.embedders import EmbeddingConfig, EmbeddingMismatchError, embedder_for, indexing_embedder_for

if TYPE_CHECKING:
    from pipeline.similar.documents import LibraryDocument

COLLECTION = "postmortems"
EMBEDDING_FUNCTION_NAME = "postmortem-pipeline-minilm"
OPENAI_FUNCTION_NAME = "postmortem-pipeline-openai"
_ADD_BATCH = 256
_GET_BATCH = 100  # incidents per lookup of already stored chunk ids
CONNECT_TIMEOUT = 5.0  # seconds to open a connection to a Chroma server
READ_TIMEOUT = 30.0  # seconds a Chroma server may take to answer one request
HEARTBEAT_TIMEOUT = 10.0  # the heartbeat does no work: a server slower than this is stalled


class LibraryMissingError(PipelineError):
    """No library at the configured location: nothing has been indexed yet."""

    def __init__(self, where: str):
        self.where = where
        self.hint = "index past postmortems first: postmortem index YOUR_POSTMORTEMS/ (markdown or draft.json files)"
        super().__init__(f"error: no incident library at {where}")


@dataclass(frozen=True)
class StoreConfig:
    """Where the library is: an embedded directory, or a server URL with an optional token."""

    path: Path | None = None
    url: str | None = None
    token: str | None = None
    collection: str = COLLECTION
    embeddings: EmbeddingConfig = EmbeddingConfig()

    @classmethod
    def resolve(
        cls,
        *,
        path: Path | None = None,
        url: str | None = None,
        token: str | None = None,
        embeddings: str | None = None,
        embeddings_url: str | None = None,
    ) -> StoreConfig:
        """Apply the documented precedence: explicit options, then environment, then the library home."""
        url = url or os.environ.get("POSTMORTEM_CHROMA_URL") or None
        token = token or os.environ.get("POSTMORTEM_CHROMA_TOKEN") or None
        chosen = EmbeddingConfig.resolve(embeddings, base_url=embeddings_url)
        if url:
            return cls(url=url, token=token, embeddings=chosen)
        if path is None:
            adopt_legacy_library()
        return cls(path=path or library_home() / "chroma", embeddings=chosen)

    def describe(self) -> str:
        return self.url if self.url else str(self.path)


@dataclass(frozen=True)
class IndexCounts:
    added: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Hit:
    """One chunk returned by a query, with its cosine similarity to the query passage."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    similarity: float


class LibraryStore:
    """One Chroma collection of postmortem chunks; open with `LibraryStore.open(config)`."""

    def __init__(self, collection: Any, config: StoreConfig):
        self.collection = collection
        self.config = config

    @classmethod
    def open(cls, config: StoreConfig, *, create: bool) -> LibraryStore:
        """Open (or with `create`, create) the collection; a missing library raises LibraryMissingError."""
        if not create and config.path is not None and not config.path.exists():
            raise LibraryMissingError(config.describe())
        client = _client(config)
        spec = config.embeddings.spec
        function = embedding_functions()[spec.split(":", 1)[0]]
        try:
            collection = client.get_collection(config.collection, embedding_function=function)
        except ValueError as exc:
            if "Embedding function conflict" not in str(exc):
                raise
            built = (client.get_collection(config.collection).metadata or {}).get("embedding", "other")
            raise EmbeddingMismatchError(config.describe(), str(built), spec) from exc
        except Exception as exc:  # chromadb raises NotFoundError (server) or ValueError (older clients)
            if "does not exist" not in str(exc) and type(exc).__name__ != "NotFoundError":
                raise
            if not create:
                raise LibraryMissingError(config.describe()) from exc
            collection = client.get_or_create_collection(
                config.collection,
                embedding_function=function,
                metadata={"embedding": spec},
                configuration={"hnsw": {"space": "cosine"}},
            )
        built = str((collection.metadata or {}).get("embedding") or f"{EmbeddingConfig().spec}")  # older libraries
        if built != spec:
            raise EmbeddingMismatchError(config.describe(), built, spec)
        return cls(collection, config)

    def embed(self, texts: list[str]) -> Any:
        """Vectors from the embeddings this library was built with."""
        return embedder_for(self.config.embeddings).embed(texts)

    def embed_for_index(self, texts: list[str]) -> Any:
        """Vectors for new chunks: the same model, with int8 matrix products when available (quantized.py)."""
        return indexing_embedder_for(self.config.embeddings, len(texts)).embed(texts)

    def count(self) -> int:
        return self.collection.count()

    def sync(self, documents: list[LibraryDocument]) -> IndexCounts:
        """Make each incident's stored chunks equal its document's; embed only chunk ids not stored yet.

        Chunk ids hash the passage and the document metadata, so re-indexing an unchanged file embeds
        nothing, and an edited file gets its changed chunks added and its old ones deleted.
        """
        new_chunks: list[tuple[str, str, dict[str, Any]]] = []
        stale: list[str] = []
        unchanged = 0
        for start in range(0, len(documents), _GET_BATCH):
            part = documents[start : start + _GET_BATCH]
            stored = self.collection.get(
                where={"incident_id": {"$in": [document.incident_id for document in part]}}, include=["metadatas"]
            )
            existing: dict[str, set[str]] = {}
            for chunk_id, meta in zip(stored["ids"], stored["metadatas"]):
                existing.setdefault(str((meta or {}).get("incident_id")), set()).add(chunk_id)
            for document in part:
                have = existing.get(document.incident_id, set())
                wanted = {chunk.id for chunk in document.chunks}
                stale.extend(sorted(have - wanted))
                unchanged += len(have & wanted)
                base = document.metadata()
                new_chunks.extend(
                    (chunk.id, chunk.text, {**base, "section": chunk.section, "lead_chars": chunk.lead_chars})
                    for chunk in document.chunks
                    if chunk.id not in have
                )
        vectors = self._vectors_for(new_chunks, self._stored_vectors(stale)) if new_chunks else None
        if stale:
            self.collection.delete(ids=stale)
        self.add_chunks(new_chunks, vectors=vectors)
        return IndexCounts(added=len(new_chunks), removed=len(stale), unchanged=unchanged)

    def _stored_vectors(self, chunk_ids: list[str]) -> dict[str, Any]:
        """Text -> stored vector of chunks about to be replaced: an edit that changes only metadata
        (severity, services) gives new chunk ids for the same passages, which need no new embedding."""
        reusable: dict[str, Any] = {}
        for start in range(0, len(chunk_ids), _ADD_BATCH):
            stored = self.collection.get(ids=chunk_ids[start : start + _ADD_BATCH], include=["documents", "embeddings"])
            reusable.update(zip(stored["documents"], stored["embeddings"]))
        return reusable

    def _vectors_for(self, chunks: list[tuple[str, str, dict[str, Any]]], reusable: dict[str, Any]) -> Any:
        """One vector per chunk: reused when its exact text was stored already, else embedded now."""
        import numpy as np

        missing = list(dict.fromkeys(text for _, text, _ in chunks if text not in reusable))
        reusable = {**reusable, **dict(zip(missing, self.embed_for_index(missing)))} if missing else reusable
        return np.asarray([reusable[text] for _, text, _ in chunks], dtype=np.float32)

    def keep_only(self, incident_ids: list[str]) -> int:
        """Delete the chunks of every incident not in `incident_ids` (a library rebuilt from one folder)."""
        stored = self.collection.get(include=["metadatas"])
        wanted = set(incident_ids)
        gone = [
            chunk_id
            for chunk_id, meta in zip(stored["ids"], stored["metadatas"])
            if str((meta or {}).get("incident_id")) not in wanted
        ]
        if gone:
            self.collection.delete(ids=gone)
        return len(gone)

    def add_chunks(self, chunks: list[tuple[str, str, dict[str, Any]]], vectors: Any = None) -> None:
        """Add (id, text, metadata) chunks, embedding them unless `vectors` are given (benchmarks)."""
        if not chunks:
            return
        chunks = [(chunk_id, redact(text), _redacted_metadata(meta)) for chunk_id, text, meta in chunks]
        if vectors is None:
            vectors = self.embed_for_index([text for _, text, _ in chunks])
        for start in range(0, len(chunks), _ADD_BATCH):
            part = chunks[start : start + _ADD_BATCH]
            self.collection.add(
                ids=[chunk_id for chunk_id, _, _ in part],
                documents=[text for _, text, _ in part],
                embeddings=vectors[start : start + len(part)],
                metadatas=[meta for _, _, meta in part],
            )

    def query(self, vectors: Any, n_results: int) -> list[Hit]:
        """Nearest chunks for each query vector (rows of `vectors`), as one flat list."""
        total = self.count()
        if total == 0 or len(vectors) == 0:
            return []
        result = self.collection.query(
            query_embeddings=vectors, n_results=min(n_results, total), include=["documents", "metadatas", "distances"]
        )
        return [
            Hit(chunk_id, text or "", dict(meta or {}), 1.0 - float(distance))
            for index in range(len(vectors))
            for chunk_id, text, meta, distance in zip(
                result["ids"][index], result["documents"][index], result["metadatas"][index], result["distances"][index]
            )
        ]


def _redacted_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata as stored: every string value redacted (a title or a source path can carry a token)."""
    return {key: redact(value) if isinstance(value, str) else value for key, value in meta.items()}


def _client(config: StoreConfig) -> Any:
    import chromadb
    from chromadb.config import Settings

    from pipeline.similar.embeddings import set_offline_flags

    set_offline_flags()
    settings = Settings(anonymized_telemetry=False)
    if config.url is None:
        assert config.path is not None
        config.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(config.path), settings=settings)
    parsed = urlparse(config.url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ConfigError("--chroma-url", f"cannot use {config.url!r}; expected http(s)://HOST:PORT")
    headers = {"Authorization": f"Bearer {config.token}"} if config.token else None
    _answers_heartbeat(config.url, headers)
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            headers=headers,
            settings=settings,
        )
    except Exception as exc:  # connection refused, TLS, auth: one clear line instead of a traceback
        raise ConfigError("--chroma-url", f"cannot reach Chroma server at {config.url}: {exc}") from exc
    _bound_requests(client)
    return client


def _answers_heartbeat(url: str, headers: dict[str, str] | None) -> None:
    """ConfigError unless the server answers its heartbeat within HEARTBEAT_TIMEOUT seconds.

    chromadb's HttpClient talks to the server in its constructor with no timeout at all, so a server
    that accepts the connection and never answers would hang every command that opens the library.
    """
    import httpx

    try:
        httpx.get(
            f"{url.rstrip('/')}/api/v2/heartbeat",
            headers=headers,
            timeout=httpx.Timeout(HEARTBEAT_TIMEOUT, connect=CONNECT_TIMEOUT),
        )
    except httpx.TimeoutException:
        raise ConfigError(
            "--chroma-url",
            f"the Chroma server at {url} accepted the connection but did not answer within "
            f"{HEARTBEAT_TIMEOUT:.0f} s; check that `chroma run` is healthy there",
        ) from None
    except httpx.HTTPError as exc:
        raise ConfigError("--chroma-url", f"cannot reach Chroma server at {url}: {exc}") from None


def _bound_requests(client: Any) -> None:
    """Give chromadb's HTTP session a timeout (it sets none): a stalled server fails, it does not hang."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)


@lru_cache(maxsize=1)
def embedding_functions() -> dict[str, Any]:
    """Our embeddings as Chroma embedding functions, by provider; persisted configs name models, not paths.

    Chroma never calls them (vectors are always passed in), but a collection must be opened with an
    explicit function, or Chroma falls back to its default one, which downloads a model.
    """
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    from pipeline.similar.embeddings import MODEL_NAME

    @register_embedding_function
    class PostmortemMiniLM(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            pass

        def __call__(self, input: Documents) -> Embeddings:
            return list(embedder_for(EmbeddingConfig()).embed(list(input)))

        @staticmethod
        def name() -> str:
            return EMBEDDING_FUNCTION_NAME

        def default_space(self) -> str:
            return "cosine"

        def get_config(self) -> dict[str, Any]:
            return {"model": MODEL_NAME}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> PostmortemMiniLM:
            return PostmortemMiniLM()

    @register_embedding_function
    class PostmortemOpenAI(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            pass

        def __call__(self, input: Documents) -> Embeddings:
            return list(embedder_for(EmbeddingConfig.resolve()).embed(list(input)))

        @staticmethod
        def name() -> str:
            return OPENAI_FUNCTION_NAME

        def default_space(self) -> str:
            return "cosine"

        def get_config(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> PostmortemOpenAI:
            return PostmortemOpenAI()

    return {"minilm": PostmortemMiniLM(), "openai": PostmortemOpenAI()}
