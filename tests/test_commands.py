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


@pytest.mark.parametrize(
    "args",
    [
        ["check", "{file}"],
        ["check", "--format", "json", "--fail-on", "error", "{file}"],
        ["check", "--fail-on", "nonsense", "{file}"],
        ["check", "--no-such-option", "{file}"],
        ["check"],
        ["check", "--help"],
    ],
)
def test_check_alone_answers_as_the_whole_app_does(args, tmp_path):
    """`postmortem check` runs through a group holding only check (start-up): same output, same exit code."""
    from typer.testing import CliRunner

    from pipeline.cli import _check_app, app

    draft = tmp_path / "draft.md"
    draft.write_text("# Summary\n\nThe on-call engineer should have caught the bad deploy.\n", encoding="utf-8")
    argv = [arg.format(file=draft) for arg in args]
    whole = CliRunner().invoke(app, argv, prog_name="postmortem")
    alone = CliRunner().invoke(_check_app(), argv, prog_name="postmortem")
    assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
    assert whole.exit_code in (0, 1, 2)


def test_importing_the_package_leaves_the_install_metadata_unread():
    """`pipeline.__version__` is read on demand: importlib.metadata costs every command ~20 ms of start-up."""
    probe = (
        "import sys, pipeline; lazy = 'importlib.metadata' not in sys.modules; "
        "print(lazy, isinstance(pipeline.__version__, str), 'importlib.metadata' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]
    with pytest.raises(AttributeError):
        import pipeline

        pipeline.no_such_attribute  # noqa: B018
