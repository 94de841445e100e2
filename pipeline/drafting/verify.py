"""Grounding checks in code, for every engine: citations exist; times and numbers match their evidence.

Numbers and times are compared as tokens (value + unit, `pipeline.drafting.quantities`), never as
substrings. The rules, and the sentences the drafting prompt states about them, are one contract
(`pipeline/data/verifier.yaml`, `prompt_rules`); docs/verifier.md lists which rule removes what.

A claim that fails is removed, and NOT_ESTABLISHED stands in its place where nothing else is left in its section
(the reason goes to the draft's warnings), so an unsupported sentence never reaches the author as if it were a fact.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from itertools import combinations

from pipeline.drafting.quantities import DAY, Quantity, Token, contract, duration_supported, tokens, visible_minutes
from pipeline.facts import Evidence, is_bot, is_question, signals
from pipeline.models import EVIDENCE_ID, NOT_ESTABLISHED, Claim, Draft

# Used by the rubric (pipeline/scoring/criteria.py) for statements that cite nothing.
NUMBER_RE = re.compile(r"(?<![\w#.:-])(\d[\d,]*(?:\.\d+)?)(?![\d:])")
IGNORED_NUMBER_CONTEXT = re.compile(rf"SEV-\d|P[0-4]\b|{EVIDENCE_ID}")


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
    support = Support.of(cited)
    text = IGNORED_NUMBER_CONTEXT.sub(" ", claim.text)
    problems = [problem for token in tokens(text) if (problem := support.problem(token))]
    return problems + ([kind] if (kind := kind_problem(claim.text, cited)) else [])


def kind_problem(text: str, cited: list[Evidence]) -> str | None:
    """Why a claim about the kind of evidence ("an alert detected", "responders disagreed", "status updates were
    posted") is not supported by the kind of items it cites, or None (verifier.yaml `claim_kinds`)."""
    for rule in _claim_kinds():
        if not rule["claim"].search(text):
            continue
        needs = rule["needs"]
        if needs == "alert" and not any(reads_as_alert(item) for item in cited):
            return "it says an alert detected the problem, but no cited item is an alert"
        if needs == "two_people" and len({item.author for item in cited if item.author and not item.is_timeline}) < 2:
            return "it says responders disagreed, but the cited messages are not from two people"
        if needs == "posted_update" and not any(posted_update(item) for item in cited):
            return "it says status updates were posted, but no cited item is an update that was posted"
    return None


def reads_as_alert(item: Evidence) -> bool:
    """A monitoring tool, or a row saying an alert fired; not a person who noticed, reported or paged by hand."""
    sig = signals()
    return bool(
        sig["alert_detection"].search(item.text)
        and not sig["manual_page"].search(item.text)
        and (item.is_timeline or is_bot(item.author, item.kind) or not sig["detection_report"].search(item.text))
    )


def posted_update(item: Evidence) -> bool:
    """A status or customer update that was posted, not one being drafted or asked for."""
    sig = signals()
    return bool(
        sig["status_posted"].search(item.text)
        and not sig["status_pending"].search(item.text)
        and not item.suspect
        and not is_question(item)
    )


@lru_cache(maxsize=1)
def _claim_kinds() -> tuple[dict, ...]:
    return tuple(
        {"needs": rule["needs"], "claim": re.compile(rule["claim"], re.IGNORECASE)}
        for rule in contract().get("claim_kinds", [])
    )


class Support:
    """What the cited items let a claim state: their times, and the quantities their texts write."""

    def __init__(self, times: list[datetime], written: list[Token]):
        self.times = times
        self.written = [reading for token in written for reading in token.readings]

    @classmethod
    def of(cls, cited: list[Evidence]) -> Support:
        return cls([item.time for item in cited if item.time], [t for item in cited for t in tokens(item.text)])

    def problem(self, token: Token) -> str | None:
        """None when some reading of `token` is supported, else the sentence that says why not."""
        if any(self.supports(reading) for reading in token.readings):
            return None
        kind = token.kind
        if kind == "clock":
            return f"time {token.text} is not the time of any cited evidence"
        if kind == "date":
            return f"date {token.text} is not the date of any cited evidence"
        if kind == "duration":
            return f"{token.text} does not follow from the cited evidence times"
        digits = re.match(r"[\d,.]+", token.text).group(0)
        return f"number {digits} does not appear in the cited evidence"

    def supports(self, stated: Quantity) -> bool:
        written = [q for q in self.written if q.kind == stated.kind]
        if stated.kind == "clock":
            return self.clock_supported(stated, written)
        if stated.kind == "date":
            return any(q.value == stated.value for q in written) or any(
                t.date().toordinal() == stated.value for t in self.times
            )
        if stated.kind == "duration":
            return any(q.value == stated.value for q in written) or any(
                duration_supported(stated, start, end) for start, end in self.time_pairs()
            )
        return any(q.value == stated.value for q in written)

    def clock_supported(self, stated: Quantity, written: list[Quantity]) -> bool:
        """The time of a cited item (UTC; HH:MM is the item's minute, HH:MM:SS its exact second), or a
        time a cited text writes (a UTC time only matches a time the text marks as UTC)."""
        for moment in self.times:
            seconds = _seconds(moment)
            if stated.resolution == 60 and seconds // 60 * 60 == stated.value:
                return True
            if stated.resolution == 1 and seconds == stated.value:
                return True
        for clock in written:
            if stated.utc and not clock.utc:
                continue
            if stated.resolution == 60 and clock.value // 60 * 60 == stated.value:
                return True
            if stated.resolution == 1 and clock.resolution == 1 and clock.value == stated.value:
                return True
        return False

    def time_pairs(self) -> list[tuple[int, int]]:
        """Start and end (seconds) of every pair of cited item times, and of every pair of clocks that the
        cited texts write (across midnight when that is shorter)."""
        pairs = []
        for a, b in combinations(sorted(self.times), 2):
            start = _seconds(a)
            pairs.append((start, start + int((b - a).total_seconds())))
        clocks = sorted({int(q.value) for q in self.written if q.kind == "clock"})
        for a, b in combinations(clocks, 2):
            pairs.append((a, b))
            pairs.append((b, a + DAY))
        return pairs


def _seconds(moment: datetime) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


@lru_cache(maxsize=1)
def prompt_rules() -> tuple[str, ...]:
    """The sentences the drafting prompt states about times, numbers and durations (system.j2 renders them).

    They come from verifier.yaml; the duration example is computed by the verifier's own rule, and
    tests check that every example there gets the verdict it claims.
    """
    rules = []
    for rule in contract()["prompt_rules"]:
        rules.append(" ".join(rule["text"].split()).format(duration_example=_duration_example()))
    return tuple(rules)


def _duration_example() -> str:
    example = next(rule for rule in contract()["prompt_rules"] if rule["id"] == "duration")["examples"][0]
    start, end = (_parse_clock(item["time"]) for item in example["evidence"][:2])
    minutes = visible_minutes(start, end)
    return f"{start // 3600:02d}:{start // 60 % 60:02d} to {end // 3600:02d}:{end // 60 % 60:02d} is {minutes} minutes"


def _parse_clock(text: str) -> int:
    hours, minutes, *seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + (seconds[0] if seconds else 0)


def all_claims(draft: Draft) -> list[tuple[str, Claim]]:
    sections = {name: getattr(draft, name) for name in Draft.CLAIM_SECTIONS}
    claims = [(name, claim) for name, items in sections.items() for claim in items]
    claims += [("five_whys", why.answer) for why in draft.five_whys]
    return claims


def enforce_grounding(draft: Draft, evidence: dict[str, Evidence]) -> tuple[Draft, list[str]]:
    """Remove unsupported claims (NOT_ESTABLISHED where a section or answer is left empty); drop citations to
    unknown IDs elsewhere."""
    warnings: list[str] = []

    def check(section: str, claim: Claim) -> Claim:
        problems = claim_problems(claim, evidence)
        if not problems:
            return claim
        warnings.append(f"{section}: removed an unsupported sentence ({'; '.join(problems)})")
        return Claim(text=NOT_ESTABLISHED, evidence=[], established=False)

    def checked_section(name: str) -> list[Claim]:
        """A removed sentence leaves a NOT_ESTABLISHED line only where nothing else is left to say: a list of
        three bare "Not established" bullets reads as filler (the warning still names each removal)."""
        claims = getattr(draft, name)
        checked = [check(name, claim) for claim in claims]
        kept = [after for before, after in zip(claims, checked) if after is before]
        return kept or checked[:1]

    update = {name: checked_section(name) for name in Draft.CLAIM_SECTIONS}
    update["five_whys"] = [why.model_copy(update={"answer": check("five_whys", why.answer)}) for why in draft.five_whys]
    update["contributing_factors"] = [
        factor.model_copy(update={"evidence": [e for e in factor.evidence if e in evidence]})
        for factor in draft.contributing_factors
    ]
    update["action_items"] = [
        item.model_copy(update={"evidence": [e for e in item.evidence if e in evidence]}) for item in draft.action_items
    ]
    return draft.model_copy(update=update), warnings
