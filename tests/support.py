"""Helpers shared by test modules: repository paths and small incidents built in memory.

Import as `from support import ...` (not from conftest: nested conftest.py files shadow each other).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import vcr

from pipeline.models import ChatLog, ChatMessage, Incident, IncidentMeta, LockedTimeline, Person, TimelineEvent

REPO_ROOT = Path(__file__).resolve().parents[1]  # tests run in a temporary directory: build paths from here
ROOT = REPO_ROOT  # the older name, kept while parallel branches merge
EXAMPLES = REPO_ROOT / "examples"
SHARED = REPO_ROOT.parent / "shared"
# POSTMORTEM_RECORD_CASSETTES=1 re-records cassettes against the loopback server; CI only replays them.
RECORD_CASSETTES = os.environ.get("POSTMORTEM_RECORD_CASSETTES") == "1"


def stable_response(response: dict) -> dict:
    """Drop headers that change on every recording, so a re-record only diffs where the exchange changed."""
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() not in ("date", "server")}
    return response


def cassette_recorder(directory: Path) -> vcr.VCR:
    """vcrpy matching on method, URL and body, replay-only unless recording; credentials never stored."""
    return vcr.VCR(
        cassette_library_dir=str(directory),
        record_mode="all" if RECORD_CASSETTES else "none",
        match_on=["method", "scheme", "host", "port", "path", "body"],
        filter_headers=["authorization", "cookie", "set-cookie"],
        decode_compressed_response=True,
        before_record_response=stable_response,
    )


def at(hhmm: str, day: str = "2024-05-14") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+00:00").astimezone(UTC)


def make_incident(
    rows: list[tuple[str, str]],
    chat: list[tuple[str, str, str]] = (),
    **meta,
) -> Incident:
    """An Incident from (HH:MM, text) timeline rows and (HH:MM, author, text) chat rows, all UTC."""
    people = [Person(name=name, roles=roles) for name, roles in meta.pop("people", {}).items()]
    events = [
        TimelineEvent(id=f"T{i}", time=at(hhmm), text=text, raw_time=hhmm, line=i + 2)
        for i, (hhmm, text) in enumerate(rows, start=1)
    ]
    messages = [
        ChatMessage(id=f"C{i}", time=at(hhmm), author=author, text=text, line=i)
        for i, (hhmm, author, text) in enumerate(chat, start=1)
    ]
    return Incident(
        meta=IncidentMeta(people=people, **meta),
        timeline=LockedTimeline(path="timeline.md", format="markdown", events=events, sha256="0" * 64),
        chat=ChatLog(path="chat.txt", format="transcript", messages=messages) if chat else None,
    )
