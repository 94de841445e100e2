"""The timeline lock: `timeline.md.lock.json` records a SHA-256 of the normalized events.

The hash covers only what a draft relies on (ID, UTC time, text with whitespace collapsed and Unicode
NFC-normalized), so re-aligning a table, re-quoting a CSV or converting `14:02` to `2024-03-05T14:02Z`
keeps the lock, while any change of a time, a text or the order breaks it. On a mismatch the lock's own
copy of the events lets us say in plain sentences what changed.

Secrets are redacted before hashing, in the lock's copy and in every sentence about a change: the lock
file and the mismatch error (printed where CI logs live) never carry a token, and the draft, which
only ever sees redacted text, is still bound to exactly what it shows. The hash and the copy use the
bundled patterns only, so a team adding a pattern in postmortem.toml does not break existing locks;
the sentences about a change use the team's patterns too.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from pipeline.errors import InputError, LockMismatchError, LockZoneError
from pipeline.ingest.files import read_text
from pipeline.models import LockedTimeline
from pipeline.output import write_atomic
from pipeline.secrets import redact_secrets

FORMAT_VERSION = 1
QUOTE_LIMIT = 80
PAIRING_LIMIT = 2500  # old x new rows compared by similarity inside one changed block; beyond, by position
PAIRING_THRESHOLD = 0.5
ASSUMED_ZONE = "UTC"  # clock times without an offset, when neither incident.toml nor --tz gives a zone


class EventLike(Protocol):
    id: str
    time: datetime
    text: str


class LockedEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str
    time: AwareDatetime
    text: str


class LockFile(BaseModel):
    """What `write_lock` writes. Strict types: a number where a time belongs is a broken lock, not 1970."""

    model_config = ConfigDict(extra="ignore", strict=True)

    format_version: Literal[1]
    timeline: str
    sha256: str
    locked_at: AwareDatetime
    timezone: str | None = None  # the zone clock-only times were read in; None in locks written before it was kept
    events: list[LockedEvent]


def lock_path_for(timeline_path: Path) -> Path:
    """`timeline.md` -> `timeline.md.lock.json`, next to it."""
    timeline_path = Path(timeline_path)
    return timeline_path.with_name(f"{timeline_path.name}.lock.json")


def timeline_sha256(events: Iterable[EventLike]) -> str:
    """SHA-256 (hex) of the canonical JSON of (id, UTC time, normalized text) for every event."""
    canonical = [
        {"id": event.id, "time": _utc_iso(event.time), "text": _normalize_text(event.text)} for event in events
    ]
    payload = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def write_lock(timeline: LockedTimeline, timezone: str | None = None) -> Path:
    """Write the lock next to the timeline atomically (temp file + rename) and return its path. `timezone` is the
    zone its clock-only times were read in (None: UTC was assumed); the lock records it."""
    path = lock_path_for(Path(timeline.path))
    content = {
        "format_version": FORMAT_VERSION,
        "timeline": Path(timeline.path).name,
        "sha256": timeline_sha256(timeline.events),
        "locked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "timezone": timezone or ASSUMED_ZONE,
        "events": [
            {"id": e.id, "time": _utc_iso(e.time), "text": redact_secrets(e.text, bundled_only=True)}
            for e in timeline.events
        ],
    }
    text = json.dumps(content, ensure_ascii=False, indent=2) + "\n"
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise InputError(path, f"cannot write the lock file: {exc.strerror}") from exc
    return path


def check_lock(
    timeline: LockedTimeline,
    *,
    timezone: str | None = None,
    read_in: Callable[[str | None], LockedTimeline] | None = None,
) -> LockedTimeline:
    """ "locked" when the lock matches, "unlocked" when there is none; LockMismatchError when it differs.

    `timezone` is the zone the timeline was just read in (None: UTC assumed) and `read_in(zone)` reads the same
    file in another zone. When the lock was made in a different zone and the file read in the lock's zone
    matches, the rows are untouched: the error says the zone changed, not that rows were edited."""
    path = lock_path_for(Path(timeline.path))
    if not path.exists():
        return timeline.model_copy(update={"lock_status": "unlocked"})
    lock = read_lock(path, Path(timeline.path))
    if lock.sha256 == timeline_sha256(timeline.events):
        return timeline.model_copy(update={"lock_status": "locked"})
    locked_zone, zone = lock.timezone or ASSUMED_ZONE, timezone or ASSUMED_ZONE
    if read_in is not None and locked_zone != zone:
        as_locked = read_in(None if locked_zone == ASSUMED_ZONE else locked_zone)
        if lock.sha256 == timeline_sha256(as_locked.events):
            raise LockZoneError(Path(timeline.path), locked=locked_zone, now=zone, recorded=lock.timezone is not None)
    changes = describe_changes(lock.events, timeline.events) or [
        "the events differ from the lock in a way the lock's copy cannot show (was the lock edited?)"
    ]
    raise LockMismatchError(Path(timeline.path), changes)


def read_lock(path: Path, timeline_path: Path) -> LockFile:
    """Parse and validate a lock file; anything wrong is an InputError naming the lock file."""
    hint = f"re-create it with: postmortem lock {timeline_path}"
    try:
        text = read_text(path, what="lock file")
    except InputError as exc:
        raise InputError(path, exc.reason, line=exc.line, hint=hint) from exc
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"lock file is not valid JSON: {exc.msg}", line=exc.lineno, hint=hint) from exc
    except (ValueError, RecursionError) as exc:
        raise InputError(path, f"lock file is not valid JSON: {exc}", hint=hint) from exc
    try:
        lock = LockFile.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        raise InputError(path, f"broken lock file: {where}: {first['msg']}", hint=hint) from exc
    if lock.sha256 != timeline_sha256(lock.events):
        raise InputError(
            path, "broken lock file: its sha256 does not match its own events (edited by hand?)", hint=hint
        )
    return lock


def describe_changes(locked: list[LockedEvent], current: list[EventLike]) -> list[str]:
    """Human sentences for what changed between the locked events and the current ones, in file order."""
    old_keys = [(_utc_iso(e.time), _normalize_text(e.text)) for e in locked]
    new_keys = [(_utc_iso(e.time), _normalize_text(e.text)) for e in current]
    removed: list[EventLike] = []
    added: list[EventLike] = []
    changes: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = locked[a_start:a_end], current[b_start:b_end]
        pairs = _pair_edits(olds, news)
        for old_index, new_index in pairs:
            changes.extend(_edit_sentences(olds[old_index], news[new_index]))
        removed.extend(old for i, old in enumerate(olds) if i not in {p[0] for p in pairs})
        added.extend(new for j, new in enumerate(news) if j not in {p[1] for p in pairs})
    changes.extend(_moves_and_leftovers(removed, added))
    return changes


def _pair_edits(olds: list[LockedEvent], news: list[EventLike]) -> list[tuple[int, int]]:
    """Which old row became which new row inside one changed block: same time or similar text."""
    if not olds or not news:
        return []
    if len(olds) * len(news) > PAIRING_LIMIT:
        return [(i, i) for i in range(min(len(olds), len(news)))]
    scored = sorted(
        ((_similarity(old, new), i, j) for i, old in enumerate(olds) for j, new in enumerate(news)),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    pairs: list[tuple[int, int]] = []
    for score, i, j in scored:
        if score >= PAIRING_THRESHOLD and all(i != p[0] and j != p[1] for p in pairs):
            pairs.append((i, j))
    return sorted(pairs, key=lambda pair: pair[1])


def _similarity(old: EventLike, new: EventLike) -> float:
    ratio = difflib.SequenceMatcher(a=_normalize_text(old.text), b=_normalize_text(new.text)).ratio()
    return ratio + (0.5 if old.time == new.time else 0.0)


def _edit_sentences(old: EventLike, new: EventLike) -> list[str]:
    who = new.id if new.id == old.id else f"{new.id} (was {old.id})"
    sentences = []
    if _normalize_text(old.text) != _normalize_text(new.text):
        sentences.append(f"{who} text changed: {_quote(old.text)} -> {_quote(new.text)}")
    if old.time != new.time:
        sentences.append(f"{who} time changed: {_time_change(old.time, new.time)}")
    return sentences


def _moves_and_leftovers(removed: list[EventLike], added: list[EventLike]) -> list[str]:
    """An event removed in one place and added unchanged in another was moved; the rest are what they seem."""
    sentences = []
    unmatched_added = list(added)
    for old in removed:
        twin = next((new for new in unmatched_added if _same_event(old, new)), None)
        if twin is not None:
            unmatched_added.remove(twin)
            sentences.append(f"{old.id} moved to {twin.id}: {_quote(old.text)}")
        else:
            sentences.append(f"{old.id} removed: {_quote(old.text)}")
    sentences.extend(f"{new.id} added: {_quote(new.text)}" for new in unmatched_added)
    return sentences


def _same_event(old: EventLike, new: EventLike) -> bool:
    return old.time == new.time and _normalize_text(old.text) == _normalize_text(new.text)


def _time_change(old: datetime, new: datetime) -> str:
    old, new = old.astimezone(UTC), new.astimezone(UTC)
    precise = old.second or new.second or old.microsecond or new.microsecond
    clock = "%H:%M:%S" if precise else "%H:%M"
    pattern = clock if old.date() == new.date() else f"%Y-%m-%d {clock}"
    return f"{old.strftime(pattern)} -> {new.strftime(pattern)} UTC"


def _quote(text: str) -> str:
    flat = " ".join(redact_secrets(text).split())
    return f"'{flat[: QUOTE_LIMIT - 1]}…'" if len(flat) > QUOTE_LIMIT else f"'{flat}'"


def _normalize_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", redact_secrets(text, bundled_only=True)).split())


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()
