"""`postmortem draft --llm` end to end, replayed from vcrpy cassettes (no server, no network) in CI.

The cassettes in tests/cassettes/llm/ were recorded against the loopback test server on a FIXED port
(vcrpy matches the port) and are matched on method, URL and body: a changed prompt is a failure, never
another prompt's answer. Re-record (see docs/llm.md):

    POSTMORTEM_RECORD_CASSETTES=1 .venv/bin/python -m pytest tests/llm/test_llm_cassettes.py -q
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from llm_replies import CANARIES, GOOD_ANALYSIS, GOOD_NARRATIVE
from llm_server import FakeOpenAIServer, Reply, rate_limited, server_error
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.drafting.llm_engine import FALLBACK_STATUS
from pipeline.models import Draft
from support import RECORD_CASSETTES, cassette_recorder

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "tests" / "cassettes" / "llm"
FIXTURES = Path(__file__).parent / "fixtures"
PORT = 18431
BASE_URL = f"http://127.0.0.1:{PORT}/v1"

SCENARIOS = {
    "checkout_good": ({}, ROOT / "examples" / "checkout-api"),
    "checkout_429_then_ok": ({"narrative": [rate_limited("0.25")]}, ROOT / "examples" / "checkout-api"),
    "checkout_500_fallback": ({"narrative": [server_error(500)] * 4}, ROOT / "examples" / "checkout-api"),
    "leaky_incident": ({}, FIXTURES / "leaky-incident"),
}


@pytest.fixture
def waits(monkeypatch):
    """The retry waits the CLI run asked for (time.sleep is replaced, so replays never wait)."""
    asked: list[float] = []
    monkeypatch.setattr(time, "sleep", asked.append)
    return asked


def run_scenario(name: str, tmp_path: Path) -> tuple[object, Path]:
    faults, directory = SCENARIOS[name]
    output = tmp_path / "draft.json"
    args = [
        "draft",
        str(directory),
        "--llm",
        "test-model",
        "--base-url",
        BASE_URL,
        "--no-similar",
        "--format",
        "json",
        "-o",
        str(output),
    ]
    cassette = f"{name}.yaml"
    if RECORD_CASSETTES:
        defaults = {
            "narrative": Reply(GOOD_NARRATIVE),
            "analysis": Reply(GOOD_ANALYSIS),
            "repair": Reply({"repaired": []}),
        }
        with FakeOpenAIServer(defaults, port=PORT) as server:
            for task, replies in faults.items():
                server.script(task, *replies)
            (CASSETTES / cassette).unlink(missing_ok=True)  # vcrpy's "all" appends to an existing cassette
            with cassette_recorder(CASSETTES).use_cassette(cassette):
                result = CliRunner().invoke(app, args)
    else:
        if not (CASSETTES / cassette).is_file():
            pytest.fail(f"missing cassette {cassette}; record it with POSTMORTEM_RECORD_CASSETTES=1")
        with cassette_recorder(CASSETTES).use_cassette(cassette):
            result = CliRunner().invoke(app, args)
    return result, output


def test_draft_with_a_model_replays_from_its_cassette(tmp_path, waits):
    result, output = run_scenario("checkout_good", tmp_path)
    assert result.exit_code == 0, result.output
    draft = Draft.model_validate_json(output.read_text())
    assert draft.metadata.engine == "llm" and draft.metadata.llm.calls == 2
    assert draft.metadata.llm.input_tokens > 1000
    assert draft.executive_summary[0].text == GOOD_NARRATIVE["executive_summary"][0]["text"]
    cited = {
        e for section in (draft.executive_summary, draft.impact, draft.went_well) for c in section for e in c.evidence
    }
    assert cited <= set(draft.evidence_index)


def test_a_recorded_429_is_retried_after_its_retry_after(tmp_path, waits):
    result, output = run_scenario("checkout_429_then_ok", tmp_path)
    assert result.exit_code == 0, result.output
    assert waits == [0.25]
    draft = Draft.model_validate_json(output.read_text())
    assert draft.metadata.llm.call_log[0].http_attempts == 2 and draft.metadata.engine == "llm"


def test_a_recorded_outage_gives_exit_0_a_warning_and_the_marked_offline_draft(tmp_path, waits):
    result, output = run_scenario("checkout_500_fallback", tmp_path)
    assert result.exit_code == 0
    assert "warning: the model did not produce a draft (HTTP 500" in result.output
    assert "Traceback" not in result.output
    draft = json.loads(output.read_text())
    assert draft["status"] == FALLBACK_STATUS and draft["metadata"]["llm"]["http_attempts"] == 4
    assert waits == [0.5, 1.0, 2.0]


def test_the_recorded_requests_hold_no_canary_secret(tmp_path, waits):
    result, output = run_scenario("leaky_incident", tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text())["metadata"]["engine"] == "llm"  # replayed, not fallen back
    recorded = (CASSETTES / "leaky_incident.yaml").read_text(encoding="utf-8")
    assert "cosmic ray" not in recorded  # the suspect message's text was withheld from the model
    assert "[REDACTED:prefixed-token]" in recorded  # ghp_ + 32: shorter than the library's pattern wants
    for canary in CANARIES:
        assert canary not in recorded and canary not in output.read_text()
    headers = [interaction["request"]["headers"] for interaction in yaml.safe_load(recorded)["interactions"]]
    assert headers and all("authorization" not in {name.lower() for name in h} for h in headers)


def test_a_changed_prompt_does_not_get_the_recorded_answer(tmp_path, waits, monkeypatch):
    """Cassettes match on the body: another prompt's answer is never replayed for a changed prompt.

    The cassette's refusal is not a model error, so it is not hidden behind an offline fallback either:
    it reaches the test as the exception it is, and no draft is written."""
    if RECORD_CASSETTES:
        pytest.skip("replay only")
    from pipeline import prompting

    original = prompting.prompt_source

    def reworded(name: str) -> str:
        return original(name).replace("Write the narrative sections", "Write the story sections")

    monkeypatch.setattr(prompting, "prompt_source", reworded)
    from vcr.errors import CannotOverwriteExistingCassetteException

    result, output = run_scenario("checkout_good", tmp_path)
    assert isinstance(result.exception, CannotOverwriteExistingCassetteException)
    assert result.exit_code == 1 and not output.exists()
