"""Offline backfill of the whole shared corpus, indexing included, as a user runs it.

Target (issue 7): `postmortem backfill ../shared/corpus --out DIR --index` (about 430 files) in at most
60 s on this 2-core machine. Peer in the same run: `postmortem index` over the same files into a fresh
library, which is the indexing alone, so the ratio shows what normalization, the blameless check, records
and the manifest add on top. A third run resumes the finished backfill (nothing changed: all skipped).

    .venv/bin/python benchmarks/bench_backfill.py [--corpus ../shared/corpus] [--concurrency 4]

The corpus is read in place and never copied. Each run is a fresh process with a fresh POSTMORTEM_HOME.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTMORTEM = Path(sys.executable).with_name("postmortem")
TARGET_SECONDS = 60.0


def timed(args: list[str], home: Path) -> tuple[float, str]:
    env = {**os.environ, "POSTMORTEM_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    started = time.perf_counter()
    result = subprocess.run([str(POSTMORTEM), *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed, result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"error: {args.corpus}: corpus not found (pass --corpus)", file=sys.stderr)
        return 2
    files = [path for path in args.corpus.rglob("*") if path.is_file()]
    print(
        f"corpus: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.2f} MB; load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        backfill_seconds, output = timed(
            [
                "backfill",
                str(args.corpus),
                "--out",
                str(work / "out"),
                "--index",
                "--no-progress",
                "--concurrency",
                str(args.concurrency),
                "--format",
                "json",
            ],
            work / "home-backfill",
        )
        summary = json.loads(output)
        resume_seconds, _ = timed(
            ["backfill", str(args.corpus), "--out", str(work / "out"), "--index", "--no-progress"],
            work / "home-backfill",
        )
        index_seconds, index_output = timed(["index", str(args.corpus)], work / "home-index")
    print(
        f"backfill --index: {backfill_seconds:.1f} s wall for {summary['in_shard']} notes "
        f"({summary['processed']} records, {summary['failed']} with a stated reason, {summary['chunks_added']} chunks); "
        f"target <= {TARGET_SECONDS:.0f} s: {'met' if backfill_seconds <= TARGET_SECONDS else 'NOT met'}"
    )
    print(f"peer `postmortem index` (same files, indexing only): {index_seconds:.1f} s ({index_output.strip()})")
    print(f"ratio backfill / index: {backfill_seconds / index_seconds:.2f}x")
    print(f"resume with nothing changed: {resume_seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
