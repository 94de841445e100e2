"""`fetch slack` on a 20,000-message channel from the loopback fake, with a 1-second 429 every 1,000 calls.

Does the fetch run at the rate-limit bound? The bound is what no client can beat against this server:
the forced waits (the Retry-After of every 429) plus the time the same requests take when none is
refused (measured: the same fetch against the same server without 429s). Printed: elapsed time, the
bound, their ratio, and the same with slack_sdk's stock RateLimitErrorRetryHandler (which adds up to a
second of random jitter to every wait) as the peer. Then a run is SIGKILLed mid-fetch (a real
subprocess) and resumed. Every run checks that every message was written exactly once.
Tiers are unpaced (the fake answers at once); the server runs in this process.

    .venv/bin/python benchmarks/bench_slack_fetch.py [--messages 20000] [--every 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from slack_server import FakeSlack, Workspace, synthetic_channel  # noqa: E402

import pipeline.fetch.slack as slack_fetch  # noqa: E402
from pipeline.fetch.limits import load_limits  # noqa: E402

TOKEN = "bench-token-not-a-secret"
SINCE, UNTIL = "1715600000", "1715900000"


def expected(workspace: Workspace) -> list[str]:
    top = [m["ts"] for m in workspace.history["C0SYNTH"]]
    return sorted(top + [r["ts"] for t in workspace.threads.values() for r in t], key=Decimal)


def exactly_once(out: Path, workspace: Workspace) -> bool:
    written = [json.loads(line)["ts"] for line in out.read_text().splitlines()]
    return len(written) == len(set(written)) and sorted(written, key=Decimal) == expected(workspace)


def fetch_once(workspace: Workspace, limits, every: int, out: Path) -> tuple[float, float, int, int]:
    """(elapsed, sum of forced waits, calls, 429s) for one fetch into a fresh file."""
    with FakeSlack(workspace, token=TOKEN, rate_limit_every=every, retry_after="1") as fake:
        start = time.perf_counter()
        report = slack_fetch.fetch_slack("C0SYNTH", SINCE, UNTIL, out, TOKEN, limits, base_url=fake.base_url)
        elapsed = time.perf_counter() - start
        return elapsed, sum(report.rate_limit_waits), fake.calls, fake.rate_limited


def stock_handler_fetch(workspace: Workspace, limits, every: int, out: Path) -> tuple[float, int]:
    """The same fetch with slack_sdk's own 429 handler in place of ours (elapsed, 429s)."""
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    original = slack_fetch.exact_retry_after

    def stock(max_retries, sleep):
        handler = RateLimitErrorRetryHandler(max_retry_count=max_retries)
        handler.waits = []  # our report reads it; the stock handler does not record its waits
        return handler

    slack_fetch.exact_retry_after = stock
    try:
        elapsed, _, _, limited = fetch_once(workspace, limits, every, out)
    finally:
        slack_fetch.exact_retry_after = original
    return elapsed, limited


def kill_and_resume(workspace: Workspace, limits_file: Path, every: int, out: Path, kill_at: int) -> dict:
    """SIGKILL a CLI fetch once `kill_at` lines are on disk, resume it; times, calls, exact-once."""
    env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    with FakeSlack(workspace, token=TOKEN, rate_limit_every=every, retry_after="1") as fake:
        args = [sys.executable, "-m", "pipeline.cli", "fetch", "slack", "C0SYNTH", "--since", SINCE]
        args += ["--until", UNTIL, "--out", str(out), "--limits", str(limits_file), "--base-url", fake.base_url]
        start = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and (not out.exists() or out.read_bytes().count(b"\n") < kill_at):
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed = time.perf_counter() - start
        lines_at_kill = out.read_bytes().count(b"\n")
        calls_before = fake.calls
        start = time.perf_counter()
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        resumed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"resume failed: {done.stderr}")
        return {
            "killed_after": killed,
            "lines_at_kill": lines_at_kill,
            "resume": resumed,
            "calls_before": calls_before,
            "calls_resume": fake.calls - calls_before,
            "once": exactly_once(out, workspace),
            "summary": done.stderr.strip(),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--every", type=int, default=1_000, help="a 1-second 429 every N calls")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each fetch; the fastest is kept")
    options = parser.parse_args()
    workspace = synthetic_channel(options.messages, thread_every=4, replies_per_thread=2)
    bundled = load_limits()
    limits = bundled.model_copy(update={"tiers": dict.fromkeys(bundled.tiers, 0.0)})
    top = len(workspace.history["C0SYNTH"])
    print(
        f"channel: {options.messages} messages ({top} top-level, {len(workspace.threads)} threads); page {limits.page_size}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        fetch_once(synthetic_channel(300), limits, 0, folder / "warm-up.jsonl")  # imports, patterns, sockets

        def best(every: int, name: str) -> tuple[float, float, int, int]:
            runs = []
            for run in range(options.repeat):
                (folder / f"{name}{run}.jsonl").unlink(missing_ok=True)
                runs.append(fetch_once(workspace, limits, every, folder / f"{name}{run}.jsonl"))
                if not exactly_once(folder / f"{name}{run}.jsonl", workspace):
                    raise SystemExit(f"{name} run {run}: not every message exactly once")
            return min(runs)

        base, _, calls, _ = best(0, "base")
        print(
            f"no 429:            {base:6.2f} s, {calls} calls ({base / calls * 1000:.2f} ms a call, write+fsync included)"
        )
        elapsed, waited, calls, limited = best(options.every, "limited")
        bound = base + waited
        print(
            f"429 every {options.every}:    {elapsed:6.2f} s, {calls} calls, {limited} x 429 = {waited:.1f} s forced;"
            f" bound {bound:.2f} s; ratio {elapsed / bound:.3f}"
        )
        print(f"  every run wrote every message exactly once (best of {options.repeat} shown)")
        stock, stock_limited = stock_handler_fetch(workspace, limits, options.every, folder / "stock.jsonl")
        print(f"slack_sdk stock handler: {stock:6.2f} s, {stock_limited} x 429; ratio to the bound {stock / bound:.3f}")
        print(f"  exactly once: {exactly_once(folder / 'stock.jsonl', workspace)}")
        limits_file = folder / "limits.yaml"
        limits_file.write_text(yaml.safe_dump(limits.model_dump()))
        killed = kill_and_resume(
            workspace, limits_file, options.every, folder / "killed.jsonl", options.messages * 2 // 5
        )
        print(
            f"SIGKILL at {killed['lines_at_kill']} lines after {killed['killed_after']:.2f} s "
            f"({killed['calls_before']} calls); resume {killed['resume']:.2f} s, {killed['calls_resume']} calls"
        )
        print(f"  resume said: {killed['summary']}")
        print(f"  exactly once: {killed['once']}")


if __name__ == "__main__":
    main()
