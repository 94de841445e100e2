"""Tone a rewrite never keeps (tone.py) and labels for a person's part made into the step (relabel.py)."""

from __future__ import annotations

import pytest

from pipeline.blameless import lint_text
from pipeline.blameless.relabel import relabelled
from pipeline.blameless.sentence import REVIEW, rewrite_sentence
from pipeline.blameless.tone import tone_free


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The 'tiny refactor' took down payments-api, love that for us.",
            "The 'tiny refactor' took down payments-api.",
        ),
        (
            "The settings were changed and p99 latency tripled. Truly a gift.",
            "The settings were changed and p99 latency tripled.",
        ),
        ("Love how the settings were changed at 09:00.", "The settings were changed at 09:00."),
        ("Why 4: an unguarded manual step, pure and simple.", "Why 4: an unguarded manual step."),
        ("Describe what happened to the lovely 4-hour outage.", "Describe what happened to the 4-hour outage."),
        (
            "The great firewall rule blocked 10.0.0.0/8.",
            "The great firewall rule blocked 10.0.0.0/8.",
        ),  # not a tone word
    ],
)
def test_tone_is_removed_and_facts_are_not(text: str, expected: str) -> None:
    assert tone_free(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It was a typical human fault, the count went to 0.", "It was an unguarded manual step, the count went to 0."),
        ("This human error was exacerbated by the docs.", "This unguarded manual step was exacerbated by the docs."),
        ("a mix of technical and human errors", "a mix of technical and unguarded manual steps"),
        ("Summary: Human error.", "Summary: An unguarded manual step."),
        (
            "The lesson is that human error remains a risk.",
            "The lesson is that an unguarded manual step remains a risk.",
        ),
        ("Client-side user errors climbed to 9%.", "Client-side user errors climbed to 9%."),  # part of a system name
        # the person named as the label's agent goes with it; a tool named as its agent stays
        (
            "Why 4: pilot error by the deploy operator, pure and simple.",
            "Why 4: an unguarded manual step, pure and simple.",
        ),
        (
            "The outage was human error by the deploy tool.",
            "The outage was an unguarded manual step by the deploy tool.",
        ),
    ],
)
def test_a_label_becomes_the_step_with_an_article_that_agrees(text: str, expected: str) -> None:
    assert relabelled(text) == expected


def test_a_sarcastic_rewrite_loses_its_tone_and_is_review() -> None:
    pytest.importorskip("spacy")
    rewrite = rewrite_sentence(
        "Love how the DBA optimized the query planner settings and tripled p99 latency. Truly a gift."
    )
    assert rewrite is not None and rewrite.safety == REVIEW
    assert rewrite.text == "The query planner settings were optimized and p99 latency was tripled."
    assert lint_text(rewrite.text) == []


@pytest.mark.parametrize(
    ("sentence", "person"),
    [
        ("classic PEBKAC, keiko typed prod instead of prd in the inventory file", "keiko"),
        ("Proposed fix: revoke Kai's prod access until he learns what dry run means.", " he "),
        ("Escalate to the DB team's manager that their team caused both October outages.", "manager"),
    ],
)
def test_a_rewrite_that_still_names_the_person_is_not_given(sentence: str, person: str) -> None:
    pytest.importorskip("spacy")
    rewrite = rewrite_sentence(sentence)
    assert rewrite is None or person not in f" {rewrite.text.lower()} ", rewrite


def test_a_rewrite_that_keeps_a_tone_word_is_never_safe() -> None:
    pytest.importorskip("spacy")
    rewrite = rewrite_sentence("Dave obviously broke the lovely build 7781.")
    assert rewrite is not None and rewrite.safety == REVIEW
    assert "lovely" not in rewrite.text and "7781" in rewrite.text


def test_a_name_in_a_bracketed_list_goes_and_the_rest_of_the_list_stays() -> None:
    pytest.importorskip("spacy")
    rewrite = rewrite_sentence("Cause category: Human error (Zeynep, config push)")
    assert rewrite is not None and rewrite.safety == REVIEW
    assert rewrite.text == "Cause category: An unguarded manual step (config push)"
