"""Grounding checks in code, for every engine: citations exist; times and numbers match their evidence.

A claim that fails is replaced by NOT_ESTABLISHED (and the reason goes to the draft's warnings), so an
unsupported sentence never reaches the author as if it were a fact.
"""

from __future__ import annotations

import re
from itertools import combinations

from pipeline.facts import Evidence
from pipeline.models import NOT_ESTABLISHED, Claim, Draft

UTC_TIME_RE = re.compile(r"\b(\d{1,2}:\d{2}) UTC\b")
MINUTES_RE = re.compile(r"\b(\d+) minutes?\b")
NUMBER_RE = re.compile(r"(?<![\w#.:-])(\d[\d,]*(?:\.\d+)?)(?![\d:])")
IGNORED_NUMBER_CONTEXT = re.compile(r"SEV-\d|P[0-4]\b|[TC]\d+")


def claim_problems(claim: Claim, evidence: dict[str, Evidence]) -> list[str]:
    """Why a claim is not supported by the evidence it cites (empty when it is)."""
    if not claim.established:
        return []
    if not claim.evidence:
        return ["cites no evidence"]
    missing = [e for e in claim.evidence if e not in evidence]
    if missing:
        return [f"cites {', '.join(missing)}, which is not in the evidence index"]
    cited = [evidence[e] for e in claim.evidence]
    problems = []
    cited_clocks = {item.time.strftime("%H:%M") for item in cited if item.time}
    cited_text = " ".join(item.text for item in cited)
    for clock in UTC_TIME_RE.findall(claim.text):
        if clock.zfill(5) not in cited_clocks:
            problems.append(f"time {clock} UTC is not the time of any cited evidence")
    durations = _durations(cited)
    text_without_times = UTC_TIME_RE.sub("", IGNORED_NUMBER_CONTEXT.sub("", claim.text))
    for minutes in MINUTES_RE.findall(text_without_times):
        if int(minutes) not in durations and minutes not in cited_text:
            problems.append(f"{minutes} minutes does not follow from the cited evidence times")
    text_without_durations = MINUTES_RE.sub("", text_without_times)
    for number in NUMBER_RE.findall(text_without_durations):
        if number not in cited_text and number.replace(",", "") not in cited_text.replace(",", ""):
            problems.append(f"number {number} does not appear in the cited evidence")
    return problems


def _durations(cited: list[Evidence]) -> set[int]:
    times = [item.time for item in cited if item.time]
    return {abs(round((a - b).total_seconds() / 60)) for a, b in combinations(times, 2)} | {0}


def all_claims(draft: Draft) -> list[tuple[str, Claim]]:
    sections = {name: getattr(draft, name) for name in Draft.CLAIM_SECTIONS}
    claims = [(name, claim) for name, items in sections.items() for claim in items]
    claims += [("five_whys", why.answer) for why in draft.five_whys]
    return claims


def enforce_grounding(draft: Draft, evidence: dict[str, Evidence]) -> tuple[Draft, list[str]]:
    """Replace unsupported claims with NOT_ESTABLISHED; drop citations to unknown IDs elsewhere."""
    warnings: list[str] = []

    def check(section: str, claim: Claim) -> Claim:
        problems = claim_problems(claim, evidence)
        if not problems:
            return claim
        warnings.append(f"{section}: removed an unsupported sentence ({'; '.join(problems)})")
        return Claim(text=NOT_ESTABLISHED, evidence=[], established=False)

    update = {
        name: [check(name, claim) for claim in getattr(draft, name)]
        for name in Draft.CLAIM_SECTIONS
    }
    update["five_whys"] = [why.model_copy(update={"answer": check("five_whys", why.answer)}) for why in draft.five_whys]
    update["contributing_factors"] = [
        factor.model_copy(update={"evidence": [e for e in factor.evidence if e in evidence]})
        for factor in draft.contributing_factors
    ]
    update["action_items"] = [
        item.model_copy(update={"evidence": [e for e in item.evidence if e in evidence]}) for item in draft.action_items
    ]
    return draft.model_copy(update=update), warnings
