"""The blameless check as a library: `lint_text(text) -> list[Finding]`.

    from pipeline.blameless import lint_text
    for finding in lint_text(open("draft.md").read(), path="draft.md", people=["Dave"]):
        print(finding.line, finding.rule_id, finding.message)

Each compiled pattern runs once over the masked document (see markdown.py), or, once enough text has been
checked, only over the blocks that hold one of its trigger words (triggers.py; same findings), so the
cost is linear in the document's length; rules compile once per process. A long document is checked by two
processes, each over half its blocks (`_rule_matches_in_two_processes`), where the machine has a second core.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from pipeline import regex_cache
from pipeline.background import can_fork, in_background
from pipeline.blameless.agents import subject_after, subject_before, unknown_name_subject
from pipeline.blameless.config import BlamelessConfig
from pipeline.blameless.context import negated
from pipeline.blameless.markdown import (
    BLOCK,
    HIDDEN,
    PICTOGRAPHS,
    SPEAKER_TIME,
    Document,
    OneMatchIgnore,
    folded,
    markup_in,
    segment,
)
from pipeline.blameless.people import Roster, build_roster
from pipeline.blameless.rewrite import fix_text, object_after, suggestion_text
from pipeline.blameless.rules import CompiledPattern, CompiledRule, Rule, RuleSet, active_rules
from pipeline.models import Finding, Level

_TRIM = f" \t\n{BLOCK}{HIDDEN}"
_WORD_START = regex_cache.compile(r"\b\w")


@dataclass(frozen=True)
class _Scan:
    """What every match in one document is read against: the document, its lower-cased masked text, who counts as a
    person, the accepted terms and the path to report."""

    doc: Document
    lowered: str
    roster: Roster
    accepted: list[str]
    path: str


@dataclass
class Match:
    """One finding plus what only the rewriter needs: its offsets and a review-level rewrite."""

    finding: Finding
    start: int
    end: int
    fix: str | None
    review_fix: str | None
    quoted: bool = False  # in quoted text the config chose to check: reported, never rewritten


def lint_text(
    text: str,
    *,
    path: str = "-",
    config: BlamelessConfig | None = None,
    people: Sequence[str] = (),
    rules: RuleSet | None = None,
) -> list[Finding]:
    """Check Markdown `text` for blame language; findings sorted by position, then rule id.

    `people` adds names to treat as persons (chat participants, incident.toml); `config` carries rule
    selection, per-rule levels, `people:`, `accept:` terms and the scoping switches.
    """
    return [m.finding for m in lint_matches(text, path=path, config=config, people=people, rules=rules)]


def lint_matches(
    text: str,
    *,
    path: str = "-",
    config: BlamelessConfig | None = None,
    people: Sequence[str] = (),
    rules: RuleSet | None = None,
) -> list[Match]:
    """Like lint_text, with offsets and review rewrites kept (for rewrite_blameless and --fix)."""
    return _lint(text, path, config, people, rules)[0]


def unused_ignores(
    text: str,
    *,
    path: str = "-",
    config: BlamelessConfig | None = None,
    people: Sequence[str] = (),
    rules: RuleSet | None = None,
) -> list[int]:
    """Lines of `blameless-ignore` comments that suppress nothing: the words they named were rewritten or
    moved, so the comment is stale (and would silence the next match that happens to fit)."""
    if "blameless-ignore" not in text:
        return []
    return _lint(text, path, config, people, rules)[1]


def _lint(
    text: str, path: str, config: BlamelessConfig | None, people: Sequence[str], rules: RuleSet | None
) -> tuple[list[Match], list[int]]:
    """The matches, and the lines of the one-match ignores that matched nothing."""
    config = config or BlamelessConfig()
    rules = rules or active_rules()
    two_processes = len(text) >= TWO_PROCESSES_AFTER and can_fork()
    find_roster = partial(build_roster, people, config.people, text=text, use_first_names=config.first_names)
    roster_found = in_background(find_roster) if two_processes else find_roster
    doc = segment(
        text, sections=rules.sections, skip_quotes=config.skip_quotes, skip_blockquotes=config.skip_blockquotes
    )
    lowered = folded(doc.masked)
    compressed = _Compressed(lowered, rules)
    roster = roster_found()
    scan = _Scan(doc, lowered, roster, [folded(term) for term in config.accept], path)
    active: list[tuple[CompiledRule, str | None]] = []
    for compiled in rules.rules:
        configured = config.rule_level(compiled.rule.id, compiled.rule.slug)
        if not (configured == "off" or (configured is None and compiled.rule.opt_in)):
            active.append((compiled, configured))
    if two_processes and compressed.prefiltered:
        found = _rule_matches_in_two_processes(active, scan, compressed)
    else:
        found = [m for compiled, configured in active for m in _rule_matches(compiled, configured, scan, compressed)]
    if rules.detector is not None:
        found.extend(_detected(scan, rules.detector, found, config))
    found.sort(key=lambda m: (m.start, m.finding.rule_id))
    found = _without_allowed_phrases(found, lowered)
    unused: list[int] = []
    for ignore in doc.ignores:
        kept = _without_one_match(found, ignore, lowered)
        if len(kept) == len(found):
            unused.append(doc.position(ignore.comment)[0])
        found = kept
    minimum = config.min_level.rank
    found = [m for m in found if m.finding.level.rank >= minimum]
    if found and not (config.skip_quotes and config.skip_blockquotes):
        _mark_quoted(found, text)
    return found, unused


# A document this long (characters) is checked by two processes when the machine has a second core and can
# fork: the 1 MB corpus takes about a quarter less wall time; a short one would lose the fork's cost. The
# findings are the same either way (tests).
TWO_PROCESSES_AFTER = 200_000


def _rule_matches(compiled: CompiledRule, configured: str | None, scan: _Scan, compressed: _Compressed) -> list[Match]:
    """One rule's matches in the document, overlapping ones merged (_strongest)."""
    return _strongest(
        [m for p in compiled.patterns for m in _pattern_matches(compiled, configured, p, scan, compressed)]
    )


def _pattern_matches(
    compiled: CompiledRule, configured: str | None, pattern: CompiledPattern, scan: _Scan, compressed: _Compressed
) -> list[Match]:
    found: list[Match] = []
    for start, end in compressed.spans(pattern):
        match = _at_span(scan, compiled, configured, pattern, start, end)
        if match is None and pattern.spec.kind == "agent":
            match = _inside(scan, compiled, configured, pattern, start, end)
        if match is not None:
            found.append(match)
    return found


def _rule_matches_in_two_processes(
    active: list[tuple[CompiledRule, str | None]], scan: _Scan, compressed: _Compressed
) -> list[Match]:
    """The rules' matches, in rule order, as the loop in _lint finds them, from two processes that each index
    and scan half of the text's blocks (no match crosses a block). A forked child (`in_background`) takes the
    first half, and the few patterns that scan the whole text; this process the second half. The child's
    matches, one list per pattern, go before this process's own."""
    middle = compressed.middle()
    work = [(compiled, configured, pattern) for compiled, configured in active for pattern in compiled.patterns]

    def first_half() -> list[list[Match]]:
        compressed.only(0, middle, whole=True)
        return [_pattern_matches(*item, scan, compressed) for item in work]

    first_found = in_background(first_half)
    compressed.only(middle, len(compressed.text), whole=False)
    own = [_pattern_matches(*item, scan, compressed) for item in work]
    first = first_found()  # a child that failed: its half is found here
    compressed.only(0, len(compressed.text), whole=True)
    found: list[Match] = []
    done = 0
    for compiled, _ in active:
        count = len(compiled.patterns)
        found.extend(_strongest([m for i in range(done, done + count) for m in (*first[i], *own[i])]))
        done += count
    return found


def _detected(scan: _Scan, compiled: CompiledRule, found: list[Match], config: BlamelessConfig) -> list[Match]:
    """One finding per sentence the learned detector reads as blame and no rule matched (detector.py).

    The detector reads the masked document, so quotes, code, front matter and metadata lines are never
    read; inline controls, accepted terms, allow lists and ignores apply as they do to rule matches."""
    doc, lowered, roster, accepted, path = scan.doc, scan.lowered, scan.roster, scan.accepted, scan.path
    rule = compiled.rule
    configured = config.rule_level(rule.id, rule.slug)
    if configured == "off" or (configured is None and rule.opt_in):
        return []  # opt-in: a team turns it on with `levels: {BL011: warning}` (docs/check.md says why)
    from pipeline.blameless.detector import blame_sentences

    matches: list[Match] = []
    skip = sorted((m.start, m.end) for m in found)
    for start, end, _ in blame_sentences(doc.masked, roster, skip):
        sentence = lowered[start:end]
        if doc.suppressed(start, rule.id, rule.slug) or any(term in sentence for term in accepted):
            continue
        shown = " ".join(doc.text[start:end].split())
        suggestion = suggestion_text(rule.suggestion, shown, "")
        finding = _finding(doc, path, rule, (start, end), Level(configured), shown, suggestion, None)
        matches.append(Match(finding, start, end, None, None))
    return matches


def _mark_quoted(found: list[Match], text: str) -> None:
    """Flag matches inside quotes or blockquotes (read only because the config asked): a quotation is
    someone's words, so no rewrite may change it. With the default config such text is never matched."""
    guard = segment(text, skip_quotes=True, skip_blockquotes=True)
    for match in found:
        match.quoted = HIDDEN in guard.masked[match.start : match.end] or (
            guard.line_kinds[guard.line_index(match.start)] == "quote"
        )


def _without_allowed_phrases(found: list[Match], lowered: str) -> list[Match]:
    """Drop matches that lie inside a phrase the team allows (postmortem.toml `[blameless] allow`)."""
    if not found:
        return found
    from pipeline.settings import allowed_phrases

    expression = _phrase_expression(allowed_phrases())
    if expression is None:
        return found
    spans = [m.span() for m in expression.finditer(lowered)]
    return [m for m in found if not any(start <= m.start and m.end <= end for start, end in spans)]


@lru_cache(maxsize=8)
def _phrase_expression(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One expression for every allowed phrase: whole words, any whitespace run between them."""
    if not phrases:
        return None
    alternatives = sorted((r"\s+".join(map(re.escape, folded(p).split())) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])")


def _without_one_match(found: list[Match], ignore: OneMatchIgnore, lowered: str) -> list[Match]:
    """Drop the first match a `blameless-ignore` comment names; the others stay reported."""
    spans: list[tuple[int, int]] | None = None
    for index, match in enumerate(found):
        rule = match.finding
        if not (ignore.start <= match.start < ignore.end) or not ignore.matches_rule(rule.rule_id, rule.slug):
            continue
        if spans is None:
            spans = ignore.phrase_spans(lowered)
        if any(start < match.end and match.start < end for start, end in spans):
            return found[:index] + found[index + 1 :]
    return found


class _Compressed:
    """The lower-cased prose with each run of hidden characters cut to one, so that every pattern scans
    only prose (a third of a typical document is code or markup); spans map back to original offsets.

    A pattern with trigger words runs only on the blocks that hold one (found by a single scan for all
    triggers); the others scan the whole text. Either way each expression runs once per block."""

    _RUN = regex_cache.compile(HIDDEN + "{2,}")

    def __init__(self, lowered: str, rules: RuleSet) -> None:
        self._prefilter = rules.use_prefilter(len(lowered))
        self._blocks: dict[str, set[int]] | None = None  # trigger -> starts of the blocks holding it
        self._whole: dict[re.Pattern[str], list[tuple[int, int]]] = {}
        # the part of the text whose blocks this process scans, and whether it runs the whole-text patterns
        self._part: tuple[int, int, bool] | None = None
        self._ends: dict[int, int] = {}  # block start -> its end (past its separator), for the blocks indexed
        parts: list[str] = []
        self.starts = [0]  # where each piece starts in the compressed text
        self.origins = [0]  # ... and in the original
        done = removed = 0
        for run in self._RUN.finditer(lowered):
            parts.append(lowered[done : run.start() + 1])
            removed += run.end() - run.start() - 1
            done = run.end()
            self.starts.append(run.end() - removed)
            self.origins.append(run.end())
        parts.append(lowered[done:])
        self.text = "".join(parts)

    def spans(self, pattern: CompiledPattern) -> list[tuple[int, int]]:
        """Original-text spans of the pattern's matches, in order (as one finditer over the text gives)."""
        regex, prefilter = pattern.regex, self._prefilter
        if prefilter is None or prefilter.scan is None or (triggers := prefilter.triggers.get(regex)) is None:
            if self._part is not None and not self._part[2]:
                return []
            if regex not in self._whole:
                self._whole[regex] = [self.original(m.start(), m.end()) for m in regex.finditer(self.text)]
            return self._whole[regex]
        blocks = self._holding(triggers)
        for required in prefilter.also.get(regex, ()):
            blocks &= self._holding(required)
        cue_triggers = prefilter.triggers.get(pattern.near) if pattern.near is not None else None
        if cue_triggers is not None:
            blocks &= self._holding(cue_triggers)
        out: list[tuple[int, int]] = []
        text, ends, finditer, original = self.text, self._ends, regex.finditer, self.original
        for start in sorted(blocks):  # once per pattern and block holding its triggers: ~50,000 times on 1 MB
            for match in finditer(text, start, ends[start]):
                out.append(original(match.start(), match.end()))
        return out

    @property
    def prefiltered(self) -> bool:
        """True when patterns run only on the blocks holding their trigger words (the text can then be split)."""
        return self._prefilter is not None and self._prefilter.scan is not None

    def middle(self) -> int:
        """A block start near the middle of the text (its end when there is none)."""
        found = self.text.find(BLOCK, len(self.text) // 2)
        return len(self.text) if found < 0 else found + 1

    def only(self, start: int, end: int, *, whole: bool) -> None:
        """From now on scan only the blocks that start in [start, end) (a block start at `start`), and the
        patterns without triggers only when `whole`: two processes share a document this way."""
        self._part = (start, end, whole)
        self._blocks = None

    def _holding(self, triggers: frozenset[str]) -> set[int]:
        if self._blocks is None:
            self._blocks = self._index()
        found: set[int] = set()
        for trigger in triggers:
            found |= self._blocks.get(trigger, set())
        return found

    def _index(self) -> dict[str, set[int]]:
        """Every block start holding each trigger. The scan restarts one character after each hit, so
        overlapping triggers are all seen; a hit is the longest trigger there, and also its prefixes. Hits come
        in order, so a block's start is looked up only when a hit passes the end of the block before. The loop
        runs once per hit (tens of thousands on 1 MB), so it keeps to local names and one set per word."""
        if self._prefilter is None or self._prefilter.scan is None:
            return {}
        text, prefixes = self.text, self._prefilter.prefixes
        search, find, rfind = self._prefilter.scan.search, text.find, text.rfind
        first, last = (0, len(text)) if self._part is None else self._part[:2]
        holding: dict[str, set[int]] = {}  # word found -> starts of the blocks it is in
        ends = self._ends
        block, block_end = 0, -1
        hit = search(text, first, last)
        while hit is not None:
            at = hit.start()
            if at > block_end:
                block = rfind(BLOCK, 0, at) + 1
                block_end = find(BLOCK, at)
                block_end = len(text) if block_end < 0 else block_end
                ends[block] = min(block_end + 1, len(text))
            word = hit.group()
            if (starts := holding.get(word)) is None:
                holding[word] = {block}
            else:
                starts.add(block)
            hit = search(text, at + 1, last)
        blocks: dict[str, set[int]] = {}
        for word, starts in holding.items():
            for trigger in prefixes[word]:
                blocks.setdefault(trigger, set()).update(starts)
        return blocks

    def _map(self, offset: int) -> int:
        index = bisect_right(self.starts, offset) - 1
        return self.origins[index] + offset - self.starts[index]

    def original(self, start: int, end: int) -> tuple[int, int]:
        return self._map(start), self._map(end - 1) + 1 if end > start else self._map(start)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _at_sentence_start(text: str, offset: int) -> bool:
    """Only whitespace, or a timeline row's leading time ("08:20 whose deploy ..."), between `offset` and the
    start of the text, a block, or a sentence."""
    i = offset - 1
    while i >= 0 and (text[i] in " \t\n" or _PICTOGRAPH.match(text[i])):  # "👉 who pushed ...?"
        i -= 1
    if i >= 0 and text[i] == HIDDEN:  # an IRC speaker tag, masked as markup: "[10:02] <pat> who pushed ...?"
        while i >= 0 and text[i] == HIDDEN:
            i -= 1
        tag = _IRC_TIME.search(text, max(0, i - 12), i + 1)
        i = (tag.start() if tag else i + 1) - 1
        while i >= 0 and text[i] in " \t\n":
            i -= 1
    stamp = _ROW_TIME.search(text, max(0, i - 36), i + 1) if i >= 0 and text[i] != ":" else None
    if stamp is not None:
        i = stamp.start() - 1
        while i >= 0 and text[i] in " \t\n[(":  # "[10:42 am] who pushed ...?"
            i -= 1
    elif i >= 0 and text[i] not in _SENTENCE_ENDS and (row := _ROW_LABEL.search(text, max(0, i - 16), i + 1)):
        i = row.start() - 1  # a tracker's row label: "AI-7 - who approved ...?", "#14 | why did ..."
        while i >= 0 and text[i] in " \t\n":
            i -= 1
    return i < 0 or text[i] in _SENTENCE_ENDS


_IRC_TIME = regex_cache.compile(rf"(?<![\w:]){SPEAKER_TIME}[ \t]*\Z")


_ROW_TIME = regex_cache.compile(
    r"(?<![\w:])(?:\d{4}-\d{2}-\d{2}[t ]?)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:[ \t]*(?:utc|z|[ap]m|[a-z]{2,4}t|[+-]\d{2}:?\d{2}))?[ \t]*[-–—|\]]?\Z"
)
_PICTOGRAPH = regex_cache.compile(f"[{PICTOGRAPHS}]")
_ROW_LABEL = regex_cache.compile(r"(?<![\w-])(?:[a-z]{1,8}-\d{1,6}|#\d{1,6})[ \t]*[-–—|:][ \t]*\Z")
_SENTENCE_ENDS = frozenset(BLOCK + ".!?:;")
# a dot ends the sentence unless a word goes on right after it: "9.1.0", "v2.3", "api.example.com"
_CLAUSE_STOP = regex_cache.compile(r"[!?;\x03]|\.(?!\w)")


def _sentence_end(text: str, offset: int, limit: int) -> int:
    """Where the sentence containing `offset` ends, looking at most `limit` characters ahead."""
    stop = _CLAUSE_STOP.search(text, offset, offset + limit)
    return stop.start() if stop else min(len(text), offset + limit)


def _at_span(
    scan: _Scan, compiled: CompiledRule, configured: str | None, pattern: CompiledPattern, start: int, end: int
) -> Match | None:
    """The finding of one match of the pattern, once its lifted word or sentence start and its cue hold."""
    lowered = scan.lowered
    if pattern.word_start and start > 0 and _is_word(lowered[start - 1]):
        return None
    if pattern.sentence_start and not _at_sentence_start(lowered, start):
        return None
    if pattern.near is not None:
        cue = pattern.near.search(lowered, end, _sentence_end(lowered, end, pattern.spec.within))
        if cue is None:
            return None
        end = cue.end()
    return _candidate(scan, compiled, configured, pattern, start, end)


def _inside(
    scan: _Scan, compiled: CompiledRule, configured: str | None, pattern: CompiledPattern, start: int, end: int
) -> Match | None:
    """A match that starts at a later word inside a rejected one. A scan finds matches that do not overlap, so in
    "ledger-sync stopped because Tomasz rotated the password without updating the vault path" the match from
    "stopped" (no person before it) would hide the one from "rotated" (Tomasz)."""
    for word in _WORD_START.finditer(scan.lowered, start + 1, end):
        inner = pattern.regex.match(scan.lowered, word.start())
        if inner is not None:
            found = _at_span(scan, compiled, configured, pattern, inner.start(), inner.end())
            if found is not None:
                return found
    return None


_DETERMINER_BEFORE = regex_cache.compile(r"\b(?:the|a|an|this|these|those|its|every|each)\s+$")
_ANYONE_BEFORE = regex_cache.compile(r"\b(?:literally\s+|just\s+)?(?:anyone|anybody|someone|somebody)\s+\Z")
_IF_BEFORE = regex_cache.compile(r"\bif\s+\Z")


def _if_someone(masked: str, lowered: str, start: int, roster: Roster) -> int | None:
    """Right after "if", a name no list knows ("if kev had just tried it on staging") or anyone ("if literally anyone
    had glanced at the graph"): the person a counterfactual is about."""
    unknown = unknown_name_subject(masked, start, roster)
    if unknown is not None and _IF_BEFORE.search(lowered, max(0, unknown - 12), unknown):
        return unknown
    anyone = _ANYONE_BEFORE.search(lowered, max(0, start - 30), start)
    return (
        anyone.start() if anyone and _IF_BEFORE.search(lowered, max(0, anyone.start() - 12), anyone.start()) else None
    )


def _candidate(
    scan: _Scan, compiled: CompiledRule, configured: str | None, pattern: CompiledPattern, start: int, end: int
) -> Match | None:
    doc, lowered, roster, accepted, path = scan.doc, scan.lowered, scan.roster, scan.accepted, scan.path
    spec, rule = pattern.spec, compiled.rule
    if spec.kind == "agent":
        if spec.subject == "before":
            if _DETERMINER_BEFORE.search(lowered, max(0, start - 8), start):
                return None  # "who identified the corrupted manifest": after a determiner the verb is an adjective
            if pattern.opener_seen is not None and not pattern.opener_seen.search(lowered, max(0, start - 150), start):
                return None  # no opener anywhere before: no need to look for the person it must precede
            person = subject_before(doc.masked, start, roster, spec.we)
            if person is None and spec.human:
                person = unknown_name_subject(doc.masked, start, roster)
            if person is None and pattern.opener is not None:
                person = _if_someone(doc.masked, lowered, start, roster)
            if person is None:
                return None
            if pattern.opener is not None and not pattern.opener.search(lowered, max(0, person - 30), person):
                return None
            start = person
        else:
            person = subject_after(doc.masked, end, roster)
            if person is None:
                return None
            end = person
    while start < end and doc.masked[start] in _TRIM:
        start += 1
    while end > start and doc.masked[end - 1] in _TRIM:
        end -= 1
    if start >= end:
        return None
    contexts = doc.contexts(start)
    if contexts.intersection(spec.skip_in):
        return None
    if compiled.exceptions is not None and _excepted(compiled, lowered, start, end):
        return None
    if accepted and any(term in lowered[max(0, start - 40) : end + 40] for term in accepted):
        if _accepted_overlap(lowered, start, end, accepted):
            return None
    if doc.suppressed(start, rule.id, rule.slug):
        return None
    if negated(lowered, start, end, rule.id, rule.slug):
        return None
    level = spec.level or rule.level
    if spec.level is None:
        for section, section_level in rule.section_levels.items():
            if section in contexts:
                level = section_level
    if configured is not None:
        level = Level(configured)
    raw = doc.text[start:end]
    shown = " ".join(raw.split())
    obj = object_after(doc.masked, doc.text, end)
    fix = review_fix = None
    fits = spec.kind == "phrase" or _subject_fix_fits(lowered, start, end)
    if spec.fix is not None and fits and not markup_in(doc.text, start, end):
        capital = raw[:1].isupper() if spec.kind == "phrase" else _at_sentence_start(lowered, start)
        replacement = fix_text(spec.fix, capital)
        if spec.fix_safety == "safe":
            fix = replacement
        else:
            review_fix = replacement
    suggestion = suggestion_text(spec.suggestion or rule.suggestion, shown, obj)
    finding = _finding(doc, path, rule, (start, end), level, shown, suggestion, fix)
    return Match(finding, start, end, fix, review_fix)


def _finding(
    doc: Document,
    path: str,
    rule: Rule,
    span: tuple[int, int],
    level: Level,
    shown: str,
    suggestion: str,
    fix: str | None,
) -> Finding:
    """The finding a rule or the detector reports on `span` of the document."""
    line, column = doc.position(span[0])
    end_line, end_column = doc.position(span[1])
    return Finding(
        file=path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        rule_id=rule.id,
        slug=rule.slug,
        level=level,
        message=rule.message.replace("{match}", shown),
        match=shown,
        suggestion=suggestion,
        fix=fix,
        help_url=rule.link,
    )


_NEGATION = regex_cache.compile(r"\b(?:never|not|no)\b|n['’]t\b")
_CLAUSE_OPENER = regex_cache.compile(r"(?:,|\b(?:that|because|since|when|after|once|as|so|but|then))[ \t\n]*\Z")


def _subject_fix_fits(lowered: str, start: int, end: int) -> bool:
    """A fix that replaces a person and predicate ("Dave forgot") must replace the whole subject and keep
    the meaning: the span opens a sentence or clause (not "Ana and Dave forgot") and holds no negation."""
    if _NEGATION.search(lowered, start, end):
        return False
    return _at_sentence_start(lowered, start) or _CLAUSE_OPENER.search(lowered, max(0, start - 12), start) is not None


def _excepted(compiled: CompiledRule, lowered: str, start: int, end: int) -> bool:
    """True when an exception pattern overlaps the match (looked for around it)."""
    base = max(0, start - 60)
    window = lowered[base : end + 60]
    return any(m.start() + base < end and m.end() + base > start for m in compiled.exceptions.finditer(window))  # type: ignore[union-attr]


def _accepted_overlap(lowered: str, start: int, end: int, accepted: list[str]) -> bool:
    for term in accepted:
        at = lowered.find(term, max(0, start - len(term)), end + len(term))
        if at >= 0 and at < end and at + len(term) > start:
            return True
    return False


def _strongest(candidates: list[Match]) -> list[Match]:
    """Within one rule, overlapping matches become one: the highest level, then the longest span."""
    ordered = sorted(candidates, key=lambda m: (-m.finding.level.rank, -(m.end - m.start), m.start))
    kept: list[Match] = []
    for match in ordered:
        if all(match.end <= other.start or match.start >= other.end for other in kept):
            kept.append(match)
    return kept
