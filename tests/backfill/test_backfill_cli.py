"""`postmortem backfill` as a team runs it: records, reasons for what it cannot read, resume, shards, index."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.models import NoteRecord
from support import REPO_ROOT

NOTES = REPO_ROOT / "tests" / "fixtures" / "backfill" / "notes"
SUPPORTED = 7  # the fixture notes backfill can read; 3 more are reported (empty, latin-1, .pdf)
runner = CliRunner()


@pytest.fixture
def notes(tmp_path):
    target = tmp_path / "notes"
    shutil.copytree(NOTES, target)
    return target


def backfill(*args: str):
    return runner.invoke(app, ["backfill", *args, "--no-progress"])


def records(out):
    return {path.stem: NoteRecord.model_validate_json(path.read_text()) for path in (out / "records").glob("*.json")}


def manifest_rows(out):
    with sqlite3.connect(out / "manifest.sqlite") as db:
        return db.execute("SELECT relative, status, reason FROM notes ORDER BY relative").fetchall()


def test_every_note_gets_a_record_or_a_stated_reason(notes, tmp_path):
    out = tmp_path / "out"
    result = backfill(str(notes), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"{SUPPORTED} written, 0 unchanged, 3 failed" in result.output
    found = records(out)
    assert len(found) == SUPPORTED
    assert all((out / "records" / f"{note_id}.md").is_file() for note_id in found)
    rows = manifest_rows(out)
    assert len(rows) == SUPPORTED + 3
    reasons = {relative.rsplit("/", 1)[-1]: reason for relative, status, reason in rows if status == "failed"}
    assert reasons.keys() == {"empty.md", "latin1-note.txt", "scan.pdf"}
    assert "--encoding cp1252" in reasons["latin1-note.txt"] and "unsupported file type .pdf" in reasons["scan.pdf"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["processed"] == SUPPORTED and summary["failed"] == 3


def test_markdown_record_uses_our_template_and_cites_source_lines(notes, tmp_path):
    out = tmp_path / "out"
    backfill(str(notes), "--out", str(out))
    record = next(r for r in records(out).values() if r.source.endswith("2019-db-failover.md"))
    markdown = (out / "records" / f"{record.note_id}.md").read_text()
    assert markdown.startswith("# Orders database failover stalled checkout\n")
    for heading in (
        "## Executive Summary",
        "## Impact",
        "## Timeline",
        "## Contributing Factors",
        "## Action Items",
        "## Lessons Learned",
    ):
        assert heading in markdown
    assert "| Date | 2019-03-14 [L3] |" in markdown
    one_paragraph = next(r for r in records(out).values() if r.source.endswith("one-paragraph.txt"))
    assert "# Not recorded in source" in (out / "records" / f"{one_paragraph.note_id}.md").read_text()


def test_blameless_report_names_the_note_that_blames_a_person(notes, tmp_path):
    out = tmp_path / "out"
    result = backfill(str(notes), "--out", str(out))
    assert "blameless: 1 of 7 notes blame people" in result.output
    report = json.loads((out / "blameless-report.json").read_text())
    (blaming,) = [note for note in report["by_note"] if note["blames"]]
    assert blaming["source"].endswith("cert-expiry.txt")
    assert blaming["findings"][0]["rule_id"] == "BL001" and blaming["findings"][0]["line"] == 7
    assert "Dave forgot" in (out / "blameless-report.md").read_text()


def test_secrets_never_reach_records_or_the_library(notes, tmp_path):
    out = tmp_path / "out"
    store = tmp_path / "library"
    result = backfill(str(notes), "--out", str(out), "--index", "--store", str(store))
    assert result.exit_code == 0, result.output
    written = "".join(path.read_text() for path in (out / "records").iterdir())
    assert "wJalrXUtnFEMI" not in written and "hunter2secret" not in written
    assert "[REDACTED:" in written
    from pipeline.similar.store import LibraryStore, StoreConfig

    stored = LibraryStore.open(StoreConfig(path=store), create=False).collection.get(include=["documents"])
    assert stored["ids"] and not any("wJalrXUtnFEMI" in text or "hunter2secret" in text for text in stored["documents"])


def test_rerun_skips_unchanged_notes_and_a_changed_note_replaces_its_record_and_chunks(notes, tmp_path):
    out, store = tmp_path / "out", tmp_path / "library"
    assert backfill(str(notes), "--out", str(out), "--index", "--store", str(store)).exit_code == 0
    from pipeline.similar.store import LibraryStore, StoreConfig

    def chunks_of(note_id):
        collection = LibraryStore.open(StoreConfig(path=store), create=False).collection
        return collection.get(where={"incident_id": note_id}, include=["documents"])

    first = records(out)
    again = backfill(str(notes), "--out", str(out), "--index", "--store", str(store))
    assert f"0 written, {SUPPORTED} unchanged" in again.output and "0 chunks added, 0 removed" in again.output

    note = notes / "wiki" / "2019-db-failover.md"
    note.write_text(note.read_text().replace("41 minutes", "44 minutes"))
    changed = backfill(str(notes), "--out", str(out), "--index", "--store", str(store))
    assert f"1 written, {SUPPORTED - 1} unchanged" in changed.output
    after = records(out)
    assert after.keys() == first.keys()
    note_id = next(k for k, r in after.items() if r.source.endswith("2019-db-failover.md"))
    assert "44 minutes" in after[note_id].summary.value
    stored = chunks_of(note_id)["documents"]
    assert any("44 minutes" in text for text in stored) and not any("41 minutes" in text for text in stored)


def test_shards_split_the_batch_without_overlap(notes, tmp_path):
    seen = []
    for k in (1, 2):
        out = tmp_path / f"shard{k}"
        assert backfill(str(notes), "--out", str(out), "--shard", f"{k}/2").exit_code == 0
        seen.append({relative for relative, _, _ in manifest_rows(out)})
    assert seen[0] and seen[1] and not seen[0] & seen[1]
    assert len(seen[0] | seen[1]) == SUPPORTED + 3


def test_encoding_option_reads_old_windows_notes(notes, tmp_path):
    out = tmp_path / "out"
    result = backfill(str(notes / "wiki" / "latin1-note.txt"), "--out", str(out), "--encoding", "cp1252")
    assert result.exit_code == 0 and "1 written" in result.output
    (record,) = records(out).values()
    assert record.title.value == "Incident on 2018-02-01: café menu service down" and record.date.value == "2018-02-01"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--shard", "3/2"], "--shard"),
        (["--format", "yaml"], "--format"),
    ],
)
def test_bad_options_exit_2_with_one_line(notes, tmp_path, args, message):
    result = backfill(str(notes), "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 2 and message in result.output


def test_missing_source_and_a_broken_manifest_exit_2_naming_the_file(notes, tmp_path):
    missing = backfill(str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert missing.exit_code == 2 and "nope: not found" in missing.output
    out = tmp_path / "broken"
    out.mkdir()
    (out / "manifest.sqlite").write_text("not a database, just text that is long enough " * 20)
    broken = backfill(str(notes), "--out", str(out))
    assert broken.exit_code == 2 and "manifest.sqlite" in broken.output and "SQLite" in broken.output


def test_an_unexpected_error_on_one_note_fails_that_note_only(notes, tmp_path, monkeypatch):
    import pipeline.backfill.runner as runner_module

    real_extract = runner_module.extract_all

    def flaky(note):
        if any("search cluster" in line for line in note.lines):
            raise RuntimeError("boom")
        return real_extract(note)

    monkeypatch.setattr(runner_module, "extract_all", flaky)
    out = tmp_path / "out"
    result = backfill(str(notes), "--out", str(out))
    assert result.exit_code == 0 and f"{SUPPORTED - 1} written" in result.output
    assert "one-paragraph.txt: internal error, please report it with this note: RuntimeError: boom" in result.output


def test_an_oversized_note_is_refused_by_size_without_stopping_the_batch(notes, tmp_path):
    with open(notes / "wiki" / "huge-export.md", "wb") as huge:
        huge.truncate(17 * 1024 * 1024)  # sparse: 17 MB on paper
    result = backfill(str(notes), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0 and f"{SUPPORTED} written" in result.output
    assert (
        "huge-export.md: note is 18 MB, over the 17 MB limit; split the file into one note per incident"
        in result.output
    )
