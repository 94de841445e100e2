"""`postmortem eval [DATASETS] [--llm MODEL]`: run the evals, write the report, apply the thresholds gate.

Exit codes: 0 report written and thresholds met, 1 a metric is outside its threshold, 2 bad input/config
(including --llm when the LLM engine is not installed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pipeline.cli import app, fail
from pipeline.errors import ConfigError, PipelineError

DEFAULT_DATASETS = Path("evals/datasets")
DEFAULT_REFERENCE = Path("../shared/corpus/postmortems")
DEFAULT_THRESHOLDS = Path("evals/thresholds.toml")


@app.command("eval")
def eval_run(
    datasets: Optional[list[Path]] = typer.Argument(None, help="Gold incident folders (default: evals/datasets)."),
    llm: Optional[str] = typer.Option(None, "--llm", help="Evaluate the LLM engine with this model instead."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint for --llm."),
    out: Path = typer.Option(Path("evals/reports"), "--out", help="Where the report goes."),
    name: Optional[str] = typer.Option(
        None, "--name", help="Report file stem: NAME.md, NAME.json, NAME.png (default: latest, or latest-llm with --llm)."
    ),
    thresholds: Optional[Path] = typer.Option(
        None, "--thresholds",
        help="Gate file (default: evals/thresholds.toml when present; it gates the offline engine, so --llm runs "
        "are gated only by an explicit --thresholds).",
    ),
    reference: Optional[Path] = typer.Option(
        None, "--reference", help="Human postmortems to compare with (default: ../shared/corpus/postmortems if present)."
    ),
    no_reference: bool = typer.Option(False, "--no-reference", help="Skip the human-corpus distribution."),
) -> None:
    """Measure a drafting engine on gold incidents: facts, recall, leaks, rubric, citations, time."""
    from pipeline.drafting import ENGINES
    from pipeline.evals.report import write_report
    from pipeline.evals.runner import check_thresholds, run_eval

    engine, options = "offline", None
    try:
        if llm is not None:
            if "llm" not in ENGINES:
                raise ConfigError("--llm", "the LLM engine is not available in this installation")
            from pipeline.drafting.llm_engine import choose_engine

            engine, options = choose_engine(llm, base_url=base_url)
        elif base_url is not None:
            raise ConfigError("--base-url", "--base-url needs a model: add --llm MODEL")
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
