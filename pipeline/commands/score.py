"""`postmortem score FILE [--incident DIR]`: parse options, call pipeline.scoring, render, exit.

Two scores: substance (the headline) and conformance. `--fail-under 60` gates substance,
`--fail-under conformance=80` conformance; the option repeats to gate both.
Exit codes: 0 scored (1 when a --fail-under bound is not met), 2 bad input, rubric or bound.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail
from pipeline.commands.options import ScoreFormat
from pipeline.errors import PipelineError


def scoring_score(
    file: Annotated[Path, typer.Argument(help="A postmortem in markdown (ours or human-written, any layout).")],
    incident: Annotated[
        Optional[Path],
        typer.Option(
            "--incident", help="Incident directory: also check the timeline against its lock and faithfulness."
        ),
    ] = None,
    fmt: Annotated[
        ScoreFormat, typer.Option("--format", help="text, json, or html (a static page).")
    ] = ScoreFormat.text,
    rubric: Annotated[
        Optional[Path], typer.Option("--rubric", help="A conformance rubric YAML (default: the bundled one).")
    ] = None,
    substance: Annotated[
        Optional[Path], typer.Option("--substance", help="A substance rubric YAML (default: the bundled one).")
    ] = None,
    fail_under: Annotated[
        Optional[list[str]],
        typer.Option(
            "--fail-under",
            help="Exit 1 below this: 60 (substance), substance=60 or conformance=80; repeat to gate both.",
        ),
    ] = None,
) -> None:
    """Score a postmortem: substance (what a reviewer looks for) beside conformance (the template's form)."""
    from pipeline.scoring import load_rubric, parse_bound, render_score_text, score_file

    try:
        bounds = [parse_bound(text) for text in fail_under or []]
        result = score_file(file, incident=incident, rubric=load_rubric(rubric, substance))
    except PipelineError as error:
        fail(error)
    if fmt is ScoreFormat.html:
        from pipeline.review.page import render_score_html

        typer.echo(render_score_html(result), nl=False)
    else:
        as_json = fmt is ScoreFormat.json
        typer.echo(result.model_dump_json(indent=2) if as_json else render_score_text(result), nl=as_json)
    below = [f"{kind} {result.value(kind):.1f} < {bound:g}" for kind, bound in bounds if result.value(kind) < bound]
    if below:
        typer.echo(f"below --fail-under: {'; '.join(below)}", err=True)
        raise typer.Exit(1)
