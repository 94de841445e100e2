"""System phrasing for findings, and applying the rewrites that are safe.

A rewrite is *safe* when it only changes wording ("obviously" dropped, "the root cause" -> "a
contributing factor"); *review* rewrites may change what a sentence claims, so `--fix` never applies
them. The drafting pipeline applies both through `rewrite_blameless`, then re-checks its draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline import regex_cache
from pipeline.blameless.markdown import BLOCK, HIDDEN, SPEAKER_TAG, markup_in, masked_prose
from pipeline.blameless.relabel import LABEL_RULE, label_edit, stands_for_a_step
from pipeline.models import Finding, FindingRewrite

if TYPE_CHECKING:
    from pipeline.blameless.config import BlamelessConfig
    from pipeline.blameless.linter import Match

SAFE, REVIEW = "safe", "review"  # the two kinds of rewrite (the same words pipeline.blameless.sentence uses)
_CLAUSE_END = regex_cache.compile(r"[.,;!?\x03\x00()\[\]]|\s[-\u2013\u2014]\s")
_SENTENCE_START = regex_cache.compile(r"(?:\A|[.!?:\x03\n]\s*|^\s*(?:[-*+]|\d+[.)])\s+)\Z", re.M)


def object_after(masked: str, text: str, end: int, max_words: int = 8) -> str:
    """The words after a match up to the end of its clause: what the action was done to."""
    window = masked[end : end + 120]
    cut = _CLAUSE_END.search(window)
    words = text[end : end + (cut.start() if cut else len(window))].split()
    # "to renew X" after the match, or a match ending in "to" ("Know how to" + "renew X"): a step, not a thing
    infinitive = bool(words) and (words[0].lower() == "to" or text[max(0, end - 3) : end].lower() in (" to", "to"))
    while words and words[0].lower() in _LEADING:
        words = words[1:]
    phrase = " ".join(words[:max_words])
    return f"the step to {phrase}" if infinitive and phrase else phrase


_LEADING = frozenset("to on with in for about during when".split())


def suggestion_text(template: str, match: str, obj: str) -> str:
    """Fill a rule's suggestion template with the matched text and its object. The object is the text after
    the match, cut without a parse: it goes in only when it reads as a plain noun phrase ("the disk alerts",
    "redis-cache-2"), else the instruction says "it" rather than paste a fragment ("sentinel sooner tbh")."""
    filled = template.replace("{match}", match).replace("{object}", obj if _plain_object(obj) else "it")
    return re.sub(r'"([a-z])', lambda m: '"' + m.group(1).upper(), filled, count=1)


_DETERMINERS = frozenset("the a an this that these those our its their".split())
# Words a noun phrase does not start or end with, and chat filler that never belongs in one.
_NOT_AT_EDGE = frozenset(
    "to of in on for with about from by at as and or but so then than when while before after because if until till "
    "since unless w/ w/o "
    "was were is are be been being has have had do did does not never always again sooner later earlier "
    "before just really very too also only still already even ever yet".split()
)
_PRONOUNS = frozenset("it them him her me us you they he she we".split())
_FILLER = frozenset("tbh smh lol lmao imo imho fyi btw ofc welp ugh idk ngl af tf pls plz ok okay thx ty".split())


def _plain_object(obj: str) -> bool:
    """ "the disk alerts", "redis-cache-2", "the step to renew the cert": a short noun phrase; not "sentinel
    sooner tbh", "From before always latent" or "¯\\_"."""
    words = obj.split()
    if not words or len(words) > 7:
        return False
    lowered = [w.lower().strip(".,;:!?\"'()") for w in words]
    if any(not re.search(r"[a-z0-9]", w) or w in _FILLER or w in _PRONOUNS for w in lowered):
        return False  # "the step to them": a pronoun stands for something the example cannot name
    if len(lowered[-1]) > 4 and lowered[-1].endswith("ly"):
        return False  # "the node gracefully": the phrase runs on into an adverb
    if lowered[0] in _NOT_AT_EDGE or lowered[-1] in _NOT_AT_EDGE or lowered[-1] in _DETERMINERS:
        return False
    if len(lowered) > 1 and lowered[0].endswith("ing") and lowered[1] in _DETERMINERS:
        return False  # "pushing the config": a step, not a thing ("the billing service" is one)
    identifier = re.search(r"[\d_./-]", words[0]) is not None
    if lowered[0] in _DETERMINERS or identifier:
        return True
    return len(words) <= 3 and not any(w in _NOT_AT_EDGE for w in lowered)


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
        if (m.fix is not None or m.review_fix is not None) and _phrase_fix_fits(text, m)
    ]
    return apply_edits(text, edits)


def _phrase_fix_fits(text: str, match: Match) -> bool:
    """A rule's phrase fix reads in place, except for a label made a deed ("Operator error was made during the cutover
    by ...", "Human error in not realising ..."): no phrase can stand in for it, and the suggestion says what to write."""
    return match.finding.rule_id != LABEL_RULE or stands_for_a_step(text, match.end)


_SENTENCE_STOP = regex_cache.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)")


def sentence_edits(
    text: str, people: Sequence[str] = (), *, safe_only: bool = True, config: BlamelessConfig | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, rewrite) for each sentence holding a warning-or-worse finding that the grammar rewriter
    can rephrase (pipeline.blameless.sentence). Sentences touching masked text (quotes, code, front matter,
    metadata) are never rewritten. Parses nothing when no sentence is flagged."""
    from pipeline.blameless.linter import lint_matches

    flagged = [m for m in lint_matches(text, people=people, config=config) if m.finding.level.blocks]
    if not flagged:
        return []
    from pipeline.blameless.sentence import SAFE, rewrite_sentence

    masked = masked_prose(text)
    edits: list[tuple[int, int, str]] = []
    done: set[tuple[int, int]] = set()
    for match in flagged:
        start, end = _sentence_span(text, masked, match.start, match.end)
        line_start = text.rfind("\n", 0, start) + 1
        quoted = text[line_start:end].lstrip().startswith(">")
        if (start, end) in done or quoted or not _rewritable(text, masked, start, end):
            continue
        done.add((start, end))
        rewrite = rewrite_sentence(_one_line(text[start:end]), people)
        if rewrite is not None and (rewrite.safety == SAFE or not safe_only):
            edits.append((start, end, rewrite.text))
    return edits


def apply_sentence_rewrites(
    text: str, people: Sequence[str] = (), *, safe_only: bool = True, config: BlamelessConfig | None = None
) -> str:
    """`text` with its flagged sentences rephrased: only safe rewrites (--fix), or review ones too (--diff)."""
    return apply_edits(text, sentence_edits(text, people, safe_only=safe_only, config=config))


@dataclass(frozen=True)
class Edit:
    """A planned rewrite of `text[start:end]`: a whole sentence (grammar rewrite) or a rule's phrase fix."""

    start: int
    end: int
    replacement: str
    safety: str  # "safe" (what --fix writes) or "review"


def plan_rewrites(
    text: str, matches: Sequence[Match], people: Sequence[str] = (), *, sentences: bool = True
) -> list[Edit | None]:
    """One edit (or None) per match of `text`, never touching quoted text: blockquotes, quoted chat, code,
    front matter and metadata lines are left as written whatever the check's config says.

    A warning-or-worse match gets its sentence's grammar rewrite when `sentences` (this parses the sentence,
    spaCy, loaded on first use); otherwise, and when the parse offers none, the rule's own phrase fix."""
    # quotes and blockquotes hidden: where a whole sentence may not be rewritten, and where its paragraph ends
    guard = masked_prose(text, skip_quotes=True, skip_blockquotes=True) if sentences else ""
    rewritten: dict[tuple[int, int], Edit | None] = {}
    plan: list[Edit | None] = []
    if sentences:
        _parse_ahead(text, matches, guard)
    for match in matches:
        if match.quoted:
            plan.append(None)
            continue
        edit = None
        if sentences and match.finding.level.blocks:
            span = _sentence_span(text, guard, match.start, match.end)
            if span not in rewritten:
                rewritten[span] = _sentence_edit(text, span, guard, people)
            edit = rewritten[span]
        if edit is None and (match.fix is not None or match.review_fix is not None) and _phrase_fix_fits(text, match):
            safe = match.fix is not None
            replacement = match.fix if safe else match.review_fix or ""
            start, end = _with_article(text, match.start, replacement), match.end
            if start < match.start and text[start].isupper():
                replacement = replacement[:1].upper() + replacement[1:]  # "A human error ..." opened the sentence
            if match.finding.rule_id == LABEL_RULE and (whole := label_edit(text, match.start, match.end)):
                start, end, replacement = whole  # "a typical human error" -> "an unguarded manual step"
            edit = Edit(start, end, replacement, SAFE if safe else REVIEW)
        plan.append(edit)
    return plan


def _parse_ahead(text: str, matches: Sequence[Match], masked: str) -> None:
    """Parse, in one batch, the sentences `plan_rewrites` will rewrite (the same matches, the same test of
    each sentence)."""
    spans = {_sentence_span(text, masked, m.start, m.end) for m in matches if not m.quoted and m.finding.level.blocks}
    if not spans:
        return  # nothing to parse: spaCy stays unloaded
    from pipeline.blameless.sentence import parse_ahead

    parse_ahead(_one_line(text[start:end]) for start, end in sorted(spans) if _rewritable(text, masked, start, end))


def _with_article(text: str, start: int, replacement: str) -> int:
    """Where a phrase fix starts: before the "a " in front of it when the replacement brings its own article
    ("a human error" -> "an action the system allowed", not "a an action ...")."""
    if re.match(r"(?:an?|the) ", replacement, re.I) and re.search(
        r"(?:^|\W)an? $", text[max(0, start - 3) : start], re.I
    ):
        return start - (3 if text[start - 3 : start].lower() == "an " else 2)
    return start


def _sentence_span(text: str, masked: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding text[start:end], within its paragraph or block: a hard-wrapped paragraph's line ends
    are spaces in the `masked` text (markdown.segment), so a sentence runs across them ("... instead. The" /
    "engineer terminated ..."); a block boundary, a blank line or a list item ends it."""
    from pipeline.blameless.tone import only_tone

    begin = _sentence_start(text, masked, start)
    stop = _SENTENCE_STOP.search(text, end)
    finish = stop.start() if stop else len(text)
    for boundary in (masked.find(BLOCK, end), masked.find("\n", end)):
        finish = min(finish, boundary) if boundary >= 0 else finish
    line_start, line_end = _line_bounds(text, start)[0], _line_bounds(text, end)[1]
    if begin < line_start and _title_line(_line_at(text, line_start - 1)):
        begin = line_start  # "Overview" on the line above, a heading written without "#": not part of the sentence
    if finish > line_end and _title_line(_line_at(text, line_end + 1)):
        finish = line_end  # "What Happened" on the line below
    while begin < finish and text[begin] in " \t\n":
        begin += 1
    before = len(text[:begin].rstrip())
    if before and only_tone(text[begin:finish]):
        # "... to every mobile user. Real visionaries.": a sentence of nothing but tone is about the one before it
        earlier = _sentence_start(text, masked, before - 1)
        if max(masked.rfind(BLOCK, 0, begin), masked.rfind("\n", 0, begin)) < earlier:
            begin = earlier
            while text[begin] in " \t\n":
                begin += 1
    return begin, finish


def _line_bounds(text: str, at: int) -> tuple[int, int]:
    """Where the line holding text[at] starts and ends (the end is its newline, or the end of the text)."""
    end = text.find("\n", at)
    return text.rfind("\n", 0, at) + 1, len(text) if end < 0 else end


def _line_at(text: str, at: int) -> str:
    start, end = _line_bounds(text, at)
    return text[start:end]


def _title_line(line: str) -> bool:
    """A short line with no sentence punctuation, each word capitalized: a heading written without Markdown's "#"
    ("Overview", "What Happened"), as documents pasted from a word processor have them."""
    words = line.split()
    return 0 < len(words) <= 4 and line.rstrip()[-1:] not in ".!?:;," and all(w[:1].isupper() for w in words)


def _sentence_start(text: str, masked: str, position: int) -> int:
    """Where the sentence holding `position` starts: after the last sentence stop, block or line end before it."""
    begin = max((m.end() for m in _SENTENCE_STOP.finditer(text, 0, position)), default=0)
    return max(begin, masked.rfind(BLOCK, 0, position) + 1, masked.rfind("\n", 0, position) + 1)


def _one_line(sentence: str) -> str:
    """A sentence wrapped over several lines, as one line: what the parser reads and the rewrite replaces."""
    return " ".join(sentence.split())


def _sentence_edit(text: str, span: tuple[int, int], masked: str, people: Sequence[str]) -> Edit | None:
    from pipeline.blameless.sentence import rewrite_sentence

    start, end = span
    if not _rewritable(text, masked, start, end):
        return None
    rewrite = rewrite_sentence(_one_line(text[start:end]), people)
    return None if rewrite is None else Edit(start, end, rewrite.text, rewrite.safety)


def _rewritable(text: str, masked: str, start: int, end: int) -> bool:
    """A sentence with nothing quoted or hidden in it, within one block. An IRC line's speaker tag ("<tess> ") is
    hidden as markup but is no quote: the rewrite keeps it as the line's label."""
    tag = re.match(SPEAKER_TAG, text[start:end])
    start += tag.end() if tag else 0
    in_block = HIDDEN not in masked[start:end] and BLOCK not in masked[start:end].strip(BLOCK)
    return in_block and not markup_in(text, start, end)


def apply_plan(text: str, plan: Iterable[Edit | None], *, safe_only: bool) -> str:
    """`text` with the planned edits (only the safe ones for --fix); a sentence rewrite wins over a phrase
    fix inside it, and a sentence shared by several matches is rewritten once."""
    chosen: list[Edit] = []
    candidates = {e for e in plan if e is not None and (e.safety == SAFE or not safe_only)}
    for edit in sorted(candidates, key=lambda e: (e.start, -(e.end - e.start))):
        if not chosen or edit.start >= chosen[-1].end:
            chosen.append(edit)
    return apply_edits(text, [(e.start, e.end, e.replacement) for e in chosen])


def finding_rewrite(text: str, masked: str, edit: Edit) -> FindingRewrite:
    """What the output shows for an edit: the whole sentence before and after, marked safe or review (`masked`:
    the text as markdown.segment masks it, for where the sentence's paragraph ends)."""
    start, end = _sentence_span(text, masked, edit.start, edit.end)
    start, end = min(start, edit.start), max(end, edit.end)
    before = text[start:end]
    after = apply_edits(before, [(edit.start - start, edit.end - start, edit.replacement)])
    return FindingRewrite(safety=edit.safety, original=" ".join(before.split()), text=" ".join(after.split()))
