"""`postmortem index` and `postmortem similar`: parse options, call pipeline.similar, render, exit.

The library lives in the library home (`$POSTMORTEM_HOME/chroma`, else the user data folder; pipeline/home.py);
`--store` overrides it and `--chroma-url` (or `$POSTMORTEM_CHROMA_URL`) uses a shared Chroma server instead.
`similar` with nothing indexed yet searches the bundled example library, as `draft` does, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail, warn
from pipeline.commands.options import (
    ChromaToken,
    ChromaUrl,
    Embeddings,
    EmbeddingsUrl,
    ReportFormat,
    Store,
)
from pipeline.errors import ConfigError, PipelineError
from pipeline.models import SimilarIncident


def similar_index(
    paths: Annotated[list[Path], typer.Argument(help="Markdown postmortems, draft.json files, or folders of them.")],
    store: Store = None,
    chroma_url: ChromaUrl = None,
    chroma_token: ChromaToken = None,
    embeddings: Embeddings = None,
    embeddings_url: EmbeddingsUrl = None,
) -> None:
    """Add postmortems to the similar-incidents library (re-indexing an unchanged file changes nothing)."""
    from pipeline.similar.library import index_paths
    from pipeline.similar.store import StoreConfig

    try:
        config = StoreConfig.resolve(
            path=store, url=chroma_url, token=chroma_token, embeddings=embeddings, embeddings_url=embeddings_url
        )
        report = index_paths(paths, config)
    except PipelineError as error:
        fail(error)
    for message in report.skipped:
        warn(message)
    counts = report.counts
    typer.echo(
        f"indexed {report.files} postmortems: {counts.added} chunks added, {counts.removed} removed, "
        f"{counts.unchanged} unchanged; library has {report.total_chunks} chunks ({config.describe()})"
    )


def similar_search(
    text: Annotated[Optional[str], typer.Argument(help="Free-text description of the incident.")] = None,
    incident: Annotated[Optional[Path], typer.Option("--incident", help="Incident directory to compare.")] = None,
    draft: Annotated[
        Optional[Path], typer.Option("--draft", help="draft.json or markdown postmortem to compare.")
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many past incidents to show.")] = 5,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="text or json.")] = ReportFormat.text,
    window_days: Annotated[int, typer.Option("--window-days", min=0, help="Recurrence window in days.")] = 90,
    store: Store = None,
    chroma_url: ChromaUrl = None,
    chroma_token: ChromaToken = None,
    embeddings: Embeddings = None,
    embeddings_url: EmbeddingsUrl = None,
) -> None:
    """Find similar past incidents, each with the passage, service and terms that make it match."""
    from pipeline.similar.library import library_to_search, similar_to_draft, similar_to_incident, similar_to_text
    from pipeline.similar.store import StoreConfig

    if sum(x is not None for x in (text, incident, draft)) != 1:
        fail(ConfigError("similar", 'give exactly one of: "free text", --incident DIR, --draft FILE'))
    try:
        config = StoreConfig.resolve(
            path=store, url=chroma_url, token=chroma_token, embeddings=embeddings, embeddings_url=embeddings_url
        )
        if store is None:
            searched, library = library_to_search(config)
            if searched is not config:
                typer.echo(f"notice: nothing indexed yet at {config.describe()}; searching {library}", err=True)
            config = searched
        options = {"k": k, "config": config, "window_days": window_days}
        if incident is not None:
            results = similar_to_incident(incident, **options)
        elif draft is not None:
            results = similar_to_draft(draft, **options)
        else:
            results = similar_to_text(text or "", **options)
    except PipelineError as error:
        fail(error)
    typer.echo(render_json(results) if fmt is ReportFormat.json else render_text(results))


def render_text(results: list[SimilarIncident]) -> str:
    """One block per incident: rank, id, title, score and date, then the reasons a reviewer can check."""
    if not results:
        return "no similar past incidents found"
    blocks = []
    for rank, item in enumerate(results, start=1):
        header = f"{rank}. {item.incident_id}  {item.title}"
        details = [f"score {item.score:.2f}"]
        details += [d for d in (item.date.isoformat() if item.date else "", item.severity or "") if d]
        if item.recurrence:
            details.append("POSSIBLE RECURRENCE")
        lines = [f"{header}  ({', '.join(details)})"]
        lines.append(f'   matched {item.matched_section or "passage"}: "{item.matched_passage}"')
        for label, values in (
            ("same service", item.shared_services),
            ("shared trigger", item.shared_triggers),
            ("shared factor", item.shared_factors),
        ):
            if values:
                lines.append(f"   {label}: {', '.join(values)}")
        if item.source:
            lines.append(f"   source: {item.source}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_json(results: list[SimilarIncident]) -> str:
    return json.dumps([item.model_dump(mode="json") for item in results], indent=2)
