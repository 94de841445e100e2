"""Find and load one incident directory: incident.toml, the timeline (checked against its lock), the chat.

Convention (design.md "Inputs"): `timeline.md|csv|json`, `chat.txt|chat.jsonl|chat/|chat.zip|*.log`, and
an optional `incident.toml`. Explicit paths override the convention.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import InputError
from pipeline.ingest.files import read_text
from pipeline.models import Incident, IncidentMeta

TIMELINE_NAMES = ("timeline.md", "timeline.csv", "timeline.json", "timeline.markdown")
CHAT_NAMES = ("chat", "chat.zip", "chat.txt", "chat.jsonl", "chat.log", "chat.md", "slack", "slack.zip")


def load_meta(directory: Path) -> IncidentMeta:
    """Read `incident.toml` (absent: an empty IncidentMeta); errors name the file and line."""
    path = directory / "incident.toml"
    if not path.exists():
        return IncidentMeta()
    text = read_text(path, what="incident.toml")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputError(path, f"invalid TOML: {exc}", line=int(match[1]) if match else None) from exc
    try:
        return IncidentMeta.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        line = _line_of_key(text, str(first["loc"][0]))
        raise InputError(
            path, f"{field}: {first['msg']}", line=line,
            hint="known keys: title, service, date, timezone, severity, authors, [[people]] name/roles",
        ) from exc


def _line_of_key(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*\[*{re.escape(key)}\b", line):
            return number
    return None


def incident_settings(
    directory: Path, *, tz: str | None = None, on_date: date | None = None
) -> tuple[date | None, str | None]:
    """The date and time zone for clock-only times: flags win over incident.toml."""
    meta = load_meta(directory)
    return on_date or meta.date, tz or meta.timezone


def find_timeline(directory: Path) -> Path:
    for name in TIMELINE_NAMES:
        if (directory / name).is_file():
            return directory / name
    raise InputError(
        directory, "no timeline found (looked for " + ", ".join(TIMELINE_NAMES) + ")",
        hint="pass --timeline FILE",
    )


def find_chat(directory: Path) -> Path | None:
    for name in CHAT_NAMES:
        if (directory / name).exists():
            return directory / name
    return None


def load_incident(
    directory: Path,
    *,
    timeline: Path | None = None,
    chat: Path | None = None,
    chat_format: str | None = None,
    tz: str | None = None,
    on_date: date | None = None,
) -> tuple[Incident, list[str]]:
    """Load everything for one incident; returns the incident and warnings for the author."""
    from pipeline.ingest.chat import load_chat
    from pipeline.ingest.lock import check_lock
    from pipeline.ingest.timeline import load_timeline

    if not directory.is_dir():
        raise InputError(directory, "incident directory not found", hint="pass the folder holding timeline and chat")
    warnings: list[str] = []
    meta = load_meta(directory)
    day, zone_name = on_date or meta.date, tz or meta.timezone
    timeline_path = timeline or find_timeline(directory)
    locked = check_lock(load_timeline(timeline_path, day=day, tz=zone_name))
    if locked.lock_status != "locked":
        warnings.append(
            f"{timeline_path} has no lock; the draft cannot prove the timeline is the scribe's final one "
            f"(run: postmortem lock {timeline_path})"
        )
    chat_path = chat or find_chat(directory)
    chat_log = None
    if chat_path is None:
        warnings.append(f"{directory}: no chat source found; the draft uses the timeline only (pass --chat)")
    else:
        chat_log = load_chat(chat_path, fmt=chat_format, day=day, tz=zone_name)
    incident = Incident(meta=meta, timeline=locked, chat=chat_log, directory=str(directory))
    return incident, warnings
