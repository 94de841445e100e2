"""Opt-in: the research examples in ../shared/blameless/examples.yaml behave as labelled."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.blameless import lint_text
from pipeline.models import Level

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
EXAMPLES = SHARED / "blameless" / "examples.yaml"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not EXAMPLES.is_file(), reason="../shared/blameless/examples.yaml is absent"),
]


def _cases(kind: str) -> list:
    if not EXAMPLES.is_file():
        return []
    rules = yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))["rules"]
    return [pytest.param(r["id"], s, id=f"{r['id']}-{kind[:3]}-{n}")
            for r in rules for n, s in enumerate(r.get(kind) or [], start=1)]


@pytest.mark.parametrize(("rule_id", "sentence"), _cases("positive"))
def test_shared_positive(rule_id: str, sentence: str) -> None:
    assert rule_id in {f.rule_id for f in lint_text(sentence)}


@pytest.mark.parametrize(("rule_id", "sentence"), _cases("negative"))
def test_shared_negative(rule_id: str, sentence: str) -> None:
    assert lint_text(sentence) == []


@pytest.mark.parametrize(("rule_id", "sentence"), _cases("borderline"))
def test_shared_borderline(rule_id: str, sentence: str) -> None:
    assert [f for f in lint_text(sentence) if f.level is not Level.suggestion] == []
