"""`postmortem lock`, `postmortem draft` and `postmortem schema`: the author's path from timeline to draft."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail, parse_date, warn, write_output
from pipeline.commands.options import BaseUrl, DraftFormat, TimeZone
from pipeline.errors import ConfigError, PipelineError


def lock_timeline(
    timeline: Annotated[Path, typer.Argument(help="Timeline file (markdown table or list, CSV or JSON).")],
    tz: TimeZone = None,
    on_date: Annotated[Optional[str], typer.Option("--date", help="Date (YYYY-MM-DD) for HH:MM rows.")] = None,
) -> None:
    """Lock a timeline: write TIMELINE.lock.json with the SHA-256 of its normalized events."""
    from pipeline.ingest.incident import incident_settings
    from pipeline.ingest.lock import write_lock
    from pipeline.ingest.timeline import load_timeline

    try:
        day, zone_name = incident_settings(timeline.parent, tz=tz, on_date=parse_date(on_date))
        loaded = load_timeline(timeline, day=day, tz=zone_name)
        lock_path = write_lock(loaded, timezone=zone_name)
    except PipelineError as error:
        fail(error)
    zone = (
        f"clock times read in {zone_name}"
        if zone_name
        else "clock times read as UTC: no timezone in incident.toml and no --tz"
    )
    typer.echo(f"locked {len(loaded.events)} events: {lock_path} (sha256 {loaded.sha256[:12]}; {zone})")


def draft_incident(
    incident_dir: Annotated[Path, typer.Argument(help="Incident directory (timeline, chat, incident.toml).")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write here instead of stdout.")] = None,
    timeline: Annotated[
        Optional[Path], typer.Option("--timeline", help="Timeline file (overrides the directory's).")
    ] = None,
    chat: Annotated[
        Optional[list[Path]],
        typer.Option(
            "--chat",
            help="Chat source: file, Slack export directory or .zip, or call transcript (.vtt, .srt). Repeat to "
            "merge several in time order (default: every chat* and call* in the directory).",
        ),
    ] = None,
    chat_format: Annotated[
        Optional[str],
        typer.Option(
            "--chat-format",
            help="slack-export, slack-paste, pagerduty, transcript, irc, jsonl, webvtt or srt, for every "
            "--chat (default: detect each).",
        ),
    ] = None,
    call_start: Annotated[
        Optional[str],
        typer.Option(
            "--call-start",
            help="When the recorded call began (2024-05-14T12:05:00+02:00, or HH:MM on the incident date), for "
            "transcripts that do not say; overrides [sources] call_started in incident.toml.",
        ),
    ] = None,
    fmt: Annotated[
        DraftFormat, typer.Option("--format", help="md, json, or html (the reviewer's page, static).")
    ] = DraftFormat.md,
    template: Annotated[Optional[Path], typer.Option("--template", help="A jinja2 template to render with.")] = None,
    tz: TimeZone = None,
    on_date: Annotated[Optional[str], typer.Option("--date", help="Date (YYYY-MM-DD) for HH:MM times.")] = None,
    similar: Annotated[
        bool,
        typer.Option("--similar/--no-similar", help="Fill 'Similar Past Incidents' from the local incident library."),
    ] = True,
    llm: Annotated[
        Optional[str],
        typer.Option("--llm", help="Write the prose with this model (OpenAI-compatible); offline draft if it fails."),
    ] = None,
    base_url: BaseUrl = None,
    max_calls: Annotated[
        Optional[int], typer.Option("--max-calls", help="At most this many model calls (default 3).")
    ] = None,
    pseudonymize: Annotated[
        bool, typer.Option("--pseudonymize", help="Send roles, not people's names, to the model.")
    ] = False,
) -> None:
    """Draft a blameless postmortem from an incident directory (offline unless a model is configured)."""
    from pipeline.drafting import draft_from_directory
    from pipeline.render import render_json, render_markdown

    try:
        from pipeline.llm import resolve_model_config

        config = resolve_model_config(llm, base_url=base_url, max_calls=max_calls, pseudonymize=pseudonymize or None)
        draft, warnings = draft_from_directory(
            incident_dir,
            timeline=timeline,
            chat=chat or None,
            chat_format=chat_format,
            call_start=call_start,
            tz=tz,
            on_date=parse_date(on_date),
            similar=similar,
            engine="offline" if config is None else "llm",
            engine_options=None if config is None else {"config": config},
        )
        for message in warnings:
            warn(message)
        text = render_json(draft) if fmt is DraftFormat.json else render_markdown(draft, template=template)
        if fmt is DraftFormat.html:
            from pipeline.review.page import render_draft_html

            text = render_draft_html(
                text,
                # the folder's own files are the draft's evidence unless flags chose others: then the appendix
                incident=incident_dir if timeline is None and chat is None and chat_format is None else None,
                name=output.name if output else "draft.md",
                engine=draft.metadata.engine,
            )
    except PipelineError as error:
        fail(error)
    write_output(text, output)
    if output is not None:
        typer.echo(f"wrote {output}", err=True)


def schema_export(
    model: Annotated[str, typer.Argument(help="draft (draft.json), finding, or note (a backfill record).")] = "draft",
) -> None:
    """Print the JSON Schema of draft.json (or of a check finding, or of a backfilled note record)."""
    from pipeline import models

    chosen = {"draft": models.Draft, "finding": models.Finding, "note": models.NoteRecord}.get(model)
    if chosen is None:
        fail(ConfigError("schema", f"unknown model {model!r}; use draft, finding or note"))
    typer.echo(json.dumps(chosen.model_json_schema(), indent=2))
