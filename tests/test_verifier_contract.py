"""One contract for prompt and verifier: what the prompt tells the model is what code checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from pipeline.drafting.quantities import contract
from pipeline.drafting.verify import claim_problems, prompt_rules
from pipeline.facts import Evidence
from pipeline.models import Claim
from pipeline.prompting import render_prompt

EXAMPLES = [(rule["id"], example) for rule in contract()["prompt_rules"] for example in rule.get("examples", [])]


def evidence_of(example: dict) -> dict[str, Evidence]:
    return {
        item["id"]: Evidence(
            item["id"],
            datetime.fromisoformat(f"2024-03-12T{item['time']}+00:00").astimezone(UTC),
            item["text"],
            item.get("author"),
            "timeline" if item["id"].startswith("T") else "message",
        )
        for item in example["evidence"]
    }


@pytest.mark.parametrize("rule, example", EXAMPLES, ids=[f"{rule}-{n}" for n, (rule, _) in enumerate(EXAMPLES)])
def test_every_example_of_the_contract_gets_the_verdict_it_states(rule, example):
    evidence = evidence_of(example)
    problems = claim_problems(Claim(text=example["claim"], evidence=list(evidence)), evidence)
    assert (problems == []) is example["accepted"], (example["claim"], problems)


@pytest.mark.parametrize("task", ["narrative", "analysis", "repair"])
def test_the_prompt_states_exactly_the_rules_the_verifier_applies(task):
    context = {"incident": {}, "facts": [], "evidence": [], "people": [], "failures": [], "pseudonymized": False}
    system = render_prompt(task, **context).system
    for sentence in prompt_rules():
        assert sentence in system
    assert "be the minutes between two cited items" not in system  # the old, looser wording is gone


def test_the_duration_the_prompt_teaches_passes_with_the_hidden_seconds():
    """The prompt's worked example ("09:47 to 09:52 is 5 minutes") is checked against the lock's seconds."""
    sentence = next(rule for rule in prompt_rules() if "duration" in rule)
    start, end, minutes = re.search(r"(\d{2}:\d{2}) to (\d{2}:\d{2}) is (\d+) minutes", sentence).groups()
    example = next(e for rule, e in EXAMPLES if rule == "duration" and e["accepted"])
    evidence = evidence_of(example)
    assert [f"{item.time:%H:%M}" for item in evidence.values()][:2] == [start, end]
    assert any(item.time.second for item in evidence.values())  # the example really has hidden seconds
    claim = Claim(text=f"Errors lasted {minutes} minutes.", evidence=list(evidence))
    assert claim_problems(claim, evidence) == []


def test_each_rule_has_an_accepted_and_a_refused_example():
    verdicts: dict[str, set[bool]] = {}
    for rule, example in EXAMPLES:
        verdicts.setdefault(rule, set()).add(example["accepted"])
    assert verdicts and all(found == {True, False} for found in verdicts.values())
