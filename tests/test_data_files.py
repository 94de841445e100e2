"""Data files have strict contracts, and postmortem.toml adds a team's rules, signals and redaction patterns.

A typo in any data file is exit 2 with file:line and no traceback; a team's own files are used on top of
the bundled ones by `check` and `draft`.
"""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from pipeline import datafiles
from pipeline.cli import app
from support import EXAMPLES

runner = CliRunner()

TEAM_RULE = """\
rules:
  - id: BL901
    slug: team-hero
    level: warning
    message: Hero language credits a person instead of the system.
    why: Our team agreed to describe what the system did, not who saved the day.
    link: https://example.com/team/blameless
    suggestion: Describe what changed in the system.
    patterns:
      - '\\bsaved the day\\b'
    examples:
      positive: ["Marco saved the day by rolling back."]
      negative: ["The rollback restored service."]
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A team folder with a postmortem.toml, used as the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_team_rule_from_postmortem_toml_fires_in_check(project):
    write(project / "team-rules.yaml", TEAM_RULE)
    write(project / "postmortem.toml", '[blameless]\nrules = ["team-rules.yaml"]\n')
    doc = write(project / "pm.md", "# Review\n\nThe rollback saved the day for checkout.\n")
    result = runner.invoke(app, ["check", str(doc)])
    assert result.exit_code == 1, result.output
    assert "BL901(team-hero)" in result.stdout
    listed = runner.invoke(app, ["rules"])
    assert "BL901" in listed.stdout and "BL002" in listed.stdout  # added on top of the bundled rules
    (project / "postmortem.toml").unlink()
    assert runner.invoke(app, ["check", str(doc)]).exit_code == 0  # without the toml: bundled rules only


def test_a_team_rule_may_not_take_a_bundled_id(project):
    write(project / "team-rules.yaml", TEAM_RULE.replace("BL901", "BL002"))
    write(project / "postmortem.toml", '[blameless]\nrules = "team-rules.yaml"\n')
    doc = write(project / "pm.md", "Fine text.\n")
    result = runner.invoke(app, ["check", str(doc)])
    assert result.exit_code == 2, result.output  # exit 2 is the ConfigError path: a traceback would be exit 1
    assert "team-rules.yaml:2: BL002: BL002 is already a rule" in result.output


def draft_example(project, *args: str):
    incident = project / "incident"
    shutil.copytree(EXAMPLES / "checkout-api", incident)
    return runner.invoke(app, ["draft", str(incident), "--no-similar", "--format", "json", *args])


def test_a_team_redaction_pattern_redacts_in_a_draft(project):
    write(project / "team-redaction.yaml", "secrets:\n  - kind: channel\n    pattern: '#inc-[a-z0-9-]+'\n")
    write(project / "postmortem.toml", '[redaction]\npatterns = ["team-redaction.yaml"]\n')
    result = draft_example(project)
    assert result.exit_code == 0, result.output
    assert "#inc-checkout-500s" not in result.stdout and "[REDACTED:channel]" in result.stdout


def test_team_signals_replace_the_keys_they_set_and_extend_the_maps(project):
    write(
        project / "team-signals.yaml", "roles:\n  Liaison: [customer liaison]\nrequired_roles: [IC, Scribe, Liaison]\n"
    )
    write(project / "postmortem.toml", '[signals]\nfile = "team-signals.yaml"\n')
    result = draft_example(project)
    assert result.exit_code == 0, result.output
    assert "No Liaison is recorded" in result.stdout and "No IC is recorded" not in result.stdout
    (project / "postmortem.toml").unlink()
    shutil.rmtree(project / "incident")
    assert "No Liaison is recorded" not in draft_example(project).stdout


@pytest.mark.parametrize(
    "section, file_name, text, line, reason",
    [
        ("signals", "team-signals.yaml", "required_roles: [IC]\nseverty: '\\bsev\\b'\n", 2, "unknown key 'severty'"),
        ("signals", "team-signals.yaml", "detection: '(unclosed'\n", 1, "detection: bad regular expression"),
        ("redaction", "team-redaction.yaml", "secrets:\n  - kind: x\n    patern: 'x'\n", 3, "unknown key 'patern'"),
        ("redaction", "team-redaction.yaml", "contact:\n  - kind: x\n    pattern: 'x('\n", 3, "bad regular expression"),
        (
            "blameless",
            "team-rules.yaml",
            TEAM_RULE.replace("    level: warning", "    levle: warning"),
            4,
            "unknown key 'levle'",
        ),
        (
            "blameless",
            "team-rules.yaml",
            TEAM_RULE.replace("    level: warning", "    level: warning\n    level: error"),
            5,
            "key 'level' appears twice",
        ),
    ],
)
def test_a_typo_in_a_team_data_file_is_exit_2_with_file_and_line(project, section, file_name, text, line, reason):
    key = {"signals": "file", "redaction": "patterns", "blameless": "rules"}[section]
    write(project / file_name, text)
    write(project / "postmortem.toml", f'[{section}]\n{key} = "{file_name}"\n')
    doc = write(project / "pm.md", "Marco forgot to renew the cert.\n")
    results = [draft_example(project)]
    if section != "redaction":  # check reads the rules and the signals' role words; only drafts redact
        results.append(runner.invoke(app, ["check", str(doc)]))
    for result in results:
        assert result.exit_code == 2, result.output  # a traceback would be exit 1
        assert f"{project / file_name}:{line}:" in result.output and reason in result.output


def test_postmortem_toml_names_a_missing_file_or_an_unknown_key_with_its_line(project):
    doc = write(project / "pm.md", "Fine text.\n")
    write(project / "postmortem.toml", '[llm]\nmodel = "m"\n\n[signals]\nfile = "nope.yaml"\n')
    result = runner.invoke(app, ["check", str(doc)])
    assert result.exit_code == 2 and "postmortem.toml:5: [signals] file: nope.yaml not found" in result.output
    write(project / "postmortem.toml", '[blameless]\nrule = ["x.yaml"]\n')
    result = runner.invoke(app, ["check", str(doc)])
    assert result.exit_code == 2 and "postmortem.toml:2: [blameless] unknown key 'rule'" in result.output


@pytest.fixture
def bundled_copy(tmp_path, monkeypatch):
    """The bundled data folder copied, so a test can put a typo into a bundled file."""
    copy = tmp_path / "data"
    shutil.copytree(datafiles.DATA_DIR, copy)
    monkeypatch.setattr(datafiles, "DATA_DIR", copy)
    clear_data_file_caches()
    yield copy
    clear_data_file_caches()


def clear_data_file_caches() -> None:
    """Forget every data file read so far, so the next command reads the (edited) copies."""
    from pipeline import facts, redact, secrets
    from pipeline.backfill import extract

    for cached in (
        facts._raw_signals,
        facts._compiled_signals,
        redact._compiled_patterns,
        secrets.load_redaction_data,
        secrets._rules,
        extract.load_rules,
        datafiles.load_rubric_file,
    ):
        cached.cache_clear()


def replace_line(path, old: str, new: str) -> int:
    """Replace the line that starts with `old`; its 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith(old))
    lines[number] = new + lines[number][len(old) :]
    path.write_text("".join(lines), encoding="utf-8")
    return number + 1


def test_a_typo_in_bundled_backfill_yaml_is_exit_2_with_file_and_line_before_anything_is_written(
    bundled_copy, tmp_path
):
    line = replace_line(bundled_copy / "backfill.yaml", "  summary:", "  summmary:")
    notes = tmp_path / "notes"
    notes.mkdir()
    write(notes / "note.md", "# Disk full\n\nSummary: the disk filled up.\n")
    result = runner.invoke(app, ["backfill", str(notes), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert f"backfill.yaml:{line}: sections.summmary" in result.output
    assert not (tmp_path / "out" / "records").exists()


def test_a_typo_in_bundled_signals_or_redaction_is_exit_2_with_file_and_line(bundled_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = replace_line(bundled_copy / "signals.yaml", "detection:", "detecton:")
    result = draft_example(tmp_path)
    assert result.exit_code == 2 and f"signals.yaml:{line}: unknown key 'detecton'" in result.output
    replace_line(bundled_copy / "signals.yaml", "detecton:", "detection:")
    datafiles_line = replace_line(
        bundled_copy / "redaction.yaml", "    pattern: '-----BEGIN", "    patternn: '-----BEGIN"
    )
    clear_data_file_caches()
    shutil.rmtree(tmp_path / "incident")
    result = draft_example(tmp_path)
    assert result.exit_code == 2 and f"redaction.yaml:{datafiles_line}: unknown key 'patternn'" in result.output


def test_a_typo_in_a_rubric_is_exit_2_with_file_and_line(tmp_path):
    rubric = tmp_path / "rubric.yaml"
    shutil.copy(datafiles.bundled("rubric.yaml"), rubric)
    line = replace_line(rubric, "  summary_words: 100", "  summary_word: 100")
    doc = write(tmp_path / "pm.md", "# A postmortem\n")
    result = runner.invoke(app, ["score", str(doc), "--rubric", str(rubric)])
    assert result.exit_code == 2 and f"rubric.yaml:{line}: unknown key 'summary_word'" in result.output
