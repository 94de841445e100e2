"""Helpers shared by test modules: repository paths and small incidents built in memory.

Import as `from support import ...` (not from conftest: nested conftest.py files shadow each other).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from pipeline.models import ChatLog, ChatMessage, Incident, IncidentMeta, LockedTimeline, Person, TimelineEvent

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


def at(hhmm: str, day: str = "2024-05-14") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+00:00").astimezone(timezone.utc)


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
