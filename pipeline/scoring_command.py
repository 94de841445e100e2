"""`postmortem score FILE [--incident DIR]`: parse options, call pipeline.scoring, render, exit.

Exit codes: 0 scored (1 when --fail-under is given and the score is below it), 2 bad input or rubric.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pipeline.cli import app, fail
from pipeline.errors import ConfigError, PipelineError


@app.command("score")
def scoring_score(
    file: Path = typer.Argument(..., help="A postmortem in markdown (ours or human-written, any layout)."),
    incident: Optional[Path] = typer.Option(
        None, "--incident", help="Incident directory: also check the timeline against its lock and faithfulness."
    ),
    fmt: str = typer.Option("text", "--format", help="text or json."),
    rubric: Optional[Path] = typer.Option(None, "--rubric", help="A rubric YAML (default: the bundled one)."),
    fail_under: Optional[float] = typer.Option(None, "--fail-under", help="Exit 1 when the score is below this."),
) -> None:
    """Score a postmortem against the template: 0-100 and a per-criterion table with reasons."""
    from pipeline.scoring import load_rubric, render_score_text, score_file

    if fmt not in {"text", "json"}:
        fail(ConfigError("--format", f"unknown format {fmt!r}; use text or json"))
    try:
        result = score_file(file, incident=incident, rubric=load_rubric(rubric))
    except PipelineError as error:
        fail(error)
    typer.echo(result.model_dump_json(indent=2) if fmt == "json" else render_score_text(result), nl=fmt == "json")
    if fail_under is not None and result.score < fail_under:
        raise typer.Exit(1)
