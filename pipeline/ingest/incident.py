"""Find and load one incident directory: incident.toml, the timeline (checked against its lock), the chat.

Convention (design.md "Inputs"): `timeline.md|csv|json` (or `.txt`), every `chat*` and `call*` source (`chat.txt`,
`chat.jsonl`, `chat/`, `chat.zip`, `call.vtt`, `call.srt`, ...; `slack/` and `slack.zip` too), and an
optional `incident.toml`. Explicit paths override the convention.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import InputError
from pipeline.ingest.files import read_text
from pipeline.models import Incident, IncidentMeta, LockedTimeline

TIMELINE_NAMES = ("timeline.md", "timeline.csv", "timeline.json", "timeline.markdown", "timeline.txt")
MAX_SPAN_DAYS = 7
CHAT_PREFIXES = ("chat", "call")
LEGACY_CHAT_NAMES = ("slack", "slack.zip")
# editor leftovers and the bookkeeping a fetcher may keep beside its output are not chat sources
NOT_CHAT_SUFFIXES = (".lock.json", ".toml", ".orig", ".bak", ".swp", "~", ".tmp", ".part", ".state", ".cursor")
HEADER_LINES = 5  # a chat's own date, when it gives one, is on a header line at the top ("# #inc-search 2026-05-02")
ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


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
    data = _usual_shape(data)
    _check_date_and_zone(data, path, text)
    try:
        return IncidentMeta.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        line = _line_of_key(text, str(first["loc"][0]))
        raise InputError(
            path,
            f"{field}: {first['msg']}",
            line=line,
            hint="known keys: title, service, date, timezone, severity, authors, [[people]] name/roles/handles, "
            "[sources] call_started",
        ) from exc


# Shapes teams write incident.toml in, read as the documented one: the keys inside an [incident] table, `tz` for
# timezone, one `role` or a `roles` string, and a person's chat handle under any of these keys.
TABLE_KEYS = ("incident", "meta", "metadata")
ZONE_KEYS = ("tz", "time_zone", "zone")
HANDLE_KEYS = ("handle", "handles", "nick", "nickname", "slack", "username", "alias", "aliases", "chat")


def _usual_shape(data: dict) -> dict:
    """`data` with the synonyms above in their documented places; anything else is left to the model to refuse."""
    for key in TABLE_KEYS:
        table = data.get(key)
        if isinstance(table, dict) and not any(name in data for name in ("title", "service", "date")):
            data = {**{k: v for k, v in data.items() if k != key}, **table}
    for key in ZONE_KEYS:
        if key in data and "timezone" not in data:
            data["timezone"] = data.pop(key)
    if isinstance(data.get("severity"), int) and not isinstance(data["severity"], bool):
        data["severity"] = f"SEV-{data['severity']}"  # severity = 2
    people = data.get("people")
    if isinstance(people, list):
        data["people"] = [_usual_person(person) for person in people]
    return data


def _role_list(text: str) -> list[str]:
    """ "IC, Scribe" or "IC/OL" as a list of roles."""
    return [role.strip() for role in re.split(r"[,/]", text) if role.strip()]


PERSON_TEXT_RE = re.compile(r"^\s*(?P<name>[^()]+?)\s*(?:\((?P<roles>[^)]*)\))?\s*$")


def _usual_person(person: object) -> object:
    """A person entry as the model reads it; "Ana Costa (IC, Scribe)" is that name with those roles."""
    if isinstance(person, str) and (text := PERSON_TEXT_RE.match(person)):
        return {"name": text["name"], "roles": _role_list(text["roles"] or "")}
    if not isinstance(person, dict):
        return person
    person = dict(person)
    if "role" in person and "roles" not in person:
        person["roles"] = person.pop("role")
    if isinstance(person.get("roles"), str):
        person["roles"] = _role_list(person["roles"])
    handles: list[str] = []
    for key in HANDLE_KEYS:
        value = person.pop(key, None) if key != "handles" else person.get(key)  # a bad "handles" stays to be refused
        if isinstance(value, str):
            handles.append(value)
        elif isinstance(value, list):
            handles += [item for item in value if isinstance(item, str)]
    if handles:
        person["handles"] = handles
    return person


def _check_date_and_zone(data: dict, path: Path, text: str) -> None:
    """A date is a TOML date or "YYYY-MM-DD" (not 0, not 20240514); a timezone is a real IANA zone.

    An empty timezone is the same as none (dropped here; the caller warns that times are read as UTC).
    """
    value = data.get("date")
    if value is not None and not (type(value) is date or isinstance(value, str) and _is_iso_date(value)):
        raise InputError(
            path,
            f"date must be a date like 2024-05-14, not {value!r}",
            line=_line_of_key(text, "date"),
            hint="write it unquoted as date = 2024-05-14",
        )
    zone = data.get("timezone")
    if isinstance(zone, str) and not zone.strip():
        del data["timezone"]
    elif zone is not None and not _is_zone(zone):
        raise InputError(
            path,
            f"timezone {zone!r} is not an IANA time zone",
            line=_line_of_key(text, "timezone"),
            hint='use a zone name such as "Europe/Berlin" or "UTC", or leave the key out',
        )


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_zone(name: object) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(name, str) or not name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


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
        directory,
        "no timeline found (looked for " + ", ".join(TIMELINE_NAMES) + ")",
        hint="pass --timeline FILE",
    )


def find_chats(directory: Path) -> list[Path]:
    """Every chat source in the directory by convention (`chat*`, `call*`, `slack`, `slack.zip`), sorted by name."""
    found = []
    for entry in sorted(directory.iterdir(), key=lambda entry: entry.name):
        name = entry.name.lower()
        if name.startswith(".") or name.endswith(NOT_CHAT_SUFFIXES):
            continue
        if name.startswith(CHAT_PREFIXES) or name in LEGACY_CHAT_NAMES:
            found.append(entry)
    return found


def call_start_setting(meta: IncidentMeta, directory: Path, day: date | None, zone_name: str | None) -> datetime | None:
    """`[sources] call_started` from incident.toml as an aware datetime (None when absent)."""
    from pipeline.ingest.times import ClockResolver, TimeFormatError

    value = meta.sources.call_started
    if value is None:
        return None
    path = directory / "incident.toml"
    try:
        return ClockResolver(day, zone_name).resolve(value.isoformat() if not isinstance(value, str) else value)
    except (TimeFormatError, ValueError, OverflowError) as exc:
        raise InputError(
            path,
            f"[sources] call_started: {exc}",
            line=_line_of_key(read_text(path, what="incident.toml"), "call_started"),
            hint="write it as call_started = 2024-05-14T12:05:00+02:00",
        ) from exc


def parse_call_start(text: str | None, day: date | None, zone_name: str | None) -> datetime | None:
    """`--call-start` (an ISO 8601 date-time, or HH:MM with the incident's date and zone) as a datetime."""
    from pipeline.ingest.times import ClockResolver, TimeFormatError

    if text is None:
        return None
    try:
        return ClockResolver(day, zone_name).resolve(text)
    except (TimeFormatError, ValueError, OverflowError) as exc:
        raise InputError("--call-start", str(exc), hint="pass it as 2024-05-14T12:05:00+02:00 or 12:05") from exc


def load_incident(
    directory: Path,
    *,
    timeline: Path | None = None,
    chat: Path | list[Path] | None = None,
    chat_format: str | None = None,
    tz: str | None = None,
    on_date: date | None = None,
    call_start: str | None = None,
) -> tuple[Incident, list[str]]:
    """Load everything for one incident; returns the incident and warnings for the author.

    `chat` is one source or several (merged in time order); none means every source the directory holds.
    `call_start` (the --call-start flag) wins over incident.toml for transcripts that do not declare it.
    """
    from pipeline.ingest.chat import load_chats
    from pipeline.ingest.lock import check_lock
    from pipeline.ingest.timeline import load_timeline

    if not directory.is_dir():
        raise InputError(directory, "incident directory not found", hint="pass the folder holding timeline and chat")
    warnings: list[str] = []
    meta = load_meta(directory)
    day, zone_name = on_date or meta.date, tz or meta.timezone
    timeline_path = timeline or find_timeline(directory)
    locked = check_lock(
        load_timeline(timeline_path, day=day, tz=zone_name),
        timezone=zone_name,
        read_in=lambda zone: load_timeline(timeline_path, day=day, tz=zone),
    )
    if locked.lock_status != "locked":
        warnings.append(
            f"{timeline_path} has no lock; the draft cannot prove the timeline is the scribe's final one "
            f"(run: postmortem lock {timeline_path})"
        )
    chat_paths = ([chat] if isinstance(chat, Path) else list(chat)) if chat else find_chats(directory)
    chat_log = None
    if not chat_paths:
        warnings.append(f"{directory}: no chat source found; the draft uses the timeline only (pass --chat)")
    else:
        started = parse_call_start(call_start, day, zone_name) or call_start_setting(meta, directory, day, zone_name)
        chat_day = day
        for path in chat_paths if day is None else []:
            if (dated := chat_date(path, locked, zone_name)) is not None:
                chat_day, source = dated
                warnings.append(f"{path}: clock times without a date are dated {chat_day} from {source}")
                break
        chat_log = load_chats(chat_paths, fmt=chat_format, day=chat_day, tz=zone_name, call_start=started)
    if zone_name is None:
        warnings.append(
            f"{directory}: no timezone in incident.toml and no --tz: times without an offset were read as UTC"
        )
    warnings += span_warnings(locked)
    incident = Incident(meta=meta, timeline=locked, chat=chat_log, directory=str(directory))
    return incident, warnings


def chat_date(chat_path: Path, timeline: LockedTimeline, zone_name: str | None) -> tuple[date, str] | None:
    """The date a chat's clock-only times belong to when neither incident.toml nor --date gives one: the one
    date on the chat's header lines (within a day of the timeline's start), else the locked timeline's first day
    (in the incident's zone) when the header names no date; None when they disagree or neither says (then the
    reader asks for --date)."""
    from zoneinfo import ZoneInfo

    header: set[date] = set()
    if chat_path.is_file():
        with chat_path.open(encoding="utf-8", errors="replace") as handle:
            lines = [handle.readline() for _ in range(HEADER_LINES)]
        for line in lines:
            for year, month, day in ISO_DATE_RE.findall(line):
                try:
                    header.add(date(int(year), int(month), int(day)))
                except ValueError:
                    continue
    zone = ZoneInfo(zone_name) if zone_name else None
    times = sorted(event.time for event in timeline.events)
    first_day = times[0].astimezone(zone).date() if times and zone else times[0].date() if times else None
    if len(header) == 1 and (first_day is None or abs((next(iter(header)) - first_day).days) <= 1):
        return next(iter(header)), "the chat's header line"
    if not header and first_day is not None:
        return first_day, "the locked timeline's first row"
    return None


def span_warnings(timeline: LockedTimeline) -> list[str]:
    """A timeline over a week long is more likely a wrong date or year than a long incident: say so."""
    times = [event.time for event in timeline.events]
    if len(times) < 2 or max(times) - min(times) <= timedelta(days=MAX_SPAN_DAYS):
        return []
    days = (max(times) - min(times)).days
    return [
        f"{timeline.path}: the timeline spans {days} days ({min(times):%Y-%m-%d} to {max(times):%Y-%m-%d}); "
        "check the dates and years of its rows"
    ]
