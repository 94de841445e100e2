"""Slack workspace export (directory or .zip): users.json, channels.json, `<channel>/<YYYY-MM-DD>.json`.

Channels: every channel folder in the export is read and merged in time order; each message's `source`
names its `<channel>/<day>.json`, so a multi-channel export stays traceable. To read one channel, point
at its folder inside the export (`export/inc-2412/`): users.json is then taken from the folder above.
`line` is the message's 1-based position in its day file (exports are JSON arrays, not line records).

Day files are read one at a time, so memory holds one day's JSON plus the messages kept so far.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.ingest.chat.base import RawMessage
from pipeline.ingest.chat.export_files import DAY_FILE_RE, ExportFiles
from pipeline.ingest.chat.slack_text import SlackMarkup, channel_names, user_names

UTC = UTC
JOIN_SUBTYPES = {"channel_join", "channel_leave", "group_join", "group_leave"}
SKIPPED_SUBTYPES = {"message_deleted", "message_replied"}


def parse(path: Path, day: date | None = None, tz: str | None = None) -> list[RawMessage]:
    """All messages of the export; times come from Slack's epoch `ts`, so `day` and `tz` are not needed."""
    files = ExportFiles(path)
    try:
        return _parse(files)
    finally:
        files.close()


def _parse(files: ExportFiles) -> list[RawMessage]:
    day_files = sorted(
        (match["day"], match["channel"], name) for name in files.names() if (match := DAY_FILE_RE.match(name))
    )
    if not day_files:
        raise InputError(
            files.path,
            "no <channel>/<YYYY-MM-DD>.json day files found in the Slack export",
            hint="point --chat at the export's top folder (with users.json) or at its .zip",
        )
    users = _json_list(files, "users.json")
    markup = SlackMarkup(user_names(users), channel_names(_json_list(files, "channels.json")))
    # APP and bot users (is_bot in users.json) post as bots even when their messages carry a `user`.
    bot_users = {user["id"] for user in users if isinstance(user, dict) and user.get("is_bot") and "id" in user}
    reader = _DayReader(markup, bot_users)
    for _, channel, name in day_files:
        records = _load_json(files, name)
        if not isinstance(records, list):
            raise InputError(files.source_name(name), "expected a JSON array of messages")
        reader.read_day(channel, files.source_name(name), records)
    return reader.messages


class _DayReader:
    """Turns day-file records into RawMessages, applying edits to messages already read."""

    def __init__(self, markup: SlackMarkup, bot_users: set[str] = frozenset()):
        self.markup = markup
        self.bot_users = bot_users
        self.messages: list[RawMessage] = []
        self.by_key: dict[tuple[str, str], RawMessage] = {}

    def read_day(self, channel: str, source: str, records: list[Any]) -> None:
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raise InputError(source, f"message {number} is not a JSON object", line=number)
            subtype = _subtype(record, source, number)
            if subtype == "message_changed":
                self._apply_edit(channel, source, number, record)
            elif subtype not in SKIPPED_SUBTYPES:
                self._add(channel, source, number, record, subtype)

    def _add(self, channel: str, source: str, number: int, record: dict[str, Any], subtype: str | None) -> None:
        ts = record.get("ts")
        moment = _epoch(ts, source, number)
        is_bot = (
            subtype == "bot_message"
            or ("bot_id" in record and "user" not in record)
            or "app_id" in record
            or (isinstance(user := record.get("user"), str) and user in self.bot_users)
        )
        if subtype in JOIN_SUBTYPES:
            kind = "join"
        elif is_bot:
            kind = "bot"
        elif subtype is None or subtype in {"thread_broadcast", "me_message", "file_share"}:
            kind = "message"
        else:
            kind = "system"
        thread_ts = record.get("thread_ts")
        message = RawMessage(
            time=moment,
            author=self._author(record, is_bot),
            text=self._text(record),
            line=number,
            source=source,
            kind=kind,
            key=(channel, ts),
            thread_key=(channel, thread_ts) if isinstance(thread_ts, str) and thread_ts != ts else None,
            edited=bool(record.get("edited")),
        )
        self.messages.append(message)
        self.by_key[(channel, ts)] = message

    def _apply_edit(self, channel: str, source: str, number: int, record: dict[str, Any]) -> None:
        """`message_changed` carries the new version in `message`: update the original, keep one copy."""
        changed = record.get("message")
        if not isinstance(changed, dict):
            raise InputError(source, "message_changed without a `message` object", line=number)
        changed_ts = changed.get("ts")
        original = self.by_key.get((channel, changed_ts)) if isinstance(changed_ts, str) else None
        if original is None:
            self._add(channel, source, number, changed, _subtype(changed, source, number))
            self.messages[-1].edited = True
            return
        original.text = self._text(changed)
        original.edited = True

    def _author(self, record: dict[str, Any], is_bot: bool) -> str:
        user = record.get("user")
        if isinstance(user, str) and user in self.markup.users:
            return self.markup.users[user]
        profile = record.get("user_profile")
        if isinstance(profile, dict):
            for field in ("real_name", "display_name", "name"):
                if isinstance(profile.get(field), str) and profile[field]:
                    return profile[field]
        if is_bot:
            bot = record.get("bot_profile")
            for candidate in (record.get("username"), bot.get("name") if isinstance(bot, dict) else None):
                if isinstance(candidate, str) and candidate:
                    return candidate
            return str(record.get("bot_id") or "bot")
        return str(user or record.get("username") or "unknown")

    def _text(self, record: dict[str, Any]) -> str:
        text = record.get("text")
        text = text if isinstance(text, str) else ""
        attachments = record.get("attachments")
        files = record.get("files")
        if not attachments and not files:  # the common case, kept cheap for large exports
            return self.markup.render(text)
        parts = [text]
        if isinstance(attachments, list):
            parts.extend(_attachment_text(item) for item in attachments if isinstance(item, dict))
        if isinstance(files, list):
            parts.extend(
                f"[file: {item.get('title') or item.get('name')}]"
                for item in files
                if isinstance(item, dict) and (item.get("title") or item.get("name"))
            )
        return self.markup.render("\n".join(part for part in parts if part))


def _attachment_text(attachment: dict[str, Any]) -> str:
    """An attachment's visible text: pretext, title, text and fields, else its plain-text fallback."""
    parts = [attachment.get(key) for key in ("pretext", "title", "text")]
    fields = attachment.get("fields")
    if isinstance(fields, list):
        parts.extend(
            f"{field.get('title')}: {field.get('value')}"
            for field in fields
            if isinstance(field, dict) and field.get("title")
        )
    shown = [part for part in parts if isinstance(part, str) and part]
    if shown:
        return "\n".join(shown)
    fallback = attachment.get("fallback")
    return fallback if isinstance(fallback, str) else ""


def _subtype(record: dict[str, Any], source: str, number: int) -> str | None:
    subtype = record.get("subtype")
    if subtype is None or isinstance(subtype, str):
        return subtype
    raise InputError(source, f"message {number} has a `subtype` that is not text ({subtype!r})", line=number)


def _epoch(ts: Any, source: str, number: int) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise InputError(source, f"message {number} has no readable `ts` ({ts!r})", line=number) from exc


def _json_list(files: ExportFiles, name: str) -> list[Any]:
    """users.json / channels.json as a list; absent is allowed (IDs then stay as IDs)."""
    if not files.has(name):
        return []
    value = _load_json(files, name)
    if not isinstance(value, list):
        raise InputError(files.source_name(name), "expected a JSON array")
    return value


def _load_json(files: ExportFiles, name: str) -> Any:
    text = files.read_text(name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(files.source_name(name), f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    except RecursionError as exc:
        raise InputError(files.source_name(name), "JSON nested too deeply") from exc
