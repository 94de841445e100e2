"""A backfill killed with SIGKILL at random points, ten times, then resumed: every note exactly once.

Checked in the manifest (one done row per note), the records folder (one JSON and one markdown file per
incident: a digest note holds three, no temporary files) and the library (each note's stored chunk ids are exactly its document's).
Set BACKFILL_KILL_SEED to replay a failing sequence of kill times.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

from pipeline.backfill.runner import library_document
from pipeline.models import NoteRecord
from support import REPO_ROOT

NOTES = 36
KILLS = 10
DIGEST = """# Quarterly digest

- 2021-07-12 Orders DB failover. severity: SEV2. Follow-ups: tune autovacuum
- 2021-08-02 Status page certificate expired. severity: SEV3. Follow-ups: automate renewal
- 2021-09-21 Rate limiter blocked partners. severity: SEV2. Follow-ups: per-partner limits
"""
DIGEST_INCIDENTS = 3

TEMPLATE = """---
title: {service} outage number {n}
date: 2021-{month:02d}-{day:02d}
severity: SEV-{sev}
services: {service}
---

## Summary

The {service} service returned errors for {minutes} minutes after change {n} reached production.

## Timeline

- 10:{minutes:02d} Alert fired for {service}
- 11:{minutes:02d} Change {n} rolled back

## Root cause

- Change {n} removed a connection limit on {service}.

## Action items

- [ ] Add a canary stage for {service} changes ({n}).
"""


def write_notes(folder):
    services = ["billing", "search", "auth", "orders", "mail", "images"]
    for n in range(NOTES):
        service = services[n % len(services)]
        text = TEMPLATE.format(service=service, n=n, month=n % 12 + 1, day=n % 27 + 1, sev=n % 3 + 1, minutes=10 + n)
        (folder / f"note-{n:02d}.md").write_text(text)
    (folder / "digest.md").write_text(DIGEST)


def start(notes, out, store, env):
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pipeline.cli import main; main()",
            "backfill",
            str(notes),
            "--out",
            str(out),
            "--index",
            "--store",
            str(store),
            "--no-progress",
            "--concurrency",
            "3",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def test_sigkill_at_random_points_then_resume_gives_exactly_one_record_and_one_set_of_chunks(tmp_path):
    seed = int(os.environ.get("BACKFILL_KILL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    notes, out, store = tmp_path / "notes", tmp_path / "out", tmp_path / "library"
    notes.mkdir()
    write_notes(notes)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    kill_times = []
    for _ in range(KILLS):
        process = start(notes, out, store, env)
        delay = rng.uniform(0.5, 6.0)
        kill_times.append(round(delay, 2))
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
    final = start(notes, out, store, env)
    _, stderr = final.communicate(timeout=300)
    context = f"seed {seed}, kill times {kill_times}: {stderr.decode()[-2000:]}"
    assert final.returncode == 0, context

    with sqlite3.connect(out / "manifest.sqlite") as db:
        rows = db.execute("SELECT note_id, status, indexed FROM notes").fetchall()
    assert len(rows) == NOTES + 1 and all(status == "done" and indexed == 1 for _, status, indexed in rows), context
    files = sorted(path.name for path in (out / "records").iterdir())
    incidents = NOTES + DIGEST_INCIDENTS
    assert len(files) == 2 * incidents and not [name for name in files if name.endswith(".tmp")], context

    from pipeline.similar.store import LibraryStore, StoreConfig

    collection = LibraryStore.open(StoreConfig(path=store), create=False).collection
    total = 0
    for path in sorted((out / "records").glob("*.json")):
        record = NoteRecord.model_validate_json(path.read_text())
        wanted = {chunk.id for chunk in library_document(record).chunks}
        stored = set(collection.get(where={"incident_id": record.note_id})["ids"])
        assert stored == wanted, f"{record.note_id}: {context}"
        total += len(wanted)
    assert collection.count() == total, context
