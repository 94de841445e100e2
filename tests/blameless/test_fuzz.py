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


REWRITE_PIECES = st.sampled_from(
    [
        "14:02 UTC ",
        "- ",
        "status: ",
        "owner: ",
        "(owner: Lise)",
        "AI-3: ",
        "Why 3: ",
        "cause looks like operator error",
        "Dave forgot to renew the cert",
        "who approved this",
        "?",
        ".",
        ", ",
        "[10:42] <pat> ",
        "• ",
        "lol",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(REWRITE_PIECES, max_size=7).map("".join))
def test_a_rewrite_of_any_fragment_never_raises(sentence: str) -> None:
    """`check --diff` rewrites whatever a flagged line holds: labels, times and tracker fields with nothing
    between them once ("14:02 UTC - status: ..." left an empty clause that crashed the parser's repairs)."""
    from pipeline.blameless.sentence import rewrite_sentence

    rewrite = rewrite_sentence(sentence)
    assert rewrite is None or rewrite.text.strip()
    assert rewrite_sentence("14:02 UTC - status: cause looks like operator error during the rotation") is None
