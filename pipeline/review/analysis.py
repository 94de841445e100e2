"""Everything the reviewer's page shows about one draft, computed from the file as it is on disk now.

The page is rebuilt on every load (a change of the file shows up on reload); the incident's evidence is
cached per incident folder and reloaded when one of its files changes.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError
from pipeline.facts import Evidence

if TYPE_CHECKING:
    from pipeline.scoring import Score

CITATION = re.compile(r"(?<!\\)\[([TC][1-9]\d{0,5})\]")
INLINE_CODE = re.compile(r"(?<![\\`])(`+)(?!`)[^\n]+?(?<!`)\1(?!`)")
CONTROL_COMMENT = re.compile(r"<!--\s*blameless-(?:disable|enable|ignore-next)\b[^>]*?-->")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
NOT_ESTABLISHED = re.compile(r"not established", re.IGNORECASE)
OPEN_QUESTIONS = re.compile(r"open questions", re.IGNORECASE)
SIMILAR = re.compile(r"similar (?:past )?incidents", re.IGNORECASE)
APPENDIX_ROW = re.compile(r"^\|\s*([TC][1-9]\d*)\s*\|\s*(.*?)\s*\|\s*$")
APPENDIX_TEXT = re.compile(r"^(?:(\d{4}-\d{2}-\d{2} )?(\d{1,2}:\d{2}) UTC )?(?:(.{1,80}?): )?(.*)$", re.S)


@dataclass
class ReviewFinding:
    """One blameless finding and the edit that Accept would make (`rewrite` None: nothing to accept)."""

    key: str
    index: int
    rule_id: str
    slug: str
    level: str
    message: str
    match: str
    suggestion: str
    line: int
    start: int
    end: int
    section: str
    evidence: list[str]
    edit_start: int
    edit_end: int
    original: str
    rewrite: str | None
    safety: str | None
    help_url: str = ""
    rewrite_pending: bool = False
    quoted: bool = False  # in the locked timeline or the evidence index: a copy of the evidence, not prose


@dataclass
class DraftedItem:
    """A drafted claim, factor, why, action or lesson the reviewer keeps or removes: its whole lines
    [start, end) in the text, and where the page puts its Keep / Remove buttons (`anchor`)."""

    key: str
    index: int
    kind: str
    section: str
    line: int
    start: int
    end: int
    anchor: int
    text: str
    source: str
    evidence: list[str]
    kept: str | None = None  # the id of the standing Keep decision, once there is one


@dataclass
class TodoItem:
    """A gap the review must close: a "Not established" answer or an open question."""

    kind: str
    section: str
    line: int
    text: str


@dataclass
class ReviewDocument:
    """The draft as the page shows it."""

    path: Path
    text: str
    version: str
    engine: str
    findings: list[ReviewFinding]
    items: list[DraftedItem]
    evidence: dict[str, Evidence]
    evidence_source: str
    cited: list[str]
    todos: list[TodoItem]
    similar: list[str]
    score: Score | None = None
    newline: str = "\n"
    bom: bool = False

    def finding(self, key: str) -> ReviewFinding | None:
        return next((f for f in self.findings if f.key == key), None)

    def item(self, key: str) -> DraftedItem | None:
        return next((i for i in self.items if i.key == key), None)


def version_of(text: str) -> str:
    """What the page sends back with a decision: a decision on an older text is refused."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_draft(path: Path) -> tuple[str, str, bool]:
    """The draft's text (newlines normalized), and how to write it back as it was: its newline, its BOM."""
    from pipeline.ingest.files import decode, read_checked

    raw = read_checked(path, what="draft")
    return decode(raw, path, what="draft"), "\r\n" if b"\r\n" in raw else "\n", raw.startswith(codecs.BOM_UTF8)


def sections_by_line(text: str) -> list[str]:
    """The heading (level 2 or deeper) each line sits under; '' before the first."""
    current, found = "", []
    for line in text.split("\n"):
        heading = HEADING.match(line)
        if heading and len(heading.group(1)) >= 2:
            current = heading.group(2).strip()
        found.append(current)
    return found


def analyse(
    path: Path,
    *,
    incident: Path | None = None,
    text: str | None = None,
    with_score: bool = True,
    engine: str | None = None,
    sentence_rewrites: bool = True,
) -> ReviewDocument:
    """Read the draft (or take `text`), lint it, find its evidence and gaps, and score it.

    `sentence_rewrites=False` skips the grammar rewriter (spaCy takes seconds to load): findings it would
    have rewritten are marked `rewrite_pending` instead."""
    newline, bom = "\n", False
    if text is None:
        text, newline, bom = read_draft(path)
    sources = load_evidence_sources(incident) if incident is not None else None
    evidence = dict(sources.evidence) if sources is not None else appendix_evidence(text)
    people = sorted(sources.people) if sources is not None else []
    sections = sections_by_line(text)
    score = None
    if with_score:
        from pipeline.scoring import score_text

        score = score_text(text, path=str(path), incident=sources)
    return ReviewDocument(
        path=path,
        text=text,
        version=version_of(text),
        engine=engine or draft_engine(path, text),
        findings=review_findings(text, people, sections, sentence_rewrites=sentence_rewrites),
        items=drafted_items(text, sections),
        evidence=evidence,
        evidence_source=f"the incident folder {incident.name}/"
        if sources is not None
        else "the draft's evidence appendix",
        cited=sorted({m.group(1) for m in citations(text)}, key=lambda i: (i[0] != "T", int(i[1:]))),
        todos=todo_items(text, sections),
        similar=similar_items(text, sections),
        score=score,
        newline=newline,
        bom=bom,
    )


def citations(text: str) -> list[re.Match[str]]:
    """Every `[T3]` / `[C12]` outside inline code (the header's "`[T3]` is row 3" explains, it cites nothing)."""
    code = [m.span() for m in INLINE_CODE.finditer(text)] if "`" in text else []
    return [m for m in CITATION.finditer(text) if not any(s <= m.start() < e for s, e in code)]


def review_findings(
    text: str, people: list[str], sections: list[str], *, sentence_rewrites: bool = True
) -> list[ReviewFinding]:
    """Each finding with the rewrite Accept applies: the rule's own (safe or for review), else a sentence
    rewrite from the grammar rewriter when it can rephrase the sentence, else none."""
    from pipeline.blameless.linter import lint_matches

    matches = lint_matches(text, path="draft", people=people)
    lines = text.split("\n")
    quoted = quoted_sections(sections)
    rephrased: list[tuple[int, int, str]] = []
    needs_rewriter = any(m.fix is None and m.review_fix is None and m.finding.level.blocks for m in matches)
    if needs_rewriter and sentence_rewrites:
        from pipeline.blameless.rewrite import sentence_edits

        rephrased = sentence_edits(text, people, safe_only=False)
    found = []
    for index, match in enumerate(matches):
        finding = match.finding
        section = sections[finding.line - 1] if finding.line - 1 < len(sections) else ""
        edit_start, edit_end = match.start, match.end
        rewrite = match.fix if match.fix is not None else match.review_fix
        safety = "safe" if match.fix is not None else "review" if match.review_fix is not None else None
        if section in quoted:
            rewrite = safety = None  # the timeline must match its lock; the index quotes the sources
        elif rewrite is None:
            around = next((e for e in rephrased if e[0] <= match.start and match.end <= e[1]), None)
            if around is not None:
                edit_start, edit_end, rewrite, safety = around[0], around[1], around[2], "review"
        line_text = lines[finding.line - 1] if finding.line - 1 < len(lines) else ""
        found.append(
            ReviewFinding(
                key=f"{finding.rule_id}@{match.start}",
                index=index,
                rule_id=finding.rule_id,
                slug=finding.slug,
                level=finding.level.value,
                message=finding.message,
                match=finding.match,
                suggestion=finding.suggestion,
                line=finding.line,
                start=match.start,
                end=match.end,
                section=section,
                evidence=CITATION.findall(line_text),
                edit_start=edit_start,
                edit_end=edit_end,
                original=text[edit_start:edit_end],
                rewrite=rewrite,
                safety=safety,
                help_url=finding.help_url,
                rewrite_pending=rewrite is None
                and not sentence_rewrites
                and finding.level.blocks
                and section not in quoted,
                quoted=section in quoted,
            )
        )
    return found


# The template sections (ids from pipeline/data/rubric.yaml) whose items a drafting engine proposes, and
# what each item is. The timeline is the scribe's (locked); similar incidents, open questions and the
# appendix are lists for the reviewer, not proposals.
ITEM_KINDS = {
    "summary": "claim",
    "impact": "claim",
    "went_well": "claim",
    "went_wrong": "claim",
    "contributing_factors": "factor",
    "five_whys": "why",
    "action_items": "action",
    "lessons_learned": "lesson",
}
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}")


def section_ids(sections: list[str]) -> dict[str, str | None]:
    """Each heading's template section id (pipeline/data/rubric.yaml synonyms), None when it names none."""
    from pipeline.scoring import load_rubric
    from pipeline.scoring.layout import classify

    specs = load_rubric().sections
    return {heading: classify(heading, specs) for heading in set(sections)}


def quoted_sections(sections: list[str]) -> set[str]:
    """Headings whose text is a copy of the evidence (the locked timeline, the evidence index)."""
    return {heading for heading, found in section_ids(sections).items() if found in ("timeline", "appendix")}


def drafted_items(text: str, sections: list[str]) -> list[DraftedItem]:
    """Top-level list items (with their continuation lines) and action-table rows in the drafted sections;
    "Not established" answers are left to the to-do list."""
    kinds = {heading: ITEM_KINDS.get(found or "") for heading, found in section_ids(sections).items()}
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    items: list[DraftedItem] = []
    number = 0
    while number < len(lines):
        line, section = lines[number], sections[number]
        kind = kinds.get(section)
        top_item = LIST_ITEM.match(line) and len(line) - len(line.lstrip()) <= 3
        row = kind == "action" and line.lstrip().startswith("|") and not TABLE_SEPARATOR.match(line)
        if kind is None or not (top_item or row):
            number += 1
            continue
        if row and (number + 1 < len(lines) and TABLE_SEPARATOR.match(lines[number + 1])):
            number += 1  # the table's header row
            continue
        last = number
        while top_item and last + 1 < len(lines) and _continues(lines[last + 1]):
            last += 1
        body = "\n".join(lines[number : last + 1])
        if not NOT_ESTABLISHED.search(body):
            end_of_text = offsets[last] + len(lines[last].rstrip())
            anchor = end_of_text - 1 if row and lines[last].rstrip().endswith("|") else end_of_text
            items.append(
                DraftedItem(
                    key=f"item@{offsets[number]}",
                    index=len(items),
                    kind=kind,
                    section=section,
                    line=number + 1,
                    start=offsets[number],
                    end=min(offsets[last + 1], len(text)),
                    anchor=anchor,
                    text=item_text(body),
                    source=body,
                    evidence=[m.group(1) for m in citations(body)],
                )
            )
        number = last + 1
    return items


def item_text(source: str) -> str:
    """A drafted item's markdown lines as one line of plain text, without its list marker or table pipes."""
    return plain(" ".join(part.strip(" |") for part in LIST_ITEM.sub(r"\1", source, count=1).split("\n")))


def _continues(line: str) -> bool:
    """A line that belongs to the list item above: indented and not blank (nested lists included)."""
    return bool(line.strip()) and line[:1] in (" ", "\t")


def todo_items(text: str, sections: list[str]) -> list[TodoItem]:
    """ "Not established" answers anywhere, and every item under Open Questions, in document order."""
    items = []
    for number, line in enumerate(text.split("\n"), start=1):
        section = sections[number - 1]
        if HEADING.match(line) or line.lstrip().startswith("|--"):
            continue
        item = LIST_ITEM.match(line)
        if OPEN_QUESTIONS.search(section) and item:
            items.append(TodoItem("question", section, number, plain(item.group(1))))
        elif NOT_ESTABLISHED.search(line) and not line.lstrip().startswith("|"):
            items.append(TodoItem("not-established", section, number, plain(item.group(1) if item else line)))
    return items


def similar_items(text: str, sections: list[str]) -> list[str]:
    """The draft's own Similar Past Incidents list (what drafting found in the library)."""
    return [
        plain(item.group(1))
        for number, line in enumerate(text.split("\n"))
        if SIMILAR.search(sections[number]) and (item := LIST_ITEM.match(line))
    ]


def plain(text: str) -> str:
    """Markdown item text as a reader sees it (for lists in side panels)."""
    from pipeline.scoring.layout import unescape

    text = CONTROL_COMMENT.sub("", text)
    return unescape(re.sub(r"\*\*|__|(?<!\\)`", "", text)).strip()


def appendix_evidence(text: str) -> dict[str, Evidence]:
    """Evidence read back from the draft's own appendix table (`| T3 | 12:01 UTC text |`), used when no
    incident folder is given: each row's time, author and text, as the draft quoted them."""
    from pipeline.scoring.layout import unescape

    found: dict[str, Evidence] = {}
    for line in text.split("\n"):
        row = APPENDIX_ROW.match(line)
        if not row:
            continue
        evidence_id, cell = row.group(1), unescape(row.group(2))
        parts = APPENDIX_TEXT.match(cell)
        day, clock, author, body = parts.groups() if parts else (None, None, None, cell)
        if evidence_id.startswith("T") and author:
            body, author = f"{author}: {body}", None
        moment = None
        if clock:
            try:
                moment = datetime.fromisoformat(f"{(day or '1970-01-01 ').strip()}T{int(clock[:-3]):02d}{clock[-3:]}")
            except ValueError:
                moment = None
        found[evidence_id] = Evidence(
            evidence_id, moment, body, author, "timeline" if evidence_id.startswith("T") else "message"
        )
    return found


def draft_engine(path: Path, text: str) -> str:
    """Which engine drafted this file: draft.json beside it says so; a model-written draft's markdown
    names its model; otherwise the offline engine (the default), or 'unknown' for a file we did not draft."""
    beside = path.with_suffix(".json")
    if beside.is_file():
        try:
            engine = json.loads(beside.read_text(encoding="utf-8")).get("metadata", {}).get("engine")
        except (OSError, ValueError, AttributeError):
            engine = None
        if isinstance(engine, str) and engine:
            return engine
    if "Appendix: Evidence Index" in text:
        return "llm" if re.search(r"the model's version|drafted with a model", text, re.I) else "offline"
    return "unknown"


def load_evidence_sources(directory: Path):
    """The incident's redacted evidence (pipeline.scoring.sources), reloaded only when one of the files
    drafting reads changes (not the draft itself, which usually sits in the same folder); a missing folder
    is an InputError naming it."""
    from pipeline.ingest.incident import TIMELINE_NAMES, find_chats

    if not directory.is_dir():
        raise InputError(directory, "incident directory not found", hint="pass the folder holding timeline and chat")
    inputs = [directory / name for name in TIMELINE_NAMES] + find_chats(directory) + [directory / "incident.toml"]
    inputs += [path.with_name(path.name + ".lock.json") for path in inputs[: len(TIMELINE_NAMES)]]
    files = [p for path in inputs for p in ([path] if path.is_file() else path.rglob("*") if path.is_dir() else [])]
    signature = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file()))
    return _cached_sources(directory.resolve(), signature)


@lru_cache(maxsize=4)
def _cached_sources(directory: Path, signature: tuple):
    from pipeline.scoring.sources import load_sources

    return load_sources(directory)


def default_incident(draft: Path) -> Path | None:
    """The draft's own folder when it is an incident folder (holds a timeline), else None."""
    from pipeline.ingest.incident import find_timeline

    try:
        find_timeline(draft.resolve().parent)
    except InputError:
        return None
    return draft.resolve().parent
