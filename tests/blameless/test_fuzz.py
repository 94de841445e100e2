"""Any text at all: the check never raises, and every finding points at its own words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.blameless import apply_safe_fixes, lint_text

PIECES = st.sampled_from(
    [
        "Bob ",
        "forgot ",
        "the ",
        "root cause",
        " should have checked",
        "obviously ",
        "`code` ",
        "```\n",
        "    ",
        "\n",
        "\n\n",
        "| ",
        " |",
        "- ",
        "# ",
        "> ",
        "<!-- blameless-disable -->",
        "<!-- blameless-enable -->",
        "<!-- blameless-ignore-next -->",
        '"',
        "'",
        "https://x.org/y ",
        "[a](b) ",
        "---\n",
        "Who did it?",
        "14:05 ",
        "İ",
        "\t",
        "*",
        "_",
        "simply ",
        "Dave's commit broke prod",
        ".",
        "?",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join))
def test_spans_point_at_the_match(text: str) -> None:
    lines = text.split("\n")
    for finding in lint_text(text):
        assert 1 <= finding.line <= finding.end_line <= len(lines)
        assert finding.column >= 1 and finding.end_column >= 1
        start = sum(len(line) + 1 for line in lines[: finding.line - 1]) + finding.column - 1
        end = sum(len(line) + 1 for line in lines[: finding.end_line - 1]) + finding.end_column - 1
        assert " ".join(text[start:end].split()) == finding.match
    apply_safe_fixes(text, lint_text(text))
