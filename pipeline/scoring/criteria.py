"""The rubric's criteria, one function each: document context in, credit (0..1), reason and line out.

Ids, weights and descriptions live in `pipeline/data/rubric.yaml`; `CRITERIA` maps each id to the
function that judges it. A criterion that cannot be judged (no `--incident`, no citations) is skipped
and leaves the score's denominator, so a human postmortem is not punished for what it cannot have.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.drafting.verify import IGNORED_NUMBER_CONTEXT, NUMBER_RE, claim_problems
from pipeline.models import CITATION_RE, EVIDENCE_ID, NOT_ESTABLISHED, Claim, blocking_findings
from pipeline.scoring.layout import (
    Layout,
    Section,
    SectionSpec,
    is_empty_value,
    items,
    tables,
    unescape,
)
from pipeline.scoring.sources import CLOCK_RE, IncidentSources

HEADER_FIELDS = ("date", "duration", "severity", "status", "authors")
MIN_ITEMS = 3
WHY_DEPTH = 5
INLINE_CODE_RE = re.compile(r"`[^`]*`")
EVIDENCE_ID_RE = re.compile(rf"^{EVIDENCE_ID}$")
LINK_RE = re.compile(r"\]\(|https?://|\b(?:PR|issue|ticket|#)\s?#?\d+|\bevidence\b", re.IGNORECASE)
REVIEW_NOTE_RE = re.compile(
    r"not established|the review should|for the review|to be (?:discussed|added|completed|decided)|\bTBD\b",
    re.IGNORECASE,
)
IMPACT_RE = re.compile(
    r"\b(?:impact\w*|affect\w*|users?|customers?|requests?|errors?|outage|unavailable|down|fail\w*|degraded|"
    r"5\d\d|5xx|latency|orders?|lost|could not|couldn'?t|unable|inaccessible)\b|\d%",
    re.IGNORECASE,
)
DURATION_RE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:min(?:ute)?s?|h(?:ours?|rs?)?|seconds?|secs?|days?)\b|\bduration\b|\blasted\b|"
    r"\b(?:from|between)\b[^.]{0,40}?\d{1,2}:\d{2}[^.]{0,60}?\b(?:to|and|until)\b[^.]{0,20}?\d{1,2}:\d{2}|"
    r"\b\d+h\s?\d+m\b",
    re.IGNORECASE,
)
SYSTEMIC_RE = re.compile(
    r"\b(?:process\w*|review\w*|tests?|testing|monitor\w*|alert\w*|config\w*|validat\w*|design\w*|safeguards?|"
    r"controls?|automat\w*|canar\w*|polic\w*|runbooks?|capacity|limits?|checks?|pipelines?|documentation|"
    r"tooling|architecture|dependenc\w*|defaults?|guardrails?|training|ownership|quotas?|system\w*|"
    r"no (?:alert|test|check)|lack of|missing)\b",
    re.IGNORECASE,
)
PERSON_AGENT_RE = re.compile(
    r"\b(?:human error|the (?:engineer|operator|developer|on-?call|admin)\b|someone|somebody|he|she)\b", re.IGNORECASE
)
OWNER_RE = re.compile(r"\b(?:owners?|assignee|owned by|assigned to|dri)\b\s*[:=]?\s*@?[A-Za-z]|@[\w.-]+", re.IGNORECASE)
DUE_RE = re.compile(
    r"\b(?:due|by|deadline|target)\b\s*[:=]?\s*(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}|q[1-4]|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2})|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)
PRIORITY_RE = re.compile(
    r"\bP[0-4]\b|\b(?:high|medium|low|critical|urgent)[ -]priority\b|\bpriority\s*[:=]\s*\w", re.IGNORECASE
)
TYPE_RE = re.compile(
    r"\b(?:detective|preventi?ve|preventative|corrective|mitigation)\b|\btype\s*[:=]\s*\w", re.IGNORECASE
)
COLUMN_NAMES = {
    "owner": re.compile(r"^(?:owners?|assignee|who|responsible|dri|assigned to)\b"),
    "due": re.compile(r"^(?:due(?: date)?|deadline|by|target(?: date)?|when|eta)\b"),
    "priority": re.compile(r"^(?:priority|prio|p|importance)\b"),
    "type": re.compile(r"^(?:type|kind|category|class)\b"),
}
INLINE_FIELDS = {"owner": OWNER_RE, "due": DUE_RE, "priority": PRIORITY_RE, "type": TYPE_RE}
NARRATIVE_SECTIONS = (
    "summary",
    "impact",
    "went_well",
    "went_wrong",
    "contributing_factors",
    "five_whys",
    "lessons_learned",
)
ISO_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?\b")
HOURS_RE = re.compile(r"^\s*(?:hours?|hrs?|h)\b", re.IGNORECASE)
MINUTES_AFTER_RE = re.compile(r"^\s*(?:minutes?|mins?|m)\b", re.IGNORECASE)
MARKUP_RE = re.compile(r"\*\*|__|`|\u201c|\u201d")


@dataclass(frozen=True)
class Context:
    """Everything a criterion may look at."""

    text: str
    path: str
    layout: Layout
    specs: list[SectionSpec]
    sources: IncidentSources | None
    summary_words: int  # the rubric's limits.summary_words


@dataclass(frozen=True)
class Outcome:
    """A criterion's verdict: credit 1.0 passes; None credit means skipped (not applicable)."""

    credit: float | None
    reason: str
    line: int | None = None


def skipped(reason: str) -> Outcome:
    return Outcome(None, reason)


def spec_name(ctx: Context, section_id: str) -> str:
    return next(spec.name for spec in ctx.specs if spec.id == section_id)


def missing_section(ctx: Context, section_id: str) -> Outcome:
    return Outcome(0.0, f"no {spec_name(ctx, section_id)} section (no heading matched its synonyms)")


def real_items(section: Section) -> list[tuple[int, str]]:
    """Entries that say something (notes that leave a gap to the review are not items)."""
    return [(n, text) for n, text in items(section) if not REVIEW_NOTE_RE.search(text)]


def has_review_note(section: Section) -> bool:
    return bool(REVIEW_NOTE_RE.search(section.text))


def plain(text: str) -> str:
    """Item text as prose: escapes, emphasis, code marks, smart quotes and citations removed."""
    return " ".join(MARKUP_RE.sub("", CITATION_RE.sub("", unescape(text))).split())


# ---------------------------------------------------------------- criteria


def header_fields(ctx: Context) -> Outcome:
    fields = ctx.layout.fields
    present = [name for name in HEADER_FIELDS if name in fields and not is_empty_value(fields[name][1])]
    empty = [f"{name} is '{fields[name][1]}'" for name in HEADER_FIELDS if name in fields and name not in present]
    absent = [name for name in HEADER_FIELDS if name not in fields]
    lines = [fields[name][0] for name in present]
    if len(present) == len(HEADER_FIELDS):
        return Outcome(1.0, "date, duration, severity, status and authors are given", min(lines))
    problems = ([f"missing: {', '.join(absent)}"] if absent else []) + empty
    return Outcome(len(present) / len(HEADER_FIELDS), "; ".join(problems), min(lines) if lines else None)


def sections_present(ctx: Context) -> Outcome:
    required = [spec for spec in ctx.specs if spec.required]
    found = {section.id for section in ctx.layout.sections}
    missing = [spec.name for spec in required if spec.id not in found]
    credit = (len(required) - len(missing)) / len(required)
    if not missing:
        return Outcome(1.0, f"all {len(required)} template sections found")
    return Outcome(credit, f"missing: {', '.join(missing)}")


def sections_in_order(ctx: Context) -> Outcome:
    rank = {spec.id: index for index, spec in enumerate(ctx.specs)}
    first: dict[str, Section] = {}
    for section in ctx.layout.sections:
        first.setdefault(section.id, section)
    ordered = list(first.values())
    if len(ordered) < 2:
        return Outcome(0.0, "fewer than two template sections found; order cannot be shown")
    keep = _longest_ordered(ordered, rank)
    out = [section for section in ordered if section not in keep]
    if not out:
        return Outcome(1.0, f"{len(ordered)} sections in template order")
    first_out = out[0]
    after = max(
        (s for s in keep if s.line < first_out.line and rank[s.id] > rank[first_out.id]),
        key=lambda s: s.line,
        default=None,
    )
    where = f" after '{after.heading}' (line {after.line})" if after else " out of place"
    return Outcome(
        len(keep) / len(ordered),
        f"'{first_out.heading}' comes{where}; {len(out)} of {len(ordered)} sections out of template order",
        first_out.line,
    )


def _longest_ordered(sections: list[Section], rank: dict[str, int]) -> list[Section]:
    """The longest subsequence already in template order (the rest are the ones out of place)."""
    best: list[list[Section]] = []
    for index, section in enumerate(sections):
        chains = [best[j] for j in range(index) if rank[sections[j].id] <= rank[section.id]]
        longest = max(chains, key=len, default=[])
        best.append(longest + [section])
    return max(best, key=len)


def summary_concise(ctx: Context) -> Outcome:
    section = ctx.layout.section("summary")
    if section is None:
        return missing_section(ctx, "summary")
    text = plain(section.text)
    words = len(re.findall(r"[\w'%.,:/-]+", text))
    checks = {
        f"at most {ctx.summary_words} words": words <= ctx.summary_words,
        "states the impact": bool(IMPACT_RE.search(text)),
        "states the duration": bool(DURATION_RE.search(text)),
    }
    failed = [name for name, ok in checks.items() if not ok]
    credit = sum(checks.values()) / len(checks)
    reason = f"{words} words" + (f"; fails: {', '.join(failed)}" if failed else "; states impact and duration")
    return Outcome(credit, reason, section.line)


def timeline_matches_lock(ctx: Context) -> Outcome:
    if ctx.sources is None:
        return skipped("needs --incident DIR (the locked timeline to compare with)")
    section = ctx.layout.section("timeline")
    if section is None:
        return missing_section(ctx, "timeline")
    rows = _timeline_rows(section)
    events = ctx.sources.timeline
    used: list[int] = []
    problems: list[str] = []
    for event in events:
        index = _matching_row(rows, event, used)
        if index is None:
            problems.append(f"{event.id} ({event.raw_time} '{_short(event.text)}') is missing or changed")
        else:
            used.append(index)
    extra = [rows[i] for i in range(len(rows)) if i not in used]
    problems += [f"line {line}: row not in the locked timeline: '{_short(text)}'" for line, text, _ in extra]
    if used != sorted(used):
        problems.append("rows are not in the locked order")
    lock = "" if ctx.sources.lock_status == "locked" else " (the incident's timeline is not locked)"
    if not problems:
        return Outcome(1.0, f"all {len(events)} locked rows reproduced verbatim{lock}", section.line)
    credit = len(used) / max(len(events), len(rows), 1) * (0.5 if used != sorted(used) else 1.0)
    line = extra[0][0] if extra and len(problems) == len(extra) else section.line
    return Outcome(credit, f"{len(problems)} problem(s): " + "; ".join(problems[:3]) + lock, line)


def _timeline_rows(section: Section) -> list[tuple[int, str, list[str]]]:
    """(line, row text, cells) for each timeline row: table rows, else list items."""
    rows = [(n, " | ".join(cells), cells) for _, table_rows in tables(section.body) for n, cells in table_rows]
    if rows:
        return rows
    return [(n, text, [text]) for n, text in items(section)]


def _matching_row(rows: list[tuple[int, str, list[str]]], event, used: list[int]) -> int | None:
    wanted = _norm(event.text)
    clocks = {event.raw_time.strip(), event.time.strftime("%H:%M")}
    for index, (_, text, cells) in enumerate(rows):
        if index in used:
            continue
        normalized = [_norm(cell) for cell in cells]
        text_ok = wanted in normalized or (len(cells) == 1 and wanted in _norm(text))
        if text_ok and any(clock and clock in unescape(text) for clock in clocks):
            return index
    return None


def _norm(text: str) -> str:
    return " ".join(unescape(text).split())


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def went_well_wrong(ctx: Context) -> Outcome:
    parts: list[str] = []
    credit = 0.0
    line = None
    for section_id in ("went_well", "went_wrong"):
        section = ctx.layout.section(section_id)
        name = spec_name(ctx, section_id)
        if section is None:
            parts.append(f"no {name} section")
            continue
        line = line or section.line
        count = len(real_items(section))
        if count >= MIN_ITEMS:
            credit += 0.5
            parts.append(f"{name}: {count} items")
        elif has_review_note(section):
            credit += 0.5
            parts.append(f"{name}: {count} items and a note for the review")
        else:
            credit += 0.5 * count / MIN_ITEMS
            parts.append(f"{name}: only {count} item(s), no note for the review")
    return Outcome(credit, "; ".join(parts), line)


def factors_with_evidence(ctx: Context) -> Outcome:
    section = ctx.layout.section("contributing_factors")
    if section is None:
        return missing_section(ctx, "contributing_factors")
    factors = real_items(section)
    if not factors:
        return Outcome(0.0, "no contributing factors listed", section.line)
    without = [(n, text) for n, text in factors if not (CITATION_RE.search(text) or LINK_RE.search(text))]
    credit = 1 - len(without) / len(factors)
    if not without:
        return Outcome(1.0, f"{len(factors)} factor(s), each with evidence", section.line)
    first_line, first = without[0]
    return Outcome(
        credit,
        f"{len(without)} of {len(factors)} factor(s) cite no evidence, e.g. '{_short(plain(first))}'",
        first_line,
    )


def five_whys(ctx: Context) -> Outcome:
    section = ctx.layout.section("five_whys")
    if section is None:
        return missing_section(ctx, "five_whys")
    entries = _question_answer_pairs(items(section))
    answered = [(n, text) for n, text in entries if NOT_ESTABLISHED not in plain(text)]
    depth = min(len(answered), WHY_DEPTH)
    if not entries:
        return Outcome(0.0, "the 5 Whys section is empty", section.line)
    last_line, last = entries[-1]
    answer = plain(re.sub(r"^\*\*[^*]*\*\*", "", last.strip()))
    if NOT_ESTABLISHED in answer:
        verdict, systemic = "the last why is not established (left to the review)", False
    elif _names_person(answer, ctx):
        verdict, systemic = "the last answer names a person, not a systemic factor", False
    elif SYSTEMIC_RE.search(answer):
        verdict, systemic = "the last answer is a systemic factor", True
    else:
        verdict, systemic = "the last answer names no process, control or design condition", False
    credit = 0.5 * depth / WHY_DEPTH + (0.5 if systemic else 0.0)
    return Outcome(credit, f"depth {depth} of {WHY_DEPTH}; {verdict}", last_line)


def _question_answer_pairs(entries: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """One entry per why: a bare question item is joined with the answer item after it.

    Human layouts often list "- Why did X fail?" and "- Because Y." as separate items; counting both
    would double the depth.
    """
    paired: list[tuple[int, str]] = []
    for line, text in entries:
        if paired and _is_bare_question(paired[-1][1]) and not _is_bare_question(text):
            paired[-1] = (paired[-1][0], f"{paired[-1][1]} {text}")
        else:
            paired.append((line, text))
    return paired


def _is_bare_question(text: str) -> bool:
    return plain(text).rstrip().endswith("?")


def _names_person(text: str, ctx: Context) -> bool:
    from pipeline.blameless.people import build_roster

    if PERSON_AGENT_RE.search(text):
        return True
    roster = build_roster(ctx.sources.people if ctx.sources else ())
    return any(roster.is_person_name(token) for token in re.findall(r"\b[A-Z][a-z]+\b", text))


def action_items_complete(ctx: Context) -> Outcome:
    section = ctx.layout.section("action_items")
    if section is None:
        return missing_section(ctx, "action_items")
    rows = _action_rows(section)
    if not rows:
        return Outcome(0.0, "no action items listed", section.line)
    missing_counts = {name: 0 for name in INLINE_FIELDS}
    for _, present in rows:
        for name in INLINE_FIELDS:
            missing_counts[name] += name not in present
    credit = sum(len(present) for _, present in rows) / (len(rows) * len(INLINE_FIELDS))
    gaps = [f"{count} without {name}" for name, count in missing_counts.items() if count]
    if not gaps:
        return Outcome(1.0, f"{len(rows)} item(s), each with owner, due date, priority and type", section.line)
    incomplete = next(line for line, present in rows if len(present) < len(INLINE_FIELDS))
    return Outcome(credit, f"{len(rows)} item(s): " + ", ".join(gaps), incomplete)


def _action_rows(section: Section) -> list[tuple[int, set[str]]]:
    """(line, fields present) per action item, from a table's columns or inline text."""
    found: list[tuple[int, set[str]]] = []
    for header, rows in tables(section.body):
        columns = {
            name: next((i for i, cell in enumerate(header) if pattern.match(cell)), None)
            for name, pattern in COLUMN_NAMES.items()
        }
        for line, cells in rows:
            if REVIEW_NOTE_RE.search(" ".join(cells)) and all(is_empty_value(c) for c in cells[1:]):
                continue
            present = {
                name
                for name, index in columns.items()
                if index is not None and index < len(cells) and not is_empty_value(cells[index])
            }
            inline = {
                name
                for name, pattern in INLINE_FIELDS.items()
                if columns[name] is None and pattern.search(" ".join(cells))
            }
            found.append((line, present | inline))
    if found:
        return found
    return [
        (line, {name for name, pattern in INLINE_FIELDS.items() if pattern.search(text)})
        for line, text in real_items(section)
    ]


def blameless(ctx: Context) -> Outcome:
    from pipeline.blameless import lint_text

    people = sorted(ctx.sources.people) if ctx.sources else []
    findings = blocking_findings(lint_text(ctx.text, path=ctx.path, people=people))
    if not findings:
        return Outcome(1.0, "no blameless finding at warning or above")
    first = findings[0]
    return Outcome(
        0.0,
        f"{len(findings)} finding(s) at warning or above; first: {first.rule_id}({first.slug}) '{first.match}'",
        first.line,
    )


def citations_resolve(ctx: Context) -> Outcome:
    index = _evidence_index(ctx.layout)
    cited: list[tuple[int, str]] = []
    index_lines = {line for line, _ in index}
    for number, line in enumerate(ctx.layout.lines, start=1):
        if number not in index_lines:  # `[C12]` in inline code explains the notation; it cites nothing
            cited += [(number, evidence_id) for evidence_id in CITATION_RE.findall(INLINE_CODE_RE.sub("", line))]
    if not cited:
        return skipped("no [T3]/[C12] citations in the document")
    known_in_doc = {evidence_id for _, evidence_id in index}
    unresolved = []
    for line, evidence_id in cited:
        if (index and evidence_id not in known_in_doc) or (ctx.sources and evidence_id not in ctx.sources.evidence):
            unresolved.append((line, evidence_id))
    if not index and ctx.sources is None:
        return skipped("citations found but no evidence index and no --incident to resolve them against")
    if not unresolved:
        return Outcome(1.0, f"all {len(cited)} citations resolve")
    line, evidence_id = unresolved[0]
    return Outcome(
        1 - len(unresolved) / len(cited),
        f"{len(unresolved)} of {len(cited)} citations do not resolve; first: {evidence_id}",
        line,
    )


def _evidence_index(layout: Layout) -> list[tuple[int, str]]:
    section = layout.section("appendix")
    if section is None:
        return []
    return [
        (line, cells[0])
        for _, rows in tables(section.body)
        for line, cells in rows
        if cells and EVIDENCE_ID_RE.match(cells[0])
    ]


def faithful(ctx: Context) -> Outcome:
    if ctx.sources is None:
        return skipped("needs --incident DIR (the sources to check times, numbers and names against)")
    checked = 0
    problems: list[tuple[int, str]] = []
    for section in ctx.layout.sections:
        if section.id not in NARRATIVE_SECTIONS:
            continue
        for line, raw in items(section):
            text = plain(raw)
            if not text or text.startswith(NOT_ESTABLISHED):
                continue
            checked += 1
            ids = CITATION_RE.findall(unescape(raw))
            found = _claim_problems(text, ids, ctx.sources) if ids else _source_problems(text, ctx.sources)
            found += _name_problems(text, ctx.sources)
            problems += [(line, problem) for problem in found]
    if not checked:
        return skipped("no narrative statements to check")
    if not problems:
        return Outcome(1.0, f"{checked} statements: times, numbers and names all appear in the sources")
    bad_lines = {line for line, _ in problems}
    line, first = problems[0]
    return Outcome(
        1 - len(bad_lines) / checked, f"{len(bad_lines)} of {checked} statements unsupported; first: {first}", line
    )


def _claim_problems(text: str, ids: list[str], sources: IncidentSources) -> list[str]:
    """A cited statement: the same check drafting applies (verify.claim_problems)."""
    return claim_problems(Claim(text=text, evidence=ids), sources.evidence)


def _source_problems(text: str, sources: IncidentSources) -> list[str]:
    """An uncited statement: every clock and number must appear somewhere in the sources."""
    problems = []
    text = ISO_DATE_RE.sub(" ", text)
    for hours, minutes in CLOCK_RE.findall(text):
        if not sources.supports_clock(f"{hours}:{minutes}"):
            problems.append(f"time {hours}:{minutes} is not in the sources")
    rest = IGNORED_NUMBER_CONTEXT.sub(" ", CLOCK_RE.sub(" ", text))
    for match in NUMBER_RE.finditer(rest):
        number = match.group(1).replace(",", "")
        after = rest[match.end() :]
        if sources.mentions(match.group(1)) or sources.mentions(number):
            continue
        if MINUTES_AFTER_RE.match(after) and number.isdigit() and int(number) in sources.durations:
            continue
        if HOURS_RE.match(after) and _near_hours(number, sources):
            continue
        problems.append(f"number {match.group(1)} is not in the sources")
    return problems


def _near_hours(number: str, sources: IncidentSources) -> bool:
    try:
        minutes = float(number) * 60
    except ValueError:
        return False
    return any(abs(duration - minutes) <= 30 for duration in sources.durations)


def _name_problems(text: str, sources: IncidentSources) -> list[str]:
    from pipeline.blameless.people import first_names

    names = first_names()
    return [
        f"name {token} is not in the sources"
        for token in dict.fromkeys(re.findall(r"\b[A-Z][a-z]+\b", text))
        if token in names and not sources.mentions(token)
    ]


Criterion = Callable[[Context], Outcome]
CRITERIA: dict[str, Criterion] = {
    "header_fields": header_fields,
    "sections_present": sections_present,
    "sections_in_order": sections_in_order,
    "summary_concise": summary_concise,
    "timeline_matches_lock": timeline_matches_lock,
    "went_well_wrong": went_well_wrong,
    "factors_with_evidence": factors_with_evidence,
    "five_whys": five_whys,
    "action_items_complete": action_items_complete,
    "blameless": blameless,
    "citations_resolve": citations_resolve,
    "faithful": faithful,
}
