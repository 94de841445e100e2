"""One gold incident, one draft: fact accuracy, precision and recall, junk, leaks, substance and conformance scores, citations.

Facts are compared exactly (times within a minute, durations within a minute, roles by full name). Factors
and action items are free text, so they are matched by meaning: all-MiniLM-L6-v2 cosine similarity at or
above MATCH_THRESHOLD, each gold item matched to at most one draft item (best pairs first). The pairs and
their similarities go into the report so a reviewer can check the matcher on real examples.

Recall alone lets filler through for free, so precision counts the drafted items that the one-to-one
matching paired with gold, and junk counts drafted factors, 5-whys answers and action items that resemble
no gold item at all (a "Not established" placeholder is never junk: it is the honest answer).
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pipeline.evals.gold import DURATIONS, KEY_TIMES, Gold
from pipeline.models import NOT_ESTABLISHED

MATCH_THRESHOLD = 0.65
TIME_TOLERANCE_SECONDS = 60
DURATION_TOLERANCE_MINUTES = 1
QUOTES_RE = re.compile(r"[\u201c\u201d\"]")
# Where a gold item joins findings: "; ", ", and ", ", so ", ", but ", " because ".
CLAUSE_RE = re.compile(r";\s+|,\s+(?:and|so|but|which)\s+|\s+because\s+|\s+so that\s+")
# The LLM engine's warning for each model sentence or action item its verify stage removed
# (pipeline/drafting/llm_engine.py: "went_wrong: removed a model sentence (...)").
REMOVED_BY_VERIFY = ": removed a model "


class Check(BaseModel):
    """One fact compared with gold."""

    name: str
    expected: str | None
    produced: str | None
    ok: bool


class Match(BaseModel):
    gold: str
    draft: str | None
    similarity: float


class IncidentResult(BaseModel):
    name: str
    engine: str
    seconds: float
    calls: int = 0
    tokens: int = 0
    fallback: bool = Field(default=False, description="The LLM engine fell back to the offline draft.")
    removed: int = Field(default=0, description="Model sentences and action items the verify stage removed.")
    severity_ok: bool
    checks: list[Check]
    fact_accuracy: float = Field(description="Share of severity, key times, durations and roles that match gold.")
    time_accuracy: float
    duration_accuracy: float
    role_recall: float
    role_precision: float = Field(description="Share of drafted IC/OL/CL/Scribe holders that gold confirms.")
    factor_recall: float
    action_recall: float
    factor_precision: float = Field(description="Share of drafted factors paired one-to-one with a gold factor.")
    action_precision: float = Field(description="Share of drafted action items paired one-to-one with a gold one.")
    drafted: int = Field(default=0, description="Drafted factors, 5-whys answers and action items (established).")
    junk: list[str] = Field(default_factory=list, description="Drafted items that resemble nothing in gold.")
    factor_matches: list[Match]
    action_matches: list[Match]
    leaks: list[str]
    substance_score: float = Field(description="The headline score: what a reviewer looks for.")
    conformance_score: float = Field(description="The template's form (the rubric score before substance existed).")
    rubric: dict[str, str] = Field(description="Criterion id (substance and conformance) to pass / fail / skipped.")
    rubric_reasons: dict[str, str] = Field(default_factory=dict)
    citation_validity: float | None
    grounded_claims: float
    warnings: list[str] = Field(default_factory=list)
    refused: str | None = Field(default=None, description="The drafter's error when it refused the bundle.")


def evaluate_incident(
    directory: Path, gold: Gold, *, engine: str = "offline", engine_options: dict[str, Any] | None = None
) -> IncidentResult:
    """Draft `directory` with `engine` and measure the draft against `gold`."""
    from pipeline.drafting import draft_from_directory
    from pipeline.render import render_json, render_markdown
    from pipeline.scoring import score_text
    from pipeline.scoring.sources import load_sources

    options = {"engine": engine, "engine_options": engine_options} if engine != "offline" else {}
    started = time.perf_counter()
    draft, warnings = draft_from_directory(directory, similar=False, **options)
    seconds = time.perf_counter() - started
    markdown = render_markdown(draft)
    sources = load_sources(directory)
    score = score_text(markdown, path=f"{directory.name}/draft.md", incident=sources)
    results = {result.id: result for result in score.criteria}

    checks = fact_checks(draft, gold)
    factors = [f.statement for f in draft.contributing_factors if not is_placeholder(f.statement)]
    actions = [a.action for a in draft.action_items if not is_placeholder(a.action)]
    factor_matches = match_items(gold.contributing_factors, factors)
    action_matches = match_items(gold.action_items, actions)
    drafted, junk = junk_items(draft, gold)
    usage = getattr(draft.metadata, "llm", None)
    citations = results["citations_resolve"]
    return IncidentResult(
        name=directory.name,
        engine=draft.metadata.engine,
        seconds=round(seconds, 3),
        calls=usage.calls if usage else 0,
        tokens=(usage.input_tokens + usage.output_tokens) if usage else 0,
        fallback=bool(usage and usage.fallback),
        removed=sum(REMOVED_BY_VERIFY in warning for warning in warnings),
        severity_ok=checks[0].ok,
        checks=checks,
        fact_accuracy=_share(checks),
        time_accuracy=_share([c for c in checks if c.name in KEY_TIMES]),
        duration_accuracy=_share([c for c in checks if c.name in DURATIONS]),
        role_recall=_share([c for c in checks if c.name.startswith("role:")]),
        role_precision=role_precision(draft, gold),
        factor_recall=_recall(factor_matches),
        action_recall=_recall(action_matches),
        factor_precision=_precision(factor_matches, len(factors)),
        action_precision=_precision(action_matches, len(actions)),
        drafted=drafted,
        junk=junk,
        factor_matches=factor_matches,
        action_matches=action_matches,
        leaks=leaks(gold.forbidden, markdown + "\n" + render_json(draft))
        + leaks(gold.forbidden_in_narrative, narrative_text(markdown, draft)),
        substance_score=score.substance,
        conformance_score=score.conformance,
        rubric={r.id: r.status for r in score.criteria},
        rubric_reasons={r.id: r.reason for r in score.criteria if r.status == "fail"},
        citation_validity=citations.credit,
        grounded_claims=grounded_share(draft, sources.evidence),
        warnings=warnings,
    )


def fact_checks(draft, gold: Gold) -> list[Check]:
    """Severity, each gold key time and duration, and each gold role, compared with the draft's facts."""
    facts = draft.facts
    checks = [
        Check(
            name="severity",
            expected=gold.severity,
            produced=draft.severity,
            ok=_norm_sev(draft.severity) == _norm_sev(gold.severity),
        )
    ]
    for name, expected in gold.times.items():
        fact = getattr(facts, name)
        produced = fact.time if fact else None
        ok = (expected is None and produced is None) or (
            expected is not None
            and produced is not None
            and abs((produced - expected).total_seconds()) <= TIME_TOLERANCE_SECONDS
        )
        checks.append(Check(name=name, expected=_iso(expected), produced=_iso(produced), ok=ok))
    for name, expected in gold.durations.items():
        produced = draft.duration_minutes if name == "duration_minutes" else getattr(facts, name)
        ok = (expected is None and produced is None) or (
            expected is not None and produced is not None and abs(produced - expected) <= DURATION_TOLERANCE_MINUTES
        )
        checks.append(Check(name=name, expected=_str(expected), produced=_str(produced), ok=ok))
    for role, person in gold.roles.items():
        holders = [fact.value for fact in facts.roles if fact.name == role]
        ok = any(_same_person(person, holder) for holder in holders)
        checks.append(Check(name=f"role:{role}", expected=person, produced=", ".join(holders) or None, ok=ok))
    return checks


def role_precision(draft, gold: Gold) -> float:
    """Share of drafted holders of the roles gold records that gold names for that role (1.0 when none)."""
    drafted = [fact for fact in draft.facts.roles if fact.name in gold.roles]
    if not drafted:
        return 1.0
    right = sum(_same_person(gold.roles[fact.name], fact.value) for fact in drafted)
    return right / len(drafted)


def is_placeholder(text: str) -> bool:
    """The honest gap ("Not established by the recorded evidence. ..."): never counted as a drafted item."""
    return text.strip().startswith(NOT_ESTABLISHED)


def junk_items(draft, gold: Gold) -> tuple[int, list[str]]:
    """Drafted factors, 5-whys answers and action items (placeholders aside), and those that resemble no gold
    factor, action item or sentence of the gold description (cosine below MATCH_THRESHOLD to every one)."""
    drafted = [f.statement for f in draft.contributing_factors]
    drafted += [why.answer.text for why in draft.five_whys if why.answer.established]
    drafted += [a.action for a in draft.action_items]
    drafted = [text for text in drafted if not is_placeholder(text)]
    references = (
        gold.contributing_factors
        + gold.action_items
        + [sentence for sentence in re.split(r"(?<=[.;])\s+", gold.description) if len(sentence.split()) >= 4]
    )
    if not drafted or not references:
        return len(drafted), list(drafted)
    from pipeline.similar.embeddings import default_model

    model = default_model()
    similarity = _clause_similarity(model, references, [QUOTES_RE.sub("", text) for text in drafted])
    return len(drafted), [text for column, text in zip(similarity.T, drafted) if float(column.max()) < MATCH_THRESHOLD]


def gold_clauses(item: str) -> list[str]:
    """A gold item and, when it joins several findings ("X had no window, and Y had no spread constraints"),
    each clause of four words or more: a draft item stating one of them states part of the gold item."""
    parts = [part.strip(" ,;.") for part in CLAUSE_RE.split(item)]
    return [item] + [part for part in parts if len(part.split()) >= 4 and part != item]


def _clause_similarity(model, gold_items: list[str], draft_items: list[str]):
    """Cosine of each gold item (best of the whole item and its clauses) with each draft item."""
    import numpy as np

    clauses = [gold_clauses(item) for item in gold_items]
    flat = [clause for group in clauses for clause in group]
    raw = model.embed(flat) @ model.embed(draft_items).T
    rows, start = [], 0
    for group in clauses:
        rows.append(raw[start : start + len(group)].max(axis=0))
        start += len(group)
    return np.vstack(rows)


def match_items(gold_items: list[str], draft_items: list[str]) -> list[Match]:
    """Best one-to-one pairs by embedding cosine; a gold item without a pair above the threshold is missed."""
    if not gold_items:
        return []
    if not draft_items:
        return [Match(gold=item, draft=None, similarity=0.0) for item in gold_items]
    from pipeline.similar.embeddings import default_model

    model = default_model()
    cleaned = [QUOTES_RE.sub("", item) for item in draft_items]
    similarity = _clause_similarity(model, gold_items, cleaned)
    pairs = sorted(
        ((float(similarity[g, d]), g, d) for g in range(len(gold_items)) for d in range(len(draft_items))),
        reverse=True,
    )
    chosen: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for value, g, d in pairs:
        if g in chosen or d in used or value < MATCH_THRESHOLD:
            continue
        chosen[g] = (d, value)
        used.add(d)
    matches = []
    for g, item in enumerate(gold_items):
        if g in chosen:
            d, value = chosen[g]
            matches.append(Match(gold=item, draft=draft_items[d], similarity=round(value, 3)))
        else:
            best = max(range(len(draft_items)), key=lambda d: similarity[g, d])
            matches.append(Match(gold=item, draft=None, similarity=round(float(similarity[g, best]), 3)))
    return matches


def leaks(forbidden: list[str], text: str) -> list[str]:
    """Forbidden strings (case-insensitive) that appear in the draft's markdown or JSON."""
    lowered = text.lower()
    return [item for item in forbidden if item.lower() in lowered]


def narrative_text(markdown: str, draft) -> str:
    """The draft without its evidence index: the markdown up to the Appendix, and the JSON minus the index."""
    body = re.split(r"^## Appendix", markdown, maxsplit=1, flags=re.MULTILINE)[0]
    return body + "\n" + draft.model_dump_json(exclude={"evidence_index"})


def grounded_share(draft, evidence) -> float:
    """Share of established claims whose citations, times and numbers match the evidence (verify.claim_problems)."""
    from pipeline.drafting.verify import all_claims, claim_problems

    claims = [claim for _, claim in all_claims(draft) if claim.established]
    if not claims:
        return 1.0
    return sum(not claim_problems(claim, evidence) for claim in claims) / len(claims)


def _share(checks: list[Check]) -> float:
    return sum(c.ok for c in checks) / len(checks) if checks else 1.0


def _recall(matches: list[Match]) -> float:
    return sum(m.draft is not None for m in matches) / len(matches) if matches else 1.0


def _precision(matches: list[Match], drafted: int) -> float:
    return sum(m.draft is not None for m in matches) / drafted if drafted else 1.0


NO_SEVERITY = {"", "notestablished", "notrecorded", "unknown", "none"}


def _norm_sev(value: str | None) -> str:
    """Severity compared by its letters and digits; every way of saying "none was stated" is the same answer."""
    key = re.sub(r"[^a-z0-9]", "", (value or "").lower())
    return "" if key in NO_SEVERITY else key


def _same_person(expected: str, produced: str) -> bool:
    """The same full name (case-insensitive); a bare first name or handle counts only when gold has no more."""
    a, b = expected.lower().split(), produced.lower().split()
    return bool(a and b) and a == b


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%MZ") if value else None


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)
