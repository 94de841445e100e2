"""Find the notes under the paths given to backfill: format per file, a stable id, a deterministic shard.

A note's id comes from its path relative to the source argument (`wiki/2019/db-outage.md`), so two
machines that mount the same tree at different places agree on ids and on which shard owns each note.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.files import inside

FORMATS_BY_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".txt": "text",
    ".text": "text",
    ".rst": "text",
    ".adoc": "text",
    ".log": "text",
    "": "text",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
    ".eml": "eml",
    ".docx": "docx",
}
SLACK_EXPORT_MARKERS = ("channels.json", "users.json")
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_SKIP_NAMES = {"__pycache__", "node_modules", ".git"}


@dataclass(frozen=True)
class NoteSource:
    """One note to backfill: a file, or a Slack export folder read as a whole."""

    path: Path
    relative: str  # the id key: path relative to the source argument, with that argument's own name first
    format: str | None  # None when the file type is not supported (reported, never fatal)

    @property
    def note_id(self) -> str:
        stem = re.sub(r"[^a-z0-9]+", "-", self.relative.lower()).strip("-")
        if len(stem) > 60:  # keep the end of the path (the file name), cut at a word boundary
            stem = stem[-60:].split("-", 1)[-1]
        return f"{stem or 'note'}-{_digest(self.relative)[:8]}"

    def in_shard(self, shard: tuple[int, int]) -> bool:
        """`(k, n)`: this note belongs to shard k of n (1-based), by a hash of its relative path."""
        k, n = shard
        return int(_digest(self.relative)[:12], 16) % n == k - 1


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def parse_shard(value: str) -> tuple[int, int]:
    """`"2/4"` -> (2, 4); anything else is an InputError saying what is expected."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise InputError("--shard", f"expected k/N with 1 <= k <= N, got {value!r}", hint="e.g. --shard 1/4")
    return int(match.group(1)), int(match.group(2))


def is_slack_export(path: Path) -> bool:
    """A folder with channels.json/users.json, or channel folders of YYYY-MM-DD.json day files."""
    if not path.is_dir():
        return False
    if any((path / marker).is_file() for marker in SLACK_EXPORT_MARKERS):
        return True
    return any(child.is_dir() and any(_DAY_FILE.match(f.name) for f in child.iterdir()) for child in path.iterdir())


def detect_format(path: Path) -> str | None:
    if path.is_dir():
        return "slack-export" if is_slack_export(path) else None
    if path.suffix.lower() == ".zip":
        return "slack-export" if _zipped_slack_export(path) else None
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


def _zipped_slack_export(path: Path) -> bool:
    """A .zip as Slack's export download: channels.json or users.json at its top level (or one folder down)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return any(
                name.rsplit("/", 1)[-1] in SLACK_EXPORT_MARKERS and name.count("/") <= 1 for name in archive.namelist()
            )
    except (OSError, zipfile.BadZipFile):
        return False


def discover(paths: list[Path]) -> list[NoteSource]:
    """Every note under `paths`, sorted by id key; a path that does not exist is an InputError."""
    found: dict[str, NoteSource] = {}
    for root in paths:
        if not root.exists():
            raise InputError(root, "not found", hint="pass files or folders of incident notes")
        base = root.resolve().parent
        for path in _walk(root):
            relative = path.resolve().relative_to(base).as_posix()
            found.setdefault(relative, NoteSource(path=path, relative=relative, format=detect_format(path)))
    return sorted(found.values(), key=lambda source: source.relative)


def _walk(root: Path) -> list[Path]:
    if not root.is_dir() or is_slack_export(root):  # a file, or a device/FIFO that read_checked refuses
        return [root]
    notes: list[Path] = []
    for child in sorted(root.iterdir()):
        if child.name.startswith(".") or child.name in _SKIP_NAMES:
            continue
        if child.is_dir() and inside(root, child):
            notes.extend(_walk(child))
        elif child.is_file() and inside(root, child):  # a symlink out of the tree is not followed
            notes.append(child)
    return notes
