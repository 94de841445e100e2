"""pipeline.regex_cache: a Pattern built from a kept program is the Pattern `re.compile` builds.

Pattern equality compares the source, the flags and the compiled program, so `==` here is the proof
that the check matches exactly as before."""

from __future__ import annotations

import re

import pytest

from pipeline import regex_cache
from pipeline.blameless.rules import load_rules


@pytest.fixture
def fresh_cache(monkeypatch):
    """Forget what this process compiled, so the next compile reads the file (or starts from nothing)."""

    def forget() -> None:
        monkeypatch.setattr(regex_cache, "_programs", None)
        monkeypatch.setattr(regex_cache, "_used", set())
        monkeypatch.setattr(regex_cache, "_unsaved", False)

    forget()
    return forget


def _rule_expressions() -> list[tuple[str, int]]:
    ruleset = load_rules()
    found = {(p.regex.pattern, p.regex.flags) for c in ruleset.rules for p in c.patterns}
    found |= {(s.pattern, s.flags) for s in ruleset.sections.values()}
    return sorted(found)


def test_a_kept_program_builds_the_pattern_re_compile_builds(fresh_cache):
    expressions = _rule_expressions() + [(r"(?P<who>\w+) (?P=who)", re.IGNORECASE), (r"a|b", re.I | re.M)]
    first = [regex_cache.compile(source, flags) for source, flags in expressions]
    regex_cache.save()
    assert regex_cache.cache_path().is_file()
    fresh_cache()
    kept = [regex_cache.compile(source, flags) for source, flags in expressions]
    assert regex_cache._unsaved is False  # every one came from the file
    for (source, flags), made, reread in zip(expressions, first, kept, strict=True):
        expected = re.compile(source, flags)
        assert made == expected and reread == expected, source
        assert reread.groupindex == expected.groupindex


def test_a_broken_cache_file_costs_time_not_matches(fresh_cache):
    path = regex_cache.cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a marshal file")
    pattern = regex_cache.compile(r"dave (forgot|missed)\b")
    assert pattern == re.compile(r"dave (forgot|missed)\b")
    assert pattern.search("so dave missed it").group(1) == "missed"


def test_a_bad_expression_is_still_an_error(fresh_cache):
    with pytest.raises(re.error):
        regex_cache.compile(r"(unclosed")


def test_a_home_that_is_a_file_is_no_error_at_exit(fresh_cache, monkeypatch, tmp_path):
    """The cache is saved at exit; a home that cannot hold a folder (a file by that name) is quietly skipped."""
    blocked = tmp_path / "home-is-a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("POSTMORTEM_HOME", str(blocked))
    assert regex_cache.compile(r"dave (forgot|missed) the step\b").search("dave missed the step")
    regex_cache.save()
    assert blocked.is_file() and regex_cache._unsaved is False
