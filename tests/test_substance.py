"""Substance, the headline score: what a reviewer looks for, on our drafts and on human layouts.

The fixtures are ours: a draft of chat filler and a draft whose analysis is all "Not established" (both
with every template heading, so conformance stays high), and two human-style postmortems that use none of
the template's headings. The corpus test compares both scores with a blind reviewer's ranking.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.drafting import draft_from_directory
from pipeline.errors import ConfigError
from pipeline.render import render_markdown
from pipeline.scoring import load_rubric, score_file, score_text
from pipeline.scoring.substance import load_vocabulary
from support import EXAMPLES, REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
CHECKOUT = EXAMPLES / "checkout-api"
SUBSTANCE_YAML = REPO_ROOT / "pipeline" / "data" / "substance.yaml"
runner = CliRunner()


def by_id(score) -> dict:
    return {result.id: result for result in score.criteria}


@pytest.fixture(scope="module")
def checkout_score():
    draft, _ = draft_from_directory(CHECKOUT, similar=False)
    return score_text(render_markdown(draft), path="draft.md", incident=CHECKOUT)


def test_a_draft_of_chat_filler_scores_under_40_and_names_what_it_fails():
    score = score_file(FIXTURES / "filler-draft.md", incident=CHECKOUT)
    results = by_id(score)
    assert score.substance < 40, score.substance
    assert score.conformance > 80  # every heading is there: form alone would have passed it
    factors, whys, actions = results["factors_are_statements"], results["causes_go_deeper"], results["actions_specific"]
    assert factors.status == "fail" and factors.credit == 0 and "exclamation" in factors.reason
    assert whys.status == "fail" and whys.credit == 0 and "chat" in whys.reason
    assert actions.status == "fail" and actions.credit == 0 and "vague" in actions.reason
    filler = results["analysis_established"]
    assert filler.status == "fail" and "What Went Wrong" in filler.reason and "Contributing Factors" in filler.reason


def test_a_draft_whose_analysis_is_not_established_scores_under_50():
    score = score_file(FIXTURES / "not-established-draft.md", incident=CHECKOUT)
    results = by_id(score)
    assert score.substance < 50, score.substance
    gaps = results["analysis_established"]
    assert gaps.status == "fail"
    for section in ("What Went Wrong", "Contributing Factors", "5 Whys", "Action Items"):
        assert section in gaps.reason
    assert (
        results["factors_are_statements"].credit == 0 and "not established" in results["factors_are_statements"].reason
    )
    assert results["causes_go_deeper"].credit == 0
    assert results["actions_specific"].credit == 0


def test_our_offline_draft_outscores_both_fixtures_and_its_factors_are_statements(checkout_score):
    filler = score_file(FIXTURES / "filler-draft.md", incident=CHECKOUT)
    gaps = score_file(FIXTURES / "not-established-draft.md", incident=CHECKOUT)
    assert checkout_score.substance > max(filler.substance, gaps.substance) + 20
    # Since the precision-first engine, a factor is a statement with its citation, never a quoted message.
    factors = by_id(checkout_score)["factors_are_statements"]
    count = factors.reason.split(" ", 1)[0]
    assert (
        factors.reason.startswith((f"{count} of {count} factor(s) are statements", f"{count} factor(s), each a"))
        and "quote of chat" not in factors.reason
    )


def test_a_human_layout_without_template_headings_is_read_for_substance():
    good = score_file(FIXTURES / "human-good.md")
    results = by_id(good)
    # "What happened" is the summary, prose under "Root cause" gives the factors, "What we're doing about it"
    # holds a table of actions, and the whys are a numbered list of question-and-answer lines.
    for criterion in ("summary_story", "impact_quantified", "timeline_key_moments", "factors_are_statements"):
        assert results[criterion].status == "pass", (criterion, results[criterion].reason)
    assert results["causes_go_deeper"].reason.startswith("5 of 5 answer(s) go deeper")
    assert results["actions_specific"].credit >= 0.75
    assert good.substance >= 80 and good.conformance < 50


def test_a_thin_human_postmortem_scores_low_and_says_why():
    poor = score_file(FIXTURES / "human-poor.md")
    results = by_id(poor)
    assert poor.substance < 30
    assert "vague" in results["factors_are_statements"].reason  # "Unclear."
    assert results["actions_specific"].credit == 0  # "Raise awareness.", "Improve monitoring."
    assert results["impact_quantified"].credit == 0


@pytest.mark.parametrize(
    ("factor", "problem"),
    [
        ("Why did the pool fill up?", "a question"),
        ("It's prow bump time!", "an exclamation"),
        ("very interesting", "vague"),
        ("Database primary", "a fragment"),
        ("\u201cI think the pool limit is the cause\u201d (hypothesis raised in the channel)", "a quote of chat"),
        ("welp the pool is full again", "chat, not a statement"),
        ("Dave merged the change without review.", "a person, not a condition of the system"),
        ("The deploy pipeline has no check on connection pool settings.", None),
    ],
)
def test_factors_must_be_declarative_statements_about_the_system(factor, problem):
    text = (
        f"# Incident\n\n## Contributing Factors\n\n- {factor}\n- The alert threshold was set above the failure rate.\n"
    )
    result = by_id(score_text(text))["factors_are_statements"]
    if problem is None:
        assert result.status == "pass", result.reason
    else:
        assert result.status == "fail" and problem in result.reason, result.reason


def test_a_why_that_repeats_the_previous_answer_does_not_count_as_depth():
    deeper = (
        "## 5 Whys\n\n1. Why? The pool was exhausted by slow queries.\n"
        "2. Why? A deploy halved the pool size to 20 connections.\n"
        "3. Why? The pool setting is not covered by any review check.\n"
    )
    repeated = deeper.replace(
        "A deploy halved the pool size to 20 connections.", "The pool was exhausted by slow queries again."
    )
    assert "a repeat" in by_id(score_text(repeated))["causes_go_deeper"].reason
    assert by_id(score_text(deeper))["causes_go_deeper"].credit > by_id(score_text(repeated))["causes_go_deeper"].credit


def test_fail_under_gates_substance_by_default_and_conformance_by_name():
    filler = str(FIXTURES / "filler-draft.md")
    assert runner.invoke(app, ["score", filler, "--fail-under", "conformance=70"]).exit_code == 0
    gated = runner.invoke(app, ["score", filler, "--fail-under", "40", "--format", "json"])
    assert gated.exit_code == 1 and "substance" in gated.stderr
    assert json.loads(gated.stdout)["substance"] < 40
    assert runner.invoke(app, ["score", filler, "--fail-under", "substance=10"]).exit_code == 0
    bad = runner.invoke(app, ["score", filler, "--fail-under", "quality=3"])
    assert bad.exit_code == 2 and "--fail-under" in bad.stderr and "conformance=80" in bad.stderr


def test_word_lists_are_data_a_team_file_changes_the_verdict(tmp_path):
    text = (
        "# Incident\n\n## Action Items\n\n- Add an alert on checkout-api pool saturation above 90%.\n"
        "- Add a CI check that flags changes to db.pool settings.\n- Add a canary stage for checkout-api deploys.\n"
    )
    assert by_id(score_text(text))["actions_specific"].status == "pass"
    team = tmp_path / "substance.yaml"
    team.write_text(
        SUBSTANCE_YAML.read_text(encoding="utf-8").replace(
            "vague_action: [", "vague_action: ['\\bpool saturation\\b', "
        ),
        encoding="utf-8",
    )
    result = by_id(score_text(text, rubric=load_rubric(substance=team)))["actions_specific"]
    assert result.status == "fail" and "vague" in result.reason
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(SUBSTANCE_YAML.read_text(encoding="utf-8").replace("id: causes_go_deeper", "id: causes_go_deep"))
    with pytest.raises(ConfigError, match="causes_go_deep"):
        load_vocabulary(unknown)


@pytest.mark.corpus
def test_substance_agrees_with_the_blind_human_ranking():
    spec = importlib.util.spec_from_file_location("scoring_eval", REPO_ROOT / "evals" / "scoring" / "run_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    corpus = module.find_corpus()
    if corpus is None:
        pytest.skip("../shared/corpus is absent")
    entries = module.load_ranking()
    assert len(entries) == 40 and sum(e["source"] == "draft" for e in entries) == 10
    rubric = load_rubric()
    scores = [score_file(module.document_path(entry, corpus), rubric=rubric) for entry in entries]
    rho = module.correlations(entries, scores)
    assert rho["substance"] >= 0.6, rho
    assert rho["substance"] > rho["conformance"] + 0.3
