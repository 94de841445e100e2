"""The factor stage: which candidate contributing factors a draft states, and how each is phrased.

A factor is a statement about the system with its citation, never a quoted message or a person. Candidates come
from the offline engine (timeline cause rows, confirmed-cause chat sentences, the change before impact); this
module phrases them (drops the framing around a finding, "Cause identified: ...") and adds the one kind of gap
the record implies without stating it: a signal nobody was alerted on, when people rather than an alert
detected the incident and the channel agreed to alert on that signal. Phrases are data: pipeline/data/factors.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.datafiles import bundled, parse_yaml, read_text
from pipeline.models import ActionItem, ActionType, Confidence, ContributingFactor


@dataclass(frozen=True)
class FactorPhrases:
    framing: tuple[re.Pattern[str], ...]
    alert_action: re.Pattern[str]
    alert_gap: str


@lru_cache(maxsize=1)
def phrases() -> FactorPhrases:
    """pipeline/data/factors.yaml, compiled once."""
    path = bundled("factors.yaml")
    raw = parse_yaml(read_text(path), path)
    return FactorPhrases(
        framing=tuple(re.compile(pattern, re.IGNORECASE) for pattern in raw["framing"]),
        alert_action=re.compile(raw["alert_action"], re.IGNORECASE),
        alert_gap=raw["alert_gap"],
    )


def phrase(statement: str) -> str:
    """`statement` without the framing around its finding ("Cause identified: the subkey expired" -> "The subkey
    expired"), first letter capitalized; its numbers, times and names are untouched."""
    text = statement
    for pattern in phrases().framing:
        text = pattern.sub("", text, count=1)
    text = text.strip()
    if not text or len(text.split()) < 3:
        return statement
    return text[0].upper() + text[1:]


def alert_gap(action: ActionItem) -> ContributingFactor | None:
    """The gap a detective follow-up implies ("Alert on redelivery rate" -> "Nothing alerted on redelivery rate
    ..."): a low-confidence candidate citing the proposal, or None for any other kind of action."""
    words = phrases()
    if action.type != ActionType.detective or not action.evidence:
        return None
    found = words.alert_action.match(action.action.strip())
    if not found:
        return None
    what = found["what"].strip().rstrip(".")
    statement = words.alert_gap.format(what=what)
    return ContributingFactor(statement=statement, evidence=list(action.evidence[:1]), confidence=Confidence.low)


def alert_gaps(actions: list[ActionItem], detected_by_alert: bool, limit: int = 1) -> list[ContributingFactor]:
    """Gap factors from agreed detective follow-ups, only when the incident was not detected by an alert (on dev,
    a gap drawn from an alert action matched what the team wrote about half the time otherwise)."""
    if detected_by_alert:
        return []
    gaps = [gap for gap in (alert_gap(action) for action in actions) if gap is not None]
    return gaps[:limit]
