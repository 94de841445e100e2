"""JSON Lines: one `{"ts", "user", "text"}` object per line (or a `.json` file holding a list of them).

Synonyms, as chat tools and bots export them: `time`, `timestamp`, `created_at`, `date`, `datetime`, `sent_at` for
ts; `author`, `name`, `sender`, `from`, `username`, `speaker`, `nick` for user (an object is read for its `name`,
`real_name`, `display_name` or `username`); `message`, `body`, `content`, `msg` for text (an object: its `text`).
`ts` is epoch seconds or milliseconds (number or numeric string), an ISO 8601 date-time, or a clock time resolved
with the incident date.
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

TIME_KEYS = ("ts", "time", "timestamp", "created_at", "date", "datetime", "sent_at", "posted_at", "created")
AUTHOR_KEYS = ("user", "author", "name", "sender", "from", "username", "user_name", "speaker", "nick", "display_name")
TEXT_KEYS = ("text", "message", "body", "content", "msg")
# the keys of a nested author or text object that hold what the record means ({"user": {"name": "Ana"}})
NESTED_KEYS = ("real_name", "display_name", "name", "username", "login", "handle", "text", "body", "content")
KINDS = {"message", "bot", "join", "edit", "system"}
EPOCH_RE = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
DATE_RE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
CLOCK_ONLY_RE = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s*$")


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    resolver = make_resolver(path, day, tz)
    source = str(path)
    messages: list[RawMessage] = []
    for number, record in _records(path):
        if record.get("type") == "service":
            continue  # Telegram's "joined the group", "pinned a message": the app's, not anyone's message
        kind = record.get("kind")
        messages.append(
            RawMessage(
                time=_time(_dated(record, _first(record, TIME_KEYS, path, number)), resolver, path, number),
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


def _records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line, object) of each record: one a line, or the items of a JSON list (each at the line it starts on), or of
    the list of messages in a JSON object (Telegram's export, Slack's API: {"messages": [...]})."""
    text = read_text(path, what="chat file")
    container = _container(text) if text.lstrip().startswith(("[", "{")) else None
    if container is None and text.lstrip().startswith("["):
        try:
            json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(path, f"invalid JSON: {getattr(exc, 'msg', 'nested too deeply')}", line=1) from exc
    if container is not None:
        items = container
        if not all(isinstance(item, dict) for item in items):
            raise InputError(path, "expected a JSON list of message objects", line=1)
        starts = [number for number, line in enumerate(text.split("\n"), start=1) if line.lstrip().startswith("{")]
        starts = [number for number in starts if number > 1 or not text.lstrip().startswith("{")]
        lines = starts if len(starts) == len(items) else [1] * len(items)
        return list(zip(lines, items))
    records: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
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
        records.append((number, record))
    return records


def _container(text: str) -> list[Any] | None:
    """The messages of a whole-file JSON document: the list itself, or an object's one list of objects (its
    "messages" first); None for JSON Lines (one object a line, which fails to parse as one document, or is one
    message)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        return None
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("messages"), list):
        return data["messages"]
    lists = [value for value in data.values() if isinstance(value, list) and value and isinstance(value[0], dict)]
    return lists[0] if len(lists) == 1 and not any(key in data for key in TIME_KEYS) else None


def _slack_ts(value: Any) -> str | None:
    """A Slack `ts` string ("1715680000.000100"), which ties a thread reply (`thread_ts`) to its parent."""
    return value if isinstance(value, str) and value else None


def _first(record: dict[str, Any], keys: tuple[str, ...], path: Path, line: int) -> Any:
    for key in keys:
        value = record.get(key)
        if isinstance(value, dict):  # {"user": {"id": "U1", "name": "Ana"}}, {"message": {"text": "..."}}
            value = next((value[k] for k in NESTED_KEYS if isinstance(value.get(k), (str, int, float))), None)
        elif isinstance(value, list) and key in TEXT_KEYS:  # Telegram: ["see ", {"type": "link", "text": "..."}]
            parts = [
                part if isinstance(part, str) else str(part.get("text", ""))
                for part in value
                if isinstance(part, (str, dict))
            ]
            value = "".join(parts) or None
        if value is not None and not isinstance(value, (dict, list)):
            return value
    raise InputError(path, f"missing `{keys[0]}` (or {', '.join(keys[1:4])}, ...)", line=line)


def _dated(record: dict[str, Any], value: Any) -> Any:
    """A clock time with the record's own `date` ({"date": "2026-03-04", "time": "14:01"}) as one date-time."""
    day = record.get("date")
    if isinstance(value, str) and isinstance(day, str) and DATE_RE.match(day) and CLOCK_ONLY_RE.match(value):
        return f"{day.strip()} {value.strip()}"
    return value


def _time(value: Any, resolver: ClockResolver, path: Path, line: int) -> datetime:
    if isinstance(value, bool):
        raise InputError(path, f"cannot read time {value!r}", line=line)
    if isinstance(value, (int, float)) or EPOCH_RE.match(str(value)):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds (a year past 5000 in seconds)
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise InputError(path, f"epoch time {value!r} is out of range", line=line) from exc
    return resolve_clock(resolver, str(value), path, line)


SNIFF = (re.compile(r'^\s*\[?\s*\{.*"(?:' + "|".join(TIME_KEYS) + r')"\s*:'),)
