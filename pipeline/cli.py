"""The `postmortem` command: the one place that builds the typer app and registers every sub-command.

Exit codes: 0 ok, 1 findings at or above --fail-on (check), 2 bad input or config. Library errors
(`pipeline.errors.PipelineError`) become one line on stderr (`pipeline.commands.common.fail`) and
nowhere else. The commands live in `pipeline/commands/` and import heavy libraries inside their bodies,
so `postmortem --help` and `postmortem check` start fast.

`main()` builds only the sub-command it is asked for (`postmortem check ...` imports and registers `check`
alone): typer turns every registered function into a click command at each start, and with all of them
that was a sixth of `postmortem check`'s start-up. `app` (the full tree) is built on first use, for
`--help`, docs/cli.md and tests.
"""

from __future__ import annotations

import sys
from importlib import import_module

import typer

HELP = (
    "Blameless postmortems from a locked timeline and incident chat.\n\n"
    "Typical flow: the scribe runs `postmortem lock timeline.md`; the author runs "
    "`postmortem draft INCIDENT_DIR -o draft.md`; reviewers run `postmortem check draft.md`."
)

# name -> (module in pipeline.commands, function): the commands, in the order `--help` lists them
COMMANDS: dict[str, tuple[str, str]] = {
    "lock": ("draft", "lock_timeline"),
    "draft": ("draft", "draft_incident"),
    "schema": ("draft", "schema_export"),
    "index": ("similar", "similar_index"),
    "similar": ("similar", "similar_search"),
    "score": ("score", "scoring_score"),
    "eval": ("evaluate", "eval_run"),
    "backfill": ("backfill", "backfill"),
    "check": ("check", "check_command"),
    "review": ("review", "review_command"),
}
GROUPS = ("rules", "fetch", "export")


def _command(module: str, function: str):  # type: ignore[no-untyped-def]
    return getattr(import_module(f"pipeline.commands.{module}"), function)


def _add_group(app: typer.Typer, name: str) -> None:
    if name == "rules":
        rules_app = typer.Typer(
            help="List the blameless-check rules, or explain one.", invoke_without_command=True, no_args_is_help=False
        )
        rules_app.callback()(_command("check", "rules_list"))
        rules_app.command("explain")(_command("check", "rules_explain"))
        app.add_typer(rules_app, name="rules")
    elif name == "fetch":
        app.add_typer(_command("fetch", "fetch_app"), name="fetch")
    elif name == "export":
        export_app = typer.Typer(
            help="Send a draft's action items to an issue tracker (GitHub or Jira).", no_args_is_help=True
        )
        export_app.command("actions")(_command("export", "export_actions"))
        app.add_typer(export_app, name="export")


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with `only` that one (a known command or group name)."""
    app = typer.Typer(help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    if only is not None:
        app.callback()(lambda: None)  # keeps one registered command a sub-command, as in the full app
    for name, (module, function) in COMMANDS.items():
        if only in (None, name):
            app.command(name)(_command(module, function))
    for name in GROUPS:
        if only in (None, name):
            _add_group(app, name)
    return app


def __getattr__(name: str) -> typer.Typer:
    """`pipeline.cli.app`, the full command tree, built on first use."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    app = build_app()
    globals()["app"] = app
    return app


def main() -> None:
    asked = sys.argv[1] if len(sys.argv) > 1 else None
    build_app(asked if asked in COMMANDS or asked in GROUPS else None)()


if __name__ == "__main__":
    main()
