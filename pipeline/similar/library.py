"""Index postmortems into the library and ask it for similar past incidents.

`similar_for_draft` is what drafting calls (the team's library, else the bundled examples indexed on
first use into a collection of their own); `index_paths` and the `similar_to_*` functions back
`postmortem index` and `postmortem similar`. `similar_for_draft` loads Chroma and numpy only when a
library exists (or examples are wanted), so asking an empty project costs nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.home import library_home
from pipeline.ingest.files import inside
from pipeline.models import SimilarIncident
from pipeline.package_data import package_path
from pipeline.similar.explain import RECURRENCE_WINDOW_DAYS, QueryContext, group_hits
from pipeline.similar.store import IndexCounts, LibraryMissingError, LibraryStore, StoreConfig

EXAMPLE_LIBRARY = package_path("data", "library")  # shipped in the wheel; examples/library links here
EXAMPLE_COLLECTION = "example-postmortems"  # never the team's collection: examples must not mix in
EXAMPLES_DESCRIPTION = (
    "the bundled example library (sample incidents, not your team's; "
    "run postmortem index on your own postmortems to search those instead)"
)
_QUERY_CHUNKS = 8  # a long query (a whole draft) is embedded as up to this many passages
_HITS_PER_INCIDENT = 6  # chunks fetched per wanted incident, since one incident has several chunks


@dataclass
class IndexReport:
    files: int = 0
    counts: IndexCounts = field(default_factory=IndexCounts)
    skipped: list[str] = field(default_factory=list)
    total_chunks: int = 0
    incident_ids: list[str] = field(default_factory=list)


def collect_files(paths: list[Path]) -> list[Path]:
    """Markdown postmortems and draft.json files under the given paths, sorted; a bad path is an InputError."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and inside(path, p)
                and (p.suffix.lower() in {".md", ".markdown"} or p.name == "draft.json")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(path, "not found", hint="pass markdown postmortems, draft.json files or folders of them")
    return found


def index_paths(paths: list[Path], config: StoreConfig | None = None) -> IndexReport:
    """Parse every file first (nothing is written if one is bad), then upsert each incident's chunks."""
    from pipeline.similar.documents import load_document

    files = collect_files(paths)
    if not files:
        raise InputError(", ".join(map(str, paths)), "no markdown postmortems or draft.json files found")
    documents, report, seen = [], IndexReport(), {}
    for path in files:
        document = load_document(path)
        if document.incident_id in seen:
            report.skipped.append(
                f"{path}: incident id {document.incident_id!r} already comes from {seen[document.incident_id]}; skipped"
            )
            continue
        seen[document.incident_id] = path
        documents.append(document)
    store = LibraryStore.open(config or StoreConfig.resolve(), create=True)
    report.files = len(documents)
    report.incident_ids = [document.incident_id for document in documents]
    report.counts = store.sync(documents)
    report.total_chunks = store.count()
    return report


def similar_to_text(
    text: str,
    *,
    k: int = 5,
    config: StoreConfig | None = None,
    service: str | None = None,
    on_date: date | None = None,
    incident_id: str | None = None,
    window_days: int = RECURRENCE_WINDOW_DAYS,
) -> list[SimilarIncident]:
    """Past incidents most similar to `text`, explained; raises LibraryMissingError when none is indexed."""
    from pipeline.similar.documents import chunk_section
    from pipeline.similar.taxonomy import load_taxonomy

    if not text.strip():
        raise InputError("query", "empty query text", hint='describe the incident, e.g. "TLS certificate expired"')
    store = LibraryStore.open(config or StoreConfig.resolve(), create=False)
    passages = chunk_section("", "", text)[:_QUERY_CHUNKS] or [text]
    vectors = store.embed(passages)
    hits = store.query(vectors, n_results=max(k, 1) * _HITS_PER_INCIDENT)
    known_services = {s for hit in hits for s in str(hit.metadata.get("services", "")).split(",") if s}
    lowered = text.lower()
    services = {service.lower()} if service else {s for s in known_services if s in lowered}
    categories = load_taxonomy().categorize(text)
    context = QueryContext(
        services=frozenset(services),
        triggers=categories.triggers,
        factors=categories.factors,
        on_date=on_date or date.today(),
        incident_id=incident_id,
        window_days=window_days,
    )
    return group_hits(hits, context, k)


def similar_to_draft(path: Path, **options) -> list[SimilarIncident]:
    """Similar incidents for a draft.json or markdown postmortem, excluding the incident itself."""
    from pipeline.similar.documents import load_document

    document = load_document(path)
    text = "\n\n".join(chunk.passage for chunk in document.chunks)
    service = document.services[0] if document.services else None
    return similar_to_text(text, service=service, on_date=document.date, incident_id=document.incident_id, **options)


def similar_to_incident(directory: Path, **options) -> list[SimilarIncident]:
    """Similar incidents for an incident directory: its draft.json if there is one, else incident.toml + timeline."""
    from pipeline.ingest.files import read_text
    from pipeline.ingest.incident import find_timeline, load_meta

    if not directory.is_dir():
        raise InputError(directory, "incident directory not found")
    if (directory / "draft.json").is_file():
        return similar_to_draft(directory / "draft.json", **options)
    meta = load_meta(directory)
    timeline = read_text(find_timeline(directory), what="timeline")
    text = "\n\n".join(part for part in (meta.title, timeline) if part)
    return similar_to_text(text, service=meta.service, on_date=meta.date, incident_id=directory.name, **options)


@dataclass(frozen=True)
class DraftMatches:
    """Similar incidents for a draft, and which library they came from, so the draft can say so."""

    incidents: list[SimilarIncident]
    library: str


def similar_for_draft(
    text: str,
    *,
    k: int = 3,
    service: str | None = None,
    on_date: date | None = None,
    incident_id: str | None = None,
    examples: bool = True,
) -> DraftMatches:
    """Search the team's library; when there is none (embedded store only), the bundled examples.

    The team's own collection never receives example incidents: those live in a collection of their
    own, indexed on first use, so `postmortem index` of real postmortems later simply takes over.
    A configured server is the team's library, so it is searched as is and never written to.
    """
    if not text.strip():
        return DraftMatches([], "")
    config, library = library_to_search(StoreConfig.resolve(), examples=examples)
    if config is None:
        return DraftMatches([], "")
    options = {"k": k, "service": service, "on_date": on_date, "incident_id": incident_id}
    return DraftMatches(similar_to_text(text, config=config, **options), library)


def library_to_search(config: StoreConfig, *, examples: bool = True) -> tuple[StoreConfig | None, str]:
    """The library a search should use, and how to name it: a configured server or the team's embedded
    library as is, else (embedded, nothing indexed yet) the bundled examples, else None."""
    if config.url is not None:
        return config, f"the shared incident library at {config.url}"
    if _has_own_library(config):
        return config, f"your incident library at {config.path}"
    if not examples:
        return None, ""
    return ensure_example_library(config), EXAMPLES_DESCRIPTION


def _has_own_library(config: StoreConfig) -> bool:
    """Whether the team's collection exists and holds anything (an empty one is no library)."""
    if config.path is not None and not config.path.exists():
        return False
    try:
        return LibraryStore.open(config, create=False).count() > 0
    except LibraryMissingError:
        return False


def example_config(config: StoreConfig | None = None) -> StoreConfig:
    """Where the bundled examples live: their own collection beside the team's embedded library."""
    base = config or StoreConfig.resolve()
    path = base.path if base.path is not None else library_home() / "chroma"
    return StoreConfig(path=path, collection=EXAMPLE_COLLECTION)


def ensure_example_library(config: StoreConfig | None = None) -> StoreConfig:
    """Index the bundled example library into its own collection once; later calls only compare a content hash.

    When the examples change (a newer checkout), their collection is synced: edited files replace their
    chunks, removed files lose theirs, and unchanged chunks are not embedded again.
    """
    target = example_config(config)
    assert target.path is not None
    files = sorted(EXAMPLE_LIBRARY.glob("*.md")) if EXAMPLE_LIBRARY.is_dir() else []
    if not files:
        return target
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    marker = target.path / f"{EXAMPLE_COLLECTION}.sha256"
    if marker.is_file() and marker.read_text().strip() == digest.hexdigest():
        return target
    report = index_paths(files, target)
    LibraryStore.open(target, create=False).keep_only(report.incident_ids)
    marker.write_text(digest.hexdigest() + "\n")
    return target
