"""`postmortem fetch slack CHANNEL --since T [--until T] (--out FILE | --incident DIR)`.

Reads the incident channel through the Slack Web API (pipeline/fetch/slack.py) into a chat JSONL file
that `draft` reads. The token comes from $SLACK_BOT_TOKEN or `--token-file`, never from a flag that
would land in shell history. slack_sdk is imported only when the command runs.
Exit codes: 0 fetched (or nothing new), 2 bad input, a missing scope, a refused token or an unreachable API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail, warn
from pipeline.errors import ConfigError, PipelineError

fetch_app = typer.Typer(help="Bring incident evidence in from where it lives (Slack).", no_args_is_help=True)

CHAT_FILE = "chat.jsonl"


@fetch_app.command("slack")
def fetch_slack_command(
    channel: Annotated[str, typer.Argument(help="Channel ID (C0123ABCD), or #name (needs channels:read).")],
    since: Annotated[
        str, typer.Option("--since", help="Start: 2024-05-14 (UTC), 2024-05-14T09:30:00Z or epoch seconds.")
    ],
    until: Annotated[Optional[str], typer.Option("--until", help="End, same forms (default: now).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="The chat JSONL file to write or extend.")] = None,
    incident: Annotated[
        Optional[Path], typer.Option("--incident", help=f"Incident directory: writes DIR/{CHAT_FILE}.")
    ] = None,
    token_file: Annotated[
        Optional[Path],
        typer.Option("--token-file", help="File holding the bot token (default: $SLACK_BOT_TOKEN)."),
    ] = None,
    limits: Annotated[
        Optional[Path],
        typer.Option("--limits", help="Rate-limit tiers YAML in place of the bundled one (see docs/slack.md)."),
    ] = None,
    base_url: Annotated[
        Optional[str], typer.Option("--base-url", help="Slack Web API URL (default: https://slack.com/api/).")
    ] = None,
    pacing: Annotated[
        Optional[bool],
        typer.Option(
            "--pacing/--no-pacing",
            help="Space calls at each method's Slack tier (default: on, off for a --base-url on this machine).",
        ),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh", help="Read the whole window's history again: picks up replies posted later to old threads."
        ),
    ] = False,
) -> None:
    """Fetch a Slack channel (threads included) into chat JSONL; a rerun appends only new messages."""
    from pipeline.fetch.limits import load_limits
    from pipeline.fetch.slack import DEFAULT_BASE_URL, fetch_slack, read_token

    try:
        output = _output_path(out, incident)
        token = read_token(token_file)
        report = fetch_slack(
            channel,
            since,
            until,
            output,
            token,
            load_limits(limits),
            base_url=base_url or DEFAULT_BASE_URL,
            refresh=refresh,
            pacing=pacing,
        )
    except PipelineError as error:
        fail(error)
    if incident is not None:
        _warn_if_other_chats(incident)
    waits = report.rate_limit_waits
    typer.echo(
        f"wrote {report.written} new messages to {output} ({report.already} were already there); "
        f"{report.total_calls} API calls, {len(waits)} rate-limit waits ({sum(waits):.1f} s), "
        f"{report.pacing_wait:.1f} s pacing",
        err=True,
    )


def _output_path(out: Optional[Path], incident: Optional[Path]) -> Path:
    if (out is None) == (incident is None):
        raise ConfigError("--out", "give exactly one of --out FILE and --incident DIR")
    if incident is not None:
        if not incident.is_dir():
            raise ConfigError(incident, "incident directory not found")
        return incident / CHAT_FILE
    return out  # type: ignore[return-value]


def _warn_if_other_chats(incident: Path) -> None:
    """`draft` merges every chat source of the folder: say so when another one sits beside chat.jsonl,
    since a paste or export of the same channel would then be read twice."""
    from pipeline.ingest.incident import find_chats

    others = [found.name for found in find_chats(incident) if found.name != CHAT_FILE]
    if others:
        warn(
            f"{incident}: draft merges {', '.join(others)} with {CHAT_FILE}; if they hold the same channel, "
            f"remove one or pass --chat {incident / CHAT_FILE}"
        )
