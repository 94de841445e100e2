"""Read an input file as text, or fail with one clear error: missing, empty, binary, too large, not UTF-8."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # a 50 MB chat export must still load; beyond this, split the file


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Return the file's text (UTF-8, BOM stripped, newlines normalized) or raise InputError."""
    return decode(read_checked(path, what=what, max_bytes=max_bytes), path, what=what)


def read_checked(
    path: Path, *, what: str = "file", max_bytes: int = MAX_INPUT_BYTES,
    too_large_hint: str = "split the file, or trim it to the incident window",
) -> bytes:
    """The file's bytes, or InputError when it is missing, a directory, or larger than `max_bytes`."""
    if not path.exists():
        raise InputError(path, f"{what} not found", hint="check the path, or pass it explicitly")
    if path.is_dir():
        raise InputError(path, f"{what} is a directory, expected a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(path, f"{what} is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit", hint=too_large_hint)
    return path.read_bytes()


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
            path, f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x})", line=line,
            hint="re-save it as UTF-8, e.g. iconv -f latin1 -t utf-8",
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")
