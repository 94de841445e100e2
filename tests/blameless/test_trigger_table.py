"""The shipped trigger table is a cache of triggers.prefilter over the bundled rules: current, and never needed."""

from __future__ import annotations

import dataclasses

from pipeline.blameless import lint_text
from pipeline.blameless.rules import load_rules
from pipeline.blameless.trigger_table import TABLE_PATH, render_table, shipped_triggers
from pipeline.blameless.triggers import prefilter


def test_shipped_table_is_current() -> None:
    assert TABLE_PATH.read_text(encoding="utf-8") == render_table(), (
        "pipeline/data/rule_triggers.json is stale: "
        "python -m pipeline.blameless.trigger_table > pipeline/data/rule_triggers.json"
    )


def test_prefilter_uses_the_table_and_works_out_what_it_lacks(monkeypatch) -> None:
    rules = load_rules()
    first = rules.rules[0].patterns[0].regex
    shipped = dict(shipped_triggers())
    assert shipped[first.pattern] == prefilter(first.pattern)
    shipped.pop(first.pattern)  # as for a team's rule: not in the table
    monkeypatch.setattr("pipeline.blameless.trigger_table.shipped_triggers", lambda: shipped)
    fresh = dataclasses.replace(rules, prefilter_after=0)
    assert fresh.prefilter.triggers[first] == prefilter(first.pattern)


def test_findings_are_the_same_with_and_without_the_table(monkeypatch) -> None:
    text = "\n\n".join(
        [
            "Dave forgot to run the migration check before the deploy.",
            "The scheduler forgot the lease after the restart at 09:12.",
            "Human error caused the outage. Who approved this?",
        ]
        * 400
    )
    with_table = lint_text(text, rules=dataclasses.replace(load_rules(), prefilter_after=0))
    monkeypatch.setattr("pipeline.blameless.trigger_table.shipped_triggers", lambda: {})
    without = lint_text(text, rules=dataclasses.replace(load_rules(), prefilter_after=0))
    assert [(f.rule_id, f.line, f.column) for f in with_table] == [(f.rule_id, f.line, f.column) for f in without]
    assert with_table
