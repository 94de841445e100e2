"""`postmortem eval [DATASETS] [--llm MODEL]`: run the evals, write the report, apply the thresholds gate.

Exit codes: 0 report written and thresholds met, 1 a metric is outside its threshold, 2 bad input/config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail
from pipeline.commands.options import BaseUrl
from pipeline.errors import PipelineError

DEFAULT_DATASETS = Path("evals/datasets")
DEFAULT_REFERENCE = Path("../shared/corpus/postmortems")
DEFAULT_THRESHOLDS = Path("evals/thresholds.toml")


def eval_run(
    datasets: Annotated[
        Optional[list[Path]], typer.Argument(help="Gold incident folders (default: evals/datasets).")
    ] = None,
    llm: Annotated[Optional[str], typer.Option("--llm", help="Evaluate the LLM engine with this model instead.")] = None,
    base_url: BaseUrl = None,
    out: Annotated[Path, typer.Option("--out", help="Where the report goes.")] = Path("evals/reports"),
    name: Annotated[
        Optional[str],
        typer.Option(
            "--name",
            help="Report file stem: NAME.md, NAME.json, NAME.png (default: latest, or latest-llm with --llm).",
        ),
    ] = None,
    thresholds: Annotated[
        Optional[Path],
        typer.Option(
            "--thresholds",
            help="Gate file (default: evals/thresholds.toml when present; it gates the offline engine, so --llm runs "
            "are gated only by an explicit --thresholds).",
        ),
    ] = None,
    reference: Annotated[
        Optional[Path],
        typer.Option(
            "--reference", help="Human postmortems to compare with (default: ../shared/corpus/postmortems if present)."
        ),
    ] = None,
    no_reference: Annotated[bool, typer.Option("--no-reference", help="Skip the human-corpus distribution.")] = False,
) -> None:
    """Measure a drafting engine on gold incidents: facts, recall, leaks, rubric, citations, time."""
    from pipeline.evals.report import write_report
    from pipeline.evals.runner import check_thresholds, run_eval
    from pipeline.llm import resolve_model_config

    engine, options = "offline", None
    try:
        # The offline engine is what eval measures unless a flag asks for a model: a model set in the
        # environment for drafting does not silently change what the thresholds gate.
        config = resolve_model_config(llm, base_url=base_url) if llm is not None or base_url is not None else None
        if config is not None:
            engine, options = "llm", {"config": config}
        if reference is None and not no_reference and DEFAULT_REFERENCE.is_dir():
            reference = DEFAULT_REFERENCE
        report = run_eval(datasets or [DEFAULT_DATASETS], engine=engine, engine_options=options,
                          reference=None if no_reference else reference)
        paths = write_report(report, out, name or ("latest-llm" if engine == "llm" else "latest"))
        gate = thresholds
        if gate is None and engine == "offline" and DEFAULT_THRESHOLDS.is_file():
            gate = DEFAULT_THRESHOLDS
        failures = check_thresholds(report, gate) if gate else []
    except PipelineError as error:
        fail(error)
    summary = report.summary
    typer.echo(
        f"{int(summary['incidents'])} incidents in {report.seconds:.1f} s: facts {summary['fact_accuracy']:.2f}, "
        f"factor recall {summary['factor_recall']:.2f}, action recall {summary['action_recall']:.2f}, "
        f"leaks {int(summary['leaks'])}, rubric {summary['rubric_score']:.1f}"
        + (f", calls {int(summary['calls'])}, tokens {int(summary['tokens'])}, fallbacks {int(summary['fallbacks'])}, "
           f"removed by verification {int(summary['removed_claims'])}" if engine == "llm" else "")
    )
    for path in paths:
        typer.echo(f"wrote {path}", err=True)
    for failure in failures:
        typer.echo(f"threshold: {failure}", err=True)
    if failures:
        raise typer.Exit(1)
