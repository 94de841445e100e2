"""Model rewrites of blameful lines: kept only when blameless and faithful to every figure."""

from __future__ import annotations

from llm_server import Reply, server_error

from pipeline.llm_rewrite import keeps_facts, rewrite_with_model

DOC = (
    "# Review\n\n"
    "- Dave should have caught the pool change in review at 14:17.\n"
    "- The deploy went out at 13:52.\n"
    "- The operator forgot to run the migration.\n"
)
PEOPLE = ["Dave"]


def test_good_model_rewrites_replace_only_the_flagged_lines(server, make_model):
    server.script(
        "rewrite",
        Reply(
            {
                "rewrites": [
                    {"key": "L3", "text": "- The review process did not flag the pool change; it was raised at 14:17."},
                    {"key": "L5", "text": "- The migration step was not part of the deploy checklist."},
                ]
            }
        ),
    )
    fixed, warnings = rewrite_with_model(DOC, make_model(), PEOPLE)
    assert fixed.splitlines()[2] == "- The review process did not flag the pool change; it was raised at 14:17."
    assert fixed.splitlines()[3] == "- The deploy went out at 13:52."
    assert "forgot" not in fixed and warnings == []
    sent = server.bodies[0]["messages"][1]["content"]
    assert "should have caught" in sent and "13:52" not in sent  # clean lines are not sent
    assert server.attempts("rewrite") == 1


def test_a_rewrite_that_drops_a_figure_or_keeps_blame_is_not_used(server, make_model):
    server.script(
        "rewrite",
        Reply(
            {
                "rewrites": [
                    {"key": "L3", "text": "- The review process did not flag the pool change."},
                    {"key": "L5", "text": "- The operator forgot the migration again."},
                ]
            }
        ),
    )
    fixed, warnings = rewrite_with_model(DOC, make_model(), PEOPLE)
    assert "14:17" in fixed and "forgot the migration again" not in fixed
    assert sum("used the rules" in w for w in warnings) == 2


def test_an_unavailable_model_leaves_the_rule_based_result_and_says_so(server, make_model, sleeps):
    server.script("rewrite", *[server_error(503)] * 4)
    fixed, warnings = rewrite_with_model(DOC, make_model(), PEOPLE)
    assert "14:17" in fixed and "13:52" in fixed
    assert warnings[0].startswith("the model did not rewrite (HTTP 503")
    assert server.attempts("rewrite") == 4


def test_a_clean_document_sends_nothing(server, make_model):
    text = "The deploy went out at 13:52 and the alert fired at 14:01.\n"
    assert rewrite_with_model(text, make_model(), PEOPLE) == (text, [])
    assert server.attempts() == 0


def test_keeps_facts_compares_times_and_numbers():
    assert keeps_facts("4,100 orders at 14:24", "at 14:24, 4,100 orders")
    assert not keeps_facts("4,100 orders at 14:24", "about 4,000 orders at 14:24")


def test_check_fix_llm_writes_the_model_rewrite_and_passes_the_check(server, tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    document = tmp_path / "postmortem.md"
    document.write_text("# Review\n\n- Dave should have caught the pool change in review at 14:17.\n", encoding="utf-8")
    server.script(
        "rewrite",
        Reply(
            {
                "rewrites": [
                    {"key": "L3", "text": "- The review process did not flag the pool change; it was raised at 14:17."}
                ]
            }
        ),
    )
    result = CliRunner().invoke(
        app, ["check", "--fix", "--llm", "test-model", "--base-url", server.base_url, "--person", "Dave", str(document)]
    )
    assert result.exit_code == 0, result.output
    assert document.read_text(encoding="utf-8").splitlines()[2].startswith("- The review process did not flag")
    assert server.attempts("rewrite") == 1


def test_a_rejected_model_rewrite_falls_back_to_the_safe_rewrite_only(server, make_model, sleeps):
    # --fix writes only what keeps the meaning by construction: the review rewrite of "forgot to" is not written
    server.script("rewrite", *[server_error(503)] * 4)
    fixed, warnings = rewrite_with_model(DOC, make_model(), PEOPLE)
    assert fixed.splitlines()[4] == "- The operator forgot to run the migration."
    assert any(w.startswith("line 5: still flagged") for w in warnings)


def test_a_model_rewrite_that_drops_a_system_name_is_not_used(server, make_model):
    text = "- Dave broke checkout-api at 14:17.\n"
    server.script("rewrite", Reply({"rewrites": [{"key": "L1", "text": "- The checkout service broke at 14:17."}]}))
    fixed, warnings = rewrite_with_model(text, make_model(), PEOPLE)
    assert "checkout-api" in fixed and "The checkout service broke" not in fixed
    assert any("used the rules" in w for w in warnings)
