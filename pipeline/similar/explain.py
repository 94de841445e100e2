"""Chunk hits -> one explained `SimilarIncident` per past incident, with a recurrence flag.

The explanation is built from things a reviewer can check: the best matching passage and its section,
services both incidents name, and trigger/factor categories (taxonomy.yaml) found in both. A recurrence
is the same service plus a shared trigger or factor category within the window (90 days by default)
before or after the reference date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline.models import SimilarIncident
from pipeline.similar.store import Hit

RECURRENCE_WINDOW_DAYS = 90
_PASSAGE_CHARS = 300


@dataclass(frozen=True)
class QueryContext:
    """What we know about the incident being compared: its services, categories, date and own id."""

    services: frozenset[str] = frozenset()
    triggers: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    on_date: date | None = None
    incident_id: str | None = None
    window_days: int = RECURRENCE_WINDOW_DAYS


def group_hits(hits: list[Hit], context: QueryContext, k: int) -> list[SimilarIncident]:
    """Best passage per incident, the top `k` incidents by similarity, each explained."""
    best: dict[str, Hit] = {}
    for hit in hits:
        incident_id = str(hit.metadata.get("incident_id", ""))
        if not incident_id or incident_id == context.incident_id:
            continue
        if incident_id not in best or hit.similarity > best[incident_id].similarity:
            best[incident_id] = hit
    ranked = sorted(best.values(), key=lambda hit: (-hit.similarity, str(hit.metadata.get("incident_id"))))
    return [explain(hit, context) for hit in ranked[:k]]


def explain(hit: Hit, context: QueryContext) -> SimilarIncident:
    meta = hit.metadata
    services = _split(meta.get("services"))
    triggers, factors = _split(meta.get("triggers")), _split(meta.get("factors"))
    shared_services = sorted(set(services) & context.services)
    shared_triggers = [name for name in context.triggers if name in triggers]
    shared_factors = [name for name in context.factors if name in factors]
    past_date = _date(meta.get("date"))
    recurrence = bool(
        shared_services
        and (shared_triggers or shared_factors)
        and past_date is not None
        and context.on_date is not None
        and abs((context.on_date - past_date).days) <= context.window_days
    )
    passage = _passage(hit.text, int(meta.get("lead_chars") or 0))
    reasons = [f'{meta.get("section") or "passage"} matches (similarity {hit.similarity:.2f}): "{passage}"']
    if shared_services:
        reasons.append("same service: " + ", ".join(shared_services))
    if shared_triggers:
        reasons.append("shared trigger: " + ", ".join(shared_triggers))
    if shared_factors:
        reasons.append("shared factor: " + ", ".join(shared_factors))
    if recurrence:
        assert past_date is not None and context.on_date is not None
        reasons.append(
            f"possible recurrence: {abs((context.on_date - past_date).days)} days apart "
            f"(window {context.window_days} days)"
        )
    return SimilarIncident(
        incident_id=str(meta.get("incident_id")),
        title=str(meta.get("title", "")),
        score=round(hit.similarity, 4),
        why="; ".join(reasons),
        date=past_date,
        severity=meta.get("severity") or None,
        services=services,
        matched_section=str(meta.get("section", "")),
        matched_passage=passage,
        shared_services=shared_services,
        shared_triggers=shared_triggers,
        shared_factors=shared_factors,
        recurrence=recurrence,
        source=str(meta.get("source", "")),
    )


def _passage(text: str, lead_chars: int) -> str:
    """The chunk without its "title - section:" lead, shortened for display."""
    body = text[lead_chars:].strip()
    return body if len(body) <= _PASSAGE_CHARS else body[: _PASSAGE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _split(value: object) -> list[str]:
    return [item for item in str(value or "").split(",") if item]


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
