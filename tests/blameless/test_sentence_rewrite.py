"""Grammatical rewrites of flagged sentences: safe passive applied by --fix, review ones only shown, quotes
untouched, the drafting gate uses only the safe rewrite, and a clean document never imports spaCy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.blameless import lint_text
from pipeline.blameless.rewrite import apply_sentence_rewrites
from pipeline.blameless.sentence import REVIEW, SAFE, rewrite_sentence
from pipeline.cli import app
from pipeline.drafting.gate import blameless_or_none

pytest.importorskip("spacy")


def test_passive_voice_of_the_same_clause_is_safe_and_clean() -> None:
    rewrite = rewrite_sentence("Dave broke the checkout service with a config push.")
    assert rewrite is not None and rewrite.safety == SAFE
    assert rewrite.text == "The checkout service was broken with a config push."
    assert lint_text(rewrite.text) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Why did Priya push the config without a dry run?", "What allowed the config to be pushed without a dry run?"),
        (
            "You should have run the integration suite locally before opening this PR against main.",
            "Nothing in the process required running the integration suite locally before opening this PR against main.",
        ),
        (
            "Why 3: the cert expired because Mei forgot to renew it on 2024-03-01.",
            "Why 3: The cert expired because nothing in the process required renewing it on 2024-03-01.",
        ),
    ],
)
def test_other_kinds_are_review_whole_sentences_keeping_facts(sentence: str, expected: str) -> None:
    rewrite = rewrite_sentence(sentence)
    assert rewrite is not None and rewrite.safety == REVIEW
    assert rewrite.text == expected
    assert lint_text(rewrite.text) == []


def test_fix_leaves_quotes_and_review_rewrites_alone(tmp_path: Path) -> None:
    text = (
        "Dave broke the checkout service with a config push.\n\n"
        "> Dave broke the checkout service with a config push.\n\n"
        'She wrote "Dave broke the checkout service" in chat.\n\n'
        "Priya should have checked the replica lag before promoting it.\n"
    )
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--fix", str(path)])
    assert result.exit_code == 1  # the counterfactual is still reported
    after = path.read_text(encoding="utf-8").splitlines()
    assert after[0] == "The checkout service was broken with a config push."
    assert after[2:] == text.splitlines()[2:]


def test_diff_shows_review_rewrites_and_fix_diff_on_stdin_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("Priya should have checked the replica lag before promoting it.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--diff", str(path)])
    assert "+Nothing in the process required checking the replica lag before promoting it." in result.stdout
    assert path.read_text(encoding="utf-8").startswith("Priya")
    result = CliRunner().invoke(app, ["check", "--fix", "--diff", "-"], input="Dave broke it.\n")
    assert result.exit_code == 2 and "--fix --diff" in result.stderr


def test_fix_and_diff_together_write_and_print(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("Dave broke the checkout service with a config push.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--fix", "--diff", str(path)])
    assert "+The checkout service was broken with a config push." in result.stdout
    assert path.read_text(encoding="utf-8") == "The checkout service was broken with a config push.\n"


def test_gate_uses_only_the_safe_rewrite() -> None:
    assert (
        blameless_or_none("Dave broke the checkout service with a config push.")
        == "The checkout service was broken with a config push."
    )
    assert blameless_or_none("Priya should have checked the replica lag before promoting it.") is None
    assert apply_sentence_rewrites("The disk filled at 03:10.") == "The disk filled at 03:10."


def test_clean_check_does_not_import_spacy(tmp_path: Path) -> None:
    path = tmp_path / "clean.md"
    path.write_text("The disk filled at 03:10 and the alert fired at 03:12.\n", encoding="utf-8")
    code = (
        "import sys; from typer.testing import CliRunner; from pipeline.cli import app; "
        f"r = CliRunner().invoke(app, ['check', '--fix', {str(path)!r}]); "
        "assert r.exit_code == 0, r.output; assert 'spacy' not in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "ok", out.stderr
