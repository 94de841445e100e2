"""One library home: `draft`, `similar` and `backfill --index` from different folders see one library,
`similar` falls back to the bundled examples (and says so), and an old `./.postmortem` is moved, not lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.home import adopt_legacy_library, library_home
from pipeline.models import Draft
from support import EXAMPLES, REPO_ROOT

NOTES = REPO_ROOT / "tests" / "fixtures" / "backfill" / "notes" / "wiki"
runner = CliRunner()


@pytest.fixture
def user_data(tmp_path, monkeypatch) -> Path:
    """No $POSTMORTEM_HOME: the platform's user data folder (XDG_DATA_HOME on Linux) is the home."""
    monkeypatch.delenv("POSTMORTEM_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "postmortem-pipeline"


def folder(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def test_home_is_the_environment_variable_else_the_user_data_folder_never_the_cwd(user_data, monkeypatch, tmp_path):
    monkeypatch.chdir(folder(tmp_path, "somewhere"))
    assert library_home() == user_data
    monkeypatch.setenv("POSTMORTEM_HOME", str(tmp_path / "team-home"))
    assert library_home() == tmp_path / "team-home"


def test_draft_similar_and_backfill_from_three_folders_see_one_library(user_data, tmp_path, monkeypatch):
    notes = folder(tmp_path, "notes")
    for name in ("2019-db-failover.md", "cert-expiry.txt"):
        shutil.copy(NOTES / name, notes / name)
    monkeypatch.chdir(notes)
    backfilled = runner.invoke(app, ["backfill", ".", "--out", str(tmp_path / "records"), "--index", "--no-progress"])
    assert backfilled.exit_code == 0, backfilled.output

    monkeypatch.chdir(folder(tmp_path, "inc"))
    found = runner.invoke(app, ["similar", "orders database failover stalled checkout", "--format", "json"])
    assert found.exit_code == 0, found.output
    assert "bundled example library" not in found.stderr
    sources = [Path(item["source"]).name for item in json.loads(found.stdout)]
    assert sources == ["2019-db-failover.md", "cert-expiry.txt"]  # the backfilled notes, best match first

    monkeypatch.chdir(folder(tmp_path, "elsewhere"))
    drafted = runner.invoke(app, ["draft", str(EXAMPLES / "checkout-api"), "--format", "json"])
    assert drafted.exit_code == 0, drafted.output
    assert (
        Draft.model_validate_json(drafted.stdout).similar_source == f"your incident library at {user_data / 'chroma'}"
    )
    assert not any(tmp_path.glob("*/.postmortem")), "nothing is written into the current directory"


def test_similar_with_nothing_indexed_searches_the_bundled_examples_and_says_so(tmp_path):
    result = runner.invoke(app, ["similar", "TLS certificate expired on the internal gateway", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "notice: nothing indexed yet" in result.stderr and "bundled example library" in result.stderr
    assert json.loads(result.stdout)[0]["incident_id"] == "PM-2024-004"  # the certificate-expiry sample


def test_similar_with_an_explicit_missing_store_is_an_error_not_a_fallback(tmp_path):
    result = runner.invoke(app, ["similar", "certificate expired", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert "no incident library at" in result.stderr and "postmortem index" in result.stderr


def legacy_library(cwd: Path, marker: str) -> Path:
    chroma = cwd / ".postmortem" / "chroma"
    chroma.mkdir(parents=True)
    (chroma / "chroma.sqlite3").write_text(marker)
    return chroma


def test_an_old_cwd_library_moves_into_an_empty_home_with_a_notice(tmp_path, capsys):
    cwd, home = folder(tmp_path, "project"), tmp_path / "home"
    legacy_library(cwd, "team library")
    adopt_legacy_library(home, cwd)
    assert (home / "chroma" / "chroma.sqlite3").read_text() == "team library"
    assert not (cwd / ".postmortem").exists()
    assert (
        f"moved the incident library {cwd / '.postmortem' / 'chroma'} to {home / 'chroma'}" in capsys.readouterr().err
    )


def test_an_old_cwd_library_is_never_merged_over_an_existing_one(tmp_path, capsys):
    cwd, home = folder(tmp_path, "project"), tmp_path / "home"
    old = legacy_library(cwd, "old library")
    (home / "chroma").mkdir(parents=True)
    (home / "chroma" / "chroma.sqlite3").write_text("current library")
    adopt_legacy_library(home, cwd)
    assert (old / "chroma.sqlite3").read_text() == "old library"
    assert (home / "chroma" / "chroma.sqlite3").read_text() == "current library"
    err = capsys.readouterr().err
    assert f"{old} is not used" in err and f"--store {old}" in err
