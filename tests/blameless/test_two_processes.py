"""A long document is checked by two processes (each indexes and scans half the blocks); the findings are the
ones a single process finds."""

from __future__ import annotations

import os
import random

import pytest
from test_prefilter import CORPUS, PREFILTERED, _sentences

from pipeline import background
from pipeline.blameless import linter
from pipeline.blameless.linter import lint_text


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Two processes for any length, even on one core; counts the documents split that way."""
    split: list[int] = []
    real = linter._rule_matches_in_two_processes

    def counted(*args):  # type: ignore[no-untyped-def]
        split.append(1)
        return real(*args)

    monkeypatch.setattr(linter, "TWO_PROCESSES_AFTER", 0)
    monkeypatch.setattr(linter, "can_fork", lambda: True)
    monkeypatch.setattr(background, "can_fork", lambda: True)
    monkeypatch.setattr(linter, "_rule_matches_in_two_processes", counted)
    return split


def _one_process(text: str) -> list:
    return lint_text(text, rules=PREFILTERED)


def test_shuffled_documents_find_the_same_in_two_processes(forced: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    pieces = [*_sentences(), "\n\n", "- ", "| a | b |\n", "# Timeline\n", "14:05 ", "`code` "]
    rng = random.Random(11)
    documents = [" ".join(rng.choice(pieces) for _ in range(rng.randint(5, 120))) for _ in range(25)]
    with monkeypatch.context() as serial:
        serial.setattr(linter, "TWO_PROCESSES_AFTER", 10**12)
        expected = [_one_process(d) for d in documents]
    assert sum(map(len, expected)) > 50  # the documents hold blame to find
    assert [_one_process(d) for d in documents] == expected
    assert len(forced) == len(documents)


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus absent")
def test_the_whole_corpus_finds_the_same_in_two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md")))
    assert len(text) > linter.TWO_PROCESSES_AFTER
    monkeypatch.setattr(linter, "TWO_PROCESSES_AFTER", 10**12)
    expected = lint_text(text)
    monkeypatch.setattr(linter, "TWO_PROCESSES_AFTER", 0)
    monkeypatch.setattr(linter, "can_fork", lambda: True)
    assert lint_text(text) == expected
    assert len(expected) > 10


def test_a_child_that_fails_sends_nothing_and_the_work_is_done_here(
    forced: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that dies before sending (here: pickling fails in it) costs time, never findings."""
    document = "\n\n".join(_sentences()[:150])
    expected = lint_text(document, rules=PREFILTERED)
    parent = os.getpid()
    real_dumps = __import__("pickle").dumps

    def dumps_only_in_the_parent(*args, **kwargs):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return real_dumps(*args, **kwargs)

    monkeypatch.setattr("pickle.dumps", dumps_only_in_the_parent)
    assert lint_text(document, rules=PREFILTERED) == expected
    assert forced


def test_in_background_returns_the_result_or_raises_the_error_here() -> None:
    if not background.can_fork():
        pytest.skip("no fork or a single core: in_background runs the function at once")
    assert background.in_background(sorted, [3, 1, 2])() == [1, 2, 3]
    failing = background.in_background(int, "not a number")
    with pytest.raises(ValueError, match="not a number"):
        failing()


def test_in_background_without_fork_runs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "can_fork", lambda: False)
    calls: list[int] = []
    result = background.in_background(lambda: calls.append(1) or 7)
    assert calls == [1]  # already ran
    assert result() == 7
