"""IRC / Matrix logs: `[14:01] <nick> text`, `14:01 <nick> text`, `[14:01:33] <nick> text`, `* nick waves`.

Join, part and quit lines (`-!- nick has joined #chan`, `--> nick has joined`) become kind "join".
A line with no time (some clients log actions and joins without one) gets no time and sorts with the
message before it. Lines that are none of these (server notices, day-change banners) are skipped:
IRC has no multi-line messages to continue.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage, clean_lines, make_resolver, resolve_clock
from pipeline.ingest.files import read_text

_TIME = r"(?:\[?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)\]?\s+)?"
_NICK = r"[@+%~&]?(?P<nick>[^\s<>@+%~&][^\s<>]{0,63})"
SAY_RE = re.compile(r"^" + _TIME + r"<\s?" + _NICK + r">\s?(?P<text>.*)$")
ACTION_RE = re.compile(r"^" + _TIME + r"\*\s+" + _NICK + r"\s+(?P<text>(?!has (?:joined|left|quit)).+)$")
JOIN_RE = re.compile(
    r"^"
    + _TIME
    + r"(?:-!-|-->|<--|\*\*\*|\*)\s+"
    + _NICK
    + r"\s+(?:\[[^\]]*\]\s+|\([^)]*\)\s+)?(?P<text>has (?:joined|left|quit).*)$"
)
LINE_RES = ((SAY_RE, "message"), (ACTION_RE, "message"), (JOIN_RE, "join"))


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    resolver = make_resolver(path, day, tz)
    source = str(path)
    messages: list[RawMessage] = []
    for number, line in enumerate(clean_lines(read_text(path, what="chat file")), start=1):
        for pattern, kind in LINE_RES:
            match = pattern.match(line)
            if match:
                clock = match["clock"]
                messages.append(
                    RawMessage(
                        time=resolve_clock(resolver, clock, path, number) if clock else None,
                        author=match["nick"],
                        text=match["text"].strip() if pattern is not ACTION_RE else f"* {match['text'].strip()}",
                        line=number,
                        source=source,
                        kind=kind,
                    )
                )
                break
    if not messages:
        raise InputError(path, "no IRC messages found (expected lines like `[14:01] <nick> text`)")
    return messages


SNIFF = (SAY_RE, JOIN_RE)  # not ACTION_RE: `* text` is also a markdown bullet
