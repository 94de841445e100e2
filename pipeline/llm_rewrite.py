"""Blameless rewrites by a model, for any markdown document (what `check --fix --llm` calls).

Each line with a finding at warning level or above goes to the model in one call (`prompts/rewrite.j2`).
A model rewrite is validated the way the grammar rewrites are (pipeline.blameless.sentence): the check
passes it, it keeps every time and number of the line, every system name, and names no one new.
Otherwise the line keeps the rules' *safe* rewrite only (what `--fix` writes without a model: a review
rewrite may change the claim, so it is never written). If the model is unavailable, every line gets that,
so the author always gets the same result as without a model, or a better one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import Field

from pipeline.drafting.model_output import introduced_names, secret_warning
from pipeline.errors import ModelUnavailableError
from pipeline.llm import ChatModel
from pipeline.models import Strict, blocking_findings
from pipeline.prompting import render_prompt

FIGURE_RE = re.compile(r"\d+(?:[.,:]\d+)*")


class LineRewrite(Strict):
    key: str = Field(description="The key of the flagged sentence, unchanged.")
    text: str = Field(description="The blameless rewrite, with every fact, time and number kept.")


class RewriteReply(Strict):
    rewrites: list[LineRewrite]


def blame_by_line(text: str, people: Sequence[str]) -> dict[int, list[str]]:
    """0-based line index -> messages of its warning-or-worse findings."""
    from pipeline.blameless import lint_text

    flagged: dict[int, list[str]] = {}
    for finding in blocking_findings(lint_text(text, people=list(people))):
        flagged.setdefault(finding.line - 1, []).append(f"{finding.rule_id} {finding.message}")
    return flagged


def keeps_facts(original: str, rewrite: str) -> bool:
    """A rewrite may change wording, not figures: the same times and numbers, as a multiset."""
    return sorted(FIGURE_RE.findall(original)) == sorted(FIGURE_RE.findall(rewrite))


def rewrite_with_model(text: str, model: ChatModel, people: Sequence[str] = ()) -> tuple[str, list[str]]:
    """`text` with flagged lines rewritten (model first, rules second), and warnings about what was left."""
    flagged = blame_by_line(text, people)
    if not flagged:
        return text, []
    lines = text.splitlines(keepends=True)
    warnings: list[str] = []
    sentences = [
        {"key": f"L{index + 1}", "text": lines[index].rstrip("\n"), "findings": messages}
        for index, messages in sorted(flagged.items())
    ]
    try:
        reply = model.structured(render_prompt("rewrite", sentences=sentences, pseudonymized=False), RewriteReply)
        proposed = {item.key: item.text for item in reply.rewrites}
    except ModelUnavailableError as exc:
        warnings.append(f"the model did not rewrite ({exc.reason}); rule-based rewrites only")
        proposed = {}
    for index in sorted(flagged):
        original = lines[index].rstrip("\n")
        ending = lines[index][len(original) :]
        candidate = proposed.get(f"L{index + 1}")
        if candidate is not None and acceptable_rewrite(original, candidate, people):
            lines[index] = candidate + ending
            continue
        if candidate is not None:
            warnings.append(
                f"line {index + 1}: the model's rewrite changed a figure, named someone new or still assigns blame; used the rules"
            )
        rewritten = safe_rewrite(original, people)
        lines[index] = rewritten + ending
        if blame_by_line(rewritten, people):
            warnings.append(f"line {index + 1}: still flagged after the rule-based rewrite; needs a person")
    return "".join(lines), warnings + secret_warning(model.secrets_in_replies)


def safe_rewrite(line: str, people: Sequence[str]) -> str:
    """`line` with the rewrites `check --fix` applies: safe ones only (grammar passive, phrase fixes)."""
    from pipeline.blameless.linter import lint_matches
    from pipeline.blameless.rewrite import apply_plan, plan_rewrites

    matches = lint_matches(line, people=list(people))
    return apply_plan(line, plan_rewrites(line, matches, list(people)), safe_only=True)


def acceptable_rewrite(original: str, candidate: str, people: Sequence[str]) -> bool:
    """One line, the same figures and system names, no person the original did not name, and no blame left."""
    from pipeline.blameless.sentence import keeps_facts as keeps_names

    return (
        "\n" not in candidate
        and keeps_facts(original, candidate)
        and keeps_names(original, candidate)
        and not introduced_names(original, candidate, people)
        and not blame_by_line(candidate, people)
    )
