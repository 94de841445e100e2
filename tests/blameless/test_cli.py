"""`postmortem check` end to end: formats, exit codes (aggregated), paths, config, --fix/--diff."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.blameless.rules import RULES_PATH, parse_rule_file
from pipeline.cli import app

runner = CliRunner()
CLEAN = "# Review\n\nThe deploy reached production without a canary stage.\n"
WARN = "# Review\n\nCarlos broke the login flow.\n"
SUGGEST = "# Review\n\nThe alert was obviously missed.\n"
ERROR = "# Review\n\nThe platform team is to blame.\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(*args: str, input: str | None = None):
    return runner.invoke(app, ["check", *args], input=input)


def test_clean_file_exits_0(tmp_path: Path) -> None:
    result = check(str(write(tmp_path / "a.md", CLEAN)))
    assert result.exit_code == 0 and result.stdout == ""


@pytest.mark.parametrize(
    ("text", "fail_on", "code"),
    [
        (WARN, "warning", 1),
        (WARN, "error", 0),
        (SUGGEST, "warning", 0),
        (SUGGEST, "suggestion", 1),
        (ERROR, "error", 1),
    ],
)
def test_fail_on_threshold(tmp_path: Path, text: str, fail_on: str, code: int) -> None:
    result = check(str(write(tmp_path / "a.md", text)), "--fail-on", fail_on)
    assert result.exit_code == code


def test_exit_code_aggregates_across_paths(tmp_path: Path) -> None:
    clean = write(tmp_path / "clean.md", CLEAN)
    warn = write(tmp_path / "warn.md", WARN)
    assert check(str(warn), str(clean)).exit_code == 1
    assert check(str(clean), str(warn)).exit_code == 1


def test_missing_file_is_exit_2_but_others_still_reported(tmp_path: Path) -> None:
    warn = write(tmp_path / "warn.md", WARN)
    result = check(str(tmp_path / "nope.md"), str(warn))
    assert result.exit_code == 2
    assert "nope.md: file not found" in result.stderr
    assert "BL001" in result.stdout


def test_directories_and_globs_expand_to_markdown(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "one.md", WARN)
    write(tmp_path / "docs" / "sub" / "two.md", WARN)
    write(tmp_path / "docs" / "notes.txt", WARN)
    result = check(str(tmp_path / "docs"), "--format", "json")
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert {Path(f).name for f in files} == {"one.md", "two.md"}
    glob_result = check(str(tmp_path / "docs" / "**" / "*.md"), "--format", "json")
    assert len(json.loads(glob_result.stdout)["findings"]) == 2
    assert check(str(tmp_path / "*.nothing")).exit_code == 2


def test_stdin(tmp_path: Path) -> None:
    result = check("-", input=WARN)
    assert result.exit_code == 1
    assert result.stdout.startswith("-:3:1: warning BL001(person-as-agent)")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_every_format_runs(tmp_path: Path, fmt: str) -> None:
    result = check(str(write(tmp_path / "a.md", WARN)), "--format", fmt)
    assert result.exit_code == 1 and "BL001" in result.stdout


def test_bad_format_and_level_are_usage_errors(tmp_path: Path) -> None:
    path = str(write(tmp_path / "a.md", WARN))
    assert check(path, "--format", "xml").exit_code == 2
    assert check(path, "--fail-on", "fatal").exit_code == 2


def test_config_allow_deny_levels_and_people(tmp_path: Path) -> None:
    path = str(write(tmp_path / "a.md", WARN + "\nZorvath ignored the page.\n\nIt was obviously missed.\n"))
    config = write(tmp_path / "c.yaml", "levels:\n  person-as-agent: error\npeople: [Zorvath]\nallow: [BL005]\n")
    result = check(path, "--config", str(config), "--format", "json")
    found = [(f["rule_id"], f["severity"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("BL001", "error"), ("BL001", "error")]
    deny = write(tmp_path / "d.yaml", "deny: [BL005]\n")
    only = json.loads(check(path, "--config", str(deny), "--format", "json").stdout)["findings"]
    assert [f["rule_id"] for f in only] == ["BL005"]


def test_config_file_is_found_in_the_working_directory(tmp_path: Path) -> None:
    path = str(write(tmp_path / "a.md", SUGGEST))
    write(tmp_path / ".postmortem-blameless.yaml", "levels:\n  BL005: error\n")
    assert check(path).exit_code == 1


def test_pyproject_section_is_read(tmp_path: Path) -> None:
    path = str(write(tmp_path / "a.md", WARN))
    write(tmp_path / "pyproject.toml", '[tool.postmortem.blameless]\nallow = ["BL001"]\n')
    assert check(path).exit_code == 0


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("levels:\n  BL001: warning\nexeptions: []\n", "c.yaml:3: unknown key 'exeptions'"),
        ("allow: [BL099]\n", "c.yaml:1: allow: unknown rule 'BL099'"),
        ("levels:\n  BL001: loud\n", "c.yaml:1: levels: "),
        ("levels: [\n", "c.yaml:2: not valid YAML"),
    ],
)
def test_config_errors_exit_2_naming_file_and_line(tmp_path: Path, config: str, message: str) -> None:
    path = str(write(tmp_path / "a.md", CLEAN))
    result = check(path, "--config", str(write(tmp_path / "c.yaml", config)))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_incident_toml_beside_the_file_adds_people(tmp_path: Path) -> None:
    path = str(write(tmp_path / "inc" / "draft.md", "Zorvath ignored the page.\n"))
    assert check(path).exit_code == 0
    write(tmp_path / "inc" / "incident.toml", '[[people]]\nname = "Zorvath"\n')
    assert check(path).exit_code == 1


def test_fix_writes_safe_rewrites_and_reports_the_rest(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.md",
        "Carlos broke checkout.\n\nThe alert was obviously missed.\n\nCarlos should have drained the node.\n",
    )
    result = check(str(path), "--fix", "--fail-on", "suggestion")
    assert path.read_text(encoding="utf-8") == (
        "Checkout was broken.\n\nThe alert was missed.\n\nCarlos should have drained the node.\n"
    )
    assert result.exit_code == 1
    assert "BL002" in result.stdout and "BL001" not in result.stdout and "BL005" not in result.stdout


def test_diff_prints_and_changes_nothing(tmp_path: Path) -> None:
    text = "The alert was obviously missed.\n"
    path = write(tmp_path / "a.md", text)
    result = check(str(path), "--diff")
    assert path.read_text(encoding="utf-8") == text
    assert "-The alert was obviously missed.\n+The alert was missed.\n" in result.stdout


def test_fix_on_stdin_prints_the_text() -> None:
    result = check("-", "--fix", input="It was obviously missed.\n")
    assert result.stdout == "It was missed.\n"


def test_github_format_writes_the_step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    check(str(write(tmp_path / "a.md", WARN)), "--format", "github")
    assert "| BL001 person-as-agent |" in summary.read_text(encoding="utf-8")


def test_rules_list_and_explain() -> None:
    listing = runner.invoke(app, ["rules"])
    bundled = parse_rule_file(RULES_PATH.read_text(encoding="utf-8"), RULES_PATH).rules
    assert listing.exit_code == 0 and len(listing.stdout.splitlines()) == len(bundled) >= 11
    explained = runner.invoke(app, ["rules", "explain", "counterfactual"])
    assert explained.exit_code == 0
    assert explained.stdout.startswith("BL002 (counterfactual)")
    assert "Why is this bad?" in explained.stdout and "Use instead:" in explained.stdout
    assert runner.invoke(app, ["rules", "explain", "BL999"]).exit_code == 2


def test_cli_import_chain_stays_light() -> None:
    code = (
        "import pipeline.cli, sys; heavy = [m for m in ('torch', 'chromadb', 'sentence_transformers', "
        "'langchain_core', 'langchain_openai', 'transformers') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_empty_file_is_clean_but_binary_is_an_input_error(tmp_path: Path) -> None:
    assert check(str(write(tmp_path / "empty.md", "\n\n"))).exit_code == 0
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\x00\x01\x02 not text")
    result = check(str(binary))
    assert result.exit_code == 2 and "looks binary" in result.stderr


def test_a_file_named_like_a_token_keeps_its_path_while_a_secret_in_the_finding_is_redacted(tmp_path: Path) -> None:
    """Output is redacted finding by finding: the user's own file path is never replaced (a corpus file named
    `pypi-...md` was reported as `[REDACTED:...]`), a key inside the flagged text still is."""
    name = "pypi-AgEIcHlwaS5vcmcCJDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyAAIqWzMsIjEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyIl0.md"
    key = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    doc = tmp_path / name
    doc.write_text(f"# Outage\n\nDave forgot to rotate {key} before it leaked.\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(doc), "--format", "json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)
    findings = findings if isinstance(findings, list) else findings["findings"]
    assert findings and all(finding["file"] == str(doc) for finding in findings)
    assert key not in result.output


def test_a_lazy_continuation_of_a_blockquote_is_quoted_text(tmp_path: Path) -> None:
    """A quoted chat paragraph that goes on without its own ">" (Markdown's lazy continuation) is still the quote;
    the same sentence after a blank line is the author's and is checked."""
    doc = tmp_path / "pm.md"
    doc.write_text(
        "# Chat\n\n> alice: deploying now\nDave forgot to renew the cert, classic.\n\nDave forgot to renew the cert.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(doc), "--format", "json"])
    findings = json.loads(result.stdout)
    findings = findings if isinstance(findings, list) else findings["findings"]
    assert [finding["line"] for finding in findings] == [6]
