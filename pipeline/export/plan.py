"""From draft.json to the issues a tracker should hold: titles, bodies, labels, assignees, markers.

Planning is pure (no network, no token), so `--dry-run` shows exactly what a real run would send and any
problem with the draft or the people map is reported before the first issue is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import InputError
from pipeline.ingest.files import read_text
from pipeline.models import ActionItem, Draft
from pipeline.render import escape_inline
from pipeline.settings import ExportSettings

TRACKERS = ("github", "jira")
TRACKER_NAMES = {"github": "GitHub", "jira": "Jira"}
LABEL = "postmortem"
MARKER_RE = re.compile(r"postmortem-action: (?P<marker>[a-z0-9-]+/[a-z0-9-]+)")
DIGEST_RE = re.compile(r"postmortem-digest: (?P<digest>[0-9a-f]{12})")
MAX_TITLE_CHARS = 120
KEY_WORDS = 8


@dataclass(frozen=True)
class PlannedIssue:
    """One action item as the tracker should show it. `text` is the body without the marker lines."""

    marker: str
    action: str
    title: str
    text: str
    labels: tuple[str, ...]
    owner: str | None
    assignee: str | None
    due: str | None
    digest: str


def load_draft(path: Path) -> Draft:
    """draft.json as the Draft model, or one InputError naming the file (and line, for broken JSON)."""
    text = read_text(path, what="draft.json")
    hint = "write it with: postmortem draft INCIDENT_DIR --format json -o draft.json"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not JSON: {exc.msg}", line=exc.lineno, hint=hint) from exc
    try:
        return Draft.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "draft"
        raise InputError(path, f"not a postmortem draft: {field}: {first['msg']}", hint=hint) from exc


def draft_id(draft: Draft) -> str:
    """Stable across re-drafts of one incident: the locked timeline's hash (the incident's contract), else
    the date and title."""
    seed = draft.metadata.timeline_sha256 or f"{draft.date}|{draft.title}"
    return hashlib.sha256(seed.encode()).hexdigest()[:12]


def action_key(action: str, taken: set[str]) -> str:
    """A readable key from the action's first words ("add-a-ci-check-that-flags-changes-to"), unique in the draft."""
    words = re.findall(r"[a-z0-9]+", action.lower())[:KEY_WORDS]
    base = "-".join(words) or "action"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    taken.add(key)
    return key


def plan_issues(
    draft: Draft, tracker: str, settings: ExportSettings, link: str | None = None
) -> tuple[list[PlannedIssue], list[str]]:
    """The issues for every action item, and warnings (owners the people map cannot assign)."""
    from pipeline.package_data import package_path
    from pipeline.redact import redact
    from pipeline.render import template_environment

    template = template_environment(package_path("templates")).get_template("action_issue.md.j2")
    escape = escape_inline if tracker == "github" else (lambda text: " ".join(str(text).split()))
    identity, taken = draft_id(draft), set()
    link = link or settings.value("export", "postmortem_url")
    planned, warnings = [], []
    for item in draft.action_items:
        assignee = _account(item.owner, tracker, settings)
        if item.owner and assignee is None:
            warnings.append(
                f"{item.owner} has no {tracker} account in postmortem.toml, so {item.action!r} is left unassigned "
                f'(add [people."{item.owner}"] {tracker} = "...")'
            )
        due = _iso_date(item.due)
        text = template.render(
            item=item,
            owner=item.owner or "not assigned in the postmortem",
            due=item.due or "not set",
            postmortem=_postmortem_reference(draft, tracker, link),
            evidence=[(ref, draft.evidence_index.get(ref, "not in the evidence index")) for ref in item.evidence],
            escape=escape,
        )
        title = redact(_title(item))
        text = redact(text).strip() + "\n"
        labels = _labels(item, tracker, identity)
        planned.append(
            PlannedIssue(
                marker=f"{identity}/{action_key(item.action, taken)}",
                action=item.action,
                title=title,
                text=text,
                labels=labels,
                owner=item.owner,
                assignee=assignee,
                due=due,
                digest=_digest(title, text, labels, assignee, due),
            )
        )
    return planned, warnings


def _postmortem_reference(draft: Draft, tracker: str, link: str | None) -> str:
    """The postmortem's title and date, linked: a markdown link on GitHub, the bare URL after it on Jira."""
    title = f"{draft.title} ({draft.date})" if draft.date else draft.title
    if tracker == "github":
        return f"[{escape_inline(title)}]({link})" if link else escape_inline(title)
    return f"{title} {link}" if link else title


def _account(owner: str | None, tracker: str, settings: ExportSettings) -> str | None:
    if not owner:
        return None
    accounts = settings.people.get(owner) or next(
        (value for name, value in settings.people.items() if name.casefold() == owner.casefold()), {}
    )
    return accounts.get(tracker)


def _title(item: ActionItem) -> str:
    title = " ".join(item.action.split())
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 3].rstrip() + "..."


def _labels(item: ActionItem, tracker: str, identity: str) -> tuple[str, ...]:
    """GitHub labels may hold spaces and colons; Jira labels may not hold spaces."""
    priority = re.sub(r"[^A-Za-z0-9]+", "-", item.priority).strip("-") if item.priority else None
    if tracker == "github":
        labels = [LABEL, f"type: {item.type.value}"] + ([f"priority: {priority}"] if priority else [])
    else:
        labels = [LABEL, f"{LABEL}-{identity}", f"type-{item.type.value}"] + (
            [f"priority-{priority}"] if priority else []
        )
    return tuple(sorted(labels))


def _iso_date(value: str | None) -> str | None:
    """The due date when it is a calendar date (trackers take only those); other wording stays in the body."""
    try:
        return date.fromisoformat(value.strip()).isoformat() if value else None
    except ValueError:
        return None


def _digest(title: str, text: str, labels: tuple[str, ...], assignee: str | None, due: str | None) -> str:
    payload = json.dumps([title, text, list(labels), assignee, due], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]
