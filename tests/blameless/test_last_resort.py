"""The last-resort rewrite: for an order or a sanction no clause rewrite covers, a plain systemic instruction built
from its parse; for anything else, no rewrite (the finding's own suggestion stands)."""

from __future__ import annotations

import pytest

from pipeline.blameless import lint_text
from pipeline.blameless.last_resort import last_resort
from pipeline.blameless.sentence import REVIEW, rewrite_sentence

pytest.importorskip("spacy")

SYSTEMIC = "Name a systemic fix instead of a sanction: an automated check, a guard or a safer default."
ORDERED = "Add an automated check for deploy safety."


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a sanction in an action item: the systemic step, the label kept
        (
            "AI-21: Issue a written warning to any engineer who bypasses the change calendar.",
            "AI-21: Add an automated check for the change calendar.",
        ),
        # an order without a modal ("X to ..."), or with what a sanction takes as its thing: no check on either
        ("Haruto to redo the deploy training.", SYSTEMIC),
        ("Put Dave on a performance improvement plan.", SYSTEMIC),
        ("Sure, let's just confiscate Sven's laptop, that'll definitely fix deploy safety.", ORDERED),
        # a sarcastic wish for competence is an order about the thing: a check on it
        ("Action item: hire people who can read a YAML file.", "Action item: Add an automated check for a YAML file."),
    ],
)
def test_an_order_no_clause_rewrite_covers_becomes_a_systemic_instruction(sentence: str, expected: str) -> None:
    rewrite = rewrite_sentence(sentence)
    assert rewrite is not None and rewrite.safety == REVIEW and rewrite.kind == "instruction"
    assert rewrite.text == expected
    assert lint_text(rewrite.text) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Why was Klaus allowed to push to main without review?", "What allowed pushing to main without review?"),
        ("who let marco deploy the prod cluster on a Friday?", "What allowed deploying the prod cluster on a Friday?"),
    ],
)
def test_a_question_why_a_person_was_let_do_a_step_asks_what_allowed_the_step(sentence: str, expected: str) -> None:
    rewrite = rewrite_sentence(sentence)
    assert rewrite is not None and rewrite.safety == REVIEW and rewrite.kind == "question"
    assert rewrite.text == expected


def test_double_check_is_one_verb_and_the_second_person_goes_from_the_check() -> None:
    rewrite = rewrite_sentence("AI-1: Nils must double-check every firewall change with a second engineer from now on.")
    assert rewrite is not None and rewrite.safety == REVIEW
    assert rewrite.text == "AI-1: Add an automated double-check for every firewall change."


def test_a_sanction_with_no_thing_to_guard_asks_for_a_systemic_fix() -> None:
    rewrite = last_resort("Why 5, fix: Quentin needs to be disciplined so that this never happens again.", ())
    assert rewrite is not None
    assert rewrite.text.startswith("Why 5, fix: Name a systemic fix instead of a sanction")
    assert "Quentin" not in rewrite.text


@pytest.mark.parametrize(
    "sentence",
    [
        "Dave should remove the feature flag.",  # work asked of someone, no sanction: nothing to describe or guard
        "Fatima pasted the staging token into the prod secret.",  # the object misparsed: no faithful thing
        "A careless engineer left debug logging on in prod for a week.",  # "debug" taken for a name, "a week" a time
        "Mei was negligent on 2024-05-02.",  # the only fact is a date: no thing holds it
    ],
)
def test_no_instruction_about_a_misread_or_missing_thing(sentence: str) -> None:
    assert last_resort(sentence, ()) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "kenji is just not competent enough to touch the etcd cluster tbh",
        "Thanks, vendor-integrations, for the lovely 4-hour outage on webhooks-svc.",
        "Responsibility for the 3-hour outage lies with Marit, who rotated the root token without telling anyone.",
        "Kev was half asleep during the 3am page and it showed.",
        "Mei was negligent with the S3 bucket policy on 2024-05-02.",
    ],
)
def test_a_sentence_no_clause_rewrite_covers_gets_no_template_with_its_words_pasted_in(sentence: str) -> None:
    # "Describe what happened to <a phrase of the sentence> and what allowed it." was offered here until an
    # independent review of the corpus findings judged every such rewrite bad; the check still reports the
    # sentence, with its rule's suggestion
    assert rewrite_sentence(sentence) is None
    assert lint_text(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Please be assured that the staff member responsible has been disciplined and this will not happen again.",
        "We have taken disciplinary action against the individual responsible and moved them off production duties.",
        "Following the incident, disciplinary proceedings have been initiated against the two employees involved.",
        "pls everyone be more careful w/ kubectl delete in prod ok thx",  # a plea for care, not an order's form
    ],
)
def test_a_sanction_told_as_done_gets_the_systemic_instruction(sentence: str) -> None:
    # not an order, so nothing the sentence names is what a check would be for: the instruction names nothing
    rewrite = rewrite_sentence(sentence)
    assert rewrite is not None and rewrite.safety == REVIEW and rewrite.kind == "instruction"
    assert rewrite.text == "Replace this with a systemic fix: an automated check, a guard or a safer default."


@pytest.mark.parametrize(
    "sentence",
    [
        "HR has been looped in, and the engineer involved in the March 3 data deletion will receive a written warning.",
        "I'm requesting a written warning for Derek, given this is his 3rd prod incident since 2024-03-01.",
    ],
)
def test_a_sanction_told_as_done_with_a_fact_to_keep_gets_no_instruction(sentence: str) -> None:
    # the instruction would drop "March 3" / "3rd": the finding's suggestion stands instead
    assert lint_text(sentence)
    assert rewrite_sentence(sentence) is None
