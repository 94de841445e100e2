"""Typed errors. The library raises these; only the CLI turns them into one line on stderr and exit 2."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Base of every error a user can fix by changing their input or config."""

    hint: str = ""

    def user_message(self) -> str:
        """The one line the CLI prints (plus a hint line when we know what to do next)."""
        text = str(self)
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class InputError(PipelineError):
    """Bad input file: unknown format, bad timestamp, wrong encoding, empty, too large."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None, hint: str = ""):
        self.path = Path(path) if path != "-" else path
        self.line = line
        self.reason = reason
        self.hint = hint
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"error: {where}: {reason}")


class LockMismatchError(PipelineError):
    """The timeline changed after `postmortem lock`; the draft must not be built from it."""

    def __init__(self, path: Path, changes: list[str]):
        self.path = path
        self.changes = changes
        self.hint = f"if the change is intended, ask the scribe to re-lock it: postmortem lock {path}"
        listed = "; ".join(changes[:5]) + (f"; and {len(changes) - 5} more" if len(changes) > 5 else "")
        super().__init__(f"error: {path}: timeline does not match its lock: {listed}")


class LockZoneError(PipelineError):
    """The timeline's rows are unchanged, but its clock times are now read in another zone than the lock's."""

    def __init__(self, path: Path, *, locked: str, now: str, recorded: bool):
        self.path = path
        how = "was locked reading" if recorded else "matches its lock (which records no zone) when reading"
        self.hint = (
            f"if {now} is right, re-lock it so the lock reads the times in {now}: postmortem lock {path}; "
            f"otherwise pass --tz {locked}"
        )
        super().__init__(
            f"error: {path}: the rows are unchanged, but the timeline {how} clock times as {locked} and they are now "
            f"read as {now} (incident.toml or --tz): the times would move"
        )


class ModelUnavailableError(PipelineError):
    """The model gave no usable answer: retries exhausted, deadline passed, budget spent, or refused."""

    def __init__(self, reason: str, attempts: int = 0, last_output: str | None = None):
        self.reason = reason
        self.attempts = attempts
        self.last_output = last_output
        super().__init__(f"model unavailable: {reason}")


class BudgetExhaustedError(ModelUnavailableError):
    """`--max-calls` would be exceeded by one more call."""


class ConfigError(PipelineError):
    """Bad config or rule file (path, optional line, optional rule id)."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None, rule_id: str | None = None):
        self.path = path
        self.line = line
        self.rule_id = rule_id
        self.reason = reason
        where = f"{path}:{line}" if line else f"{path}"
        rule = f" {rule_id}:" if rule_id else ""
        super().__init__(f"error: {where}:{rule} {reason}")


class TrackerError(PipelineError):
    """The issue tracker refused a request or could not be reached. Never carries a token or a header."""

    def __init__(self, tracker: str, reason: str, hint: str = ""):
        self.tracker = tracker
        self.reason = reason
        self.hint = hint
        super().__init__(f"error: {tracker}: {reason}")
