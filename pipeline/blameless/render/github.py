"""GitHub Actions workflow commands (`::warning file=...::message`), most severe first.

GitHub shows only about ten annotations of each kind per step, so errors come first; the command also
writes `summary_table` to $GITHUB_STEP_SUMMARY so nothing is lost.
"""

from __future__ import annotations

from pipeline.models import Finding, Level

_COMMAND = {Level.error: "error", Level.warning: "warning", Level.suggestion: "notice"}
_RANK = {Level.error: 0, Level.warning: 1, Level.suggestion: 2}


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: list[Finding]) -> str:
    ordered = sorted(findings, key=lambda f: (_RANK[f.level], f.file, f.line, f.column))
    lines = []
    for f in ordered:
        props = (
            f"file={_property(f.file)},line={f.line},col={f.column},"
            f"endLine={f.end_line},endColumn={f.end_column},title={_property(f'{f.rule_id} {f.slug}')}"
        )
        message = f.message + (f" Suggest: {f.suggestion}" if f.suggestion else "")
        if f.rewrite is not None:
            message += f" Rewrite ({f.rewrite.safety}): {f.rewrite.text}"
        lines.append(f"::{_COMMAND[f.level]} {props}::{_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary_table(findings: list[Finding]) -> str:
    """A Markdown table of every finding, for $GITHUB_STEP_SUMMARY."""
    rows = ["| File | Line | Level | Rule | Message |", "| --- | --- | --- | --- | --- |"]
    for f in sorted(findings, key=lambda f: (_RANK[f.level], f.file, f.line)):
        message = f.message.replace("|", "\\|")
        rows.append(f"| {f.file} | {f.line} | {f.level.value} | {f.rule_id} {f.slug} | {message} |")
    heading = f"### Blameless check: {len(findings)} finding(s)\n\n"
    return heading + ("\n".join(rows) + "\n" if findings else "No findings.\n")
