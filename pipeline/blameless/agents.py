"""The `agent` matcher kind: is the predicate's subject (or object) a person?

No part-of-speech tagger: a short look at the words next to the predicate decides. A person is a roster
or first name, a pronoun, a possessive of either ("Dave's commit"), or a role noun with a determiner
("the on-call engineer", "an intern"). Tool and product names are never persons unless a roster says so.
"""

from __future__ import annotations

import re

from pipeline.blameless.people import Roster

_TOKEN = re.compile(r"[A-Za-z][\w'’-]*|[^\sA-Za-z]")
_BOUNDARY = re.compile(r"[\x03.!?;:()\[\]]")
_FILLERS = frozenset(
    "just then also later again still never had has have already actually apparently ultimately "
    "subsequently immediately simply quickly accidentally mistakenly inadvertently really totally completely "
    "badly royally seriously".split()
)
_PRONOUNS = frozenset(
    {
        "I",
        "He",
        "he",
        "She",
        "she",
        "Someone",
        "someone",
        "Somebody",
        "somebody",
        "You",
        "you",
        "Whoever",
        "whoever",
        "Whomever",
        "whomever",
    }
)
_WE = frozenset({"We", "we"})
_THEY = frozenset({"They", "they"})
_OBJECT_PRONOUNS = frozenset({"him", "her", "me", "you", "them"})
_POSSESSIVE_PRONOUNS = frozenset({"his", "her", "my", "your", "His", "Her", "My", "Your"})
_DETERMINERS = frozenset("the a an our their this that one another his her my your some every each any".split())
_ROLES = frozenset(
    "engineer developer dev operator admin administrator sre on-call oncall on-caller intern reviewer author "
    "contractor responder team ops dba employee lead person individual staffer analyst technician "
    "consultant committer maintainer approver tester hire newcomer joiner".split()
)
_TEAM_NAMES = frozenset({"Ops", "SRE", "SREs", "DBA", "DBAs", "DevOps", "Infra", "QA", "Security", "Support", "IT"})
_ARTIFACTS = frozenset(
    "commit commits change changes pr prs deploy deployment push merge script config configuration migration "
    "patch query command rollout release update edit typo fix code diff branch".split()
)


_FREE_RELATIVES = frozenset({"whoever", "whomever"})
_RELATIVE_PRONOUNS = frozenset({"who", "that"})
# Words that open another clause: a predicate after one of them has its own subject.
_CLAUSE_OPENERS = frozenset(
    "which who that what why how where when whenever while after before because since until unless if and but "
    "or so although though once whereas as".split()
)
# Finite verbs a relative clause is likely to hold besides regular -ed forms; two finite verbs between the
# relative subject and the predicate mean the predicate probably belongs to another clause.
_IRREGULAR_FINITE = frozenset(
    "was were is are had has did said says told thought thinks knew knows saw ran made went got took wrote "
    "put sent left found gave came became began brought kept felt heard meant".split()
)

_CLAUSE_SUBJECTS = _DETERMINERS | {"it", "they", "he", "she", "we", "i", "you", "there"}


def _tokens(window: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(window))


def _base(word: str) -> str:
    """Strip a possessive ending: "Dave's" -> "Dave"."""
    for ending in ("'s", "’s", "s'", "s’"):
        if word.endswith(ending):
            return word[: -len(ending)] if ending[0] in "'’" else word[:-1]
    return word


def _is_possessive(word: str) -> bool:
    return word.endswith(("'s", "’s")) or word in _POSSESSIVE_PRONOUNS


_PERSON_MANAGERS = frozenset("release engineering incident product project program delivery hiring".split())


def _role(word: str, previous: str = "") -> bool:
    """A role noun; "manager" only as a person's title ("release manager", not "package manager")."""
    lowered = word.lower()
    if lowered in ("manager", "managers"):
        return previous.lower() in _PERSON_MANAGERS
    return lowered in _ROLES or (lowered.endswith("s") and lowered[:-1] in _ROLES)


def _role_phrase_start(tokens: list[re.Match[str]], index: int) -> int | None:
    """Index of the determiner before a role noun at `index` (up to two words between), or None."""
    for back in range(1, 4):
        k = index - back
        if k < 0 or not tokens[k].group(0)[0].isalpha():
            return None
        if tokens[k].group(0).lower() in _DETERMINERS:
            return k
    return None


def _person_at(tokens: list[re.Match[str]], index: int, roster: Roster, allow_we: bool) -> int | None:
    """If the noun phrase ending at tokens[index] is a person, the index where that phrase starts."""
    word = tokens[index].group(0)
    base = _base(word)
    if word in _PRONOUNS or (allow_we and word in _WE):
        return index
    if word in _THEY and _mentions_people(tokens[:index], roster):
        return index  # "Rosa's team wrote that job, they should have tested it": "they" are those people
    if roster.is_person_name(base):
        start = index
        while (
            start > 0 and roster.is_person_name(tokens[start - 1].group(0)) and tokens[start - 1].group(0)[:1].isupper()
        ):
            start -= 1
        return start
    previous = tokens[index - 1].group(0) if index > 0 else ""
    if _role(base, previous):
        det = _role_phrase_start(tokens, index)
        if det is not None:
            return det
    if base in _TEAM_NAMES:
        return index
    if _role(base, previous) and word[:1].isupper() and base.lower().endswith("s") and index == 0:
        return index  # "Engineers must ..." at the start of a sentence
    return None


def _mentions_people(tokens: list[re.Match[str]], roster: Roster) -> bool:
    """Whether the words before a "they" name a person, a role or a team (so "they" most likely means them)."""
    for i, token in enumerate(tokens):
        word = token.group(0)
        previous = tokens[i - 1].group(0) if i > 0 else ""
        if roster.is_person_name(_base(word)) or _role(_base(word), previous) or word in _TEAM_NAMES:
            return True
    return False


def subject_before(masked: str, start: int, roster: Roster, allow_we: bool) -> int | None:
    """Offset where a person subject of the predicate at `start` begins, or None."""
    window_start = max(0, start - 120)
    window = masked[window_start:start]
    cut = max((m.end() for m in _BOUNDARY.finditer(window)), default=0)
    tokens = _tokens(window[cut:])
    skipped = 0
    while tokens and skipped < 2 and tokens[-1].group(0).lower() in _FILLERS:
        tokens.pop()
        skipped += 1
    if len(tokens) > 1 and (tokens[-1].group(0) == "," or tokens[-1].group(0).isdigit()):
        # "Dave, who merged it, broke checkout"; "whoever pushed #2291 forgot to ..."
        found = _relative_subject(tokens, len(tokens) - 2, roster)
        return None if found is None else window_start + cut + tokens[found].start()
    if not tokens or not tokens[-1].group(0)[0].isalpha():
        return None
    index = len(tokens) - 1
    found = _person_at(tokens, index, roster, allow_we)
    if found is None and tokens[index].group(0).lower() in _ARTIFACTS:
        for back in (1, 2):
            k = index - back
            if k < 0:
                break
            owner = tokens[k].group(0)
            if _is_possessive(owner):
                if owner in _POSSESSIVE_PRONOUNS:
                    found = k
                else:
                    found = _person_at(tokens, k, roster, allow_we)
                break
    if found is None:
        found = _relative_subject(tokens, index, roster)
    if found is None:
        return None
    return window_start + cut + tokens[found].start()


def _is_finite_verb(word: str) -> bool:
    lowered = word.lower()
    return lowered in _IRREGULAR_FINITE or (len(lowered) > 4 and lowered.endswith("ed"))


def _relative_subject(tokens: list[re.Match[str]], index: int, roster: Roster) -> int | None:
    """Start of a relative-clause subject that ends just before the predicate, or None.

    "whoever pushed #2291 without testing it really messed up" and "the person who merged it dropped the
    ball" put a person before a one-verb relative clause. The look-back stops at anything that opens another
    clause ("... said the deploy broke"), so a system subject of the predicate is never skipped over.
    """
    verbs = 0
    for k in range(index, -1, -1):
        word = tokens[k].group(0)
        lowered = word.lower()
        if lowered in _FREE_RELATIVES:
            return k if k < index else None
        if lowered == "that" and k < index and tokens[k + 1].group(0).lower() in _CLAUSE_SUBJECTS:
            return None  # "told Dave that the deploy broke": a complement clause with its own subject
        if lowered in _RELATIVE_PRONOUNS and k < index:
            owner = k - 1 if k > 0 and tokens[k - 1].group(0) != "," else k - 2
            if owner >= 0 and tokens[owner].group(0)[0].isalpha():
                return _person_at(tokens, owner, roster, allow_we=False)
            return None
        if lowered in _CLAUSE_OPENERS:
            return None
        if _is_finite_verb(word):
            verbs += 1
            if verbs > 1:
                return None
    return None


def subject_after(masked: str, end: int, roster: Roster) -> int | None:
    """Offset where a person named right after the predicate at `end` ends, or None."""
    window = masked[end : end + 100]
    cut = next((m.start() for m in _BOUNDARY.finditer(window)), len(window))
    tokens = _tokens(window[:cut])
    if not tokens:
        return None
    first = tokens[0].group(0)
    if first in _OBJECT_PRONOUNS or first in _POSSESSIVE_PRONOUNS:
        return end + tokens[0].end()
    for index in range(min(len(tokens), 4)):
        word = tokens[index].group(0)
        if not word[0].isalpha():
            return None
        start = _person_at(tokens, index, roster, allow_we=False)
        if start == 0:
            return end + tokens[index].end()
        if index == 0 and word.lower() not in _DETERMINERS:
            return None
    return None
