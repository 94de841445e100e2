"""Where a match does not count as blame: negated labels (pipeline/blameless/context.yaml).

Quotation, code, front matter and metadata lines are masked before any rule runs (markdown.py); a
negation can only be judged next to a match, so the linter asks `negated` about each candidate.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import field_validator

from pipeline.datafiles import load_yaml_model
from pipeline.models import Strict
from pipeline.package_data import package_path

CONTEXT_PATH = package_path("blameless", "context.yaml")
_WINDOW = 80  # characters looked at on each side of a match


class Negation(Strict):
    rules: list[str]
    before: str
    after: str

    @field_validator("before", "after")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regular expression: {exc}") from exc
        return value


class ContextFile(Strict):
    negation: Negation


@lru_cache(maxsize=1)
def _negation() -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]:
    negation = load_yaml_model(CONTEXT_PATH, ContextFile).negation
    rules = frozenset(rule.lower() for rule in negation.rules)
    return rules, re.compile(negation.before), re.compile(negation.after)


def negated(lowered: str, start: int, end: int, rule_id: str, slug: str) -> bool:
    """True when the sentence denies this label or attribution ("it was not human error")."""
    rules, before, after = _negation()
    if rule_id.lower() not in rules and slug not in rules:
        return False
    if before.search(lowered, max(0, start - _WINDOW), start):
        return True
    return after.match(lowered, end, end + _WINDOW) is not None
