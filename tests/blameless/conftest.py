"""Shared helpers for the blameless-check tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def review_text() -> str:
    """A small postmortem that exercises every scoping rule (written for these tests)."""
    return (FIXTURES / "review.md").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test picks up a developer's .postmortem-blameless.yaml or pyproject section."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
