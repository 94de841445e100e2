"""Call transcripts as chat: the cue blocks WebVTT (`.vtt`) and SubRip (`.srt`) share, turned into messages.

A cue's times are offsets from the start of the recording, so every message needs the call's start time:
from a header or NOTE in the file (`NOTE call_started: 2024-05-14T12:05:00+02:00`), else from
`--call-start` or `[sources] call_started` in incident.toml (resolved by the caller). A transcript with
none of them is an error: guessing would put the call's evidence at the wrong place in the timeline.

Speakers come from voice tags (`<v Rosa Lima>text</v>`, Teams) or a `Speaker: text` prefix (Zoom, Meet);
a cue line with another speaker starts another message at the same time, other lines continue the message.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage, make_resolver, resolve_clock

UNKNOWN_SPEAKER = "Unknown speaker"
CALL_START_HINT = (
    "add `NOTE call_started: 2024-05-14T12:05:00+02:00` to the transcript, pass --call-start, "
    "or set `[sources] call_started = 2024-05-14T12:05:00+02:00` in incident.toml"
)
_OFFSET = r"(?:(?P<{0}h>\d{{1,3}}):)?(?P<{0}m>\d{{1,2}}):(?P<{0}s>\d{{1,2}})[.,](?P<{0}f>\d{{1,3}})"
TIMING_RE = re.compile(r"^\s*" + _OFFSET.format("a") + r"\s*-->\s*" + _OFFSET.format("b") + r"(?:\s+.*)?$")
CALL_START_RE = re.compile(
    r"(?i)\b(?:call[ _-]?start(?:ed)?|meeting[ _-]?start(?:ed)?|recording[ _-]?start(?:ed)?|start(?:ed)?[ _-]?(?:at|time))"
    r"\s*[:=]\s*(?P<when>\S.*?)\s*$"
)
VOICE_RE = re.compile(r"^\s*<v(?:\.[\w.-]+)?\s+(?P<speaker>[^>]{1,80})>(?P<text>.*)$")
SPEAKER_RE = re.compile(r"^\s*(?P<speaker>[^\s:<>][^:<>]{0,59}?)\s*:\s+(?P<text>\S.*)$")
# "[Ana Costa] alerts firing", "(Femi) looking": a speaker in brackets, as some captioning tools write them
BRACKET_SPEAKER_RE = re.compile(r"^\s*[\[(](?P<speaker>[^\W\d_a-z][^\[\]()]{0,59}?)[\])]\s*:?\s+(?P<text>\S.*)$")
# what captions put in brackets that is no speaker: "[Inaudible]", "(Laughter)", "[MUSIC]"
SOUND_WORDS = frozenset(
    "inaudible crosstalk laughs laughter laughing music silence applause noise pause unintelligible indistinct "
    "overlapping static coughs sighs background".split()
)
TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>|<\d{1,3}:\d{2}(?::\d{2})?[.,]\d{1,3}>")
MAX_SPEAKER_WORDS = 5


@dataclass(frozen=True)
class Cue:
    """One cue block: where its timing line is, its start offset, and its text lines."""

    line: int
    start: timedelta
    lines: tuple[str, ...]


def read_offset(match: re.Match[str], side: str, path: Path, line: int) -> timedelta:
    """The offset named `side` ("a" start, "b" end) of a timing line, or InputError for minutes/seconds >= 60."""
    hours = int(match[f"{side}h"] or 0)
    minutes, seconds = int(match[f"{side}m"]), int(match[f"{side}s"])
    if minutes >= 60 or seconds >= 60:
        raise InputError(
            path,
            f"bad cue time {match.group(0).strip()!r}: minutes and seconds must be below 60",
            line=line,
            hint="cue times look like 00:01:02.500 --> 00:01:05.000",
        )
    fraction = match[f"{side}f"].ljust(3, "0")
    return timedelta(hours=hours, minutes=minutes, seconds=seconds, milliseconds=int(fraction))


def timing(text: str, path: Path, line: int) -> timedelta | None:
    """The start offset of a timing line; None for a line without `-->`; InputError for a broken one."""
    if "-->" not in text:
        return None
    match = TIMING_RE.match(text)
    if match is None:
        raise InputError(
            path,
            f"bad cue timing line {text.strip()[:80]!r}",
            line=line,
            hint="cue times look like 00:01:02.500 --> 00:01:05.000 (SubRip: 00:01:02,500)",
        )
    start, end = read_offset(match, "a", path, line), read_offset(match, "b", path, line)
    if end < start:
        raise InputError(path, f"cue ends before it starts ({text.strip()[:80]!r})", line=line)
    return start


def call_start_in(line: str, path: Path, number: int, day: date | None, tz: str | None) -> datetime | None:
    """The call's start time if `line` declares one (`call_started: ...`), else None."""
    match = CALL_START_RE.search(line)
    if match is None:
        return None
    return resolve_clock(make_resolver(path, day, tz), match["when"], path, number)


def messages_from_cues(cues: list[Cue], started: datetime | None, path: Path) -> list[RawMessage]:
    """One message per speaker turn inside each cue, timed at call start + the cue's offset."""
    if not cues:
        raise InputError(path, "no cues found (expected blocks like `00:00:01.000 --> 00:00:04.000` then text)")
    if started is None:
        raise InputError(
            path, "the call's start time is unknown, so cue offsets cannot be placed", hint=CALL_START_HINT
        )
    source = str(path)
    messages: list[RawMessage] = []
    for cue in cues:
        when = started + cue.start
        turn: RawMessage | None = None
        for offset, raw in enumerate(cue.lines, start=1):
            speaker, text = speaker_of(raw)
            if speaker is None and turn is not None:
                turn.text = f"{turn.text} {text}".strip()
                continue
            turn = RawMessage(
                time=when,
                author=speaker or UNKNOWN_SPEAKER,
                text=text,
                line=cue.line + offset,
                source=source,
            )
            messages.append(turn)
    return [message for message in messages if message.text]


def speaker_of(line: str) -> tuple[str | None, str]:
    """(speaker, plain text) of one cue line; speaker None when the line names nobody."""
    voice = VOICE_RE.match(line)
    if voice:
        return " ".join(voice["speaker"].split()), plain(voice["text"])
    text = plain(line)
    bracketed = BRACKET_SPEAKER_RE.match(text)
    if bracketed and not SOUND_WORDS.intersection(bracketed["speaker"].lower().split()):
        return " ".join(bracketed["speaker"].split()), bracketed["text"].strip()
    named = SPEAKER_RE.match(text)
    if named and len(named["speaker"].split()) <= MAX_SPEAKER_WORDS and not named["speaker"][0].isdigit():
        return " ".join(named["speaker"].split()), named["text"].strip()
    return None, text


def plain(text: str) -> str:
    """Cue text without markup (`<b>`, `<c.red>`, karaoke timestamps) and with entities decoded."""
    return " ".join(html.unescape(TAG_RE.sub("", text)).split())


def blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Blank-line separated blocks of (1-based line number, line) pairs."""
    found: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def cue_of(block: list[tuple[int, str]], path: Path) -> Cue:
    """A cue from a block whose first or second line is the timing line (the first may be a cue id)."""
    for position, (number, line) in enumerate(block[:2]):
        start = timing(line, path, number)
        if start is not None:
            return Cue(line=number, start=start, lines=tuple(text for _, text in block[position + 1 :]))
    number, line = block[0]
    raise InputError(
        path,
        f"expected a cue timing line (00:00:01.000 --> 00:00:04.000), found {line.strip()[:80]!r}",
        line=number,
    )
