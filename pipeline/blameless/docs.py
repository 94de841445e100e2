"""Rule documentation generated from rules.yaml: `postmortem rules explain ID` and docs/rules.md.

Run `python -m pipeline.blameless.docs > docs/rules.md` after editing rules.yaml, and
`python -m pipeline.blameless.docs triggers > pipeline/blameless/triggers.json`; a test fails when either is stale.
"""

from __future__ import annotations

from pipeline.blameless.rules import CompiledRule, RuleSet, load_rules


def _safe_fixes(compiled: CompiledRule) -> str:
    safe = [p.spec for p in compiled.patterns if p.spec.fix is not None and p.spec.fix_safety == "safe"]
    return "yes (`--fix` applies them)" if safe else "no (the suggestion needs a human)"


def explain_rule(compiled: CompiledRule) -> str:
    """Plain-text explanation in ruff's shape: what it catches, why, example, use instead."""
    rule = compiled.rule
    levels = ", ".join(f"{k}: {v.value}" for k, v in rule.section_levels.items())
    return "\n".join(
        [
            f"{rule.id} ({rule.slug}), default level {rule.level.value}" + (f" ({levels})" if levels else ""),
            "",
            "What it catches:",
            f"  {rule.message.replace(chr(39) + '{match}' + chr(39), 'the matched words')}",
            "",
            "Why is this bad?",
            f"  {rule.why}",
            "",
            "Example (flagged):",
            *(f"  {s}" for s in rule.examples.positive[:3]),
            "",
            "Not flagged:",
            *(f"  {s}" for s in rule.examples.negative[:3]),
            "",
            "Use instead:",
            f"  {rule.suggestion.replace('{match}', '...').replace('{object}', '...')}",
            "",
            f"Safe automatic fixes: {_safe_fixes(compiled)}",
            f"Guidance: {rule.link}",
            "",
        ]
    )


def rules_table(rules: RuleSet) -> str:
    """One line per rule, for `postmortem rules`."""
    return "\n".join(f"{c.rule.id}  {c.rule.level.value:<10}  {c.rule.slug}" for c in rules.rules) + "\n"


def render_rules_markdown(rules: RuleSet | None = None) -> str:
    """docs/rules.md: every rule with what, why, examples, use instead and the link."""
    rules = rules or load_rules()
    out = [
        "# Blameless-check rules",
        "",
        "Generated from `pipeline/blameless/rules.yaml` by `python -m pipeline.blameless.docs`; do not edit by hand.",
        "Levels: `error` fails CI by default, `warning` fails under the default `--fail-on warning`, "
        "`suggestion` is informational. Mechanistic reasoning and cherry-picking are analysis problems, "
        "not phrasing, so no rule looks for them.",
        "",
        "| id | slug | default level |",
        "| --- | --- | --- |",
        *(f"| {c.rule.id} | {c.rule.slug} | {c.rule.level.value} |" for c in rules.rules),
        "",
    ]
    for compiled in rules.rules:
        rule = compiled.rule
        out += [
            f"## {rule.id} {rule.slug}",
            "",
            f"**Level:** {rule.level.value}"
            + "".join(f"; {k.replace('_', ' ')} sections: {v.value}" for k, v in rule.section_levels.items()),
            "",
            f"**What it does:** {rule.message.replace(chr(39) + '{match}' + chr(39), 'the matched words')}",
            "",
            f"**Why is this bad?** {rule.why}",
            "",
            "**Example:**",
            "",
            *(f"- {s}" for s in rule.examples.positive[:3]),
            "",
            "**Not flagged:**",
            "",
            *(f"- {s}" for s in rule.examples.negative[:3]),
            "",
            f"**Use instead:** {rule.suggestion.replace('{match}', '...').replace('{object}', '...')}",
            "",
            f"**Safe automatic fixes:** {_safe_fixes(compiled)}",
            "",
            f"**Guidance:** <{rule.link}>",
            "",
        ]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["triggers"]:  # pipeline/blameless/triggers.json, the precomputed trigger words
        from pipeline.blameless.triggers import bundled_table

        print(bundled_table(), end="")
    else:
        print(render_rules_markdown(), end="")
