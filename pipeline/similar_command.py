"""`postmortem index` and `postmortem similar`: parse options, call pipeline.similar, render, exit.

The library lives in the library home (`$POSTMORTEM_HOME/chroma`, else the user data folder; pipeline/home.py);
`--store` overrides it and `--chroma-url` (or `$POSTMORTEM_CHROMA_URL`) uses a shared Chroma server instead.
`similar` with nothing indexed yet searches the bundled example library, as `draft` does, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from pipeline.cli import app, fail
from pipeline.errors import ConfigError, PipelineError
from pipeline.models import SimilarIncident

_URL_HELP = "Shared Chroma server, e.g. http://chroma.internal:8000 (default: $POSTMORTEM_CHROMA_URL, else embedded)."
_TOKEN_HELP = "Token for the Chroma server, sent as a Bearer token (default: $POSTMORTEM_CHROMA_TOKEN)."
_STORE_HELP = "Embedded library directory (default: $POSTMORTEM_HOME/chroma, else the user data folder)."
_EMBEDDINGS_HELP = "minilm (bundled, offline) or openai:MODEL (default: $POSTMORTEM_EMBEDDINGS, else minilm)."
_EMBEDDINGS_URL_HELP = "OpenAI-compatible server for openai:MODEL (default: $POSTMORTEM_EMBEDDINGS_URL, else $OPENAI_BASE_URL)."


@app.command("index")
def similar_index(
    paths: list[Path] = typer.Argument(..., help="Markdown postmortems, draft.json files, or folders of them."),
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
    chroma_url: Optional[str] = typer.Option(None, "--chroma-url", help=_URL_HELP),
    chroma_token: Optional[str] = typer.Option(None, "--chroma-token", help=_TOKEN_HELP),
    embeddings: Optional[str] = typer.Option(None, "--embeddings", help=_EMBEDDINGS_HELP),
    embeddings_url: Optional[str] = typer.Option(None, "--embeddings-url", help=_EMBEDDINGS_URL_HELP),
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
        typer.echo(f"warning: {message}", err=True)
    counts = report.counts
    typer.echo(
        f"indexed {report.files} postmortems: {counts.added} chunks added, {counts.removed} removed, "
        f"{counts.unchanged} unchanged; library has {report.total_chunks} chunks ({config.describe()})"
    )


@app.command("similar")
def similar_search(
    text: Optional[str] = typer.Argument(None, help="Free-text description of the incident."),
    incident: Optional[Path] = typer.Option(None, "--incident", help="Incident directory to compare."),
    draft: Optional[Path] = typer.Option(None, "--draft", help="draft.json or markdown postmortem to compare."),
    k: int = typer.Option(5, "-k", min=1, max=50, help="How many past incidents to show."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
    window_days: int = typer.Option(90, "--window-days", min=0, help="Recurrence window in days."),
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
    chroma_url: Optional[str] = typer.Option(None, "--chroma-url", help=_URL_HELP),
    chroma_token: Optional[str] = typer.Option(None, "--chroma-token", help=_TOKEN_HELP),
    embeddings: Optional[str] = typer.Option(None, "--embeddings", help=_EMBEDDINGS_HELP),
    embeddings_url: Optional[str] = typer.Option(None, "--embeddings-url", help=_EMBEDDINGS_URL_HELP),
) -> None:
    """Find similar past incidents, each with the passage, service and terms that make it match."""
    from pipeline.similar.library import library_to_search, similar_to_draft, similar_to_incident, similar_to_text
    from pipeline.similar.store import StoreConfig

    if fmt not in {"text", "json"}:
        fail(ConfigError("--format", f"unknown format {fmt!r}; use text or json"))
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
    typer.echo(render_json(results) if fmt == "json" else render_text(results))


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
