"""Slack (and Discord) copy-paste: a `Name [8:27 AM]` header line, then the message's lines.

Also accepted: `Name  8:27 AM` (newer Slack copies, two spaces), `Name [8:27]` (24-hour clock), and the name on a
line of its own with the time alone on the next (`Name` then `8:27 PM` or `[8:27 PM]`, as the desktop app copies).
Pastes kept in markdown quote every line with `>` and end lines with two spaces; both are stripped.
`prow APP [9:12 AM]` is an app (bot) message, and a trailing `(edited)` marks an edited message. Discord copies
the same way with `Name — Today at 2:01 PM` or `Name — 03/04/2026 2:01 PM` (month first) as the header.
Lines before the first header, markdown headings and `---` separators are not part of any message:
a heading or separator ends the current message, and text after it waits for the next header.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import (
    MAX_AUTHOR_CHARS,
    RawMessage,
    clean_lines,
    join_body,
    make_resolver,
    resolve_clock,
)
from pipeline.ingest.files import read_text
from pipeline.ingest.times import TimeFormatError, dated_clock, slashed_date

_AUTHOR = r"(?P<author>[^\s>\[\]#][^\[\]<>]*?)"
_BOT = r"(?:\s+(?P<app>APP|BOT))?"
HEADER_RE = re.compile(
    r"^(?:>\s*)*" + _AUTHOR + _BOT + r"(?:\s*\[(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)\]"
    r"|\s{2,}(?P<bare>\d{1,2}:\d{2}(?::\d{2})?\s*[AaPp]\.?[Mm]\.?))\s*$"
)
DISCORD_RE = re.compile(
    r"^(?:>\s*)*" + _AUTHOR + _BOT + r"\s+[—–-]\s+(?:(?:Today|Yesterday)\s+at\s+"
    r"|(?P<dated>\d{1,2}/\d{1,2}/\d{2,4}),?\s+(?:at\s+)?)?"
    r"(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)\s*$"
)
# The two-line header the desktop app copies: the name alone on a line, then the time alone on the next.
NAME_LINE_RE = re.compile(r"^(?:>\s*)*" + _AUTHOR + _BOT + r"\s*$")
TIME_LINE_RE = re.compile(r"^(?:>\s*)*\[?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)\]?\s*$")
QUOTE_RE = re.compile(r"^>\s?")
BREAK_RE = re.compile(r"^>?\s*(?:#{1,6}\s|-{3,}\s*$|\*{3,}\s*$)")
EDITED_SUFFIX = "(edited)"
MAX_NAME_WORDS = 5


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    resolver = make_resolver(path, day, tz)
    source = str(path)
    messages: list[RawMessage] = []
    body: list[str] = []
    current: RawMessage | None = None

    def close() -> None:
        if current is not None:
            current.text = join_body(body)
            messages.append(current)
        body.clear()

    lines = clean_lines(read_text(path, what="chat file"))
    time_line = 0  # the line number of a two-line header's time, which is no message text
    for number, line in enumerate(lines, start=1):
        if number == time_line:
            continue
        header = HEADER_RE.match(line) or _discord_header(line)
        two_line = None if header else _two_line_header(line, lines[number] if number < len(lines) else "")
        header = header or two_line
        if header and _plausible_name(header["author"]):
            close()
            clock = header["clock"] or header["bare"]
            if two_line:
                time_line = number + 1
            current = RawMessage(
                time=resolve_clock(resolver, clock, path, number),
                author=header["author"].strip(),
                text="",
                line=number,
                source=source,
                kind="bot" if header["app"] else "message",
            )
        elif BREAK_RE.match(line):
            close()
            current = None
        elif current is not None:
            text = QUOTE_RE.sub("", line, count=1).rstrip()
            if text.endswith(EDITED_SUFFIX):
                text, current.edited = text[: -len(EDITED_SUFFIX)].rstrip(), True
            body.append(text)
    close()
    if not messages:
        raise InputError(path, "no Slack messages found (expected header lines like `Name [8:27 AM]`)")
    return messages


def _discord_header(line: str) -> dict[str, str | None] | None:
    """`Name — Today at 2:01 PM` (Discord): the header's parts, a dated one's clock as an ISO date-time."""
    match = DISCORD_RE.match(line)
    if match is None:
        return None
    clock = match["clock"]
    if match["dated"]:
        month_first = int(match["dated"].split("/")[0]) <= 12  # Discord writes month first, as US clients do
        try:
            clock = dated_clock(slashed_date(match["dated"], day_first=not month_first), clock)
        except (ValueError, TimeFormatError):
            return None  # "13/45/2026": no date, so no header
    return {"author": match["author"], "app": match["app"], "clock": clock, "bare": None}


def _two_line_header(line: str, following: str) -> dict[str, str | None] | None:
    """`Name` then `8:27 PM` on the next line: the header's parts, or None. A name line ends in no punctuation
    ("looking now." is message text)."""
    name, time = NAME_LINE_RE.match(line), TIME_LINE_RE.match(following)
    if name is None or time is None or line.rstrip()[-1:] in ".,;:!?)":
        return None
    return {"author": name["author"], "app": name["app"], "clock": time["clock"], "bare": None}


def _plausible_name(author: str) -> bool:
    """A header's name is short; a sentence ending in a bracketed time is message text, not a header."""
    return len(author) <= MAX_AUTHOR_CHARS and len(author.split()) <= MAX_NAME_WORDS


SNIFF = (HEADER_RE, TIME_LINE_RE, DISCORD_RE)
