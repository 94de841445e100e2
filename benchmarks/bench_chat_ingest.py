"""Benchmark: Slack-export chat ingest against the floor any Python Slack reader pays (`json.load`).

Generates a Slack export (default 200,000 messages over 40 days in 2 channels, with mentions, links,
threads, bot alerts with attachments, joins and edits) in a temp dir, then in the same run measures:

  (a) `load_chat(export)` messages/s (best of --repeat runs);
  (b) the peer: plain `json.load` of the same day files, messages/s, and the ratio a/b;
  (c) peak memory of a child process running load_chat (VmHWM, Linux), minus a child that only imports
      the package, against the export's size on disk.

Targets: (a) >= 50,000 messages/s; (c) < 10x the size on disk.

Run: .venv/bin/python benchmarks/bench_chat_ingest.py [--messages 200000] [--days 40] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

USERS = [(f"U{n:05d}", f"user{n}", f"Person {n}") for n in range(40)]
CHANNELS = ["inc-4001-checkout", "inc-4002-search"]
START_EPOCH = 1_710_000_000
# VmHWM (peak RSS of this address space), not ru_maxrss: Linux carries ru_maxrss across fork+exec, so a
# child started from a parent that already holds an export would report the parent's peak.
CHILD = """
import re
from pathlib import Path
{body}
print(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
"""


def generate_export(root: Path, messages: int, days: int, indent: int | None = 4, seed: int = 7) -> int:
    """Write a Slack export under `root`; return how many message records it holds."""
    rng = random.Random(seed)
    (root / "users.json").write_text(
        json.dumps(
            [
                {"id": uid, "name": handle, "real_name": real, "profile": {"real_name": real, "display_name": handle}}
                for uid, handle, real in USERS
            ],
            indent=4,
        )
    )
    (root / "channels.json").write_text(
        json.dumps([{"id": f"C{n:04d}", "name": name} for n, name in enumerate(CHANNELS)], indent=4)
    )
    per_day_channel = messages // (days * len(CHANNELS))
    written = 0
    for day in range(days):
        for channel in CHANNELS:
            base = START_EPOCH + day * 86_400
            records = []
            thread_root: str | None = None
            for n in range(per_day_channel):
                ts = f"{base + n * 86_400 / per_day_channel:.6f}"
                uid, handle, real = rng.choice(USERS)
                other = rng.choice(USERS)[0]
                kind = n % 100
                if kind == 0:
                    records.append(
                        {
                            "type": "message",
                            "subtype": "bot_message",
                            "bot_id": "B1",
                            "username": "PagerDuty",
                            "ts": ts,
                            "text": "",
                            "attachments": [
                                {
                                    "fallback": "Triggered: 5xx > 20%",
                                    "title": "Triggered: checkout 5xx rate > 20%",
                                    "text": "Service: checkout",
                                    "fields": [{"title": "Assigned to", "value": real, "short": True}],
                                }
                            ],
                        }
                    )
                elif kind == 1:
                    records.append(
                        {
                            "type": "message",
                            "subtype": "channel_join",
                            "user": uid,
                            "ts": ts,
                            "text": f"<@{uid}> has joined the channel",
                        }
                    )
                elif kind == 2 and records and "user" in records[-1]:
                    records.append(
                        {
                            "type": "message",
                            "subtype": "message_changed",
                            "ts": ts,
                            "hidden": True,
                            "message": {
                                "type": "message",
                                "user": records[-1]["user"],
                                "ts": records[-1]["ts"],
                                "text": "edited: <@U00001> rolled back",
                                "edited": {"user": uid, "ts": ts},
                            },
                        }
                    )
                else:
                    record = {
                        "client_msg_id": f"{day}-{channel}-{n}",
                        "type": "message",
                        "user": uid,
                        "ts": ts,
                        "text": (
                            f"<@{other}> error rate is {rng.randint(1, 99)}% on the gateway, see "
                            f"<https://grafana.example.com/d/{n}|dashboard> &amp; <#C0001|{CHANNELS[0]}>"
                        ),
                        "team": "T1",
                        "user_profile": {"real_name": real, "display_name": handle, "name": handle},
                    }
                    if n % 10 == 5:
                        thread_root = ts
                        record["thread_ts"] = ts
                    elif thread_root and n % 10 in (6, 7, 8):
                        record["thread_ts"] = thread_root
                        record["parent_user_id"] = uid
                    records.append(record)
            (root / channel).mkdir(exist_ok=True)
            (root / channel / f"{_day_name(day)}.json").write_text(json.dumps(records, indent=indent))
            written += len(records)
    return written


def _day_name(day: int) -> str:
    return (date(2024, 1, 1) + timedelta(days=day)).isoformat()


def export_size(root: Path) -> int:
    return sum(file.stat().st_size for file in root.rglob("*.json"))


def time_load_chat(root: Path, repeat: int) -> tuple[float, int]:
    from pipeline.ingest.chat import load_chat

    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = len(load_chat(root).messages)
        best = min(best, time.perf_counter() - started)
    return best, count


def time_json_load(root: Path, repeat: int) -> tuple[float, int]:
    files = sorted(root.glob("*/*.json"))
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = 0
        for file in files:
            with file.open("rb") as handle:
                count += len(json.load(handle))
        best = min(best, time.perf_counter() - started)
    return best, count


def child_peak_kib(body: str) -> int:
    output = subprocess.run(
        [sys.executable, "-c", CHILD.format(body=body)], check=True, capture_output=True, text=True
    ).stdout
    return int(output.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--indent", type=int, default=4, help="day-file JSON indent (Slack writes 4; 0 = compact)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        root = Path(tmp) / "export"
        root.mkdir()
        records = generate_export(root, args.messages, args.days, indent=args.indent or None)
        size = export_size(root)
        ours, messages = time_load_chat(root, args.repeat)
        peer, peer_records = time_json_load(root, args.repeat)
        baseline = child_peak_kib("import pipeline.ingest.chat")
        loaded = child_peak_kib(f"from pipeline.ingest.chat import load_chat\nlog = load_chat(Path({str(root)!r}))")

    ours_rate, peer_rate = messages / ours, peer_records / peer
    growth = (loaded - baseline) * 1024
    print(
        f"export: {records:,} records ({messages:,} messages after edits), {size / 1e6:.1f} MB on disk, "
        f"{args.days} days x {len(CHANNELS)} channels, indent {args.indent}"
    )
    print(f"load_chat:  {ours:.2f} s  {ours_rate:,.0f} messages/s  (best of {args.repeat})")
    print(f"json.load:  {peer:.2f} s  {peer_rate:,.0f} records/s  (peer floor, same files)")
    print(f"ratio:      load_chat takes {ours / peer:.1f}x the time of json.load alone")
    print(
        f"memory:     child peak RSS {loaded / 1024:.0f} MiB, import-only child {baseline / 1024:.0f} MiB; "
        f"growth {growth / 1e6:.0f} MB = {growth / size:.2f}x the export on disk (peak RSS {loaded * 1024 / size:.2f}x)"
    )
    print(
        f"targets:    >= 50,000 messages/s: {'met' if ours_rate >= 50_000 else 'NOT met'}; "
        f"< 10x size on disk: {'met' if growth < 10 * size else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
