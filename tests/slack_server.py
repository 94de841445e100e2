"""A loopback fake of the Slack Web API methods `postmortem fetch slack` calls, for tests and the benchmark.

conversations.history (newest first, oldest/latest/inclusive, cursor pages), conversations.replies
(parent first, then replies, cursor pages), users.info (deleted users, user_not_found),
conversations.list. Faults a real workspace produces: a 429 with Retry-After every N calls, a method
whose scope the token lacks (`missing_scope` with `needed`), a wrong token (`invalid_auth`).
Every request is kept in `requests` (method, form fields, Authorization header) so tests can assert
what reached the server. Runs on 127.0.0.1 on a free port unless a fixed one is given (cassette recording).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SCOPES = {
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    "conversations.list": "channels:read",
    "users.info": "users:read",
}
ALL_SCOPES = frozenset(SCOPES.values())


@dataclass
class Workspace:
    """What the fake serves: channels (ID -> name and top-level messages), threads, users."""

    channels: dict[str, str] = field(default_factory=dict)  # ID -> name
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> top-level messages
    threads: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)  # (channel, ts) -> replies
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # ID -> users.info `user` object

    def add_reply(self, channel: str, parent: dict[str, Any], reply: dict[str, Any]) -> None:
        """A reply in `parent`'s thread; the parent's reply_count and latest_reply follow, as in Slack."""
        replies = self.threads.setdefault((channel, parent["ts"]), [])
        replies.append({**reply, "thread_ts": parent["ts"]})
        parent["thread_ts"] = parent["ts"]
        parent["reply_count"] = len(replies)
        parent["latest_reply"] = max((r["ts"] for r in replies), key=Decimal)


def user(user_id: str, real_name: str, deleted: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": real_name.lower().replace(" ", "."),
        "deleted": deleted,
        "real_name": real_name,
        "profile": {"real_name": real_name, "display_name": real_name.split()[0]},
    }


def synthetic_channel(
    messages: int, *, thread_every: int = 10, replies_per_thread: int = 2, start: int = 1_715_680_000, users: int = 20
) -> Workspace:
    """A channel "C0SYNTH" with `messages` messages in all (top-level plus thread replies), one a second."""
    workspace = Workspace(channels={"C0SYNTH": "inc-synthetic"})
    workspace.users = {f"U{n:04d}": user(f"U{n:04d}", f"Person {n}") for n in range(users)}
    top: list[dict[str, Any]] = []
    written = 0
    second = 0
    while written < messages:
        ts = f"{start + second}.{second % 1_000_000:06d}"
        second += 1
        parent = {"type": "message", "ts": ts, "user": f"U{written % users:04d}", "text": f"message {written}"}
        top.append(parent)
        written += 1
        if len(top) % thread_every == 0:
            for _ in range(min(replies_per_thread, messages - written)):
                reply_ts = f"{start + second}.{second % 1_000_000:06d}"
                second += 1
                reply = {
                    "type": "message",
                    "ts": reply_ts,
                    "user": f"U{written % users:04d}",
                    "text": f"reply {written}",
                }
                workspace.add_reply("C0SYNTH", parent, reply)
                written += 1
    workspace.history["C0SYNTH"] = top
    return workspace


class FakeSlack:
    """The server; use as a context manager. `rate_limit_every=N` answers every Nth call with 429."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        token: str,
        scopes: frozenset[str] = ALL_SCOPES,
        rate_limit_every: int = 0,
        retry_after: str = "1",
        latency: float = 0.0,
        outage_status: int = 0,
        outage_after: int = 0,
        rate_limit_status: int = 429,
        oldest_first: bool = False,
        port: int = 0,
    ):
        self.workspace = workspace
        self.token = token
        self.scopes = scopes
        self.rate_limit_every = rate_limit_every
        self.retry_after = retry_after
        self.latency = latency
        self.outage_status = outage_status  # when set, every call gets this status and a proxy's HTML page
        self.outage_after = outage_after  # ... from this call on (0: from the first)
        self.rate_limit_status = rate_limit_status  # 200: "ratelimited" in an ordinary answer, as some proxies do
        self.oldest_first = oldest_first  # page history in the order Slack does not use, to test the checkpoint
        self.port = port
        self.calls = 0
        self.rate_limited = 0
        self.requests: list[tuple[str, dict[str, str], str]] = []
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def __enter__(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                form = dict(parse_qsl(urlsplit(self.path).query)) | dict(parse_qsl(body))
                method = urlsplit(self.path).path.rsplit("/", 1)[-1]
                status, headers, payload = fake.answer(method, form, self.headers.get("Authorization", ""))
                data = payload.encode("utf-8") if isinstance(payload, str) else json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------ the API

    def answer(self, method: str, form: dict[str, str], authorization: str) -> tuple[int, dict[str, str], dict | str]:
        with self._lock:
            self.calls += 1
            self.requests.append((method, form, authorization))
            limited = self.rate_limit_every and self.calls % self.rate_limit_every == 0
            if limited:
                self.rate_limited += 1
        if self.latency:
            time.sleep(self.latency)
        if limited:
            return self.rate_limit_status, {"Retry-After": self.retry_after}, {"ok": False, "error": "ratelimited"}
        if self.outage_status and self.calls > self.outage_after:
            return self.outage_status, {}, "<html><body>502 Bad Gateway</body></html>"
        if authorization != f"Bearer {self.token}":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        needed = SCOPES.get(method)
        if needed is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        if needed not in self.scopes:
            provided = ",".join(sorted(self.scopes))
            return 200, {}, {"ok": False, "error": "missing_scope", "needed": needed, "provided": provided}
        return 200, {}, getattr(self, "_" + method.replace(".", "_"))(form)

    def _conversations_history(self, form: dict[str, str]) -> dict:
        channel = form.get("channel", "")
        if channel not in self.workspace.history:
            return {"ok": False, "error": "channel_not_found"}
        inclusive = form.get("inclusive") in ("1", "true")
        oldest = Decimal(form.get("oldest") or "0")
        latest = Decimal(form.get("latest") or "9999999999")
        chosen = [
            message
            for message in self.workspace.history[channel]
            if (oldest <= Decimal(message["ts"]) <= latest)
            and (inclusive or Decimal(message["ts"]) not in (oldest, latest))
        ]
        chosen.sort(key=lambda message: Decimal(message["ts"]), reverse=not self.oldest_first)
        return self._page(chosen, form, "messages")

    def _conversations_replies(self, form: dict[str, str]) -> dict:
        channel, ts = form.get("channel", ""), form.get("ts", "")
        parent = next((m for m in self.workspace.history.get(channel, []) if m["ts"] == ts), None)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        return self._page([parent, *self.workspace.threads.get((channel, ts), [])], form, "messages")

    def _conversations_list(self, form: dict[str, str]) -> dict:
        channels = [{"id": key, "name": name} for key, name in self.workspace.channels.items()]
        return self._page(channels, form, "channels")

    def _users_info(self, form: dict[str, str]) -> dict:
        found = self.workspace.users.get(form.get("user", ""))
        return {"ok": True, "user": found} if found else {"ok": False, "error": "user_not_found"}

    @staticmethod
    def _page(items: list[dict[str, Any]], form: dict[str, str], key: str) -> dict:
        start = int(form.get("cursor") or 0)
        limit = int(form.get("limit") or 100)
        page = items[start : start + limit]
        more = start + limit < len(items)
        return {
            "ok": True,
            key: page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }
