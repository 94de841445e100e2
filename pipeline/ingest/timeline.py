"""Load the scribe's timeline (markdown table or list, CSV or JSON) into a LockedTimeline with UTC times.

Each format is reduced to the same rows (time as written, event text, source line), then one resolver
gives every row a UTC time, so the three formats behave alike. Decisions where the design is silent:

- Columns are found by header name, case-insensitively: time = Time/Timestamp/When/Datetime, event =
  Event/Description/What happened/Text/Message/Note(s)/Details (the first one present, in that order),
  else the first header containing the word "time" or "event". A parenthesis in a header is ignored
  ("Time (UTC)" is a time column; the zone still comes from `tz`, headers never set it).
- Time cells may be approximate or a range: "~14:02" and "14:02 - 14:30" resolve to 14:02, while
  `raw_time` keeps what was written. "2024-04-09 8:40" (one-digit hour) is read as 08:40.
- An optional Date/Day column (YYYY-MM-DD) dates the clock times of its row, so multi-day timelines
  need no --date; an empty date cell continues from the row above (with midnight rollover).
- Extra table/CSV columns are kept, because the timeline is reproduced verbatim: their non-empty cells
  are appended to the event text as "; Column: value". JSON records are structured data, so other keys
  (id, source, tags) are ignored.
- Rows keep file order (IDs T1..Tn); they are never sorted. Fully empty rows are skipped; a row with a
  time but no event (or the reverse) is an error, as is a clock time that a DST change skips.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pipeline.errors import ConfigError, InputError
from pipeline.ingest.files import read_text
from pipeline.ingest.lock import timeline_sha256
from pipeline.ingest.markdown_table import find_tables
from pipeline.ingest.times import ClockResolver, TimeFormatError, looks_like_full_timestamp, parse_clock
from pipeline.models import LockedTimeline, TimelineEvent

Format = Literal["markdown", "csv", "json"]

TIME_NAMES = ("time", "timestamp", "when", "datetime", "date time", "at", "ts", "occurred at")
DATE_NAMES = ("date", "day")
EVENT_NAMES = (
    "event",
    "events",
    "description",
    "what happened",
    "what",
    "text",
    "message",
    "note",
    "notes",
    "details",
    "summary",
    "action",
    "activity",
    "entry",
    "update",
)
# When no header is exactly a known name, one with this word in it is taken ("Date and Time in CET").
TIME_WORDS = {"time", "timestamp"}
EVENT_WORDS = {"event", "events"}
FORMAT_BY_SUFFIX: dict[str, Format] = {".md": "markdown", ".markdown": "markdown", ".csv": "csv", ".json": "json"}
FORMAT_ALIASES: dict[str, Format] = {"md": "markdown", "markdown": "markdown", "csv": "csv", "json": "json"}

TIME_HINT = "write HH:MM (24-hour), H:MM AM/PM or an ISO 8601 timestamp such as 2024-03-05T14:02:00Z"
NO_DATE_HINT = "set `date` in incident.toml, pass --date YYYY-MM-DD, or write full timestamps"
APPROXIMATE_RE = re.compile(r"^(?:~|≈|approx\.?|ca\.)\s*", re.IGNORECASE)
RANGE_SPLIT_RE = re.compile(r"\s+[-–—]\s+|\s*[–—]\s*")
ONE_DIGIT_HOUR_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ])(\d:\d{2})")
# A list item: "- ", "* ", "+ " or "1. " / "1) " after any indent.
LIST_ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,3}[.)])[ \t]+(?P<text>.*)$")
# A list item that starts with its time, optionally bold and followed by a zone word, then a separator:
# "- 14:02 UTC - alert fired", "* **09:12** rollback started", "1. 2026-03-05 14:02: paged", "- ~8:40 PM — declared"
_TIMED_TEXT = (
    r"(?:\*\*|__)?(?P<time>~?(?:\d{4}-\d{2}-\d{2}[T ])?\d{1,2}:\d{2}"
    r"(?::\d{2}(?:\.\d+)?)?(?:[ \t]*[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2}|[ \t]+(?:UTC|GMT))?)(?:\*\*|__)?"
    r"(?!\w|:\d)[ \t]*(?:[-\u2013\u2014:|][ \t]*)?(?P<text>\S.*)$"
)
TIMED_ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,3}[.)])[ \t]+" + _TIMED_TEXT)
# The same without the bullet, a line of its own: "14:02 - alert fired", "**14:02** alert fired", "14:02 UTC paged"
TIMED_LINE_RE = re.compile(r"^" + _TIMED_TEXT)
HEADER_HINT = "the timeline needs a time column (Time, Timestamp, When) and an event column (Event, Description)"


@dataclass
class RawRow:
    """One timeline row before its time is read: what the file says, and where."""

    time: str
    text: str
    line: int
    date: str = ""


@dataclass
class Columns:
    """Where the time, event and optional date are in a header; every other column is an extra."""

    time: int
    event: int
    date: int | None = None

    def used(self) -> set[int]:
        return {self.time, self.event} | ({self.date} if self.date is not None else set())


def load_timeline(
    path: Path, *, day: date | None = None, tz: str | None = None, fmt: str | None = None
) -> LockedTimeline:
    """Read a timeline file; HH:MM rows take `day` and zone `tz`; every problem is one InputError."""
    path = Path(path)
    text = read_text(path, what="timeline")
    chosen = _choose_format(path, text, fmt)
    rows = PARSERS[chosen](text, path)
    events = _resolve(rows, path, day, tz)
    return LockedTimeline(path=str(path), format=chosen, events=events, sha256=timeline_sha256(events))


# ---------------------------------------------------------------- format detection


def _choose_format(path: Path, text: str, fmt: str | None) -> Format:
    """The explicit `fmt`, else the file extension, else a look at the content."""
    if fmt is not None:
        if fmt.lower() not in FORMAT_ALIASES:
            raise ConfigError("--format", f"unknown timeline format {fmt!r}; use markdown, csv or json")
        return FORMAT_ALIASES[fmt.lower()]
    by_suffix = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return "json"
    if find_tables(text):
        return "markdown"
    first_line = stripped.split("\n", 1)[0]
    if "," in first_line and not TIMED_LINE_RE.match(first_line):  # a header row, not "14:02 paged, no answer"
        return "csv"
    if _parse_list(text, path):  # timed lines, with or without bullets (a plain-text file)
        return "markdown"
    raise InputError(
        path,
        "cannot tell the timeline format (no markdown table, timed list, CSV header or JSON found)",
        hint="name the file .md, .csv or .json",
    )


# ---------------------------------------------------------------- columns


def _normalize_header(name: str) -> str:
    name = re.sub(r"\(.*?\)", " ", name)
    name = re.sub(r"[*_`:#]", " ", name)
    return " ".join(name.lower().split())


def _find_column(names: list[str], wanted: tuple[str, ...], words: set[str], taken: int | None = None) -> int | None:
    """Index of the first exact name in priority order, else of the first name containing one of `words`."""
    exact = next((names.index(name) for name in wanted if name in names and names.index(name) != taken), None)
    if exact is not None:
        return exact
    return next((i for i, name in enumerate(names) if i != taken and words & set(name.split())), None)


def _pick_columns(header: list[str], path: Path, line: int) -> Columns:
    """The time, event (and date) columns; a missing time or event column is an InputError on the header line."""
    names = [_normalize_header(cell) for cell in header]
    found = ", ".join(repr(cell) for cell in header) or "nothing"
    time_index = _find_column(names, TIME_NAMES, TIME_WORDS)
    event_index = _find_column(names, EVENT_NAMES, EVENT_WORDS, taken=time_index)
    for index, label in ((time_index, "time"), (event_index, "event")):
        if index is None:
            raise InputError(path, f"no {label} column in the header (found {found})", line=line, hint=HEADER_HINT)
    date_index = _find_column(names, DATE_NAMES, set(), taken=time_index)
    return Columns(time=time_index, event=event_index, date=date_index)


def _row_from_cells(cells: list[str], header: list[str], columns: Columns, path: Path, line: int) -> RawRow | None:
    """A RawRow from one table/CSV row (extra columns appended to the text); None for an empty row."""
    if not any(cell.strip() for cell in cells):
        return None
    if len(cells) > len(header):
        raise InputError(
            path,
            f"row has {len(cells)} cells but the header has {len(header)}",
            line=line,
            hint="a literal separator inside a cell must be escaped (\\| in markdown) or quoted (CSV)",
        )
    cells = [cell.strip() for cell in cells] + [""] * (len(header) - len(cells))
    time_index, event_index = columns.time, columns.event
    extras = [
        f"{header[index].strip()}: {value}"
        for index, value in enumerate(cells)
        if index not in columns.used() and value
    ]
    text = "; ".join([cells[event_index], *extras]) if cells[event_index] else ""
    if not cells[time_index]:
        raise InputError(path, "row has no time", line=line, hint="give every row its own time")
    if not text:
        raise InputError(path, f"row at {cells[time_index]!r} has no event text", line=line)
    day = cells[columns.date] if columns.date is not None else ""
    return RawRow(time=cells[time_index], text=text, line=line, date=day)


# ---------------------------------------------------------------- the three formats


def _parse_markdown(text: str, path: Path) -> list[RawRow]:
    tables = find_tables(text)
    if not tables:
        if rows := _parse_list(text, path):
            return rows
        raise InputError(
            path,
            "no timeline table found",
            hint="write a markdown table (a '| Time | Event |' header, a '|---|---|' row, then one row per event) "
            "or a list with one event per item ('- 14:02 alert fired')",
        )
    table = next((table for table in tables if _has_columns(table.header.cells)), tables[0])
    columns = _pick_columns(table.header.cells, path, table.header.line)
    rows = [
        row
        for cells in table.rows
        if (row := _row_from_cells(cells.cells, table.header.cells, columns, path, cells.line)) is not None
    ]
    if not rows:
        raise InputError(path, "the timeline table has no rows", line=table.header.line)
    return rows


def _parse_list(text: str, path: Path) -> list[RawRow]:
    """A scribe's list timeline ("- 14:02 UTC - alert fired", "1. **09:12** rollback started"): the first list in
    which at least two items start with a time. Each of its items is a row; a nested item or a wrapped line joins the
    row above ("; "). An item of that list without a time is an error on its line, never a row silently dropped."""
    lines = text.splitlines()
    start = next(
        (
            index
            for index, line in enumerate(lines)
            if TIMED_ITEM_RE.match(line) and _timed_items_from(lines, index) >= 2
        ),
        None,
    )
    if start is None:
        return _parse_timed_lines(lines)
    indent = len(TIMED_ITEM_RE.match(lines[start])["indent"].expandtabs(4))
    rows: list[RawRow] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        item = LIST_ITEM_RE.match(line)
        depth = len(line) - len(line.lstrip())
        if item is None and depth <= indent:
            break  # a heading or a paragraph after the list ends it
        if item is not None and len(item["indent"].expandtabs(4)) <= indent:
            timed = TIMED_ITEM_RE.match(line)
            if timed is None:
                raise InputError(
                    path,
                    f"list item has no time: {line.strip()[:60]!r}",
                    line=number,
                    hint="start every item of the timeline list with its time ('- 14:02 ...')",
                )
            rows.append(RawRow(time=timed["time"].strip(), text=timed["text"].strip(), line=number))
            continue
        if item is not None:  # a nested item: a detail of the row above
            rows[-1].text = f"{rows[-1].text.rstrip(' ;')}; {item['text'].strip()}"
        else:  # the row's text wrapped onto the next line
            rows[-1].text = f"{rows[-1].text} {line.strip()}"
    return rows


def _parse_timed_lines(lines: list[str]) -> list[RawRow]:
    """A timeline of lines that each start with a time and have no bullet ("14:02 - alert fired", "**14:02** paged"),
    when at least two do: each is a row, and a line between two of them without a time continues the row above.
    Lines before the first and after the last (a title, a closing paragraph) are not rows."""
    timed = [index for index, line in enumerate(lines) if TIMED_LINE_RE.match(line)]
    if len(timed) < 2:
        return []
    rows: list[RawRow] = []
    for index in range(timed[0], timed[-1] + 1):
        line = lines[index]
        if (match := TIMED_LINE_RE.match(line)) is not None:
            rows.append(RawRow(time=match["time"].strip(), text=match["text"].strip(), line=index + 1))
        elif line.strip() and not line.lstrip().startswith("#"):
            rows[-1].text = f"{rows[-1].text} {line.strip()}"
    return rows


def _timed_items_from(lines: list[str], start: int) -> int:
    """How many items starting with a time the list that opens at `start` holds (up to two: enough to decide)."""
    count = 0
    for line in lines[start:]:
        if not line.strip():
            continue
        if LIST_ITEM_RE.match(line) is None and not line[:1].isspace():
            break
        count += TIMED_ITEM_RE.match(line) is not None
        if count >= 2:
            break
    return count


def _has_columns(header: list[str]) -> bool:
    names = [_normalize_header(cell) for cell in header]
    time_index = _find_column(names, TIME_NAMES, TIME_WORDS)
    return time_index is not None and _find_column(names, EVENT_NAMES, EVENT_WORDS, taken=time_index) is not None


def _parse_csv(text: str, path: Path) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[RawRow] = []
    columns = Columns(time=0, event=0)
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                if not any(cell.strip() for cell in cells):
                    continue
                header, header_line = [cell.strip() for cell in cells], line
                columns = _pick_columns(header, path, line)
                continue
            row = _row_from_cells(cells, header, columns, path, line)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise InputError(path, f"cannot read CSV: {exc}", line=start) from exc
    if header is None:
        raise InputError(path, "no CSV header found", hint="start with a header row: time,event")
    if not rows:
        raise InputError(path, "the timeline has no rows", line=header_line)
    return rows


def _parse_json(text: str, path: Path) -> list[RawRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from exc
    except (ValueError, RecursionError) as exc:
        raise InputError(path, f"invalid JSON: {exc}") from exc
    shape_hint = 'use a list of {"time": ..., "event": ...} records, or {"events": [...]}'
    key = "events"
    if isinstance(data, dict):
        if not isinstance(data.get(key), list):
            # one list of records under another name: {"timeline": [...]}, {"entries": [...]}
            lists = [
                name for name, value in data.items() if isinstance(value, list) and value and isinstance(value[0], dict)
            ]
            if len(lists) != 1:
                raise InputError(path, 'JSON object has no "events" list', line=1, hint=shape_hint)
            key = lists[0]
        records = data[key]
    elif isinstance(data, list):
        records = data
    else:
        raise InputError(path, f"JSON top level is a {type(data).__name__}", line=1, hint=shape_hint)
    if not records:
        raise InputError(path, "the timeline has no events", line=1)
    lines = _record_lines(text, len(records), key)
    return [_json_row(record, path, line) for record, line in zip(records, lines)]


def _json_row(record: Any, path: Path, line: int) -> RawRow:
    if not isinstance(record, dict):
        raise InputError(path, f"timeline record is a {type(record).__name__}, expected an object", line=line)
    keys = list(record)
    names = [_normalize_header(key) for key in keys]
    time_index = _find_column(names, TIME_NAMES, TIME_WORDS)
    event_index = _find_column(names, EVENT_NAMES, EVENT_WORDS, taken=time_index)
    values = []
    for index, label in ((time_index, "time"), (event_index, "event")):
        if index is None:
            raise InputError(path, f"record has no {label!r} key (found {sorted(keys)})", line=line, hint=HEADER_HINT)
        value = record[keys[index]]
        if not isinstance(value, str) or not value.strip():
            raise InputError(path, f"record {keys[index]!r} must be non-empty text, got {value!r}", line=line)
        values.append(value.strip())
    date_index = _find_column(names, DATE_NAMES, set(), taken=time_index)
    date_key = keys[date_index] if date_index is not None else None
    day = record[date_key] if date_key is not None else ""
    if not isinstance(day, str):
        raise InputError(path, f"record {date_key!r} must be text (YYYY-MM-DD), got {day!r}", line=line)
    return RawRow(time=values[0], text=values[1], line=line, date=day.strip())


def _record_lines(text: str, count: int, key: str = "events") -> list[int]:
    """Best effort: the line where each record of the events array (under `key` in an object) starts (text is
    valid JSON)."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if text[position] == "{":
        position = _events_value_position(text, position, decoder, key)
    starts: list[int] = []
    position = _skip_space(text, position + 1)
    while len(starts) < count and text[position] != "]":
        starts.append(text.count("\n", 0, position) + 1)
        _, end = decoder.raw_decode(text, position)
        position = _skip_space(text, end)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    return starts


def _events_value_position(text: str, position: int, decoder: json.JSONDecoder, wanted: str) -> int:
    """Position of the (last) `wanted` value inside the top-level object starting at `position`."""
    found = position
    position = _skip_space(text, position + 1)
    while text[position] != "}":
        key, end = decoder.raw_decode(text, position)
        position = _skip_space(text, _skip_space(text, end) + 1)
        if key == wanted:
            found = position
        _, end = decoder.raw_decode(text, position)
        position = _skip_space(text, end)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    return found


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n\r":
        position += 1
    return position


PARSERS = {"markdown": _parse_markdown, "csv": _parse_csv, "json": _parse_json}


# ---------------------------------------------------------------- times


def _resolve(rows: list[RawRow], path: Path, day: date | None, tz: str | None) -> list[TimelineEvent]:
    """Give each row its UTC time in file order (midnight rollover) and its ID T1..Tn."""
    try:
        resolver = ClockResolver(day, tz)
    except TimeFormatError as exc:
        raise ConfigError("timezone", str(exc)) from exc
    events = []
    for number, row in enumerate(rows, start=1):
        time_text = _clean_time(row.time)
        try:
            when = resolver.resolve(_dated(row.date, time_text) if row.date else time_text)
        except (ValueError, OverflowError) as exc:
            raise _time_error(path, row, time_text, resolver, exc) from exc
        _reject_skipped_clock(path, row, time_text, when, resolver)
        events.append(TimelineEvent(id=f"T{number}", time=when, text=row.text, raw_time=row.time, line=row.line))
    return events


def _clean_time(raw: str) -> str:
    """The readable part of a time cell: no emphasis, no "~" (approximate), the start of a range."""
    text = raw.strip().strip("*_`").strip()
    text = APPROXIMATE_RE.sub("", text).rstrip("~").strip()
    text = RANGE_SPLIT_RE.split(text, maxsplit=1)[0].strip()
    return ONE_DIGIT_HOUR_RE.sub(r"\g<1>0\2", text)


def _dated(day_text: str, time_text: str) -> str:
    """ "2024-03-05" + "14:02 +01:00" -> "2024-03-05T14:02:00+01:00"; a full timestamp is left alone."""
    if looks_like_full_timestamp(time_text):
        return time_text
    clock, offset = parse_clock(time_text)
    try:
        day = date.fromisoformat(day_text.strip().strip("*_`").strip())
    except ValueError as exc:
        raise TimeFormatError(f"cannot read date {day_text!r} (expected YYYY-MM-DD)") from exc
    moment = datetime.combine(day, clock, tzinfo=offset)
    return moment.isoformat()


def _time_error(path: Path, row: RawRow, time_text: str, resolver: ClockResolver, exc: Exception) -> InputError:
    if resolver.day is None and not row.date and not looks_like_full_timestamp(time_text) and _is_clock(time_text):
        return InputError(path, f"time {time_text!r} has no date", line=row.line, hint=NO_DATE_HINT)
    reason = str(exc) if isinstance(exc, TimeFormatError) else f"cannot read time {time_text!r}: {exc}"
    return InputError(path, reason, line=row.line, hint=TIME_HINT)


def _is_clock(text: str) -> bool:
    try:
        parse_clock(text)
    except TimeFormatError:
        return False
    return True


def _reject_skipped_clock(path: Path, row: RawRow, time_text: str, when: datetime, resolver: ClockResolver) -> None:
    """A wall-clock time that a DST change skips (02:30 on a spring-forward day) did not happen."""
    if looks_like_full_timestamp(time_text) or not isinstance(resolver.tzinfo, ZoneInfo):
        return
    clock, offset = parse_clock(time_text)
    if offset is None and when.astimezone(resolver.tzinfo).time() != clock:
        raise InputError(
            path,
            f"time {time_text!r} does not exist in {resolver.tzinfo.key} on that day (DST change)",
            line=row.line,
            hint="write the time with its UTC offset, e.g. 03:30 +02:00",
        )
