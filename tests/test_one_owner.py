"""Each rule has one owner: a copy that drifts would be noticed here.

What counts as blame (Level.rank, blocking_findings), the claim sections (Draft.CLAIM_SECTIONS), the
summary word limit (rubric.yaml limits.summary_words), the role words (signals.yaml) and the citation
pattern (models.CITATION_RE) are each defined once; these tests fail when one is written again elsewhere
or when an owner stops driving the code that reads it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import datafiles
from pipeline.cli import app
from pipeline.models import CITATION_RE, EVIDENCE_ID, Draft, Finding, Level, blocking_findings
from support import EXAMPLES

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
SOURCES = {path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py")}


def copies(pattern: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """Modules (other than the owners in `allowed`) whose source matches `pattern`."""
    return sorted(name for name, text in SOURCES.items() if name not in allowed and re.search(pattern, text))


def finding(level: Level) -> Finding:
    return Finding(
        file="-",
        line=1,
        column=1,
        end_line=1,
        end_column=2,
        rule_id="BL001",
        slug="x",
        level=level,
        message="m",
        match="x",
    )


def test_levels_rank_in_declaration_order_and_warning_or_worse_blocks():
    assert [level.rank for level in Level] == [0, 1, 2]
    assert Level.error.rank > Level.warning.rank > Level.suggestion.rank
    findings = [finding(level) for level in Level]
    assert [f.level for f in blocking_findings(findings)] == [Level.warning, Level.error]


def test_no_module_writes_its_own_blocking_levels_or_level_order():
    assert copies(r"Level\.warning,\s*Level\.error|\{\s*[\"']warning[\"'],\s*[\"']error[\"']\s*\}") == []
    assert copies(r"Level\.suggestion:\s*0") == []


def test_the_claim_sections_are_the_models_and_the_llm_reply_has_exactly_them():
    from pipeline.drafting.llm_engine import NarrativeReply

    assert set(Draft.CLAIM_SECTIONS) <= set(Draft.model_fields)
    assert tuple(NarrativeReply.model_fields) == Draft.CLAIM_SECTIONS
    assert copies(r"[\"']executive_summary[\"'],\s*[\"']impact[\"']", allowed=("models.py",)) == []


def test_one_citation_pattern():
    assert copies(r"CITATION_RE\s*=", allowed=("models.py",)) == []
    assert CITATION_RE.findall("cut the pool [T3], see [C12] and T4") == ["T3", "C12"]
    from pipeline.drafting.llm_engine import ClaimOut

    schema = ClaimOut.model_json_schema()["properties"]["evidence"]["items"]
    assert schema["pattern"] == f"^{EVIDENCE_ID}$"


def test_role_words_live_only_in_signals_yaml():
    role_list = r"\bIC\|OL\b|[\"']IC[\"'],\s*[\"'](?:OL|Scribe)[\"']|\bscribe\|"
    assert copies(role_list) == []
    from pipeline.facts import person_role_words, signals

    assert list(signals()["role_names"]) == ["IC", "OL", "CL", "Scribe", "SME"]
    assert signals()["role_names"]["Scribe"].fullmatch("note taker")
    assert re.search(person_role_words(), "Priya (on-call)")


@pytest.fixture
def small_summary_limit(tmp_path, monkeypatch):
    """The bundled data with the rubric's summary limit set to 12 words."""
    copy = tmp_path / "data"
    shutil.copytree(datafiles.DATA_DIR, copy)
    rubric = copy / "rubric.yaml"
    rubric.write_text(rubric.read_text(encoding="utf-8").replace("summary_words: 100", "summary_words: 12"))
    monkeypatch.setattr(datafiles, "DATA_DIR", copy)
    from pipeline import scoring

    datafiles.load_rubric_file.cache_clear()
    scoring._load_rubric.cache_clear()
    yield 12
    datafiles.load_rubric_file.cache_clear()
    scoring._load_rubric.cache_clear()


def test_the_rubrics_summary_limit_drives_the_drafts_trim_and_the_score(small_summary_limit, tmp_path):
    assert copies(r"MAX_SUMMARY_WORDS\s*=\s*100|\b100 words\b") == []
    incident = tmp_path / "incident"
    shutil.copytree(EXAMPLES / "checkout-api", incident)
    out = tmp_path / "draft.json"
    result = CliRunner().invoke(app, ["draft", str(incident), "--no-similar", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    draft = Draft.model_validate_json(out.read_text(encoding="utf-8"))
    assert sum(len(claim.text.split()) for claim in draft.executive_summary) <= small_summary_limit

    from pipeline.scoring import score_text

    long = " ".join(["word"] * 20)
    result = next(c for c in score_text(f"## Executive Summary\n\n{long}\n").criteria if c.id == "summary_concise")
    assert "at most 12 words" in result.reason
