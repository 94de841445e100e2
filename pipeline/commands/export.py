"""`postmortem export actions`: the draft's action items as GitHub or Jira issues, idempotent by marker."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail, warn
from pipeline.errors import PipelineError


class TrackerChoice(str, Enum):
    github = "github"
    jira = "jira"


def export_actions(
    draft: Annotated[Path, typer.Argument(help="draft.json, as written by `postmortem draft DIR --format json`.")],
    to: Annotated[TrackerChoice, typer.Option("--to", help="github or jira (settings in postmortem.toml).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the issues that would be written; no network, no token.")
    ] = False,
    link: Annotated[
        Optional[str],
        typer.Option(
            "--link", help="URL of the published postmortem, linked from every issue ([export] postmortem_url)."
        ),
    ] = None,
) -> None:
    """Create one issue per action item (owner, due date, priority, type, evidence); a re-run updates, never duplicates.

    Tokens come from GITHUB_TOKEN, or JIRA_EMAIL and JIRA_API_TOKEN (or token_file in postmortem.toml), never a flag.
    """
    from pipeline.export.runner import export_actions as run_export
    from pipeline.export.runner import tracker_name

    try:
        outcomes, warnings = run_export(draft, to.value, dry_run=dry_run, link=link)
    except PipelineError as error:
        fail(error)
    for message in warnings:
        warn(message)
    name = tracker_name(to.value)
    if dry_run:
        for outcome in outcomes:
            issue = outcome.issue
            typer.echo(f"--- would write to {name}: {issue.title}")
            typer.echo(f"marker: {issue.marker}")
            typer.echo(f"labels: {', '.join(issue.labels)}")
            typer.echo(f"assignee: {issue.assignee or 'none'}  due: {issue.due or 'none'}")
            typer.echo(issue.text)
        typer.echo(f"dry run: {len(outcomes)} issue(s) for {name}; nothing was sent", err=True)
        return
    for outcome in outcomes:
        typer.echo(f"{outcome.status:<9} {outcome.ref:<10} {outcome.url}  {outcome.issue.title}")
    counts = {status: sum(o.status == status for o in outcomes) for status in ("created", "updated", "unchanged")}
    typer.echo(", ".join(f"{count} {status}" for status, count in counts.items()) + f" on {name}", err=True)
