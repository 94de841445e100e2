"""Which chat format a path holds: by shape first (folder or zip, .jsonl, .vtt, .srt), else by sniffing lines.

Sniffing reads the first non-empty lines and counts, per format, the lines its patterns match; the
format with most matches wins (ties go to the earlier registry entry). Nothing matching is an error
that lists the formats to pass explicitly.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.chat.formats import CHAT_FORMATS
from pipeline.ingest.files import read_text

SNIFF_LINES = 50
# a `.json` chat file is a JSON list of message objects, read as JSON Lines are
SUFFIX_FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".vtt": "webvtt", ".srt": "srt"}


def detect_chat_format(path: Path) -> str:
    """The `--chat-format` name for `path`, or InputError when no format fits."""
    if path.is_dir() or (path.suffix.lower() == ".zip" and path.is_file()) or _is_zip(path):
        return "slack-export"
    if path.suffix.lower() in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[path.suffix.lower()]
    lines = [line.rstrip() for line in read_text(path, what="chat file").split("\n") if line.strip()][:SNIFF_LINES]
    scores = {
        name: sum(1 for line in lines if any(pattern.match(line) for pattern in format_.sniff))
        for name, format_ in CHAT_FORMATS.items()
        if format_.sniff
    }
    best = max(scores, key=lambda name: scores[name])
    if scores[best] == 0:
        raise InputError(
            path,
            f"cannot detect the chat format (no line in the first {SNIFF_LINES} looks like a chat message)",
            hint=f"pass --chat-format one of: {', '.join(CHAT_FORMATS)}",
        )
    return best


def _is_zip(path: Path) -> bool:
    try:
        return path.is_file() and zipfile.is_zipfile(path)
    except OSError:
        return False
