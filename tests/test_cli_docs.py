"""docs/cli.md is generated from the app and never stale; the README names every command and links every doc."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.cli_docs import render_cli_markdown
from support import REPO_ROOT

COMMANDS = sorted(typer.main.get_command(app).list_commands(typer.Context(typer.main.get_command(app))))


def test_docs_cli_md_is_generated_from_the_app() -> None:
    current = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == render_cli_markdown(), "docs/cli.md is stale: python -m pipeline.cli_docs > docs/cli.md"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_of_help_is_in_the_reference(command: str) -> None:
    shown = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert shown.exit_code == 0, shown.output
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", shown.output))
    section = render_cli_markdown().split(f"## `postmortem {command}`", 1)[1].split("\n## `postmortem ", 1)[0]
    assert options and not [option for option in options if f"`{option}" not in section and f" {option}" not in section]


def test_readme_lists_every_command_and_links_every_doc() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert [c for c in COMMANDS if f"`postmortem {c}" not in readme] == []
    docs = sorted(path.relative_to(REPO_ROOT).as_posix() for path in (REPO_ROOT / "docs").glob("*.md"))
    assert "docs/cli.md" in docs
    assert [doc for doc in docs if f"]({doc})" not in readme] == []


def test_ci_runs_the_readme_quickstart_verbatim_after_the_wheel_smoke_test() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = [line for block in quickstart.split("```bash\n")[1:] for line in block.split("```")[0].splitlines()]
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert len(commands) == 2 and [command for command in commands if command not in ci] == []
    assert ci.index('.ci/smoke "$work/venv"') < ci.index(commands[0])
