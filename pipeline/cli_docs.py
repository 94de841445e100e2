"""docs/cli.md, generated from the typer app with typer's own docs generator (what `typer ... utils docs`
writes): every command, its usage, arguments, options and defaults, as `--help` prints them.

Run `python -m pipeline.cli_docs > docs/cli.md` after changing a command; a test fails when the file is
stale, as it does for docs/rules.md.
"""

from __future__ import annotations

NOTE = (
    "Generated from the typer app by `python -m pipeline.cli_docs > docs/cli.md`; do not edit by hand. "
    "Exit codes: 0 ok, 1 findings (`check`) or a failed gate (`score`, `eval`), 2 bad input or configuration."
)


def render_cli_markdown() -> str:
    """The whole reference, one section per command, ending in one newline."""
    import typer
    from typer.cli import get_docs_for_click

    from pipeline.cli import app

    command = typer.main.get_command(app)
    text = get_docs_for_click(
        obj=command, ctx=typer.Context(command), name="postmortem", title="Command-line reference"
    )
    title, rest = text.split("\n", 1)
    return f"{title}\n\n{NOTE}\n{rest.rstrip()}\n"


if __name__ == "__main__":
    print(render_cli_markdown(), end="")
