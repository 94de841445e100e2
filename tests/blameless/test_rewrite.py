"""System phrasing and rewrites: safe fixes, --fix/--diff, and the drafting pipeline's rewrite."""

from __future__ import annotations

from pipeline.blameless import apply_safe_fixes, lint_text, rewrite_blameless
from pipeline.blameless.rewrite import suggestion_text


def fixed(text: str) -> str:
    return apply_safe_fixes(text, lint_text(text))


def test_every_finding_has_a_suggestion_built_from_the_match(review_text: str) -> None:
    for finding in lint_text(review_text):
        assert finding.suggestion
    (finding,) = lint_text("Lena neglected to tag the release.")
    assert "tag the release" in finding.suggestion


def test_minimizers_are_removed_and_capitals_kept() -> None:
    assert fixed("Obviously the flag was missed.") == "The flag was missed."
    assert fixed("It was obviously missed.") == "It was missed."


def test_emphasis_and_root_cause_are_ordinary_phrases() -> None:
    """Real postmortems use "simply", "clearly", "in hindsight" and "root cause" as plain words; rewriting
    "the root cause" to "a contributing factor" changed what sentences claimed."""
    for text in (
        "The mitigation was simply to drain the node.",
        "In hindsight, the graph told the story.",
        "The root cause was not identified until November 12th.",
        "Root cause: a full disk.",
        "Clearly the disk on storage-node-4 is the bottleneck.",
    ):
        assert lint_text(text) == [], text
        assert fixed(text) == text
    assert [f.rule_id for f in lint_text("Clearly she should have checked the replica lag.")] == ["BL005", "BL002"]


def test_unsafe_findings_are_left_in_place() -> None:
    text = "Carlos broke checkout, and it was obviously wrong timing.\n"
    after = fixed(text)
    assert after == "Carlos broke checkout, and it was wrong timing.\n"
    assert [f.rule_id for f in lint_text(after)] == ["BL001"]


def test_fixes_keep_other_lines_and_markup_untouched(review_text: str) -> None:
    after = fixed(review_text)
    changed = [(a, b) for a, b in zip(review_text.splitlines(), after.splitlines()) if a != b]
    assert changed == [
        (
            "retry path with a config push, and the fix was obviously missed at first.",
            "retry path with a config push, and the fix was missed at first.",
        )
    ]


def test_rewrite_blameless_applies_review_rewrites_too() -> None:
    text = "Contributing factor: operator error during failover. It was obviously missed."
    out = rewrite_blameless(text)
    assert out == "Contributing factor: an action the system allowed during failover. It was missed."
    assert lint_text(out) == []


def test_rewrite_blameless_leaves_clean_text_alone() -> None:
    text = "The deploy reached production without a canary stage."
    assert rewrite_blameless(text, people=["Nadia"]) == text


def test_forgot_to_becomes_a_missing_prompt_in_drafts() -> None:
    cases = {
        "Dave forgot to renew the certificate.": "Nothing prompted or checked the step to renew the certificate.",
        "Because Dave forgot to renew it, the cert expired.": "Because nothing prompted or checked the step to renew it, the cert expired.",
        "Whoever pushed #4410 forgot to run the tests.": "Nothing prompted or checked the step to run the tests.",
        "We forgot to tag the release.": "Nothing prompted or checked the step to tag the release.",
    }
    for before, after in cases.items():
        assert rewrite_blameless(before) == after
        assert lint_text(after) == []


def test_forgot_without_a_safe_shape_stays_flagged() -> None:
    for text in (
        "Ana and Dave forgot to rotate the key.",  # the rewrite would keep half a subject
        "Dave never forgot to rotate the key.",  # negation: the rewrite would invert it
        "Dave forgot the cert.",
        "Dave forgot to.",
    ):
        assert rewrite_blameless(text) == text
        assert [f.rule_id for f in lint_text(text)] == ["BL001"]


def test_forgot_to_is_not_applied_by_check_fix() -> None:
    """It removes the person and asserts a missing prompt: a review rewrite, not pure wording."""
    text = "Dave forgot to renew the certificate.\n"
    (finding,) = lint_text(text)
    assert finding.fix is None and fixed(text) == text


def test_a_suggestion_never_pastes_a_fragment_as_its_object() -> None:
    template = 'Describe it, e.g. "At the time, nothing indicated that {object} was needed".'
    assert suggestion_text(template, "should have", "the disk alerts") == (
        'Describe it, e.g. "At the time, nothing indicated that the disk alerts was needed".'
    )
    for fragment in (
        "sentinel sooner tbh",
        "From before always latent",
        "¯\\_",
        "it to prod",
        "",
        "the step to them",  # a pronoun stands for what the example cannot name
        "the node gracefully",  # the phrase ran on into an adverb
        "pushing the config",  # a step, not a thing: not "a change to pushing the config"
        "until further notice",  # how long a sanction lasts, after "revoked"
        "w/ kubectl delete in prod ok thx",  # chat shorthand and sign-off
    ):
        assert suggestion_text(template, "should have", fragment) == (
            'Describe it, e.g. "At the time, nothing indicated that it was needed".'
        )


def test_a_label_fix_replaces_the_whole_noun_phrase_with_its_article_and_judging_words() -> None:
    """The phrase fix of a "human error" label takes its determiner and judging adjectives with it, so it never
    reads "a typical an action the system allowed" or "classic an action ..."."""
    from pipeline.blameless.linter import lint_matches
    from pipeline.blameless.rewrite import apply_plan, plan_rewrites

    for text, expected in [
        (
            'It was put down to an "operator slip"—a human error where the wrong button was pressed.',
            'It was put down to an "operator slip"—an unguarded manual step where the wrong button was pressed.',
        ),
        ("A human error caused the outage on db-3.", "An unguarded manual step caused the outage on db-3."),
        ("It was a typical human error.", "It was an unguarded manual step."),
        ("This was classic human error on the deploy.", "This was an unguarded manual step on the deploy."),
        ("Root cause: human errors in the runbook.", "Root cause: unguarded manual steps in the runbook."),
    ]:
        plan = plan_rewrites(text, lint_matches(text), sentences=False)
        assert apply_plan(text, plan, safe_only=False) == expected


def test_a_match_ending_in_to_makes_the_object_a_step() -> None:
    """ "Know how to" + "renew certificates": the example names the step, not "a guard rail for renew certificates"."""
    (finding,) = [f for f in lint_text("Know how to renew certificates.\n") if f.rule_id == "BL010"]
    assert "for the step to renew certificates" in finding.suggestion


def test_a_label_made_a_deed_gets_no_phrase_fix() -> None:
    """ "Operator error was made during the cutover by trusting X" would read "An action the system allowed was made
    during the cutover": no phrase
    stands in for a label the sentence makes a deed, so it is left for the suggestion; as a cause it is replaced."""
    from pipeline.blameless.rewrite import rewrite_blameless

    for deed in (
        "Operator error was made during the cutover by trusting the old tag.",
        "Human error in not realising that the logs live in another account.",
    ):
        assert rewrite_blameless(deed) == deed
    assert rewrite_blameless("The outage was caused by human error.") != "The outage was caused by human error."


def test_a_tone_only_sentence_is_rewritten_with_the_sentence_it_mocks() -> None:
    from pipeline.blameless.rewrite import apply_sentence_rewrites

    text = "# Notes\n\nShoutout to the frontend squad for shipping a 14 MB bundle to every mobile user. Real visionaries.\n"
    rewritten = apply_sentence_rewrites(text, safe_only=False)
    assert rewritten == "# Notes\n\nA 14 MB bundle was shipped to every mobile user.\n"
    # a tone-only sentence opening its paragraph has no sentence before it to join
    assert apply_sentence_rewrites("Real visionaries.\n", safe_only=False) == "Real visionaries.\n"


def test_an_irc_line_in_a_document_is_rewritten_with_its_speaker_tag_kept() -> None:
    # the tag is markup to Markdown, hidden like a quote: once the line was never rewritten in a file
    from pipeline.blameless.rewrite import apply_sentence_rewrites

    text = "# Notes\n\n<nadia> 02:41 fyi rohan just wiped the staging->prod sync table, 180k rows gone\n"
    rewritten = apply_sentence_rewrites(text, safe_only=False)
    assert "<nadia> 02:41 The staging->prod sync table was wiped, 180k rows gone" in rewritten, rewritten
    # a quote inside the sentence still keeps it as written
    quoted = '# Notes\n\n<nadia> rohan wiped the table, "it was only staging" he said\n'
    assert apply_sentence_rewrites(quoted, safe_only=False) == quoted
