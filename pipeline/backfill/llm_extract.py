"""`backfill --llm`: the same fields from a model (structured output), each checked in code against the lines it cites.

The model sees the note's lines (secrets already redacted) with their source line numbers and must cite
the lines of every value. A value whose cited lines do not exist, or do not contain it, is dropped to
"Not recorded in source" with a warning on the record: provenance is verified, never trusted.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from pipeline.backfill.dates import parse_date
from pipeline.backfill.extract import Extracted, plain
from pipeline.backfill.reading import NoteText
from pipeline.models import NoteField, NoteItem, NoteTimelineRow, SourceSpan

PROMPT = "backfill_extract"
SYSTEM_PROMPT = "backfill_system.j2"
MAX_PROMPT_LINES = 1500  # a longer note is cut; its tail is left to the offline fields
_WORD = re.compile(r"[a-z0-9]+")
_MIN_WORD_OVERLAP = 0.6


class CitedValue(BaseModel):
    value: str | None = Field(description="The value, or null when the note does not state it.")
    quote: str | None = Field(default=None, description="Exact text of the cited lines the value was read from.")
    start_line: int | None = None
    end_line: int | None = None


class CitedItem(BaseModel):
    text: str
    start_line: int
    end_line: int


class CitedRow(BaseModel):
    time: str
    text: str
    start_line: int
    end_line: int


class NoteExtraction(BaseModel):
    """What the model returns for one note (the response schema)."""

    title: CitedValue
    date: CitedValue
    severity: CitedValue
    summary: CitedValue
    impact: CitedValue
    services: list[CitedItem] = Field(default_factory=list)
    timeline: list[CitedRow] = Field(default_factory=list)
    contributing_factors: list[CitedItem] = Field(default_factory=list)
    action_items: list[CitedItem] = Field(default_factory=list)
    lessons: list[CitedItem] = Field(default_factory=list)


def prompt_lines(note: NoteText) -> list[dict[str, object]]:
    return [{"line": number, "text": line} for line, number in zip(note.lines, note.numbers) if line.strip()][
        :MAX_PROMPT_LINES
    ]


class Verifier:
    """Checks cited values against the note's own lines; collects a warning for each value it drops."""

    def __init__(self, note: NoteText) -> None:
        self.by_number: dict[int, list[str]] = {}
        for line, number in zip(note.lines, note.numbers):
            self.by_number.setdefault(number, []).append(line)
        self.warnings: list[str] = []

    def cited_text(self, start: int | None, end: int | None) -> str | None:
        if start is None or end is None or end < start or end - start > 200:
            return None
        if start not in self.by_number or end not in self.by_number:
            return None
        return "\n".join(line for number in range(start, end + 1) for line in self.by_number.get(number, []))

    def value(self, name: str, cited: CitedValue, check: str = "words") -> NoteField:
        if not cited.value or not cited.value.strip():
            return NoteField()
        text = self.cited_text(cited.start_line, cited.end_line)
        if text is None:
            return self._drop(name, f"cites lines {cited.start_line}-{cited.end_line}, which the note does not have")
        if check == "date":
            stated = parse_date(text)
            if stated is None or stated.isoformat() != cited.value.strip():
                return self._drop(
                    name, f"{cited.value!r} is not the date written on lines {cited.start_line}-{cited.end_line}"
                )
        elif check == "exact":
            if f" {_normal(cited.value)} " not in f" {_normal(plain(text))} ":  # whole words: "EV" is not in "SEV-2"
                return self._drop(name, f"{cited.value!r} is not written on lines {cited.start_line}-{cited.end_line}")
        elif not _supported(cited.value, text):
            return self._drop(name, f"lines {cited.start_line}-{cited.end_line} do not support {cited.value[:60]!r}")
        return NoteField(value=cited.value.strip(), lines=SourceSpan(start=cited.start_line, end=cited.end_line))

    def items(self, name: str, cited: list[CitedItem]) -> list[NoteItem]:
        kept = []
        for item in cited:
            text = self.cited_text(item.start_line, item.end_line)
            if text is None or not _supported(item.text, text):
                self._drop(name, f"{item.text[:60]!r} is not supported by lines {item.start_line}-{item.end_line}")
                continue
            kept.append(NoteItem(text=item.text.strip(), lines=SourceSpan(start=item.start_line, end=item.end_line)))
        return kept

    def rows(self, cited: list[CitedRow]) -> list[NoteTimelineRow]:
        kept = []
        for row in cited:
            text = self.cited_text(row.start_line, row.end_line)
            if text is None or f" {_normal(row.time)} " not in f" {_normal(text)} " or not _supported(row.text, text):
                self._drop("timeline", f"row {row.time!r} is not written on lines {row.start_line}-{row.end_line}")
                continue
            kept.append(
                NoteTimelineRow(
                    time=row.time, text=row.text.strip(), lines=SourceSpan(start=row.start_line, end=row.end_line)
                )
            )
        return kept

    def _drop(self, name: str, why: str) -> NoteField:
        self.warnings.append(f"llm {name} dropped: {why}")
        return NoteField()


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _supported(value: str, cited: str) -> bool:
    """Most of the value's words appear in the cited lines (the model may cut words, not add them)."""
    words = _WORD.findall(value.lower())
    if not words:
        return False
    present = set(_WORD.findall(cited.lower()))
    return sum(word in present for word in words) / len(words) >= _MIN_WORD_OVERLAP


def verified(extraction: NoteExtraction, note: NoteText) -> tuple[Extracted, list[str]]:
    """The model's fields that survive verification, and a warning for each one dropped."""
    check = Verifier(note)
    result = Extracted(
        title=check.value("title", extraction.title, "exact"),
        date=check.value("date", extraction.date, "date"),
        severity=check.value("severity", extraction.severity, "exact"),
        services=check.items("services", extraction.services),
        summary=check.value("summary", extraction.summary),
        impact=check.value("impact", extraction.impact),
        timeline=check.rows(extraction.timeline),
        contributing_factors=check.items("contributing_factors", extraction.contributing_factors),
        action_items=check.items("action_items", extraction.action_items),
        lessons=check.items("lessons", extraction.lessons),
    )
    return result, check.warnings
