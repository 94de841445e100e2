"""`postmortem eval --llm` over the 8 gold incidents, replayed from one vcrpy cassette (no server, no network).

The cassette was recorded once against the loopback test server (tests/llm/llm_server.py) on the fixed
port 18431, answering each prompt with the scripted replies for its incident (tests/llm/eval_replies.py).
It measures the harness and the verify stage on scripted replies, never a real model. Re-record with:

    POSTMORTEM_RECORD_CASSETTES=1 .venv/bin/python -m pytest tests/llm/test_llm_eval_cassette.py -q
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from eval_replies import HOSTILE_TEXTS, REPLIES, route
from llm_server import FakeOpenAIServer, Reply
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evals.runner import EvalReport
from support import RECORD_CASSETTES, cassette_recorder

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"
CASSETTE_DIR = ROOT / "tests" / "cassettes" / "llm"
CASSETTE = "eval_gold_incidents.yaml"
# Narrative and analysis for every incident, plus one repair call where a scripted reply breaks a rule.
HOSTILE_INCIDENTS = {name for name, replies in REPLIES.items() if any(text in repr(replies) for text in HOSTILE_TEXTS)}
EXPECTED_CALLS = 2 * len(REPLIES) + len(HOSTILE_INCIDENTS)
PORT = 18431
BASE_URL = f"http://127.0.0.1:{PORT}/v1"


class GoldIncidentServer(FakeOpenAIServer):
    """The loopback server, answering each prompt with the scripted reply for the incident it names."""

    def next_reply(self, body: dict[str, Any], raw: bytes) -> Reply:
        reply = super().next_reply(body, raw)
        task = self.tasks[-1]
        incident = route(" ".join(str(m.get("content", "")) for m in body.get("messages", [])))
        if incident is None or task not in ("narrative", "analysis"):
            return reply  # repair gets the default: no repaired claims, so code rewrites or removes them
        return Reply(REPLIES[incident][task])


_RUNS: dict[str, tuple[Any, EvalReport, Path]] = {}


@pytest.fixture
def llm_eval(isolated_home, tmp_path_factory, monkeypatch) -> tuple[Any, EvalReport, Path]:
    """One `postmortem eval --llm` run over evals/datasets (made once, after the isolated home is set):
    the CLI result, the JSON report and the report directory."""
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # no fault is scripted; a replay never waits
    if "run" not in _RUNS:
        _RUNS["run"] = run_llm_eval(tmp_path_factory.mktemp("reports"))
    return _RUNS["run"]


def run_llm_eval(out: Path) -> tuple[Any, EvalReport, Path]:
    args = ["eval", str(DATASETS), "--llm", "test-model", "--base-url", BASE_URL, "--out", str(out), "--no-reference"]
    if RECORD_CASSETTES:
        with GoldIncidentServer({"repair": Reply({"repaired": []})}, port=PORT):
            (CASSETTE_DIR / CASSETTE).unlink(missing_ok=True)  # vcrpy's "all" appends to an existing cassette
            with cassette_recorder(CASSETTE_DIR).use_cassette(CASSETTE):
                result = CliRunner().invoke(app, args)
    else:
        if not (CASSETTE_DIR / CASSETTE).is_file():
            pytest.fail(f"missing cassette {CASSETTE}; record it with POSTMORTEM_RECORD_CASSETTES=1")
        with cassette_recorder(CASSETTE_DIR).use_cassette(CASSETTE):
            result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = EvalReport.model_validate_json((out / "latest-llm.json").read_text(encoding="utf-8"))
    return result, report, out


def test_the_llm_eval_writes_its_own_report_beside_the_offline_one(llm_eval):
    result, report, out = llm_eval
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == ["latest-llm.json", "latest-llm.md", "latest-llm.png"]
    markdown = (out / "latest-llm.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Eval report: llm engine (test-model)")
    assert "## Removed by verification (LLM engine)" in markdown
    assert f"calls {EXPECTED_CALLS}, tokens" in result.output and "fallbacks 0" in result.output


def test_every_gold_incident_was_drafted_by_the_model_with_counted_calls_and_tokens(llm_eval):
    _, report, _ = llm_eval
    assert report.engine == "llm" and report.model == "test-model"
    assert sorted(r.name for r in report.incidents) == sorted(REPLIES)
    for incident in report.incidents:
        assert incident.engine == "llm" and not incident.fallback, incident.name
        assert incident.calls == 2 + (incident.name in HOSTILE_INCIDENTS), incident.name
        assert incident.tokens > 1000, incident.name
        assert incident.checks and incident.rubric and incident.factor_matches and incident.action_matches
    assert report.summary["calls"] == EXPECTED_CALLS and report.summary["fallbacks"] == 0
    assert report.summary["tokens"] == sum(r.tokens for r in report.incidents)


def test_hostile_replies_are_removed_or_rewritten_so_citations_stay_valid(llm_eval):
    _, report, _ = llm_eval
    by_name = {r.name: r for r in report.incidents}
    removed = {name: " ".join(r.warnings) for name, r in by_name.items()}
    assert "cites T99, which is not in the evidence index" in removed["billing-irc-midnight"]
    assert "reads as an instruction to a model" in removed["cdn-jsonl-injection"]
    assert "time 10:25 UTC is not the time of any cited evidence" in removed["auth-pagerduty-unresolved"]
    assert "number 53 does not appear in the cited evidence" in removed["search-slack-paste-secret"]
    assert "BL002 blame language" in removed["payments-webhook-disagreement"]  # named, never quoted
    # Every scripted hostile claim is removed. "Tom forgot to scale the consumers ..." has no safe rewrite
    # (only the passive voice of the same clause is safe), so it is removed and What Went Wrong falls back
    # to the offline engine's text: the draft names the rule, never the words.
    assert "removed a model sentence (BL001 blame language" in removed["orders-slack-export"]
    assert "What Went Wrong is the offline engine's text" in removed["orders-slack-export"]
    assert "Tom forgot" not in removed["orders-slack-export"]
    assert report.summary["removed_claims"] == len(HOSTILE_TEXTS)
    assert report.summary["citation_validity"] == 1.0 and report.summary["grounded_claims"] == 1.0
    for incident in report.incidents:
        assert incident.rubric["citations_resolve"] == "pass", incident.name


def test_leaks_are_counted_and_the_injected_and_blameful_model_text_does_not_leak(llm_eval):
    _, report, _ = llm_eval
    by_name = {r.name: r for r in report.incidents}
    assert report.summary["leaks"] == sum(len(r.leaks) for r in report.incidents)
    assert by_name["cdn-jsonl-injection"].leaks == []  # "database team", "no customer impact" stayed out
    # "Tom forgot" was rewritten, and the chat message saying it is withheld from the evidence index.
    assert by_name["orders-slack-export"].leaks == []
    assert by_name["search-slack-paste-secret"].leaks == []  # the pasted secrets never reached the model
    # The chat's "whoever pushed #2291 without testing it really messed up" is withheld from the evidence index.
    assert by_name["payments-webhook-disagreement"].leaks == []


def test_the_cassette_holds_the_hostile_replies_and_no_pasted_secret():
    recorded = (CASSETTE_DIR / CASSETTE).read_text(encoding="utf-8")
    interactions = yaml.safe_load(recorded)["interactions"]
    assert len(interactions) == EXPECTED_CALLS
    replies = " ".join(i["response"]["body"]["string"] for i in interactions)
    for text in HOSTILE_TEXTS:
        assert text in replies  # the model really said it; the report shows code removed it
    assert all(i["request"]["uri"].startswith(BASE_URL) for i in interactions)
    for secret in ("sk_live_FAKE9d8f7a6b5c4d3e2f1a0b", "wJalrFAKEXUtnFEMIK7MDENGbPxRfiCYFAKEKEY", "Tr0ub4dor-FAKE"):
        assert secret not in recorded
