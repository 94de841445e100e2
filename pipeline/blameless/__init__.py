"""The blameless-language check.

Public API:
    lint_text(text, *, path="-", config=None, people=()) -> list[models.Finding]
    rewrite_blameless(text, people=()) -> str        (drafting pipeline: applies safe and review rewrites)
    apply_safe_fixes(text, findings) -> str           (what `postmortem check --fix` writes)
    load_config(path=None) -> BlamelessConfig
Rules are data in rules.yaml; see docs/rules.md.
"""

from pipeline.blameless.config import BlamelessConfig, load_config
from pipeline.blameless.linter import lint_text
from pipeline.blameless.rewrite import apply_safe_fixes, rewrite_blameless

__all__ = ["BlamelessConfig", "apply_safe_fixes", "lint_text", "load_config", "rewrite_blameless"]
