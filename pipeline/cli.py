"""The `postmortem` command: the one place that builds the typer app and registers every sub-command.

Exit codes: 0 ok, 1 findings at or above --fail-on (check), 2 bad input or config. Library errors
(`pipeline.errors.PipelineError`) become one line on stderr (`pipeline.commands.common.fail`) and
nowhere else. The commands live in `pipeline/commands/` and import heavy libraries inside their bodies,
so `postmortem --help` and `postmortem check` start fast.
"""

from __future__ import annotations

import gc
import os
import sys
import types

import typer

from pipeline.commands import backfill, check, draft, evaluate, export, fetch, review, score, similar

app = typer.Typer(
    help=(
        "Blameless postmortems from a locked timeline and incident chat.\n\n"
        "Typical flow: the scribe runs `postmortem lock timeline.md`; the author runs "
        "`postmortem draft INCIDENT_DIR -o draft.md`; reviewers run `postmortem check draft.md`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("lock")(draft.lock_timeline)
app.command("draft")(draft.draft_incident)
app.command("schema")(draft.schema_export)
app.command("index")(similar.similar_index)
app.command("similar")(similar.similar_search)
app.command("score")(score.scoring_score)
app.command("eval")(evaluate.eval_run)
app.command("backfill")(backfill.backfill)
app.command("check")(check.check_command)
app.command("review")(review.review_command)

rules_app = typer.Typer(
    help="List the blameless-check rules, or explain one.", invoke_without_command=True, no_args_is_help=False
)
rules_app.callback()(check.rules_list)
rules_app.command("explain")(check.rules_explain)
app.add_typer(rules_app, name="rules")
app.add_typer(fetch.fetch_app, name="fetch")

export_app = typer.Typer(help="Send a draft's action items to an issue tracker (GitHub or Jira).", no_args_is_help=True)
export_app.command("actions")(export.export_actions)
app.add_typer(export_app, name="export")


def _check_app() -> typer.Typer:
    """`check` alone in a group of its own: the same command, options and messages, built without the
    other twelve commands (typer reads every command's signature when it builds a group: ~40 ms of the
    0.3 s a `postmortem check` pays before reading a file)."""
    alone = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    alone.command("check")(check.check_command)
    alone.callback()(lambda: None)  # a group, not a single-command app: `postmortem check PATH` as usual
    return alone


def _without_pydantic_plugins() -> None:
    """The first model that validates makes pydantic import its plugin loader (importlib.metadata and the
    email package, ~17 ms) and read the entry points of every installed distribution (~8 ms): together a
    tenth of a check's start-up. The check's models are its own, so it loads no plugin, and the loader is
    a stand-in that finds none, as pydantic's own does under PYDANTIC_DISABLE_PLUGINS=__all__ (pydantic is
    pinned: tests/test_import_hygiene.py checks that its loader still has this one entry point). Setting
    PYDANTIC_DISABLE_PLUGINS to anything else, even empty, loads them all again."""
    if os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__") != "__all__":
        return
    if "pydantic.plugin._loader" not in sys.modules:
        loader = types.ModuleType("pydantic.plugin._loader", "No plugins: see pipeline.cli._without_pydantic_plugins.")
        loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
        sys.modules["pydantic.plugin._loader"] = loader


def main() -> None:
    if sys.argv[1:2] == ["check"]:
        # the objects the imports made (pydantic, typer, the models) live until exit: frozen, the collector
        # stops walking them again and again while the check allocates (~6% of a check of 1 MB). The check
        # itself makes next to no reference cycles (its garbage goes with reference counts: the same peak
        # memory on 1 MB, on 215 files, with --diff's parser), so the collector is off: ~3% more
        gc.freeze()
        gc.disable()
        _without_pydantic_plugins()
        _check_app()()
    else:
        app()


if __name__ == "__main__":
    main()
