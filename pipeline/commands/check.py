"""`postmortem check PATH...` and `postmortem rules [explain ID]`: parse, call the library, render, exit.

Exit codes, aggregated over every path: 0 clean, 1 a finding at or above --fail-on, 2 a usage, input or
config error (other paths are still checked and reported).
"""

from __future__ import annotations

import difflib
import glob
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from pipeline.commands.common import fail, warn
from pipeline.commands.options import BaseUrl, CheckFormat
from pipeline.errors import ConfigError, InputError, PipelineError
from pipeline.models import Finding, Level

if TYPE_CHECKING:
    from pipeline.blameless.config import BlamelessConfig
    from pipeline.blameless.linter import Match
    from pipeline.blameless.rules import RuleSet

_SKIP_DIRS = {"node_modules", ".git", ".venv", "__pycache__"}


def expand_paths(arguments: list[str]) -> tuple[list[str], list[PipelineError]]:
    """Files as given, directories as their *.md files, globs as their matches, `-` as stdin."""
    paths: list[str] = []
    errors: list[PipelineError] = []
    for argument in arguments:
        if argument == "-":
            paths.append("-")
        elif any(ch in argument for ch in "*?["):
            matches = sorted(m for m in glob.glob(argument, recursive=True) if Path(m).is_file())
            if not matches:
                errors.append(InputError(argument, "pattern matched no files"))
            paths.extend(matches)
        elif Path(argument).is_dir():
            from pipeline.ingest.files import inside

            candidates = [p for p in Path(argument).rglob("*.md") if not _SKIP_DIRS.intersection(p.parts)]
            errors.extend(
                InputError(p, "symlink leads outside the checked directory; not followed")
                for p in candidates
                if not inside(Path(argument), p)
            )
            found = sorted(str(p) for p in candidates if p.is_file() and inside(Path(argument), p))
            if not found:
                errors.append(InputError(argument, "directory holds no .md files"))
            paths.extend(found)
        else:
            paths.append(argument)
    return paths, errors


def _read(path: str) -> str:
    """The file's text; an empty or blank file is clean, not an error (a linter meets placeholders)."""
    from pipeline.ingest.files import decode, read_text

    if path == "-":
        data = sys.stdin.buffer.read()
        return decode(data, "-", what="input") if data.strip() else ""
    file = Path(path)
    if file.is_file() and file.stat().st_size < 4096 and not file.read_bytes().strip():
        return ""
    return read_text(file)


def _redacted(finding: Finding) -> Finding:
    """The finding with a secret in its text redacted; its file path is the user's own and is kept as given
    (a file named like a token, `pypi-...md`, must still be findable)."""
    from pipeline.redact import redact

    update: dict[str, object] = {key: redact(getattr(finding, key)) for key in ("message", "match", "suggestion")}
    if finding.fix is not None:
        update["fix"] = redact(finding.fix)
    if finding.rewrite is not None:
        update["rewrite"] = finding.rewrite.model_copy(
            update={"original": redact(finding.rewrite.original), "text": redact(finding.rewrite.text)}
        )
    return finding.model_copy(update=update)


def _unchecked_lines(text: str) -> Callable[[], list[int]]:
    """The lines not in English, found beside the check of a long text (on a second core, where there is one)."""
    from pipeline.background import in_background
    from pipeline.blameless.linter import TWO_PROCESSES_AFTER
    from pipeline.language import not_english_lines

    if len(text) >= TWO_PROCESSES_AFTER:
        return in_background(not_english_lines, text)
    return lambda: not_english_lines(text)


def _note_unchecked_lines(path: str, lines: list[int]) -> None:
    """Say plainly which lines the (English) rules could not read: silence would read as "clean"."""
    if lines:
        shown = ", ".join(map(str, lines[:20])) + (f" and {len(lines) - 20} more" if len(lines) > 20 else "")
        typer.echo(
            f"note: {path}: line(s) {shown} are not in English and were not checked for blame language", err=True
        )


def _note_unused_ignores(
    path: str, text: str, config: BlamelessConfig, people: list[str], changed: set[int] | None
) -> None:
    """Say which `blameless-ignore` comments match nothing any more (under --changed-since: on changed lines)."""
    from pipeline.blameless.linter import unused_ignores

    for line in unused_ignores(text, path=path, config=config, people=people):
        if changed is None or line in changed:
            typer.echo(f"note: {path}:{line}: this blameless-ignore comment matches no finding; remove it", err=True)


def _incident_people(path: str) -> list[str]:
    from pipeline.blameless.people import people_from_incident_toml

    if path == "-":
        return []
    toml = Path(path).parent / "incident.toml"
    return people_from_incident_toml(toml) if toml.is_file() else []


def _changed_lines(path: str, ref: str | None) -> set[int] | None:
    """The lines --changed-since keeps (None: all of them)."""
    if ref is None:
        return None
    from pipeline.gitdiff import changed_lines

    return changed_lines(Path(path), ref)


def _matches(text: str, path: str, config: BlamelessConfig, people: list[str], changed: set[int] | None) -> list[Match]:
    """The file's matches, only those touching a changed line under --changed-since."""
    from pipeline.blameless.linter import lint_matches

    found = lint_matches(text, path=path, config=config, people=people)
    if changed is None:
        return found
    return [m for m in found if not changed.isdisjoint(range(m.finding.line, m.finding.end_line + 1))]


def _rewritten(text: str, matches: list[Match], people: list[str], *, safe_only: bool) -> str:
    from pipeline.blameless.rewrite import apply_plan, plan_rewrites

    return apply_plan(text, plan_rewrites(text, matches, people), safe_only=safe_only)


def _with_rewrites(text: str, matches: list[Match], people: list[str], *, sentences: bool) -> list[Finding]:
    """Each finding with its rewrite, marked safe or review: the rules' phrase fixes always, the sentence
    rewrites (a parse of each flagged sentence) when `sentences`."""
    from pipeline.blameless.markdown import masked_prose
    from pipeline.blameless.rewrite import finding_rewrite, plan_rewrites

    plan = plan_rewrites(text, matches, people, sentences=sentences)
    masked = masked_prose(text) if any(plan) else ""
    return [
        m.finding if edit is None else m.finding.model_copy(update={"rewrite": finding_rewrite(text, masked, edit)})
        for m, edit in zip(matches, plan)
    ]


def _unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path.lstrip('/')}",
            tofile=f"b/{path.lstrip('/')}",
        )
    )


def check_command(
    paths: Annotated[list[str], typer.Argument(help="Markdown files, directories, globs, or - for stdin.")],
    fmt: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="text, json, sarif, github or html.")
    ] = CheckFormat.text,
    fail_on: Annotated[
        Level, typer.Option("--fail-on", help="Exit 1 on findings at or above: error, warning or suggestion.")
    ] = Level.warning,
    config_path: Annotated[
        Optional[Path], typer.Option("--config", help="Config file (.postmortem-blameless.yaml or pyproject.toml).")
    ] = None,
    min_level: Annotated[Optional[Level], typer.Option("--min-level", help="Hide findings below this level.")] = None,
    person: Annotated[
        Optional[list[str]], typer.Option("--person", help="A name to treat as a person (repeatable).")
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Write the safe rewrites into the files (stdin: print the text); "
            "with --diff, also print what changed.",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print safe and review rewrites as a unified diff; alone, change nothing. "
            "With --fix: the diff of what was written (review rewrites stay in the findings).",
        ),
    ] = False,
    rewrites: Annotated[
        bool,
        typer.Option(
            "--rewrites",
            help="Show each finding's sentence rewritten, marked safe or review (parses flagged sentences; "
            "always on with --fix/--diff).",
        ),
    ] = False,
    changed_since: Annotated[
        Optional[str],
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only findings (and fixes) on lines added or changed since this git ref, e.g. origin/main.",
        ),
    ] = None,
    llm: Annotated[
        Optional[str], typer.Option("--llm", help="With --fix/--diff: a model rewrites flagged lines (checked again).")
    ] = None,
    base_url: BaseUrl = None,
) -> None:
    """Check postmortems for blame language; suggest system phrasing for each finding."""
    from pipeline.blameless.config import load_config
    from pipeline.blameless.render import RENDERERS
    from pipeline.blameless.rules import active_rules

    try:
        rules = active_rules()
        known = {c.rule.id.lower() for c in rules.rules} | {c.rule.slug for c in rules.rules}
        config = load_config(config_path, known_rules=known)
    except PipelineError as error:
        fail(error)
    if min_level is not None:
        config = config.model_copy(update={"min_level": min_level})

    model = None
    if llm is not None or base_url is not None:
        try:
            from pipeline.llm import ChatModel, resolve_model_config

            model_config = resolve_model_config(llm, base_url=base_url)
            model = ChatModel(model_config) if model_config is not None and (fix or diff) else None
        except PipelineError as error:
            fail(error)

    files, errors = expand_paths(paths)
    if fix and diff and "-" in files:
        fail(
            InputError(
                "-",
                "--fix --diff cannot write stdin back; use --diff to see the rewrites, "
                "or --fix alone to print the fixed text",
            )
        )
    if changed_since is not None and "-" in files:
        fail(InputError("-", "--changed-since needs files in a git work tree, not stdin"))
    findings: list[Finding] = []
    for path in files:
        try:
            text = _read(path)
            people = [*(person or []), *_incident_people(path)]
            changed = _changed_lines(path, changed_since)
            unchecked = _unchecked_lines(text)
            matches = _matches(text, path, config, people, changed)
            _note_unchecked_lines(path, unchecked())
            if fix or diff:
                fixed = _rewritten(text, matches, people, safe_only=True)
                if model is not None:
                    from pipeline.llm_rewrite import rewrite_with_model

                    fixed, notes = rewrite_with_model(fixed, model, people)
                    for note in notes:
                        warn(f"{path}: {note}")
                if diff:
                    # with --fix: exactly what is written; alone: the safe and the review rewrites
                    shown = fixed
                    if not fix:
                        shown = _rewritten(
                            fixed, _matches(fixed, path, config, people, changed), people, safe_only=False
                        )
                    sys.stdout.write(_unified_diff(path, text, shown))
                if path == "-" and not diff:
                    sys.stdout.write(fixed)
                elif fix and path != "-" and fixed != text:
                    from pipeline.output import write_atomic

                    write_atomic(Path(path), fixed)  # the author's document: never left half-written
                    typer.echo(f"fixed {path}", err=True)
                if fix and fixed != text:  # report on what the file now says; --diff alone changed nothing
                    text = fixed
                    matches = _matches(text, path, config, people, changed)
            findings.extend(_with_rewrites(text, matches, people, sentences=rewrites or fix or diff))
            _note_unused_ignores(path, text, config, people, changed)
        except PipelineError as error:
            errors.append(error)

    from pipeline.redact import redact

    rendered = RENDERERS[fmt.value]([_redacted(finding) for finding in findings])
    if diff or (fix and "-" in files):
        sys.stderr.write(rendered)
    else:
        sys.stdout.write(rendered)
    if fmt is CheckFormat.github and os.environ.get("GITHUB_STEP_SUMMARY"):
        from pipeline.blameless.render.github import summary_table

        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(summary_table(findings))
    for error in errors:
        typer.echo(redact(error.user_message()), err=True)
    if errors:
        raise typer.Exit(2)
    if any(f.level.rank >= fail_on.rank for f in findings):
        raise typer.Exit(1)


def rules_list(ctx: typer.Context) -> None:
    """List every rule: id, default level, slug."""
    if ctx.invoked_subcommand is None:
        from pipeline.blameless.docs import rules_table

        typer.echo(rules_table(_rules()), nl=False)


def rules_explain(rule: Annotated[str, typer.Argument(help="Rule id (BL002) or slug (counterfactual).")]) -> None:
    """What a rule catches, why, an example, and what to write instead."""
    from pipeline.blameless.docs import explain_rule

    compiled = _rules().by_id(rule)
    if compiled is None:
        fail(ConfigError("rules explain", f"unknown rule {rule!r}; run `postmortem rules` for the list"))
    typer.echo(explain_rule(compiled), nl=False)


def _rules() -> RuleSet:
    """The rules in effect (bundled plus the team's); a bad rule file ends the command with exit 2."""
    from pipeline.blameless.rules import active_rules

    try:
        return active_rules()
    except PipelineError as error:
        fail(error)
