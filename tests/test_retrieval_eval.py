"""The retrieval eval's own parts: BM25 baseline, metrics, and the consistency of its labels."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

EVAL_DIR = Path(__file__).resolve().parents[1] / "evals" / "retrieval"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "postmortems"


@pytest.fixture(scope="module")
def run_eval():
    spec = importlib.util.spec_from_file_location("run_eval", EVAL_DIR / "run_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bm25_prefers_documents_with_rare_query_terms(run_eval):
    index = run_eval.BM25(["the disk was full", "the certificate expired", "the the the the"])
    scores = index.scores("certificate expired")
    assert scores[1] > 0 and scores[0] == scores[2] == 0


def test_rank_by_best_keeps_each_document_once_by_its_best_chunk(run_eval):
    assert run_eval.rank_by_best(["a", "b", "a", "c"], [0.1, 0.5, 0.9, 0.2]) == ["a", "b", "c"]


def test_metrics_on_a_hand_checked_example(run_eval):
    rankings = [["x", "r1", "y"], ["y", "z"]]
    relevant = [{"r1", "r2"}, {"r3"}]
    score = run_eval.metrics(rankings, relevant)
    assert score["recall@5"] == 0.5  # first query hits, second does not
    assert score["MRR"] == pytest.approx(0.25)  # (1/2 + 0) / 2
    assert score["precision@5"] == pytest.approx(0.1)  # (1/5 + 0) / 2
    assert score["strict recall@5"] == pytest.approx(0.25)  # (1/2 + 0) / 2


def test_every_query_class_has_labelled_postmortems():
    labels = yaml.safe_load((EVAL_DIR / "labels.yaml").read_text())
    queries = yaml.safe_load((EVAL_DIR / "queries.yaml").read_text())
    labelled = {cls for classes in labels.values() for cls in classes}
    assert len(queries) >= 30
    assert {q["class"] for q in queries} <= labelled


@pytest.mark.corpus
def test_labels_name_real_corpus_files():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    labels = yaml.safe_load((EVAL_DIR / "labels.yaml").read_text())
    assert not [name for name in labels if not (CORPUS / name).is_file()]
