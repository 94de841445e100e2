"""`postmortem eval [DATASETS] [--llm MODEL]`: run the evals, write the report, apply the thresholds gate.

Exit codes: 0 report written and thresholds met, 1 a metric is outside its threshold, 2 bad input/config
(including --llm when the LLM engine is not installed).

The gold datasets live in the repository, not in the installed package, so DATASETS is required. Every
other default is found from the datasets, never from the current directory: the eval folder is the nearest
folder at or above the first dataset that holds `thresholds.toml` (`evals/` in a checkout); reports go to
its `reports/`, its `thresholds.toml` gates the offline engine, and the human reference corpus is
`../shared/corpus/postmortems` beside the checkout when present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pipeline.cli import app, fail
from pipeline.errors import ConfigError, PipelineError

THRESHOLDS_FILE = "thresholds.toml"
REFERENCE_FROM_CHECKOUT = Path("..", "shared", "corpus", "postmortems")


def eval_folder(dataset: Path) -> Path:
    """The nearest folder at or above `dataset` holding thresholds.toml, else the dataset's parent."""
    start = dataset.resolve()
    for candidate in (start, *start.parents):
        if (candidate / THRESHOLDS_FILE).is_file():
            return candidate
    return start.parent


@app.command("eval")
def eval_run(
    datasets: Optional[list[Path]] = typer.Argument(None, help="Gold incident folders, e.g. evals/datasets in a checkout."),
    llm: Optional[str] = typer.Option(None, "--llm", help="Evaluate the LLM engine with this model instead."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint for --llm."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where the report goes (default: reports/ in the eval folder)."),
    name: Optional[str] = typer.Option(
        None, "--name", help="Report file stem: NAME.md, NAME.json, NAME.png (default: latest, or latest-llm with --llm)."
    ),
    thresholds: Optional[Path] = typer.Option(
        None, "--thresholds",
        help="Gate file (default: the eval folder's thresholds.toml; it gates the offline engine, so --llm runs "
        "are gated only by an explicit --thresholds).",
    ),
    reference: Optional[Path] = typer.Option(
        None, "--reference",
        help="Human postmortems to compare with (default: ../shared/corpus/postmortems beside the checkout, if present).",
    ),
    no_reference: bool = typer.Option(False, "--no-reference", help="Skip the human-corpus distribution."),
) -> None:
    """Measure a drafting engine on gold incidents: facts, recall, leaks, rubric, citations, time."""
    from pipeline.drafting import ENGINES
    from pipeline.evals.report import write_report
    from pipeline.evals.runner import check_thresholds, run_eval

    engine, options = "offline", None
    try:
        if not datasets:
            raise ConfigError("eval", "give the gold incident folders to evaluate, e.g. "
                              "postmortem eval evals/datasets in a checkout of the repository")
        home = eval_folder(datasets[0])
        default_reference = home.parent / REFERENCE_FROM_CHECKOUT
        if llm is not None:
            if "llm" not in ENGINES:
                raise ConfigError("--llm", "the LLM engine is not available in this installation")
            from pipeline.drafting.llm_engine import choose_engine

            engine, options = choose_engine(llm, base_url=base_url)
        elif base_url is not None:
            raise ConfigError("--base-url", "--base-url needs a model: add --llm MODEL")
        if reference is None and not no_reference and default_reference.is_dir():
            reference = default_reference
        report = run_eval(datasets, engine=engine, engine_options=options,
                          reference=None if no_reference else reference)
        paths = write_report(report, out or home / "reports", name or ("latest-llm" if engine == "llm" else "latest"))
        gate = thresholds
        if gate is None and engine == "offline" and (home / THRESHOLDS_FILE).is_file():
            gate = home / THRESHOLDS_FILE
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
