"""What every command shares: the one way a library error ends a command, warnings, output, dates."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import NoReturn, Optional

import typer

from pipeline.errors import ConfigError, PipelineError


def fail(error: PipelineError) -> NoReturn:
    """Print the error's one line (and hint) on stderr, secrets redacted (CI logs live there), and exit 2."""
    typer.echo(_redacted(error.user_message()), err=True)
    raise typer.Exit(2)


def warn(message: str) -> None:
    typer.echo(f"warning: {_redacted(message)}", err=True)


def _redacted(message: str) -> str:
    """The message with secrets redacted; as it is when the redaction patterns themselves cannot be read
    (then the message is that config error, which names a file and line, not a secret)."""
    from pipeline.redact import redact

    try:
        return redact(message)
    except PipelineError:
        return message


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


def parse_date(value: Optional[str]) -> Optional[date]:
    """`--date YYYY-MM-DD` as a date; anything else ends the command with exit 2."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(ConfigError("--date", f"cannot read {value!r}; use YYYY-MM-DD"))
