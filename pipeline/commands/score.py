"""`postmortem score FILE [--incident DIR]`: parse options, call pipeline.scoring, render, exit.

Exit codes: 0 scored (1 when --fail-under is given and the score is below it), 2 bad input or rubric.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail
from pipeline.commands.options import ReportFormat
from pipeline.errors import PipelineError


def scoring_score(
    file: Annotated[Path, typer.Argument(help="A postmortem in markdown (ours or human-written, any layout).")],
    incident: Annotated[
        Optional[Path],
        typer.Option("--incident", help="Incident directory: also check the timeline against its lock and faithfulness."),
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="text or json.")] = ReportFormat.text,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", help="A rubric YAML (default: the bundled one).")] = None,
    fail_under: Annotated[
        Optional[float], typer.Option("--fail-under", help="Exit 1 when the score is below this.")
    ] = None,
) -> None:
    """Score a postmortem against the template: 0-100 and a per-criterion table with reasons."""
    from pipeline.scoring import load_rubric, render_score_text, score_file

    try:
        result = score_file(file, incident=incident, rubric=load_rubric(rubric))
    except PipelineError as error:
        fail(error)
    as_json = fmt is ReportFormat.json
    typer.echo(result.model_dump_json(indent=2) if as_json else render_score_text(result), nl=as_json)
    if fail_under is not None and result.score < fail_under:
        raise typer.Exit(1)
