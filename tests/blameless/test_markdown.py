"""Markdown scoping: what is prose, where findings point, and which section they are in."""

from __future__ import annotations

from pipeline.blameless import BlamelessConfig, lint_text, rewrite_blameless
from pipeline.blameless.markdown import BLOCK, HIDDEN, masked_prose, segment
from pipeline.models import Level


def ids(text: str, **kwargs) -> list[str]:
    return [f.rule_id for f in lint_text(text, **kwargs)]


def test_fixture_document_findings_are_exactly_the_prose_ones(review_text: str) -> None:
    found = [(f.line, f.column, f.rule_id, f.level.value) for f in lint_text(review_text, path="review.md")]
    assert found == [
        (10, 42, "BL001", "warning"),
        (11, 48, "BL005", "suggestion"),
        (31, 11, "BL006", "warning"),
        (35, 3, "BL010", "error"),
    ]


def test_fenced_and_indented_code_are_skipped() -> None:
    fenced = "Intro.\n\n```\nBob should have waited.\n```\n"
    indented = "Intro.\n\n    Bob should have waited.\n"
    assert ids(fenced) == [] and ids(indented) == []


def test_inline_code_quotes_urls_and_link_targets_are_skipped() -> None:
    assert ids("Set `human error` as the label.") == []
    assert ids('We avoid "human error" and \u201cshould have\u201d here.') == []
    assert ids("We avoid 'human error' in reviews.") == []
    assert ids("See https://example.org/human-error-is-a-myth for more.") == []
    assert ids("See [the guide](https://example.org/the-culprit-was-bob).") == []


def test_apostrophes_do_not_hide_text() -> None:
    assert ids("Tom's patch was fine, but Lena's commit took down search.") == ["BL001"]


def test_quotes_can_be_linted_when_configured() -> None:
    assert ids('We avoid "human error" here.', config=BlamelessConfig(skip_quotes=False)) == ["BL003"]


def test_html_comments_and_front_matter_are_skipped() -> None:
    assert ids("<!-- Bob broke it -->\nAll good.\n") == []
    assert ids("---\nsummary: Bob broke it\n---\n\nAll good.\n") == []


def test_list_items_headings_and_table_cells_are_linted() -> None:
    assert ids("- The risk was obviously missed.\n") == ["BL005"]
    assert ids("## Why didn't Tom check?\n") == ["BL006"]
    assert ids("| a | b |\n| --- | --- |\n| ok | It was a rookie mistake. |\n") == ["BL005"]


def test_table_cells_do_not_join_into_one_sentence() -> None:
    # "Tom" ends one cell and "forgot" starts the next: no person-as-agent across the pipe.
    assert ids("| who | what |\n| --- | --- |\n| Tom | forgot to page |\n") == []


def test_soft_wrapped_lines_join_and_spans_map_back() -> None:
    text = "Intro line.\n\nThe release manager should\n  have paused the rollout.\n"
    (finding,) = lint_text(text)
    assert finding.rule_id == "BL002"
    assert (finding.line, finding.column) == (3, 1)
    assert (finding.end_line, finding.end_column) == (4, 14)
    assert finding.match == "The release manager should have paused"


def test_columns_are_one_based_and_end_exclusive() -> None:
    (finding,) = lint_text("Well, obviously nobody knew.")
    assert (finding.column, finding.end_column) == (7, 16)
    assert "Well, obviously nobody knew."[finding.column - 1 : finding.end_column - 1] == "obviously"


def test_blank_line_separates_paragraphs() -> None:
    assert ids("The release manager should\n\nhave a bigger desk.\n") == []


def test_action_item_sections_raise_punitive_rule_to_error() -> None:
    body = "- Engineers must pay more attention to disk alerts.\n"
    elsewhere = lint_text("## Discussion\n\n" + body)
    in_actions = lint_text("## Follow-ups\n\n" + body)
    assert [f.level for f in elsewhere] == [Level.warning]
    assert [f.level for f in in_actions] == [Level.error]


def test_timeline_rows_are_factual_for_weak_verbs() -> None:
    row = "| 09:40 | Nadia deployed build 512 to production |\n"
    table = "| Time | Event |\n| --- | --- |\n" + row
    assert ids("## Timeline\n\n" + table) == []
    assert ids("Nadia deployed build 512 to production.") == ["BL001"]


def test_root_cause_heading_is_not_flagged() -> None:
    assert ids("## Root cause\n\nA full disk and no alert on it.\n") == []
    assert ids("# The root cause\n") == []


def test_blockquotes_are_quotation_and_skipped_unless_configured_on() -> None:
    text = "> Bob broke the build.\n"
    assert ids(text) == []
    assert ids(text, config=BlamelessConfig(skip_blockquotes=False)) == ["BL001"]


def test_disable_and_enable_comments() -> None:
    text = (
        "<!-- blameless-disable BL005 -->\nIt was obviously missed.\n\nBob broke it.\n\n"
        "<!-- blameless-enable BL005 -->\nIt was obviously missed.\n"
    )
    assert [(f.rule_id, f.line) for f in lint_text(text)] == [("BL001", 4), ("BL005", 7)]


def test_disable_without_ids_turns_everything_off_until_enable() -> None:
    text = "<!-- blameless-disable -->\nBob broke it.\n<!-- blameless-enable -->\n\nTom broke it.\n"
    assert [f.line for f in lint_text(text)] == [5]


def test_ignore_next_covers_only_the_next_block() -> None:
    text = "<!-- blameless-ignore-next -->\nBob broke it.\n\nTom broke it.\n"
    assert [f.line for f in lint_text(text)] == [4]


def test_slug_works_in_controls() -> None:
    text = "<!-- blameless-disable hindsight-minimizer -->\nIt was obviously missed.\n"
    assert ids(text) == []


def test_unclosed_backtick_line_is_inline_code_not_a_fence() -> None:
    text = "```x = 1``` is the setting.\n\nBob broke it.\n"
    assert ids(text) == ["BL001"]


def test_masking_keeps_length_newlines_and_prose() -> None:
    text = (
        "---\ntitle: x\n---\n# Summary <!-- a\nb -->\nProse *here* and `code`.\n\n```\nx\n```\n"
        "| a | b \\| c |\n|---|---|\n> quoted\n- item\n  more\n"
    )
    doc = segment(text)
    assert len(doc.masked) == len(text)
    lines = text.split("\n")
    assert doc.line_kinds[:3] == ["hidden"] * 3 and doc.line_kinds[3] == "heading"
    for index, kind in enumerate(doc.line_kinds):
        shown = doc.masked[doc.line_starts[index] : doc.line_starts[index] + len(lines[index])]
        if kind in ("hidden", "code"):
            assert set(shown) <= {HIDDEN}, lines[index]
    assert "Prose  here  and" in doc.masked and "\\| c " in doc.masked.replace(BLOCK, "|")
    # front matter keeps its newlines but the last (the next line starts a block); other line ends join or split blocks
    assert doc.masked.count("\n") == 2


def test_a_code_span_opens_with_a_whole_backtick_run_and_closes_with_one_as_long() -> None:
    # the single backtick inside "``git ` log``" does not close the double run that opened it
    text = "Run ``git ` log`` now.\n"
    assert segment(text).masked == "Run " + HIDDEN * 13 + " now." + BLOCK
    # the second backtick of an unclosed "``" cannot open a span; the lone one after "y" does
    text = "Set ``y` z` now.\n"
    assert segment(text).masked == "Set ``y" + HIDDEN * 4 + " now." + BLOCK


def test_masked_prose_is_the_segmented_text_of_that_very_text() -> None:
    """The check reuses the masked text it just made; another text (even one of the same length) is masked anew."""
    first = "Dave broke it.\n\n> Dave said `rm -rf` here.\n"
    second = "Anna broke it.\n\n- Anna said `rm -rf` here.\n"
    segment(first)
    assert masked_prose(first) == segment(first).masked
    assert masked_prose(second) == segment(second).masked != segment(first).masked
    assert masked_prose(second, skip_blockquotes=True) == segment(second, skip_blockquotes=True).masked
    assert HIDDEN * len("> Dave said `rm -rf` here.") in masked_prose(first, skip_blockquotes=True)


def test_a_link_reference_definition_is_hidden_but_a_transcript_speaker_tag_is_prose() -> None:
    # "[Priya]: who approved ..." once read as a link definition and hid the whole line (10 of 11 call-transcript
    # items in the W20 eval set went unflagged)
    definitions = '[1]: https://example.com/why-dave-forgot "Dave forgot"\n\n[runbook]: <https://example.com/rb>\n'
    assert lint_text(definitions) == []
    spoken = "[Priya]: okay, but who actually approved the firewall change on edge-gw-2?\n"
    assert [f.line for f in lint_text(spoken)] == [1]


def test_blame_is_read_through_chat_and_markdown_dressing() -> None:
    """A name written as a link or a raw Slack mention, an emoji or a bracketed time before a question, a pasted
    Slack header line ("Priya Sharma  10:42 AM") above the message, front matter right above it: each is read."""
    dressed = [
        "[Dave](https://wiki.example.com/dave) forgot to renew the certificate.",
        "<@U024BE7LH> forgot to renew the certificate.",
        "👉 who restarted redis-cache-2 in the middle of the batch window??",
        "[10:42 AM] who restarted redis-cache-2 in the middle of the batch window??",
        "Priya Sharma  10:42 AM\nwho approved the PR that dropped the index?",
        "rosa [09:14]\nwho approved the PR that dropped the index?",
        "---\ntitle: notes\n---\nwho approved the PR that dropped the index?",
        "• Why didn't anyone on the team check the replica count before draining?",
        "– The on-call didn't bother to check the replica count.",
        "2026-05-02T14:02:00Z who approved the PR that dropped the index?",
        "[2026-05-02 14:02] who approved the PR that dropped the index?",
        "a) who approved the PR that dropped the index?",
        "AI-7 - who approved the PR that dropped the index?",
        "#14 | who approved the PR that dropped the index?",
    ]
    for text in dressed:
        assert lint_text(text), text
    assert lint_text("We rolled back at 10:42\nbecause the config was bad.") == []
    assert lint_text("Why #4: why didn't Priya check the cron expression before merging?")  # "#4:" ends its label
    assert lint_text("Escalated to <@U024BE7LH> at 10:02 and [the runbook](https://x.example/rb) was followed.") == []


def test_curly_apostrophes_read_as_straight_ones() -> None:
    """A word processor writes "didn’t" everywhere: every rule written with "didn't" reads it too."""
    straight = (
        "Kenji doesn't even know how to use kubectl.\n\nit's the platform team again\n\nWhy wasn't anyone watching?"
    )
    curly = straight.replace("'", "’")
    assert [(f.rule_id, f.line) for f in lint_text(curly)] == [(f.rule_id, f.line) for f in lint_text(straight)]
    assert len(lint_text(curly)) == 3


def test_no_break_spaces_read_as_spaces() -> None:
    assert [f.rule_id for f in lint_text("Dave\u00a0forgot to renew the\u202fcertificate.")] == ["BL001"]


def test_no_fix_replaces_markup_read_as_words() -> None:
    """The link's target and the mention are checked around, never replaced as if they were words."""
    for text in ("[Dave](https://wiki.example.com/dave) forgot to renew the cert.", "<@U024BE7LH> forgot to renew it."):
        (finding,) = lint_text(text)
        assert finding.fix is None and finding.rewrite is None
        assert rewrite_blameless(text) == text
