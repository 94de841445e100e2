"""An append-only JSONL chat file with a checkpoint beside it, so a fetch can be killed and resumed.

The protocol: each response's new lines are appended in one write; after each page of history (and its
threads) the file is fsynced and only then is the checkpoint (`.<name>.fetch-state.json`) replaced
atomically. A kill anywhere leaves lines the checkpoint may not know about; on resume every `ts` already
in the file is read back and skipped, so nothing is written twice, and whatever the checkpoint does not
cover is fetched again, so nothing is lost. A kill inside a write can leave a last line without its
newline: that tail is cut off on resume and its message fetched again. One fsync per history page, not
per response: a process kill loses nothing the kernel has, and the fsync before the checkpoint keeps
that promise across a power cut too.

The checkpoint names its channel, so one file never mixes two channels, and it records which stretches
of history are complete (`covered`), which threads were read up to which reply, and the user names
already looked up. It is a dot-file so that a directory listing of `chat*` sources does not pick it up.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.output import write_atomic

STATE_VERSION = 1


def state_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.fetch-state.json")


@dataclass
class FetchState:
    """What the checkpoint holds (Slack timestamps are kept as the strings Slack sends)."""

    channel: str
    covered: list[list[str]] = field(default_factory=list)  # [oldest, latest] stretches fully written
    threads: dict[str, str] = field(default_factory=dict)  # thread ts -> latest reply ts written
    users: dict[str, str] = field(default_factory=dict)  # user ID -> display name

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": STATE_VERSION,
                "channel": self.channel,
                "covered": self.covered,
                "threads": self.threads,
                "users": self.users,
            },
            indent=1,
            sort_keys=True,
        )

    def cover(self, oldest: str, latest: str) -> None:
        """Mark [oldest, latest] complete, merging it with the stretches it touches."""
        spans = sorted([*self.covered, [oldest, latest]], key=lambda span: Decimal(span[0]))
        merged: list[list[str]] = []
        for low, high in spans:
            if merged and Decimal(low) <= Decimal(merged[-1][1]):
                if Decimal(high) > Decimal(merged[-1][1]):
                    merged[-1][1] = high
            else:
                merged.append([low, high])
        self.covered = merged

    def gaps(self, oldest: str, latest: str) -> list[tuple[str, str]]:
        """The parts of [oldest, latest] not yet covered, newest first (the order Slack pages history)."""
        found: list[tuple[str, str]] = []
        high = Decimal(latest)
        for low_text, high_text in sorted(self.covered, key=lambda span: Decimal(span[1]), reverse=True):
            low, top = Decimal(low_text), Decimal(high_text)
            if top < Decimal(oldest) or low > high:
                continue
            if top < high:
                found.append((high_text, _text(high)))
            high = min(high, low)
        if high > Decimal(oldest):
            found.append((oldest, _text(high)))
        return found


def _text(value: Decimal) -> str:
    return f"{value:f}"


class Journal:
    """The chat file opened for appending, with the timestamps it already holds and its checkpoint."""

    def __init__(self, output: Path, channel: str):
        self.output = output
        self.state_file = state_path(output)
        self.seen: set[str] = set()
        self.started = True  # False until a fresh file's checkpoint and file are created (see _start)
        self.state = self._open(channel)

    def _open(self, channel: str) -> FetchState:
        if self.state_file.exists() and self.output.exists():
            state = _read_state(self.state_file)
            if state.channel != channel:
                raise InputError(
                    self.output,
                    f"holds channel {state.channel}, not {channel}",
                    hint="fetch each channel into its own file (--out), or delete the file and its "
                    f"{self.state_file.name} to start over",
                )
            self._recover_tail()
            return state
        if self.output.exists() and self.output.stat().st_size > 0:
            raise InputError(
                self.output,
                "exists and was not written by `postmortem fetch slack` (no checkpoint beside it)",
                hint="choose another --out, or move the file away",
            )
        # A fresh start (a checkpoint whose file was deleted starts over too): nothing is created until
        # there is something to write, so a fetch that fails at its first call leaves nothing behind.
        self.started = False
        return FetchState(channel=channel)

    def _start(self) -> None:
        """Before the first line: the checkpoint first, so a file on disk always has one beside it."""
        if not self.started:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.state_file, self.state.to_json() + "\n")
            self.output.touch()
            self.started = True

    def _recover_tail(self) -> None:
        """Read back every written `ts`; cut off a last line a kill left without its newline."""
        data = self.output.read_bytes()
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            with self.output.open("r+b") as stream:
                stream.truncate(complete)
                os.fsync(stream.fileno())
        for number, line in enumerate(data[:complete].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(self.output, f"not a JSON line: {exc.msg}", line=number) from exc
            ts = record.get("ts") if isinstance(record, dict) else None
            if not isinstance(ts, str):
                raise InputError(self.output, "a line without the Slack `ts` string", line=number)
            self.seen.add(ts)

    def append(self, records: list[dict[str, Any]]) -> int:
        """Append the records whose `ts` is new, in one write; returns how many were new."""
        fresh = []
        for record in records:
            if record["ts"] not in self.seen:
                self.seen.add(record["ts"])
                fresh.append(record)
        if not fresh:
            return 0
        self._start()
        data = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in fresh).encode("utf-8")
        handle = os.open(self.output, os.O_WRONLY | os.O_APPEND)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        return len(fresh)

    def save(self) -> None:
        """Make the appended lines durable, then replace the checkpoint that vouches for them, atomically."""
        self._start()
        handle = os.open(self.output, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
        write_atomic(self.state_file, self.state.to_json() + "\n")


def _read_state(path: Path) -> FetchState:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"cannot read the fetch checkpoint: {exc}", hint="delete it to fetch again") from exc
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION or not isinstance(data.get("channel"), str):
        raise InputError(path, "not a fetch checkpoint of this version", hint="delete it to fetch again")
    return FetchState(
        channel=data["channel"],
        covered=[list(map(str, span)) for span in data.get("covered", [])],
        threads={str(k): str(v) for k, v in data.get("threads", {}).items()},
        users={str(k): str(v) for k, v in data.get("users", {}).items()},
    )
