"""Which lines of a file changed since a git ref: what `postmortem check --changed-since REF` reports on.

A pull request should be judged on the text it adds, not buried in findings on lines nobody touched. The
lines come from `git diff -U0 REF -- FILE` (the work tree against REF, so uncommitted edits count too);
a file git does not track yet is new, so all of it counts.
"""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from pathlib import Path

from pipeline.errors import InputError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


def changed_lines(path: Path, ref: str) -> set[int] | None:
    """1-based numbers of the lines added or changed in `path` since `ref`; None when every line is new
    (the file is not tracked). An InputError, with what to do next, when that cannot be known."""
    file = path.resolve()
    folder, name = file.parent, file.name
    problem = _folder_problem(folder, ref)
    if problem is not None:
        reason, hint = problem
        raise InputError(path, reason, hint=hint)
    if _git(["ls-files", "--error-unmatch", "--", name], folder, path, check=False).returncode:
        return None
    diff = _git(["diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames", ref, "--", name], folder, path)
    lines: set[int] = set()
    for hunk in _HUNK.finditer(diff.stdout):
        first, count = int(hunk.group(1)), int(hunk.group(2) or 1)
        lines.update(range(first, first + count))
    return lines


_HINT_REPO = "run it from a clone of the repository, or check the file without --changed-since"


@lru_cache(maxsize=256)
def _folder_problem(folder: Path, ref: str) -> tuple[str, str] | None:
    """Why files in `folder` cannot be compared with `ref` (reason, hint), or None; asked once per folder."""
    try:
        inside = _git(["rev-parse", "--is-inside-work-tree"], folder, folder).stdout.strip() == "true"
    except InputError as error:
        return error.reason, error.hint
    if not inside:
        return "--changed-since needs a file inside a git work tree", _HINT_REPO
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], folder, folder, check=False).returncode:
        return (
            f"--changed-since: {ref!r} is not a commit in this repository",
            "name a branch, tag or commit that exists; a shallow CI checkout may need `git fetch origin "
            "<branch>` first",
        )
    return None


def _git(arguments: list[str], folder: Path, path: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            ["git", *arguments], cwd=folder, capture_output=True, text=True, encoding="utf-8", errors="replace"
        )
    except FileNotFoundError as exc:
        raise InputError(path, "--changed-since needs git, and git was not found", hint="install git") from exc
    if check and done.returncode:
        if "not a git repository" in done.stderr:
            raise InputError(path, "--changed-since needs a file inside a git work tree", hint=_HINT_REPO)
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise InputError(path, f"git {arguments[0]} failed: {last}")
    return done
