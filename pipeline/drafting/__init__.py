"""Drafting: incident -> facts -> engine -> grounding check -> Draft. Engines are chosen by name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from pipeline.drafting.llm_engine import draft_llm
from pipeline.drafting.offline import draft_offline, open_questions
from pipeline.drafting.verify import enforce_grounding
from pipeline.errors import ConfigError
from pipeline.facts import evidence_items, extract_facts
from pipeline.models import Draft, DraftMetadata, Facts, Incident
from pipeline.redact import redact_incident

Engine = Callable[[Incident, Facts], Draft]
ENGINES: dict[str, Engine] = {"offline": draft_offline, "llm": draft_llm}


def draft_incident(
    incident: Incident, *, engine: str = "offline", similar: bool = True, engine_options: dict | None = None
) -> tuple[Draft, list[str]]:
    """Redact, extract facts, draft with `engine` (given `engine_options`), verify grounding; draft and warnings."""
    if engine not in ENGINES:
        raise ConfigError("engine", f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    safe = redact_incident(incident)
    facts = extract_facts(safe)
    draft = ENGINES[engine](safe, facts, **(engine_options or {}))
    evidence = {item.id: item for item in evidence_items(safe)}
    engine_metadata = draft.metadata
    draft, warnings = enforce_grounding(draft, evidence)
    draft = withhold_unchecked_chat(draft, safe)
    # Questions for the review follow the final draft's content, whichever engine wrote it.
    draft = draft.model_copy(update={"open_questions": open_questions(draft, safe)})
    warnings = engine_metadata.warnings + warnings
    if similar:
        incident_id = Path(incident.directory).name if incident.directory else None
        draft = draft.model_copy(update=similar_incidents(draft, warnings, incident_id=incident_id))
    from pipeline import __version__

    draft.metadata = DraftMetadata(
        version=__version__,
        engine=engine_metadata.engine if engine_metadata.llm else engine,
        timeline_sha256=incident.timeline.sha256,
        lock_status=incident.timeline.lock_status,
        chat_format=incident.chat.format if incident.chat else None,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        warnings=warnings,
        llm=engine_metadata.llm,
    )
    return draft, warnings


def withhold_unchecked_chat(draft: Draft, incident: Incident) -> Draft:
    """Chat not in English is not quoted (the blameless check cannot read it), and the header says so."""
    from pipeline.language import language_of

    messages = incident.chat.messages if incident.chat else []
    unchecked = {m.id: code for m in messages if m.id in draft.evidence_index and (code := language_of(m.text)) != "en"}
    if not unchecked:
        return draft
    index = {
        key: "[withheld from the draft: not in English, so the blameless check could not read it; see the chat source]"
        if key in unchecked
        else text
        for key, text in draft.evidence_index.items()
    }
    note = (
        f"{len(unchecked)} chat message(s) are not in English ({', '.join(sorted(set(unchecked.values())))}) and were "
        f"not checked for blame language; the draft does not quote them: {', '.join(unchecked)}."
    )
    return draft.model_copy(update={"evidence_index": index, "header_notes": [*draft.header_notes, note]})


def similar_incidents(draft: Draft, warnings: list[str], *, incident_id: str | None = None) -> dict:
    """Draft fields for "Similar Past Incidents": the matches and the library they came from.

    The team's library when there is one, else the bundled examples (indexed on first use). The
    recurrence window is anchored on the incident's date, not today. An unavailable library is a
    warning, never a failure: the draft must still be written.
    """
    from pipeline.similar import similar_for_draft

    parts = [draft.title] + [c.text for c in draft.executive_summary + draft.impact]
    parts += [factor.statement for factor in draft.contributing_factors]
    try:
        matches = similar_for_draft(
            " ".join(parts), k=3, service=draft.service, on_date=draft.date, incident_id=incident_id
        )
    except Exception as exc:  # the library is optional: the draft must still be written
        warnings.append(f"similar past incidents unavailable: {str(exc).removeprefix('error: ')}")
        return {}
    return {"similar_incidents": matches.incidents, "similar_source": matches.library}


def draft_from_directory(
    directory: Path,
    *,
    timeline: Path | None = None,
    chat: Path | list[Path] | None = None,
    chat_format: str | None = None,
    call_start: str | None = None,
    tz: str | None = None,
    on_date: date | None = None,
    engine: str = "offline",
    similar: bool = True,
    engine_options: dict | None = None,
) -> tuple[Draft, list[str]]:
    from pipeline.ingest.incident import load_incident

    incident, warnings = load_incident(
        directory,
        timeline=timeline,
        chat=chat,
        chat_format=chat_format,
        tz=tz,
        on_date=on_date,
        call_start=call_start,
    )
    draft, draft_warnings = draft_incident(incident, engine=engine, similar=similar, engine_options=engine_options)
    if tz is None and incident.meta.timezone is None:
        draft.header_notes.append(
            "incident.toml gives no timezone: times written without an offset were read as UTC "
            '(add timezone = "Area/City" or pass --tz).'
        )
    return draft, warnings + draft_warnings
