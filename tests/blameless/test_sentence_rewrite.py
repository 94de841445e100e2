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
        (  # the decision a "whose idea" question asks about stays, the owner goes
            "whose great idea was it to pin the resolver to 8.8.8.8 on edge-lb?",
            "What made it seem reasonable to pin the resolver to 8.8.8.8 on edge-lb at the time?",
        ),
        (
            "Who thought migrating billing-db at 09:00 on a Monday was a good idea?",
            "What made migrating billing-db at 09:00 on a Monday seem reasonable at the time?",
        ),
        (  # "ought to have" is a counterfactual like "should have"
            "Why 3: because Ines ought to have renewed the certificate for api-v2.",
            "Why 3: because nothing in the process required renewing the certificate for api-v2.",
        ),
        (  # a coordinated predicate gets its own passive instead of the first object as a new subject
            "14:02 Dave deployed the broken build 7781 to prod and took down auth-gateway",
            "14:02 The broken build 7781 was deployed to prod and auth-gateway was taken down",
        ),
        ("who tf restarted redis-cache-2??", "What allowed redis-cache-2 to be restarted?"),
        ("bro was clearly half asleep when he approved PR #5521", "PR #5521 was approved"),
        ("The responder panicked and restarted the wrong cluster.", "The wrong cluster was restarted."),
        (
            "Why 3: Sven didn't check the replica count before scaling the StatefulSet down to 1.",
            "Why 3: Nothing in the process required checking the replica count before scaling the StatefulSet down to 1.",
        ),
        (
            "Raj's sloppy handling of the certificate rotation led to 40 minutes of TLS errors on api.example.com.",
            "The handling of the certificate rotation led to 40 minutes of TLS errors on api.example.com.",
        ),
        (
            "An S3 team member, while debugging a billing system issue, inadvertently removed a larger set of servers.",
            "While debugging a billing system issue, a larger set of servers was removed.",
        ),
        (
            "The on-call engineer will be retrained on the database failover procedure.",
            "Add an automated check for the database failover procedure.",
        ),
        (  # the condition is the blame: it becomes the step nothing required; the outcome is kept after it
            "If Lena had followed the runbook, the outage would not have happened.",
            "Nothing in the process required following the runbook; had it, the outage would not have happened.",
        ),
        (  # an inverted condition, and a time and a duration that must survive
            "Had Marco rolled back at 13:05 instead of debugging, the impact would have ended 50 minutes earlier.",
            "Nothing in the process required rolling back at 13:05 instead of debugging; had it, the impact would "
            "have ended 50 minutes earlier.",
        ),
        (
            "Why did the developer forget to check if a high-priority endpoint is affected?",
            "What made checking if a high-priority endpoint is affected easy to skip?",
        ),
        (
            "Who was responsible for watching the queue depth on orders-queue that night?",
            "What was responsible for watching the queue depth on orders-queue that night?",
        ),
        (
            "Who is the person that approve this firewall change on 09:40?",
            "What allowed this firewall change on 09:40 to be approved?",
        ),
        (
            "The responder was clearly panicking and made several poor decisions between 22:10 and 22:35.",
            "Several decisions between 22:10 and 22:35 were made.",
        ),
        (  # a punitive order becomes a check at the same moment, not a statement that it happened
            "Dave must be more careful when he deploys the payments-api.",
            "Add an automated check when the payments-api is deployed.",
        ),
        (  # the fact clause hangs off the judgement ("inexperienced ... and misread"); its tense is kept
            "Why 5: Aisha is inexperienced with Kubernetes and misread the PodDisruptionBudget.",
            "Why 5: The PodDisruptionBudget was misread.",
        ),
        (  # a system name the tokenizer would split is parsed as one noun; the past of the sentence is kept
            "Marco was very careless and not concentrate when he restart the redis-cache-2.",
            "The redis-cache-2 was restarted.",
        ),
        (  # an order to a person becomes the systemic step (systemic_actions.yaml)
            "Maybe Dave could try reading the runbook next time, revolutionary concept.",
            "Link the runbook from the alert.",
        ),
        (  # the time clause keeps its facts without the person: "before you run it" -> "before it is run"
            "Next time double-check your SQL before you run it against pg-main-01.",
            "Add an automated double-check of the SQL before it is run against pg-main-01.",
        ),
        (  # a causal clause keeps its mark in the passive
            "The outage happened because Carlos skipped the canary stage.",
            "The outage happened because the canary stage was skipped.",
        ),
        (  # person-as-cause -> the action as the cause
            "The outage was caused by Dan pushing an untested config to the gateway.",
            "The outage was caused by an untested config being pushed to the gateway.",
        ),
        (
            "The incident started with Maria deleting the cache keys at 10:02.",
            "The incident started with the cache keys being deleted at 10:02.",
        ),
        (  # the outcome has no subject of its own: the step alone, not "had it, could have been avoided"
            "Could have been avoided if Tim had read the alert.",
            "Nothing in the process required reading the alert.",
        ),
        (  # "she caused X" after "Priya's change": the change is the cause
            "AI-3: revert Priya's broken change to rate-limiter (she caused the 429 storm).",
            "AI-3: Revert the broken change to rate-limiter (the change caused the 429 storm).",
        ),
        (  # "be careful to test X": the step the order asked for, done by the system
            "Be more careful to test the service end-to-end, when verifying fixes in sandbox or QA",
            "Add an automated test of the service end-to-end",
        ),
        (  # the step is the "by" clause, not the prevention
            "Funny how Paul could have prevented all 6 hours of this by reading one Slack message.",
            "Funny how nothing in the process required reading one Slack message, which would have prevented all 6 "
            "hours of this.",
        ),
        ("Did nobody check the disk alerts on db-4?", "What allowed the disk alerts on db-4 to stay unchecked?"),
        (  # a routine operation without an object is named without its agent, after the verdict is dropped
            "This is on Maya, she merged without approval at 17:05.",
            "The merge happened without approval at 17:05.",
        ),
        (  # a section label is kept as written and the clause after it rewritten
            "Notes: Ben misread the graph and scaled the wrong pool.",
            "Notes: The graph was misread and the wrong pool was scaled.",
        ),
        (  # a verdict verb is said plainly
            "Sarah messed up the load balancer settings during the migration.",
            "The load balancer settings were set incorrectly during the migration.",
        ),
        ("The outage was Raj's fault for skipping the load test.", "The outage followed the load test being skipped."),
        ("Priya ignored the warning and deployed anyway.", "The warning was ignored and the deploy happened anyway."),
        (  # a clause that only says who ("it's the data team") is dropped, chat filler too
            "ofc it's the data team again, they always break the kafka topics lol",
            "The kafka topics are broken",
        ),
        (
            "The on-call slept through four pages between 03:10 and 03:50.",
            "Four pages between 03:10 and 03:50 went unanswered.",
        ),
        (  # a sanction on a person becomes a plain instruction (nothing to check, nothing "happened")
            "Mike should be removed from the on-call rotation.",
            "Name a systemic fix instead of a sanction: an automated check, a guard or a safer default.",
        ),
        (  # a blaming question before a clean sentence is dropped
            "Who wrote this? The retry in sync-worker will hammer the API forever.",
            "The retry in sync-worker will hammer the API forever.",
        ),
        ("A careless config edit by Sam broke the load balancer.", "A config edit broke the load balancer."),
        (  # a verdict label before a clean clause that still addresses the person: the clause gets its passive
            "Careless move: you dropped the orders_v2 table on db-7 at 02:00.",
            "The orders_v2 table was dropped on db-7 at 02:00.",
        ),
        (
            "ines coulda just rotated the key for vault-3 first",
            "Nothing in the process required rotating the key for vault-3 first",
        ),
        (  # a bare verb among past ones reads as the past; "#" and its number stay with the object
            "Is Omar fault, he merge the PR #91 while CI was still failing.",
            "The PR #91 was merged while CI was still failing.",
        ),
    ],
)
def test_other_kinds_are_review_whole_sentences_keeping_facts(sentence: str, expected: str) -> None:
    rewrite = rewrite_sentence(sentence)
    assert rewrite is not None and rewrite.safety == REVIEW
    assert rewrite.text == expected
    assert lint_text(rewrite.text) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Yet another masterpiece from the storage team: 4 pages in 3 nights.", "4 pages in 3 nights."),
        ("It was Ana's fault that the rollback took an hour.", "The rollback took an hour."),
        ("The deploy failed because Nina was not paying attention.", "The deploy failed."),
        (
            "Please pay more attention to the disk alerts on db-7.",
            "Add an automated check for the disk alerts on db-7.",
        ),
    ],
)
def test_the_verdict_is_dropped_and_the_facts_kept(sentence: str, expected: str) -> None:
    rewrite = rewrite_sentence(sentence)
    assert rewrite is not None and rewrite.safety == REVIEW
    assert rewrite.text == expected


def test_a_judgement_without_a_fact_clause_becomes_a_plain_instruction_about_the_facts() -> None:
    rewrite = rewrite_sentence("Mei was negligent with the S3 bucket policy on 2024-05-02.")
    assert rewrite is not None and rewrite.safety == REVIEW and rewrite.kind == "instruction"
    assert rewrite.text == "Describe what happened to the S3 bucket policy on 2024-05-02 and what allowed it."
    assert lint_text(rewrite.text) == []
    # the facts are a date alone: "what happened to the 1st of November" would not be about the incident
    assert rewrite_sentence("Mei was negligent on 2024-05-02.") is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "This outage is squarely on the vendor-integrations team.",
            "Describe what in the vendor-integrations systems allowed this outage.",
        ),
        ("The DBA team is responsible for the data loss.", "Describe what allowed the data loss."),
        ("Blame falls on the networking team for the BGP leak.", "Describe what allowed the BGP leak."),
    ],
)
def test_team_blame_becomes_what_allowed_the_event(sentence: str, expected: str) -> None:
    rewrite = rewrite_sentence(sentence)
    assert rewrite is not None and rewrite.safety == REVIEW and rewrite.kind == "team"
    assert rewrite.text == expected
    assert lint_text(rewrite.text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The outage is on Grace, who approved the PR.",  # a relative clause is neither a question nor a passive
        "The blame lies with the QA team, who signed off.",
        "Mateo approved his own PR.",  # "the own PR" would not read
        "Wow, Lena really outdid herself with that careless DNS edit at 03:10.",  # not "herself was outdone"
        "Our ops team dropped the ball on the backup rotation.",  # not "the ball was dropped"
        "Dave should remove the feature flag.",  # an ordinary action item, not a sanction
        "A careless engineer left debug logging on in prod for a week.",  # not "debug was left logging on"
        # the tail is what they were told, not a sentence of its own: not "For the 5th time, that prod is ..."
        "Action item: remind engineers, for the 5th time, that prod is not a test environment.",
        # "checkout-svc point": the parse took the verb for a noun; no instruction about a misparsed phrase
        "Honestly sloppy work here, the Helm values for checkout-svc point at the staging database again.",
        "If Lena had not skipped the runbook, the outage would not have happened.",  # the gerund would invert it
    ],
)
def test_no_rewrite_that_would_change_the_claim(sentence: str) -> None:
    rewrite = rewrite_sentence(sentence)
    assert rewrite is None, rewrite


def test_a_gerund_never_swallows_a_coordinated_verb() -> None:
    # "nothing required requesting X and merged it": a positive act after a negated one cannot share the gerund
    rewrite = rewrite_sentence("They did not request a review from the crates.io team and merged it after a few hours.")
    assert rewrite is None or "required requesting" not in rewrite.text


def test_a_passive_that_drops_more_than_the_person_is_review() -> None:
    rewrite = rewrite_sentence("Dave, who ran the migration, broke checkout.")
    assert rewrite is not None and rewrite.safety == REVIEW


def test_a_question_is_never_turned_into_a_statement() -> None:
    rewrite = rewrite_sentence("Did you even run this locally before pushing?")
    assert rewrite is None or rewrite.text.endswith("?")


def test_no_rewrite_rather_than_a_garbled_one() -> None:
    # the object is a list with an aside: moving it would garble the sentence and change who did what
    sentence = (
        "Summary: Influx of requests overloaded the database, caused replication to lag, tired admin deleted "
        "the wrong directory, six hours of data lost."
    )
    assert rewrite_sentence(sentence) is None


def test_a_time_inside_the_sentence_is_not_a_label() -> None:
    rewrite = rewrite_sentence("At approximately 23:30 UTC, an engineer mistakenly wiped the data directory.")
    assert rewrite is not None
    assert rewrite.text == "At approximately 23:30 UTC, the data directory was wiped."
    assert rewrite.safety == REVIEW  # "mistakenly" is dropped: a change of what the sentence says


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


def test_fix_never_writes_the_new_review_kinds_nor_touches_quoted_chat() -> None:
    review_only = [
        "This outage is squarely on the vendor-integrations team.",  # team
        "Mei was negligent with the S3 bucket policy on 2024-05-02.",  # instruction
        "The outage was caused by Dan pushing an untested config to the gateway.",  # cause
        "Maybe Dave could try reading the runbook next time, revolutionary concept.",  # punitive
        "Had Marco rolled back at 13:05 instead of debugging, the impact would have ended 50 minutes earlier.",
    ]
    text = "\n\n".join(review_only) + "\n\n> Kevin pushed a bad config to the load balancer at 14:05.\n"
    assert all(rewrite_sentence(s) is not None for s in review_only)  # each has a rewrite ...
    assert apply_sentence_rewrites(text) == text  # ... and --fix writes none of them, nor the quoted safe one
    assert apply_sentence_rewrites(text, safe_only=False) != text


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


def test_two_sentences_are_rewritten_one_by_one_and_a_misparse_gives_none() -> None:
    rewrite = rewrite_sentence("Lukas restarted the primary at 04:10. He never checked the replica lag on db-2.")
    assert rewrite is not None and rewrite.safety == REVIEW
    assert rewrite.text == "The primary was restarted at 04:10. The replica lag on db-2 was not checked."
    assert lint_text(rewrite.text) == []
    # the passive of the first sentence alone would silently drop the second one
    two = rewrite_sentence("Noor deleted the bucket logs-7. Nobody reviewed it.")
    assert two is None or "review" in two.text.lower()
    # "the staging token" misparsed as a noun and a participle would give "X into Y was pasted": no rewrite
    assert rewrite_sentence("Fatima pasted the staging token into the prod secret.") is None


def test_a_reminder_to_people_becomes_the_systemic_step() -> None:
    rewrite = rewrite_sentence("Remind engineers to follow the failover runbook for db-4.")
    assert rewrite is not None and rewrite.safety == REVIEW and rewrite.kind == "punitive"
    assert rewrite.text == "Link the failover runbook for db-4 from the alert."
    assert lint_text(rewrite.text) == []


def test_batch_parses_are_the_parses_one_call_gives_and_rewrites_do_not_change() -> None:
    """`check --diff` parses a document's flagged sentences in one nlp.pipe batch (parse_ahead) and keeps each
    parse; the rewrites must be those that parsing each sentence on its own gives."""
    from pipeline.blameless import sentence
    from pipeline.blameless.rules import load_rules

    sentences = [text for compiled in load_rules().rules for text in compiled.rule.examples.positive][:40]
    sentence._PARSES.clear()
    sentence._rewrite_once.cache_clear()
    one_by_one = [rewrite_sentence(text) for text in sentences]
    sentence._PARSES.clear()
    sentence._rewrite_once.cache_clear()
    sentence.parse_ahead(sentences)
    batched = dict(sentence._PARSES)
    assert len(batched) >= 30  # one parse per distinct body, made ahead
    for text, doc in batched.items():
        alone = sentence.nlp()(text)
        assert [(t.dep_, t.head.i, t.tag_, t.lemma_, t.ent_type_) for t in doc] == [
            (t.dep_, t.head.i, t.tag_, t.lemma_, t.ent_type_) for t in alone
        ], text
        assert sentence.parse(text) is doc  # kept, not parsed again
    assert [rewrite_sentence(text) for text in sentences] == one_by_one
