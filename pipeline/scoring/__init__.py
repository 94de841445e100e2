"""Score any postmortem twice: substance (what a reviewer looks for) and conformance (the template's form).

Public API:
    load_rubric(path=None, substance=None) -> Rubric
    score_text(text, *, path="-", incident=None, rubric=None) -> Score
    score_file(path, *, incident=None, rubric=None) -> Score
    render_score_text(score) -> str

Substance is the headline: the summary tells the story, the impact is quantified, the timeline has the key
moments, factors are statements about the system, the causes go deeper, the actions are specific (data:
`pipeline/data/substance.yaml`, judged in `substance.py`). Conformance is the template's form (data:
`pipeline/data/rubric.yaml`, judged in `criteria.py`). Both work on our drafts and on human postmortems of
any layout; docs/score.md explains them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from pipeline.datafiles import RubricFile, bundled, load_rubric_file
from pipeline.errors import ConfigError
from pipeline.scoring.criteria import CRITERIA, Context
from pipeline.scoring.layout import SectionSpec, field_patterns, parse_layout, section_specs
from pipeline.scoring.sources import IncidentSources, load_sources
from pipeline.scoring.substance import SUBSTANCE_CRITERIA, Vocabulary, load_vocabulary, read_document

ScoreKind = Literal["substance", "conformance"]
SCORE_KINDS: tuple[ScoreKind, ...] = ("substance", "conformance")


class Rubric:
    """Both rubric files, compiled: section specs, header-field patterns, weighted criteria of each score."""

    def __init__(self, parsed: RubricFile, path: Path, substance: Vocabulary):
        unknown = [c.id for c in parsed.criteria if c.id not in CRITERIA]
        if unknown:
            raise ConfigError(path, f"unknown criterion {unknown[0]!r}; known: {', '.join(CRITERIA)}")
        self.path = path
        self.criteria = parsed.criteria
        self.summary_words = parsed.limits.summary_words
        self.sections: list[SectionSpec] = section_specs([s.model_dump() for s in parsed.sections])
        self.fields = field_patterns(parsed.fields)
        self.substance = substance


class CriterionResult(BaseModel):
    id: str
    score: ScoreKind = "conformance"
    weight: float
    status: Literal["pass", "fail", "skipped"]
    credit: float | None = Field(description="0..1 share of the criterion met; None when skipped.")
    reason: str
    line: int | None = None
    description: str = ""


class Score(BaseModel):
    file: str
    incident: str | None = None
    substance: float = Field(description="The headline, 0-100: what a reviewer looks for (substance.yaml).")
    conformance: float = Field(description="0-100: the template's form (rubric.yaml), shown beside substance.")
    passed: int
    failed: int
    skipped: int
    criteria: list[CriterionResult]

    def value(self, kind: ScoreKind) -> float:
        return self.substance if kind == "substance" else self.conformance


def load_rubric(path: Path | None = None, substance: Path | None = None) -> Rubric:
    """Load and validate the rubric files (the bundled ones by default); ConfigError names the problem."""
    path = path or bundled("rubric.yaml")
    return _load_rubric(path.resolve(), load_vocabulary(substance))


@lru_cache(maxsize=4)
def _load_rubric(path: Path, substance: Vocabulary) -> Rubric:
    return Rubric(load_rubric_file(path), path, substance)


def score_text(
    text: str,
    *,
    path: str = "-",
    incident: Path | IncidentSources | None = None,
    rubric: Rubric | None = None,
) -> Score:
    """Score one postmortem's markdown; `incident` (a directory) enables the timeline and faithfulness checks."""
    rubric = rubric or load_rubric()
    sources = load_sources(incident) if isinstance(incident, Path) else incident
    layout = parse_layout(text, rubric.sections, rubric.fields)
    ctx = Context(
        text=text, path=path, layout=layout, specs=rubric.sections, sources=sources, summary_words=rubric.summary_words
    )
    document = read_document(ctx, rubric.substance)
    results = [_result(spec, "substance", SUBSTANCE_CRITERIA[spec.id](document)) for spec in rubric.substance.criteria]
    results += [_result(spec, "conformance", CRITERIA[spec.id](ctx)) for spec in rubric.criteria]
    return Score(
        file=path,
        incident=sources.directory if sources else None,
        substance=_weighted(results, "substance"),
        conformance=_weighted(results, "conformance"),
        passed=sum(r.status == "pass" for r in results),
        failed=sum(r.status == "fail" for r in results),
        skipped=sum(r.status == "skipped" for r in results),
        criteria=results,
    )


def _result(spec, kind: ScoreKind, outcome) -> CriterionResult:
    status = "skipped" if outcome.credit is None else "pass" if outcome.credit >= 1.0 else "fail"
    return CriterionResult(
        id=spec.id,
        score=kind,
        weight=spec.weight,
        status=status,
        credit=None if outcome.credit is None else round(outcome.credit, 3),
        reason=outcome.reason,
        line=outcome.line,
        description=spec.description,
    )


def _weighted(results: list[CriterionResult], kind: ScoreKind) -> float:
    """0-100: the weighted mean credit of one score's criteria that apply."""
    applied = [r for r in results if r.score == kind and r.credit is not None]
    total = sum(r.weight for r in applied)
    return round(100 * sum(r.weight * r.credit for r in applied) / total, 1) if total else 0.0


def score_file(path: Path, *, incident: Path | IncidentSources | None = None, rubric: Rubric | None = None) -> Score:
    """Score a markdown file; unreadable input is an InputError naming the file."""
    from pipeline.ingest.files import read_text

    return score_text(read_text(path, what="postmortem"), path=str(path), incident=incident, rubric=rubric)


def parse_bound(text: str) -> tuple[ScoreKind, float]:
    """A `--fail-under` value: `60` gates substance (the headline), `conformance=80` names the score."""
    from pipeline.errors import InputError

    kind, _, number = text.rpartition("=")
    kind = kind.strip().lower() or "substance"
    try:
        bound = float(number)
    except ValueError:
        bound = -1.0
    if kind not in SCORE_KINDS or not 0 <= bound <= 100:
        raise InputError(
            "--fail-under",
            f"{text!r} is not a bound",
            hint="give 0-100 for substance, or substance=60 / conformance=80",
        )
    return kind, bound  # type: ignore[return-value]


def render_score_text(score: Score) -> str:
    """The headline (substance, conformance beside it) and one per-criterion table per score."""
    rows = [
        (
            r.status.upper(),
            r.id,
            f"{r.weight:g}",
            "-" if r.credit is None else f"{r.credit:.2f}",
            f"line {r.line}" if r.line else "",
            r.reason,
        )
        for r in score.criteria
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    head = (
        f"{score.file}: substance {score.substance:.1f}/100, conformance {score.conformance:.1f}/100 "
        f"({score.passed} passed, {score.failed} failed, {score.skipped} skipped)"
    )
    if score.incident:
        head += f"\nincident: {score.incident}"
    lines = [head]
    for kind in SCORE_KINDS:
        lines.append(f"{kind}:")
        for result, row in zip(score.criteria, rows):
            if result.score == kind:
                lines.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
    return "\n".join(lines) + "\n"
