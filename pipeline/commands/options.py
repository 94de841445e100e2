"""Options more than one command takes, declared once as `Annotated` types, and the `--format` choices.

A command that takes `--store` or `--base-url` uses the type from here, so the flag, its help and its
default read the same in every command (and in docs/cli.md).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class DraftFormat(str, Enum):
    """What `draft` writes."""

    md = "md"
    json = "json"
    html = "html"


class ReportFormat(str, Enum):
    """What `similar`, `score` and `backfill` print."""

    text = "text"
    json = "json"


class CheckFormat(str, Enum):
    """What `check` prints: text for people, json for tools, sarif for code scanning, github for Actions, html for
    CI artifacts and e-mail."""

    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    html = "html"


class ScoreFormat(str, Enum):
    """What `score` prints: text, json, or a static HTML page (the reviewer's page's score panel)."""

    text = "text"
    json = "json"
    html = "html"


TimeZone = Annotated[Optional[str], typer.Option("--tz", help="IANA time zone for times without an offset.")]
BaseUrl = Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint for --llm.")]

Store = Annotated[
    Optional[Path],
    typer.Option(
        "--store", help="Embedded library directory (default: $POSTMORTEM_HOME/chroma, else the user data folder)."
    ),
]
ChromaUrl = Annotated[
    Optional[str],
    typer.Option(
        "--chroma-url",
        help="Shared Chroma server, e.g. http://chroma.internal:8000 (default: $POSTMORTEM_CHROMA_URL, else embedded).",
    ),
]
ChromaToken = Annotated[
    Optional[str],
    typer.Option(
        "--chroma-token",
        help="Token for the Chroma server, sent as a Bearer token (default: $POSTMORTEM_CHROMA_TOKEN).",
    ),
]
Embeddings = Annotated[
    Optional[str],
    typer.Option(
        "--embeddings", help="minilm (bundled, offline) or openai:MODEL (default: $POSTMORTEM_EMBEDDINGS, else minilm)."
    ),
]
EmbeddingsUrl = Annotated[
    Optional[str],
    typer.Option(
        "--embeddings-url",
        help="OpenAI-compatible server for openai:MODEL (default: $POSTMORTEM_EMBEDDINGS_URL, else $OPENAI_BASE_URL).",
    ),
]
