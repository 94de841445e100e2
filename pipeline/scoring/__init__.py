"""Score any postmortem against the template: a 0-100 score and a per-criterion table with reasons.

Public API:
    load_rubric(path=None) -> Rubric
    score_text(text, *, path="-", incident=None, rubric=None) -> Score
    score_file(path, *, incident=None, rubric=None) -> Score
    render_score_text(score) -> str

Criteria are data (`pipeline/data/rubric.yaml`: ids, weights, section synonyms, header labels) and each
is judged by one function in `criteria.py`. Works on our drafts and on human postmortems of any layout.
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

class Rubric:
    """The rubric file, compiled: section specs, header-field patterns and weighted criteria."""

    def __init__(self, parsed: RubricFile, path: Path):
        unknown = [c.id for c in parsed.criteria if c.id not in CRITERIA]
        if unknown:
            raise ConfigError(path, f"unknown criterion {unknown[0]!r}; known: {', '.join(CRITERIA)}")
        self.path = path
        self.criteria = parsed.criteria
        self.summary_words = parsed.limits.summary_words
        self.sections: list[SectionSpec] = section_specs([s.model_dump() for s in parsed.sections])
        self.fields = field_patterns(parsed.fields)


class CriterionResult(BaseModel):
    id: str
    weight: float
    status: Literal["pass", "fail", "skipped"]
    credit: float | None = Field(description="0..1 share of the criterion met; None when skipped.")
    reason: str
    line: int | None = None
    description: str = ""


class Score(BaseModel):
    file: str
    incident: str | None = None
    score: float = Field(description="0-100: weighted mean credit of the criteria that apply.")
    passed: int
    failed: int
    skipped: int
    criteria: list[CriterionResult]


def load_rubric(path: Path | None = None) -> Rubric:
    """Load and validate a rubric file (the bundled one by default); ConfigError names the problem."""
    path = path or bundled("rubric.yaml")
    return _load_rubric(path.resolve())


@lru_cache(maxsize=4)
def _load_rubric(path: Path) -> Rubric:
    return Rubric(load_rubric_file(path), path)


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
    ctx = Context(text=text, path=path, layout=layout, specs=rubric.sections, sources=sources,
                  summary_words=rubric.summary_words)
    results = []
    for spec in rubric.criteria:
        outcome = CRITERIA[spec.id](ctx)
        status = "skipped" if outcome.credit is None else "pass" if outcome.credit >= 1.0 else "fail"
        results.append(
            CriterionResult(
                id=spec.id, weight=spec.weight, status=status,
                credit=None if outcome.credit is None else round(outcome.credit, 3),
                reason=outcome.reason, line=outcome.line, description=spec.description,
            )
        )
    applied = [r for r in results if r.credit is not None]
    total = sum(r.weight for r in applied)
    value = 100 * sum(r.weight * r.credit for r in applied) / total if total else 0.0
    return Score(
        file=path,
        incident=sources.directory if sources else None,
        score=round(value, 1),
        passed=sum(r.status == "pass" for r in results),
        failed=sum(r.status == "fail" for r in results),
        skipped=sum(r.status == "skipped" for r in results),
        criteria=results,
    )


def score_file(path: Path, *, incident: Path | IncidentSources | None = None, rubric: Rubric | None = None) -> Score:
    """Score a markdown file; unreadable input is an InputError naming the file."""
    from pipeline.ingest.files import read_text

    return score_text(read_text(path, what="postmortem"), path=str(path), incident=incident, rubric=rubric)


def render_score_text(score: Score) -> str:
    """The per-criterion table a reviewer reads in the terminal."""
    rows = [(r.status.upper(), r.id, f"{r.weight:g}", "-" if r.credit is None else f"{r.credit:.2f}",
             f"line {r.line}" if r.line else "", r.reason) for r in score.criteria]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    head = f"{score.file}: {score.score:.1f}/100 ({score.passed} passed, {score.failed} failed, {score.skipped} skipped)"
    if score.incident:
        head += f"\nincident: {score.incident}"
    lines = [head]
    for row in rows:
        lines.append("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
    return "\n".join(lines) + "\n"
