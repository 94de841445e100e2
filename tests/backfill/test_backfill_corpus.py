"""Opt-in: backfill over the whole real corpus (../shared/corpus), and field accuracy on the hand-labelled sample.

Skipped when the corpus is absent. Indexing is left to benchmarks/bench_backfill.py (it takes a minute).
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from support import REPO_ROOT, SHARED

CORPUS = SHARED / "corpus"
pytestmark = [pytest.mark.corpus, pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")]


def test_every_corpus_file_gets_a_record_or_a_stated_reason(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["backfill", str(CORPUS), "--out", str(out), "--no-progress", "--format", "json"])
    assert result.exit_code == 0, result.output
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file())
    with sqlite3.connect(out / "manifest.sqlite") as db:
        rows = db.execute("SELECT relative, status, reason FROM notes").fetchall()
    assert len(rows) == len(files)
    done = [relative for relative, status, _ in rows if status == "done"]
    assert all(reason for _, status, reason in rows if status == "failed")
    assert len(done) >= len(files) - 1  # INDEX.tsv is the one file that is not a note
    first_records = {path.stem for path in (out / "records").glob("*.json") if "." not in path.stem}
    assert len(first_records) == len(done)  # a digest adds <note_id>.2.json ... beside its first record
    summary = json.loads(result.output)
    assert summary["blameless"]["notes_blaming"] > 0  # real postmortems do blame people now and then


def test_titles_and_dates_match_the_hand_labelled_gold_sample():
    spec = importlib.util.spec_from_file_location("backfill_run_eval", REPO_ROOT / "evals" / "backfill" / "run_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    accuracy = module.evaluate(CORPUS)["accuracy"]
    # measured 2026-12-02: title 0.90, date 0.95, severity 1.0 (40 notes); a drop below these fails
    assert accuracy["title"] >= 0.9 and accuracy["date"] >= 0.95 and accuracy["severity"] >= 1.0, accuracy


def test_the_blind_gold_set_dev_split_holds_its_measured_accuracy():
    spec = importlib.util.spec_from_file_location("backfill_run_eval", REPO_ROOT / "evals" / "backfill" / "run_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dev = module.evaluate_v2(CORPUS)["by_split"]["dev"]
    # measured 2026-12-02 (third session) on the 56-file dev split (the only split tuned on): title, date,
    # severity and incident count 1.0, action recall 0.95 at precision 0.971; a drop below these fails
    assert dev["title"] >= 0.98 and dev["date"] >= 0.98 and dev["severity"] >= 0.98, dev
    assert dev["action_recall"] >= 0.94 and dev["action_precision"] >= 0.96 and dev["incident_count"] >= 0.98, dev
