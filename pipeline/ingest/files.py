"""The one gate every input file passes: read only regular files, size-capped before reading.

Missing, a directory, a character device (/dev/zero), a FIFO, a socket, too large, empty, binary or not
UTF-8: each is one clear InputError naming the path. The file's type is checked with os.stat before it
is opened (a FIFO would block open() itself), and it is opened non-blocking and checked again, so a file
swapped in between cannot hang the run. `inside` keeps tree walks from following symlinks out of a tree.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.errors import InputError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # a 50 MB chat export must still load; beyond this, split the file


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Return the file's text (UTF-8, BOM stripped, newlines normalized) or raise InputError."""
    return decode(read_checked(path, what=what, max_bytes=max_bytes), path, what=what)


def read_checked(
    path: Path,
    *,
    what: str = "file",
    max_bytes: int = MAX_INPUT_BYTES,
    too_large_hint: str = "split the file, or trim it to the incident window",
) -> bytes:
    """The file's bytes, or InputError when it is missing, not a regular file, or larger than `max_bytes`."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, f"{what} not found", hint="check the path, or pass it explicitly") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror}") from None
    _require_regular(path, info.st_mode, what)
    if info.st_size > max_bytes:
        raise InputError(
            path, f"{what} is {info.st_size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit", hint=too_large_hint
        )
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror}") from None
    with os.fdopen(descriptor, "rb") as stream:
        _require_regular(path, os.fstat(stream.fileno()).st_mode, what)
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            path, f"{what} grew past the {max_bytes / 1e6:.0f} MB limit while being read", hint=too_large_hint
        )
    return data


def _require_regular(path: Path, mode: int, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(path, f"{what} is a directory, expected a file")
    kind = (
        "a character device"
        if stat.S_ISCHR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a FIFO"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise InputError(path, f"{what} is {kind}, not a regular file; refusing to read it", hint="pass a regular file")


def require_regular(path: Path, *, what: str = "file") -> None:
    """InputError unless `path` (after symlinks) is a regular file: for readers that stream it themselves."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror}") from None
    _require_regular(path, mode, what)


def inside(root: Path, path: Path) -> bool:
    """True when `path`, with every symlink resolved, stays inside `root` (a tree walk may follow it)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def regular_files_inside(root: Path, paths: list[Path]) -> list[Path]:
    """The paths that are regular files (after symlinks) and do not lead outside `root`."""
    kept = []
    for path in paths:
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            continue
        if regular and inside(root, path):
            kept.append(path)
    return kept


def decode(data: bytes, path: Path | str, *, what: str = "file") -> str:
    """Decode bytes as UTF-8 (with or without BOM); binary or other encodings are an InputError."""
    if not data.strip():
        raise InputError(path, f"{what} is empty")
    if b"\x00" in data[:8192]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(path, f"{what} is UTF-16 encoded", hint="re-save it as UTF-8")
        raise InputError(path, f"{what} looks binary (contains NUL bytes), expected text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            path,
            f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            line=line,
            hint="re-save it as UTF-8, e.g. iconv -f latin1 -t utf-8",
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")
