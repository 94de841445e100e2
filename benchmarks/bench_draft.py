"""Offline draft time per bundled example, in-process (target: under 1 s each).

The peer measured in the same run is ingest alone (reading timeline, lock and chat): the floor any
draft pays. Printed: best-of-N wall time for ingest and for the full draft (ingest, redact, facts,
engine, verify, render), and the ratio of the draft to the 1 s target.

    .venv/bin/python benchmarks/bench_draft.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.drafting import draft_from_directory
from pipeline.ingest.incident import load_incident
from pipeline.render import render_markdown

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TARGET_SECONDS = 1.0


def best_of(repeat: int, job) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    # warm caches that a CLI run pays once (rule and pattern compilation) so both columns compare like for like
    draft_from_directory(EXAMPLES / "checkout-api", similar=False)
    print(f"{'example':24} {'ingest s':>9} {'draft s':>9} {'draft/ingest':>13} {'draft/target':>13}")
    for directory in sorted(p for p in EXAMPLES.iterdir() if (p / "incident.toml").exists()):
        ingest = best_of(args.repeat, lambda: load_incident(directory))
        full = best_of(args.repeat, lambda: render_markdown(draft_from_directory(directory, similar=False)[0]))
        print(f"{directory.name:24} {ingest:9.4f} {full:9.4f} {full / ingest:13.1f} {full / TARGET_SECONDS:13.3f}")


if __name__ == "__main__":
    main()
