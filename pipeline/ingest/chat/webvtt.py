"""WebVTT call transcripts (`.vtt`, as Zoom, Google Meet and Teams export them): one message per speaker turn.

The header (`WEBVTT ...`) and NOTE blocks are where a call's start time may be declared; STYLE and REGION
blocks are skipped. Cue parsing and the speaker rules live in `cues.py`, shared with SubRip.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage, clean_lines
from pipeline.ingest.chat.cues import Cue, blocks, call_start_in, cue_of, messages_from_cues
from pipeline.ingest.files import read_text

SKIPPED_BLOCKS = ("STYLE", "REGION")


def parse(
    path: Path, day: date | None = None, tz: str | None = None, call_start: datetime | None = None
) -> list[RawMessage]:
    """Messages timed at the call start declared in the file, else `call_start`."""
    found = blocks(clean_lines(read_text(path, what="call transcript").lstrip("\ufeff")))
    if not found or not found[0][0][1].startswith("WEBVTT"):
        raise InputError(path, "not a WebVTT file: the first line must be WEBVTT", line=found[0][0][0] if found else 1)
    declared: datetime | None = None
    cues: list[Cue] = []
    for index, block in enumerate(found):
        first = block[0][1]
        if index == 0 or first.startswith("NOTE"):
            declared = declared or next(
                (when for number, line in block if (when := call_start_in(line, path, number, day, tz))), None
            )
            continue
        if first.split(maxsplit=1)[0] in SKIPPED_BLOCKS and "-->" not in first:
            continue
        cues.append(cue_of(block, path))
    return messages_from_cues(cues, declared or call_start, path)


SNIFF = (re.compile(r"^WEBVTT\b"), re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}\.\d{3}\s*-->"))
