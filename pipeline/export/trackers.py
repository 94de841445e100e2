"""GitHub (REST v3) and Jira Cloud (REST v3) as export targets: find our issues, create, update.

Both find the issues of one draft by a label (GitHub: `postmortem`; Jira: `postmortem-<draft id>`) and
then by the marker in the body, because listing by label is exact where full-text search is eventually
consistent and fuzzy. Labels a person added to an issue are kept when the issue is updated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.errors import ConfigError
from pipeline.export.http import TIMEOUT_SECONDS, send
from pipeline.export.plan import DIGEST_RE, LABEL, MARKER_RE, PlannedIssue

if TYPE_CHECKING:
    import httpx

GITHUB_API = "https://api.github.com"
REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
JIRA_PROJECT_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,30}$")
OUR_GITHUB_LABELS = re.compile(r"^(?:postmortem|type: .*|priority: .*)$")
OUR_JIRA_LABELS = re.compile(r"^(?:postmortem(?:-[0-9a-f]+)?|type-.*|priority-.*)$")
PAGE_SIZE = 100
MAX_PAGES = 100


@dataclass(frozen=True)
class ExistingIssue:
    """An issue the tracker already holds for one of the draft's action items."""

    marker: str
    digest: str | None
    handle: str
    ref: str
    url: str
    labels: tuple[str, ...] = field(default=())


class Tracker(Protocol):
    name: str

    def existing(self, identity: str) -> dict[str, ExistingIssue]: ...

    def create(self, issue: PlannedIssue) -> ExistingIssue: ...

    def update(self, current: ExistingIssue, issue: PlannedIssue) -> ExistingIssue: ...


class GitHubIssues:
    """Issues of one repository, through the GitHub REST API v3."""

    name = "GitHub"

    def __init__(self, repo: str, token: str, api_url: str = GITHUB_API, client: httpx.Client | None = None):
        import httpx

        if not REPO_RE.match(repo):
            raise ConfigError("postmortem.toml", f"[export.github] repo must be owner/name, not {repo!r}")
        self.repo = repo
        self.hint = f"GITHUB_TOKEN needs permission to read and write issues of {repo}"
        self.client = client or httpx.Client(
            base_url=api_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "postmortem-pipeline",
            },
            timeout=TIMEOUT_SECONDS,
        )

    def existing(self, identity: str) -> dict[str, ExistingIssue]:
        found: dict[str, ExistingIssue] = {}
        url: str | None = f"/repos/{self.repo}/issues"
        params: dict[str, Any] | None = {"state": "all", "labels": LABEL, "per_page": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = send(self.client, self.name, "GET", url, params=params, hint=self.hint)
            for issue in response.json():
                if "pull_request" in issue:
                    continue
                current = self._existing(issue)
                if current is not None and current.marker.startswith(f"{identity}/"):
                    found.setdefault(current.marker, current)
            url, params = response.links.get("next", {}).get("url"), None
        return found

    def create(self, issue: PlannedIssue) -> ExistingIssue:
        payload = {**self._fields(issue), "labels": list(issue.labels)}
        return self._write("POST", f"/repos/{self.repo}/issues", payload, issue)

    def update(self, current: ExistingIssue, issue: PlannedIssue) -> ExistingIssue:
        kept = [label for label in current.labels if not OUR_GITHUB_LABELS.match(label)]
        payload = {**self._fields(issue), "labels": sorted({*issue.labels, *kept})}
        return self._write("PATCH", f"/repos/{self.repo}/issues/{current.handle}", payload, issue)

    def _write(self, method: str, path: str, payload: dict, issue: PlannedIssue) -> ExistingIssue:
        """Create or update one issue; the answer is read back as the issue it now is."""
        response = send(self.client, self.name, method, path, json=payload, action=issue.action, hint=self.hint)
        return self._existing(response.json()) or self._fallback(response.json(), issue)

    @staticmethod
    def body(issue: PlannedIssue) -> str:
        return f"{issue.text}\n<!-- postmortem-action: {issue.marker} -->\n<!-- postmortem-digest: {issue.digest} -->\n"

    def _fields(self, issue: PlannedIssue) -> dict[str, Any]:
        return {"title": issue.title, "body": self.body(issue), "assignees": [issue.assignee] if issue.assignee else []}

    @staticmethod
    def _existing(issue: dict[str, Any]) -> ExistingIssue | None:
        body = issue.get("body") or ""
        marker, digest = MARKER_RE.search(body), DIGEST_RE.search(body)
        if marker is None:
            return None
        return ExistingIssue(
            marker=marker["marker"],
            digest=digest["digest"] if digest else None,
            handle=str(issue["number"]),
            ref=f"#{issue['number']}",
            url=str(issue.get("html_url", "")),
            labels=tuple(label["name"] if isinstance(label, dict) else str(label) for label in issue.get("labels", [])),
        )

    @staticmethod
    def _fallback(issue: dict[str, Any], planned: PlannedIssue) -> ExistingIssue:
        number = issue.get("number", "?")
        return ExistingIssue(planned.marker, planned.digest, str(number), f"#{number}", str(issue.get("html_url", "")))


class JiraIssues:
    """Issues of one Jira Cloud project, through the Jira REST API v3 (descriptions in ADF)."""

    name = "Jira"

    def __init__(
        self,
        url: str,
        project: str,
        email: str,
        token: str,
        issue_type: str = "Task",
        client: httpx.Client | None = None,
    ):
        import httpx

        if not JIRA_PROJECT_RE.match(project):
            raise ConfigError(
                "postmortem.toml", f"[export.jira] project must be a project key like OPS, not {project!r}"
            )
        self.site = url.rstrip("/")
        self.project = project
        self.issue_type = issue_type
        self.hint = f"JIRA_EMAIL and JIRA_API_TOKEN must belong to a user who may create issues in {project}"
        self.client = client or httpx.Client(
            base_url=self.site,
            auth=httpx.BasicAuth(email, token),
            headers={"Accept": "application/json", "User-Agent": "postmortem-pipeline"},
            timeout=TIMEOUT_SECONDS,
        )

    def existing(self, identity: str) -> dict[str, ExistingIssue]:
        found: dict[str, ExistingIssue] = {}
        query: dict[str, Any] = {
            "jql": f'project = "{self.project}" AND labels = "{LABEL}-{identity}" ORDER BY created ASC',
            "fields": ["summary", "description", "labels"],
            "maxResults": PAGE_SIZE,
        }
        for _ in range(MAX_PAGES):
            response = send(self.client, self.name, "POST", "/rest/api/3/search/jql", json=query, hint=self.hint)
            page = response.json()
            for issue in page.get("issues", []):
                current = self._existing(issue)
                if current is not None and current.marker.startswith(f"{identity}/"):
                    found.setdefault(current.marker, current)
            token = page.get("nextPageToken")
            if page.get("isLast", True) or not token:
                break
            query = {**query, "nextPageToken": token}
        return found

    def create(self, issue: PlannedIssue) -> ExistingIssue:
        fields = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            **{name: value for name, value in self._fields(issue).items() if value is not None},
            "labels": list(issue.labels),
        }
        response = send(
            self.client,
            self.name,
            "POST",
            "/rest/api/3/issue",
            json={"fields": fields},
            action=issue.action,
            hint=self.hint,
        )
        key = str(response.json().get("key", "?"))
        return ExistingIssue(issue.marker, issue.digest, key, key, f"{self.site}/browse/{key}", issue.labels)

    def update(self, current: ExistingIssue, issue: PlannedIssue) -> ExistingIssue:
        kept = [label for label in current.labels if not OUR_JIRA_LABELS.match(label)]
        fields = {**self._fields(issue), "labels": sorted({*issue.labels, *kept})}
        send(
            self.client,
            self.name,
            "PUT",
            f"/rest/api/3/issue/{current.handle}",
            json={"fields": fields},
            action=issue.action,
            hint=self.hint,
        )
        return ExistingIssue(
            issue.marker, issue.digest, current.handle, current.ref, current.url, tuple(fields["labels"])
        )

    @staticmethod
    def description(issue: PlannedIssue) -> dict[str, Any]:
        """The body as an Atlassian Document: one paragraph per line, the marker in the last one."""
        lines = [line for line in issue.text.splitlines() if line.strip()]
        lines.append(f"postmortem-action: {issue.marker} postmortem-digest: {issue.digest}")
        return {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": line}]} for line in lines],
        }

    def _fields(self, issue: PlannedIssue) -> dict[str, Any]:
        return {
            "summary": issue.title,
            "description": self.description(issue),
            "assignee": {"accountId": issue.assignee} if issue.assignee else None,
            "duedate": issue.due,
        }

    def _existing(self, issue: dict[str, Any]) -> ExistingIssue | None:
        fields = issue.get("fields") or {}
        text = " ".join(adf_text(fields.get("description")))
        marker, digest = MARKER_RE.search(text), DIGEST_RE.search(text)
        if marker is None:
            return None
        key = str(issue.get("key", "?"))
        return ExistingIssue(
            marker=marker["marker"],
            digest=digest["digest"] if digest else None,
            handle=key,
            ref=key,
            url=f"{self.site}/browse/{key}",
            labels=tuple(str(label) for label in fields.get("labels") or []),
        )


def adf_text(node: Any) -> list[str]:
    """Every text run of an Atlassian Document, in order (a plain string description is its own text)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        runs = [node["text"]] if isinstance(node.get("text"), str) else []
        return runs + [text for child in node.get("content") or [] for text in adf_text(child)]
    if isinstance(node, list):
        return [text for child in node for text in adf_text(child)]
    return []
