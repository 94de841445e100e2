"""Transcript: `Name [14:01]: text`, `ROLE [14:01]: text` or `[14:01] Name: text`, one message per header.

Lines that are not a header continue the message above (multi-line pastes, stack traces). Lines
before the first header are a preamble and are skipped.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage, clean_lines, join_body, make_resolver, resolve_clock
from pipeline.ingest.files import read_text

_CLOCK = r"(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)"
_NAME = r"[^\s\[\]<>:*][^\[\]<>:]{0,59}?"
NAME_FIRST_RE = re.compile(r"^(?P<author>" + _NAME + r")\s*\[" + _CLOCK + r"\]\s*:\s?(?P<text>.*)$")
TIME_FIRST_RE = re.compile(r"^\[" + _CLOCK + r"\]\s+(?P<author>" + _NAME + r")\s*:\s?(?P<text>.*)$")
HEADER_RES = (NAME_FIRST_RE, TIME_FIRST_RE)


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    resolver = make_resolver(path, day, tz)
    source = str(path)
    messages: list[RawMessage] = []
    body: list[str] = []

    def close() -> None:
        if messages and body:
            messages[-1].text = join_body([messages[-1].text, *body])
        body.clear()

    for number, line in enumerate(clean_lines(read_text(path, what="chat file")), start=1):
        header = NAME_FIRST_RE.match(line) or TIME_FIRST_RE.match(line)
        if header:
            close()
            messages.append(
                RawMessage(
                    time=resolve_clock(resolver, header["clock"], path, number),
                    author=header["author"].strip(),
                    text=header["text"].strip(),
                    line=number,
                    source=source,
                )
            )
        elif messages:
            body.append(line)
    close()
    if not messages:
        raise InputError(path, "no transcript messages found (expected lines like `Name [14:01]: text`)")
    return messages


SNIFF = HEADER_RES
