"""Every rule's own examples, run as tests: positives flagged by their rule, negatives by no rule."""

from __future__ import annotations

import pytest

from pipeline.blameless import lint_text
from pipeline.blameless.config import BlamelessConfig
from pipeline.blameless.rules import load_rules
from pipeline.models import Level

RULES = [c.rule for c in load_rules().rules]
TONE = {Level.error: "Avoid", Level.warning: "Rephrase", Level.suggestion: "Consider"}


def _cases(kind: str) -> list:
    return [
        pytest.param(rule.id, sentence, id=f"{rule.id}-{rule.slug}-{kind[:3]}-{n}")
        for rule in RULES
        for n, sentence in enumerate(getattr(rule.examples, kind), start=1)
    ]


def _turned_on(rule_id: str) -> BlamelessConfig:
    """Every rule at its own level, opt-in ones (the learned detector) included."""
    rule = next(rule for rule in RULES if rule.id == rule_id)
    return BlamelessConfig(levels={rule_id: rule.level.value})


@pytest.mark.parametrize(("rule_id", "sentence"), _cases("positive"))
def test_positive_example_is_flagged_by_its_rule(rule_id: str, sentence: str) -> None:
    found = lint_text(sentence, config=_turned_on(rule_id))
    assert rule_id in {f.rule_id for f in found}, found


@pytest.mark.parametrize(("rule_id", "sentence"), _cases("negative"))
def test_negative_example_is_flagged_by_no_rule(rule_id: str, sentence: str) -> None:
    assert lint_text(sentence, config=_turned_on(rule_id)) == []


@pytest.mark.parametrize(("rule_id", "sentence"), _cases("borderline"))
def test_borderline_example_stays_below_warning(rule_id: str, sentence: str) -> None:
    assert [f for f in lint_text(sentence) if f.level is not Level.suggestion] == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_complete(rule) -> None:
    assert len(rule.examples.positive) >= 1 and len(rule.examples.negative) >= 1
    assert rule.link.startswith("https://")
    assert rule.why.strip() and rule.suggestion.strip()
    assert "{match}" in rule.message


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_message_tone_matches_level(rule) -> None:
    assert rule.message.split()[0] == TONE[rule.level]


def test_rule_ids_and_slugs_are_unique_and_sequential() -> None:
    ids = [rule.id for rule in RULES]
    assert ids == [f"BL{n:03d}" for n in range(1, len(ids) + 1)]
    assert len({rule.slug for rule in RULES}) == len(RULES)


@pytest.mark.parametrize(
    "sentence",
    ["The staging bucket was accidentally deleted at 14:02.", "Accidental deletion of the queue config stopped it."],
)
def test_a_slip_with_no_one_named_is_reported_only_when_the_team_turns_it_on(sentence: str) -> None:
    """BL012 is opt-in: it names no person, and an independent review of corpus findings read it as a false alarm."""
    assert lint_text(sentence) == []
    assert [f.rule_id for f in lint_text(sentence, config=BlamelessConfig(levels={"BL012": "suggestion"}))] == ["BL012"]


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("We thank Nadia from the storage team, who identified the corrupted manifest in four minutes.", False),
        ("The storage team corrupted the manifest.", True),
    ],
)
def test_a_failure_verb_after_a_determiner_is_an_adjective(sentence: str, flagged: bool) -> None:
    """ "the corrupted manifest" names a broken thing; "the team corrupted the manifest" says who broke it."""
    assert bool([f for f in lint_text(sentence) if f.rule_id == "BL001"]) is flagged
