"""PagerDuty incident timeline exports (postmortem PDF text) with the Slack messages they embed.

Shape, as PagerDuty prints it: a date line (`Nov 14, 2022`) starts each day; an entry starts with a
clock line, either `5:45 AM Sarah Gibson #channel` (a Slack message, body on the next lines), a bare
`6:38 AM` followed by `Sarah Gibson #channel`, or a PagerDuty event (`5:40 AM Triggered by Sarah
Gibson.`, `Acknowledged by ...`, `Resolved by ...`, `Note added by ...`, `... updated the status of the
incident ...`), which becomes kind "system" with author "PagerDuty". A clock followed by `Name: text` on the same
line is a chat message copied into the export. Text after a clock that is none of these is the postmortem author's
annotation of the timeline, also kept as a "system" entry.

Dates in the file override `day`; times are read in `tz` (PagerDuty prints the viewer's zone).
Page furniture (report headers, `1 of 3` footers) and the repeated `INCIDENT #36` title block are skipped.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import MAX_AUTHOR_CHARS, RawMessage, clean_lines, join_body, make_resolver, resolve_clock
from pipeline.ingest.files import read_text
from pipeline.ingest.times import MONTHS

SYSTEM_AUTHOR = "PagerDuty"
DATE_RE = re.compile(r"^(?P<month>[A-Z][a-z]{2})[a-z]*\.? (?P<day>\d{1,2}), (?P<year>\d{4})$")
CLOCK_RE = re.compile(r"^(?P<clock>\d{1,2}:\d{2}(?::\d{2})?\s*[AaPp][Mm])(?:\s+(?P<rest>.*))?$")
SPEAKER_RE = re.compile(r"^(?P<author>[^#\s][^#]{0,%d}?)\s*#(?P<channel>[\w.-]+)$" % MAX_AUTHOR_CHARS)
EVENT_RE = re.compile(
    r"^(?:(?:Triggered|Acknowledged|Resolved|Escalated|Reassigned|Assigned|Unacknowledged|Snoozed"
    r"|Merged|Reopened|Notified)\s*(?:by|through|to|via|:|\.|$)"
    r"|Note added by |Status update|Priority changed|Responders? (?:added|requested)"
    r"|.{1,%d} (?:updated|changed) the (?:status|priority|urgency) of )" % MAX_AUTHOR_CHARS
)
# A chat line copied into the export after its clock ("8:21 AM  Thandi Mokoena: Declaring SEV-2."): a speaker of one
# to five capitalised words ("van der" allowed), then a colon. Headings a timeline annotation starts with are not
# speakers ("Root Cause: ...", "Update: ...").
INLINE_SPEAKER_RE = re.compile(
    r"^(?P<author>[A-Z][\w'.-]*(?: (?:[A-Z][\w'.-]*|van|von|der|den|de|da|del|dos|du|le|la|bin|al)){0,4}):\s+(?P<text>\S.*)$"
)
ANNOTATION_HEADS = frozenset(
    "note update status summary root cause customer impact resolution action timeline postmortem follow-up followup "
    "todo fix mitigation detection trigger".split()
)
INCIDENT_BLOCK_RE = re.compile(r"^INCIDENT #\d+\s*$")
PAGE_FURNITURE_RE = re.compile(r"^(?:Postmortem Report - .*PagerDuty\b.*|\d+ of \d+\b.*|Timeline)$")


class _Reader:
    """Line-by-line state: the current day's resolver, a pending clock, the entry being filled."""

    def __init__(self, path: Path, day: date | None, tz: str | None):
        self.path = path
        self.tz = tz
        self.resolver = make_resolver(path, day, tz)
        self.messages: list[RawMessage] = []
        self.body: list[str] = []
        self.current: RawMessage | None = None
        self.pending: datetime | None = None  # the clock of an entry whose speaker line is still to come
        self.in_incident_block = False

    def feed(self, number: int, line: str) -> None:
        text = line.strip()
        if not text or PAGE_FURNITURE_RE.match(text):
            return
        if INCIDENT_BLOCK_RE.match(text):
            self.in_incident_block = True
            return
        date_match = DATE_RE.match(text)
        if date_match and date_match["month"] in MONTHS:
            self._new_day(number, date_match)
            return
        clock = CLOCK_RE.match(text)
        if clock:
            self.in_incident_block = False
            self.pending = resolve_clock(self.resolver, clock["clock"], self.path, number)
            if clock["rest"]:
                self._entry_head(number, clock["rest"].strip(), annotation_allowed=True)
            else:
                self._close()
            return
        if self.in_incident_block:
            return
        if self.pending is not None and self._entry_head(number, text, annotation_allowed=False):
            return
        if self.current is not None:
            self.body.append(text)

    def finish(self) -> list[RawMessage]:
        self._close()
        return self.messages

    def _new_day(self, number: int, match: re.Match[str]) -> None:
        try:
            new_day = date(int(match["year"]), MONTHS[match["month"]], int(match["day"]))
        except ValueError as exc:
            raise InputError(self.path, f"cannot read date {match.group(0)!r}: {exc}", line=number) from exc
        self._close()
        self.pending = None
        self.resolver = make_resolver(self.path, new_day, self.tz)

    def _entry_head(self, number: int, text: str, *, annotation_allowed: bool) -> bool:
        """Start an entry at the pending clock if `text` is a speaker or event line (or an annotation)."""
        speaker = SPEAKER_RE.match(text)
        if speaker:
            self._start(number, speaker["author"].strip(), "", "message")
            self.pending = None  # a message has one speaker line; `#123` later in its body is text
        elif EVENT_RE.match(text):
            self._start(number, SYSTEM_AUTHOR, text, "system")
        elif annotation_allowed and (inline := _inline_speaker(text)):
            self._start(number, inline["author"], inline["text"], "message")
        elif annotation_allowed:
            self._start(number, SYSTEM_AUTHOR, text, "system")
        else:
            return False
        return True

    def _start(self, number: int, author: str, text: str, kind: str) -> None:
        moment = self.pending
        self._close()
        self.current = RawMessage(time=moment, author=author, text=text, line=number, source=str(self.path), kind=kind)

    def _close(self) -> None:
        if self.current is not None:
            self.current.text = (
                join_body([self.current.text, *self.body]) if self.current.text else join_body(self.body)
            )
            self.messages.append(self.current)
        self.current = None
        self.body = []


def _inline_speaker(text: str) -> re.Match[str] | None:
    """`Name: message` on the clock's line, unless the name is an annotation's heading ("Root Cause:")."""
    match = INLINE_SPEAKER_RE.match(text)
    if match is None or any(word in ANNOTATION_HEADS for word in match["author"].lower().split()):
        return None
    return match


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    reader = _Reader(path, day, tz)
    for number, line in enumerate(clean_lines(read_text(path, what="chat file")), start=1):
        reader.feed(number, line)
    messages = reader.finish()
    if not messages:
        raise InputError(
            path, "no PagerDuty timeline entries found (expected `Nov 14, 2022` then `5:45 AM Name #channel`)"
        )
    return messages


SNIFF = (CLOCK_RE, DATE_RE)
