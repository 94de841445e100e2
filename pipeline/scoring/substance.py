"""Substance: what a reviewer looks for in a postmortem, judged on any layout.

Conformance (criteria.py) asks whether a document has the template's form; substance asks whether it
says something: what happened, how bad it was, why, and what will change. A draft of chat filler with
every heading in place has high conformance and low substance; GitLab's 2017 postmortem the reverse.

Word lists, extra heading synonyms, limits and weights live in `pipeline/data/substance.yaml`;
`SUBSTANCE_CRITERIA` maps each criterion id to the function that judges it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from pipeline.datafiles import Regex, bundled, load_yaml_model
from pipeline.models import Strict
from pipeline.scoring.criteria import Context, Outcome, plain
from pipeline.scoring.layout import Layout, Section, SectionSpec, items, parse_layout, tables

SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[`\"'(*])")
WORD_RE = re.compile(r"[A-Za-z0-9][\w'.-]*")
CONTENT_WORD_RE = re.compile(r"\b\w[\w'-]{2,}\w\b")  # words of 4+ characters, punctuation left out
QUOTED_RE = re.compile(r"^\s*(?:>|[\u201c\"'])")
BOLD_LEAD_RE = re.compile(r"^\s*\*\*[^*]+\*\*\s*:?\s*")
QUESTION_LEAD_RE = re.compile(r"^[^?]{3,200}\?\s+(?=\S)")
ANALYSIS_SECTIONS = (
    "summary",
    "impact",
    "went_wrong",
    "contributing_factors",
    "five_whys",
    "action_items",
    "lessons_learned",
)
# Where an entry of chat filler says no more than "Not established" does.
REASONING_SECTIONS = ("went_wrong", "contributing_factors", "lessons_learned")


class SubstanceLimits(Strict):
    min_statement_words: int = Field(gt=0)
    enough_factors: int = Field(gt=0)
    why_depth: int = Field(gt=0)
    causal_sentences: int = Field(gt=0)
    enough_actions: int = Field(gt=0)
    repeat_overlap: float = Field(gt=0, le=1)
    timeline_rows: int = Field(gt=0)
    lead_words: int = Field(gt=0)
    no_factor_section_cap: float = Field(gt=0, le=1)


class SubstancePatterns(Strict):
    not_established: list[Regex]
    chat: list[Regex]
    vague: list[Regex]
    person_agent: list[Regex]
    causal: list[Regex]
    condition: list[Regex]
    systemic: list[Regex]
    vague_action: list[Regex]
    action_verb: list[Regex]
    system_noun: list[Regex]
    trigger: list[Regex]
    impact: list[Regex]
    detection: list[Regex]
    mitigation: list[Regex]
    quantity: list[Regex]
    duration: list[Regex]
    timed_entry: list[Regex]
    moments: dict[str, list[Regex]]
    unknown: list[Regex]


class SubstanceCriterion(Strict):
    id: str
    weight: float = Field(gt=0)
    description: str


class SubstanceFile(Strict):
    limits: SubstanceLimits
    sections: dict[str, list[Regex]]
    patterns: SubstancePatterns
    criteria: list[SubstanceCriterion]


class Vocabulary:
    """substance.yaml compiled: one case-insensitive regex per word list."""

    def __init__(self, parsed: SubstanceFile):
        self.limits = parsed.limits
        self.extra_sections = parsed.sections
        self.criteria = parsed.criteria
        for name, patterns in parsed.patterns:
            if isinstance(patterns, dict):
                setattr(self, name, {key: _join(value) for key, value in patterns.items()})
            else:
                setattr(self, name, _join(patterns))


def _join(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The substance rubric (the bundled one by default); a typo or an unknown criterion is a ConfigError."""
    return _load_vocabulary((path or bundled("substance.yaml")).resolve())


@lru_cache(maxsize=4)
def _load_vocabulary(path: Path) -> Vocabulary:
    from pipeline.errors import ConfigError

    parsed = load_yaml_model(path, SubstanceFile)
    unknown = [c.id for c in parsed.criteria if c.id not in SUBSTANCE_CRITERIA]
    if unknown:
        raise ConfigError(path, f"unknown substance criterion {unknown[0]!r}; known: {', '.join(SUBSTANCE_CRITERIA)}")
    return Vocabulary(parsed)


def substance_specs(specs: list[SectionSpec], vocab: Vocabulary) -> list[SectionSpec]:
    """The rubric's section specs with substance.yaml's extra synonyms, plus the sections only substance reads."""
    merged = []
    for spec in specs:
        extra = vocab.extra_sections.get(spec.id, [])
        pattern = spec.pattern
        if extra:  # layout.section_specs compiled "^(?:" + synonyms + ")(?![\w-])": put the extra ones first
            pattern = re.compile(r"^(?:" + "|".join(f"(?:{s})" for s in extra) + r"|" + spec.pattern.pattern[4:], re.I)
        merged.append(SectionSpec(spec.id, spec.name, pattern, spec.required))
    return merged


@dataclass(frozen=True)
class SubstanceContext:
    """A document read for substance: its layout under the wider synonyms, the vocabulary and the roster."""

    base: Context
    layout: Layout
    vocab: Vocabulary

    def sections(self, section_id: str) -> list[Section]:
        return [s for s in self.layout.sections if s.id == section_id]

    @property
    def limits(self):
        return self.vocab.limits


def read_document(ctx: Context, vocab: Vocabulary) -> SubstanceContext:
    specs = substance_specs(ctx.specs, vocab)
    return SubstanceContext(ctx, parse_layout(ctx.text, specs, {}), vocab)


# ---------------------------------------------------------------- text helpers


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_SPLIT_RE.split(text) if s.strip()]


def entries(section: Section) -> list[tuple[int, str]]:
    """A section's statements: list items and table rows as they are; prose paragraphs split into sentences."""
    listed = items(section)
    is_prose = not any(
        line.lstrip()[:2] in ("- ", "* ", "+ ") or re.match(r"\s*\d{1,3}[.)]\s", line) for _, line in section.body
    ) and not tables(section.body)
    if not is_prose:
        return [(n, _first_cell(text)) for n, text in listed]
    return [(n, sentence) for n, paragraph in listed for sentence in sentences(paragraph)]


def _first_cell(text: str) -> str:
    """A table row's statement: its first cell that is more than an id or a number."""
    cells = [c.strip() for c in re.split(r"(?<!\\)\s\|\s", text)]
    if len(cells) == 1:
        return text
    return next((c for c in cells if len(WORD_RE.findall(c)) >= 3), cells[0])


def clean(text: str) -> str:
    return plain(text).strip()


def claim(text: str) -> str:
    """An entry's claim: its first sentence (what follows, such as "Confidence: low.", qualifies it)."""
    found = sentences(BOLD_LEAD_RE.sub("", text.strip(), count=1))
    return found[0] if found else text


def is_placeholder(text: str, vocab: Vocabulary) -> bool:
    return bool(vocab.not_established.search(clean(text)))


def statement_problem(text: str, ctx: SubstanceContext) -> str | None:
    """Why `text` is not a declarative statement about the system, or None when it is one."""
    vocab = ctx.vocab
    raw = text.strip()
    text = clean(BOLD_LEAD_RE.sub("", raw))
    if not text or vocab.not_established.search(text):
        return "not established"
    if QUOTED_RE.match(text) or QUOTED_RE.match(raw):
        return "a quote of chat"
    if vocab.chat.search(text):
        return "chat, not a statement"
    if text.rstrip(" .)").endswith("?"):
        return "a question"
    if text.rstrip(" .)").endswith("!"):
        return "an exclamation"
    if vocab.vague.search(text):
        return "vague"
    if len(WORD_RE.findall(text)) < ctx.limits.min_statement_words:
        return "a fragment"
    if vocab.person_agent.search(text) or _starts_with_person(text, ctx):
        return "a person, not a condition of the system"
    return None


def _starts_with_person(text: str, ctx: SubstanceContext) -> bool:
    from pipeline.blameless.people import first_names

    first = re.match(r"[A-Z][a-z]+", text)
    if first is None:
        return False
    people = ctx.base.sources.people if ctx.base.sources else frozenset()
    return first.group(0) in first_names() or any(first.group(0) == p.split()[0] for p in people if p)


def lead_text(ctx: SubstanceContext) -> str:
    """The opening words before the first recognised section, for documents without a summary heading."""
    first = min((s.line for s in ctx.layout.sections), default=len(ctx.layout.lines) + 1)
    body = [
        line
        for line in ctx.layout.lines[: first - 1]
        if line.strip() and not line.lstrip().startswith(("#", "|", "<!--"))
    ]
    words = " ".join(body).split()
    return " ".join(words[: ctx.limits.lead_words])


def established_text(sections: list[Section], vocab: Vocabulary) -> str:
    """Sections' text without the sentences that leave a gap to the review."""
    kept = [
        s
        for section in sections
        for _, item in items(section)
        for s in sentences(clean(item))
        if not vocab.not_established.search(s)
    ]
    return " ".join(kept)


def _found(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is not None


def _short(text: str, width: int = 60) -> str:
    text = " ".join(clean(text).split())
    return text if len(text) <= width else text[: width - 3] + "..."


# ---------------------------------------------------------------- criteria


def summary_story(ctx: SubstanceContext) -> Outcome:
    vocab = ctx.vocab
    summaries = ctx.sections("summary")
    text = established_text(summaries, vocab)
    where = "summary"
    if len(text.split()) < 15:
        text = f"{text} {lead_text(ctx)}".strip()
        where = "summary and opening" if summaries else "opening (no summary heading)"
    elements = {
        "trigger": vocab.trigger,
        "impact": vocab.impact,
        "detection": vocab.detection,
        "mitigation": vocab.mitigation,
    }
    found = [name for name, pattern in elements.items() if _found(pattern, text)]
    missing = [name for name in elements if name not in found]
    line = summaries[0].line if summaries else None
    if not missing:
        return Outcome(1.0, f"the {where} states trigger, impact, detection and mitigation", line)
    return Outcome(len(found) / len(elements), f"the {where} does not say: {', '.join(missing)}", line)


def impact_quantified(ctx: SubstanceContext) -> Outcome:
    vocab = ctx.vocab
    sections = ctx.sections("impact") + ctx.sections("summary")
    text = f"{established_text(sections, vocab)} {lead_text(ctx)}"
    scale = vocab.quantity.search(text)
    span = vocab.duration.search(text)
    line = sections[0].line if sections else None
    if scale and span:
        return Outcome(
            1.0, f"quantified ('{scale.group(0).strip()}') and bounded in time ('{span.group(0).strip()}')", line
        )
    if scale:
        return Outcome(0.5, f"quantified ('{scale.group(0).strip()}') but no duration", line)
    if span:
        return Outcome(0.5, f"a duration ('{span.group(0).strip()}') but no count or share of what was affected", line)
    return Outcome(0.0, "the impact is not quantified (no count, share or duration)", line)


def timeline_key_moments(ctx: SubstanceContext) -> Outcome:
    vocab = ctx.vocab
    sections = ctx.sections("timeline")
    timed: list[str] = []
    if sections:
        rows = [text for section in sections for _, text in items(section)]
        timed = [row for row in rows if re.search(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}", row)]
        where = "the timeline"
        if not timed:  # entries under their own time headings ("### 10:11 AM") or lines that start with a time
            timed = _timed_blocks([line for section in sections for _, line in section.body], vocab)
            where = "the timeline's timed headings and lines"
    if not timed:
        timed = _timed_blocks(ctx.layout.lines, vocab)
        where = "timed lines" + ("" if sections else " (no timeline heading)")
    text = "\n".join(clean(row) for row in timed)
    moments = [name for name, pattern in vocab.moments.items() if _found(pattern, text)]
    missing = [name for name in vocab.moments if name not in moments]
    coverage = min(1.0, len(timed) / ctx.limits.timeline_rows)
    credit = 0.6 * len(moments) / len(vocab.moments) + 0.4 * coverage
    line = sections[0].line if sections else None
    if not timed:
        return Outcome(0.0, "no timed entries (no timeline)", line)
    reason = f"{where}: {len(timed)} timed entries" + (f"; no {', '.join(missing)}" if missing else "; all key moments")
    return Outcome(min(credit, 1.0), reason, line)


def _timed_blocks(lines: list[str], vocab: Vocabulary) -> list[str]:
    """Entries that start at a line beginning with a time (a heading, a list item or a plain line)."""
    blocks: list[list[str]] = []
    for line in lines:
        if vocab.timed_entry.search(line):
            blocks.append([line])
        elif blocks and line.strip() and not line.lstrip().startswith("#"):
            blocks[-1].append(line)
        elif blocks and line.lstrip().startswith("#"):
            blocks.append([])  # an untimed heading ends the entry above
    return [" ".join(block) for block in blocks if block]


def factors_are_statements(ctx: SubstanceContext) -> Outcome:
    sections = ctx.sections("contributing_factors")
    if not sections:
        return _causal_narrative(ctx, "no contributing factors or root cause section")
    judged = [(n, text, statement_problem(claim(text), ctx)) for section in sections for n, text in entries(section)]
    good = [j for j in judged if j[2] is None]
    bad = [j for j in judged if j[2] is not None]
    line = sections[0].line
    if not judged:
        return Outcome(0.0, "the contributing factors section is empty", line)
    share = len(good) / len(judged)
    enough = min(1.0, len(good) / ctx.limits.enough_factors)
    credit = share * enough
    if not bad and enough >= 1.0:
        return Outcome(1.0, f"{len(good)} factor(s), each a statement about the system", line)
    reason = f"{len(good)} of {len(judged)} factor(s) are statements about the system"
    if bad:
        n, text, problem = bad[0]
        line = n
        reason += f"; e.g. '{_short(text)}' is {problem}"
    return Outcome(credit, reason, line)


def _causal_narrative(ctx: SubstanceContext, why: str) -> Outcome:
    """Without a factors section: causal statements anywhere in the narrative, capped below full credit."""
    causal = _causal_statements(ctx, ctx.layout.sections, whole_document=True)
    cap = ctx.limits.no_factor_section_cap
    credit = cap * min(1.0, len(causal) / ctx.limits.causal_sentences)
    return Outcome(credit, f"{why}; {len(causal)} causal statement(s) in the narrative")


def _causal_statements(ctx: SubstanceContext, sections: list[Section], whole_document: bool = False) -> list[str]:
    if whole_document:
        paragraphs = " ".join(
            clean(line) for line in ctx.layout.lines if line.strip() and not line.lstrip().startswith(("#", "|"))
        )
        candidates = sentences(paragraphs)
    else:
        candidates = [text for section in sections for _, text in entries(section)]
    found: list[str] = []
    for text in candidates:
        causal = ctx.vocab.causal.search(text) or (not whole_document and ctx.vocab.condition.search(text))
        if causal and statement_problem(text, ctx) is None and not _repeats(text, found, ctx):
            found.append(text)
    return found


def _words(text: str) -> set[str]:
    return {w.lower() for w in CONTENT_WORD_RE.findall(clean(text))}


def _repeats(text: str, earlier: list[str], ctx: SubstanceContext) -> bool:
    words = _words(text)
    for other in earlier:
        theirs = _words(other)
        if words and theirs and len(words & theirs) / len(words | theirs) >= ctx.limits.repeat_overlap:
            return True
    return False


def causes_go_deeper(ctx: SubstanceContext) -> Outcome:
    sections = ctx.sections("five_whys")
    depth = ctx.limits.why_depth
    if not sections:
        factors = ctx.sections("contributing_factors")
        causal = _causal_statements(ctx, factors) if factors else _causal_statements(ctx, [], whole_document=True)
        need = ctx.limits.causal_sentences
        where = "the root cause analysis" if factors else "the narrative"
        credit = min(1.0, len(causal) / need) * (1.0 if factors else ctx.limits.no_factor_section_cap)
        return Outcome(credit, f"no 5 Whys; {len(causal)} distinct causal statement(s) in {where} (of {need})")
    answers = [(n, _answer(text)) for section in sections for n, text in _whys(section)]
    good: list[str] = []
    problems: list[tuple[int, str]] = []
    for n, answer in answers:
        problem = statement_problem(answer, ctx)
        if problem is None and _repeats(answer, good, ctx):
            problem = "a repeat of an earlier answer"
        if problem is None:
            good.append(answer)
        else:
            problems.append((n, f"'{_short(answer)}' is {problem}"))
    line = sections[0].line
    if not answers:
        return Outcome(0.0, "the 5 Whys section is empty", line)
    systemic = bool(good) and _found(ctx.vocab.systemic, clean(good[-1]))
    credit = 0.8 * min(len(good), depth) / depth + (0.2 if systemic else 0.0)
    reason = f"{len(good)} of {len(answers)} answer(s) go deeper"
    if problems:
        line, first = problems[0]
        reason += f"; {first}"
    reason += "; the deepest ends in a systemic condition" if systemic else "; no systemic condition at the bottom"
    return Outcome(min(credit, 1.0), reason, line)


def _whys(section: Section) -> list[tuple[int, str]]:
    """One entry per why (a bare question item joins the answer after it), numbered or bulleted or prose."""
    from pipeline.scoring.criteria import _question_answer_pairs

    return _question_answer_pairs(items(section))


def _answer(text: str) -> str:
    """The answer part of a why entry: after a bold question or a leading question sentence."""
    text = text.strip()
    without_bold = BOLD_LEAD_RE.sub("", text, count=1)
    if without_bold != text:
        return without_bold
    return QUESTION_LEAD_RE.sub("", text, count=1)


def actions_specific(ctx: SubstanceContext) -> Outcome:
    vocab = ctx.vocab
    sections = ctx.sections("action_items")
    if not sections:
        return Outcome(0.0, "no action items (no section for follow-ups or remediation)")
    judged = []
    for section in sections:
        for n, text in entries(section):
            action = clean(text)
            if not action or is_placeholder(action, vocab):
                continue
            problem = (
                statement_problem(action, ctx) if action.endswith(("?", "!")) or vocab.chat.search(action) else None
            )
            if problem is None and vocab.vague_action.search(action):
                problem = "vague"
            elif problem is None and not (vocab.action_verb.search(action) and vocab.system_noun.search(text)):
                problem = "names no system and change"
            judged.append((n, action, problem))
    line = sections[0].line
    if not judged:
        return Outcome(0.0, "no action items listed", line)
    good = [j for j in judged if j[2] is None]
    bad = [j for j in judged if j[2] is not None]
    credit = len(good) / len(judged) * min(1.0, len(good) / ctx.limits.enough_actions)
    if not bad and credit >= 1.0:
        return Outcome(1.0, f"{len(good)} specific action item(s)", line)
    reason = f"{len(good)} of {len(judged)} action item(s) are specific"
    if bad:
        line, action, problem = bad[0]
        reason += f"; e.g. '{_short(action)}' ({problem})"
    return Outcome(credit, reason, line)


def open_questions_tracked(ctx: SubstanceContext) -> Outcome:
    sections = ctx.sections("open_questions")
    listed = [text for section in sections for _, text in items(section) if clean(text)]
    if listed:
        return Outcome(1.0, f"{len(listed)} open question(s) listed for the review", sections[0].line)
    narrative = [s for s in ctx.layout.sections if s.id != "open_questions"]
    unknown = [(n, line) for s in narrative for n, line in s.body if ctx.vocab.unknown.search(line)]
    if not unknown:
        return Outcome(1.0, "nothing is left unknown in the narrative")
    line, text = unknown[0]
    return Outcome(
        0.3, f"{len(unknown)} unknown(s) in the narrative but no open questions list; e.g. '{_short(text)}'", line
    )


def analysis_established(ctx: SubstanceContext) -> Outcome:
    vocab = ctx.vocab
    shares: list[tuple[str, float]] = []
    for section_id in ANALYSIS_SECTIONS:
        found = ctx.sections(section_id)
        if not found:
            continue
        listed = [text for section in found for _, text in items(section)]
        if not listed:
            shares.append((found[0].heading, 1.0))
            continue
        if section_id in REASONING_SECTIONS:
            empty = sum(statement_problem(claim(text), ctx) is not None for text in listed)
        else:
            empty = sum(is_placeholder(text, vocab) for text in listed)
        shares.append((found[0].heading, empty / len(listed)))
    if not shares:
        return Outcome(0.0, "no analysis sections found")
    gaps = [name for name, share in shares if share >= 0.5]
    credit = 1 - sum(share for _, share in shares) / len(shares)
    if not gaps and credit >= 1.0:
        return Outcome(1.0, f"{len(shares)} analysis sections, none left 'Not established'")
    reason = f"{len(gaps)} of {len(shares)} analysis sections are mostly 'Not established' or filler"
    if gaps:
        reason += f": {', '.join(gaps[:4])}"
    return Outcome(max(credit, 0.0), reason)


SubstanceCriterionFn = Callable[[SubstanceContext], Outcome]
SUBSTANCE_CRITERIA: dict[str, SubstanceCriterionFn] = {
    "summary_story": summary_story,
    "impact_quantified": impact_quantified,
    "timeline_key_moments": timeline_key_moments,
    "factors_are_statements": factors_are_statements,
    "causes_go_deeper": causes_go_deeper,
    "actions_specific": actions_specific,
    "open_questions_tracked": open_questions_tracked,
    "analysis_established": analysis_established,
}
