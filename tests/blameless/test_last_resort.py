"""The last-resort rewrite: a plain instruction about the things a flagged sentence is about, built from its
parse, for sentences no clause rewrite covers."""

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
        # a judgement with no clause to turn round: the thing it is about, not the person
        (
            "kenji is just not competent enough to touch the etcd cluster tbh",
            "Describe what happened to the etcd cluster and what allowed it.",
        ),
        # a sanction in an action item: the systemic step, the label kept
        (
            "AI-21: Issue a written warning to any engineer who bypasses the change calendar.",
            "AI-21: Add an automated check for the change calendar.",
        ),
        # facts in two phrases (the clause-level fallback in sentence.py): both are asked about, joined as one
        # list; the sarcastic "lovely" goes
        (
            "Thanks, vendor-integrations, for the lovely 4-hour outage on webhooks-svc.",
            "Describe what happened to vendor-integrations and the 4-hour outage on webhooks-svc, and what allowed it.",
        ),
        # a number that measures a modifier ("3-hour") leaves the phrase an event, not an amount
        (
            "Responsibility for the 3-hour outage lies with Marit, who rotated the root token without telling anyone.",
            "Describe what led to the 3-hour outage and what allowed it.",
        ),
        # a person's state judged: the conditions around the work; a clock time before a noun is no amount
        (
            "Kev was half asleep during the 3am page and it showed.",
            "Describe the conditions around the 3am page (workload, time of day, paging load) and what would have "
            "made it safe under them.",
        ),
        # an order without a modal ("X to ..."), or with what a sanction takes as its thing: no check on either
        ("Haruto to redo the deploy training.", SYSTEMIC),
        ("Put Dave on a performance improvement plan.", SYSTEMIC),
        ("Sure, let's just confiscate Sven's laptop, that'll definitely fix deploy safety.", ORDERED),
        # a sarcastic wish for competence is an order about the thing: a check on it
        ("Action item: hire people who can read a YAML file.", "Action item: Add an automated check for a YAML file."),
    ],
)
def test_what_no_clause_rewrite_covers_becomes_an_instruction_about_its_thing(sentence: str, expected: str) -> None:
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


def test_the_things_hold_every_fact_and_lose_their_tone_words() -> None:
    rewrite = last_resort("Thanks, vendor-integrations, for the lovely 4-hour outage on webhooks-svc.", ())
    assert rewrite is not None
    assert "lovely" not in rewrite.text
    assert all(fact in rewrite.text for fact in ("vendor-integrations", "4-hour", "webhooks-svc"))


@pytest.mark.parametrize(
    "sentence",
    [
        "An earlier disk alert threshold was raised from 85% to 90% which could have been a sign we missed",
    ],
)
def test_an_amount_is_never_the_thing_an_instruction_asks_about(sentence: str) -> None:
    rewrite = rewrite_sentence(sentence)
    assert rewrite is None or not rewrite.text.startswith("Describe what happened to 85%")
