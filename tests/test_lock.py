"""The timeline lock: round trip, cosmetic edits keep it, real edits break it with the right sentences."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipeline.errors import InputError, LockMismatchError
from pipeline.ingest.lock import check_lock, lock_path_for, write_lock
from pipeline.ingest.timeline import load_timeline
from pipeline.models import LockedTimeline

DAY = date(2024, 3, 5)

ROWS = [
    ("14:02", "Deploy of checkout v42 started"),
    ("14:05", "Error rate alert fired"),
    ("14:09", "Incident declared SEV-2"),
    ("14:20", "Rollback completed"),
]


def markdown(rows: list[tuple[str, str]], *, padded: bool = False) -> str:
    if padded:
        body = "".join(f"|   {time}   |     {text}     |\n" for time, text in rows)
        return f"# Timeline\n\nNotes.\n\n|  Time   |   Event   |\n| :---- | :------------ |\n{body}\nEnd.\n"
    body = "".join(f"| {time} | {text} |\n" for time, text in rows)
    return f"| Time | Event |\n|---|---|\n{body}"


def load(path: Path, rows: list[tuple[str, str]], **kwargs) -> LockedTimeline:
    path.write_text(markdown(rows, **kwargs), encoding="utf-8")
    return load_timeline(path, day=DAY, tz="Europe/Berlin")


def mismatch(path: Path, rows: list[tuple[str, str]]) -> LockMismatchError:
    write_lock(load(path, ROWS))
    with pytest.raises(LockMismatchError) as info:
        check_lock(load(path, rows))
    return info.value


def test_lock_path_is_next_to_the_timeline() -> None:
    assert lock_path_for(Path("inc/timeline.md")) == Path("inc/timeline.md.lock.json")


def test_write_then_check_round_trip(tmp_path: Path) -> None:
    timeline = load(tmp_path / "timeline.md", ROWS)
    lock_path = write_lock(timeline, timezone="Europe/Berlin")
    content = json.loads(lock_path.read_text(encoding="utf-8"))
    checked = check_lock(timeline)

    assert lock_path == tmp_path / "timeline.md.lock.json"
    assert set(content) == {"format_version", "timeline", "sha256", "locked_at", "timezone", "events"}
    assert content["timezone"] == "Europe/Berlin"
    assert (content["timeline"], content["sha256"]) == ("timeline.md", timeline.sha256)
    assert content["locked_at"].endswith("+00:00")
    assert content["events"][0] == {"id": "T1", "time": "2024-03-05T13:02:00+00:00", "text": ROWS[0][1]}
    assert checked.lock_status == "locked" and timeline.lock_status == "unlocked"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timeline.md", "timeline.md.lock.json"]


def test_no_lock_file_means_unlocked(tmp_path: Path) -> None:
    assert check_lock(load(tmp_path / "timeline.md", ROWS)).lock_status == "unlocked"


def test_cosmetic_reformat_keeps_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "timeline.md"
    write_lock(load(path, ROWS))
    reformatted = [(time, text.replace(" ", "  ")) for time, text in ROWS]

    assert check_lock(load(path, reformatted, padded=True)).lock_status == "locked"


def test_same_events_in_another_notation_hash_the_same(tmp_path: Path) -> None:
    md = load(tmp_path / "a.md", ROWS)
    csv_path = tmp_path / "a.csv"
    csv_path.write_text(
        "timestamp,description\n" + "".join(f"2024-03-05T{t}:00+01:00,{x}\n" for t, x in ROWS), encoding="utf-8"
    )

    assert load_timeline(csv_path).sha256 == md.sha256


@pytest.mark.parametrize(
    "edit",
    [
        lambda rows: [rows[0], ("14:06", rows[1][1]), *rows[2:]],
        lambda rows: [rows[0], (rows[1][0], rows[1][1] + "!"), *rows[2:]],
        lambda rows: [rows[1], rows[0], *rows[2:]],
        lambda rows: rows[:-1],
    ],
    ids=["time", "text", "order", "removed"],
)
def test_any_real_change_changes_the_hash(tmp_path: Path, edit) -> None:
    assert load(tmp_path / "t.md", edit(ROWS)).sha256 != load(tmp_path / "t.md", ROWS).sha256


def test_text_change_is_refused_with_old_and_new_text(tmp_path: Path) -> None:
    rows = [*ROWS[:2], ("14:09", "Incident declared SEV-1"), ROWS[3]]
    error = mismatch(tmp_path / "timeline.md", rows)

    assert error.changes == ["T3 text changed: 'Incident declared SEV-2' -> 'Incident declared SEV-1'"]
    assert "timeline does not match its lock" in str(error)
    assert f"postmortem lock {tmp_path / 'timeline.md'}" in error.hint


def test_time_change_is_refused_in_utc(tmp_path: Path) -> None:
    rows = [*ROWS[:3], ("14:22", ROWS[3][1])]

    assert mismatch(tmp_path / "timeline.md", rows).changes == ["T4 time changed: 13:20 -> 13:22 UTC"]


def test_time_change_across_days_shows_dates(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("time,event\n2024-03-05T23:50:00Z,A\n", encoding="utf-8")
    write_lock(load_timeline(path))
    path.write_text("time,event\n2024-03-06T00:10:00Z,A\n", encoding="utf-8")

    with pytest.raises(LockMismatchError) as info:
        check_lock(load_timeline(path))
    assert info.value.changes == ["T1 time changed: 2024-03-05 23:50 -> 2024-03-06 00:10 UTC"]


def test_inserted_row_is_one_addition_not_a_cascade(tmp_path: Path) -> None:
    rows = [*ROWS[:2], ("14:07", "Status page updated"), *ROWS[2:]]

    assert mismatch(tmp_path / "timeline.md", rows).changes == ["T3 added: 'Status page updated'"]


def test_removed_row_uses_its_locked_id(tmp_path: Path) -> None:
    rows = [ROWS[0], *ROWS[2:]]

    assert mismatch(tmp_path / "timeline.md", rows).changes == ["T2 removed: 'Error rate alert fired'"]


def test_moved_row_is_reported_as_a_move(tmp_path: Path) -> None:
    rows = [ROWS[0], ROWS[2], ROWS[3], ROWS[1]]

    assert mismatch(tmp_path / "timeline.md", rows).changes == ["T2 moved to T4: 'Error rate alert fired'"]


def test_several_changes_are_all_listed(tmp_path: Path) -> None:
    rows = [("14:03", ROWS[0][1]), ROWS[1], ("14:09", "Declared"), ROWS[3], ("14:30", "All clear")]
    changes = mismatch(tmp_path / "timeline.md", rows).changes

    assert changes == [
        "T1 time changed: 13:02 -> 13:03 UTC",
        "T3 text changed: 'Incident declared SEV-2' -> 'Declared'",
        "T5 added: 'All clear'",
    ]


def test_long_text_is_shortened_in_the_sentence(tmp_path: Path) -> None:
    rows = [*ROWS, ("14:30", "word " * 40)]
    (sentence,) = mismatch(tmp_path / "timeline.md", rows).changes

    assert sentence.startswith("T5 added: 'word word") and sentence.endswith("…'") and len(sentence) < 100


# ---------------------------------------------------------------- broken lock files


def _locked(tmp_path: Path) -> tuple[LockedTimeline, Path, dict]:
    timeline = load(tmp_path / "timeline.md", ROWS)
    lock_path = write_lock(timeline)
    return timeline, lock_path, json.loads(lock_path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("corrupt", "fragment"),
    [
        (lambda d: d.pop("sha256"), "sha256: Field required"),
        (lambda d: d["events"][0].update(time=1709643720), "events.0.time"),
        (lambda d: d.update(events="T1"), "events: Input should be a valid array"),
        (lambda d: d.update(format_version=2), "format_version"),
        (lambda d: d["events"][1].update(text="edited by hand"), "does not match its own events"),
        (lambda d: d["events"][0].update(time="2024-03-05T13:02:00"), "events.0.time"),
    ],
    ids=["missing-sha", "number-time", "events-not-list", "future-version", "edited-events", "naive-time"],
)
def test_broken_lock_file_is_an_input_error_naming_it(tmp_path: Path, corrupt, fragment: str) -> None:
    timeline, lock_path, data = _locked(tmp_path)
    corrupt(data)
    lock_path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    with pytest.raises(InputError) as info:
        check_lock(timeline)
    assert info.value.path == lock_path
    assert fragment in str(info.value)
    assert "postmortem lock" in info.value.hint


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [('{\n  "sha256": "ab",\n  oops\n}', 3, "not valid JSON"), ("", None, "empty"), ("[1, 2]", None, "broken lock")],
)
def test_unparseable_lock_file_names_file_and_line(
    tmp_path: Path, content: str, line: int | None, fragment: str
) -> None:
    timeline, lock_path, _ = _locked(tmp_path)
    lock_path.write_text(content, encoding="utf-8")

    with pytest.raises(InputError) as info:
        check_lock(timeline)
    assert (info.value.path, info.value.line) == (lock_path, line)
    assert fragment in str(info.value)


# ---------------------------------------------------------------- CLI


def test_cli_lock_writes_the_lock_and_reports_bad_input(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    path = tmp_path / "timeline.md"
    path.write_text(markdown(ROWS), encoding="utf-8")
    (tmp_path / "incident.toml").write_text('date = 2024-03-05\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["lock", str(path)])

    assert ok.exit_code == 0, ok.output
    assert "locked 4 events" in ok.output
    assert check_lock(load_timeline(path, day=DAY, tz="Europe/Berlin")).lock_status == "locked"

    path.write_text(markdown([*ROWS, ("25:99", "bad")]), encoding="utf-8")
    bad = runner.invoke(app, ["lock", str(path)])
    assert bad.exit_code == 2
    assert f"error: {path}:7: cannot read time '25:99'" in bad.stderr


def test_removal_next_to_an_edit_is_attributed_to_the_right_rows(tmp_path: Path) -> None:
    rows = [ROWS[0], ("14:09", "Incident declared SEV-1"), ROWS[3]]

    assert mismatch(tmp_path / "timeline.md", rows).changes == [
        "T2 (was T3) text changed: 'Incident declared SEV-2' -> 'Incident declared SEV-1'",
        "T2 removed: 'Error rate alert fired'",
    ]


def test_failed_write_is_an_input_error_and_leaves_no_temp_file(tmp_path: Path, monkeypatch) -> None:
    timeline = load(tmp_path / "timeline.md", ROWS)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pipeline.output.os.replace", refuse)  # the shared atomic writer
    with pytest.raises(InputError, match="cannot write the lock file: Permission denied"):
        write_lock(timeline)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timeline.md"]


def test_cli_lock_prints_the_zone_it_read_clock_times_in(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    path = tmp_path / "timeline.md"
    path.write_text(markdown(ROWS), encoding="utf-8")
    (tmp_path / "incident.toml").write_text("date = 2024-03-05\n", encoding="utf-8")
    assumed = CliRunner().invoke(app, ["lock", str(path)])
    assert assumed.exit_code == 0 and "clock times read as UTC: no timezone in incident.toml" in assumed.output
    assert json.loads(lock_path_for(path).read_text(encoding="utf-8"))["timezone"] == "UTC"
    given = CliRunner().invoke(app, ["lock", str(path), "--tz", "Europe/Berlin"])
    assert given.exit_code == 0 and "clock times read in Europe/Berlin" in given.output


@pytest.mark.parametrize("recorded", [True, False])
def test_a_zone_added_after_the_lock_is_named_as_a_zone_change_not_as_edited_rows(tmp_path: Path, recorded) -> None:
    from pipeline.errors import LockZoneError
    from pipeline.ingest.incident import load_incident

    path = tmp_path / "timeline.md"
    path.write_text(markdown(ROWS), encoding="utf-8")
    (tmp_path / "incident.toml").write_text("date = 2024-03-05\n", encoding="utf-8")
    lock = write_lock(load_timeline(path, day=DAY))
    if not recorded:  # a lock written before locks kept their zone
        content = json.loads(lock.read_text(encoding="utf-8"))
        del content["timezone"]
        lock.write_text(json.dumps(content), encoding="utf-8")
    assert load_incident(tmp_path)[0].timeline.lock_status == "locked"
    (tmp_path / "incident.toml").write_text('date = 2024-03-05\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    with pytest.raises(LockZoneError) as info:
        load_incident(tmp_path)
    message = info.value.user_message()
    assert "rows are unchanged" in message and "as UTC" in message and "read as Europe/Berlin" in message
    assert "postmortem lock" in message and "--tz UTC" in message
    path.write_text(markdown([*ROWS[:3], ("14:21", "Rollback completed")]), encoding="utf-8")
    with pytest.raises(LockMismatchError):  # a real edit is still reported as one
        load_incident(tmp_path)
