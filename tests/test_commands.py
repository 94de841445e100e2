"""The CLI loads in any import order: commands never import the CLI, and `python -m pipeline` works."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = Path(__file__).resolve().parents[1] / "pipeline" / "commands"
MODULES = sorted(path.stem for path in COMMANDS.glob("*.py") if path.stem != "__init__")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    found |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return found


@pytest.mark.parametrize("module", MODULES)
def test_a_command_module_never_imports_the_cli_and_imports_on_its_own(module):
    assert "pipeline.cli" not in imported_modules(COMMANDS / f"{module}.py")
    done = subprocess.run([sys.executable, "-c", f"import pipeline.commands.{module}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("entry", [["-m", "pipeline"], ["-m", "pipeline.cli"]])
def test_python_dash_m_lists_every_command(entry):
    done = subprocess.run([sys.executable, *entry, "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for command in ("lock", "draft", "schema", "index", "similar", "score", "eval", "backfill", "check", "rules"):
        assert f" {command} " in done.stdout
