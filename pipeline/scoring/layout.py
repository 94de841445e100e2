"""Read any postmortem's layout: sections by heading synonyms, their items and tables, and header fields.

Human-written postmortems use `## Root Cause`, `**Impact**:` labels, PDF exports with bare `Timeline`
lines, or YAML front matter. This module finds the template's sections in all of those by the synonyms
in `pipeline/data/rubric.yaml`, so the rubric can score documents it has never seen the layout of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ATX_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
LABEL_RE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)(?P<label>[^*_\n]{2,60}?)(?:\*\*|__)[ \t]*:?[ \t]*(?P<rest>.*)$"
)
FENCE_RE = re.compile(r"^ {0,3}(```+|~~~+)")
CLOSING_FENCE_RE = re.compile(r"^ {0,3}(```+|~~~+)[ \t]*$")  # CommonMark: a closing fence has no info string
LIST_ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(?P<text>\S.*)$")
TABLE_ROW_RE = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
TABLE_SEP_RE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
FIELD_VALUE_RE = r"(?:\*\*|__)?(?P<label>{labels})(?:\*\*|__)?[ \t]*(?::|\uff1a|=|[ \t]-[ \t])[ \t]*(?:\*\*|__)?[ \t]*(?P<value>\S.*)$"
ESCAPE_RE = re.compile(r"\\([\\`*_\[\]<>|#{}()+.!-])")
EMPTY_VALUES = re.compile(
    r"^(?:|-|—|n/?a|none|tbd|tbc|todo|unknown|\?+|not (?:recorded|declared|established|known|set)\b.*)$", re.I
)
MAX_PLAIN_HEADING_WORDS = 7


@dataclass(frozen=True)
class SectionSpec:
    """One template section: its id, display name, heading synonyms, and whether the template needs it."""

    id: str
    name: str
    pattern: re.Pattern[str]
    required: bool = True


@dataclass
class Section:
    """A section found in a document: which template section it is, where, and its body lines."""

    id: str
    heading: str
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.body)


@dataclass
class Layout:
    """The parts of a document the rubric reads."""

    lines: list[str]
    sections: list[Section]
    fields: dict[str, tuple[int, str]]

    def section(self, section_id: str) -> Section | None:
        """The first section with this id (a document may repeat a heading; the first one counts)."""
        return next((s for s in self.sections if s.id == section_id), None)


def unescape(text: str) -> str:
    """Markdown backslash escapes removed, so `max\\_connections` compares equal to `max_connections`."""
    return ESCAPE_RE.sub(r"\1", text)


def normalize_heading(text: str) -> str:
    """Lower-case heading words: markup, numbering, emoji and trailing punctuation removed."""
    text = unescape(text)
    text = re.sub(r"[*_`]|<[^>]+>|\{[^}]*\}", "", text)
    text = re.sub(r"^\s*(?:\d+(?:\.\d+)*[.)]|\d+\.\d+(?:\.\d+)*|[ivx]+\.|[a-z]\))\s+", "", text, flags=re.I)
    text = re.sub(r"[^\w\s&'/;()-]", " ", text)
    return " ".join(text.lower().replace("\u2019", "'").split()).strip(" :-")


def classify(heading: str, specs: list[SectionSpec]) -> str | None:
    """The template section a heading names, or None."""
    normalized = normalize_heading(heading)
    for spec in specs:
        if spec.pattern.match(normalized):
            return spec.id
    return None


def _compile_synonyms(synonyms: list[str]) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(f"(?:{s})" for s in synonyms) + r")(?![\w-])", re.I)


def section_specs(raw: list[dict]) -> list[SectionSpec]:
    return [
        SectionSpec(item["id"], item["name"], _compile_synonyms(item["synonyms"]), item.get("required", True))
        for item in raw
    ]


def field_patterns(raw: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    """One regex per header field, matching `Label: value`, `**Label**: value` and list-item forms."""
    return {
        name: re.compile(r"^[ \t]*(?:[-*+][ \t]+)?" + FIELD_VALUE_RE.format(labels="|".join(labels)), re.I)
        for name, labels in raw.items()
    }


def parse_layout(text: str, specs: list[SectionSpec], fields: dict[str, re.Pattern[str]]) -> Layout:
    """Split `text` into template sections and read its header fields."""
    lines = text.splitlines()
    headings = _headings(lines, specs)
    sections: list[Section] = []
    for index, (line_no, level, heading, section_id, inline) in enumerate(headings):
        if section_id is None:
            continue
        end = len(lines)
        for later_no, later_level, _, later_id, _ in headings[index + 1 :]:
            if later_id is not None or (level and later_level and later_level <= level) or (not level and later_level):
                end = later_no - 1
                break
        body = [(n, lines[n - 1]) for n in range(line_no + 1, end + 1)]
        if inline:
            body.insert(0, (line_no, inline))
        sections.append(Section(section_id, heading.strip(), line_no, _strip_setext(body)))
    return Layout(lines, sections, read_fields(text, lines, fields))


def _headings(lines: list[str], specs: list[SectionSpec]) -> list[tuple[int, int, str, str | None, str]]:
    """(line, ATX level or 0, heading text, section id, text after a `**Label**:`) for every heading-like line."""
    found: list[tuple[int, int, str, str | None, str]] = []
    fence = ""  # the open fence's marker; "" outside code
    for number, line in enumerate(lines, start=1):
        opening, closing = FENCE_RE.match(line), CLOSING_FENCE_RE.match(line)
        if fence and closing and closing[1][0] == fence[0] and len(closing[1]) >= len(fence):
            fence = ""
            continue
        if not fence and opening:
            fence = opening[1]
            continue
        if fence:
            continue
        atx = ATX_RE.match(line)
        if atx:
            found.append((number, len(atx[1]), atx[2], classify(atx[2], specs), ""))
            continue
        nxt = lines[number] if number < len(lines) else ""
        if line.strip() and SETEXT_RE.match(nxt) and not LIST_ITEM_RE.match(line) and not TABLE_ROW_RE.match(line):
            level = 1 if nxt.strip().startswith("=") else 2
            found.append((number, level, line.strip(), classify(line, specs), ""))
            continue
        label = LABEL_RE.match(line)
        if label:
            section_id = classify(label["label"], specs)
            if section_id is not None:
                found.append((number, 0, label["label"], section_id, label["rest"].strip()))
            continue
        stripped = line.strip().rstrip("?:")
        if stripped and len(stripped.split()) <= MAX_PLAIN_HEADING_WORDS and not LIST_ITEM_RE.match(line):
            section_id = classify(stripped, specs)
            if section_id is not None and _is_whole_heading(stripped, specs, section_id):
                found.append((number, 0, stripped, section_id, ""))
    return found


def _is_whole_heading(text: str, specs: list[SectionSpec], section_id: str) -> bool:
    """A bare line counts as a heading only when the synonym is all of it ("Timeline", "What Went Well?")."""
    spec = next(s for s in specs if s.id == section_id)
    normalized = normalize_heading(text)
    match = spec.pattern.match(normalized)
    return bool(match) and match.end() == len(normalized)


def _strip_setext(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Drop a setext heading's underline (the body's first line) and `===` rules."""
    if body and SETEXT_RE.match(body[0][1]):
        body = body[1:]
    return [(n, line) for n, line in body if not (SETEXT_RE.match(line) and line.strip().startswith("="))]


def read_fields(text: str, lines: list[str], fields: dict[str, re.Pattern[str]]) -> dict[str, tuple[int, str]]:
    """Header fields as (line, value): `Label: value` lines, 2-cell table rows, front matter, PDF label lines."""
    found: dict[str, tuple[int, str]] = {}

    def offer(name: str, line: int, value: str) -> None:
        value = unescape(value).strip().strip("*_ |")
        if name not in found or (is_empty_value(found[name][1]) and not is_empty_value(value)):
            found[name] = (line, value)

    for number, line in enumerate(lines, start=1):
        candidates = [line]
        cells = table_cells(line) if TABLE_ROW_RE.match(line) else []
        if len(cells) == 2:
            candidates.append(f"{cells[0]}: {cells[1]}")
        for candidate in candidates:
            for name, pattern in fields.items():
                match = pattern.match(candidate)
                if match:
                    offer(name, number, match["value"])
        bare = line.strip().rstrip(":")
        if bare and bare.upper() == bare and number < len(lines) and lines[number].strip():
            for name, pattern in fields.items():
                match = pattern.match(f"{bare}: {lines[number].strip()}")
                if match and match.group("label").lower() == bare.lower():
                    offer(name, number, match["value"])
    return found


def is_empty_value(value: str) -> bool:
    return bool(EMPTY_VALUES.match(value.strip()))


def table_cells(line: str) -> list[str]:
    """Cells of a markdown table row (escaped pipes stay inside their cell)."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]


def tables(body: list[tuple[int, str]]) -> list[tuple[list[str], list[tuple[int, list[str]]]]]:
    """Markdown tables in a section body: (header cells, [(line, cells)...])."""
    found = []
    index = 0
    while index < len(body):
        number, line = body[index]
        if TABLE_ROW_RE.match(line) and index + 1 < len(body) and TABLE_SEP_RE.match(body[index + 1][1]):
            header = [normalize_heading(cell) for cell in table_cells(line)]
            rows = []
            index += 2
            while index < len(body) and TABLE_ROW_RE.match(body[index][1]):
                rows.append((body[index][0], table_cells(body[index][1])))
                index += 1
            found.append((header, rows))
            continue
        index += 1
    return found


def items(section: Section) -> list[tuple[int, str]]:
    """The section's entries: top-level list items (with continuation lines), else table rows, else paragraphs."""
    listed: list[tuple[int, str]] = []
    top_indent: int | None = None
    for number, line in section.body:
        match = LIST_ITEM_RE.match(line)
        if match:
            indent = len(match["indent"].expandtabs(4))
            if top_indent is None or indent <= top_indent:
                top_indent = indent if top_indent is None else top_indent
                listed.append((number, match["text"].strip()))
                continue
        if listed and line.strip() and not ATX_RE.match(line) and not TABLE_ROW_RE.match(line):
            listed[-1] = (listed[-1][0], f"{listed[-1][1]} {line.strip()}")
    if listed:
        return listed
    rows = [(n, " | ".join(cells)) for _, table_rows in tables(section.body) for n, cells in table_rows]
    if rows:
        return rows
    paragraphs: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in section.body + [(0, "")]:
        if line.strip() and not ATX_RE.match(line) and not line.lstrip().startswith("<!--"):
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            paragraphs.append((start, " ".join(current)))
            current = []
    return paragraphs
