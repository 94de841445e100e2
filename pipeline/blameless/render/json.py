"""JSON on stdout: a flat list of findings plus summary counts."""

from __future__ import annotations

import json

from pipeline.models import Finding, Level


def render_json(findings: list[Finding]) -> str:
    rows = []
    for f in findings:
        row = f.model_dump(mode="json", exclude={"level"})
        row["severity"] = f.level.value
        rows.append(row)
    summary = {level.value: sum(1 for f in findings if f.level is level) for level in Level}
    summary["files"] = len({f.file for f in findings})
    return json.dumps({"findings": rows, "summary": summary}, indent=2) + "\n"
