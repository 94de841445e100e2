"""Trigger words of a compiled pattern: literal strings one of which every match must contain.

The linter finds where any trigger occurs with one scan (a trie-shaped expression), then runs a pattern
only on the blocks holding one of its triggers, instead of over the whole document. Results are the same
as a full scan when no match can cross a block boundary (\\x03), which `block_safe` checks; a pattern
without triggers, or that is not block-safe, still runs over the whole text. A pattern that needs several
literals in turn ("why ... didn't ..." needs one of "why" and one of "didn't", "did", ...) runs only on the
blocks holding one literal of each set (`required_sets`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pipeline.package_data import package_path

# The triggers of every bundled pattern, computed ahead: parsing 240 expressions again costs about 0.1 s a
# run. Keyed by expression source, so a changed or custom pattern is simply parsed at run time. Regenerate
# after editing rules.yaml: python -m pipeline.blameless.docs triggers > pipeline/blameless/triggers.json
BUNDLED_PATH = package_path("blameless", "triggers.json")

try:  # the parser behind `re`; private, so every use falls back to a full scan when it is missing
    from re import _constants as _C
    from re import _parser as _P
except ImportError:  # pragma: no cover - Python < 3.11
    _C = _P = None  # type: ignore[assignment]

_MAX_SET = 64  # larger sets of alternatives are treated as "no literal"
_BLOCK = 3  # ord("\x03"), the block separator of the masked text


def prefilter(source: str) -> frozenset[str] | None:
    """The triggers of `source` when it is block-safe (one parse for both questions), else None."""
    found = required_sets(source)
    return None if found is None else found[0]


def required_sets(source: str) -> tuple[frozenset[str], ...] | None:
    """When `source` is block-safe and has triggers: its triggers first, then every other set of literals
    one of which each of its matches holds (each item of its top-level sequence gives one); else None."""
    parsed = _parse(source)
    try:
        if parsed is None or not _safe(parsed):
            return None
        _, best, _, candidates = _sequence_and_candidates(parsed)
        if not best or "" in best:
            return None
        found = _reduced(best)
        others = {_reduced(c) for c in candidates if c is not best and all(c)} - {found, frozenset()}
        return (found, *sorted(others, key=sorted))
    except Exception:  # noqa: BLE001 - an unusual construct means "scan everything", never an error
        return None


@lru_cache(maxsize=1)
def bundled_prefilters() -> dict[str, tuple[frozenset[str], ...] | None]:
    """`required_sets(source)` of the bundled rules' expressions, read from triggers.json (empty when absent)."""
    try:
        table = json.loads(BUNDLED_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {source: None if sets is None else tuple(map(frozenset, sets)) for source, sets in table.items()}


def known_required_sets(source: str) -> tuple[frozenset[str], ...] | None:
    """`required_sets(source)`, from the bundled table when it holds this exact expression."""
    table = bundled_prefilters()
    return table[source] if source in table else required_sets(source)


def known_prefilter(source: str) -> frozenset[str] | None:
    """`prefilter(source)`, from the bundled table when it holds this exact expression."""
    found = known_required_sets(source)
    return None if found is None else found[0]


def bundled_table() -> str:
    """triggers.json for the bundled rules: every expression and cue, with its required sets (triggers first)."""
    from pipeline.blameless.rules import RULES_PATH, load_rules

    rules = load_rules(RULES_PATH)
    sources = {
        regex.pattern
        for compiled in rules.rules
        for pattern in compiled.patterns
        for regex in (pattern.regex, pattern.near)
        if regex is not None
    }
    table = {
        source: (None if (found := required_sets(source)) is None else [sorted(words) for words in found])
        for source in sorted(sources)
    }
    return json.dumps(table, indent=0, ensure_ascii=False, sort_keys=True) + "\n"


def triggers(source: str) -> frozenset[str] | None:
    """The best set of literals one of which every match of `source` contains, or None."""
    parsed = _parse(source)
    try:
        return None if parsed is None else _triggers(parsed)
    except Exception:  # noqa: BLE001
        return None


def block_safe(source: str) -> bool:
    """True when no match (or lookaround) of `source` can consume the block separator or test for an end."""
    parsed = _parse(source)
    try:
        return parsed is not None and _safe(parsed)
    except Exception:  # noqa: BLE001
        return False


def _parse(source: str) -> list[tuple[Any, Any]] | None:
    """The parse tree, or None when the parser is unavailable or the pattern ignores case."""
    if _P is None:
        return None
    try:
        parsed = _P.parse(source)
    except Exception:  # noqa: BLE001 - `re.compile` has already accepted it; be safe anyway
        return None
    return None if parsed.state.flags & re.IGNORECASE else list(parsed)


def _triggers(parsed: list[tuple[Any, Any]]) -> frozenset[str] | None:
    _, required, _ = _sequence(parsed)
    if not required or "" in required:
        return None
    return _reduced(required)


def _reduced(literals: set[str]) -> frozenset[str]:
    """A literal holding another of the set adds nothing: a text with it holds the shorter one."""
    return frozenset(t for t in literals if not any(o != t and o in t for o in literals))


def _score(literals: set[str]) -> tuple[int, int]:
    """Longer literals are rarer; among equals, fewer alternatives. One of English's commonest words, or a
    literal under three letters, counts as a single letter: "with", "that" or "the" is in a good share of all
    blocks ("on" or "is" inside many more words), so it filters little and makes the trigger scan stop thousands
    of times."""
    return min(1 if t in _COMMON or len(t) < 3 else len(t) for t in literals), -len(literals)


_COMMON = frozenset(
    "a about all an and are as at be been but by can for from had has have he her his i if in is it not of on one"
    " or our she that the their there they this to was we were what when which who will with would you".split()
)


def _sequence(items: list[tuple[Any, Any]]) -> tuple[set[str] | None, set[str] | None, set[str] | None]:
    whole, best, prefixes, _ = _sequence_and_candidates(items)
    return whole, best, prefixes


def _sequence_and_candidates(
    items: list[tuple[Any, Any]],
) -> tuple[set[str] | None, set[str] | None, set[str] | None, list[set[str]]]:
    """(exact, required, prefixes, candidates) of a sequence: the strings it matches when they are a finite
    set, the best literal set one of which every match holds, strings one of which every match starts with,
    and every literal set found one of which every match holds (`required` is the best of them).
    Consecutive exact items are concatenated, and so is a run with the prefixes of the item after it
    ("r" then "oot cause|ca" gives "root", "rca" rather than "ca")."""
    candidates: list[set[str]] = []
    run: set[str] = {""}
    exact_all = True
    prefixes: set[str] | None = None

    def flush() -> None:
        nonlocal run
        if run and all(run):
            candidates.append(run)
        run = {""}

    for op, av in items:
        exact, required, starts = _node(op, av)
        if exact is not None:
            joined = {a + b for a in run for b in exact}
            if len(joined) > _MAX_SET:
                if exact_all:
                    prefixes = run if all(run) else None
                exact_all = False
                flush()
                run = set(exact)
            else:
                run = joined
            continue
        led = {a + b for a in run for b in starts} if starts and len(run) * len(starts) <= _MAX_SET else None
        if exact_all:
            prefixes = led if led is not None else (run if all(run) else None)
        exact_all = False
        if led is not None:
            candidates.append(led)
        flush()
        if required is not None:
            candidates.append(required)
    whole = run if exact_all else None
    if exact_all:
        prefixes = run if all(run) else None
    flush()
    best = max(candidates, key=_score, default=None)
    return whole, best, prefixes, candidates


def _node(op: Any, av: Any) -> tuple[set[str] | None, set[str] | None, set[str] | None]:
    if op is _C.LITERAL:
        return {chr(av)}, {chr(av)}, {chr(av)}
    if op is _C.SUBPATTERN:
        if av[1] & re.IGNORECASE:
            return None, None, None
        return _sequence(list(av[-1]))
    if op is _C.BRANCH:
        results = [_sequence(list(alternative)) for alternative in av[1]]
        exact: set[str] | None = None
        if all(e is not None for e, _, _ in results):
            exact = set().union(*(e for e, _, _ in results))  # type: ignore[misc]
            if len(exact) > _MAX_SET:
                exact = None
        required = starts = None
        if all(r is not None for _, r, _ in results):
            required = set().union(*(r for _, r, _ in results))  # type: ignore[misc]
        if all(p for _, _, p in results):
            starts = set().union(*(p for _, _, p in results))  # type: ignore[misc]
            if len(starts) > _MAX_SET:
                starts = None
        return exact, required, starts
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
        low, high, body = av
        exact, required, starts = _sequence(list(body))
        if low == 0:
            return ((exact | {""}) if exact is not None and high == 1 else None), None, None
        return (exact if low == high == 1 else None), required, starts
    if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        return {""}, None, None  # zero-width
    return None, None, None


def _safe(items: Iterable[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op is _C.LITERAL:
            if av == _BLOCK:
                return False
        elif op is _C.NOT_LITERAL:
            if av != _BLOCK:
                return False
        elif op is _C.ANY:
            return False
        elif op is _C.IN:
            if not _class_safe(av):
                return False
        elif op is _C.AT:
            if av not in (_C.AT_BOUNDARY, _C.AT_NON_BOUNDARY):
                return False
        elif op is _C.SUBPATTERN:
            if not _safe(av[-1]):
                return False
        elif op is _C.BRANCH:
            if not all(_safe(alternative) for alternative in av[1]):
                return False
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            if not _safe(av[2]):
                return False
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if not _safe(av[1]):
                return False
        else:
            return False
    return True


def _class_safe(members: list[tuple[Any, Any]]) -> bool:
    """A character class cannot match \\x03: a negated class must list it, a plain one must not hold it."""
    negated = bool(members) and members[0][0] is _C.NEGATE
    holds = False
    for op, av in members:
        if op is _C.LITERAL and av == _BLOCK:
            holds = True
        elif op is _C.RANGE and av[0] <= _BLOCK <= av[1]:
            holds = True
        elif op is _C.CATEGORY and av not in (_C.CATEGORY_WORD, _C.CATEGORY_SPACE, _C.CATEGORY_DIGIT):
            if not negated:
                return False
    return holds if negated else not holds


def trie_expression(words: Iterable[str]) -> str:
    """One expression matching any of `words`, shaped as a trie so `re` tries few branches per position;
    at a position it matches the longest word that starts there."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)
