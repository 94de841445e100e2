"""What every chat parser shares: the raw message it emits and the step that numbers them C1..Cn.

Parsers stay small: they turn their format into `RawMessage`s in source order. `finalize` sorts them by
time (stable, so equal or missing times keep file order), hands out evidence IDs and links thread
replies to their parent's ID. Messages are built without validation (`trusted_message`) because every
field was already checked by the parser; validating 200,000 messages again would cost more than parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from re import Pattern
from typing import Any

from pipeline.errors import InputError
from pipeline.ingest.times import ClockResolver, TimeFormatError
from pipeline.models import ChatMessage

MAX_AUTHOR_CHARS = 80


@dataclass(slots=True)
class RawMessage:
    """One message as a parser saw it, before it has an evidence ID."""

    time: datetime | None
    author: str
    text: str
    line: int
    source: str
    kind: str = "message"
    key: Hashable | None = None
    thread_key: Hashable | None = None
    edited: bool = False


@dataclass(frozen=True)
class ChatFormat:
    """A registry entry: how to parse one format and which line shapes identify it when sniffing."""

    name: str
    parse: Callable[..., list[RawMessage]]
    sniff: tuple[Pattern[str], ...] = ()
    call_transcript: bool = False
    """Times are offsets from the call's start: `parse` also takes `call_start` (a datetime or None)."""


def make_resolver(path: Path, day: date | None, tz: str | None) -> ClockResolver:
    """A ClockResolver, with a bad time zone reported against the chat file."""
    try:
        return ClockResolver(day, tz)
    except TimeFormatError as exc:
        raise InputError(path, str(exc)) from exc


def resolve_clock(resolver: ClockResolver, text: str, path: Path, line: int) -> datetime:
    """Resolve a clock or timestamp string, or raise InputError naming the file and line."""
    try:
        return resolver.resolve(text)
    except (TimeFormatError, ValueError, OverflowError) as exc:
        raise InputError(path, str(exc), line=line) from exc


def finalize(raw: list[RawMessage]) -> list[ChatMessage]:
    """Sort by time (stable), number C1..Cn and point thread replies at their parent's ID."""
    ordered = _chronological(raw)
    ids: dict[Hashable, str] = {}
    for number, message in enumerate(ordered, start=1):
        if message.key is not None:
            ids[message.key] = f"C{number}"
    return [
        trusted_message(
            {
                "id": f"C{number}",
                "time": message.time,
                "author": message.author,
                "text": message.text,
                "line": message.line,
                "source": message.source,
                "kind": message.kind,
                "thread_of": ids.get(message.thread_key) if message.thread_key is not None else None,
                "edited": message.edited,
                "suspect": False,
            }
        )
        for number, message in enumerate(ordered, start=1)
    ]


_ALL_FIELDS = frozenset(ChatMessage.model_fields)
_new_message = ChatMessage.__new__
_set_attribute = object.__setattr__


def trusted_message(values: dict[str, Any]) -> ChatMessage:
    """What `ChatMessage.model_construct(**values)` returns, without its per-field alias loop.

    model_construct was 40% of loading a large Slack export. This sets the same four attributes it sets
    for a model with no aliases, private attributes or post-init (tests compare both on every field).
    `values` must hold every field.
    """
    message = _new_message(ChatMessage)
    _set_attribute(message, "__dict__", values)
    _set_attribute(message, "__pydantic_fields_set__", set(_ALL_FIELDS))
    _set_attribute(message, "__pydantic_extra__", None)
    _set_attribute(message, "__pydantic_private__", None)
    return message


def _chronological(raw: list[RawMessage]) -> list[RawMessage]:
    """Stable sort by time; a message without a time sorts with the message before it."""
    if all(message.time is not None for message in raw):
        return sorted(raw, key=lambda message: message.time)  # type: ignore[arg-type, return-value]
    keyed = []
    last: datetime | None = None
    for message in raw:
        last = message.time or last
        keyed.append((last, message))
    if all(moment is None for moment, _ in keyed):
        return list(raw)
    floor = min(moment for moment, _ in keyed if moment is not None)
    keyed.sort(key=lambda pair: pair[0] or floor)
    return [message for _, message in keyed]


def clean_lines(text: str) -> list[str]:
    """Split file text into lines with trailing whitespace removed (pasted chats end lines in spaces)."""
    return [line.rstrip() for line in text.split("\n")]


def join_body(lines: list[str]) -> str:
    """Message body from its lines, without leading or trailing blank lines."""
    return "\n".join(lines).strip("\n")
