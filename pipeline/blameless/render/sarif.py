"""SARIF 2.1.0 for GitHub code scanning, built with the standard library."""

from __future__ import annotations

import json
from pathlib import Path

import pipeline
from pipeline.blameless.rules import active_rules
from pipeline.models import Finding, Level

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Level.error: "error", Level.warning: "warning", Level.suggestion: "note"}


def _rules_metadata() -> list[dict]:
    return [
        {
            "id": c.rule.id,
            "name": c.rule.slug,
            "shortDescription": {"text": c.rule.slug.replace("-", " ")},
            "fullDescription": {"text": c.rule.why},
            "helpUri": c.rule.link,
            "help": {"text": f"{c.rule.why} {c.rule.suggestion}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[c.rule.level]},
        }
        for c in active_rules().rules
    ]


def _uri(path: str) -> str:
    """Code scanning matches results to repository files by relative, forward-slash paths."""
    if path == "-":
        return "stdin"
    file = Path(path)
    if file.is_absolute():
        try:
            file = file.relative_to(Path.cwd())
        except ValueError:
            return file.as_uri()
    return file.as_posix()


def _message(finding: Finding) -> str:
    """The message, the suggestion and the rewrite (marked safe or review), as code scanning shows one text."""
    text = finding.message + (f" Suggest: {finding.suggestion}" if finding.suggestion else "")
    if finding.rewrite is not None:
        text += f" Rewrite ({finding.rewrite.safety}): {finding.rewrite.text}"
    return text


def render_sarif(findings: list[Finding]) -> str:
    rules = _rules_metadata()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in findings:
        result = {
            "ruleId": f.rule_id,
            "level": _SARIF_LEVEL[f.level],
            "message": {"text": _message(f)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.file)},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                            "snippet": {"text": f.match},
                        },
                    }
                }
            ],
        }
        if f.rule_id in index:
            result["ruleIndex"] = index[f.rule_id]
        results.append(result)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "postmortem-blameless",
                        "version": pipeline.__version__,  # read from metadata only for a SARIF log
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
