"""A loopback OpenAI-compatible chat server with scripted replies and injected faults, for tests only.

Replies are scripted per prompt: every prompt the pipeline sends carries a `[task:NAME]` marker, and
`script("narrative", Reply(...), Reply(...))` queues what the next requests for that task get. When a
task's queue is empty the server answers with its default reply. Every request body is kept in
`bodies`, so a test can assert what left the process (no secret, the right number of attempts).

A default may also be a function of the request body (a reply per note, say), and two options model a
real provider for benchmarks: `latency` seconds before every reply, and `rate_limit=(requests, seconds)`,
a sliding window past which the server answers 429 with the `Retry-After` that frees a slot.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TASK_RE = re.compile(r"\[task:(\w+)\]")
FIXED_CREATED = 1_800_000_000  # a fixed timestamp keeps recorded cassettes byte-stable


@dataclass
class Reply:
    """One scripted response: assistant `content`, or a fault (status, headers, delay, raw body)."""

    content: str | dict[str, Any] | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw_body: str | None = None

    def content_text(self) -> str:
        return self.content if isinstance(self.content, str) else json.dumps(self.content)


def rate_limited(retry_after: str = "1") -> Reply:
    return Reply(status=429, headers={"Retry-After": retry_after}, raw_body=_error_body("rate limited", "rate_limit"))


def server_error(status: int = 500) -> Reply:
    return Reply(status=status, raw_body=_error_body("internal error", "server_error"))


def _error_body(message: str, kind: str) -> str:
    return json.dumps({"error": {"message": message, "type": kind, "code": None, "param": None}})


Responder = Callable[[dict[str, Any]], Reply]


class FakeOpenAIServer:
    """`with FakeOpenAIServer(port=0) as server:`; `server.base_url` goes to `--base-url`."""

    def __init__(
        self,
        defaults: dict[str, Reply | Responder] | None = None,
        port: int = 0,
        *,
        latency: float = 0.0,
        rate_limit: tuple[int, float] | None = None,
    ):
        self.defaults = dict(defaults or {})
        self.latency = latency
        self.rate_limit = rate_limit
        self.admitted: deque[float] = deque()  # arrival times of requests inside the rate-limit window
        self.rejected = 0  # requests answered 429 by the rate limit
        self.queues: dict[str, deque[Reply]] = defaultdict(deque)
        self.bodies: list[dict[str, Any]] = []
        self.raw_bodies: list[bytes] = []
        self.tasks: list[str] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, task: str, *replies: Reply) -> None:
        self.queues[task].extend(replies)

    def attempts(self, task: str | None = None) -> int:
        return sum(1 for seen in self.tasks if task is None or seen == task)

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def next_reply(self, body: dict[str, Any], raw: bytes) -> Reply:
        text = " ".join(str(message.get("content", "")) for message in body.get("messages", []))
        tasks = TASK_RE.findall(text)
        task = tasks[-1] if tasks else "unknown"
        with self._lock:
            self.bodies.append(body)
            self.raw_bodies.append(raw)
            self.tasks.append(task)
            refusal = self._over_rate_limit()
            if refusal is not None:
                return refusal
            queue = self.queues[task]
            reply = queue.popleft() if queue else None
        if reply is None:
            default = self.defaults.get(
                task, Reply(status=404, raw_body=_error_body(f"no reply for task {task}", "test"))
            )
            reply = default if isinstance(default, Reply) else default(body)
        return dataclasses.replace(reply, delay=reply.delay + self.latency) if self.latency else reply

    def _over_rate_limit(self) -> Reply | None:
        """A 429 when `rate_limit` requests were admitted in the last window (called under the lock)."""
        if self.rate_limit is None:
            return None
        limit, window = self.rate_limit
        now = time.monotonic()
        while self.admitted and self.admitted[0] <= now - window:
            self.admitted.popleft()
        if len(self.admitted) >= limit:
            self.rejected += 1
            return rate_limited(str(max(1, math.ceil(self.admitted[0] + window - now))))
        self.admitted.append(now)
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = {}
                reply = server.next_reply(body, raw)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.raw_body if reply.raw_body is not None else completion(body, reply.content_text())
                data = payload.encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out first
                    pass

        return Handler


def completion(request: dict[str, Any], content: str) -> str:
    """A chat.completion body; token counts are deterministic (about 4 characters a token)."""
    prompt_chars = sum(len(str(m.get("content", ""))) for m in request.get("messages", []))
    usage = {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(content) // 4}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": FIXED_CREATED,
            "model": request.get("model", "test-model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": usage,
        }
    )
