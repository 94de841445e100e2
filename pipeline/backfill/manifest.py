"""The backfill manifest: one SQLite row per note (path, content hash, status, error, timings).

It is what makes a backfill resumable and idempotent. A note is marked `done` only after its record files
are in place (and, with --index, its chunks are in the library); every write before that is idempotent
(records are replaced atomically, chunks are keyed by content), so a run killed at any point, even with
SIGKILL, redoes at most the notes that were in flight, and never duplicates one.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from pipeline.errors import InputError

MANIFEST_NAME = "manifest.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    note_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    relative TEXT NOT NULL,
    format TEXT,
    content_sha256 TEXT,
    options TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    reason TEXT,
    indexed INTEGER NOT NULL DEFAULT 0,
    findings INTEGER NOT NULL DEFAULT 0,
    llm_calls INTEGER NOT NULL DEFAULT 0,
    llm_tokens INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    finished_at REAL NOT NULL
);
"""


class Manifest:
    """A thin wrapper over one SQLite file in --out; every write is its own committed transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(
                path,
                f"manifest is not a readable SQLite database: {exc}",
                hint="move it away to start this backfill afresh (records will be rebuilt)",
            ) from exc

    @classmethod
    def open(cls, out: Path) -> Manifest:
        out.mkdir(parents=True, exist_ok=True)
        return cls(out / MANIFEST_NAME)

    def close(self) -> None:
        self.db.close()

    def is_current(self, note_id: str, content_sha256: str, options: str, need_index: bool) -> bool:
        """True when the note is done with this content and these options (and indexed, if asked)."""
        row = self.db.execute(
            "SELECT content_sha256, options, indexed FROM notes WHERE note_id = ? AND status = 'done'", (note_id,)
        ).fetchone()
        return row is not None and row[0] == content_sha256 and row[1] == options and (bool(row[2]) or not need_index)

    def record(
        self,
        *,
        note_id: str,
        path: str,
        relative: str,
        fmt: str | None,
        content_sha256: str | None,
        options: str,
        status: str,
        reason: str | None = None,
        indexed: bool = False,
        findings: int = 0,
        llm_calls: int = 0,
        llm_tokens: int = 0,
        seconds: float = 0.0,
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO notes (note_id, path, relative, format, content_sha256, options, status, reason,"
            " indexed, findings, llm_calls, llm_tokens, seconds, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                note_id,
                path,
                relative,
                fmt,
                content_sha256,
                options,
                status,
                reason,
                int(indexed),
                findings,
                llm_calls,
                llm_tokens,
                seconds,
                time.time(),
            ),
        )

    def done_note_ids(self) -> list[str]:
        """Notes whose records are complete, in path order (a record file alone may be from a killed run)."""
        return [row[0] for row in self.db.execute("SELECT note_id FROM notes WHERE status = 'done' ORDER BY relative")]
