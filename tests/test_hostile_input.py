"""Hostile content in notes, postmortems and chat: lines built to make regular expressions backtrack
(tens of thousands of brackets, backticks, tags, dates, word characters...). Each used to take minutes to
hours somewhere in the pipeline (quadratic or worse); now each is linear.

The timeout is a generous guard against a regression to super-linear matching, not a speed target
(those live in benchmarks/).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from support import EXAMPLES

UNITS = {
    "brackets": "[",
    "backticks": "`",
    "tags": "<a ",
    "dates": "2020-01-",
    "pipes": "|",
    "parens": "(",
    "emails": "a@",
    "urls": "http://",
    "clock": "10:00 ",
    "severity": "sev-1 ",
    "bold": "**",
    "underscores": "_a",
    "quotes": "'",
    "dashes": "- ",
    "hashes": "#",
    "words": "Ab ",
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
    return subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backfill_reads_a_hostile_note_in_linear_time(hostile_note, tmp_path):
    result = run("backfill", str(hostile_note), "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "1 written" in result.stdout


def test_check_reads_a_hostile_note_in_linear_time(hostile_note):
    result = run("check", str(hostile_note))
    assert result.returncode in (0, 1), result.stderr


def test_the_library_parses_a_hostile_postmortem_in_linear_time(hostile_note):
    code = (
        "from pathlib import Path; from pipeline.similar.documents import load_document; import sys; "
        "print(len(load_document(Path(sys.argv[1])).chunks))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(hostile_note)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and int(result.stdout) > 100, result.stderr


def test_draft_reads_a_hostile_chat_in_linear_time(tmp_path):
    incident = tmp_path / "incident"
    shutil.copytree(EXAMPLES / "checkout-api", incident)
    with open(incident / "chat.txt", "a", encoding="utf-8") as chat:
        for unit in UNITS.values():
            chat.write(f"Dana Lee [12:30]: {unit * 20_000}\n")
    result = run("draft", str(incident), "-o", str(tmp_path / "draft.md"), "--no-similar")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "draft.md").read_text(encoding="utf-8").startswith("# ")
