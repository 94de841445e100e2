"""What CI users of a linter need: a phrase allow list in postmortem.toml, an inline ignore for one match,
`--changed-since REF`, and context (negation, quotation, metadata) that does not count."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.blameless import lint_text
from pipeline.blameless.markdown import ignore_comment, with_ignore_comment
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
    text = '<!-- blameless-ignore BL005 "obviously" -->\nIt was obviously missed and obviously ignored.\n'
    assert found(text) == [(2, "BL005", "obviously")]
    (only,) = lint_text(text)
    assert only.column == len("It was obviously missed and ") + 1


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


def test_each_finding_rejected_by_code_goes_away_alone() -> None:
    """What a reviewer's "Reject" does: the comment written for one finding removes that finding only."""
    text = (
        "# Review\n\nCarlos broke the build. Dave broke it again at 09:40.\n\n"
        "- The outage was human error, and it was obviously the cache.\n"
        "- Carlos should have drained the node.\n\n| when | what |\n| --- | --- |\n| 09:40 | Dave broke the login flow |\n"
    )
    findings = lint_text(text)
    assert len(findings) >= 5
    for finding in findings:
        rejected = with_ignore_comment(text, finding.line, finding.rule_id, finding.match)
        left = [(f.line, f.column, f.rule_id) for f in lint_text(rejected)]
        assert left == [(f.line, f.column, f.rule_id) for f in findings if f is not finding]


# ---------------------------------------------------------------- --changed-since REF

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
OLD = "# Review\n\nCarlos broke the build.\n\nThe alert was missed.\n"


def git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *arguments],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit holds review.md with one finding on line 3."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "docs" / "review.md", OLD)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return root


def check_lines(*args: str) -> tuple[int, list[int], str]:
    result = runner.invoke(app, ["check", "-f", "json", *args])
    rows = json.loads(result.stdout)["findings"] if result.stdout.strip() else []
    return result.exit_code, [row["line"] for row in rows], result.output


@needs_git
def test_changed_since_reports_only_lines_changed_since_the_ref(repo: Path) -> None:
    doc = repo / "docs" / "review.md"
    git(repo, "tag", "base")
    write(doc, OLD.replace("The alert was missed.", "Dave broke the login flow.") + "\nNina broke the cache.\n")
    code, lines, _ = check_lines(str(doc), "--changed-since", "base")
    assert (code, lines) == (1, [5, 7])  # line 3 (untouched) is not reported
    assert check_lines(str(doc))[1] == [3, 5, 7]
    assert check_lines(str(repo / "docs"), "--changed-since", "base")[1] == [5, 7]  # a directory, file by file
    git(repo, "commit", "-q", "-am", "second")  # committed changes count the same as work-tree edits
    assert check_lines(str(doc), "--changed-since", "base")[1] == [5, 7]
    assert check_lines(str(doc), "--changed-since", "HEAD")[:2] == (0, [])


@needs_git
def test_changed_since_counts_every_line_of_an_untracked_file(repo: Path) -> None:
    new = write(repo / "docs" / "new.md", "Carlos broke the build.\n")
    assert check_lines(str(new), "--changed-since", "HEAD")[:2] == (1, [1])


@needs_git
def test_changed_since_fixes_only_changed_lines(repo: Path) -> None:
    doc = repo / "docs" / "review.md"
    write(doc, "The alert was obviously missed.\n")
    git(repo, "commit", "-q", "-am", "obviously")
    write(doc, "The alert was obviously missed.\nThe page was obviously ignored.\n")
    result = runner.invoke(app, ["check", str(doc), "--changed-since", "HEAD", "--fix"])
    assert result.exit_code == 0, result.output
    assert doc.read_text() == "The alert was obviously missed.\nThe page was ignored.\n"


@needs_git
def test_changed_since_a_bad_ref_or_no_repository_is_exit_2_saying_what_to_do(repo: Path, tmp_path: Path) -> None:
    doc = repo / "docs" / "review.md"
    code, _, output = check_lines(str(doc), "--changed-since", "no-such-branch")
    assert code == 2 and "'no-such-branch' is not a commit in this repository" in output and "hint:" in output
    outside = write(tmp_path / "outside" / "pm.md", "Carlos broke the build.\n")
    code, _, output = check_lines(str(outside), "--changed-since", "HEAD")
    assert code == 2 and f"{outside}: --changed-since needs a file inside a git work tree" in output
    result = runner.invoke(app, ["check", "-", "--changed-since", "HEAD"], input="Carlos broke it.\n")
    assert result.exit_code == 2 and "not stdin" in result.output


# ---------------------------------------------------------------- rewrites in the output; --fix --diff

SAFE_AND_REVIEW = "# Review\n\nThe alert was obviously missed.\n\nThe outage was human error at 03:10.\n"


def test_text_and_json_show_each_rewrite_marked_safe_or_review(tmp_path: Path) -> None:
    doc = write(tmp_path / "a.md", SAFE_AND_REVIEW)
    text = runner.invoke(app, ["check", str(doc), "--fail-on", "error"])
    assert text.exit_code == 0
    assert "[safe rewrite: The alert was missed.]" in text.stdout
    review = [line for line in text.stdout.splitlines() if "BL003" in line]
    assert len(review) == 1 and "[review rewrite: " in review[0] and "03:10" in review[0].split("review rewrite:")[1]
    rows = json.loads(runner.invoke(app, ["check", str(doc), "-f", "json"]).stdout)["findings"]
    by_rule = {row["rule_id"]: row["rewrite"] for row in rows}
    assert by_rule["BL005"] == {
        "safety": "safe",
        "original": "The alert was obviously missed.",
        "text": "The alert was missed.",
    }
    assert by_rule["BL003"]["safety"] == "review"
    assert by_rule["BL003"]["original"] == "The outage was human error at 03:10."
    assert "human error" not in by_rule["BL003"]["text"]


@pytest.mark.parametrize("fmt", ["github", "sarif"])
def test_github_and_sarif_messages_carry_the_rewrite_and_its_safety(tmp_path: Path, fmt: str) -> None:
    doc = write(tmp_path / "a.md", SAFE_AND_REVIEW)
    out = runner.invoke(app, ["check", str(doc), "-f", fmt]).stdout
    assert "Rewrite (safe): The alert was missed." in out and "Rewrite (review): " in out


def test_rewrites_option_adds_the_parsed_sentence_rewrite(tmp_path: Path) -> None:
    doc = write(tmp_path / "a.md", "Carlos broke the build at 09:40.\n")
    plain = runner.invoke(app, ["check", str(doc)])
    assert plain.exit_code == 1 and "rewrite:" not in plain.stdout  # no parse unless asked
    parsed = runner.invoke(app, ["check", str(doc), "--rewrites"])
    assert "[safe rewrite: The build was broken at 09:40.]" in parsed.stdout


def test_diff_alone_shows_safe_and_review_rewrites_and_writes_nothing(tmp_path: Path) -> None:
    doc = write(tmp_path / "a.md", SAFE_AND_REVIEW)
    result = runner.invoke(app, ["check", str(doc), "--diff"])
    assert doc.read_text() == SAFE_AND_REVIEW
    assert "+The alert was missed.\n" in result.stdout
    assert "-The outage was human error at 03:10.\n" in result.stdout
    assert result.stderr.count("BL00") == 2  # the file as it is: both findings, with their rewrites
    assert "[safe rewrite: The alert was missed.]" in result.stderr and "[review rewrite: " in result.stderr


def test_fix_with_diff_writes_the_safe_rewrites_prints_their_diff_and_the_review_rewrites(tmp_path: Path) -> None:
    doc = write(tmp_path / "a.md", SAFE_AND_REVIEW)
    result = runner.invoke(app, ["check", str(doc), "--fix", "--diff"])
    written = doc.read_text()
    assert written == SAFE_AND_REVIEW.replace("obviously ", "")  # the safe one only
    assert "-The alert was obviously missed.\n+The alert was missed.\n" in result.stdout
    assert "-The outage" not in result.stdout  # the diff shows exactly what was written ...
    assert "BL003" in result.stderr and "[review rewrite: " in result.stderr  # ... the review rewrite is reported
    assert result.exit_code == 1


QUOTED = (
    "---\ntitle: Obviously late\nkeywords: obviously, human error\n---\n\n"
    "> 09:10 dave: it was obviously the cache, Carlos broke it\n\n"
    'Dave wrote "it was obviously the cache" in the channel.\n\n'
    "Run `obviously --fix` to reproduce.\n\n"
    "```\nCarlos broke the build, obviously.\n```\n\n"
    "Tags: human error, obviously\n\n"
    "The alert was obviously missed.\n"
)


def test_fix_never_touches_quoted_text_code_front_matter_or_metadata(tmp_path: Path) -> None:
    doc = write(tmp_path / "a.md", QUOTED)
    runner.invoke(app, ["check", str(doc), "--fix"])
    assert doc.read_text() == QUOTED.replace("The alert was obviously missed.", "The alert was missed.")


def test_fix_leaves_blockquotes_alone_even_when_the_check_reads_them(tmp_path: Path) -> None:
    write(tmp_path / ".postmortem-blameless.yaml", "skip_blockquotes: false\nskip_quotes: false\n")
    text = '> it was obviously wrong\n\nDave said "it was obviously wrong".\n'
    doc = write(tmp_path / "a.md", text)
    config = str(tmp_path / ".postmortem-blameless.yaml")
    result = runner.invoke(app, ["check", str(doc), "--config", config, "--fail-on", "suggestion", "--fix"])
    assert result.exit_code == 1 and result.stdout.count("BL005") == 2  # reported ...
    assert doc.read_text() == text  # ... never rewritten


# ---------------------------------------------------------------- context: negation, quotation, metadata


@pytest.mark.parametrize(
    "sentence",
    [
        "It was not human error.",
        "It was not caused by human error.",
        "The outage was not due to human error but to a missing guard.",
        "There was no human error involved.",
        "Human error was not a factor.",
        "Human error played no part.",
        "It was not Dave's fault.",
        "It wasn't Dave's fault, it was the config.",
        "No one is to blame.",
    ],
)
def test_a_denied_label_or_attribution_is_not_blame(sentence: str) -> None:
    assert found(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("The outage was human error.", "BL003"),
        ("This was not just human error.", "BL003"),  # "not just" affirms the label
        ("Not only human error but also the config.", "BL003"),
        ("It was not a bug, it was human error.", "BL003"),  # the negation is another clause's
        ("It was not just a bug; it was human error.", "BL003"),
        ("It was Dave's fault.", "BL009"),
        ("Dave did not follow the runbook.", "BL002"),  # a negated action still blames the person
    ],
)
def test_negation_only_clears_the_label_it_denies(sentence: str, rule: str) -> None:
    assert rule in [r for _, r, _ in found(sentence)]


@pytest.mark.parametrize(
    "text",
    [
        "> 09:10 dave: Carlos broke the build\n",
        'Dave wrote "Carlos broke the build" in the channel.\n',
        "Dave wrote \u201cit was human error\u201d in the channel.\n",
        "Run `carlos broke the build` to reproduce.\n",
        "```\nCarlos broke the build.\n```\n",
        "---\ntitle: Carlos broke the build\n---\n\nThe disk filled.\n",
        "keywords: outage, human error\n",
        "Tags: human error, dns\n",
        "**Keywords:** human error\n",
        "- labels: human error\n",
    ],
)
def test_quotation_code_front_matter_and_metadata_are_not_findings(text: str) -> None:
    assert found(text) == []


def test_a_prose_line_with_a_colon_is_still_prose() -> None:
    assert [rule for _, rule, _ in found("Contributing factor: human error.\n")] == ["BL003"]


def test_a_typo_in_context_yaml_is_a_config_error_with_file_and_line(tmp_path: Path, monkeypatch) -> None:
    from pipeline.blameless import context
    from pipeline.errors import ConfigError

    broken = write(tmp_path / "context.yaml", context.CONTEXT_PATH.read_text().replace("  after:", "  aftr:"))
    line = next(n for n, text in enumerate(broken.read_text().splitlines(), 1) if "aftr:" in text)
    monkeypatch.setattr(context, "CONTEXT_PATH", broken)
    context._negation.cache_clear()
    try:
        with pytest.raises(ConfigError, match=rf"context.yaml:{line}: unknown key 'aftr'"):
            found("It was not human error.")
    finally:
        context._negation.cache_clear()


def test_a_stale_ignore_comment_is_noted_with_its_line(tmp_path: Path) -> None:
    text = (
        'The build broke at 09:40. <!-- blameless-ignore BL001 "Carlos broke" -->\n\n'
        'Dave broke the cache. <!-- blameless-ignore BL001 "Dave broke" -->\n'
    )
    doc = write(tmp_path / "a.md", text)
    result = runner.invoke(app, ["check", str(doc)])
    assert result.exit_code == 0 and result.stdout == ""
    assert f"note: {doc}:1: this blameless-ignore comment matches no finding" in result.stderr
    assert f"{doc}:3:" not in result.stderr  # the other one still ignores its match


def test_a_sentence_wrapped_over_lines_is_rewritten_whole(tmp_path: Path) -> None:
    """A hard-wrapped paragraph: the flagged sentence starts at the end of one line ("... instead. The") and runs
    over the next two. The rewrite replaces the whole sentence, never only its middle line ("The\\nThe process")."""
    text = (
        "# Review\n\nThe wipe ran on the primary instead. The\n"
        "engineer terminated the process a second or two after noticing their mistake,\n"
        "but 300 GB of data had already been removed.\n"
    )
    doc = write(tmp_path / "a.md", text)
    result = runner.invoke(app, ["check", str(doc), "--diff"])
    added = [line for line in result.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added, result.stdout
    assert "The The" not in result.stdout and "The\nThe" not in result.stdout
    assert any("300 GB of data had already been removed" in line and "primary instead." in line for line in added)
