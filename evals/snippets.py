"""Chat snippets of the small eval sets (evals/roles, evals/actions) as the incidents the engine reads.

Each snippet becomes a chat the way the readers give it: a Slack id author becomes the roster's full name and a
`<@U…>` mention becomes "@Full Name" (the Slack reader does this from users.json), and a call line's
"[00:05:30] Name: " or "(Zoom transcript) Name: " prefix goes (the transcript readers keep only the words); handles
stay as written. The roster's
names are incident.toml's people, without roles. Messages are a minute apart from 09:01 UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from pipeline.models import ChatLog, ChatMessage, Incident, IncidentMeta, LockedTimeline, Person, TimelineEvent

SLACK_MENTION_RE = re.compile(r"<@(\w+)>")
# "[00:05:30] Laura Hill: ", "[call transcript, 14:32] Ingrid: ", "(Zoom transcript) Marcus: ": a call line as a
# writer pasted it; the transcript readers keep only the words.
CALL_PREFIX_RE = re.compile(r"^[\[(][^\])\n]{3,50}[\])]\s*(?:[^\W\d_][\w'.-]*(?: [^\W\d_][\w'.-]*)?:\s+)?")
START = datetime(2026, 5, 2, 9, 0, tzinfo=UTC)


def as_incident(item: dict, timeline: list[str] = ()) -> Incident:
    """The snippet as an incident: its messages as the chat, `timeline` texts as rows a minute apart before it."""
    by_id = {person["id"]: person["name"] for person in item["people"] if person.get("id")}
    messages = []
    for line, message in enumerate(item["messages"], start=1):
        text = SLACK_MENTION_RE.sub(lambda m: "@" + by_id.get(m[1], m[1]), str(message["text"]))
        text = CALL_PREFIX_RE.sub("", text)
        author = by_id.get(str(message["author"]), str(message["author"]))
        at = START + timedelta(minutes=line)
        messages.append(ChatMessage(id=f"C{line}", time=at, author=author, text=text, line=line))
    rows = [
        TimelineEvent(id=f"T{i}", time=START - timedelta(minutes=len(timeline) - i), text=text, raw_time="", line=i + 2)
        for i, text in enumerate(timeline, start=1)
    ]
    return Incident(
        meta=IncidentMeta(people=[Person(name=person["name"]) for person in item["people"]]),
        timeline=LockedTimeline(path="timeline.md", format="markdown", events=rows, sha256="0" * 64),
        chat=ChatLog(path="chat.txt", format="transcript", messages=messages),
    )
