"""pipeline.data_cache: a data file validated once is read back from the cache while its text and the
model's code are the same, and anything else (an edit, other model code, a broken or unwritable cache)
validates afresh: a stale cache costs time, never a different result or a missed error."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import data_cache
from pipeline.blameless.rules import RULES_PATH, Rule, RuleFile, parse_rule_file
from pipeline.datafiles import SignalsFile, bundled, load_yaml_model
from pipeline.errors import ConfigError
from pipeline.models import Strict


@pytest.fixture
def validations(monkeypatch) -> list[str]:
    """Every model_validate of the two models these tests read, by model name."""
    seen: list[str] = []
    for model in (RuleFile, SignalsFile):
        original = model.model_validate.__func__  # type: ignore[attr-defined]

        def counted(cls, data, *args, _original=original, **kwargs):
            seen.append(cls.__name__)
            return _original(cls, data, *args, **kwargs)

        monkeypatch.setattr(model, "model_validate", classmethod(counted))
    return seen


def test_a_second_read_of_the_same_file_is_not_validated_again(validations) -> None:
    text = RULES_PATH.read_text(encoding="utf-8")
    first = parse_rule_file(text, RULES_PATH)
    second = parse_rule_file(text, RULES_PATH)
    assert validations == ["RuleFile"]
    assert second == first and second is not first
    signals = load_yaml_model(bundled("signals.yaml"), SignalsFile)
    assert load_yaml_model(bundled("signals.yaml"), SignalsFile) == signals
    assert validations == ["RuleFile", "SignalsFile"]


def test_an_edited_file_is_validated_again_and_its_error_still_names_the_line(validations, tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    good = RULES_PATH.read_text(encoding="utf-8")
    assert parse_rule_file(good, path).rules
    edited = good.replace("level: warning", "level: loud", 1)
    with pytest.raises(ConfigError) as raised:
        parse_rule_file(edited, path)
    assert raised.value.line == good[: good.index("level: warning")].count("\n") + 1
    assert validations == ["RuleFile", "RuleFile"]


def test_other_model_code_is_validated_again(validations, monkeypatch) -> None:
    text = RULES_PATH.read_text(encoding="utf-8")
    parse_rule_file(text, RULES_PATH)
    monkeypatch.setattr(data_cache, "_code_of", lambda model: "the model's module changed")
    parse_rule_file(text, RULES_PATH)
    assert validations == ["RuleFile", "RuleFile"]


def test_the_code_fingerprint_covers_the_modules_of_nested_models() -> None:
    assert {RuleFile, Rule, Strict} <= data_cache._models_in(RuleFile)
    fingerprint = data_cache._code_of(RuleFile)
    assert "pipeline/blameless/rules.py" in fingerprint and "pipeline/models.py" in fingerprint


def test_a_broken_cache_file_costs_time_not_the_result(validations) -> None:
    text = RULES_PATH.read_text(encoding="utf-8")
    expected = parse_rule_file(text, RULES_PATH)
    kept = list((data_cache._cache_file(RuleFile, RULES_PATH)).parent.glob("data-*RuleFile*.pickle"))
    assert len(kept) == 1
    kept[0].write_bytes(b"\x80\x05not a pickle")
    assert parse_rule_file(text, RULES_PATH) == expected
    assert validations == ["RuleFile", "RuleFile"]


def test_a_planted_cache_file_runs_no_code(validations, tmp_path: Path) -> None:
    """A pickle that would call a function (here: write a file) is refused and the file validated afresh."""
    import os

    text = RULES_PATH.read_text(encoding="utf-8")
    expected = parse_rule_file(text, RULES_PATH)
    planted = tmp_path / "planted-by-someone-else"

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(planted),))

    key = data_cache._key(RuleFile, text)
    data_cache._cache_file(RuleFile, RULES_PATH).write_bytes(pickle.dumps((key, Payload())))
    assert parse_rule_file(text, RULES_PATH) == expected
    assert not planted.exists()
    assert validations == ["RuleFile", "RuleFile"]


def test_a_home_that_cannot_be_written_still_validates(monkeypatch, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("POSTMORTEM_HOME", str(blocked))
    text = RULES_PATH.read_text(encoding="utf-8")
    assert parse_rule_file(text, RULES_PATH).rules == parse_rule_file(text, RULES_PATH).rules


def test_a_check_start_parses_no_yaml_and_loads_no_pydantic_plugins(tmp_path: Path) -> None:
    """After one run has filled the cache, `postmortem check` imports neither PyYAML nor pydantic's plugin
    loader (importlib.metadata and the email package): both were a tenth of its start-up. (A finding that
    might hold a secret loads detect-secrets to redact it, and that imports both: this one holds none.)"""
    doc = tmp_path / "doc.md"
    doc.write_text("# Outage\n\nDave forgot to restart the worker.\n", encoding="utf-8")  # nothing like a secret
    code = (
        "import sys; sys.argv = ['postmortem', 'check', sys.argv[1]]\n"
        "from pipeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\n"
        "loaded = [m for m in ('yaml', 'importlib.metadata', 'email.message') if m in sys.modules]\n"
        "print(code, loaded)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code, str(doc)], capture_output=True, text=True) for _ in range(2)]
    assert runs[0].stdout.splitlines()[-1].startswith("1 ")  # the finding: exit 1
    assert runs[1].stdout.splitlines()[-1] == "1 []", runs[1].stderr


def test_pydantic_imports_only_get_plugins_from_its_plugin_loader() -> None:
    """pipeline.cli stands in for pydantic's plugin loader with a module holding only `get_plugins`: that must
    stay all pydantic takes from it (pydantic is pinned; a new version that takes more fails here first)."""
    import ast

    import pydantic.plugin._schema_validator as schema_validator

    tree = ast.parse(Path(schema_validator.__file__).read_text(encoding="utf-8"))
    taken = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "_loader"
        for alias in node.names
    }
    assert taken == {"get_plugins"}
