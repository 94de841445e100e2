"""Run an engine over every gold incident, aggregate the metrics, compare with thresholds and the human corpus."""

from __future__ import annotations

import statistics
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pipeline.errors import ConfigError, InputError, PipelineError
from pipeline.evals.gold import Gold, load_gold
from pipeline.evals.metrics import MATCH_THRESHOLD, IncidentResult, evaluate_incident

MEAN_METRICS = (
    "fact_accuracy",
    "time_accuracy",
    "duration_accuracy",
    "role_recall",
    "role_precision",
    "factor_recall",
    "factor_precision",
    "action_recall",
    "action_precision",
    "substance_score",
    "conformance_score",
    "grounded_claims",
)


class Distribution(BaseModel):
    """One score over a set of documents, sorted, with its median and quartiles."""

    scores: list[float]
    median: float
    p25: float
    p75: float

    @classmethod
    def of(cls, values: list[float]) -> Distribution:
        values = sorted(values)
        quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
        return cls(
            scores=values, median=statistics.median(values), p25=round(quartiles[0], 1), p75=round(quartiles[2], 1)
        )


class Reference(BaseModel):
    """Both scores of human-written postmortems: the distributions our drafts are shown beside."""

    source: str
    files: int
    substance: Distribution
    conformance: Distribution
    by_file: dict[str, tuple[float, float]] = Field(description="File name to (substance, conformance).")
    criterion_pass_rates: dict[str, float]
    seconds: float


class EvalReport(BaseModel):
    generated_at: datetime
    engine: str
    model: str | None = Field(default=None, description="The model name for the LLM engine.")
    match_threshold: float = MATCH_THRESHOLD
    incidents: list[IncidentResult]
    summary: dict[str, float] = Field(description="Aggregates the thresholds gate on.")
    criterion_pass_rates: dict[str, float]
    reference: Reference | None = None
    seconds: float


def find_datasets(paths: list[Path]) -> list[Path]:
    """Incident directories holding a gold.json: each path itself, or its sub-directories."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            raise InputError(path, "dataset directory not found", hint="pass evals/datasets or one incident in it")
        if (path / "gold.json").is_file():
            found.append(path)
        else:
            found += sorted(child for child in path.iterdir() if (child / "gold.json").is_file())
    if not found:
        raise InputError(paths[0] if paths else ".", "no gold incidents found (no gold.json)")
    return found


def run_eval(
    datasets: list[Path],
    *,
    engine: str = "offline",
    engine_options: dict[str, Any] | None = None,
    reference: Path | None = None,
) -> EvalReport:
    """Evaluate every gold incident under `datasets`; score the human corpus at `reference` when given."""
    started = time.perf_counter()
    results = [
        evaluate_or_refused(directory, load_gold(directory), engine=engine, engine_options=engine_options)
        for directory in find_datasets(datasets)
    ]
    summary = summarize(results)
    criteria = sorted({cid for result in results for cid in result.rubric})
    pass_rates = {cid: round(sum(r.rubric.get(cid) == "pass" for r in results) / len(results), 3) for cid in criteria}
    ref = reference_distribution(reference) if reference is not None else None
    return EvalReport(
        generated_at=datetime.now(UTC).replace(microsecond=0),
        engine=engine,
        model=getattr((engine_options or {}).get("config"), "model", None),
        incidents=results,
        summary=summary,
        criterion_pass_rates=pass_rates,
        reference=ref,
        seconds=round(time.perf_counter() - started, 2),
    )


def evaluate_or_refused(
    directory: Path, gold: Gold, *, engine: str, engine_options: dict[str, Any] | None
) -> IncidentResult:
    """The incident's result; a bundle the drafter refuses (bad input) scores zero instead of ending the run,
    so one refusal on unseen data is counted, not hidden behind a crash."""
    try:
        return evaluate_incident(directory, gold, engine=engine, engine_options=engine_options)
    except PipelineError as error:
        zero = dict.fromkeys(MEAN_METRICS, 0.0)
        return IncidentResult(
            name=directory.name,
            engine=engine,
            seconds=0.0,
            severity_ok=False,
            checks=[],
            factor_matches=[],
            action_matches=[],
            leaks=[],
            rubric={},
            citation_validity=None,
            refused=str(error),
            **zero,
        )


def summarize(results: list[IncidentResult]) -> dict[str, float]:
    """Means over incidents, plus severity accuracy, leak counts, citation validity, run time, calls, tokens."""
    summary = {name: round(statistics.fmean(getattr(r, name) for r in results), 3) for name in MEAN_METRICS}
    citations = [r.citation_validity for r in results if r.citation_validity is not None]
    summary.update(
        incidents=len(results),
        severity_accuracy=round(sum(r.severity_ok for r in results) / len(results), 3),
        substance_score_min=min(r.substance_score for r in results),
        conformance_score_min=min(r.conformance_score for r in results),
        citation_validity=round(statistics.fmean(citations), 3) if citations else 1.0,
        junk_rate=round(sum(len(r.junk) for r in results) / max(1, sum(r.drafted for r in results)), 3),
        refused=sum(r.refused is not None for r in results),
        leaks=sum(len(r.leaks) for r in results),
        leak_free=round(sum(not r.leaks for r in results) / len(results), 3),
        draft_seconds_total=round(sum(r.seconds for r in results), 3),
        draft_seconds_max=max(r.seconds for r in results),
        calls=sum(r.calls for r in results),
        tokens=sum(r.tokens for r in results),
        fallbacks=sum(r.fallback for r in results),
        removed_claims=sum(r.removed for r in results),
    )
    return summary


def reference_distribution(corpus: Path) -> Reference:
    """Score every markdown postmortem under `corpus`, both scores (no incident: human work)."""
    from pipeline.scoring import load_rubric, score_file

    started = time.perf_counter()
    files = sorted(corpus.glob("*.md"))
    if not files:
        raise InputError(corpus, "no markdown postmortems found for the reference distribution")
    rubric = load_rubric()
    scores = [score_file(path, rubric=rubric) for path in files]
    criteria = [c.id for c in scores[0].criteria]
    rates = {}
    for cid in criteria:
        applied = [c for s in scores for c in s.criteria if c.id == cid and c.status != "skipped"]
        rates[cid] = round(sum(c.status == "pass" for c in applied) / len(applied), 3) if applied else float("nan")
    return Reference(
        source=str(corpus),
        files=len(files),
        substance=Distribution.of([s.substance for s in scores]),
        conformance=Distribution.of([s.conformance for s in scores]),
        by_file={path.name: (s.substance, s.conformance) for path, s in zip(files, scores)},
        criterion_pass_rates=rates,
        seconds=round(time.perf_counter() - started, 2),
    )


def load_thresholds(path: Path) -> dict[str, dict[str, float]]:
    """`[min]` and `[max]` tables of summary metric names to bounds; unknown tables are a ConfigError."""
    from pipeline.ingest.files import read_text

    try:
        data = tomllib.loads(read_text(path, what="thresholds"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from exc
    unknown = set(data) - {"min", "max"}
    if unknown:
        raise ConfigError(path, f"unknown table [{sorted(unknown)[0]}]; use [min] and [max]")
    return {"min": data.get("min", {}), "max": data.get("max", {})}


def check_thresholds(report: EvalReport, path: Path) -> list[str]:
    """Every metric outside its bound, as a sentence; empty when the gate passes."""
    bounds = load_thresholds(path)
    failures = []
    for kind, table in bounds.items():
        for name, bound in table.items():
            if name not in report.summary:
                raise ConfigError(path, f"unknown metric {name!r}; known: {', '.join(sorted(report.summary))}")
            value = report.summary[name]
            if (kind == "min" and value < bound) or (kind == "max" and value > bound):
                word = "below its minimum" if kind == "min" else "above its maximum"
                failures.append(f"{name} = {value} is {word} {bound}")
    return failures
