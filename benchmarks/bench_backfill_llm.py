"""`postmortem backfill --llm` against a rate-limited, slow loopback server (target: >= 90% of the bound).

The server is the loopback OpenAI-compatible test server (tests/llm/llm_server.py) with 300 ms latency
per reply and a sliding-window limit: more than 120 requests in any 60 s and it answers 429 with the
`Retry-After` (whole seconds) that frees a slot. Every note is a small markdown note written here, and
the server answers each with a valid extraction citing that note's lines, so every note can succeed.

Two runs of the real CLI in a subprocess, each over the same notes in a fresh --out:
- ours: `--rpm 120 --concurrency 8` (the client-side limiter spaces requests 0.5 s apart);
- peer: `--concurrency 8` without --rpm (no client limiter: the server's 429s and Retry-After pace it).

Printed per run: notes, wall time (process start to exit), requests answered, achieved requests/min
over the wall time, the bound (120/min), their ratio, the same rate measured between the server's first
and last answered request (start-up excluded), 429s seen, notes failed.

    .venv/bin/python benchmarks/bench_backfill_llm.py [--notes 150] [--rpm 120] [--concurrency 8] [--no-peer]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "llm"))

from llm_server import FakeOpenAIServer, Reply  # noqa: E402

TASK = "backfill_extract"
TITLE = "Backfill bench note {index:04d}: checkout-api returned 502s after a config push"
TITLE_RE = re.compile(r"Backfill bench note (\d{4})")
LATENCY = 0.3
WINDOW = 60.0


def note_lines(index: int) -> list[str]:
    return [
        "# " + TITLE.format(index=index),
        f"Date: 2023-{1 + index % 12:02d}-{1 + index % 28:02d}",
        f"Severity: SEV-{1 + index % 3}",
        "",
        "## Summary",
        f"checkout-api returned 502 errors for {5 + index % 40} minutes after a load balancer config push.",
        "",
        "## Contributing factors",
        "- The load balancer config push had no canary stage.",
    ]


def extraction(index: int) -> dict:
    """What a careful model answers for note `index`: every value cites the line it is on."""
    lines = note_lines(index)

    def value(text: str, line: int) -> dict:
        return {"value": text, "quote": lines[line - 1], "start_line": line, "end_line": line}

    return {
        "title": value(TITLE.format(index=index), 1),
        "date": value(lines[1].removeprefix("Date: "), 2),
        "severity": value(lines[2].removeprefix("Severity: "), 3),
        "summary": value(lines[5], 6),
        "impact": {"value": None},
        "services": [{"text": "checkout-api", "start_line": 6, "end_line": 6}],
        "contributing_factors": [{"text": lines[8].removeprefix("- "), "start_line": 9, "end_line": 9}],
    }


class Answers:
    """The server's reply to each admitted request (the note's extraction); records when each was admitted."""

    def __init__(self) -> None:
        self.admitted: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, body: dict) -> Reply:
        match = TITLE_RE.search(str(body["messages"][1]["content"]))
        with self.lock:
            self.admitted.append(time.monotonic())
        return Reply(extraction(int(match.group(1)))) if match else Reply(status=400, raw_body="{}")


def write_notes(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for index in range(count):
        (folder / f"note-{index:04d}.md").write_text("\n".join(note_lines(index)) + "\n", encoding="utf-8")


def run(label: str, notes: Path, work: Path, rpm: float, concurrency: int, limit_client: bool) -> dict:
    answers = Answers()
    with FakeOpenAIServer({TASK: answers}, latency=LATENCY, rate_limit=(int(rpm), WINDOW)) as server:
        out = work / ("out-" + re.sub(r"[^a-z0-9]+", "-", label).strip("-"))
        command = [
            str(Path(sys.executable).parent / "postmortem"),
            "backfill",
            str(notes),
            "--out",
            str(out),
            "--llm",
            "bench-model",
            "--base-url",
            server.base_url,
            "--concurrency",
            str(concurrency),
            "--format",
            "json",
            "--no-progress",
        ]
        if limit_client:
            command += ["--rpm", f"{rpm:g}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LANGSMITH_", "LANGCHAIN_"))}
        env["POSTMORTEM_HOME"] = str(work / "home")
        started = time.monotonic()
        finished = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        wall = time.monotonic() - started
        rejected = server.rejected
    if finished.returncode != 0:
        raise SystemExit(f"{label}: exit {finished.returncode}\n{finished.stderr[-2000:]}")
    summary = json.loads(finished.stdout)
    answered = len(answers.admitted)
    span = answers.admitted[-1] - answers.admitted[0] if answered > 1 else 0.0
    return {
        "label": label,
        "notes": summary["in_shard"],
        "done": summary["processed"],
        "failed": summary["failed"],
        "failures": summary["failures_by_reason"],
        "wall": wall,
        "answered": answered,
        "rejected": rejected,
        "per_minute": answered / wall * 60.0,
        "steady_per_minute": (answered - 1) / span * 60.0 if span else 0.0,
        "command": " ".join(command[1:]).replace(str(work), "$TMP"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=150)
    parser.add_argument("--rpm", type=float, default=120.0, help="the server's limit, and --rpm for our run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-peer", action="store_true", help="skip the run without the client limiter")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        notes = work / "notes"
        write_notes(notes, args.notes)
        results = [run("ours --rpm", notes, work, args.rpm, args.concurrency, limit_client=True)]
        if not args.no_peer:
            results.append(run("peer no --rpm", notes, work, args.rpm, args.concurrency, limit_client=False))
    print(
        f"server: {LATENCY * 1000:.0f} ms latency, 429 past {args.rpm:g} requests in any {WINDOW:.0f} s; "
        f"bound {args.rpm:g} requests/min"
    )
    print(
        f"{'run':14} {'notes':>5} {'wall s':>7} {'answered':>8} {'req/min':>7} {'bound':>5} {'ratio':>5} "
        f"{'steady req/min':>14} {'429s':>4} {'failed':>6}"
    )
    for r in results:
        print(
            f"{r['label']:14} {r['notes']:5d} {r['wall']:7.1f} {r['answered']:8d} {r['per_minute']:7.1f} "
            f"{args.rpm:5.0f} {r['per_minute'] / args.rpm:5.2f} {r['steady_per_minute']:14.1f} "
            f"{r['rejected']:4d} {r['failed']:6d}"
        )
    for r in results:
        print(f"{r['label']}: postmortem {r['command']}")
        if r["failures"]:
            print(f"  failures: {r['failures']}")
    ours = results[0]
    met = ours["per_minute"] >= 0.9 * args.rpm and ours["failed"] == 0
    print(f"target (>= 90% of the bound, no note failed): {'met' if met else 'NOT met'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
