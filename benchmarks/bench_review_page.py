"""Time to load the reviewer's page for a 500-message incident's draft (target: under 1 s).

The incident is evals/datasets/dns-noisy-channel with its generated channel grown to 500 messages
(evals/generate_noisy_channel.py, fixed seed), drafted offline, with one blaming sentence added so the
page has a finding to mark. The peer, measured in the same run: the same draft as a static page
(`draft --format html`) served as a plain file by http.server. Printed, median of --repeat:

- server: the GET of the page (read, check, score, render) against the GET of the static file;
- browser (when Chromium and chromedriver are installed): navigation start to the load event in headless
  Chromium, the review page against the static file;
- start-up, once, reported apart: `postmortem review --no-open` until it prints its URL, then the first GET.

    .venv/bin/python benchmarks/bench_review_page.py [--repeat 7] [--messages 500]
"""

from __future__ import annotations

import argparse
import functools
import http.client
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.drafting import draft_from_directory
from pipeline.render import render_markdown
from pipeline.review.page import render_draft_html
from pipeline.review.server import ReviewServer

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "evals" / "datasets" / "dns-noisy-channel"
TARGET_SECONDS = 1.0
BLAME = "- Dave forgot to lower the resolver cache TTL before the change. [T1]\n"


def build_incident(folder: Path, messages: int) -> Path:
    """The noisy-channel incident with `messages` chat messages, drafted; returns the draft's path."""
    spec = importlib.util.spec_from_file_location("noisy", REPO / "evals" / "generate_noisy_channel.py")
    noisy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(noisy)
    noisy.NOISE_MESSAGES = messages - len(noisy.INCIDENT)
    shutil.copytree(DATASET, folder, dirs_exist_ok=True)
    (folder / "chat.txt").write_text("\n".join(noisy.lines()) + "\n", encoding="utf-8")
    draft, _ = draft_from_directory(folder, similar=False)
    text = render_markdown(draft).replace("## What Went Wrong\n\n", "## What Went Wrong\n\n" + BLAME, 1)
    path = folder / "draft.md"
    path.write_text(text, encoding="utf-8")
    return path


def get(port: int, target: str) -> float:
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", target)
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200 and body, response.status
    return time.perf_counter() - start


class StaticFile(SimpleHTTPRequestHandler):
    """The peer: a plain file server, quiet, and never answering 304 (each load transfers the page)."""

    def do_GET(self) -> None:
        del self.headers["If-Modified-Since"]
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


def serve(server: ThreadingHTTPServer) -> ThreadingHTTPServer:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser_times(urls: list[str], repeat: int) -> list[list[float]] | None:
    """Navigation start to load event (s) for each URL, alternating, in one headless Chromium."""
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="bench-review-")
    for flag in (
        "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
        "--disable-component-update --disable-sync --window-size=1400,1000"
    ).split():
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        times: list[list[float]] = [[] for _ in urls]
        for url in urls:  # one unmeasured load each: the browser's own first-run work
            driver.get(url)
        for _ in range(repeat):
            for index, url in enumerate(urls):
                driver.get(url)
                # loadEventEnd is set just after readyState turns complete (when get() returns): wait for it
                WebDriverWait(driver, 30).until(
                    lambda d: d.execute_script("return performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
                )
                entry = driver.execute_script(
                    "const e = performance.getEntriesByType('navigation')[0]; return e.loadEventEnd - e.startTime;"
                )
                times[index].append(entry / 1000)
        return times
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def start_up(draft: Path) -> tuple[float, float]:
    """`postmortem review --no-open` in a fresh process: seconds until the URL is printed, then the first GET."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "review", str(draft), "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = next(line.split()[-1] for line in process.stdout if line.startswith("open "))
        ready = time.perf_counter() - start
        parts = urlsplit(url)
        first = get(parts.port, f"/?{parts.query}")
        return ready, first
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-review-"))
    try:
        draft = build_incident(folder / "incident", args.messages)
        static = folder / "static"
        static.mkdir()
        (static / "draft.html").write_text(
            render_draft_html(draft.read_text(encoding="utf-8"), incident=draft.parent), encoding="utf-8"
        )
        review = serve(ReviewServer(draft, incident=draft.parent))
        handler = functools.partial(StaticFile, directory=str(static))
        plain = serve(ThreadingHTTPServer(("127.0.0.1", 0), handler))
        page = f"/?token={review.token}"
        get(review.port, page)  # warm: imports and rule compilation happen once per server, at its first page
        review_gets = [get(review.port, page) for _ in range(args.repeat)]
        static_gets = [get(plain.server_address[1], "/draft.html") for _ in range(args.repeat)]
        size = len(draft.read_text(encoding="utf-8"))
        print(f"incident: {args.messages} chat messages; draft {size:,} characters; median of {args.repeat}")
        print(f"{'measure':34} {'review s':>9} {'static s':>9} {'ratio':>7} {'review/target':>14}")
        review_s, static_s = statistics.median(review_gets), statistics.median(static_gets)
        print(
            f"{'server GET':34} {review_s:9.3f} {static_s:9.4f} {review_s / static_s:7.1f} {review_s / TARGET_SECONDS:14.3f}"
        )
        loads = browser_times([review.url, f"http://127.0.0.1:{plain.server_address[1]}/draft.html"], args.repeat)
        if loads is None:
            print("browser: skipped (apt-get install chromium chromium-driver)")
        else:
            review_b, static_b = statistics.median(loads[0]), statistics.median(loads[1])
            print(
                f"{'browser: navigation to load event':34} {review_b:9.3f} {static_b:9.4f} "
                f"{review_b / static_b:7.1f} {review_b / TARGET_SECONDS:14.3f}"
            )
        review.shutdown()
        plain.shutdown()
        ready, first = start_up(draft)
        print(f"start-up (once): URL printed after {ready:.2f} s; first page GET {first:.2f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
