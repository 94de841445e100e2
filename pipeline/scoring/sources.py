"""What an incident's sources say, in the shapes the rubric compares a document against.

`--incident DIR` gives the rubric the locked timeline (for the verbatim check), the evidence items (for
citations and `verify.claim_problems`), and every clock, number and name the sources contain (for the
faithfulness check of sentences that cite nothing, as in human-written postmortems).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from pipeline.facts import Evidence
from pipeline.models import TimelineEvent

CLOCK_RE = re.compile(r"\b(\d{1,2}):(\d{2})\b")


@dataclass(frozen=True)
class IncidentSources:
    """The evidence of one incident, indexed for the rubric."""

    directory: str
    timeline: list[TimelineEvent]
    lock_status: str
    evidence: dict[str, Evidence]
    people: frozenset[str]
    text: str
    clocks: frozenset[str]
    durations: frozenset[int]

    def supports_clock(self, clock: str) -> bool:
        hours, minutes = clock.split(":")
        return f"{int(hours):02d}:{minutes}" in self.clocks

    def mentions(self, word: str) -> bool:
        return re.search(rf"\b{re.escape(word)}\b", self.text, re.IGNORECASE) is not None


def load_sources(directory: Path) -> IncidentSources:
    """Load (and redact, as drafting does) one incident directory; InputError when it cannot be read."""
    from pipeline.facts import evidence_items
    from pipeline.ingest.incident import load_incident
    from pipeline.ingest.times import zone
    from pipeline.redact import redact_incident

    incident, _ = load_incident(directory)
    safe = redact_incident(incident)
    items = evidence_items(safe)
    local = zone(incident.meta.timezone) if incident.meta.timezone else None
    clocks: set[str] = set()
    for item in items:
        if item.time is not None:
            clocks.add(item.time.strftime("%H:%M"))
            if local is not None:
                clocks.add(item.time.astimezone(local).strftime("%H:%M"))
    meta = incident.meta
    people = {p.name for p in meta.people} | set(meta.authors) | {i.author for i in items if i.author}
    text = "\n".join(
        [item.text for item in items]
        + sorted(people)
        + [meta.title or "", meta.service or "", meta.severity or ""]
        + [event.raw_time for event in incident.timeline.events]
    )
    clocks |= {f"{int(h):02d}:{m}" for h, m in CLOCK_RE.findall(text)}
    times = sorted({item.time for item in items if item.time is not None})
    durations = {abs(round((a - b).total_seconds() / 60)) for a, b in combinations(times, 2)}
    return IncidentSources(
        directory=str(directory),
        timeline=incident.timeline.events,
        lock_status=incident.timeline.lock_status,
        evidence={item.id: item for item in items},
        people=frozenset(people),
        text=text,
        clocks=frozenset(clocks),
        durations=frozenset(durations),
    )
