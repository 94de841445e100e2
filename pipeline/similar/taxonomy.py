"""Trigger and factor categories found in a text, from the keyword taxonomy kept as data (taxonomy.yaml).

Categories make matches checkable: "shared trigger: certificate-expiry" is something a reviewer can verify
by reading both postmortems, unlike a bare similarity score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.package_data import package_path

TAXONOMY_PATH = package_path("similar", "taxonomy.yaml")
LONG_TEXT_WORDS = 300
MIN_HITS_LONG_TEXT = 2


@dataclass(frozen=True)
class Categories:
    triggers: tuple[str, ...]
    factors: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    triggers: dict[str, re.Pattern[str]]
    factors: dict[str, re.Pattern[str]]

    def categorize(self, text: str) -> Categories:
        """The categories whose terms occur in `text`, most mentioned first.

        In a long postmortem one passing mention ("we checked DNS") is not what the incident was about,
        so texts over LONG_TEXT_WORDS words need MIN_HITS_LONG_TEXT mentions of a category.
        """
        min_hits = MIN_HITS_LONG_TEXT if len(text.split()) > LONG_TEXT_WORDS else 1
        text = text.lower()  # patterns are lowercase: twice as fast as re.IGNORECASE over long postmortems
        return Categories(
            triggers=_matching(self.triggers, text, min_hits), factors=_matching(self.factors, text, min_hits)
        )


def _matching(categories: dict[str, re.Pattern[str]], text: str, min_hits: int) -> tuple[str, ...]:
    counts = {name: len(pattern.findall(text)) for name, pattern in categories.items()}
    return tuple(sorted((name for name, hits in counts.items() if hits >= min_hits), key=lambda n: -counts[n]))


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_PATH) -> Taxonomy:
    """Compile each category's terms into one lowercase whole-word regex; a malformed file is a ConfigError
    naming file:line (pipeline.datafiles)."""
    from pipeline.datafiles import TaxonomyFile, load_yaml_model

    data = load_yaml_model(path, TaxonomyFile)

    def compiled(categories: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
        return {name: re.compile("|".join(_term_regex(t.lower()) for t in terms)) for name, terms in categories.items()}

    return Taxonomy(triggers=compiled(data.triggers), factors=compiled(data.factors))


def _term_regex(term: str) -> str:
    if term.endswith("*"):
        return rf"\b{re.escape(term[:-1])}\w*"
    return rf"\b{re.escape(term)}\b"
