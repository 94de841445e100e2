"""The loopback server behind `postmortem review`: one draft, one random token, nothing else reachable.

- binds 127.0.0.1 only, and answers only requests whose Host is that address (or localhost) and port,
  so a web page elsewhere cannot reach it through a rebound DNS name;
- every request carries the token (`?token=` on pages and assets, the `X-Review-Token` header on
  decisions) or gets 403; decisions must be JSON, so a plain cross-site form cannot post one;
- the only files written are the reviewed draft and the review.jsonl beside it (pipeline.review.decisions);
- responses forbid inline script, framing, referrers and caching (the token is in the URL).
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pipeline.errors import PipelineError

HOST = "127.0.0.1"
MAX_BODY = 64 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class ReviewServer(ThreadingHTTPServer):
    """Serves the page for `draft`; decisions are applied one at a time (a lock around read-edit-write)."""

    daemon_threads = True

    def __init__(self, draft: Path, *, incident: Path | None = None, port: int = 0, token: str | None = None):
        self.draft = draft.resolve()
        self.incident = incident
        self.token = token or secrets.token_urlsafe(24)
        self.decision_lock = threading.Lock()
        self.rewriter_ready = threading.Event()
        self._rewriter_started = threading.Lock()
        super().__init__((HOST, port), ReviewHandler)
        self.allowed_hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"

    def page(self) -> str:
        from pipeline.review.analysis import analyse
        from pipeline.review.decisions import log_path, read_decisions, standing
        from pipeline.review.page import render_review_page

        doc = analyse(self.draft, incident=self.incident, sentence_rewrites=self.rewriter_ready.is_set())
        if any(f.rewrite_pending for f in doc.findings):
            self.load_rewriter()
        decisions = [d for d in standing(read_decisions(log_path(self.draft))) if d.draft == self.draft.name]
        return render_review_page(doc, token=self.token, decisions=decisions)

    def load_rewriter(self) -> None:
        """Load the grammar rewriter (spaCy: seconds) in the background, once; pages show its sentence
        rewrites from the first load after it is ready, and never wait for it."""
        if not self._rewriter_started.acquire(blocking=False):
            return

        def load() -> None:
            from pipeline.blameless.sentence import nlp

            try:
                nlp()
            except (ImportError, OSError, RuntimeError):
                return  # no model: findings keep their suggestion, without a rewrite to accept
            self.rewriter_ready.set()

        threading.Thread(target=load, name="load-rewriter", daemon=True).start()

    def similar(self) -> dict:
        """Past incidents like this draft, from the team's library (else the bundled examples): asked on
        demand, because the first search loads the embedding model and Chroma (seconds)."""
        from pipeline.similar.library import library_to_search, similar_to_draft
        from pipeline.similar.store import StoreConfig

        config, library = library_to_search(StoreConfig.resolve())
        found = similar_to_draft(self.draft, k=5, config=config)
        return {
            "library": library,
            "incidents": [
                {"id": s.incident_id, "title": s.title, "score": round(s.score, 2), "why": s.why} for s in found
            ],
        }

    def decide(self, request: dict) -> dict:
        from pipeline.review import decisions
        from pipeline.review.analysis import analyse

        action, version = request.get("action"), request.get("version")
        if action not in ("accept", "reject", "keep", "remove", "edit", "undo") or not isinstance(version, str):
            raise ValueError("expected {action: accept|reject|keep|remove|edit|undo, version, key or decision}")
        with self.decision_lock:
            doc = analyse(
                self.draft, incident=self.incident, with_score=False, sentence_rewrites=self.rewriter_ready.is_set()
            )
            if action == "undo":
                made = decisions.undo(doc, str(request.get("decision", "")), version)
            elif action == "edit":
                made = decisions.edit(doc, str(request.get("key", "")), version, request.get("source"))
            else:
                made = getattr(decisions, action)(doc, str(request.get("key", "")), version)
        return {"ok": True, "decision": made.id}


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "postmortem-review"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:
        """Quiet: request lines would print the token into the terminal's scrollback and logs."""

    def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _refuse(self, status: int, reason: str) -> None:
        self._send(status, json.dumps({"error": reason}), "application/json")

    def _allowed(self, token: str | None) -> bool:
        if self.headers.get("Host", "") not in self.server.allowed_hosts:
            self._refuse(403, "unexpected Host header")
            return False
        if token is None or not hmac.compare_digest(token.encode(), self.server.token.encode()):
            self._refuse(403, "missing or wrong token: open the URL `postmortem review` printed")
            return False
        return True

    def do_GET(self) -> None:  # http.server calls do_<METHOD>
        from pipeline.review.page import STATIC_FILES, static_text

        url = urlsplit(self.path)
        if not self._allowed(parse_qs(url.query).get("token", [None])[0]):
            return
        if url.path == "/":
            try:
                self._send(200, self.server.page())
            except PipelineError as error:
                self._send(500, f"<!doctype html><title>error</title><pre>{escape(error.user_message())}</pre>")
        elif url.path == "/api/similar":
            try:
                self._send(200, json.dumps(self.server.similar()), "application/json")
            except PipelineError as error:
                self._refuse(409, error.user_message())
        elif url.path.startswith("/static/") and url.path[len("/static/") :] in STATIC_FILES:
            name = url.path[len("/static/") :]
            self._send(200, static_text(name), STATIC_FILES[name])
        else:
            self._refuse(404, "not found")

    def do_POST(self) -> None:
        if not self._allowed(self.headers.get("X-Review-Token")):
            return
        if urlsplit(self.path).path != "/api/decision":
            self._refuse(404, "not found")
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._refuse(415, "decisions are JSON")
            return
        length = self.headers.get("Content-Length", "")
        length = int(length) if length.isdigit() else 0
        if not 0 < length <= MAX_BODY:
            self._refuse(413, "request body missing or too large")
            return
        try:
            request = json.loads(self.rfile.read(length))
            if not isinstance(request, dict):
                raise ValueError("expected a JSON object")
            answer = self.server.decide(request)
        except (ValueError, UnicodeDecodeError) as error:
            self._refuse(400, str(error))
        except PipelineError as error:
            self._refuse(409, error.user_message())
        except OSError as error:  # a read-only draft or folder: say so on the page, change nothing
            self._refuse(500, f"cannot write {self.server.draft.name}: {error.strerror or error}")
        else:
            self._send(200, json.dumps(answer), "application/json")
