"""The blind backfill gold set (evals/backfill/v2) is well formed, and the eval's matching rules hold.

Runs everywhere: corpus notes are referenced by path, never copied, so only the written notes must exist.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest
import yaml

from support import REPO_ROOT

V2 = REPO_ROOT / "evals" / "backfill" / "v2"


@pytest.fixture(scope="module")
def notes() -> list[dict]:
    return yaml.safe_load((V2 / "gold.yaml").read_text(encoding="utf-8"))["notes"]


@pytest.fixture(scope="module")
def run_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backfill_run_eval", REPO_ROOT / "evals" / "backfill" / "run_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gold_set_has_real_and_written_notes_in_both_splits(notes):
    corpus = [n for n in notes if n["file"].startswith("corpus:")]
    written = [n for n in notes if n["file"].startswith("written/")]
    assert len(notes) >= 60 and len(corpus) >= 30 and len(written) >= 30
    assert {n["split"] for n in notes} == {"dev", "blind"}
    assert len({n["file"] for n in notes}) == len(notes)
    for note in written:
        assert (V2 / note["file"]).is_file(), note["file"]
    assert not (V2 / "corpus").exists() and not list(V2.rglob("*.md.corpus"))


def test_every_incident_is_labelled_with_the_scored_fields(notes):
    for note in notes:
        assert note["incidents"], note["file"]
        for incident in note["incidents"]:
            assert {"title", "date", "severity", "action_items"} <= set(incident), note["file"]
            assert incident["date"] is None or len(incident["date"]) in (7, 10), note["file"]


def test_a_month_only_gold_date_accepts_a_day_of_that_month_and_nothing_else(run_eval):
    assert run_eval.date_ok("2022-03", {"date": "2022-03"})
    assert run_eval.date_ok("2022-03-09", {"date": "2022-03"})
    assert not run_eval.date_ok("2022-04-01", {"date": "2022-03"})
    assert run_eval.date_ok(None, {"date": None}) and not run_eval.date_ok("2022-03-09", {"date": None})
    assert run_eval.date_ok(None, {"date": "2022-03-09", "date_alternatives": [None]})


def test_action_items_match_by_word_overlap_not_by_any_shared_word(run_eval):
    assert run_eval.covers(
        "Add alarms for sustained high CPU and memory usage from JupyterHub pods",
        "Alarms for sustained high CPU/memory of JupyterHub pods",
    )
    assert not run_eval.covers("Rotate the database credentials", "Alarms for sustained high CPU of JupyterHub pods")
    assert run_eval.severity_key("SEV-2") == run_eval.severity_key("sev 2") == "sev2"
