"""Hostile note content: lines built to make regular expressions backtrack (100,000s of brackets,
backticks, tags, dates...). Each used to take minutes to hours (quadratic or worse); now each is linear.

The timeout is a generous guard against a regression to super-linear matching, not a speed target
(those live in benchmarks/).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

UNITS = {
    "brackets": "[", "backticks": "`", "tags": "<a ", "dates": "2020-01-", "pipes": "|", "parens": "(",
    "emails": "a@", "urls": "http://", "clock": "10:00 ", "severity": "sev-1 ", "bold": "**", "underscores": "_a",
}
REPEAT = 40_000


@pytest.fixture(scope="module")
def hostile_note(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    lines = ["# Hostile note", "", "## Summary", ""]
    for unit in UNITS.values():
        lines += [unit * REPEAT, ""]
    lines += ["## Timeline", "", "- 10:00 " + "[" * REPEAT, "", "## Action items", "", "- [ ] " + "`" * REPEAT]
    note = folder / "hostile.md"
    note.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return note


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)


def test_backfill_reads_a_hostile_note_in_linear_time(hostile_note, tmp_path):
    result = run("backfill", str(hostile_note), "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "1 written" in result.stdout


def test_check_reads_a_hostile_note_in_linear_time(hostile_note):
    result = run("check", str(hostile_note))
    assert result.returncode in (0, 1), result.stderr
