"""System phrasing for findings, and applying the rewrites that are safe.

A rewrite is *safe* when it only changes wording ("obviously" dropped, "the root cause" -> "a
contributing factor"); *review* rewrites may change what a sentence claims, so `--fix` never applies
them. The drafting pipeline applies both through `rewrite_blameless`, then re-checks its draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pipeline.models import Finding

if TYPE_CHECKING:
    from pipeline.blameless.config import BlamelessConfig

_CLAUSE_END = re.compile(r"[.,;!?\x03\x00()\[\]]|\s[-\u2013\u2014]\s")
_SENTENCE_START = re.compile(r"(?:\A|[.!?:\x03\n]\s*|^\s*(?:[-*+]|\d+[.)])\s+)\Z", re.M)


def object_after(masked: str, text: str, end: int, max_words: int = 8) -> str:
    """The words after a match up to the end of its clause: what the action was done to."""
    window = masked[end : end + 120]
    cut = _CLAUSE_END.search(window)
    words = text[end : end + (cut.start() if cut else len(window))].split()
    infinitive = bool(words) and words[0].lower() == "to"
    while words and words[0].lower() in _LEADING:
        words = words[1:]
    phrase = " ".join(words[:max_words])
    return f"the step to {phrase}" if infinitive and phrase else phrase


_LEADING = frozenset("to on with in for about during when".split())


def suggestion_text(template: str, match: str, obj: str) -> str:
    """Fill a rule's suggestion template with the matched text and its object."""
    filled = template.replace("{match}", match).replace("{object}", obj or "this")
    return re.sub(r'"([a-z])', lambda m: '"' + m.group(1).upper(), filled, count=1)


def fix_text(replacement: str, capital: bool) -> str:
    """Give the replacement the capital letter of the sentence-initial text it replaces."""
    if replacement and capital:
        return replacement[0].upper() + replacement[1:]
    return replacement


def apply_edits(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """Apply (start, end, replacement) edits; a deletion also takes the following spaces, and a deleted
    sentence opener passes its capital letter on to the next word. Overlapping edits keep the first."""
    chosen: list[tuple[int, int, str]] = []
    for start, end, replacement in sorted(edits):
        if chosen and start < chosen[-1][1]:
            continue
        chosen.append((start, end, replacement))
    out = text
    for start, end, replacement in reversed(chosen):
        if replacement == "":
            while end < len(out) and out[end] in " \t":
                end += 1
            opener = out[start : start + 1].isupper() and _SENTENCE_START.search(out[:start]) is not None
            rest = out[end:]
            if opener and rest[:1].islower():
                rest = rest[0].upper() + rest[1:]
            out = out[:start] + rest
        else:
            out = out[:start] + replacement + out[end:]
    return out


def _offset(line_starts: Sequence[int], line: int, column: int) -> int:
    return line_starts[line - 1] + column - 1


def line_starts_of(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def apply_safe_fixes(text: str, findings: Iterable[Finding]) -> str:
    """Rewrite `text` with every finding's safe fix (findings must come from this same text)."""
    starts = line_starts_of(text)
    edits = [
        (_offset(starts, f.line, f.column), _offset(starts, f.end_line, f.end_column), f.fix)
        for f in findings
        if f.fix is not None
    ]
    return apply_edits(text, edits)


def rewrite_blameless(text: str, people: Sequence[str] = ()) -> str:
    """What the drafting pipeline calls: `text` with safe and review rewrites applied.

    Findings without any rewrite stay in the text; the pipeline's gate re-checks the result with
    `lint_text` and reports what is left.
    """
    from pipeline.blameless.linter import lint_matches

    edits = [
        (m.start, m.end, m.fix if m.fix is not None else m.review_fix)
        for m in lint_matches(text, people=people)
        if m.fix is not None or m.review_fix is not None
    ]
    return apply_edits(text, edits)


_SENTENCE_STOP = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)")


def sentence_edits(
    text: str, people: Sequence[str] = (), *, safe_only: bool = True, config: BlamelessConfig | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, rewrite) for each sentence holding a warning-or-worse finding that the grammar rewriter
    can rephrase (pipeline.blameless.sentence). Sentences touching masked text (quotes, code, front matter,
    metadata) are never rewritten. Parses nothing when no sentence is flagged."""
    from pipeline.blameless.linter import lint_matches
    from pipeline.blameless.markdown import BLOCK, HIDDEN, segment

    flagged = [m for m in lint_matches(text, people=people, config=config) if m.finding.level.blocks]
    if not flagged:
        return []
    from pipeline.blameless.sentence import SAFE, rewrite_sentence

    masked = segment(text).masked
    edits: list[tuple[int, int, str]] = []
    done: set[tuple[int, int]] = set()
    for match in flagged:
        start = max((m.end() for m in _SENTENCE_STOP.finditer(text, 0, match.start)), default=0)
        start = max(start, text.rfind("\n", 0, match.start) + 1 if "\n" in text[: match.start] else 0)
        stop = _SENTENCE_STOP.search(text, match.end)
        end = stop.start() if stop else len(text)
        newline = text.find("\n", match.end)
        end = min(end, newline) if newline >= 0 else end
        while start < end and text[start] in " \t":
            start += 1
        line_start = text.rfind("\n", 0, start) + 1
        quoted = text[line_start:end].lstrip().startswith(">")
        if (start, end) in done or quoted or HIDDEN in masked[start:end] or BLOCK in masked[start:end].strip(BLOCK):
            continue
        done.add((start, end))
        rewrite = rewrite_sentence(text[start:end], people)
        if rewrite is not None and (rewrite.safety == SAFE or not safe_only):
            edits.append((start, end, rewrite.text))
    return edits


def apply_sentence_rewrites(
    text: str, people: Sequence[str] = (), *, safe_only: bool = True, config: BlamelessConfig | None = None
) -> str:
    """`text` with its flagged sentences rephrased: only safe rewrites (--fix), or review ones too (--diff)."""
    return apply_edits(text, sentence_edits(text, people, safe_only=safe_only, config=config))
