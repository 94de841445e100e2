"""Postmortem files -> one `LibraryDocument` each: metadata plus section chunks of at most 150 words.

Markdown of any layout is accepted: our template's sections, human-written postmortems with front matter
or `**Date:**` bullets, or text extracted from a PDF with no headings at all (then the whole body is
chunked). `draft.json` files (models.Draft) are read through the shared model. MiniLM truncates at 256
word pieces (about 190 words), so chunks stop at 150 words to be embedded whole.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.files import read_text

MAX_CHUNK_WORDS = 150
_MAX_PREFIX_WORDS = 20
SKIPPED_SECTIONS = {"similar past incidents", "similar incidents"}  # they describe other incidents

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FIELD = re.compile(
    r"^[\s>*+-]*+(date|service|services|severity|incident id|id)\s*\**\s*:\s*\**\s*(.*\S)\s*$",  # no backtracking
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SEVERITY = re.compile(r"\b(SEV[- ]?[0-5])\b", re.IGNORECASE)
_PROVENANCE = re.compile(r"^(source|license):\s", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Chunk:
    """One embedded passage; `id` is a hash of its text and its document's metadata."""

    id: str
    section: str
    text: str
    lead_chars: int = 0  # length of the "title - section:" lead, so displays can show the passage alone

    @property
    def passage(self) -> str:
        return self.text[self.lead_chars :].strip()


@dataclass
class LibraryDocument:
    incident_id: str
    title: str
    source: str
    date: date | None = None
    severity: str | None = None
    services: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    factors: list[str] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)

    def metadata(self) -> dict[str, str]:
        """Chroma metadata (scalars only): lists become comma-joined strings."""
        return {
            "incident_id": self.incident_id,
            "title": self.title,
            "source": self.source,
            "date": self.date.isoformat() if self.date else "",
            "severity": self.severity or "",
            "services": ",".join(self.services),
            "triggers": ",".join(self.triggers),
            "factors": ",".join(self.factors),
        }


def load_document(path: Path) -> LibraryDocument:
    """Read a markdown postmortem or a draft.json into a chunked, categorized document."""
    text = read_text(path, what="postmortem")
    if path.suffix.lower() == ".json":
        document = _from_draft_json(path, text)
    else:
        document = _from_markdown(path, text)
    return finish(document)


def finish(document: LibraryDocument) -> LibraryDocument:
    """Redact secrets and contacts, fill categories from the whole text, cut sections into content-hashed chunks.

    Redacting here means no library (embedded, or a team's shared server) ever stores a pasted secret.
    """
    from pipeline.redact import Redactor
    from pipeline.similar.taxonomy import load_taxonomy

    redactor = Redactor()
    document.sections = [(section, redactor.redact(body)) for section, body in document.sections]
    full_text = document.title + "\n" + "\n".join(body for _, body in document.sections)
    categories = load_taxonomy().categorize(full_text)
    document.triggers, document.factors = list(categories.triggers), list(categories.factors)
    meta = json.dumps(document.metadata(), sort_keys=True)
    seen: set[str] = set()
    chunks = []
    for section, body in document.sections:
        if section.strip().lower() in SKIPPED_SECTIONS:
            continue
        lead = section_lead(document.title, section)
        for passage in chunk_section(document.title, section, body):
            digest = hashlib.sha256(f"{meta}\n{passage}".encode()).hexdigest()[:24]
            chunk_id = f"{document.incident_id}:{digest}"
            while chunk_id in seen:  # identical passages twice in one document
                chunk_id += "+"
            seen.add(chunk_id)
            chunks.append(Chunk(id=chunk_id, section=section, text=passage, lead_chars=len(lead)))
    document.chunks = chunks
    return document


def chunk_section(title: str, section: str, body: str, max_words: int = MAX_CHUNK_WORDS) -> list[str]:
    """Passages of at most `max_words` words, each led by "title - section:" so it stands on its own."""
    prefix_words = section_lead(title, section).split()
    budget = max_words - len(prefix_words)
    pieces: list[list[str]] = []
    for paragraph in re.split(r"\n\s*\n", body):
        words = paragraph.split()
        if not words:
            continue
        if len(words) <= budget:
            pieces.append(words)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            sentence_words = sentence.split()
            pieces.extend(sentence_words[i : i + budget] for i in range(0, len(sentence_words), budget))
    passages: list[list[str]] = []
    current: list[str] = []
    for piece in pieces:
        if current and len(current) + len(piece) > budget:
            passages.append(current)
            current = []
        current = current + piece
    if current:
        passages.append(current)
    return [" ".join(prefix_words + words) for words in passages]


def section_lead(title: str, section: str) -> str:
    """The words that lead every chunk of a section: the title and section name, at most 20 words."""
    if not title and not section:  # a query text: nothing to lead with
        return ""
    return " ".join(f"{title} - {section}:".split()[:_MAX_PREFIX_WORDS])


def _from_markdown(path: Path, text: str) -> LibraryDocument:
    text = _COMMENT.sub("", text)
    lines = text.split("\n")
    while lines and (_PROVENANCE.match(lines[0]) or not lines[0].strip()):
        lines.pop(0)
    front: dict[str, str] = {}
    fence = lines[0].strip() if lines else ""
    if fence in {"---", "+++"}:  # YAML (key: value) or TOML (key = "value") front matter
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == fence), None)
        if end is not None:
            for line in lines[1:end]:
                key, sep, value = line.partition(":" if fence == "---" else "=")
                if sep:
                    front[key.strip().lower()] = value.strip().strip("\"'")
            lines = lines[end + 1 :]
    fields = dict(front)
    for number, line in enumerate(lines[:40]):
        match = _FIELD.match(line)
        if match:
            fields.setdefault(match[1].lower(), match[2].strip("* "))
            lines[number] = ""  # kept as metadata, not as a passage of its own
    title = front.get("title") or ""
    sections: list[tuple[str, list[str]]] = [("Overview", [])]
    for line in lines:
        heading = _HEADING.match(line)
        if heading:
            name = _plain(heading[2])
            if not title and len(heading[1]) == 1 and not name.startswith("["):  # "[...]": an editor's note
                title = name
                continue
            sections.append((name, []))
        else:
            sections[-1][1].append(line)
    if not title:  # no front matter title and no H1: the file name says more than a random first line
        title = path.stem.replace("_", " ").replace("-", " ")
    bodies = [(name, "\n".join(body).strip()) for name, body in sections]
    bodies = [(name, body) for name, body in bodies if body]
    if not bodies:
        raise InputError(path, "no text to index (only headings)")
    return LibraryDocument(
        incident_id=_incident_id(fields, path),
        title=title,
        source=str(path),
        date=_date(fields.get("date"), path.name, text),
        severity=_severity(fields.get("severity"), text),
        services=_services(fields),
        sections=bodies,
    )


def _from_draft_json(path: Path, text: str) -> LibraryDocument:
    from pydantic import ValidationError

    from pipeline.models import Draft

    try:
        draft = Draft.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        line = _json_error_line(text, first)
        raise InputError(
            path,
            f"not a draft.json ({where}: {first['msg']})",
            line=line,
            hint="index markdown postmortems or draft.json files written by `postmortem draft --format json`",
        ) from exc

    def claims(items: list) -> str:
        return "\n\n".join(item.text for item in items)

    sections = [
        ("Executive Summary", claims(draft.executive_summary)),
        ("Impact", claims(draft.impact)),
        ("Timeline", "\n".join(event.text for event in draft.timeline)),
        ("What Went Wrong", claims(draft.went_wrong)),
        ("Contributing Factors", "\n\n".join(f.statement for f in draft.contributing_factors)),
        ("5 Whys", "\n\n".join(f"{why.question} {why.answer.text}" for why in draft.five_whys)),
        ("Action Items", "\n\n".join(item.action for item in draft.action_items)),
        ("Lessons Learned", claims(draft.lessons_learned)),
    ]
    incident_id = path.parent.name if path.stem == "draft" and path.parent.name else path.stem
    return LibraryDocument(
        incident_id=incident_id,
        title=draft.title,
        source=str(path),
        date=draft.date,
        severity=draft.severity,
        services=[draft.service] if draft.service else [],
        sections=[(name, body) for name, body in sections if body.strip()],
    )


def _json_error_line(text: str, error: dict) -> int | None:
    if error["type"] == "json_invalid":
        match = re.search(r"line (\d+)", str(error.get("ctx", {}).get("error", "")))
        return int(match[1]) if match else None
    return None


def _plain(markdown: str) -> str:
    return re.sub(r"[*_`]+", "", markdown).strip()


def _incident_id(fields: dict[str, str], path: Path) -> str:
    raw = fields.get("incident id") or fields.get("id") or path.stem
    return re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-") or path.stem


def _date(value: str | None, name: str, text: str) -> date | None:
    for candidate in (value or "", name, text[:2000]):
        match = _ISO_DATE.search(candidate)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return None


def _severity(value: str | None, text: str) -> str | None:
    if value:
        return value.upper().replace(" ", "-")
    match = _SEVERITY.search(text[:4000])
    return match[1].upper().replace(" ", "-") if match else None


def _services(fields: dict[str, str]) -> list[str]:
    raw = fields.get("services") or fields.get("service") or ""
    return [s.strip().strip("`").lower() for s in re.split(r"[,;]| and ", raw) if s.strip()]
