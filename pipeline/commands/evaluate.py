"""`postmortem eval [DATASETS] [--llm MODEL]`: run the evals, write the report, apply the thresholds gate.

Exit codes: 0 report written and thresholds met, 1 a metric is outside its threshold, 2 bad input/config.

The gold datasets live in the repository, not in the installed package, so DATASETS is required. Every
other default is found from the datasets, never from the current directory: the eval folder is the nearest
folder at or above the first dataset that holds `thresholds.toml` (`evals/` in a checkout); reports go to
its `reports/`, its `thresholds.toml` gates the offline engine, and the human reference corpus is
`../shared/corpus/postmortems` beside the checkout when present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail
from pipeline.commands.options import BaseUrl
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


def eval_run(
    datasets: Annotated[
        Optional[list[Path]], typer.Argument(help="Gold incident folders, e.g. evals/datasets in a checkout.")
    ] = None,
    llm: Annotated[
        Optional[str], typer.Option("--llm", help="Evaluate the LLM engine with this model instead.")
    ] = None,
    base_url: BaseUrl = None,
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Where the report goes (default: reports/ in the eval folder).")
    ] = None,
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
            help="Gate file (default: the eval folder's thresholds.toml; it gates the offline engine, so --llm runs "
            "are gated only by an explicit --thresholds).",
        ),
    ] = None,
    reference: Annotated[
        Optional[Path],
        typer.Option(
            "--reference",
            help="Human postmortems to compare with (default: ../shared/corpus/postmortems beside the checkout, if present).",
        ),
    ] = None,
    no_reference: Annotated[bool, typer.Option("--no-reference", help="Skip the human-corpus distribution.")] = False,
    reviews: Annotated[
        Optional[list[Path]],
        typer.Option(
            "--reviews",
            help="Instead: acceptance rates of reviewers' decisions per section and engine, from the review.jsonl "
            "files in these folders (repeatable; `postmortem review` writes them).",
        ),
    ] = None,
) -> None:
    """Measure a drafting engine on gold incidents: facts, recall, leaks, rubric, citations, time."""
    if reviews:
        review_rates([*reviews, *(datasets or [])])  # `--reviews A B`: B arrives as a dataset argument
        return
    from pipeline.evals.report import write_report
    from pipeline.evals.runner import check_thresholds, run_eval
    from pipeline.llm import resolve_model_config

    engine, options = "offline", None
    try:
        if not datasets:
            raise ConfigError(
                "eval",
                "give the gold incident folders to evaluate, e.g. "
                "postmortem eval evals/datasets in a checkout of the repository",
            )
        home = eval_folder(datasets[0])
        default_reference = home.parent / REFERENCE_FROM_CHECKOUT
        # The offline engine is what eval measures unless a flag asks for a model: a model set in the
        # environment for drafting does not silently change what the thresholds gate.
        config = resolve_model_config(llm, base_url=base_url) if llm is not None or base_url is not None else None
        if config is not None:
            engine, options = "llm", {"config": config}
        if reference is None and not no_reference and default_reference.is_dir():
            reference = default_reference
        report = run_eval(
            datasets, engine=engine, engine_options=options, reference=None if no_reference else reference
        )
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
        f"factors recall {summary['factor_recall']:.2f} precision {summary['factor_precision']:.2f}, "
        f"actions recall {summary['action_recall']:.2f} precision {summary['action_precision']:.2f}, "
        f"roles recall {summary['role_recall']:.2f} precision {summary['role_precision']:.2f}, "
        f"junk {summary['junk_rate']:.2f}, leaks {int(summary['leaks'])}, refused {int(summary['refused'])}, "
        f"substance {summary['substance_score']:.1f}, conformance {summary['conformance_score']:.1f}"
        + (
            f", calls {int(summary['calls'])}, tokens {int(summary['tokens'])}, fallbacks {int(summary['fallbacks'])}, "
            f"removed by verification {int(summary['removed_claims'])}"
            if engine == "llm"
            else ""
        )
    )
    for path in paths:
        typer.echo(f"wrote {path}", err=True)
    for failure in failures:
        typer.echo(f"threshold: {failure}", err=True)
    if failures:
        raise typer.Exit(1)


def review_rates(folders: list[Path]) -> None:
    """`eval --reviews DIR...`: how many proposed rewrites reviewers accepted as they were, per section and engine."""
    from pipeline.review.decisions import acceptance_rates, read_decisions, render_acceptance, review_logs

    try:
        logs = review_logs(folders)
        decisions = [decision for log in logs for decision in read_decisions(log)]
    except PipelineError as error:
        fail(error)
    typer.echo(render_acceptance(acceptance_rates(decisions), len(logs)), nl=False)
