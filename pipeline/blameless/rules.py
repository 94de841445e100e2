"""Load rules.yaml into strict models and compile its patterns once.

A bad rule file is a ConfigError naming file:line and the rule id, never a traceback, because adding a
rule is meant to be an edit to data that a reviewer can make without reading Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from pipeline import data_cache, regex_cache
from pipeline.blameless.triggers import known_required_sets, trie_expression
from pipeline.datafiles import compose, error_reason, first_error, node_line, parse_yaml
from pipeline.errors import ConfigError
from pipeline.models import Level, Strict
from pipeline.package_data import package_path

RULES_PATH = package_path("blameless", "rules.yaml")
Context = Literal["heading", "timeline", "action_items"]


class PatternSpec(Strict):
    """One way a rule matches; see the header of rules.yaml for what each key does."""

    re: str
    kind: Literal["phrase", "agent"] = "phrase"
    subject: Literal["before", "after"] = "before"
    we: bool = False
    human: bool = False
    near: str | None = None
    within: int = Field(default=60, ge=10, le=200)  # how far after the match `near` may end (characters)
    opener: str | None = None
    level: Level | None = None
    skip_in: list[Context] = Field(default_factory=list)
    fix: str | None = None
    fix_safety: Literal["safe", "review"] = "review"
    suggestion: str | None = None


class Examples(Strict):
    positive: list[str]
    negative: list[str]
    borderline: list[str] = Field(default_factory=list)


class Rule(Strict):
    id: str = Field(pattern=r"^BL\d{3}$")
    slug: str = Field(pattern=r"^[a-z][a-z0-9-]+$")
    level: Level
    message: str
    why: str
    link: str = Field(pattern=r"^https?://")
    suggestion: str
    patterns: list[PatternSpec] = Field(default_factory=list)
    detector: bool = False  # matched by the learned detector (detector.py), not by patterns
    opt_in: bool = False  # off unless a team's config gives it a level (`levels: {BL012: suggestion}`)
    exceptions: list[str] = Field(default_factory=list)
    section_levels: dict[Context, Level] = Field(default_factory=dict)
    examples: Examples

    @model_validator(mode="after")
    def _matches_somehow(self) -> Rule:
        if self.detector == bool(self.patterns):
            raise ValueError("a rule has patterns, or `detector: true` and no patterns")
        return self

    @field_validator("patterns", mode="before")
    @classmethod
    def _bare_strings(cls, value: Any) -> Any:
        """A bare string is shorthand for {re: ...}."""
        if isinstance(value, list):
            return [{"re": item} if isinstance(item, str) else item for item in value]
        return value


class RuleFile(Strict):
    vocab: dict[str, str] = Field(default_factory=dict)
    sections: dict[Context, str] = Field(default_factory=dict)
    rules: list[Rule]

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id}")
            seen.add(rule.id)
        return self


@dataclass(frozen=True)
class CompiledPattern:
    """A compiled pattern. A leading \\b (`word_start`) or {START} (`sentence_start`) is lifted out of
    the regex so `re` can scan for the literal that follows quickly; the linter checks it instead."""

    spec: PatternSpec
    regex: re.Pattern[str]
    word_start: bool
    sentence_start: bool
    near: re.Pattern[str] | None
    opener: re.Pattern[str] | None = None  # must end right before the person
    opener_seen: re.Pattern[str] | None = None  # anywhere: the cheap test before the person is looked for


@dataclass(frozen=True)
class Prefilter:
    """What the linter needs to run each expression only on the blocks that hold its trigger words."""

    triggers: dict[re.Pattern[str], frozenset[str] | None]  # None: scan the whole text (see triggers.py)
    scan: re.Pattern[str] | None  # finds any trigger word (the longest one at a position)
    prefixes: dict[str, tuple[str, ...]]  # trigger word -> the trigger words it starts with
    # expression -> its other required sets made only of trigger words (the scan finds those already):
    # a block must hold a word of each as well as a trigger
    also: dict[re.Pattern[str], tuple[frozenset[str], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    patterns: tuple[CompiledPattern, ...]
    exceptions: re.Pattern[str] | None


@dataclass(frozen=True)
class RuleSet:
    path: Path
    rules: tuple[CompiledRule, ...]
    sections: dict[str, re.Pattern[str]]
    # The linter uses the trigger prefilter once this many characters have been checked with these rules
    # (building it parses every pattern again, ~10 ms, which a single small file does not repay); None: never.
    prefilter_after: int | None = 20_000
    checked: list[int] = field(default_factory=lambda: [0], init=False, compare=False, repr=False)  # characters so far

    @cached_property
    def prefilter(self) -> Prefilter:
        """Trigger words of every pattern and cue, and one expression that finds any of them."""
        required: dict[re.Pattern[str], tuple[frozenset[str], ...] | None] = {}
        for compiled in self.rules:
            for pattern in compiled.patterns:
                for regex in (pattern.regex, pattern.near):
                    if regex is not None and regex not in required:
                        required[regex] = known_required_sets(regex.pattern)
        found = {regex: None if sets is None else sets[0] for regex, sets in required.items()}
        words = {word for triggers in found.values() for word in triggers or ()}
        prefixes = {word: tuple(word[:end] for end in range(1, len(word) + 1) if word[:end] in words) for word in words}
        scan = regex_cache.compile(trie_expression(sorted(words))) if words else None
        also = {
            regex: kept
            for regex, sets in required.items()
            if sets is not None and (kept := tuple(other for other in sets[1:] if other <= words))
        }
        return Prefilter(found, scan, prefixes, also)

    def use_prefilter(self, length: int) -> Prefilter | None:
        """The prefilter, once enough text has been checked to repay building it (results are the same)."""
        if self.prefilter_after is None:
            return None
        self.checked[0] += length
        return self.prefilter if self.checked[0] >= self.prefilter_after else None

    @cached_property
    def detector(self) -> CompiledRule | None:
        """The rule whose matches come from the learned detector, if the rule set has one."""
        return next((c for c in self.rules if c.rule.detector), None)

    def by_id(self, rule_id: str) -> CompiledRule | None:
        wanted = rule_id.lower()
        return next((r for r in self.rules if wanted in (r.rule.id.lower(), r.rule.slug)), None)


_VOCAB_REF = re.compile(r"\{([A-Z][A-Z_]*)\}")
# An escape, a character class, an optional space or a space: only the spaces (outside a class) change.
_PATTERN_PART = re.compile(r"\\.|\[(?:\\.|[^\]])*\]| \?| ", re.DOTALL)
_SPACES = {" ": r"\s+", " ?": r"\s*"}


def expand(pattern: str, vocab: dict[str, str]) -> str:
    """Insert vocab entries and let each literal space match a whitespace run (soft wraps, indents), and an
    optional space ("guard ?rails") an optional run."""
    pattern = _VOCAB_REF.sub(lambda m: vocab.get(m.group(1), m.group(0)), pattern)
    return _PATTERN_PART.sub(lambda m: _SPACES.get(m.group(), m.group()), pattern)


def _rule_id(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data, dict):
        rules = data.get("rules") or []
        if loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            return str(rules[loc[1]].get("id", f"rules[{loc[1]}]"))
    return None


def parse_rule_file(text: str, path: Path | str) -> RuleFile:
    """Validate rule-file text; every problem becomes ConfigError(path, reason, line, rule_id)."""
    return data_cache.validated(RuleFile, text, path, lambda: _validate_rule_file(text, path))


def _validate_rule_file(text: str, path: Path | str) -> RuleFile:
    data = parse_yaml(text, path)
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        first = first_error(exc)
        loc = tuple(first["loc"])
        raise ConfigError(
            path, error_reason(first, skip=2), line=node_line(compose(text), loc), rule_id=_rule_id(data, loc)
        ) from exc


def compile_rule_file(parsed: RuleFile, path: Path, text: str = "") -> RuleSet:
    """Compile every pattern (for lower-cased text); a bad expression names its rule and line."""
    compiled: list[CompiledRule] = []
    for index, rule in enumerate(parsed.rules):
        patterns = []
        for p_index, spec in enumerate(rule.patterns):
            source = spec.re
            word_start = source.startswith("\\b")
            sentence_start = source.startswith("{START}")
            if word_start or sentence_start:
                source = source[2:] if word_start else source[len("{START}") :]
            loc = ("rules", index, "patterns", p_index)
            where = (parsed.vocab, path, text, loc, rule.id)
            if "{START}" in source:
                raise ConfigError(
                    path, "{START} may only begin a pattern", line=node_line(compose(text), loc), rule_id=rule.id
                )
            regex = _compile(source, *where, guard=word_start or sentence_start)
            near = _compile(spec.near, *where) if spec.near else None
            opener = seen = None
            if spec.opener:
                opener = _compile(f"(?:{spec.opener})\\s*\\Z", *where)
                seen = _compile(spec.opener, *where)
            patterns.append(CompiledPattern(spec, regex, word_start, sentence_start, near, opener, seen))
        exceptions = None
        if rule.exceptions:
            joined = "|".join(f"(?:{e})" for e in rule.exceptions)
            exceptions = _compile(joined, parsed.vocab, path, text, ("rules", index, "exceptions"), rule.id)
        compiled.append(CompiledRule(rule, tuple(patterns), exceptions))
    sections = {
        name: _compile(regex, parsed.vocab, path, text, ("sections", name), None, re.IGNORECASE)
        for name, regex in parsed.sections.items()
    }
    return RuleSet(path, tuple(compiled), sections)


def _guarded_start(source: str) -> str:
    """A lifted word or sentence start, put back as a cheap guard `(?<!\\w)` where `re` has no literal to scan
    for and would try the expression inside every word: an opening optional group or character class
    ("(?:the |our )?(?:[\\w-]+ )?(?:team|squad|...)"), or an opening group of many alternatives (a list of
    verbs). Those few cost a fifth of the check's scan without it. The linter still checks the start itself,
    so the findings are the same."""
    if source.startswith("["):
        return r"(?<!\w)" + source
    end = _group_end(source) if source.startswith("(?:") else -1
    optional = 0 < end < len(source) - 1 and source[end + 1] in "?*"
    many = end > 0 and source.count("|", 0, end) >= _MANY_ALTERNATIVES
    return r"(?<!\w)" + source if optional or many else source


_MANY_ALTERNATIVES = 24


def _group_end(source: str) -> int:
    """Where the group opening `source` closes (-1 if it does not), past escapes and character classes."""
    depth = 0
    for part in _GROUP_PART.finditer(source):
        if part.group() == "(":
            depth += 1
        elif part.group() == ")":
            depth -= 1
            if depth == 0:
                return part.start()
    return -1


_GROUP_PART = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]])*\]|[()]", re.DOTALL)


def _compile(
    pattern: str,
    vocab: dict[str, str],
    path: Path,
    text: str,
    loc: tuple[Any, ...],
    rule_id: str | None,
    flags: int = 0,
    *,
    guard: bool = False,
) -> re.Pattern[str]:
    """Patterns are written in lower case and run on lower-cased text: no IGNORECASE keeps `re` fast. `guard`:
    the pattern's word or sentence start was lifted (see _guarded_start)."""
    try:
        expanded = expand(pattern, vocab)
        return _compiled(_guarded_start(expanded) if guard else expanded, flags)
    except re.error as exc:
        line = node_line(compose(text), loc) if text else None
        raise ConfigError(path, f"bad regular expression: {exc}", line=line, rule_id=rule_id) from exc


@cache
def _compiled(source: str, flags: int) -> re.Pattern[str]:
    """One object per distinct expression, so the linter can run a shared expression once."""
    return regex_cache.compile(source, flags)


@lru_cache(maxsize=8)
def load_rules(path: Path = RULES_PATH, extra: tuple[Path, ...] = ()) -> RuleSet:
    """Read, validate and compile a rule file (and team rule files on top of it) once per process."""
    text = _read(path)
    parsed = parse_rule_file(text, path)
    ruleset = compile_rule_file(parsed, path, text)
    for extra_path in extra:
        ruleset = _add_rules(ruleset, parsed.vocab, extra_path)
    return ruleset


def active_rules() -> RuleSet:
    """The bundled rules plus the team's (postmortem.toml `[blameless] rules`): what `check` and drafts use."""
    from pipeline.settings import data_files

    return load_rules(RULES_PATH, data_files().rules)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, f"cannot read rule file: {exc.strerror}") from exc


def _add_rules(ruleset: RuleSet, vocab: dict[str, str], path: Path) -> RuleSet:
    """A team rule file on top: its rules may use the bundled vocab; an id already taken is an error."""
    text = _read(path)
    parsed = parse_rule_file(text, path)
    parsed = parsed.model_copy(update={"vocab": {**vocab, **parsed.vocab}})
    taken = {compiled.rule.id for compiled in ruleset.rules} | {compiled.rule.slug for compiled in ruleset.rules}
    for index, rule in enumerate(parsed.rules):
        clash = rule.id if rule.id in taken else rule.slug if rule.slug in taken else None
        if clash is not None:
            raise ConfigError(
                path,
                f"{clash} is already a rule; pick another id and slug",
                line=node_line(compose(text), ("rules", index)),
                rule_id=rule.id,
            )
    added = compile_rule_file(parsed, path, text)
    return RuleSet(ruleset.path, ruleset.rules + added.rules, {**ruleset.sections, **added.sections})
