"""The `postmortem` command. Each sub-command parses options, calls one library function, renders, exits.

Exit codes: 0 ok, 1 findings at or above --fail-on (check), 2 bad input or config. Library errors
(`pipeline.errors.PipelineError`) become one line on stderr here and nowhere else. Heavy libraries are
imported inside the commands that need them, so `postmortem --help` and `postmortem check` start fast.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer

from pipeline.errors import PipelineError

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


def fail(error: PipelineError) -> None:
    """Print the error's one line (and hint) on stderr, secrets redacted, and exit 2."""
    from pipeline.redact import redact

    typer.echo(redact(error.user_message()), err=True)
    raise typer.Exit(2)


def warn(message: str) -> None:
    from pipeline.redact import redact

    typer.echo(f"warning: {redact(message)}", err=True)


def write_output(text: str, output: Optional[Path]) -> None:
    """Write atomically (temp file + rename) so a failure never leaves a half-written draft; secrets redacted."""
    from pipeline.redact import redact
    from pipeline.secrets import redact_json_text

    text = redact_json_text(text)[0] if text.startswith("{") else redact(text)
    if output is None:
        sys.stdout.write(text)
        return
    from pipeline.output import write_atomic

    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(output, text)


@app.command("lock")
def lock_timeline(
    timeline: Path = typer.Argument(..., help="Timeline file (markdown table, CSV or JSON)."),
    tz: Optional[str] = typer.Option(None, "--tz", help="IANA time zone for times without an offset."),
    on_date: Optional[str] = typer.Option(None, "--date", help="Date (YYYY-MM-DD) for HH:MM rows."),
) -> None:
    """Lock a timeline: write TIMELINE.lock.json with the SHA-256 of its normalized events."""
    from pipeline.ingest.incident import incident_settings
    from pipeline.ingest.lock import write_lock
    from pipeline.ingest.timeline import load_timeline

    try:
        day, zone_name = incident_settings(timeline.parent, tz=tz, on_date=_parse_date(on_date))
        loaded = load_timeline(timeline, day=day, tz=zone_name)
        lock_path = write_lock(loaded)
    except PipelineError as error:
        fail(error)
    typer.echo(f"locked {len(loaded.events)} events: {lock_path} (sha256 {loaded.sha256[:12]})")


@app.command("draft")
def draft_incident(
    incident_dir: Path = typer.Argument(..., help="Incident directory (timeline, chat, incident.toml)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write here instead of stdout."),
    timeline: Optional[Path] = typer.Option(None, "--timeline", help="Timeline file (overrides the directory's)."),
    chat: Optional[Path] = typer.Option(None, "--chat", help="Chat source: file, Slack export directory or .zip."),
    chat_format: Optional[str] = typer.Option(
        None, "--chat-format", help="slack-export, slack-paste, pagerduty, transcript, irc or jsonl (default: detect)."
    ),
    fmt: str = typer.Option("md", "--format", help="md or json."),
    template: Optional[Path] = typer.Option(None, "--template", help="A jinja2 template to render with."),
    tz: Optional[str] = typer.Option(None, "--tz", help="IANA time zone for times without an offset."),
    on_date: Optional[str] = typer.Option(None, "--date", help="Date (YYYY-MM-DD) for HH:MM times."),
    similar: bool = typer.Option(
        True, "--similar/--no-similar", help="Fill 'Similar Past Incidents' from the local incident library."
    ),
    llm: Optional[str] = typer.Option(
        None, "--llm", help="Write the prose with this model (OpenAI-compatible); offline draft if it fails."
    ),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint for --llm."),
    max_calls: Optional[int] = typer.Option(None, "--max-calls", help="At most this many model calls (default 3)."),
    pseudonymize: bool = typer.Option(False, "--pseudonymize", help="Send roles, not people's names, to the model."),
) -> None:
    """Draft a blameless postmortem from an incident directory (offline unless a model is configured)."""
    from pipeline.drafting import draft_from_directory
    from pipeline.errors import ConfigError
    from pipeline.render import render_json, render_markdown

    if fmt not in {"md", "json"}:
        fail(ConfigError("--format", f"unknown format {fmt!r}; use md or json"))
    try:
        from pipeline.drafting.llm_engine import choose_engine

        engine, engine_options = choose_engine(llm, base_url=base_url, max_calls=max_calls, pseudonymize=pseudonymize or None)
        draft, warnings = draft_from_directory(
            incident_dir,
            timeline=timeline,
            chat=chat,
            chat_format=chat_format,
            tz=tz,
            on_date=_parse_date(on_date),
            similar=similar,
            engine=engine,
            engine_options=engine_options,
        )
        for message in warnings:
            warn(message)
        text = render_json(draft) if fmt == "json" else render_markdown(draft, template=template)
    except PipelineError as error:
        fail(error)
    write_output(text, output)
    if output is not None:
        typer.echo(f"wrote {output}", err=True)


@app.command("schema")
def schema_export(
    model: str = typer.Argument("draft", help="draft (draft.json), finding, or note (a backfill record)."),
) -> None:
    """Print the JSON Schema of draft.json (or of a check finding, or of a backfilled note record)."""
    from pipeline import models

    chosen = {"draft": models.Draft, "finding": models.Finding, "note": models.NoteRecord}.get(model)
    if chosen is None:
        from pipeline.errors import ConfigError

        fail(ConfigError("schema", f"unknown model {model!r}; use draft, finding or note"))
    typer.echo(json.dumps(chosen.model_json_schema(), indent=2))


def _parse_date(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        from pipeline.errors import ConfigError

        fail(ConfigError("--date", f"cannot read {value!r}; use YYYY-MM-DD"))
    return None


# Other sub-commands register themselves below, each from its own module.
import pipeline.similar_command  # noqa: E402,F401  (postmortem index, postmortem similar)
import pipeline.scoring_command  # noqa: E402,F401  (postmortem score)
import pipeline.eval_command  # noqa: E402,F401  (postmortem eval)
import pipeline.backfill_command  # noqa: E402,F401  (postmortem backfill)
from pipeline.blameless.command import check_command, rules_app  # noqa: E402

app.command("check")(check_command)
app.add_typer(rules_app, name="rules")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
