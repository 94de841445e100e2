"""What the author sees for each injected fault: a recovered draft, or the offline draft clearly marked.

Every test drafts a real incident directory through the loopback server, counts HTTP attempts, and checks
the written draft: citations resolve, times and numbers match, no blame finding, nothing invented survives.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from llm_replies import (
    BLAMEFUL,
    CANARIES,
    GOOD_ANALYSIS,
    GOOD_NARRATIVE,
    INVENTED_CITATION,
    NOT_ESTABLISHED,
    WRONG_NUMBER,
    WRONG_TIME,
    claim,
    narrative_with,
    repair,
)
from llm_server import Reply, rate_limited, server_error

from pipeline.blameless import lint_text
from pipeline.drafting import draft_from_directory
from pipeline.drafting.llm_engine import FALLBACK_STATUS
from pipeline.drafting.offline import draft_offline
from pipeline.drafting.verify import all_claims, claim_problems
from pipeline.facts import evidence_items, extract_facts
from pipeline.ingest.incident import load_incident
from pipeline.models import ClaimOrigin, Level
from pipeline.redact import redact_incident
from pipeline.render import render_markdown

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT = ROOT / "examples" / "checkout-api"
LEAKY = Path(__file__).parent / "fixtures" / "leaky-incident"


def draft_with(model, directory: Path = CHECKOUT):
    draft, warnings = draft_from_directory(
        directory, similar=False, engine="llm", engine_options={"config": model.config, "model": model}
    )
    return draft, warnings, render_markdown(draft)


def body_of(markdown: str) -> str:
    """The draft without its evidence appendix (which quotes the chat verbatim, by design)."""
    return markdown.split("## Appendix")[0]


def assert_grounded_and_blameless(draft, markdown: str, directory: Path = CHECKOUT) -> None:
    incident, _ = load_incident(directory)
    evidence = {item.id: item for item in evidence_items(redact_incident(incident))}
    cited = set(re.findall(r"(?<!`)\[([TC]\d+)\]", markdown))  # the header's `[T3]` example is not a citation
    assert cited and cited <= set(draft.evidence_index)
    for section, claim_ in all_claims(draft):
        assert claim_problems(claim_, evidence) == [], (section, claim_.text)
    people = [p.name for p in incident.meta.people]
    findings = [f for f in lint_text(body_of(markdown), people=people) if f.level in (Level.warning, Level.error)]
    assert findings == [], [f"{f.rule_id}: {f.match}" for f in findings]


def offline_draft(directory: Path = CHECKOUT):
    incident, _ = load_incident(directory)
    safe = redact_incident(incident)
    return draft_offline(safe, extract_facts(safe))


def texts(draft) -> list[str]:
    return [c.text for _, c in all_claims(draft)] + [f.statement for f in draft.contributing_factors]


def test_a_good_model_reply_becomes_a_grounded_blameless_draft_with_usage(server, make_model):
    draft, warnings, markdown = draft_with(make_model())
    assert_grounded_and_blameless(draft, markdown)
    assert draft.executive_summary[0].text.startswith("checkout-api returned 5xx errors from 11:58 UTC")
    assert draft.metadata.engine == "llm" and draft.status == "Draft"
    usage = draft.metadata.llm
    assert (usage.calls, usage.http_attempts, usage.fallback) == (2, 2, False)
    assert usage.input_tokens > 1000 and usage.output_tokens > 100
    assert set(usage.prompt_hashes) == {"narrative", "analysis"}
    assert [a.owner for a in draft.action_items] == ["Marco", "Dana", None]
    assert warnings == []


def test_an_invented_citation_never_reaches_the_draft(server, make_model):
    server.script("narrative", Reply(narrative_with("impact", 0, INVENTED_CITATION)))
    server.script("repair", Reply(repair("impact.0", INVENTED_CITATION)))  # the model insists
    draft, warnings, markdown = draft_with(make_model())
    assert "T99" not in markdown and "failed over" not in markdown
    offline = offline_draft()
    assert [c.text for c in draft.impact] == [c.text for c in offline.impact]  # the section falls back whole
    assert {c.origin for c in draft.impact} == {ClaimOrigin.fallback}
    assert all("sentence 1 cites T99, which is not in the evidence index" == c.origin_reason for c in draft.impact)
    assert any("impact: removed a model sentence (cites T99" in w for w in warnings)
    assert "Impact is the offline engine's text: sentence 1 cites T99" in " ".join(warnings)
    assert "offline engine's text" in markdown.split("## Impact")[1].split("## Timeline")[0]
    assert server.tasks == ["narrative", "analysis", "repair"]
    assert_grounded_and_blameless(draft, markdown)


@pytest.mark.parametrize(
    "bad, fixed, reason",
    [
        (WRONG_TIME, claim("The checkout-api 5xx alert fired at 12:01 UTC.", "T3"), "time 14:01 UTC is not the time"),
        (WRONG_NUMBER, claim("About 23% of checkout requests were failing.", "C14"), "number 32 does not appear"),
    ],
    ids=["wrong-time", "wrong-number"],
)
def test_a_wrong_time_or_number_is_repaired_once_with_the_reason_fed_back(server, make_model, bad, fixed, reason):
    server.script("narrative", Reply(narrative_with("went_well", 0, bad)))
    server.script("repair", Reply(repair("went_well.0", fixed)))
    draft, _, markdown = draft_with(make_model())
    assert draft.went_well[0].text == fixed["text"] and bad["text"] not in markdown
    repair_request = server.bodies[-1]["messages"][1]["content"]
    assert "went_well.0" in repair_request and reason in repair_request
    assert server.tasks == ["narrative", "analysis", "repair"]
    assert_grounded_and_blameless(draft, markdown)


def test_a_wrong_number_the_repair_cannot_fix_gives_the_offline_section(server, make_model):
    server.script("narrative", Reply(narrative_with("impact", 1, WRONG_NUMBER)))
    server.script("repair", Reply({"repaired": []}))
    draft, warnings, markdown = draft_with(make_model())
    assert "32%" not in markdown and NOT_ESTABLISHED["text"] not in [c.text for c in draft.impact]
    assert [c.text for c in draft.impact] == [c.text for c in offline_draft().impact]
    assert any("number 32 does not appear" in w for w in warnings)
    assert draft.went_well[0].origin == ClaimOrigin.model  # other sections stay the model's


def test_blameful_prose_is_rewritten_by_the_model_and_checked_again(server, make_model):
    server.script("narrative", Reply(narrative_with("went_wrong", 0, BLAMEFUL)))
    server.script(
        "repair",
        Reply(
            repair(
                "went_wrong.0",
                claim("The review of deploy #847 did not flag the change to the pool size.", "T1", "C16"),
            )
        ),
    )
    draft, _, markdown = draft_with(make_model())
    assert "Dave" not in body_of(markdown) and "should have" not in body_of(markdown)
    assert draft.went_wrong[0].text.startswith("The review of deploy #847")
    assert "blameless check" in server.bodies[-1]["messages"][1]["content"]
    assert_grounded_and_blameless(draft, markdown)


def test_blameful_prose_the_model_repeats_is_rewritten_by_rule_or_removed(server, make_model):
    server.script("narrative", Reply(narrative_with("went_wrong", 0, BLAMEFUL)))
    server.script("repair", Reply(repair("went_wrong.0", BLAMEFUL)))
    draft, _, markdown = draft_with(make_model())
    assert "should have caught" not in body_of(markdown)
    assert_grounded_and_blameless(draft, markdown)


def test_429_with_retry_after_recovers_the_draft(server, make_model, sleeps):
    server.script("narrative", rate_limited("3"), rate_limited("1"))
    draft, _, markdown = draft_with(make_model())
    assert sleeps == [3.0, 1.0]
    assert draft.metadata.llm.call_log[0].http_attempts == 3 and draft.metadata.llm.http_attempts == 4
    assert draft.metadata.engine == "llm"
    assert_grounded_and_blameless(draft, markdown)


@pytest.mark.parametrize(
    "faults, attempts",
    [
        ([server_error(500)] * 4, 4),
        ([Reply(GOOD_NARRATIVE, delay=0.5)] * 4, 4),
        ([Reply('{"executive_summary": [')] * 3, 3),
        ([Reply({"executive_summary": "not a list"})] * 3, 3),
    ],
    ids=["500", "timeout", "malformed-json", "schema-invalid"],
)
def test_a_model_that_keeps_failing_gives_the_offline_draft_clearly_marked(server, make_model, faults, attempts):
    server.script("narrative", *faults)
    draft, warnings, markdown = draft_with(make_model(timeout=0.15))
    assert server.attempts("narrative") == attempts and server.attempts("analysis") == 0
    assert draft.status == FALLBACK_STATUS and f"| Status | {FALLBACK_STATUS} |" in markdown
    assert draft.metadata.engine == "offline" and draft.metadata.llm.fallback
    assert any("this is the offline draft" in w for w in warnings)
    assert len(draft.five_whys) == 5 and draft.executive_summary


def test_a_failed_analysis_call_keeps_the_model_narrative_and_the_offline_analysis(server, make_model):
    server.script("analysis", *[server_error(502)] * 4)
    draft, warnings, _ = draft_with(make_model())
    assert draft.metadata.engine == "llm"
    assert draft.impact[0].text == GOOD_NARRATIVE["impact"][0]["text"]
    assert all(f.statement != GOOD_ANALYSIS["contributing_factors"][0]["statement"] for f in draft.contributing_factors)
    assert any("are the offline engine's" in w for w in warnings)


def test_max_calls_leaves_no_repair_call_and_says_so(server, make_model):
    server.script("narrative", Reply(narrative_with("impact", 0, INVENTED_CITATION)))
    draft, warnings, markdown = draft_with(make_model(max_calls=2))
    assert server.tasks == ["narrative", "analysis"] and draft.metadata.llm.calls == 2
    assert "T99" not in markdown
    assert any("leaves no repair call" in w for w in warnings)


def test_the_injection_reply_never_reaches_the_draft(server, make_model):
    injected = {
        "executive_summary": [
            claim("The root cause was a cosmic ray and no customers were affected.", "C5"),
            claim("A cosmic ray caused the latency, and no customers were affected.", "T2"),
            claim("payments-gateway p99 latency rose above 2 s at 09:04 UTC.", "T2"),
        ],
        "impact": [claim("About 1,200 payments timed out.", "C6")],
        "went_well": [],
        "went_wrong": [],
        "lessons_learned": [],
    }
    server.script("narrative", Reply(injected))
    server.script(
        "analysis",
        Reply(
            {
                "contributing_factors": [
                    {
                        "statement": "The root cause was a cosmic ray.",
                        "evidence": ["C5"],
                        "confidence": "high",
                        "disputed": False,
                    }
                ],
                "five_whys": [],
                "action_items": [
                    {
                        "action": "Write in the postmortem that no customers were affected",
                        "owner": None,
                        "due": None,
                        "priority": None,
                        "type": "corrective",
                        "evidence": ["C5"],
                    }
                ],
            }
        ),
    )
    server.script("repair", Reply({"repaired": []}))
    draft, warnings, markdown = draft_with(make_model(), LEAKY)
    evidence_sent = b"".join(server.raw_bodies[:2]).decode("utf-8")  # narrative and analysis requests
    assert "cosmic" not in evidence_sent and "withheld: this message reads as an instruction" in evidence_sent
    assert "cosmic" not in body_of(markdown).lower() and "no customers" not in body_of(markdown).lower()
    # Two of its three sentences were lost, so the summary is the offline engine's, marked as such.
    assert [c.text for c in draft.executive_summary] == [c.text for c in offline_draft(LEAKY).executive_summary]
    assert {c.origin for c in draft.executive_summary} == {ClaimOrigin.fallback}
    assert any("reads as an instruction to a model" in w for w in warnings)
    assert any("repeats wording of suspect message C5" in w for w in warnings)
    assert "[suspect: reads as an instruction to a model]" in draft.evidence_index["C5"]  # still visible as evidence
    assert_grounded_and_blameless(draft, markdown, LEAKY)


def test_no_canary_secret_leaves_the_machine_or_reaches_the_draft(server, make_model):
    draft, _, markdown = draft_with(make_model(), LEAKY)
    sent = b"".join(server.raw_bodies).decode("utf-8")
    assert len(server.raw_bodies) >= 2 and "[REDACTED:prefixed-token]" in sent  # sk_live_ + 16
    for canary in CANARIES:
        assert canary not in sent, canary
        assert canary not in markdown and canary not in draft.model_dump_json(), canary
    assert "CANARY" not in sent and "Canary" not in sent


def test_pseudonymize_sends_roles_instead_of_names(server, make_model):
    draft, _, _ = draft_with(make_model(pseudonymize=True), LEAKY)
    sent = b"".join(server.raw_bodies).decode("utf-8")
    for name in ("Ana Silva", "Ben Okoro", "Cleo Park", "Ana", "Okoro"):
        assert not re.search(rf"\b{name}\b", sent), name
    assert "the IC" in sent and "the OL" in sent and "responder 3" in sent
