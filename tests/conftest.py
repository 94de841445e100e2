"""Fixtures for every test: no provider settings from the machine, a temporary working directory, an
isolated POSTMORTEM_HOME and offline model flags."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # so test modules in sub-folders can `import support`

# Settings a developer's shell may carry that would point a test at a real model, server or library.
MACHINE_SETTINGS = ("OPENAI_", "AZURE_OPENAI_", "POSTMORTEM_", "LANGSMITH_", "LANGCHAIN_", "CHROMA_")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test reads the developer's environment, current directory, real library or config.

    Provider variables are cleared (a test that needs one sets it), each test runs in a fresh empty
    directory (so nothing depends on being started from the repository root: use support.REPO_ROOT),
    and POSTMORTEM_HOME points at a fresh folder.
    """
    for name in [name for name in os.environ if name.startswith(MACHINE_SETTINGS)]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    home = tmp_path_factory.mktemp("postmortem-home")
    monkeypatch.setenv("POSTMORTEM_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return home
