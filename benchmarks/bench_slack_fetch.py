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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from statistics import median
from types import SimpleNamespace

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


@dataclass
class Run:
    elapsed: float
    slept: float  # what the fetch actually slept on 429s
    forced: float  # the Retry-After of every 429 it got: the least it could have slept
    calls: int
    rate_limited: int


class SleepMeter:
    """time.sleep that adds up what it slept."""

    def __init__(self) -> None:
        self.total = 0.0

    def __call__(self, seconds: float) -> None:
        self.total += seconds
        time.sleep(seconds)


def fetch_once(workspace: Workspace, limits, every: int, out: Path, stock: bool = False) -> Run:
    """One fetch into a fresh file; `stock` puts slack_sdk's RateLimitErrorRetryHandler in place of ours."""
    from slack_sdk.http_retry import builtin_handlers

    meter = SleepMeter()
    original = slack_fetch.exact_retry_after
    if stock:

        def stock_handler(max_retries, sleep):
            handler = builtin_handlers.RateLimitErrorRetryHandler(max_retry_count=max_retries)
            handler.waits = []  # our report reads it
            return handler

        slack_fetch.exact_retry_after = stock_handler
        builtin_handlers.time = SimpleNamespace(sleep=meter)  # the stock handler calls time.sleep
    try:
        with FakeSlack(workspace, token=TOKEN, rate_limit_every=every, retry_after="1") as fake:
            start = time.perf_counter()
            slack_fetch.fetch_slack("C0SYNTH", SINCE, UNTIL, out, TOKEN, limits, base_url=fake.base_url, sleep=meter)
            elapsed = time.perf_counter() - start
    finally:
        slack_fetch.exact_retry_after = original
        builtin_handlers.time = time
    if not exactly_once(out, workspace):
        raise SystemExit(f"{out.name}: not every message exactly once")
    return Run(elapsed, meter.total, fake.rate_limited * 1.0, fake.calls, fake.rate_limited)


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
    parser.add_argument("--repeat", type=int, default=2, help="pairs of runs (no 429 / with 429s / stock handler)")
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
        pairs = []
        for run in range(options.repeat):  # paired and alternated: the machine's load drifts between runs
            base = fetch_once(workspace, limits, 0, folder / f"base{run}.jsonl")
            limited = fetch_once(workspace, limits, options.every, folder / f"limited{run}.jsonl")
            stock = fetch_once(workspace, limits, options.every, folder / f"stock{run}.jsonl", stock=True)
            pairs.append((base, limited, stock))
            print(
                f"run {run + 1}: no 429 {base.elapsed:.2f} s ({base.calls} calls); "
                f"429 every {options.every}: {limited.elapsed:.2f} s ({limited.calls} calls, {limited.rate_limited} x 429, "
                f"slept {limited.slept:.3f} s for {limited.forced:.1f} s forced), bound {base.elapsed + limited.forced:.2f} s, "
                f"ratio {limited.elapsed / (base.elapsed + limited.forced):.3f}; slack_sdk stock handler "
                f"{stock.elapsed:.2f} s (slept {stock.slept:.3f} s for {stock.forced:.1f} s forced)"
            )
        ratios = [limited.elapsed / (base.elapsed + limited.forced) for base, limited, _ in pairs]
        extra_calls = {limited.calls - base.calls - limited.rate_limited for base, limited, _ in pairs}
        print(f"median ratio elapsed / bound: {median(ratios):.3f} over {len(pairs)} pairs")
        print(f"calls beyond the no-429 run and one retry per 429: {sorted(extra_calls)}")
        print(f"every run wrote every message exactly once ({3 * len(pairs)} runs)")
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
