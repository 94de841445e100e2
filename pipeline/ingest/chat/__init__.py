"""Chat ingest: every supported chat source -> `models.ChatLog` with messages C1..Cn in time order.

Formats live one per module and are chosen through the `CHAT_FORMATS` registry (see `formats.py`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.base import finalize
from pipeline.ingest.chat.detect import detect_chat_format
from pipeline.ingest.chat.formats import CHAT_FORMATS
from pipeline.models import ChatLog

__all__ = ["CHAT_FORMATS", "detect_chat_format", "load_chat"]


def load_chat(path: Path, *, fmt: str | None = None, day: date | None = None, tz: str | None = None) -> ChatLog:
    """Read a chat source (file, Slack export folder or zip) into a ChatLog, or raise one InputError.

    `day` and `tz` give clock-only times (`8:27 AM`) their date and zone; formats with full timestamps
    (Slack export, JSONL epochs, PagerDuty date lines) do not need them.
    """
    path = Path(path)
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
    return ChatLog.model_construct(path=str(path), format=fmt, messages=finalize(chat_format.parse(path, day, tz)))
