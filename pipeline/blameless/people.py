"""Who counts as a person: the roster that lets "Dave forgot" be caught and "Kubernetes killed" pass.

Sources, most precise first: names passed by the drafting pipeline (chat participants), config `people:`,
`incident.toml` `[[people]] name = ...`, names the document itself gives a role ("Priya (IC)"), and an
optional bundled list of common first names. Names are case-sensitive: "Bob" is a person, "bob" is not.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from pipeline.errors import ConfigError

FIRST_NAMES_PATH = Path(__file__).with_name("first_names.txt")

_ROLE_WORDS = (
    r"IC|OL|CL|SME|scribe|incident commander|commander|ops lead|operations lead|comms lead|"
    r"communications lead|tech lead|on-?call|primary|secondary|lead|engineer|SRE|DBA|responder|author|reviewer"
)
_NAME = r"(?<![\w'-])([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?![\w'-])"
_ROLE_AFTER = re.compile(_NAME + r"\s*\((?:[^)\n]{0,30}?\b)?(?:" + _ROLE_WORDS + r")\b[^)\n]{0,30}\)")
_AFTER_SEPARATOR = re.compile(r"[:=\u2013-][ \t]*" + _NAME)  # starts with a rare character: a fast scan
_ROLE_ENDING = re.compile(r"\b(?:" + _ROLE_WORDS + r")[ \t]*\Z", re.I)
_NOT_NAMES = frozenset({"The", "A", "An", "We", "Our", "They", "It", "This", "That", "Incident", "Team", "On", "Owner"})


@dataclass(frozen=True)
class Roster:
    """Name tokens known to be people, plus whether the bundled first-name list applies."""

    names: frozenset[str]
    use_first_names: bool = True

    def is_person_name(self, token: str) -> bool:
        """True for a roster token, or a capitalized common first name when the list is on."""
        if token in self.names:
            return True
        return self.use_first_names and token[:1].isupper() and token in first_names()


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The bundled first-name list (comment lines start with #)."""
    lines = FIRST_NAMES_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


def names_in_role_statements(text: str) -> set[str]:
    """Names the document itself gives a role: "Priya (IC)", "Incident commander: Sam Lee"."""
    found = {m.group(1) for m in _ROLE_AFTER.finditer(text)}
    found |= {m.group(1) for m in _AFTER_SEPARATOR.finditer(text)
              if _ROLE_ENDING.search(text, max(0, m.start() - 40), m.start())}
    return {name for name in found if name.split()[0] not in _NOT_NAMES}


def people_from_incident_toml(path: Path) -> list[str]:
    """Names under `[[people]]` (or a plain `people = ["..."]` list) in an incident.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML: {exc}", line=toml_error_line(exc)) from exc
    names: list[str] = []
    for entry in data.get("people", []) or []:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.append(entry["name"])
    return names


def toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    """tomllib puts the line in its message ("... (at line 2, column 9)") before Python 3.14."""
    found = re.search(r"at line (\d+)", str(exc))
    return int(found.group(1)) if found else getattr(exc, "lineno", None)


def build_roster(*sources: Iterable[str], text: str = "", use_first_names: bool = True) -> Roster:
    """Merge name sources (and the document's role statements) into one Roster of name tokens."""
    tokens: set[str] = set()
    for source in (*sources, names_in_role_statements(text) if text else ()):
        for name in source:
            tokens.update(part for part in name.split() if part[:1].isupper())
    return Roster(frozenset(tokens), use_first_names)
