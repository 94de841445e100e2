"""Timeline ingest: three formats, header synonyms, times to UTC, and one clear error per bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import ConfigError, InputError
from pipeline.ingest.lock import timeline_sha256
from pipeline.ingest.markdown_table import find_tables, split_row
from pipeline.ingest.timeline import load_timeline
from pipeline.models import LockedTimeline

DAY = date(2024, 3, 5)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        load_timeline(path, **kwargs)
    return info.value


MARKDOWN = """# Checkout outage timeline

Times are local (Berlin). Notes below the table are ignored.

| Time | Event |
|------|-------|
| 14:02 | Deploy of checkout v42 started |
| 14:05 | Error rate alert fired |
| 14:20 | Rollback completed |

Scribe: someone.
"""


# ---------------------------------------------------------------- markdown


def test_markdown_table_rows_become_events_with_ids_lines_and_utc(tmp_path: Path) -> None:
    timeline = load_timeline(write(tmp_path, "timeline.md", MARKDOWN), day=DAY, tz="Europe/Berlin")

    assert timeline.format == "markdown"
    assert [e.id for e in timeline.events] == ["T1", "T2", "T3"]
    assert [e.line for e in timeline.events] == [7, 8, 9]
    assert [e.raw_time for e in timeline.events] == ["14:02", "14:05", "14:20"]
    assert timeline.events[0].text == "Deploy of checkout v42 started"
    assert timeline.events[0].time == utc(2024, 3, 5, 13, 2)  # CET is UTC+1 in March before the change
    assert timeline.sha256 == timeline_sha256(timeline.events)
    assert timeline.lock_status == "unlocked"


@pytest.mark.parametrize(
    ("time_header", "event_header"),
    [("Time", "Event"), ("Timestamp", "Description"), ("When", "What happened"), ("**Time (UTC)**", "EVENT")],
)
def test_markdown_header_synonyms(tmp_path: Path, time_header: str, event_header: str) -> None:
    text = f"| {time_header} | {event_header} |\n| --- | --- |\n| 09:15 | Pager fired |\n"
    timeline = load_timeline(write(tmp_path, "t.md", text), day=DAY)

    assert [(e.time, e.text) for e in timeline.events] == [(utc(2024, 3, 5, 9, 15), "Pager fired")]


def test_markdown_escaped_pipes_and_inline_code_stay_in_the_cell(tmp_path: Path) -> None:
    text = "| Time | Event |\n|:--|--:|\n| 10:00 | Ran `kubectl get pods \\| grep api` and saw a \\| b |\n"
    event = load_timeline(write(tmp_path, "t.md", text), day=DAY).events[0]

    assert event.text == "Ran `kubectl get pods | grep api` and saw a | b"


def test_markdown_without_outer_pipes_is_a_table(tmp_path: Path) -> None:
    text = "Time | Event\n--- | ---\n10:00 | Started\n10:05 | Ended\n"

    assert [e.text for e in load_timeline(write(tmp_path, "t.md", text), day=DAY).events] == ["Started", "Ended"]


def test_markdown_extra_columns_are_appended_to_the_text(tmp_path: Path) -> None:
    text = "| Time | Event | Owner | Source |\n|---|---|---|---|\n| 10:00 | Rolled back | IC | |\n"
    event = load_timeline(write(tmp_path, "t.md", text), day=DAY).events[0]

    assert event.text == "Rolled back; Owner: IC"


def test_markdown_skips_unrelated_tables_and_fenced_code(tmp_path: Path) -> None:
    text = (
        "| Field | Value |\n|---|---|\n| Severity | SEV-2 |\n\n"
        "```\n| Time | Event |\n|---|---|\n| 01:00 | inside a code block |\n```\n\n"
        "| Time | Event |\n|---|---|\n| 10:00 | The real row |\n"
    )
    timeline = load_timeline(write(tmp_path, "t.md", text), day=DAY)

    assert [(e.text, e.line) for e in timeline.events] == [("The real row", 13)]


def test_markdown_blank_rows_are_skipped_and_ids_stay_dense(tmp_path: Path) -> None:
    text = "| Time | Event |\n|---|---|\n| 10:00 | A |\n|  |  |\n| 10:01 | B |\n"
    timeline = load_timeline(write(tmp_path, "t.md", text), day=DAY)

    assert [(e.id, e.text, e.line) for e in timeline.events] == [("T1", "A", 3), ("T2", "B", 5)]


def test_split_row_keeps_escaped_trailing_pipe() -> None:
    assert split_row("| a | b \\|") == ["a", "b |"]
    assert split_row("a|b") == ["a", "b"]


def test_find_tables_needs_matching_delimiter_row() -> None:
    assert find_tables("| a | b |\n| --- |\n| 1 | 2 |\n") == []
    assert [t.header.line for t in find_tables("x\n| a | b |\n|---|---|\n")] == [2]


# ---------------------------------------------------------------- CSV and JSON


def test_csv_with_iso_timestamps_and_clock_times(tmp_path: Path) -> None:
    text = 'time,event\n2024-03-05T14:02:00+01:00,"Deploy started, canary 5%"\n14:10,Alert fired\n'
    timeline = load_timeline(write(tmp_path, "timeline.csv", text), day=DAY, tz="Europe/Berlin")

    assert timeline.format == "csv"
    assert [(e.id, e.time, e.text, e.line) for e in timeline.events] == [
        ("T1", utc(2024, 3, 5, 13, 2), "Deploy started, canary 5%", 2),
        ("T2", utc(2024, 3, 5, 13, 10), "Alert fired", 3),
    ]


def test_csv_header_synonyms_extra_columns_and_multiline_cells(tmp_path: Path) -> None:
    text = 'When,Owner,Description\n10:00,ops,"First line\nsecond line"\n10:05,,Closed\n'
    timeline = load_timeline(write(tmp_path, "t.csv", text), day=DAY)

    assert [(e.text, e.line) for e in timeline.events] == [("First line\nsecond line; Owner: ops", 2), ("Closed", 4)]


def test_json_list_and_events_object_with_record_lines(tmp_path: Path) -> None:
    records = [{"time": "2024-03-05T10:00:00Z", "event": "Started"}, {"time": "10:30", "event": "Ended", "id": 9}]
    as_list = load_timeline(write(tmp_path, "a.json", json.dumps(records, indent=2)), day=DAY)
    as_object = load_timeline(write(tmp_path, "b.json", json.dumps({"incident": "x", "events": records}, indent=2)))

    for timeline in (as_list, as_object):
        assert timeline.format == "json"
        assert [(e.id, e.time, e.text) for e in timeline.events] == [
            ("T1", utc(2024, 3, 5, 10), "Started"),
            ("T2", utc(2024, 3, 5, 10, 30), "Ended"),
        ]
    assert [e.line for e in as_list.events] == [2, 6]
    assert [e.line for e in as_object.events] == [4, 8]


def test_json_compact_records_on_separate_lines(tmp_path: Path) -> None:
    text = '{"events": [\n{"when": "10:00", "description": "A"},\n\n{"when": "10:01", "text": "B"}]}'

    assert [e.line for e in load_timeline(write(tmp_path, "t.json", text), day=DAY).events] == [2, 4]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("timeline.txt", "| Time | Event |\n|---|---|\n| 10:00 | A |\n", "markdown"),
        ("timeline.txt", "time,event\n10:00,A\n", "csv"),
        ("timeline", '[{"time": "10:00", "event": "A"}]', "json"),
    ],
)
def test_format_detected_from_content_without_known_extension(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    assert load_timeline(write(tmp_path, name, text), day=DAY).format == expected


def test_fmt_overrides_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "timeline.md", "time,event\n10:00,A\n")

    assert load_timeline(path, day=DAY, fmt="csv").events[0].text == "A"
    with pytest.raises(ConfigError, match="unknown timeline format 'yaml'"):
        load_timeline(path, day=DAY, fmt="yaml")


# ---------------------------------------------------------------- times


def test_rows_crossing_midnight_go_to_the_next_day_in_order(tmp_path: Path) -> None:
    text = "| Time | Event |\n|---|---|\n| 23:58 | A |\n| 00:03 | B |\n| 00:10 | C |\n"
    times = [e.time for e in load_timeline(write(tmp_path, "t.md", text), day=DAY).events]

    assert times == [utc(2024, 3, 5, 23, 58), utc(2024, 3, 6, 0, 3), utc(2024, 3, 6, 0, 10)]


def test_berlin_winter_and_across_the_spring_dst_change(tmp_path: Path) -> None:
    text = "| Time | Event |\n|---|---|\n| 01:30 | before the change |\n| 03:10 | after the change |\n"
    times = [
        e.time for e in load_timeline(write(tmp_path, "t.md", text), day=date(2024, 3, 31), tz="Europe/Berlin").events
    ]

    assert times == [utc(2024, 3, 31, 0, 30), utc(2024, 3, 31, 1, 10)]  # +01:00 then +02:00


def test_berlin_autumn_dst_change_and_midnight(tmp_path: Path) -> None:
    text = "| Time | Event |\n|---|---|\n| 23:50 | A |\n| 00:20 | B |\n| 04:00 | C |\n"
    times = [
        e.time for e in load_timeline(write(tmp_path, "t.md", text), day=date(2024, 10, 26), tz="Europe/Berlin").events
    ]

    assert times == [utc(2024, 10, 26, 21, 50), utc(2024, 10, 26, 22, 20), utc(2024, 10, 27, 3, 0)]


def test_clock_time_skipped_by_dst_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.md", "| Time | Event |\n|---|---|\n| 01:50 | A |\n| 02:30 | B |\n")
    error = load_error(path, day=date(2024, 3, 31), tz="Europe/Berlin")

    assert error.line == 4
    assert "'02:30' does not exist in Europe/Berlin" in str(error)


def test_explicit_offsets_are_honoured_over_the_zone(tmp_path: Path) -> None:
    text = "| Time | Event |\n|---|---|\n| 14:00 +05:30 | A |\n| 14:00Z | B |\n| 2024-03-05T20:00:00-05:00 | C |\n"
    times = [e.time for e in load_timeline(write(tmp_path, "t.md", text), day=DAY, tz="Europe/Berlin").events]

    assert times == [utc(2024, 3, 5, 8, 30), utc(2024, 3, 5, 14, 0), utc(2024, 3, 6, 1, 0)]


def test_raw_time_keeps_the_cell_as_written(tmp_path: Path) -> None:
    text = "| Time | Event |\n|---|---|\n| **2:05 PM** | A |\n"
    event = load_timeline(write(tmp_path, "t.md", text), day=DAY).events[0]

    assert (event.raw_time, event.time) == ("**2:05 PM**", utc(2024, 3, 5, 14, 5))


def test_unknown_zone_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        load_timeline(write(tmp_path, "t.md", MARKDOWN), day=DAY, tz="Mars/Olympus")


# ---------------------------------------------------------------- bad input: file and line named


def test_unreadable_time_names_file_line_and_value(tmp_path: Path) -> None:
    text = "# T\n\n| Time | Event |\n|---|---|\n| 14:00 | ok |\n| 14:01 | ok |\n| 25:99 | bad |\n"
    path = write(tmp_path, "t.md", text)
    error = load_error(path, day=DAY)

    assert str(error).startswith(f"error: {path}:7: cannot read time '25:99'")
    assert "HH:MM" in error.hint


def test_clock_time_without_a_date_hints_at_incident_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "time,event\n14:00,A\n")
    error = load_error(path)

    assert (error.path, error.line) == (path, 2)
    assert "'14:00' has no date" in str(error)
    assert "incident.toml" in error.hint and "--date" in error.hint


@pytest.mark.parametrize(
    ("name", "text", "line", "fragment"),
    [
        ("t.md", "# Notes\n\nNo table here.\n", None, "no timeline table found"),
        ("t.md", "intro\n\n| Time | Event |\n|---|---|\n\nafter\n", 3, "table has no rows"),
        ("t.md", "| When | Who |\n|---|---|\n| 10:00 | x |\n", 1, "no event column"),
        ("t.md", "| Owner | Event |\n|---|---|\n| x | y |\n", 1, "no time column"),
        ("t.md", "| Time | Event |\n|---|---|\n| 10:00 | a | b |\n", 3, "row has 3 cells but the header has 2"),
        ("t.md", "| Time | Event |\n|---|---|\n| 10:00 | a |\n|  | orphan |\n", 4, "row has no time"),
        ("t.md", "| Time | Event |\n|---|---|\n| 10:00 |  |\n", 3, "has no event text"),
        ("t.csv", "\ntime,event\n", 2, "has no rows"),
        ("t.csv", "time,colour\n10:00,a\n", 1, "no event column"),
        ("t.csv", "time,event\n10:00,a,b\n", 2, "row has 3 cells"),
        ("t.csv", 'time,event\n10:00,"a\n', 2, "cannot read CSV"),
        ("t.json", '[\n  {"time": "10:00",\n   "event": "a"},\n  {"time": "10:01" "event": "b"}\n]', 4, "invalid JSON"),
        ("t.json", "[]", 1, "no events"),
        ("t.json", '{"items": []}', 1, 'no "events" list'),
        ("t.json", '"just text"', 1, "top level is a str"),
        ("t.json", '[\n {"time": "10:00", "event": "a"},\n "oops"\n]', 3, "record is a str"),
        ("t.json", '[\n {"time": "10:00", "event": "a"},\n {"time": "10:01"}\n]', 3, "no 'event' key"),
        ("t.json", '[\n {"time": 1700000000, "event": "a"}\n]', 2, "must be non-empty text"),
        ("timeline.txt", "just some prose\n", None, "cannot tell the timeline format"),
    ],
)
def test_bad_input_is_one_input_error_with_file_and_line(
    tmp_path: Path, name: str, text: str, line: int | None, fragment: str
) -> None:
    path = write(tmp_path, name, text)
    error = load_error(path, day=DAY)

    assert error.path == path
    assert error.line == line
    assert fragment in str(error)
    assert str(error).startswith(f"error: {path}:{line}:" if line else f"error: {path}:")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"\xff\xfe1\x002\x00", "UTF-16"),
        (b"time,event\n10:00,caf\xe9\n", "not valid UTF-8"),
        (b"ab\x00cd", "binary"),
    ],
)
def test_unreadable_files_are_input_errors(tmp_path: Path, data: bytes, fragment: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(data)

    assert fragment in str(load_error(path, day=DAY))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    assert "not found" in str(load_error(tmp_path / "nope.md", day=DAY))


# ---------------------------------------------------------------- fuzz: never another exception

_fuzz_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            [
                "| Time | Event |",
                "|---|---|",
                "| 10:00 | a |",
                "| 23:59 | b \\| c |",
                "|  | x |",
                "time,event",
                "10:00,a",
                '"x',
                "[",
                "{",
                '"events"',
                ":",
                "]",
                "}",
                ",",
                "00:01",
                "2024-03-05T10:00Z",
                "9999-12-31T23:59:00Z",
                "\n",
                "25:99",
                "2:30 PM",
                "| Date | Time | Event |",
                "|---|---|---|",
                "| 2024-03-05 | 10:00 | a |",
                "| 0001-01-01 | 00:00 | x |",
                "date,time,event",
                "9999-12-31,23:59,a",
            ]
        ),
        max_size=30,
    ).map("\n".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    suffix=st.sampled_from([".md", ".csv", ".json", ".txt"]), text=_fuzz_text, raw=st.none() | st.binary(max_size=200)
)
def test_fuzz_any_content_loads_or_raises_input_error(
    tmp_path: Path, suffix: str, text: str, raw: bytes | None
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(raw if raw is not None else text.encode("utf-8"))
    try:
        result = load_timeline(path, day=DAY, tz="Europe/Berlin")
    except InputError as error:
        assert str(error).startswith(f"error: {path}")
    else:
        assert isinstance(result, LockedTimeline) and result.events
        assert [e.id for e in result.events] == [f"T{n}" for n in range(1, len(result.events) + 1)]


def test_date_column_dates_its_rows_and_empty_cells_continue(tmp_path: Path) -> None:
    text = (
        "| Date | Time | Event |\n|---|---|---|\n| 2024-03-05 | 23:50 | A |\n|  | 00:10 | B |\n"
        "| 2024-03-07 | 09:00 +02:00 | C |\n| `2024-03-08` | 2:05 PM | D |\n"
    )
    timeline = load_timeline(write(tmp_path, "t.md", text), tz="Europe/Berlin")

    assert [(e.time, e.text, e.raw_time) for e in timeline.events] == [
        (utc(2024, 3, 5, 22, 50), "A", "23:50"),
        (utc(2024, 3, 5, 23, 10), "B", "00:10"),
        (utc(2024, 3, 7, 7, 0), "C", "09:00 +02:00"),
        (utc(2024, 3, 8, 13, 5), "D", "2:05 PM"),
    ]


def test_date_key_in_json_and_bad_date_cell(tmp_path: Path) -> None:
    good = '[{"date": "2024-03-31", "time": "03:10", "event": "A"}]'
    bad = "date,time,event\n2024-03-05,10:00,A\n05/03/2024,10:05,B\n"

    assert load_timeline(write(tmp_path, "t.json", good), tz="Europe/Berlin").events[0].time == utc(2024, 3, 31, 1, 10)
    error = load_error(write(tmp_path, "t.csv", bad))
    assert error.line == 3 and "cannot read date '05/03/2024'" in str(error)


def test_full_timestamp_with_space_and_utc_suffix_in_a_table(tmp_path: Path) -> None:
    text = "| Time | Event |\n|---|---|\n| 2024-03-05 14:02 UTC | A |\n| 14:10 | B |\n"
    times = [e.time for e in load_timeline(write(tmp_path, "t.md", text), tz="Europe/Berlin").events]

    assert times == [utc(2024, 3, 5, 14, 2), utc(2024, 3, 5, 13, 10)]


def test_approximate_times_ranges_and_one_digit_hours_keep_raw_time(tmp_path: Path) -> None:
    text = (
        "| Time | Event |\n|---|---|\n| ~10:00 | A |\n| 10:05 - 10:30 | B |\n| 10:40–10:50 | C |\n"
        "| 2024-03-05 8:40 | D |\n| 10:45 -05:00 | E |\n"
    )
    events = load_timeline(write(tmp_path, "t.md", text), day=DAY).events

    assert [(e.raw_time, e.time) for e in events] == [
        ("~10:00", utc(2024, 3, 5, 10)),
        ("10:05 - 10:30", utc(2024, 3, 5, 10, 5)),
        ("10:40–10:50", utc(2024, 3, 5, 10, 40)),
        ("2024-03-05 8:40", utc(2024, 3, 5, 8, 40)),
        ("10:45 -05:00", utc(2024, 3, 5, 15, 45)),  # a negative offset, not a range
    ]


@pytest.mark.parametrize(
    ("header", "expected_text"),
    [
        ("| Date and Time in CET | Event |", "A"),
        ("| Timestamp | Note |", "A"),
        ("| Local time | Owner | Event log |", "A; Owner: x"),
    ],
)
def test_headers_containing_time_or_event_words(tmp_path: Path, header: str, expected_text: str) -> None:
    cells = header.count("|") - 1
    row = "| 10:00 | x | A |" if cells == 3 else "| 10:00 | A |"
    text = f"{header}\n{'|---' * cells}|\n{row}\n"

    assert load_timeline(write(tmp_path, "t.md", text), day=DAY).events[0].text == expected_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-05-14 9:05", "2024-05-14T09:05:00+00:00"),
        ("2024-05-14 9:05 UTC", "2024-05-14T09:05:00+00:00"),
        ("2024-05-14T23:59:30Z", "2024-05-14T23:59:30+00:00"),
    ],
)
def test_parse_timestamp_accepts_a_one_digit_hour_after_the_date(text, expected):
    from pipeline.ingest.times import parse_timestamp

    assert parse_timestamp(text, "UTC").isoformat() == expected


def test_parse_timestamp_still_rejects_an_hour_out_of_range():
    from pipeline.ingest.times import TimeFormatError, parse_timestamp

    with pytest.raises(TimeFormatError, match="99:05"):
        parse_timestamp("2024-05-14 99:05", "UTC")


LIST_TIMELINE = """# Timeline, download-api 429s (Warsaw time). Scribe: ana

Participants:
- Ana Costa
- Rosa Lima

- 14:02 UTC - Alert: 5xx rate above 2% on download-api
- 14:05 — Incident declared, rosa IC
  - OL: femi
- **14:20** Revert of PR #88 started;
  errors at 13%
1. 14:47: Purge finished
* 3:48 PM Incident resolved

Notes after the list are not rows.
"""


def test_a_list_timeline_gives_one_row_per_timed_item(tmp_path: Path) -> None:
    """Scribes often keep the timeline as a list ("- 14:02 UTC - alert fired"): each timed item is a row; a nested
    item or a wrapped line joins the row above; the list before it and the prose after it are not rows."""
    timeline = load_timeline(write(tmp_path, "t.md", LIST_TIMELINE), day=DAY, tz="Europe/Berlin")
    assert [(e.id, e.line) for e in timeline.events] == [("T1", 7), ("T2", 8), ("T3", 10), ("T4", 12), ("T5", 13)]
    assert [e.time for e in timeline.events] == [
        utc(2024, 3, 5, 14, 2),  # its own "UTC" wins over the incident's zone
        utc(2024, 3, 5, 13, 5),
        utc(2024, 3, 5, 13, 20),
        utc(2024, 3, 5, 13, 47),
        utc(2024, 3, 5, 14, 48),
    ]
    assert [e.text for e in timeline.events] == [
        "Alert: 5xx rate above 2% on download-api",
        "Incident declared, rosa IC; OL: femi",
        "Revert of PR #88 started; errors at 13%",
        "Purge finished",
        "Incident resolved",
    ]
    assert timeline.format == "markdown"


def test_a_list_item_without_a_time_is_an_error_on_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "t.md", "# T\n\n- 14:02 alert fired\n- then things got worse\n- 14:09 declared\n")
    error = load_error(path, day=DAY)
    assert error.line == 4 and "list item has no time" in error.reason


def test_a_list_with_one_timed_item_is_no_timeline(tmp_path: Path) -> None:
    path = write(tmp_path, "t.md", "# Notes\n\n- 14:02 someone pinged\n- we talked\n")
    assert "no timeline table found" in load_error(path, day=DAY).reason


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("t.md", "# Timeline\n\n14:02 - alert fired\n14:10 - rolled back\n\nWritten by the scribe.\n"),
        ("t.md", "**14:02** alert fired\n**14:10** rolled back\n"),
        ("timeline.txt", "14:02 alert fired, paged\n14:10 rolled back\n"),
        ("t.csv", 'when,what\n14:02,"alert fired, paged"\n14:10,rolled back\n'),
        (
            "t.json",
            '{"incident": "INC-9", "timeline": [{"at": "14:02", "summary": "alert fired, paged"}, '
            '{"at": "14:10", "summary": "rolled back"}]}',
        ),
    ],
)
def test_timeline_shapes_scribes_use_without_bullets_or_usual_names(tmp_path: Path, name: str, text: str) -> None:
    timeline = load_timeline(write(tmp_path, name, text), day=DAY)
    assert [e.time for e in timeline.events] == [utc(2024, 3, 5, 14, 2), utc(2024, 3, 5, 14, 10)]
    assert timeline.events[1].text == "rolled back"


def test_a_line_without_a_time_between_timed_lines_continues_the_row(tmp_path: Path) -> None:
    text = "Timeline (UTC)\n14:02 alert fired\n  paged the on-call\n14:10 rolled back\nThe end.\n"
    timeline = load_timeline(write(tmp_path, "timeline.txt", text), day=DAY)
    assert [(e.text, e.line) for e in timeline.events] == [("alert fired paged the on-call", 2), ("rolled back", 4)]


def test_a_json_object_with_two_lists_of_records_still_needs_events(tmp_path: Path) -> None:
    text = json.dumps({"timeline": [{"time": "10:00", "event": "A"}], "notes": [{"time": "10:01", "event": "B"}]})
    assert 'no "events" list' in load_error(write(tmp_path, "t.json", text), day=DAY).reason
