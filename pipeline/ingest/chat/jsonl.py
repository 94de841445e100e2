"""JSON Lines: one `{"ts", "user", "text"}` object per line.

Synonyms: `time`/`timestamp` for ts, `author`/`name` for user, `message` for text. `ts` is epoch seconds
(number or numeric string), an ISO 8601 date-time, or a clock time resolved with the incident date.
Any line that is not such an object is an InputError with its line number: a half-read log is worse
than none. Optional, as `postmortem fetch slack` writes them: `thread_ts` (a thread reply: its parent's
`ts` string) and `edited: true`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage, make_resolver, resolve_clock
from pipeline.ingest.files import read_text
from pipeline.ingest.times import ClockResolver

TIME_KEYS = ("ts", "time", "timestamp")
AUTHOR_KEYS = ("user", "author", "name")
TEXT_KEYS = ("text", "message")
KINDS = {"message", "bot", "join", "edit", "system"}
EPOCH_RE = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    resolver = make_resolver(path, day, tz)
    source = str(path)
    messages: list[RawMessage] = []
    for number, line in enumerate(read_text(path, what="chat file").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(
                path, f"not a JSON object: {getattr(exc, 'msg', 'nested too deeply')}", line=number
            ) from exc
        if not isinstance(record, dict):
            raise InputError(path, "expected a JSON object per line", line=number)
        kind = record.get("kind")
        messages.append(
            RawMessage(
                time=_time(_first(record, TIME_KEYS, path, number), resolver, path, number),
                author=str(_first(record, AUTHOR_KEYS, path, number)),
                text=str(_first(record, TEXT_KEYS, path, number)),
                line=number,
                source=source,
                kind=kind if kind in KINDS else "message",
                key=_slack_ts(record.get("ts")),
                thread_key=_slack_ts(record.get("thread_ts")),
                edited=record.get("edited") is True,
            )
        )
    if not messages:
        raise InputError(path, "no JSON lines found")
    return messages


def _slack_ts(value: Any) -> str | None:
    """A Slack `ts` string ("1715680000.000100"), which ties a thread reply (`thread_ts`) to its parent."""
    return value if isinstance(value, str) and value else None


def _first(record: dict[str, Any], keys: tuple[str, ...], path: Path, line: int) -> Any:
    for key in keys:
        value = record.get(key)
        if value is not None and not isinstance(value, (dict, list)):
            return value
    raise InputError(path, f"missing `{keys[0]}` (or {', '.join(keys[1:])})", line=line)


def _time(value: Any, resolver: ClockResolver, path: Path, line: int) -> datetime:
    if isinstance(value, bool):
        raise InputError(path, f"cannot read time {value!r}", line=line)
    if isinstance(value, (int, float)) or EPOCH_RE.match(str(value)):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise InputError(path, f"epoch time {value!r} is out of range", line=line) from exc
    return resolve_clock(resolver, str(value), path, line)


SNIFF = (re.compile(r'^\s*\{.*"(?:ts|time|timestamp)"\s*:'),)
