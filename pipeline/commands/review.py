"""`postmortem review DRAFT.md [--incident DIR]`: serve the reviewer's page on 127.0.0.1 until Ctrl-C.

Exit codes: 0 stopped with Ctrl-C, 2 the draft, the incident or the port cannot be used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.commands.common import fail
from pipeline.errors import ConfigError, PipelineError


def review_command(
    draft: Annotated[Path, typer.Argument(help="The draft to review (markdown); accepted rewrites are written here.")],
    incident: Annotated[
        Optional[Path],
        typer.Option(
            "--incident",
            help="Incident directory whose timeline and chat the citations show "
            "(default: the draft's folder if it holds a timeline, else the draft's evidence appendix).",
        ),
    ] = None,
    no_open: Annotated[bool, typer.Option("--no-open", help="Print the URL only; do not open a browser.")] = False,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (default: a free one).", min=0, max=65535)] = 0,
) -> None:
    """Review a draft in the browser: citations beside their evidence, findings with rewrites to accept."""
    from pipeline.review.analysis import analyse, default_incident
    from pipeline.review.decisions import log_path
    from pipeline.review.server import ReviewServer

    try:
        incident = incident or default_incident(draft)
        analyse(draft, incident=incident, sentence_rewrites=False)  # a bad draft or incident fails here
        server = ReviewServer(draft, incident=incident, port=port)
    except PipelineError as error:
        fail(error)
    except OSError as error:
        fail(
            ConfigError(
                "--port", f"cannot listen on 127.0.0.1:{port} ({error.strerror}); pick another port or omit --port"
            )
        )
    typer.echo(f"reviewing {draft} (decisions go to {log_path(draft)})")
    typer.echo(f"open {server.url}")
    typer.echo("press Ctrl-C to stop", err=True)
    if not no_open:
        open_browser(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        server.server_close()


def open_browser(url: str) -> None:
    """Open the page in the desktop's browser. Without a display (ssh, a container) Python would start a
    text browser such as lynx in this terminal: then only say to open the URL."""
    import os
    import sys
    import webbrowser

    desktop = sys.platform in ("darwin", "win32") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not desktop or not webbrowser.open(url):
        typer.echo(
            "no browser to open here: open the URL above in yours (an ssh tunnel works: ssh -L PORT:127.0.0.1:PORT)",
            err=True,
        )
