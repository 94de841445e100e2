"""The trigger-word prefilter is only a speed-up: findings are the same as scanning every block."""

from __future__ import annotations

import dataclasses
import random

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.blameless import lint_text
from pipeline.blameless.rules import RULES_PATH, _guarded_start, compile_rule_file, load_rules, parse_rule_file
from pipeline.blameless.triggers import (
    BUNDLED_PATH,
    block_safe,
    bundled_prefilters,
    bundled_table,
    known_prefilter,
    prefilter,
    required_sets,
    trie_expression,
    triggers,
)
from support import REPO_ROOT, SHARED

FULL_SCAN = dataclasses.replace(load_rules(), prefilter_after=None)
PREFILTERED = dataclasses.replace(load_rules(), prefilter_after=0)
CORPUS = SHARED / "corpus" / "postmortems"


def test_triggers_are_the_literals_every_match_holds() -> None:
    assert triggers(r"(?:forgot|forgotten|missed)\b") == {"forgot", "missed"}
    assert triggers(r"took\s+down") == {"took"}
    assert triggers(r"(?:root[- ]cause|rca)\s*:") == {"root", "rca"}  # not "ca": a run joins what follows
    assert triggers(r"(?:ran|pushed)\s+(?:a\s+)?prod") == {"prod"}
    assert triggers(r"[a-z]+ed\b") == {"ed"}
    assert triggers(r"[a-z]+\b") is None
    assert triggers(r"(?:error)?") is None
    assert triggers(r"(?i)sloppy") is None
    # one of English's commonest words filters little (and stops the trigger scan thousands of times)
    assert triggers(r"with\s+(?:care|caution)\b") == {"care", "caution"}
    assert triggers(r"(?:is|was)\s+on\s+call") == {"call"}


def test_required_sets_are_the_triggers_then_each_literal_set_every_match_also_holds() -> None:
    assert required_sets(r"why\s+(?:didn't|did)\s+(?:dave|ana)\b") == (
        frozenset({"why"}),
        frozenset({"ana", "dave"}),
        frozenset({"did"}),  # "didn't" holds "did": one literal is enough
    )
    assert required_sets(r"took\s+down") == (frozenset({"took"}), frozenset({"down"}))
    assert required_sets(r"(?:forgot|missed)\b") == (frozenset({"forgot", "missed"}),)
    assert required_sets(r"(?:really\s+)?sloppy") == (frozenset({"sloppy"}),)  # an optional word is not required
    assert required_sets(r"who.*\?") is None  # not block-safe


def test_a_block_is_scanned_only_when_it_holds_a_word_of_each_required_set() -> None:
    """Only sets made of trigger words narrow the blocks (the one scan finds every trigger word, so a block
    without a word of such a set holds no match); findings stay those of a full scan."""
    prefilter = PREFILTERED.prefilter
    assert len(prefilter.also) > 20
    assert all(words <= prefilter.prefixes.keys() for sets in prefilter.also.values() for words in sets)
    text = "We took the pager home.\n\nThe deploy took down checkout.\n\nDown the hall, nothing.\n" * 3
    assert lint_text(text, rules=PREFILTERED) == lint_text(text, rules=FULL_SCAN)


def test_block_safety_rejects_what_can_cross_a_block() -> None:
    assert block_safe(r"who\b[^.!?\x03]*\?")
    assert block_safe(r"clearly,?(?!\s+label)")
    assert not block_safe(r"who.*\?")
    assert not block_safe(r"who[^.]*\?")
    assert not block_safe(r"cause\s*:\S")
    assert not block_safe(r"cause$")


def test_a_lifted_start_is_guarded_where_re_has_no_literal_to_scan_for() -> None:
    assert _guarded_start(r"(?:the\s+)?team\s+broke") == r"(?<!\w)(?:the\s+)?team\s+broke"
    assert _guarded_start(r"[\w-]+\s+team") == r"(?<!\w)[\w-]+\s+team"
    verbs = "(?:" + "|".join(f"verb{i}" for i in range(30)) + r")\b"
    assert _guarded_start(verbs) == r"(?<!\w)" + verbs
    assert _guarded_start(r"forgot\s+to") == r"forgot\s+to"  # re scans for "forgot" quickly
    assert _guarded_start(r"(?:is|was)\s+to\s+blame") == r"(?:is|was)\s+to\s+blame"


def test_the_guards_change_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard only spares `re` matches the linter would drop (a start inside a word)."""
    from pipeline.blameless import rules as rules_module

    monkeypatch.setattr(rules_module, "_guarded_start", lambda source: source)
    unguarded = compile_rule_file(parse_rule_file(RULES_PATH.read_text(encoding="utf-8"), RULES_PATH), RULES_PATH)
    monkeypatch.undo()
    guarded = load_rules()
    assert sum(p.regex.pattern.startswith("(?<!") for c in guarded.rules for p in c.patterns) >= 10
    inside_words = "The steam team broke it. Dave reset it; Ana redeployed and undeleted the rows. Sam dropped it."
    document = "\n\n".join([*_sentences(), inside_words])
    assert lint_text(inside_words, rules=guarded) == lint_text(inside_words, rules=unguarded) != []
    assert lint_text(document, rules=guarded) == lint_text(document, rules=unguarded)


def test_trie_finds_the_longest_word_at_a_position() -> None:
    import re

    scan = re.compile(trie_expression(["who", "whose", "team"]))
    assert [m.group() for m in scan.finditer("whose team? who")] == ["whose", "team", "who"]


def test_every_rule_pattern_is_prefiltered() -> None:
    """A pattern without triggers still works, but scans the whole text: keep rules fast."""
    triggers = PREFILTERED.prefilter.triggers
    slow = [(c.rule.id, p.spec.re) for c in load_rules().rules for p in c.patterns if triggers[p.regex] is None]
    assert slow == []


def _sentences() -> list[str]:
    rules = load_rules()
    texts = [
        s
        for c in rules.rules
        for kind in ("positive", "negative", "borderline")
        for s in getattr(c.rule.examples, kind)
    ]
    labelled = yaml.safe_load((REPO_ROOT / "evals" / "blameless" / "labelled.yaml").read_text(encoding="utf-8"))
    texts += [row["text"] for split in labelled.values() for row in split]
    return texts


def test_examples_and_labelled_sentences_match_a_full_scan() -> None:
    texts = _sentences()
    assert len(texts) > 200
    for text in texts:
        assert lint_text(text, rules=PREFILTERED) == lint_text(text, rules=FULL_SCAN), text
    document = "\n\n".join(texts)
    assert lint_text(document, rules=PREFILTERED) == lint_text(document, rules=FULL_SCAN)


def test_shuffled_documents_match_a_full_scan() -> None:
    pieces = [*_sentences(), "- ", "| ", " |\n", "\n", "\n\n", "`x` ", "# Action items\n", "## Timeline\n", "14:05 "]
    rng = random.Random(7)
    for _ in range(40):
        document = " ".join(rng.choice(pieces) for _ in range(60))
        assert lint_text(document, rules=PREFILTERED) == lint_text(document, rules=FULL_SCAN)


WORDS = st.sampled_from(
    [
        "whoever ",
        "forgot ",
        "the ",
        "root cause",
        "should have",
        "obviously ",
        "prod ",
        "by mistake ",
        "Dave ",
        "broke ",
        "who ",
        "?",
        ".",
        "\n",
        "\n\n",
        "| ",
        "`",
        "deleted ",
        "team ",
        "blame",
        "careless",
        "ran ",
        ",",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=50).map("".join))
def test_any_text_matches_a_full_scan(text: str) -> None:
    assert lint_text(text, rules=PREFILTERED) == lint_text(text, rules=FULL_SCAN)


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus absent")
def test_real_corpus_matches_a_full_scan() -> None:
    for path in sorted(CORPUS.glob("*.md"))[:60]:
        text = path.read_text(encoding="utf-8")
        assert lint_text(text, path=path.name, rules=PREFILTERED) == lint_text(text, path=path.name, rules=FULL_SCAN), (
            path.name
        )


def test_prefilter_is_built_once_enough_text_was_checked() -> None:
    rules = dataclasses.replace(load_rules(), prefilter_after=100)
    lint_text("Dave forgot to rotate the cert.", rules=rules)
    assert "prefilter" not in rules.__dict__
    lint_text("Dave forgot to rotate the cert. " * 4, rules=rules)
    assert "prefilter" in rules.__dict__


def test_bundled_trigger_table_is_current() -> None:
    """triggers.json saves parsing every expression again at each run; a stale table only costs speed, but
    regenerate it after editing rules.yaml: python -m pipeline.blameless.docs triggers > pipeline/blameless/triggers.json"""
    assert BUNDLED_PATH.read_text(encoding="utf-8") == bundled_table()


def test_an_expression_missing_from_the_bundled_table_is_parsed() -> None:
    source = r"dave\s+forgot\s+the\s+zebra"
    assert source not in bundled_prefilters()
    assert known_prefilter(source) == prefilter(source) == frozenset({"forgot"})
