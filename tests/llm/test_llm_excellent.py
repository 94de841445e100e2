"""An excellent model's reply for each bundled example keeps every grounded sentence; what code changes
or replaces is visible (claim origins, warnings, markers in the markdown)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_replies import (
    GOOD_ANALYSIS,
    GOOD_NARRATIVE,
    SEARCH_ANALYSIS,
    SEARCH_NARRATIVE,
    WRONG_TIME,
    claim,
    narrative_with,
    repair,
    with_invented_citations,
)
from llm_server import Reply
from test_llm_engine import assert_grounded_and_blameless, body_of, draft_with, offline_draft

from pipeline.models import ClaimOrigin

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "checkout-api": (ROOT / "examples" / "checkout-api", GOOD_NARRATIVE, GOOD_ANALYSIS),
    "search-cert-expiry": (ROOT / "examples" / "search-cert-expiry", SEARCH_NARRATIVE, SEARCH_ANALYSIS),
}
NARRATIVE = ("executive_summary", "impact", "went_well", "went_wrong", "lessons_learned")


@pytest.mark.parametrize("max_calls", [3, 2], ids=["repair-call-allowed", "no-repair-call"])
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_an_excellent_reply_keeps_every_sentence(server, make_model, example, max_calls):
    directory, narrative, analysis = EXAMPLES[example]
    server.script("narrative", Reply(narrative))
    server.script("analysis", Reply(analysis))
    draft, warnings, markdown = draft_with(make_model(max_calls=max_calls), directory)
    for section in NARRATIVE:
        assert [c.text for c in getattr(draft, section)][: len(narrative[section])] == [
            c["text"] for c in narrative[section]
        ]
        assert {c.origin for c in getattr(draft, section)[: len(narrative[section])]} == {ClaimOrigin.model}, section
    assert [f.statement for f in draft.contributing_factors] == [
        f["statement"] for f in analysis["contributing_factors"]
    ]
    assert [w.answer.text for w in draft.five_whys] == [w["answer"]["text"] for w in analysis["five_whys"]]
    assert len(draft.action_items) == len(analysis["action_items"])
    assert server.tasks == ["narrative", "analysis"] and warnings == []
    assert "\u2020" not in markdown and "offline engine's text" not in markdown
    assert_grounded_and_blameless(draft, markdown, directory)


@pytest.mark.parametrize("max_calls", [3, 2], ids=["repair-call-allowed", "no-repair-call"])
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_invented_citations_keep_the_offline_text_of_the_affected_sections(server, make_model, example, max_calls):
    directory, narrative, analysis = EXAMPLES[example]
    lost = ("impact", "went_well", "went_wrong")
    server.script("narrative", Reply(with_invented_citations(narrative, lost)))
    server.script("analysis", Reply(analysis))
    server.script("repair", Reply({"repaired": []}))
    draft, warnings, markdown = draft_with(make_model(max_calls=max_calls), directory)
    offline = offline_draft(directory)
    for section in lost:
        assert [c.text for c in getattr(draft, section)] == [c.text for c in getattr(offline, section)], section
        assert {c.origin for c in getattr(draft, section)} == {ClaimOrigin.fallback}
        assert "not in the evidence index" in getattr(draft, section)[0].origin_reason
    assert [c.text for c in draft.executive_summary] == [c["text"] for c in narrative["executive_summary"]]
    fell_back = [w for w in warnings if "is the offline engine's text" in w]
    assert [w.split(" is the")[0] for w in fell_back] == ["Impact", "What Went Well", "What Went Wrong"]
    assert body_of(markdown).count("This section is the offline engine's text") == 3
    assert draft.status == "Draft" and draft.metadata.engine == "llm"
    assert_grounded_and_blameless(draft, markdown, directory)


def test_a_repaired_sentence_is_marked_in_the_draft_with_the_rule_it_failed(server, make_model):
    fixed = claim("The checkout-api 5xx alert fired at 12:01 UTC.", "T3")
    server.script("narrative", Reply(narrative_with("went_well", 0, WRONG_TIME)))
    server.script("repair", Reply(repair("went_well.0", fixed)))
    draft, warnings, markdown = draft_with(make_model())
    repaired = draft.went_well[0]
    assert repaired.text == fixed["text"] and repaired.origin == ClaimOrigin.model_repaired
    assert repaired.origin_reason == "time 14:01 UTC is not the time of any cited evidence"
    assert "sentence 1 in What Went Well was repaired: time 14:01 UTC is not the time of any cited evidence" in warnings
    line = next(
        line for line in markdown.splitlines() if line.startswith("- The checkout-api 5xx alert fired at 12:01 UTC")
    )
    assert line.endswith("[T3] \u2020")
    assert "Sentences marked \u2020 were repaired" in markdown
    assert json.loads(draft.model_dump_json())["went_well"][0]["origin"] == "model_repaired"


def test_open_questions_follow_the_final_draft(server, make_model):
    directory, narrative, analysis = EXAMPLES["search-cert-expiry"]
    server.script("narrative", Reply(narrative))
    server.script("analysis", Reply(analysis))
    draft, _, _ = draft_with(make_model(), directory)
    disputed = {", ".join(f.evidence) for f in draft.contributing_factors if f.disputed}
    asked = {q.split("(")[1].split(")")[0] for q in draft.open_questions if q.startswith("The channel disagreed")}
    assert asked == disputed and disputed  # about the draft's own disputed factors, no others
    actions = {a.action for a in draft.action_items}
    for question in draft.open_questions:
        if question.startswith("Action item"):
            assert question.split("\u201c")[1].split("\u201d")[0] in actions
    assert not any(q.startswith("No Scribe") for q in draft.open_questions)


def test_the_model_is_sent_no_blame_verbatim_and_no_bot_as_a_possible_owner(server, make_model):
    directory, narrative, analysis = EXAMPLES["search-cert-expiry"]
    server.script("narrative", Reply(narrative))
    server.script(
        "analysis", Reply({**analysis, "action_items": [{**analysis["action_items"][0], "owner": "PagerDuty"}]})
    )
    draft, _, _ = draft_with(make_model(), directory)
    sent = b"".join(server.raw_bodies).decode("utf-8")
    assert "forgot to check the renewal logs" not in sent  # C15, withheld from the draft as blame
    assert "flagged by the blameless check" in sent or "renewal logs" in sent
    owners = json.loads(sent.split("owner one of: ")[1].split(")")[0].replace('\\"', '"'))
    assert "PagerDuty" not in owners and "Mei Tanaka" in owners
    assert draft.action_items[0].owner is None  # a bot named as owner is no owner
