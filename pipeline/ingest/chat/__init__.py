"""Chat ingest: every supported chat source -> `models.ChatLog` with messages C1..Cn in time order.

Formats live one per module and are chosen through the `CHAT_FORMATS` registry (see `formats.py`).
Several sources (the channel and a call transcript) are merged into one log in time order, so evidence
IDs run across all of them and each message keeps the file it came from in `source`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage, finalize
from pipeline.ingest.chat.detect import detect_chat_format
from pipeline.ingest.chat.formats import CHAT_FORMATS
from pipeline.models import ChatLog

__all__ = ["CHAT_FORMATS", "detect_chat_format", "load_chat", "load_chats"]


def load_chat(
    path: Path,
    *,
    fmt: str | None = None,
    day: date | None = None,
    tz: str | None = None,
    call_start: datetime | None = None,
) -> ChatLog:
    """Read a chat source (file, Slack export folder or zip) into a ChatLog, or raise one InputError.

    `day` and `tz` give clock-only times (`8:27 AM`) their date and zone; formats with full timestamps
    (Slack export, JSONL epochs, PagerDuty date lines) do not need them. `call_start` places the cue
    offsets of a call transcript that does not declare its own start.
    """
    path = Path(path)
    fmt, raw = _read_raw(path, fmt, day, tz, call_start)
    return ChatLog.model_construct(path=str(path), format=fmt, messages=finalize(raw), sources=[])


def load_chats(
    paths: list[Path],
    *,
    fmt: str | None = None,
    day: date | None = None,
    tz: str | None = None,
    call_start: datetime | None = None,
) -> ChatLog:
    """Several chat sources merged in time order into one ChatLog (one source: exactly `load_chat`).

    `fmt` applies to every source; leave it None to detect each one. Thread keys are kept apart per source
    so a reply never links to a message of another source.
    """
    if len(paths) == 1:
        return load_chat(paths[0], fmt=fmt, day=day, tz=tz, call_start=call_start)
    formats: list[str] = []
    merged: list[RawMessage] = []
    for number, path in enumerate(paths):
        found, raw = _read_raw(Path(path), fmt, day, tz, call_start)
        formats.append(found)
        for message in raw:
            message.key = None if message.key is None else (number, message.key)
            message.thread_key = None if message.thread_key is None else (number, message.thread_key)
        merged += raw
    return ChatLog.model_construct(
        path=", ".join(str(path) for path in paths),
        format="+".join(dict.fromkeys(formats)),
        messages=finalize(merged),
        sources=[str(path) for path in paths],
    )


def _read_raw(
    path: Path, fmt: str | None, day: date | None, tz: str | None, call_start: datetime | None
) -> tuple[str, list[RawMessage]]:
    if not path.exists():
        raise InputError(path, "chat source not found", hint="check the path, or pass it with --chat")
    if fmt is None:
        fmt = detect_chat_format(path)
    chat_format = CHAT_FORMATS.get(fmt)
    if chat_format is None:
        raise InputError(path, f"unknown chat format {fmt!r}", hint=f"use one of: {', '.join(CHAT_FORMATS)}")
    if fmt != "slack-export" and path.is_dir():
        raise InputError(
            path, f"is a directory; the {fmt} format reads a file", hint="a directory is read as slack-export"
        )
    if chat_format.call_transcript:
        return fmt, chat_format.parse(path, day, tz, call_start=call_start)
    return fmt, chat_format.parse(path, day, tz)
