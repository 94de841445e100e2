"""Model output is untrusted input: the checks a model's sentence passes before it may enter a draft.

Secrets in replies are redacted where replies arrive (`pipeline.llm`); here, people: a draft names a
person only in a factual role statement ("Priya (IC) declared SEV-1"), so a model sentence that names
someone anywhere else is treated like blame (rewritten or removed, never kept), and a repair may not
bring in a name that the sentence it repairs did not have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NAME_TOKEN_RE = re.compile(r"(?<![\w'-])[A-Z][a-z]+(?![\w'-])")
PERSON_OUTSIDE_ROLE = "blameless check: names a person outside a factual role statement"


def person_names(text: str, people: Sequence[str]) -> set[str]:
    """Name tokens in `text` that are people: the incident's roster, or common first names."""
    from pipeline.blameless.people import build_roster

    roster = build_roster(people)
    return {token for token in NAME_TOKEN_RE.findall(text) if roster.is_person_name(token)}


def names_outside_role_statements(text: str, people: Sequence[str]) -> set[str]:
    """People `text` names other than in a role statement ("Dave caused this outage.")."""
    from pipeline.blameless.people import names_in_role_statements

    in_roles = {part for name in names_in_role_statements(text) for part in name.split()}
    return person_names(text, people) - in_roles


def introduced_names(original: str, rewrite: str, people: Sequence[str]) -> set[str]:
    """People a rewrite names that the original did not: a repair must not move blame onto someone."""
    return person_names(rewrite, people) - person_names(original, people)


def secret_warning(kinds: Sequence[str]) -> list[str]:
    """The warning for secrets a model emitted (already replaced), or none."""
    if not kinds:
        return []
    listed = ", ".join(sorted(set(kinds)))
    return [f"the model's reply contained {len(kinds)} secret(s) ({listed}); replaced with [REDACTED:...]"]
