"""IRC / Matrix logs: `[14:01] <nick> text`, `14:01 <nick> text`, `[14:01:33] <nick> text`, `* nick waves`,
with or without a date before the time (`2026-03-04 14:01:33 <nick> text`), and WeeChat's tab-separated lines
(`2026-03-04 14:01:33<TAB>nick<TAB>text`).

Join, part and quit lines (`-!- nick has joined #chan`, `--> nick has joined`) become kind "join".
A line with no time (some clients log actions and joins without one) gets no time and sorts with the
message before it. irssi's `--- Log opened Tue Mar 10 18:02:11 2026` and `--- Day changed Wed Mar 11 2026`
lines date the clock times after them. Lines that are none of these (server notices) are skipped: IRC has no
multi-line messages to continue.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage, clean_lines, make_resolver, resolve_clock
from pipeline.ingest.files import read_text
from pipeline.ingest.times import MONTHS

_TIME = r"(?:\[?(?P<clock>(?:\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2}(?::\d{2})?)\]?\s+)?"
_NICK = r"[@+%~&]?(?P<nick>[^\s<>@+%~&][^\s<>]{0,63})"
# a display name with spaces in the brackets too (Matrix and bridged logs: `<Ana Costa> text`)
SAY_RE = re.compile(r"^" + _TIME + r"<\s?(?:" + _NICK + r"|(?P<display>[^\s<>][^<>]{0,63}?))\s?>\s?(?P<text>.*)$")
ACTION_RE = re.compile(r"^" + _TIME + r"\*\s+" + _NICK + r"\s+(?P<text>(?!has (?:joined|left|quit)).+)$")
JOIN_RE = re.compile(
    r"^"
    + _TIME
    + r"(?:-!-|-->|<--|\*\*\*|\*)\s+"
    + _NICK
    + r"\s+(?:\[[^\]]*\]\s+|\([^)]*\)\s+)?(?P<text>has (?:joined|left|quit).*)$"
)
# WeeChat: date, time, the nick (or "-->" / "<--" for joins and parts, "--" for notices, " *" for actions), text
TAB_RE = re.compile(r"^(?P<clock>\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}(?::\d{2})?)\t(?P<prefix>[^\t]*)\t(?P<text>.*)$")
LINE_RES = ((SAY_RE, "message"), (ACTION_RE, "message"), (JOIN_RE, "join"))
# irssi: "--- Log opened Tue Mar 10 18:02:11 2026", "--- Day changed Wed Mar 11 2026"
DAY_RE = re.compile(
    r"^-{3}\s+(?:Log opened|Day changed)\s+\w{3}\s+(?P<month>\w{3})\s+(?P<day>\d{1,2})(?:\s+[\d:]+)?\s+(?P<year>\d{4})\s*$"
)


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    resolver = make_resolver(path, day, tz)
    source = str(path)
    messages: list[RawMessage] = []
    for number, line in enumerate(clean_lines(read_text(path, what="chat file")), start=1):
        if (banner := DAY_RE.match(line)) is not None:
            if (dated := _banner_day(banner)) is not None:
                resolver = make_resolver(path, dated, tz)  # the clock times after it are on that day, or later
            continue
        found = _tab_line(line) or _line(line)
        if found is None:
            continue
        clock, author, text, kind = found
        messages.append(
            RawMessage(
                time=resolve_clock(resolver, clock, path, number) if clock else None,
                author=author,
                text=text,
                line=number,
                source=source,
                kind=kind,
            )
        )
    if not messages:
        raise InputError(path, "no IRC messages found (expected lines like `[14:01] <nick> text`)")
    return messages


def _line(line: str) -> tuple[str | None, str, str, str] | None:
    """(clock, nick, text, kind) of a bracketed-nick, action or join line."""
    for pattern, kind in LINE_RES:
        match = pattern.match(line)
        if match:
            text = match["text"].strip() if pattern is not ACTION_RE else f"* {match['text'].strip()}"
            return match["clock"], match["nick"] or match["display"], text, kind
    return None


def _tab_line(line: str) -> tuple[str | None, str, str, str] | None:
    """(clock, nick, text, kind) of a WeeChat line; None for its network notices and other lines."""
    match = TAB_RE.match(line)
    if match is None:
        return None
    prefix, text = match["prefix"].strip(), match["text"].strip()
    if prefix in ("-->", "<--"):
        nick = text.split(" ", 1)[0]
        return match["clock"], nick, text[len(nick) :].strip(), "join"
    if prefix == "*":
        nick, _, action = text.partition(" ")
        return match["clock"], nick, f"* {action.strip()}", "message"
    nick = prefix.lstrip("@+%~&")
    if not nick or nick in ("--", "=!=", "!!") or " " in nick:
        return None
    return match["clock"], nick, text, "message"


def _banner_day(banner: re.Match[str]) -> date | None:
    month = MONTHS.get(banner["month"].title())
    try:
        return date(int(banner["year"]), month, int(banner["day"])) if month else None
    except ValueError:
        return None


SNIFF = (SAY_RE, JOIN_RE, TAB_RE)  # not ACTION_RE: `* text` is also a markdown bullet
