"""Transcript: one message per header line, in the shapes chat copies and meeting notes take:

    Name [14:01]: text            [14:01] Name: text            Name (14:01): text
    14:01 Name: text              14:01 - Name: text            2026-03-04 14:01:22 Name: text
    [2026-03-04 14:01] Name: text [3/4/2026 2:01 PM] Name: text 04/03/2026, 14:01 - Name: text (WhatsApp)
    14:01:22 From Name to Everyone: text (Zoom's saved chat)   Fri, Jun 20, 2025, 15:13:23 - Name: text (Element)

A time may carry a date (ISO, or day and month with slashes: their order is read from the file, see
`_day_first`), seconds, AM/PM and a zone (`Z`, `+02:00`, `UTC`). Lines that are not a header continue the
message above (multi-line pastes, stack traces); lines before the first header are a preamble and are skipped.
A header with its time first and no brackets (`14:01 Name: text`) is read only in a file whose headers mostly
have that shape, so that a pasted log line in another transcript ("14:05 ERROR db: timeout") stays message text.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage, clean_lines, join_body, make_resolver, resolve_clock
from pipeline.ingest.files import read_text
from pipeline.ingest.times import MONTHS, dated_clock, slashed_date

# ISO, slashed, or worded as Element's export writes it ("Fri, Jun 20, 2025, 15:13:23 - twilight: hello")
_DATE = (
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})|(?P<slashed>\d{1,2}/\d{1,2}/\d{2,4})"
    r"|(?:[A-Z][a-z]{2},\s+)?(?P<worded>[A-Z][a-z]{2}\s+\d{1,2},\s+\d{4})),?[ T]"
)
_CLOCK = r"(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)"
_ZONE = r"(?P<zone>Z|\s?[+-]\d{2}:?\d{2}|\s(?:UTC|GMT))?"
_STAMP = r"(?:" + _DATE + r")?" + _CLOCK + _ZONE
_NAME = r"[^\s\[\]<>:*][^\[\]<>:]{0,59}?"
# a name of at most four words, not starting with a digit: what stands between a bare time and a colon
_SHORT_NAME = r"[^\s\[\]<>:*\d][^\s\[\]<>:]*(?: [^\s\[\]<>:]+){0,3}?"
NAME_FIRST_RE = re.compile(r"^(?P<author>" + _NAME + r")\s*\[" + _STAMP + r"\]\s*:\s?(?P<text>.*)$")
TIME_FIRST_RE = re.compile(r"^\[" + _STAMP + r"\]\s+(?P<author>" + _NAME + r")\s*:\s?(?P<text>.*)$")
NAME_PAREN_RE = re.compile(r"^(?P<author>" + _NAME + r")\s*\(" + _STAMP + r"\)\s*:\s?(?P<text>.*)$")
# Zoom's saved meeting chat: "14:01:22 From Ana Costa to Everyone: text" (newer versions put the text on the next line)
ZOOM_RE = re.compile(
    r"^" + _STAMP + r"\s+From\s+(?P<author>" + _NAME + r")\s+(?:to|To)\s+(?:Everyone|everyone|[^:]{1,60}?)"
    r"(?:\s*\(?(?:[Dd]irect [Mm]essage|[Pp]rivately)\)?)?\s*:\s*(?P<text>.*)$"
)
BARE_TIME_RE = re.compile(r"^" + _STAMP + r"\s*(?:[-–—|]\s*)?(?P<author>" + _SHORT_NAME + r")\s*:\s(?P<text>.*)$")
# In a file of such headers, a stamped line without "Name:" is the app's own ("Thabo added Lerato", "ana joined the
# room", "Messages and calls are end-to-end encrypted"): not part of the message before it.
SYSTEM_LINE_RE = re.compile(r"^" + _STAMP + r"\s*[-–—]\s+\S")
HEADER_RES = (ZOOM_RE, NAME_FIRST_RE, TIME_FIRST_RE, NAME_PAREN_RE)
SNIFF = (*HEADER_RES, BARE_TIME_RE)


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    resolver = make_resolver(path, day, tz)
    source = str(path)
    messages: list[RawMessage] = []
    body: list[str] = []

    def close() -> None:
        if messages and body:
            said = messages[-1].text
            # a header with its text on the next line (Zoom): that line starts the message, its indent dropped
            messages[-1].text = join_body([said, *body] if said else [body[0].strip(), *body[1:]])
        body.clear()

    lines = clean_lines(read_text(path, what="chat file"))
    shapes = _shapes(lines)
    headers = [next((m for pattern in shapes if (m := pattern.match(line)) is not None), None) for line in lines]
    day_first = _day_first([header for header in headers if header is not None], day)
    for number, (line, header) in enumerate(zip(lines, headers), start=1):
        if header:
            close()
            messages.append(
                RawMessage(
                    time=resolve_clock(resolver, _stamp(header, day_first), path, number),
                    author=header["author"].strip(),
                    text=header["text"].strip(),
                    line=number,
                    source=source,
                )
            )
        elif BARE_TIME_RE in shapes and SYSTEM_LINE_RE.match(line):
            close()
        elif messages:
            body.append(line)
    close()
    if not messages:
        raise InputError(path, "no transcript messages found (expected lines like `Name [14:01]: text`)")
    return messages


def _shapes(lines: list[str]) -> tuple[re.Pattern[str], ...]:
    """The header shapes this file is read with: the bracketed ones always, a bare leading time only when more
    lines have that shape than any bracketed one."""
    counts = [sum(1 for line in lines if pattern.match(line)) for pattern in SNIFF]
    return (*HEADER_RES, BARE_TIME_RE) if counts[-1] > max(counts[:-1]) else HEADER_RES


def _day_first(headers: list[re.Match[str]], day: date | None) -> bool:
    """Whether slashed dates are day/month (04/03/2026 = 4 March) rather than month/day. A part above 12 decides;
    otherwise the order that puts the first date nearest the incident's date; otherwise day/month unless the
    clock has AM/PM (as US chat clients print it)."""
    slashed = [(header["slashed"], header["clock"]) for header in headers if header["slashed"]]
    if not slashed:
        return True
    parts = [tuple(int(p) for p in value.split("/")[:2]) for value, _ in slashed]
    if any(first > 12 for first, _ in parts):
        return True
    if any(second > 12 for _, second in parts):
        return False
    if day is not None:
        distances = [_distance(day, slashed[0][0], day_first=order) for order in (True, False)]
        if distances[0] != distances[1]:
            return distances[0] < distances[1]
    return not re.search(r"[AaPp]\.?[Mm]", slashed[0][1])


def _distance(day: date, slashed: str, *, day_first: bool) -> int:
    try:
        return abs((slashed_date(slashed, day_first=day_first) - day).days)
    except ValueError:
        return 10**6


def _stamp(header: re.Match[str], day_first: bool) -> str:
    """The header's time as the clock resolver reads it: the clock alone, or an ISO date-time when it has a date."""
    clock, zone = header["clock"], (header["zone"] or "").strip()
    if not header["iso"] and not header["slashed"] and not header["worded"]:
        return f"{clock}{' ' + zone if zone else ''}"
    try:
        if header["iso"]:
            day = date.fromisoformat(header["iso"])
        elif header["worded"]:
            month, day_of_month, year = header["worded"].replace(",", " ").split()
            day = date(int(year), MONTHS[month], int(day_of_month))
        else:
            day = slashed_date(header["slashed"], day_first=day_first)
    except (ValueError, KeyError):  # "2026-02-30": as written, so the resolver's error names the file and line
        return f"{header['iso'] or header['slashed'] or header['worded']} {clock}"
    return dated_clock(day, clock) + ("Z" if zone == "Z" else f" {zone}" if zone else "")
