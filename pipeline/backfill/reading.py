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
    if fmt == "slack-export":
        return _slack_export(path)
    data = read_checked(path, what="note", max_bytes=MAX_NOTE_BYTES, too_large_hint="split the file into one note per incident")
    text = decode_note(data, path, encoding)
    if fmt == "html":
        return _html(text)
    if fmt == "json":
        return _json(path, text)
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
    if not isinstance(data, dict):
        raise InputError(path, "JSON note must be an object of fields (or a list of chat messages)",
                         hint="export the incident as one JSON object per note")
    raw_lines = text.split("\n")
    note = NoteText()
    for key, value in data.items():
        number = _key_line(raw_lines, key)
        _add_json_value(note, str(key), value, number)
    return note


def _key_line(raw_lines: list[str], key: str) -> int:
    needle = json.dumps(key) + ":"
    compact = json.dumps(key) + " :"
    for number, line in enumerate(raw_lines, start=1):
        if needle in line or compact in line:
            return number
    return 1


def _add_json_value(note: NoteText, key: str, value: Any, number: int) -> None:
    heading = "## " + key.replace("_", " ")
    if isinstance(value, list) and value and all(isinstance(item, (str, int, float)) for item in value):
        note.add(heading, number)
        for item in value:
            note.add(f"- {item}", number)
    elif isinstance(value, (dict, list)):
        note.add(heading, number)
        note.add(json.dumps(value, ensure_ascii=False), number)
    elif isinstance(value, str) and ("\n" in value or len(value) > 80):  # prose, not a field
        note.add(heading, number)
        note.add(value, number)
    elif value is not None:
        note.add(f"{key}: {value}", number)


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

