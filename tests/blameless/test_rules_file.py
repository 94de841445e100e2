"""A bad rule file is a ConfigError naming file:line and rule id; docs/rules.md is never stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.blameless.docs import render_rules_markdown
from pipeline.blameless.rules import RULES_PATH, compile_rule_file, load_rules, parse_rule_file
from pipeline.errors import ConfigError

GOOD = RULES_PATH.read_text(encoding="utf-8")
REPO = Path(__file__).resolve().parents[2]


def broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_unknown_key_names_line_and_rule() -> None:
    text = broken("    exceptions:\n      - '\\bsloppy", "    exeptions:\n      - '\\bsloppy")
    with pytest.raises(ConfigError) as error:
        parse_rule_file(text, "rules.yaml")
    assert error.value.rule_id == "BL007"
    assert error.value.line == line_of(text, "exeptions:")
    assert str(error.value) == f"error: rules.yaml:{error.value.line}: BL007: unknown key 'exeptions'"


def test_bad_level_is_rejected() -> None:
    text = broken("    slug: counterfactual\n    level: warning", "    slug: counterfactual\n    level: loud")
    with pytest.raises(ConfigError) as error:
        parse_rule_file(text, "rules.yaml")
    assert error.value.rule_id == "BL002" and error.value.line == line_of(text, "level: loud")


def test_bad_regular_expression_names_its_pattern_line() -> None:
    text = broken("      - re: '\\bsloppy\\b'", "      - re: '\\bsloppy(\\b'")
    with pytest.raises(ConfigError) as error:
        compile_rule_file(parse_rule_file(text, "rules.yaml"), Path("rules.yaml"), text)
    assert error.value.rule_id == "BL007"
    assert error.value.line == line_of(text, "sloppy(")


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ConfigError, match="duplicate rule id BL001"):
        parse_rule_file(broken("  - id: BL002", "  - id: BL001"), "rules.yaml")


def test_missing_examples_are_rejected() -> None:
    with pytest.raises(ConfigError) as error:
        parse_rule_file(
            broken(
                '    examples:\n      positive:\n        - "Carlos', '    exampels:\n      positive:\n        - "Carlos'
            ),
            "rules.yaml",
        )
    assert error.value.rule_id == "BL001"


def test_rules_compile_once() -> None:
    assert load_rules() is load_rules()


def test_docs_rules_md_is_generated_from_rules_yaml() -> None:
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render_rules_markdown(), (
        "docs/rules.md is stale: python -m pipeline.blameless.docs > docs/rules.md"
    )


def test_start_marker_only_begins_a_pattern() -> None:
    text = broken("      - re: '\\bsloppy\\b'", "      - re: '\\bsloppy {START}\\b'")
    with pytest.raises(ConfigError, match="may only begin a pattern") as error:
        compile_rule_file(parse_rule_file(text, "rules.yaml"), Path("rules.yaml"), text)
    assert error.value.rule_id == "BL007"
