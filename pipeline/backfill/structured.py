"""Structured notes (JSON, YAML, CSV rows from incident trackers) read by meaning, not by exact key.

Every tracker names the same things differently (`opened`, `created_at`, `detected`; `notes`,
`description`, `body`; `actions`, `follow_ups`, `remediation`). The synonyms are data
(`structured_keys` in `pipeline/data/backfill.yaml`). A record becomes markdown-like lines that offline
extraction already understands (`title: ...`, `## Summary`, `## Action items` bullets), each at the line of
its key in the source, so provenance points at the key. Nested objects are read as part of their record
and lists of comments become its timeline. A list of incidents (or a CSV file) gives one record each.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.backfill.reading import NoteText

# A located value: (value, 1-based line). value is a str, a list of located values, or a dict key -> located.
Located = tuple[Any, int]

_SECTION_HEADINGS = {
    "text": "Summary",
    "impact": "Impact",
    "cause": "Root cause",
    "actions": "Action items",
    "lessons": "Lessons learned",
    "comments": "Timeline",
}
_FIELD_LABELS = {"title": "title", "date": "date", "closed": "closed", "severity": "severity", "service": "service"}
_JIRA_HEADING = re.compile(r"^h([1-6])\.\s+")  # Jira wiki markup: "h2. Impact"
_NAME_KEYS = (
    "display value",  # ServiceNow's {"display_value": "2 - High", "value": "2"}
    "name",
    "value",
    "label",
    "title",
    "task",
    "action",
    "what",
    "item",
    "text",
    "description",
    "summary",
    "content",
    "body",
    "note",
    "comment",
    "id",
    "key",
)
_CONTAINED = {"text", "impact", "cause", "actions", "lessons"}  # meanings a longer key may carry in its name
_DONE_WORK = re.compile(r"\b(?:taken|done|completed|performed|immediate)\b")
_GRADES = {"low", "medium", "high", "critical", "major", "minor", "moderate", "severe"}
_COMMENT_TEXT_KEYS = ("body", "text", "comment", "content", "message", "note", "description", "summary")
_COMMENT_TIME_KEYS = ("created", "created at", "time", "timestamp", "at", "date", "when", "updated")


@dataclass(frozen=True)
class KeyMeanings:
    """Normalized key -> meaning (title, date, closed, text, actions, severity, service, comments, ...)."""

    meaning: dict[str, str]
    containers: frozenset[str]
    rank: dict[str, int] = field(default_factory=dict)  # a key's place among its meaning's synonyms
    inline_actions: re.Pattern[str] | None = None  # "... Resolved. Follow ups: 1) a 2) b" inside a text value

    def outranks(self, key: str, value: str, held: tuple[str, int, str], meaning: str) -> bool:
        """A grading key listed earlier than the one already read wins (ServiceNow's `priority` over `urgency`), a
        date key writing an earlier day wins (`started_at` before `created`); other meanings keep the first key."""
        if meaning == "date":
            from pipeline.backfill.dates import earlier

            return earlier(value, held[0])
        if meaning != "severity":
            return False
        last = len(self.rank)
        return self.rank.get(normalize_key(key), last) < self.rank.get(normalize_key(held[2]), last)

    def of(self, key: str) -> str | None:
        """The key's meaning: a synonym as written, or with ServiceNow's custom `u_` prefix dropped, or a text or
        follow-up key that contains one (`close_notes`, `u_follow_up_tasks`) unless it names work already done."""
        name = normalize_key(key)
        found = self.meaning.get(name) or self.meaning.get(name.removeprefix("u "))
        if found or _DONE_WORK.search(name):
            return found
        contained = [(len(k), m) for k, m in self.meaning.items() if m in _CONTAINED and f" {k} " in f" {name} "]
        return max(contained)[1] if contained else None


def normalize_key(key: str) -> str:
    """`createdAt`, `created_at`, `Created At` and `created-at` all become `created at`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(key))
    return re.sub(r"[\s_\-.]+", " ", spaced).strip().lower()


def meanings() -> KeyMeanings:
    from pipeline.backfill.extract import load_rules

    rules = load_rules()
    table = {normalize_key(key): kind for kind, keys in rules.structured_keys.items() for key in keys}
    rank = {normalize_key(key): place for keys in rules.structured_keys.values() for place, key in enumerate(keys)}
    leads = sorted({normalize_key(key) for key in rules.structured_keys.get("actions", ())}, key=len, reverse=True)
    inline = re.compile(
        r"(?:^|(?<=[.!?)\n])\s+)(?:%s)\s*:\s*(?P<rest>\S.*)$"
        % "|".join(re.escape(k).replace(r"\ ", r"[\s_-]?") for k in leads),
        re.IGNORECASE | re.DOTALL,
    )
    return KeyMeanings(
        meaning=table,
        containers=frozenset(normalize_key(k) for k in rules.incident_lists),
        rank=rank,
        inline_actions=inline,
    )


# ---------------------------------------------------------------- locating values in the source


def locate_yaml(text: str) -> Located:
    """YAML parsed into located values (every key and item at its own line); all scalars kept as written."""
    import yaml

    def walk(node: yaml.Node) -> Located:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return {str(key.value): (walk(value)[0], key.start_mark.line + 1) for key, value in node.value}, line
        if isinstance(node, yaml.SequenceNode):
            return [walk(item) for item in node.value], line
        return (None if node.tag.endswith(":null") else str(node.value)), line

    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return walk(root) if root is not None else ({}, 1)


def locate_json(data: Any, raw_lines: list[str]) -> Located:
    """JSON values located by scanning the source for each key (and list string) in document order."""
    cursor = 0

    def find(needle: re.Pattern[str]) -> int:
        nonlocal cursor
        for index in range(cursor, len(raw_lines)):
            if needle.search(raw_lines[index]):
                cursor = index
                return index + 1
        return cursor + 1

    def walk(value: Any, line: int) -> Located:
        if isinstance(value, dict):
            located = {}
            for key, item in value.items():
                key_line = find(re.compile(re.escape(json.dumps(str(key))) + r"\s*:"))
                located[str(key)] = (walk(item, key_line)[0], key_line)
            return located, line
        if isinstance(value, list):
            items = []
            for item in value:
                item_line = (
                    find(re.compile(re.escape(json.dumps(item, ensure_ascii=False))))
                    if isinstance(item, str)
                    else cursor + 1
                )
                value_at = walk(item, item_line)
                if isinstance(value_at[0], dict) and value_at[0]:  # an object in a list is at its first key's line
                    value_at = (value_at[0], min(key_line for _, key_line in value_at[0].values()))
                items.append(value_at)
            return items, line
        return (None if value is None else str(value)), line

    return walk(data, 1)


# ---------------------------------------------------------------- records


def incident_records(root: Located, keys: KeyMeanings) -> list[Located]:
    """The incidents a structured file holds: a list of objects, a container key's list, or one object."""
    value, _ = root
    if isinstance(value, list):
        return [item for item in value if isinstance(item[0], dict)]
    if isinstance(value, dict):
        dated = _keyed_by_date(value)
        if dated:
            return dated
        for key, (item, _) in value.items():
            if normalize_key(key) in keys.containers and isinstance(item, list):
                objects = [entry for entry in item if isinstance(entry[0], dict)]
                if objects:
                    return objects
            if normalize_key(key) in keys.containers and isinstance(item, dict) and _keyed_by_date(item):
                return _keyed_by_date(item)
        if not any(keys.of(key) for key in value):  # an API envelope ({"result": [...], "count": 2}): its list
            lists = [
                item
                for item, _ in value.values()
                if isinstance(item, list) and any(isinstance(e[0], dict) for e in item)
            ]
            if len(lists) == 1:
                return [entry for entry in lists[0] if isinstance(entry[0], dict)]
        return [root]
    return []


def _keyed_by_date(value: dict[str, Located]) -> list[Located]:
    """`2023-01-04: {title: ..., sev: ...}`, one key a day: each object an incident, its key its `date` field."""
    from pipeline.backfill.dates import first_day

    if not value or not all(isinstance(item, dict) and first_day(key) for key, (item, _) in value.items()):
        return []
    return [({"date": (key, line), **item}, line) for key, (item, line) in value.items()]


def record_note(record: Located, keys: KeyMeanings) -> NoteText:
    """One incident object as lines offline extraction reads: fields first, then sections, each at its key's line."""
    fields: dict[str, tuple[str, int, str]] = {}  # meaning -> (text, line, key)
    sections: dict[str, list[tuple[str, int]]] = {}
    others: list[tuple[str, int]] = []
    _collect(record[0], keys, fields, sections, others, depth=0)
    if "actions" not in sections:
        sections["actions"] = _inline_actions(sections, keys)
    _prefer_sev_grade(fields, others)
    texts = sections.get("text", [])
    if "title" not in fields and texts and len(texts[0][0].split()) <= 15 and "\n" not in texts[0][0]:
        fields["title"] = (*texts.pop(0), "")  # Jira's "summary" is a one-line title when a description follows
    note = NoteText(structured=True)
    for meaning, label in _FIELD_LABELS.items():
        if meaning in fields:
            note.add(f"{label}: {fields[meaning][0]}", fields[meaning][1])
    for text, line in others:
        note.add(text, line)
    for meaning, heading in _SECTION_HEADINGS.items():
        entries = sections.get(meaning, [])
        if not entries:
            continue
        note.add(f"## {heading}", entries[0][1])
        for text, line in entries:
            for offset, part in enumerate(text.split("\n")):
                note.add(_JIRA_HEADING.sub(lambda m: "#" * int(m.group(1)) + " ", part), line + offset)
            if meaning in {"text", "impact", "cause"}:
                note.add("", line)  # paragraphs apart; list entries stay one list
        note.add("", entries[-1][1])
    return note


_SEV_GRADE = re.compile(r"sev(?:erity)?[- ]?[0-5]", re.IGNORECASE)
_PRIORITY_KEYS = {"priority", "prio", "urgency", "incident priority"}


def _prefer_sev_grade(fields: dict[str, tuple[str, int, str]], others: list[tuple[str, int]]) -> None:
    """Jira keeps the incident's grade in a custom field (`customfield_10420: {value: SEV1}`) next to the issue's
    `priority: Highest`; the team's SEV grade is the severity the note means."""
    held = fields.get("severity")
    if held is None or normalize_key(held[2]) not in _PRIORITY_KEYS or _SEV_GRADE.fullmatch(held[0]):
        return
    for text, line in others:
        value = text.split(": ", 1)[-1].strip()
        if _SEV_GRADE.fullmatch(value):
            fields["severity"] = (value, line, "")
            return


def _inline_actions(sections: dict[str, list[tuple[str, int]]], keys: KeyMeanings) -> list[tuple[str, int]]:
    """Follow-ups a text or comment value names after a sentence (a Jira comment "PIR done. AI: 1. x 2. y", a
    PagerDuty note "Resolved. Follow ups: a, b"): a tracker record without an actions key still has them."""
    if keys.inline_actions is None:
        return []
    found: list[tuple[str, int]] = []
    for meaning in ("text", "comments"):
        kept = []
        for text, line in sections.get(meaning, []):
            match = keys.inline_actions.search(text)
            if match:
                found.extend(_items(match.group("rest").strip(), line))
                text = text[: match.start()]  # the comment's account stays; its follow-ups are read once
            kept.append((text, line))
        if meaning in sections:
            sections[meaning] = kept
    return found


def _collect(
    value: Any,
    keys: KeyMeanings,
    fields: dict[str, tuple[str, int, str]],
    sections: dict[str, list[tuple[str, int]]],
    others: list[tuple[str, int]],
    depth: int,
) -> None:
    if not isinstance(value, dict):
        return
    for key, (item, line) in value.items():
        meaning = keys.of(key)
        item = _adf_text(item) if _is_adf(item) else item
        if item is None or item == "" or item == [] or item == {}:
            continue
        if meaning in _FIELD_LABELS:
            text = _scalar(item)
            if meaning == "service" and isinstance(item, list):
                text = ", ".join(filter(None, (_scalar(entry[0]) for entry in item)))
            if meaning in {"date", "closed"}:
                text = _from_epoch(text or _time_of(item))
            if text and (meaning not in fields or keys.outranks(key, text, fields[meaning], meaning)):
                fields[meaning] = (text, line, key)
        elif meaning in {"actions", "lessons"}:
            sections.setdefault(meaning, []).extend(_items(item, line))
        elif meaning == "comments":
            sections.setdefault(meaning, []).extend(_comments(item, line))
        elif meaning == "impact" and isinstance(item, str) and item.strip().lower() in _GRADES:
            fields.setdefault("severity", (item.strip(), line, key))  # "impact": "low" grades the incident
        elif isinstance(item, dict) and meaning in {"text", "impact", "cause"} and depth < 4:
            _collect(item, keys, fields, sections, others, depth + 1)  # e.g. Opsgenie's "details": {...}
        elif meaning in _SECTION_HEADINGS:
            text = _scalar(item) if not isinstance(item, list) else "\n".join(t for t, _ in _items(item, line))
            if text:
                sections.setdefault(meaning, []).append((text, line))
        elif isinstance(item, dict) and depth < 4:
            _collect(item, keys, fields, sections, others, depth + 1)  # e.g. Jira's "fields": {...}
        elif isinstance(item, str) and "\n" not in item and len(item) <= 80:
            others.append((f"{key.replace('_', ' ')}: {item}", line))


_EPOCH = re.compile(r"\d{10}(?:\d{3})?(?:\.\d+)?")
_EPOCH_RANGE = (631152000, 4102444800)  # 1990 to 2100: other numbers are no timestamps


def _from_epoch(text: str) -> str:
    """`1646865600` (seconds) or `1646865600000` (milliseconds since 1970, as some trackers export) -> ISO UTC."""
    if not _EPOCH.fullmatch(text):
        return text
    seconds = float(text) / (1000 if len(text.split(".")[0]) == 13 else 1)
    if not _EPOCH_RANGE[0] <= seconds < _EPOCH_RANGE[1]:
        return text
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time_of(value: Any) -> str:
    """A date key's object read for its time (`"detected": {"at": "2023-01-08T21:47", "by": "support"}`)."""
    if not isinstance(value, dict):
        return ""
    return next(
        (
            t.strip()
            for name, (t, _) in value.items()
            if normalize_key(name) in _COMMENT_TIME_KEYS and isinstance(t, str)
        ),
        "",
    )


def _scalar(value: Any) -> str:
    """A field's text: a scalar as written, or the name/value of a small object (`{"name": "High"}`)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for key in _NAME_KEYS:
            for name, (item, _) in value.items():
                if normalize_key(name) == key and isinstance(item, str):
                    return item.strip()
    return ""


def _items(value: Any, line: int) -> list[tuple[str, int]]:
    """List entries as `- item` lines; a string of several lines, `;` or bullets gives one item each."""
    if isinstance(value, list):
        found = []
        for item, item_line in value:
            text = _scalar(item) or (_comment_text(item) if isinstance(item, dict) else "")
            if text:
                found.append((f"- {_one_line(text)}", item_line))
        return found
    if isinstance(value, dict):  # "remediation": {"items": [...]}: the lists the object holds
        return [
            entry for item, item_line in value.values() if isinstance(item, list) for entry in _items(item, item_line)
        ]
    if isinstance(value, str):
        parts = [p.strip(" -*•\t") for p in re.split(r"\n|;\s+|\s\|\s|(?:^|\s)\d{1,2}[.)]\s+", value)]
        parts = [part for part in parts if part]
        if len(parts) == 1:  # "rotate key, add alert" in one cell: a comma list of short actions
            from pipeline.backfill.extract import split_actions

            parts = split_actions(parts[0])
        return [(f"- {part}", line) for part in parts]
    return []


def _comments(value: Any, line: int) -> list[tuple[str, int]]:
    """Comment rows `- <time> <text>`; Jira's `"comment": {"comments": [...], "total": 4}` gives its list's rows."""
    if isinstance(value, dict):
        return [
            row for item, item_line in value.values() if isinstance(item, list) for row in _comments(item, item_line)
        ]
    if not isinstance(value, list):
        return [(_one_line(value), line)] if isinstance(value, str) else []
    rows = []
    for item, item_line in value:
        if isinstance(item, dict):
            text = _comment_text(item)
            when = next(
                (
                    t
                    for name, (t, _) in item.items()
                    if normalize_key(name) in _COMMENT_TIME_KEYS and isinstance(t, str)
                ),
                "",
            )
            if text:
                rows.append((f"- {when} {_one_line(text)}".replace("-  ", "- "), item_line))
        elif isinstance(item, str):
            rows.append((f"- {_one_line(item)}", item_line))
    return rows


def _comment_text(item: dict[str, Located]) -> str:
    for name, (text, _) in item.items():
        if normalize_key(name) in _COMMENT_TEXT_KEYS and _is_adf(text):
            return _adf_text(text)
        if normalize_key(name) in _COMMENT_TEXT_KEYS and isinstance(text, str):
            return text
    return ""


_ADF_BLOCKS = {"paragraph", "heading", "listItem", "codeBlock", "blockquote", "rule", "tableRow"}


def _is_adf(value: Any) -> bool:
    """Jira Cloud's rich text (Atlassian Document Format): `{"type": "doc", "content": [...]}`."""
    return isinstance(value, dict) and isinstance(value.get("type"), tuple) and value["type"][0] == "doc"


def _adf_text(value: Any) -> str:
    """An ADF document as plain lines: one line per paragraph or heading, list items as `- item`."""
    lines: list[str] = []

    def walk(node: Any, prefix: str) -> str:
        if isinstance(node, list):
            return "".join(walk(child, prefix) for child, _ in node)
        if not isinstance(node, dict):
            return ""
        kind = node.get("type", ("", 0))[0]
        own = node["text"][0] if isinstance(node.get("text"), tuple) and isinstance(node["text"][0], str) else ""
        inner = own + walk(node.get("content", ([], 0))[0], "- " if kind == "listItem" else prefix)
        if kind in _ADF_BLOCKS and kind != "listItem":
            if inner.strip():
                lines.append(("### " if kind == "heading" else prefix) + inner.strip())
            return ""
        return inner

    walk(value, "")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def csv_records(text: str) -> list[Located]:
    """Each CSV row (after the header) as one located incident object, every cell at the row's line."""
    import csv
    import io

    first = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[Located] = []
    line = reader.line_num + 1
    for cells in reader:
        if header is None:
            header = [cell.strip() for cell in cells]
        elif any(cell.strip() for cell in cells):
            rows.append(({name: (cell, line) for name, cell in zip(header, cells) if name}, line))
        line = reader.line_num + 1
    return rows
