"""`path:line:col: level ID(slug): message [suggest: ...] [safe|review rewrite: ...]`, one finding a line,
1-based columns."""

from __future__ import annotations

from pipeline.models import Finding


def render_text(findings: list[Finding]) -> str:
    lines = [
        f"{f.file}:{f.line}:{f.column}: {f.level.value} {f.rule_id}({f.slug}): {f.message}"
        + (f" [suggest: {f.suggestion}]" if f.suggestion else "")
        + (f" [{f.rewrite.safety} rewrite: {f.rewrite.text}]" if f.rewrite else "")
        for f in findings
    ]
    return "\n".join(lines) + ("\n" if lines else "")
