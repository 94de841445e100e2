"""Each note format -> `NoteText`: lines of plain markdown-like text, each with its line in the source.

Extraction then works on one shape for every format and still cites the source's own lines: HTML
headings become `#` lines at the line of their tag, a JSON object becomes `key: value` lines at the line
of each key, and a Slack export becomes one line per message (its provenance is the message number C1..Cn,
since an export spans many files).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.ingest.files import decode, read_checked

MAX_NOTE_BYTES = 16 * 1024 * 1024  # an incident note larger than this is almost surely not a note


@dataclass
class NoteText:
    """A note's text as numbered lines; `numbers[i]` is the source line of `lines[i]`."""

    lines: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    is_chat: bool = False  # a conversation: no paragraph of it is taken as the note's summary
    name: str = ""  # the file name: a date in it is the last resort for the incident's date
    splits: list[int] = field(default_factory=list)  # first line index of each incident, when the format says
    structured: bool = False  # read from fields (JSON, YAML, CSV): the format alone says where incidents are

    def extend(self, other: NoteText) -> None:
        """Append another incident's lines (a structured file's next record)."""
        self.structured = True
        self.splits.append(len(self.lines))
        self.lines.extend(other.lines)
        self.numbers.extend(other.numbers)

    def add(self, text: str, number: int) -> None:
        for part in text.split("\n"):
            self.lines.append(part.rstrip())
            self.numbers.append(number)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def decode_note(data: bytes, path: Path, encoding: str | None) -> str:
    """UTF-8 (the shared decoder's errors), or the encoding the user named with --encoding."""
    if encoding:
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(path, f"cannot decode as {encoding}: {exc}") from exc
    try:
        return decode(data, path, what="note")
    except InputError as error:
        if "UTF-8" in error.reason:
            error.hint = "old notes are often Windows-1252: re-run with --encoding cp1252"
        raise


def read_note(path: Path, fmt: str, *, encoding: str | None = None) -> NoteText:
    """Read one note of format `fmt`; unreadable input is an InputError naming the file (and line)."""
    note = _read(path, fmt, encoding)
    note.name = path.name
    return note


def _read(path: Path, fmt: str, encoding: str | None) -> NoteText:
    if fmt == "slack-export":
        return _slack_export(path)
    data = read_checked(
        path, what="note", max_bytes=MAX_NOTE_BYTES, too_large_hint="split the file into one note per incident"
    )
    if fmt == "docx":
        return _docx(path, data)
    text = decode_note(data, path, encoding)
    if fmt == "html":
        return _html(text)
    if fmt == "json":
        return _json(path, text)
    if fmt == "yaml":
        return _yaml(path, text)
    if fmt == "csv":
        return _csv(path, text)
    if fmt == "eml":
        return _eml(text)
    note = NoteText()
    for number, line in enumerate(text.split("\n"), start=1):
        note.add(line, number)
    return note


# ---------------------------------------------------------------- HTML

_BLOCK_TAGS = {"p", "div", "li", "tr", "br", "pre", "section", "article", "table", "ul", "ol", "dd", "dt", "blockquote"}
_SKIP_TAGS = {"script", "style", "head", "nav", "footer", "noscript", "svg"}


class _HTMLLines(HTMLParser):
    """Collects visible text as lines: h1-h6 become `#` headings, li items `- `, cells joined by ` | `."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.note = NoteText()
        self.buffer: list[str] = []
        self.start_line = 1
        self.prefix = ""
        self.skipping = 0
        self.title: tuple[str, int] | None = None
        self.in_title = False
        self.cells: list[str] | None = None  # inside a table row: its cells so far
        self.row_line = 1
        self.header_row = False  # every cell of the row so far is a <th>
        self.headed_table = False  # the current table opened with a header row

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buffer)).strip()
        if text:
            self.note.add(self.prefix + text, self.start_line)
        self.buffer, self.prefix = [], ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        if tag == "title":
            self.in_title = True
        if tag == "table":
            self.headed_table = False
        if tag == "tr":
            self._flush()
            self.cells, self.row_line, self.header_row = [], self.getpos()[0], True
            return
        if self.cells is not None:  # inside a row, blocks and cells only separate words
            if tag in {"td", "th"}:
                self.buffer = []
                self.header_row = self.header_row and tag == "th"
            elif tag == "li" and "".join(self.buffer).strip():
                self.buffer.append("; ")  # a list in a cell ("Follow-ups") keeps its items apart
            else:
                self.buffer.append(" ")
            return
        if re.fullmatch(r"h[1-6]", tag) or tag in _BLOCK_TAGS:
            self._flush()
            self.start_line = self.getpos()[0]
            if tag[0] == "h" and tag[1:].isdigit():
                self.prefix = "#" * int(tag[1]) + " "
            elif tag == "li":
                self.prefix = "- "
        elif tag in {"td", "th"} and self.buffer:
            self.buffer.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.skipping:
            self.skipping -= 1
        if tag == "title":
            self.in_title = False
        if self.cells is not None:
            if tag in {"td", "th"}:
                self.cells.append(re.sub(r"\s+", " ", "".join(self.buffer)).strip())
                self.buffer = []
            elif tag in {"tr", "table"}:
                if any(self.cells):
                    header = self.header_row and len(self.cells) > 1
                    line = _table_line(self.cells, under_header=header or self.headed_table)
                    self.note.add(line, self.row_line)
                    if self.header_row and line.startswith("|"):  # a header row, as markdown marks it
                        self.note.add("|" + " --- |" * len(self.cells), self.row_line)
                    self.headed_table = self.headed_table or header
                self.cells, self.buffer = None, []
                self.start_line = self.getpos()[0]
            else:
                self.buffer.append(" ")
            return
        if re.fullmatch(r"h[1-6]", tag) or tag in _BLOCK_TAGS:
            self._flush()
            self.start_line = self.getpos()[0]

    def handle_data(self, data: str) -> None:
        if self.in_title:
            text = data.strip()
            if text and self.title is None:
                self.title = (text, self.getpos()[0])
            return
        if self.skipping:
            return
        if not "".join(self.buffer).strip():  # the block's first visible text gives its line
            leading = data[: len(data) - len(data.lstrip())]
            self.start_line = self.getpos()[0] + leading.count("\n")
        self.buffer.append(data)


def _html(text: str) -> NoteText:
    parser = _HTMLLines()
    parser.feed(text)
    parser.close()
    parser._flush()
    note = parser.note
    if parser.title and not any(line.startswith("# ") for line in note.lines):
        note.lines.insert(0, "# " + parser.title[0])
        note.numbers.insert(0, parser.title[1])
    return note


# ---------------------------------------------------------------- JSON


def _json(path: Path, text: str) -> NoteText:
    """A JSON object note (an incident tool's export) as `key: value` lines; a message list as chat."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    if isinstance(data, list) and data and all(isinstance(item, dict) and "text" in item for item in data):
        return _messages(data)
    if not isinstance(data, (dict, list)):
        raise InputError(
            path,
            "JSON note must be an object of fields (or a list of incidents or chat messages)",
            hint="export the incident as one JSON object per note",
        )
    from pipeline.backfill.structured import locate_json

    return _structured(path, locate_json(data, text.split("\n")))


def _structured(path: Path, root: Any) -> NoteText:
    """Incident objects (one, a list, or under a container key) read by meaning; one record each."""
    from pipeline.backfill.structured import incident_records, meanings, record_note

    keys = meanings()
    records = incident_records(root, keys)
    if not records:
        raise InputError(
            path, "no incident object found", hint="a structured note is an object of fields, or a list of them"
        )
    note = NoteText()
    for record in records:
        part = record_note(record, keys)
        if part.lines:
            note.extend(part)
    if not note.lines:
        raise InputError(path, "no incident fields found", hint="see structured_keys in pipeline/data/backfill.yaml")
    if len(note.splits) == 1:
        note.splits = []
    return note


def _yaml(path: Path, text: str) -> NoteText:
    import yaml

    from pipeline.backfill.structured import locate_yaml

    try:
        root = locate_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            path, f"invalid YAML: {getattr(exc, 'problem', exc)}", line=mark.line + 1 if mark else None
        ) from exc
    return _structured(path, root)


def _csv(path: Path, text: str) -> NoteText:
    """One incident per row; every value cites the row's line."""
    from pipeline.backfill.structured import csv_records, meanings, record_note

    rows = csv_records(text)
    if not rows:
        raise InputError(path, "CSV note has a header but no rows", hint="one incident per row, with a header row")
    keys = meanings()
    note = NoteText()
    for row in rows:
        note.extend(record_note(row, keys))
    if len(note.splits) == 1:
        note.splits = []
    return note


# ---------------------------------------------------------------- e-mail


_FORWARD_SUBJECT = re.compile(r"^(?:(?:re|aw)\s*:\s*)*fwd?\s*:", re.IGNORECASE)
_FORWARD_MARK = re.compile(r"-{3,}\s*(?:original message|forwarded message)\s*-{3,}", re.IGNORECASE)
_QUOTE = re.compile(r"^(?:>[ \t]?)+")
_MAIL_HEADER = re.compile(r"^(?:from|to|cc|bcc|date|sent|subject|reply-to)\s*:", re.IGNORECASE)


def _eml(text: str) -> NoteText:
    """An incident summary sent by e-mail: the subject is the title, the body keeps its lines in the file."""
    import email
    from email import policy

    from pipeline.backfill.dates import dated_from_sent

    message = email.message_from_string(text, policy=policy.default)
    raw_lines = text.split("\n")
    header_end = next((i for i, line in enumerate(raw_lines) if not line.strip()), len(raw_lines))
    note = NoteText()
    subject = str(message.get("subject", "") or "").strip()
    if subject:
        subject_line = next(
            (i + 1 for i, line in enumerate(raw_lines[:header_end]) if line.lower().startswith("subject:")), 1
        )
        note.add("# " + re.sub(r"^(?:(?:re|fwd?|aw)\s*:\s*)+", "", subject, flags=re.IGNORECASE), subject_line)
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return note
    relative = _relative_day(message, part.get_content(), raw_lines[:header_end])
    if relative:
        note.add(f"date: {relative[0]}", relative[1])
    body = part.get_content()
    sent = _sent_day(message)
    if part.get_content_type() == "text/html":
        inner = _html(body)
        offset = header_end
        for line, number in zip(inner.lines, inner.numbers):
            note.add(dated_from_sent(line, sent) if sent else line, number + offset)
        return note
    body_lines = body.replace("\r\n", "\n").split("\n")
    if sent:
        body_lines = [dated_from_sent(line, sent) for line in body_lines]
    first = next((line for line in body_lines if line.strip()), "")
    start = next(
        (i for i in range(header_end, len(raw_lines)) if first and raw_lines[i].strip() == first.strip()),
        header_end + 1,
    )
    forwarded = bool(_FORWARD_SUBJECT.match(subject)) or any(_FORWARD_MARK.search(line) for line in body_lines)
    headers = _header_block_lines(body_lines)
    for offset, line in enumerate(body_lines):
        if forwarded:  # a forwarded thread's quoted text is the incident's own account ("> The partner-api was ...")
            line = _QUOTE.sub("", line)
        if line.startswith(">") or offset in headers:  # a reply's quote or forwarded headers: not this note
            continue
        note.add(line, start + 1 + offset)
    return note


def _header_block_lines(lines: list[str]) -> set[int]:
    """Indexes of forwarded mail headers: `From:`/`Sent:`/`To:` lines next to one another. A lone `Date: 2024-02-06`
    line in the body is the note's own field, not a header."""
    marked = [bool(_MAIL_HEADER.match(_QUOTE.sub("", line))) for line in lines]
    return {
        i
        for i, is_header in enumerate(marked)
        if is_header and ((i > 0 and marked[i - 1]) or (i + 1 < len(marked) and marked[i + 1]))
    }


def _sent_day(message: Any) -> date | None:
    """The day the mail was sent (its Date header), or None when it has none or it does not parse."""
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(str(message["date"])).date() if message.get("date") else None
    except (TypeError, ValueError):
        return None


_RELATIVE_DAYS = {"yesterday": 1, "last night": 1, "today": 0, "this morning": 0, "tonight": 0, "this afternoon": 0}


def _relative_day(message: Any, body: str, header_lines: list[str]) -> tuple[str, int] | None:
    """ "The queue died yesterday", in a mail sent on 2 August: 1 August, cited at the Date header's line.

    Only when the body writes no day of its own; the sent date alone is never taken as the incident's.
    """
    from email.utils import parsedate_to_datetime

    from pipeline.backfill.dates import find_dates

    if any(f.precision == "day" and not f.ambiguous for f in find_dates(body)):
        return None
    words = re.search(
        r"\b(" + "|".join(_RELATIVE_DAYS) + r")\b", body + " " + str(message.get("subject", "")), re.IGNORECASE
    )
    if not words or not message.get("date"):
        return None
    try:
        sent = parsedate_to_datetime(str(message["date"]))
    except (TypeError, ValueError):
        return None
    day = sent.date() - timedelta(days=_RELATIVE_DAYS[words.group(1).lower()])
    line = next((i + 1 for i, text in enumerate(header_lines) if text.lower().startswith("date:")), 1)
    return day.isoformat(), line


# ---------------------------------------------------------------- docx


def _docx(path: Path, data: bytes) -> NoteText:
    """A Word document's paragraphs (headings as `#` lines) and table rows; "lines" are paragraph numbers."""
    import io
    import zipfile
    from xml.etree import ElementTree

    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise InputError(
            path, f"not a readable .docx file: {exc}", hint="save it again from Word or export it as HTML"
        ) from exc
    note = NoteText()
    body = root.find(f"{namespace}body")
    for number, block in enumerate(body if body is not None else [], start=1):
        if block.tag == f"{namespace}p":
            text = "".join(node.text or "" for node in block.iter(f"{namespace}t"))
            style = block.find(f"{namespace}pPr/{namespace}pStyle")
            level = (
                re.search(r"(\d)$", style.get(f"{namespace}val", ""))
                if style is not None and "eading" in style.get(f"{namespace}val", "")
                else None
            )
            note.add(("#" * int(level.group(1)) + " " if level else "") + text, number)
        elif block.tag == f"{namespace}tbl":
            for row in block.iter(f"{namespace}tr"):
                cells = [
                    "".join(n.text or "" for n in cell.iter(f"{namespace}t")).strip()
                    for cell in row.iter(f"{namespace}tc")
                ]
                note.add(_table_line(cells), number)
    return note


def _table_line(cells: list[str], *, under_header: bool = False) -> str:
    """A table row: a two-cell row with a short label is a `label: value` field, any other a `| a | b |` row
    (so is every row under a header row of `<th>` cells: `Action | Owner` names columns, not a field)."""
    cells = [re.sub(r"\s+", " ", cell).strip() for cell in cells]
    if len(cells) == 2 and cells[0] and len(cells[0]) <= 30 and cells[1] and not under_header:
        return f"{cells[0].rstrip(':')}: {cells[1]}"
    return "| " + " | ".join(cells) + " |"


def _messages(records: list[dict[str, Any]]) -> NoteText:
    note = NoteText(is_chat=True)
    for number, record in enumerate(records, start=1):
        author = record.get("user_name") or record.get("user") or record.get("author") or "unknown"
        note.add(f"{author}: {record.get('text', '')}", number)
    return note


# ---------------------------------------------------------------- Slack export


def _slack_export(path: Path) -> NoteText:
    from pipeline.ingest.chat import load_chat

    chat = load_chat(path, fmt="slack-export")
    if not chat.messages:
        raise InputError(path, "Slack export has no messages")
    note = NoteText(is_chat=True)
    for number, message in enumerate(chat.messages, start=1):
        stamp = message.time.strftime("%Y-%m-%d %H:%M UTC") if message.time else ""
        note.add(f"{stamp} {message.author}: {message.text}".strip(), number)
    return note
