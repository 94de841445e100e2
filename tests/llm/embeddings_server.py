"""A loopback OpenAI-compatible `/v1/embeddings` server for tests: deterministic vectors, every body kept.

Vectors are hashed bags of words (64 dimensions), so texts that share words are close and a search
through the server finds sensible neighbours without any model. `raw_bodies` holds exactly what
reached the server, so a test can assert that a secret never left the process.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DIMENSIONS = 64
WORD = re.compile(r"[a-z0-9]+")


def bag_of_words_vector(text: str) -> list[float]:
    vector = [0.0] * DIMENSIONS
    for word in WORD.findall(text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
    return vector


class FakeEmbeddingsServer:
    """`with FakeEmbeddingsServer() as server:`; `server.base_url` goes to `--embeddings-url`."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.faults: list[tuple[int, dict[str, str]]] = []  # (status, headers) answered before any vector
        self.raw_bodies: list[bytes] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeEmbeddingsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.loads(raw)
                with server._lock:
                    server.raw_bodies.append(raw)
                    server.bodies.append(body)
                if self.path != "/v1/embeddings":
                    self.send_error(404)
                    return
                if server.faults:
                    status, headers = server.faults.pop(0)
                    error = json.dumps({"error": {"message": f"fault {status}", "type": "test"}}).encode()
                    self.send_response(status)
                    for name, value in {"Content-Type": "application/json", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(error)))
                    self.end_headers()
                    self.wfile.write(error)
                    return
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                reply = {
                    "object": "list",
                    "model": body["model"],
                    "data": [
                        {"object": "embedding", "index": i, "embedding": bag_of_words_vector(text)}
                        for i, text in enumerate(inputs)
                    ],
                    "usage": {"prompt_tokens": 0, "total_tokens": 0},
                }
                payload = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
