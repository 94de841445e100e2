"""Turn the times people write ("14:01", "8:27 AM", "2024-03-05T14:01:00+01:00") into UTC datetimes.

Timelines and chats often carry only a clock time. `ClockResolver` gives each one the incident's date
and time zone and keeps rows in order across midnight (23:58 then 00:03 is the next day).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CLOCK_RE = re.compile(
    r"^\s*(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\s*"
    r"(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*$"
)
UTC = UTC


class TimeFormatError(ValueError):
    """A time string we cannot read; the caller adds file and line."""


def zone(name: str | None) -> ZoneInfo | timezone:
    """A tzinfo for an IANA name (or UTC when None); raise TimeFormatError naming the bad zone."""
    if not name or name.upper() in {"UTC", "Z", "GMT"}:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeFormatError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from exc


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() in {"Z", "UTC", "GMT"}:
        return UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_clock(text: str) -> tuple[time, timezone | None]:
    """Read "14:01", "14:01:33", "8:27 AM", "14:01Z" or "14:01 +02:00" into a clock time and its offset."""
    match = CLOCK_RE.match(text)
    if not match:
        raise TimeFormatError(f"cannot read time {text.strip()!r} (expected HH:MM, HH:MM:SS or H:MM AM)")
    hour, minute = int(match["h"]), int(match["m"])
    second = int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise TimeFormatError(f"cannot read time {text.strip()!r}: hour {hour} with AM/PM")
        is_pm = match["ampm"][0] in "Pp"
        hour = hour % 12 + (12 if is_pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise TimeFormatError(f"cannot read time {text.strip()!r}: out of range")
    return time(hour, minute, second), _offset(match["tz"])


def parse_timestamp(text: str, tz_name: str | None = None) -> datetime:
    """Read an ISO 8601 date-time (or 'YYYY-MM-DD HH:MM'); a naive value is taken in `tz_name`."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    cleaned = re.sub(r"\s+(UTC|GMT)$", "+00:00", cleaned)
    cleaned = re.sub(r"^(\d{4}-\d{2}-\d{2}[T ])(\d)(?=:)", r"\g<1>0\2", cleaned)  # "2024-05-14 9:05": pad the hour
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise TimeFormatError(
            f"cannot read timestamp {text.strip()!r} (expected ISO 8601, e.g. 2024-03-05T14:01:00Z)"
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz_name))
    return value.astimezone(UTC)


# English month abbreviations as chat tools print dates ("Nov 14, 2022", "Tue Mar 10 18:02:11 2026")
MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}


def slashed_date(text: str, *, day_first: bool) -> date:
    """The date of "04/03/2026" or "4/3/26": day first or month first as the caller knows the file writes it;
    ValueError for a date that does not exist."""
    first, second, year = (int(part) for part in text.split("/"))
    day, month = (first, second) if day_first else (second, first)
    return date(year + 2000 if year < 100 else year, month, day)


def dated_clock(day: date, clock: str) -> str:
    """ "YYYY-MM-DD HH:MM:SS" of a clock ("2:01 PM", "14:01:22") on `day`: a chat header's date and time as one
    timestamp the resolver reads."""
    at, _ = parse_clock(clock)
    return f"{day.isoformat()} {at:%H:%M:%S}"


def looks_like_full_timestamp(text: str) -> bool:
    return bool(re.match(r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}", text))


class ClockResolver:
    """Give clock-only times a date, in order: a time that runs backwards past midnight is the next day.

    A small step back (14:05 then 14:03, messages posted out of order) stays on the same day: the
    resolver picks whichever of "same day" and "next day" is closer to the previous time.
    """

    def __init__(self, day: date | None, tz_name: str | None):
        self.day = day
        self.tzinfo = zone(tz_name)
        self.previous: datetime | None = None

    def resolve(self, text: str) -> datetime:
        if looks_like_full_timestamp(text):
            value = parse_timestamp(text, None if self.tzinfo is UTC else str(self.tzinfo))
            self.previous = value
            self.day = value.astimezone(self.tzinfo).date() if isinstance(self.tzinfo, ZoneInfo) else value.date()
            return value
        clock, offset = parse_clock(text)
        if self.day is None:
            raise TimeFormatError(
                f"time {text.strip()!r} has no date; set `date` in incident.toml or pass --date YYYY-MM-DD"
            )
        local_day = self.day
        if self.previous is not None:
            local_day = self.previous.astimezone(offset or self.tzinfo).date()
        candidate = datetime.combine(local_day, clock, tzinfo=offset or self.tzinfo).astimezone(UTC)
        if self.previous is not None and candidate < self.previous:
            next_day = (
                datetime.combine(local_day + timedelta(days=1), clock, tzinfo=offset or self.tzinfo)
            ).astimezone(UTC)
            if next_day - self.previous < self.previous - candidate:
                candidate = next_day
        self.previous = candidate
        return candidate
