"""Fixtures for every test: an isolated POSTMORTEM_HOME and offline model flags."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # so test modules in sub-folders can `import support`


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the developer's real library or config."""
    home = tmp_path_factory.mktemp("postmortem-home")
    monkeypatch.setenv("POSTMORTEM_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return home
