"""Read the files of a Slack export from a directory or a .zip, without extracting anything to disk.

A zip is untrusted input: members are read in memory with a size cap that is enforced on the bytes
actually inflated (not only the sizes the archive declares), and an archive whose members expand far
beyond their compressed size, or whose total would exceed a sane export, is refused as a zip bomb.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from pipeline.errors import InputError
from pipeline.ingest.files import MAX_INPUT_BYTES, decode, inside, read_checked

DAY_FILE_RE = re.compile(r"^(?P<channel>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
MAX_MEMBER_BYTES = MAX_INPUT_BYTES
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_MEMBERS = 200_000
MAX_RATIO = 200  # deflate tops out near 1000:1 on pathological data; JSON exports stay well under 50:1
RATIO_CHECK_BYTES = 1024 * 1024


class ExportFiles:
    """Named members of an export, relative to its root ("users.json", "general/2024-03-12.json")."""

    def __init__(self, path: Path):
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._root = path
        self._members: dict[str, str] = {}
        if path.is_dir():
            self._index_directory(path)
        else:
            self._index_zip(path)

    def names(self) -> list[str]:
        return list(self._members)

    def has(self, name: str) -> bool:
        return name in self._members

    def source_name(self, name: str) -> str:
        """How a member is named in messages' `source` and in errors."""
        return f"{self.path}/{name}" if self._zip is None else f"{self.path}!{self._members[name]}"

    def read_text(self, name: str) -> str:
        """The member's text (UTF-8), or InputError for a too-large, binary or wrongly encoded member."""
        where = self.source_name(name)
        if self._zip is None:
            file = Path(self._members[name])
            if not inside(self._root, file):
                raise InputError(
                    where,
                    f"a symlink leads outside the export directory (to {file.resolve()}); refusing to follow it",
                    hint="copy the file into the export, or remove the link",
                )
            return decode(read_checked(file, max_bytes=MAX_MEMBER_BYTES), where)
        with self._zip.open(self._members[name]) as member:
            data = member.read(MAX_MEMBER_BYTES + 1)
        if len(data) > MAX_MEMBER_BYTES:
            raise InputError(where, f"zip member inflates past the {MAX_MEMBER_BYTES / 1e6:.0f} MB limit")
        return decode(data, where)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def _index_directory(self, root: Path) -> None:
        if not any(root.glob("*/*.json")) and (root.parent / "users.json").exists():
            # pointed at one channel folder inside an export: read that channel with the export's users
            for name in ("users.json", "channels.json"):
                if (root.parent / name).exists():
                    self._members[name] = str(root.parent / name)
            root = root.parent
            self._root = root
            channels = [self.path]
        else:
            channels = [child for child in root.iterdir() if child.is_dir()]
            for name in ("users.json", "channels.json"):
                if (root / name).exists():
                    self._members[name] = str(root / name)
        for channel in channels:
            for day in channel.glob("*.json"):
                self._members[f"{channel.name}/{day.name}"] = str(day)

    def _index_zip(self, path: Path) -> None:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError(path, f"cannot open as a zip archive: {exc}") from exc
        self._zip = archive
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise InputError(path, f"zip has {len(infos)} members, over the {MAX_MEMBERS} limit")
        total = sum(info.file_size for info in infos)
        if total > MAX_TOTAL_BYTES:
            raise InputError(path, f"zip would inflate to {total / 1e9:.1f} GB, refusing (zip bomb guard)")
        for info in infos:
            if info.file_size > RATIO_CHECK_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise InputError(
                    path,
                    f"zip member {info.filename!r} is compressed {info.file_size // max(info.compress_size, 1)}:1, refusing (zip bomb guard)",
                )
        prefix = _export_root([info.filename for info in infos])
        for info in infos:
            relative = info.filename[len(prefix) :]
            if relative.startswith("__MACOSX/") or PurePosixPath(relative).name.startswith("._"):
                continue
            self._members[relative] = info.filename


def _export_root(names: list[str]) -> str:
    """The folder inside the zip that holds users.json (exports are often zipped with a top folder)."""
    candidates = sorted((name for name in names if PurePosixPath(name).name == "users.json"), key=len)
    if candidates:
        return candidates[0][: -len("users.json")]
    return ""
