"""Loopback fakes of the GitHub REST v3 issues API and the Jira Cloud REST v3 issue API (http.server, 127.0.0.1).

They keep issues in memory, check credentials, page their listings (GitHub `Link` headers, Jira
`nextPageToken`) and refuse what the real services refuse: GitHub answers 422 "Validation Failed" for an
unknown assignee, Jira 400 with `errors` for an unknown accountId or a bad due date. Every request is
logged (method, path, headers) so tests can count writes and look for tokens.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeState:
    """Issues by id, the accounts that exist, the credential that is accepted, and a log of requests."""

    credential: str = field(repr=False)
    users: set[str]
    page_size: int = 2
    throttle: int = 0  # answer this many of the next requests with 429 and Retry-After: 0
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)

    def writes(self) -> list[Request]:
        return [
            request
            for request in self.log
            if request.method in ("POST", "PATCH", "PUT") and "search" not in request.path
        ]


class FakeServer:
    """Runs a handler class on 127.0.0.1 in a thread; use as a context manager."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], state: FakeState, port: int = 0):
        handler_class = type(handler.__name__, (handler,), {"state": state})
        self.state = state
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler_class)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    state: FakeState

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _read(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.state.log.append(Request(self.command, self.path, dict(self.headers), body))
        return body

    def _send(self, status: int, payload: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class GitHubHandler(_Handler):
    """/repos/{owner}/{repo}/issues: list (state, labels, per_page, page), create; /issues/{n}: update."""

    def _authorized(self) -> bool:
        if self.state.throttle > 0:
            self.state.throttle -= 1
            self._send(429, {"message": "API rate limit exceeded"}, {"Retry-After": "0"})
            return False
        if self.headers.get("Authorization") != f"Bearer {self.state.credential}":
            self._send(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
            return False
        return True

    def do_GET(self) -> None:
        self._read()
        if not self._authorized():
            return
        url = urlparse(self.path)
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues", url.path)
        if not match:
            return self._send(404, {"message": "Not Found"})
        query = parse_qs(url.query)
        label = query.get("labels", [None])[0]
        per_page = min(int(query.get("per_page", ["30"])[0]), self.state.page_size)
        page = int(query.get("page", ["1"])[0])
        chosen = [
            issue
            for issue in self.state.issues.values()
            if label is None or label in [item["name"] for item in issue["labels"]]
        ]
        chosen.sort(key=lambda issue: issue["number"])
        window = chosen[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(chosen):
            base = f"http://{self.headers['Host']}{url.path}"
            headers["Link"] = f'<{base}?state=all&labels={label}&per_page={per_page}&page={page + 1}>; rel="next"'
        self._send(200, window, headers)

    def do_POST(self) -> None:
        body = self._read()
        if not self._authorized():
            return
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues", urlparse(self.path).path)
        if not match:
            return self._send(404, {"message": "Not Found"})
        if error := self._invalid(body, creating=True):
            return self._send(422, error)
        number = len(self.state.issues) + 1
        issue = {"number": number, "html_url": f"https://github.example/{match[1]}/issues/{number}", "state": "open"}
        self.state.issues[str(number)] = self._apply(issue, body)
        self._send(201, self.state.issues[str(number)])

    def do_PATCH(self) -> None:
        body = self._read()
        if not self._authorized():
            return
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", urlparse(self.path).path)
        if not match or match[2] not in self.state.issues:
            return self._send(404, {"message": "Not Found"})
        if error := self._invalid(body, creating=False):
            return self._send(422, error)
        self._send(200, self._apply(self.state.issues[match[2]], body))

    def _invalid(self, body: Any, *, creating: bool) -> dict[str, Any] | None:
        errors = []
        if creating and not (isinstance(body, dict) and str(body.get("title", "")).strip()):
            errors.append({"resource": "Issue", "code": "missing_field", "field": "title"})
        for login in (body or {}).get("assignees", []):
            if login not in self.state.users:
                errors.append({"resource": "Issue", "code": "invalid", "field": "assignees", "value": login})
        return {"message": "Validation Failed", "errors": errors} if errors else None

    @staticmethod
    def _apply(issue: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("title", "body"):
            if key in body:
                issue[key] = body[key]
        if "labels" in body:
            issue["labels"] = [{"name": name} for name in body["labels"]]
        if "assignees" in body:
            issue["assignees"] = [{"login": login} for login in body["assignees"]]
        issue.setdefault("labels", [])
        issue.setdefault("assignees", [])
        return issue


class JiraHandler(_Handler):
    """/rest/api/3/search/jql (labels = "X"), /rest/api/3/issue (create), /rest/api/3/issue/{key} (update)."""

    project = "OPS"

    def _authorized(self) -> bool:
        expected = "Basic " + base64.b64encode(self.state.credential.encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._send(401, {"errorMessages": ["You are not authenticated."], "errors": {}})
            return False
        return True

    def do_POST(self) -> None:
        body = self._read()
        if not self._authorized():
            return
        path = urlparse(self.path).path
        if path == "/rest/api/3/search/jql":
            return self._search(body)
        if path != "/rest/api/3/issue":
            return self._send(404, {"errorMessages": ["Not found"]})
        fields = body.get("fields", {})
        errors = self._invalid(fields)
        if fields.get("project", {}).get("key") != self.project:
            errors["project"] = "valid project is required"
        if fields.get("issuetype", {}).get("name") != "Task":
            errors["issuetype"] = "Specify a valid issue type"
        if errors:
            return self._send(400, {"errorMessages": [], "errors": errors})
        key = f"{self.project}-{len(self.state.issues) + 1}"
        self.state.issues[key] = {"key": key, "fields": fields}
        self._send(201, {"id": str(len(self.state.issues)), "key": key, "self": f"/rest/api/3/issue/{key}"})

    def do_PUT(self) -> None:
        body = self._read()
        if not self._authorized():
            return
        match = re.fullmatch(r"/rest/api/3/issue/([A-Z]+-\d+)", urlparse(self.path).path)
        if not match or match[1] not in self.state.issues:
            return self._send(404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]})
        fields = body.get("fields", {})
        if errors := self._invalid(fields):
            return self._send(400, {"errorMessages": [], "errors": errors})
        self.state.issues[match[1]]["fields"].update(fields)
        self._send(204)

    def _invalid(self, fields: dict[str, Any]) -> dict[str, str]:
        errors = {}
        if "summary" in fields and not str(fields["summary"]).strip():
            errors["summary"] = "You must specify a summary of the issue."
        assignee = fields.get("assignee")
        if assignee and assignee.get("accountId") not in self.state.users:
            errors["assignee"] = f"User '{assignee.get('accountId')}' cannot be assigned issues."
        due = fields.get("duedate")
        if due is not None:
            try:
                date.fromisoformat(due)
            except (TypeError, ValueError):
                errors["duedate"] = "Error parsing date string: " + str(due)
        return errors

    def _search(self, body: dict[str, Any]) -> None:
        label = re.search(r'labels = "([^"]+)"', body.get("jql", ""))
        chosen = [
            issue
            for issue in self.state.issues.values()
            if label is None or label[1] in issue["fields"].get("labels", [])
        ]
        start = int(body.get("nextPageToken") or 0)
        size = min(int(body.get("maxResults", 50)), self.state.page_size)
        window = chosen[start : start + size]
        last = start + size >= len(chosen)
        page = {
            "issues": [
                {"key": issue["key"], "fields": {name: issue["fields"].get(name) for name in body.get("fields", [])}}
                for issue in window
            ],
            "isLast": last,
        }
        if not last:
            page["nextPageToken"] = str(start + size)
        self._send(200, page)
