"""Export one draft's action items: plan, read credentials, find existing issues, create or update each.

Everything that can be wrong locally (the draft, postmortem.toml, a missing token) is found before the first
request, so a bad run writes nothing. A tracker that refuses one issue stops the run; the issues already
written carry their marker, so the next run updates them instead of writing them again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import ConfigError
from pipeline.export.plan import TRACKER_NAMES, TRACKERS, PlannedIssue, draft_id, load_draft, plan_issues
from pipeline.settings import ExportSettings, export_settings

if TYPE_CHECKING:
    from pipeline.export.trackers import Tracker

TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/:~")


@dataclass(frozen=True)
class Outcome:
    """What happened to one action item: created, updated, unchanged, or (dry run) create/update planned."""

    status: str
    issue: PlannedIssue
    ref: str = ""
    url: str = ""


def export_actions(
    draft_path: Path,
    to: str,
    *,
    dry_run: bool = False,
    link: str | None = None,
    settings: ExportSettings | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[list[Outcome], list[str]]:
    """Outcomes per action item (in draft order) and warnings for the user."""
    if to not in TRACKERS:
        raise ConfigError("--to", f"unknown tracker {to!r}; use {' or '.join(TRACKERS)}")
    draft = load_draft(draft_path)
    settings = settings or export_settings()
    planned, warnings = plan_issues(draft, to, settings, link)
    if not planned:
        warnings.append(f"{draft_path}: the draft has no action items; nothing to export")
    if dry_run or not planned:
        return [Outcome("would write", issue) for issue in planned], warnings
    tracker = open_tracker(to, settings, os.environ if environ is None else environ)
    existing = tracker.existing(draft_id(draft))
    outcomes = []
    for issue in planned:
        current = existing.get(issue.marker)
        if current is None:
            written = tracker.create(issue)
            outcomes.append(Outcome("created", issue, written.ref, written.url))
        elif current.digest == issue.digest:
            outcomes.append(Outcome("unchanged", issue, current.ref, current.url))
        else:
            written = tracker.update(current, issue)
            outcomes.append(Outcome("updated", issue, written.ref, written.url))
    return outcomes, warnings


def open_tracker(to: str, settings: ExportSettings, environ: Mapping[str, str]) -> Tracker:
    """The tracker client from postmortem.toml and the credentials in the environment or a token file."""
    from pipeline.export.trackers import GITHUB_API, GitHubIssues, JiraIssues

    where = settings.path or "postmortem.toml"
    if to == "github":
        repo = settings.value("export.github", "repo")
        if repo is None:
            raise ConfigError(where, "[export.github] repo is not set")
        token = _token(environ, "GITHUB_TOKEN", settings, "export.github")
        return GitHubIssues(repo, token, settings.value("export.github", "api_url") or GITHUB_API)
    url, project = settings.value("export.jira", "url"), settings.value("export.jira", "project")
    if url is None or project is None:
        raise ConfigError(where, '[export.jira] needs url and project (e.g. url = "https://acme.atlassian.net")')
    email = environ.get("JIRA_EMAIL") or settings.value("export.jira", "email")
    if not email:
        raise ConfigError("JIRA_EMAIL", "no Jira user: set JIRA_EMAIL, or email in [export.jira] of postmortem.toml")
    token = _token(environ, "JIRA_API_TOKEN", settings, "export.jira")
    issue_type = settings.value("export.jira", "issue_type") or "Task"
    return JiraIssues(url, project, email, token, issue_type=issue_type)


def _token(environ: Mapping[str, str], variable: str, settings: ExportSettings, section: str) -> str:
    """The token from `variable`, else from `token_file`; errors name where to put it, never what it is."""
    token = (environ.get(variable) or "").strip()
    source = variable
    if not token:
        file = settings.file(section, "token_file")
        if file is None:
            raise ConfigError(
                variable,
                f"no token: set {variable}, or token_file in [{section}] of postmortem.toml",
            )
        try:
            token = file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(file, f"cannot read the token file ({type(exc).__name__})") from None
        source = str(file)
    if not token or not set(token) <= TOKEN_CHARACTERS:
        raise ConfigError(source, "the token is empty or holds characters no token has (spaces, quotes, newlines)")
    return token


def tracker_name(to: str) -> str:
    return TRACKER_NAMES.get(to, to)
