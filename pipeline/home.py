"""Where the incident library and cached models live: one folder per user, whatever the current directory.

`$POSTMORTEM_HOME` when set, else the platform's user data folder (platformdirs: `~/.local/share/
postmortem-pipeline` on Linux, `~/Library/Application Support/postmortem-pipeline` on macOS). Never the
current directory, so `draft` in one folder, `similar` in another and `backfill --index` in a third all
see one library.

Older versions kept the library in `./.postmortem/`. When a command finds one in the current directory,
it is moved into the home if the home has no library yet (a notice says so); otherwise it is left where
it is, and a notice says how to search or re-index it. A library is never deleted or overwritten.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from functools import lru_cache
from pathlib import Path

HOME_VARIABLE = "POSTMORTEM_HOME"
APP_NAME = "postmortem-pipeline"
LEGACY_FOLDER = ".postmortem"
_MOVABLE = ("chroma", "models")  # what older versions wrote into ./.postmortem
_noticed: set[Path] = set()


def library_home() -> Path:
    """`$POSTMORTEM_HOME`, else the user data folder; created by whoever first writes into it."""
    home = os.environ.get(HOME_VARIABLE)
    if home:
        return Path(home).expanduser()
    return _user_data_folder(os.environ.get("XDG_DATA_HOME"), os.environ.get("HOME"))


@lru_cache(maxsize=4)
def _user_data_folder(xdg_data_home: str | None, user_home: str | None) -> Path:
    """The platform's user data folder for us, once per environment (platformdirs costs ~80 us a call)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def adopt_legacy_library(home: Path | None = None, cwd: Path | None = None) -> None:
    """Move `./.postmortem/{chroma,models}` into the home when the home has none; else say how to use it."""
    home = home or library_home()
    legacy = (cwd or Path.cwd()) / LEGACY_FOLDER
    if not legacy.is_dir() or _same(legacy, home) or legacy.resolve() in _noticed:
        return
    _noticed.add(legacy.resolve())
    for name in _MOVABLE:
        source, target = legacy / name, home / name
        if not source.exists():
            continue
        if target.exists():
            if name == "chroma":
                _notice(
                    f"{source} is not used: the incident library is {target} (one per user; set ${HOME_VARIABLE} "
                    f"to choose another). Search the old one with --store {source}, or re-index its postmortems "
                    f"with postmortem index DIR, then delete {legacy}."
                )
            continue
        _move(source, target)
        if name == "chroma":
            _notice(
                f"moved the incident library {source} to {target} (one per user; set ${HOME_VARIABLE} to choose another)"
            )
    if legacy.is_dir() and not any(legacy.iterdir()):
        legacy.rmdir()


def _move(source: Path, target: Path) -> None:
    """Rename when on one file system; else copy to a side name, rename it into place, then delete the source."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    partial = target.with_name(target.name + ".moving")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(source, partial, symlinks=True)
    os.rename(partial, target)
    shutil.rmtree(source)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _notice(message: str) -> None:
    """Notices go to stderr, so stdout stays the command's output (JSON, a draft)."""
    print(f"notice: {message}", file=sys.stderr)
