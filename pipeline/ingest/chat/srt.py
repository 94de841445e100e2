"""SubRip call transcripts (`.srt`): numbered cues `1`, `00:00:01,000 --> 00:00:04,000`, then the text.

SubRip has no header, so the call's start time comes from `--call-start` or incident.toml, unless a
leading line before the first cue declares it (`call_started: ...`, as some recorders write).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from pipeline.ingest.chat.base import RawMessage, clean_lines
from pipeline.ingest.chat.cues import Cue, blocks, call_start_in, cue_of, messages_from_cues
from pipeline.ingest.files import read_text


def parse(
    path: Path, day: date | None = None, tz: str | None = None, call_start: datetime | None = None
) -> list[RawMessage]:
    """Messages timed at the call start declared before the first cue, else `call_start`."""
    found = blocks(clean_lines(read_text(path, what="call transcript").lstrip("\ufeff")))
    declared: datetime | None = None
    cues: list[Cue] = []
    for index, block in enumerate(found):
        if index == 0 and not any("-->" in line for _, line in block[:2]):
            declared = next(
                (when for number, line in block if (when := call_start_in(line, path, number, day, tz))), None
            )
            if declared is not None:
                continue
        cues.append(cue_of(block, path))
    return messages_from_cues(cues, declared or call_start, path)


SNIFF = (re.compile(r"^\s*\d{1,2}:\d{2}:\d{2},\d{3}\s*-->"),)
