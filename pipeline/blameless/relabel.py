"""A label for a person's part ("human error", "operator mistake", "PEBKAC") becomes the step it stands for.

The rules' own fix puts "an action the system allowed" where the label was, which leaves "It was a typical
an action the system allowed" and "This an action the system allowed was exacerbated". Here the whole noun
phrase is replaced, with its determiner kept and its article made to agree: "It was a typical human fault"
-> "It was an unguarded manual step"; "This human error was exacerbated" -> "This unguarded manual step was
exacerbated"; "a mix of technical and human errors" -> "a mix of technical and unguarded manual steps". The
words are data (plain_words.yaml `labels`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pipeline.models import Strict

LABEL_RULE = "BL003"  # human-error-label: the rule whose matches are labels for a person's part


class Labels(Strict):
    people: list[str]
    faults: list[str]
    judging: list[str]
    step: str


@lru_cache(maxsize=1)
def _labels() -> tuple[re.Pattern[str], str]:
    from pipeline.blameless.sentence import plain_word_file

    labels = plain_word_file().labels

    def any_of(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    pattern = re.compile(
        rf"(?<![\w-])(?:(?P<det>an?|the|this|these|our|their|its)\s+)?(?:(?:{any_of(labels.judging)})\s+)*"
        rf"(?:{any_of(labels.people)})\s+(?:{any_of(labels.faults)})(?P<plural>s)?"
        r"(?![\w-])"
        # "pilot error by the deploy operator": the person named as its agent goes with the label
        r"(?P<agent>\s+by\s+(?:the|an?|our|their|one)\s+(?:[a-z-]+\s+)?(?P<role>[a-z-]+)(?![\w-]))?",
        re.I,
    )
    return pattern, labels.step


def relabelled(text: str, people: Sequence[str] = ()) -> str:
    """`text` with each label for a person's part that the check flags (rule BL003) replaced by the step it
    stands for (see the module doc); "Client-side user errors climbed to 9%" is no label and stays."""
    from pipeline.blameless.linter import lint_matches

    pattern, _ = _labels()
    flagged = [(m.start, m.end) for m in lint_matches(text, people=people) if m.finding.rule_id == LABEL_RULE]

    def replace(match: re.Match[str]) -> str:
        if not any(start < match.end() and match.start() < end for start, end in flagged):
            return match.group()
        if not stands_for_a_step(text, match.end()):
            return match.group()
        return _step_for(text, match)

    return pattern.sub(replace, text)


def label_edit(text: str, start: int, end: int) -> tuple[int, int, str] | None:
    """The phrase fix for one BL003 match at text[start:end]: the whole label's noun phrase ("a typical human
    error") and the step that replaces it ("an unguarded manual step"), so the fix never reads "a typical an
    action the system allowed"; None when no label's phrase covers the match."""
    pattern, _ = _labels()
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    for match in pattern.finditer(text, line_start, line_end):
        if match.start() <= start and end <= match.end():
            return match.start(), match.end(), _step_for(text, match)
    return None


# After a label, words that make it a deed rather than a cause: "Operator error was made during the cutover by
# trusting X", "Human error in not realising that X". No step can stand in for it there ("An unguarded manual step
# was made").
_DEED_AFTER = re.compile(r"\s+(?:(?:was|were|is|are|been|be)\s+made\b|in\s+(?:not\s+)?[a-z]+ing\b)", re.I)


def stands_for_a_step(text: str, end: int) -> bool:
    """Can the step replace the label ending at `end`? Not where the sentence makes the label a deed."""
    return _DEED_AFTER.match(text, end) is None


def _step_for(text: str, match: re.Match[str]) -> str:
    """The step a matched label stands for, with its determiner made to agree and its capital kept."""
    from pipeline.blameless.sentence import _ROLES

    _, step = _labels()
    kept = match.group("agent") or ""
    if kept and match.group("role").lower().rstrip("s") in _ROLES:
        kept = ""  # "by the deploy operator" goes; "by the deploy tool" stays
    det = (match.group("det") or "").lower()
    plural = match.group("plural") is not None
    phrase = step + ("s" if plural else "")
    if det in {"a", "an"} or not det and not plural:
        det = "an" if phrase[:1] in "aeiou" else "a"
    if det == "this" and plural:
        det = "these"
    out = f"{det} {phrase}" if det else phrase
    opening = match.start() == 0 or re.search(r"[.!?]\s*$", text[: match.start()]) is not None
    if opening or match.group()[:1].isupper():
        out = out[:1].upper() + out[1:]
    return out + kept
