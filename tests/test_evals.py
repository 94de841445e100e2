"""Evals: the offline engine over the gold incidents meets evals/thresholds.toml; metrics, report, notebook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ConfigError, InputError
from pipeline.evals.gold import load_gold
from pipeline.evals.metrics import MATCH_THRESHOLD, evaluate_incident, leaks, match_items
from pipeline.evals.report import write_report
from pipeline.evals.runner import EvalReport, check_thresholds, find_datasets, reference_distribution, run_eval

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVALS = ROOT / "evals"
DATASETS = EVALS / "datasets"
CHAT_FORMATS = {"transcript", "slack-paste", "pagerduty", "irc", "jsonl", "slack-export"}
TIMELINE_FORMATS = {"markdown", "csv", "json"}


@pytest.fixture(scope="module")
def offline_report() -> EvalReport:
    return run_eval([DATASETS])


def test_offline_eval_meets_the_regression_thresholds(offline_report):
    assert check_thresholds(offline_report, EVALS / "thresholds.toml") == []
    assert offline_report.seconds < 60


def test_gold_set_covers_every_chat_and_timeline_format_and_the_hard_cases():
    golds = [load_gold(directory) for directory in find_datasets([DATASETS])]
    assert len(golds) >= 8
    assert {g.chat_format for g in golds} == CHAT_FORMATS
    assert {g.timeline_format for g in golds} == TIMELINE_FORMATS
    cases = " ".join(case for g in golds for case in g.hard_cases)
    for needed in (
        "disagreement",
        "no clear resolution",
        "midnight",
        "time zone",
        "pasted secret",
        "injected instruction",
        "long noisy channel",
    ):
        assert needed in cases, needed


def test_every_gold_incident_drafts_with_a_valid_lock(offline_report):
    assert len(offline_report.incidents) == len(find_datasets([DATASETS]))
    assert all(r.rubric["timeline_matches_lock"] == "pass" for r in offline_report.incidents)


def test_a_wrong_gold_answer_lowers_fact_accuracy_and_names_the_fact(tmp_path):
    incident = tmp_path / "billing"
    shutil.copytree(DATASETS / "billing-irc-midnight", incident)
    gold_path = incident / "gold.json"
    data = json.loads(gold_path.read_text(encoding="utf-8"))
    right = evaluate_incident(incident, load_gold(incident))
    data["severity"] = "SEV-1"
    data["times"]["resolved"] = "2024-03-28T15:05:00Z"
    gold_path.write_text(json.dumps(data), encoding="utf-8")
    wrong = evaluate_incident(incident, load_gold(incident))
    assert right.severity_ok and not wrong.severity_ok
    failed = {c.name: c for c in wrong.checks if not c.ok}
    assert set(failed) == {"severity", "resolved"}
    assert failed["resolved"].produced == "2024-03-28T14:05Z"
    assert wrong.fact_accuracy < right.fact_accuracy


def test_leaks_are_found_case_insensitively_and_injection_text_only_outside_the_index(offline_report):
    assert leaks(["Tr0ub4dor-FAKE", "absent"], "the password is tr0ub4dor-fake") == ["Tr0ub4dor-FAKE"]
    cdn = next(r for r in offline_report.incidents if r.name == "cdn-jsonl-injection")
    assert cdn.leaks == []  # the injected instruction stays in the evidence index only, marked suspect
    secret = next(r for r in offline_report.incidents if r.name == "search-slack-paste-secret")
    assert "sk_live_FAKE9d8f7a6b5c4d3e2f1a0b" not in secret.leaks  # redacted before drafting


# Reviewed examples for the semantic matcher (similarities measured with all-MiniLM-L6-v2 on 2026-11-24).
SAME_ITEM = [
    (
        "The replaced token cache node started cold, so logins fell through to the database",
        "I think the new cache node is cold and every login falls through to the database",
    ),  # 0.70
    ("Rotate the keys that were pasted in the channel", "Rotate the keys that were pasted here"),  # 0.79
    ("Add a cleanup job for the scratch volume", "Add a cleanup job for /scratch"),  # 0.76
]
DIFFERENT_ITEM_SAME_INCIDENT = [
    ("Add a cleanup job for the scratch volume", "Alert when the scratch disk is above 80%"),  # 0.61
    (
        "CDN pushes are not checked by localized synthetic checks before they complete",
        "CDN config push changed the cache key and dropped the Accept-Language header",
    ),  # 0.59
    (
        "The secret rotation had no overlap window in which the old and new secrets were both accepted",
        "Config change #2291 rotated the webhook signing secret on payments-gateway",
    ),  # 0.36
]


@pytest.mark.parametrize(("gold", "draft"), SAME_ITEM)
def test_matcher_accepts_reviewed_paraphrases(gold, draft):
    [match] = match_items([gold], [draft])
    assert match.draft == draft and match.similarity >= MATCH_THRESHOLD


@pytest.mark.parametrize(("gold", "draft"), DIFFERENT_ITEM_SAME_INCIDENT)
def test_matcher_rejects_different_items_from_the_same_incident(gold, draft):
    [match] = match_items([gold], [draft])
    assert match.draft is None and match.similarity < MATCH_THRESHOLD


def test_report_files_markdown_json_and_png(offline_report, tmp_path):
    md, js, png = write_report(offline_report, tmp_path, "run")
    text = md.read_text(encoding="utf-8")
    assert "## Facts that differ from gold" in text and "## Leaks" in text
    wrong = [(r.name, c) for r in offline_report.incidents for c in r.checks if not c.ok]
    for name, check in wrong:
        assert f"{name}: {check.name} expected {check.expected}, produced {check.produced}" in text
    assert wrong or "## Facts that differ from gold\n\n- none" in text
    leaked = [r for r in offline_report.incidents if r.leaks]
    assert all(f"- {r.name}: " in text for r in leaked)
    assert EvalReport.model_validate_json(js.read_text(encoding="utf-8")).summary == offline_report.summary
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_thresholds_fail_with_a_sentence_per_metric(offline_report, tmp_path):
    strict = tmp_path / "thresholds.toml"
    strict.write_text("[min]\nfactor_recall = 0.99\n[max]\nleaks = 0\n", encoding="utf-8")
    failures = check_thresholds(offline_report, strict)
    assert any(f.startswith("factor_recall") and "below its minimum 0.99" in f for f in failures)
    bad = tmp_path / "bad.toml"
    bad.write_text("[min]\nfactor_recal = 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="factor_recal"):
        check_thresholds(offline_report, bad)


def test_bad_gold_json_names_the_file_and_line(tmp_path):
    (tmp_path / "gold.json").write_text('{\n  "severity": "SEV-1",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_gold(tmp_path)
    assert caught.value.line == 3 and "gold.json" in str(caught.value)


def test_cli_llm_without_a_key_or_endpoint_is_the_drafts_config_error(monkeypatch):
    """eval resolves the model as draft does (pipeline.llm.resolve_model_config): same error, exit 2."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "POSTMORTEM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["eval", str(DATASETS), "--llm", "some-model", "--no-reference"])
    assert result.exit_code == 2
    assert "no API key for the default OpenAI endpoint" in result.output


def test_noisy_channel_generator_is_deterministic():
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_noisy_channel", EVALS / "generate_noisy_channel.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = (DATASETS / "dns-noisy-channel" / "chat.txt").read_text(encoding="utf-8")
    assert "\n".join(module.lines()) + "\n" == expected
    assert len(module.lines(seed=1)) == len(module.lines()) and module.lines(seed=1) != module.lines()


def test_notebook_executes_headless(offline_report, tmp_path, monkeypatch):
    import nbclient
    import nbformat

    report_path = tmp_path / "latest.json"
    report_path.write_text(offline_report.model_dump_json(), encoding="utf-8")
    monkeypatch.setenv("EVAL_REPORT", str(report_path))
    notebook = nbformat.read(ROOT / "notebooks" / "eval_report.ipynb", as_version=4)
    nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    printed = "".join(out.get("text", "") for out in notebook.cells[-1].outputs)
    worst = sorted(offline_report.incidents, key=lambda r: (-len(r.leaks), r.fact_accuracy))[0]
    assert worst.name in printed


@pytest.mark.corpus
def test_reference_distribution_over_the_human_corpus(offline_report):
    corpus = SHARED / "corpus" / "postmortems"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is absent")
    reference = reference_distribution(corpus)
    assert reference.files == len(list(corpus.glob("*.md")))
    for distribution in (reference.substance, reference.conformance):
        assert distribution.p25 <= distribution.median <= distribution.p75
    # Human postmortems were not written to our template; our drafts follow it by construction.
    ours = sorted(r.conformance_score for r in offline_report.incidents)
    assert ours[0] > reference.conformance.p75


def test_cli_base_url_without_a_model_is_a_clear_error():
    result = CliRunner().invoke(app, ["eval", str(DATASETS), "--base-url", "http://127.0.0.1:9/v1", "--no-reference"])
    assert result.exit_code == 2
    assert "--base-url needs a model" in result.output


HELD_OUT = DATASETS / "held-out" / "push-template-published"


def test_held_out_incident_is_not_in_the_default_run_and_its_signals_generalize(offline_report):
    """Written after the change / unknown-cause / report-detection signals, as a check on unseen text."""
    assert "push-template-published" not in {r.name for r in offline_report.incidents}
    [result] = run_eval([HELD_OUT]).incidents
    assert result.fact_accuracy == 1.0  # "stopped being delivered" starts the impact, not the 14:02 publish
    matched = {m.gold: m.draft for m in result.factor_matches}
    # the bare publish names no condition: the summary's trigger, not a factor, although rolling it back helped (on
    # dev, such a change drafted as a factor was judged no factor by hand 10 times in 10)
    assert matched["Template bundle v42 was published to the push service shortly before iOS delivery stopped"] is None
    assert "we still don't know why v42 broke only iOS" in matched["Why v42 broke iOS delivery is not established"]
    assert result.rubric["citations_resolve"] == "pass"  # the template's `[C12]` notation line cites nothing


def test_detection_by_people_is_what_went_wrong_not_a_factor_and_only_when_no_alert_fired():
    from pipeline.drafting import draft_from_directory

    search, _ = draft_from_directory(DATASETS / "search-slack-paste-secret", similar=False)
    billing, _ = draft_from_directory(DATASETS / "billing-irc-midnight", similar=False)
    no_alert = [c for c in search.went_wrong if c.text.startswith("No alert fired before people reported")]
    assert [c.evidence for c in no_alert] == [["T3"]] and "16:20 UTC" in no_alert[0].text
    analysis = [f.statement for f in search.contributing_factors] + [w.answer.text for w in search.five_whys]
    assert not any("No alert fired" in text for text in analysis)  # dev: it matched the team's factors 1 time in 7
    assert not any("No alert fired" in c.text for c in billing.went_wrong)  # paged by an alert


def test_cli_needs_datasets_and_finds_its_defaults_from_them_not_the_cwd(tmp_path, monkeypatch):
    from pipeline.commands.evaluate import eval_folder

    missing = CliRunner().invoke(app, ["eval", "--no-reference"])
    assert missing.exit_code == 2 and "postmortem eval evals/datasets" in missing.output
    assert eval_folder(DATASETS) == eval_folder(HELD_OUT) == EVALS.resolve()  # the folder with thresholds.toml
    elsewhere = tmp_path / "gold"
    shutil.copytree(DATASETS / "cdn-jsonl-injection", elsewhere / "cdn-jsonl-injection")
    assert eval_folder(elsewhere / "cdn-jsonl-injection") == elsewhere
    ran = CliRunner().invoke(app, ["eval", str(elsewhere / "cdn-jsonl-injection"), "--no-reference"])
    assert ran.exit_code == 0, ran.output
    assert (elsewhere / "reports" / "latest.json").is_file() and not any(Path.cwd().iterdir())
