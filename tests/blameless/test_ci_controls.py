"""What CI users of a linter need: a phrase allow list in postmortem.toml, an inline ignore for one match,
`--changed-since REF`, and context (negation, quotation, metadata) that does not count."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.blameless import lint_text
from pipeline.blameless.markdown import ignore_comment
from pipeline.cli import app

runner = CliRunner()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def found(text: str) -> list[tuple[int, str, str]]:
    return [(f.line, f.rule_id, f.match) for f in lint_text(text)]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A team folder used as the working directory (where postmortem.toml is read)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- [blameless] allow


def test_a_match_inside_an_allowed_phrase_is_not_reported_and_others_are(project: Path) -> None:
    text = "# Review\n\nWe apply the human error taxonomy.\n\nThe outage was human error.\n"
    before = found(text)
    assert [(line, rule) for line, rule, _ in before] == [(3, "BL003"), (5, "BL003")]
    write(project / "postmortem.toml", '[blameless]\nallow = ["Human  Error taxonomy"]\n')
    assert found(text) == [(5, "BL003", "human error")]


def test_an_allowed_phrase_is_whole_words_and_may_wrap_lines(project: Path) -> None:
    write(project / "postmortem.toml", '[blameless]\nallow = ["human error taxonomy"]\n')
    assert found("We apply the human\nerror taxonomy.\n") == []
    assert [rule for _, rule, _ in found("It was human error taxonomies all the way.\n")] == ["BL003"]


def test_allow_list_applies_to_check_and_sits_next_to_team_rules(project: Path) -> None:
    write(project / "team.yaml", "rules: []\n")
    write(project / "postmortem.toml", '[blameless]\nrules = ["team.yaml"]\nallow = ["human error taxonomy"]\n')
    doc = write(project / "pm.md", "We apply the human error taxonomy.\n")
    result = runner.invoke(app, ["check", str(doc)])
    assert result.exit_code == 0 and result.stdout == "", result.output
    write(project / "postmortem.toml", '[blameless]\nrules = ["team.yaml"]\n')
    assert runner.invoke(app, ["check", str(doc)]).exit_code == 1


@pytest.mark.parametrize(
    ("toml", "line", "reason"),
    [
        ('[blameless]\nallow = "root cause"\n', 2, "[blameless] allow must be a list of phrases"),
        ('[llm]\nmodel = "m"\n[blameless]\nallow = ["ok", ""]\n', 4, "[blameless] allow must be a list of phrases"),
        ('[blameless]\nallowed = ["x"]\n', 2, "[blameless] unknown key 'allowed'; the keys are 'rules' or 'allow'"),
    ],
)
def test_a_bad_allow_list_is_exit_2_with_file_and_line(project: Path, toml: str, line: int, reason: str) -> None:
    write(project / "postmortem.toml", toml)
    doc = write(project / "pm.md", "The outage was human error.\n")
    result = runner.invoke(app, ["check", str(doc)])
    assert result.exit_code == 2
    assert f"postmortem.toml:{line}: {reason}" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- blameless-ignore (one match)


def test_a_trailing_ignore_suppresses_only_the_named_match_on_its_line() -> None:
    text = (
        'Carlos broke the build. Dave broke the login flow. <!-- blameless-ignore BL001 "Dave broke" -->\n'
        "Carlos broke the build.\n"
    )
    assert found(text) == [(1, "BL001", "Carlos broke"), (2, "BL001", "Carlos broke")]


def test_an_ignore_on_its_own_line_suppresses_the_first_match_of_the_next_block_only() -> None:
    text = '<!-- blameless-ignore BL005 "obviously" -->\nIt was obviously fine and obviously simple.\n'
    assert found(text) == [(2, "BL005", "obviously")]
    (only,) = lint_text(text)
    assert only.column == len("It was obviously fine and ") + 1


def test_an_ignore_names_a_rule_by_id_or_slug_and_a_wrong_rule_or_phrase_ignores_nothing() -> None:
    block = "Carlos broke the build. Dave broke the login flow.\n"
    assert found("<!-- blameless-ignore person-as-agent -->\n" + block) == [(2, "BL001", "Dave broke")]
    assert len(found('<!-- blameless-ignore BL003 "Carlos" -->\n' + block)) == 2
    assert len(found('<!-- blameless-ignore BL001 "nothing like it" -->\n' + block)) == 2
    assert len(found("<!-- blameless-ignore BL001 Carlos broke -->\n" + block)) == 2  # unquoted: not the syntax


def test_ignore_comment_writes_a_comment_that_ignores_that_finding() -> None:
    text = "Carlos broke the build. Dave broke the login flow.\n"
    second = lint_text(text)[1]
    comment = ignore_comment(second.rule_id, second.match)
    assert comment == '<!-- blameless-ignore BL001 "Dave broke" -->'
    assert found(text.rstrip("\n") + " " + comment + "\n") == [(1, "BL001", "Carlos broke")]
    quoted = ignore_comment("BL003", 'the "human error" -- label')
    assert quoted == '<!-- blameless-ignore BL003 "human error" -->'
