"""The built wheel ships every file the package reads, and works from outside the repository.

The wheel is built from a copy of the git-tracked files (so stray local files cannot hide a missing one),
without build isolation (setuptools comes from the dev extras), and installed with --target next to it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support import REPO_ROOT

pytestmark = pytest.mark.slow


def tracked_files() -> list[str]:
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.fail("tests/test_wheel.py needs git and a git checkout to know which files are tracked")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return [name for name in listed.stdout.split("\0") if name]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in tracked_files():
        origin = REPO_ROOT / name
        if not origin.exists() and not origin.is_symlink():
            continue  # deleted in the working tree, not yet committed
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            target.symlink_to(origin.readlink())
        else:
            shutil.copy2(origin, target)
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(out),
        str(source),
    ]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    [built] = out.glob("postmortem_pipeline-*.whl")
    return built


def test_every_tracked_package_file_is_in_the_wheel(wheel):
    shipped = set(zipfile.ZipFile(wheel).namelist())
    resources = [name for name in tracked_files() if name.startswith("pipeline/") and not name.endswith(".py")]
    assert "pipeline/blameless/first_names.txt" in resources and "pipeline/data/library" in "".join(resources)
    assert [name for name in resources if name not in shipped] == []
    assert not [name for name in shipped if "__pycache__" in name or name.endswith(".pyc")]
    # The prompt templates the LLM engine renders (importlib.resources finds them in an installed wheel).
    for template in ["system", "narrative", "analysis", "repair", "rewrite"]:
        assert f"pipeline/prompts/{template}.j2" in shipped


def test_the_installed_wheel_checks_a_name_from_outside_the_repository(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    note = tmp_path / "note.md"
    note.write_text("Dave forgot to renew the cert.\n", encoding="utf-8")
    code = "import pipeline, sys; from pipeline.cli import main; print(pipeline.__file__, file=sys.stderr); main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "check", str(note)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert str(target) in result.stderr, result.stderr  # the installed copy, not the source tree
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "note.md:1:1:" in result.stdout
