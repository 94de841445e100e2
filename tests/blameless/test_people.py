"""Who counts as a person: roster sources, first names, pronouns, roles, and tools that are not people."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.blameless import BlamelessConfig, lint_text
from pipeline.blameless.people import build_roster, names_in_role_statements, people_from_incident_toml, unknown_name
from pipeline.errors import ConfigError


def rules(text: str, **kwargs) -> list[str]:
    return [f.rule_id for f in lint_text(text, **kwargs)]


def test_tools_are_not_people() -> None:
    for sentence in (
        "Kubernetes killed the pod.",
        "Terraform deleted the production bucket.",
        "Jenkins ignored the webhook.",
        "The scheduler forgot the lease.",
    ):
        assert rules(sentence) == [], sentence


def test_unknown_name_needs_the_roster() -> None:
    sentence = "Zorvath restarted the database without telling anyone."
    assert rules(sentence) == []
    assert rules(sentence, people=["Zorvath"]) == ["BL001"]
    assert rules(sentence, config=BlamelessConfig(people=["Zorvath Kiss"])) == ["BL001"]


def test_an_unknown_name_is_a_person_where_only_a_person_fits_the_predicate() -> None:
    assert rules("Zorvath forgot to rotate the cert.") == ["BL001"]  # no list knows Zorvath; only people forget
    assert rules("honestly Kev was half asleep during the 3am page") == ["BL001"]
    assert rules("Kubelet forgot the pod spec.") == []  # a component (not_people.txt)
    assert rules("Yesterday was exhausting, and Zorvath forgot to rotate the cert.") == ["BL001"]
    assert rules("- 03:14 Kev was half asleep during the 3am page.") == ["BL001"]  # a timeline row's time before it
    assert rules("The ticket Zorvath forgot to close stayed open.") == []  # not opening its clause
    assert rules("Zorvath forgot to rotate the cert.", config=BlamelessConfig(first_names=False)) == []


def test_chat_abbreviations_open_a_clause_and_function_words_and_lower_case_products_are_no_names() -> None:
    assert rules("the deploy stalled bc kev forgot to bump the chart") == ["BL001"]
    assert rules("the sync lagged because argocd forgot the old manifest") == []  # ArgoCD, in chat's lower case
    assert not unknown_name("against")  # a preposition lemminflect's lexicon does not hold
    assert not unknown_name("lol") and unknown_name("kev")


def test_a_team_by_its_short_name_is_people() -> None:
    assert rules("18:40 SecOps finally bothers to reply, 55 min after the page.") == ["BL001"]
    assert rules("The SecOps runbook was updated after the review.") == []  # the team's runbook, no blame


def test_a_name_is_a_name_with_or_without_its_accents() -> None:
    # the lists hold "Ayse" and "Zoe"; the writer types "Ayşe" and "Zoë"
    assert rules("If Ayşe had read the runbook, the failover would have gone to plan.") == ["BL002"]
    assert rules("If Zoë had waited for the canary, checkout would have stayed up.") == ["BL002"]
    assert rules("If Ayşe had read the runbook, ...", config=BlamelessConfig(first_names=False)) == []


def test_first_names_can_be_turned_off() -> None:
    sentence = "Dave forgot to rotate the cert."
    assert rules(sentence) == ["BL001"]
    assert rules(sentence, config=BlamelessConfig(first_names=False)) == []
    assert rules(sentence, config=BlamelessConfig(first_names=False), people=["Dave"]) == ["BL001"]


def test_names_are_case_sensitive() -> None:
    assert rules("the dave forgot to rotate the cert.", people=["Dave"]) == []


def test_role_statements_in_the_document_add_names() -> None:
    text = "Zorvath (IC) declared SEV-2.\n\nLater Zorvath ignored the second page.\n"
    assert names_in_role_statements(text) == {"Zorvath"}
    assert [(f.rule_id, f.line) for f in lint_text(text)] == [("BL001", 3)]


def test_role_before_name_statement() -> None:
    assert names_in_role_statements("Incident commander: Zorvath Kiss\n") == {"Zorvath Kiss"}


def test_role_nouns_with_a_determiner_or_opening_the_clause() -> None:
    assert rules("The on-call engineer ignored the alert.") == ["BL001"]
    # chat and timeline rows drop the determiner: a bare role phrase opening the clause is a person
    assert rules("02:13 on-call missed the PagerDuty alert for api-gw latency") == ["BL001"]
    assert rules("welp. new guy ran terraform apply on the wrong workspace") == ["BL001"]
    # ... but a role word that names software is not ("the Kubernetes operator"), nor a word inside a name
    assert rules("Kubernetes operator ignored the alert.") == []
    assert rules("The hub is tested on -dev then deployed on -prod.") == []


def test_lowercase_first_names_in_chat() -> None:
    assert rules("tbh paul just needs to double-check his stuff before merging to main") == ["BL010"]
    assert rules("hugo ignored the stale cache entries.") == []
    assert rules("raj neglected to drain node-7 before the kernel upgrade") == ["BL002"]  # three letters, no word
    assert rules("bob ignored the stale cache entries.") == []  # "bob" is a word too
    assert rules("dmitri volkov failed to verify the restore before closing the ticket") == ["BL002"]


def test_subject_found_across_appositions_and_coordination() -> None:
    assert rules("Sven, visibly exhausted, ran the wrong drain command on node-pool-b") == ["BL001"]
    assert rules("An S3 team member, while debugging a billing issue, inadvertently removed servers.") == ["BL001"]
    assert rules("14:02 Dave deployed build 7781 to prod and took down auth-gateway") == ["BL001"]
    assert rules("The outage is on Grace, who approved the PR.") == ["BL009"]
    assert rules("Dave said the deploy went out and took down auth-gateway.") == []


def test_pronouns_and_self_blame() -> None:
    assert rules("I screwed up the failover.") == ["BL001"]
    assert rules("honestly i screwed up the order, rolled eu before the schema change") == ["BL001"]  # chat's "i"
    assert rules("Someone forgot to renew the certificate.") == ["BL001"]
    assert rules("They forgot to renew the certificate.") == []


def test_we_counts_only_with_strong_verbs() -> None:
    assert rules("We dropped the ball on capacity.") == ["BL001"]
    assert rules("We deleted the stale production index as planned.") == []


def test_possessive_artifact_is_a_person_agent() -> None:
    assert rules("Priya's change took down search.") == ["BL001"]
    assert rules("The search team's change took down search.") == ["BL001"]


def test_incident_toml_people(tmp_path: Path) -> None:
    toml = tmp_path / "incident.toml"
    toml.write_text('title = "x"\n\n[[people]]\nname = "Zorvath Kiss"\nroles = ["IC"]\n', encoding="utf-8")
    assert people_from_incident_toml(toml) == ["Zorvath Kiss"]
    assert build_roster(people_from_incident_toml(toml)).is_person_name("Kiss")


def test_bad_incident_toml_is_a_config_error(tmp_path: Path) -> None:
    toml = tmp_path / "incident.toml"
    toml.write_text('title = "x"\n[[people]\nname = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        people_from_incident_toml(toml)
    assert "incident.toml:2" in str(error.value)


@pytest.mark.parametrize(
    "sentence",
    [
        "whoever pushed #4410 without testing it really messed up",
        "Whoever merged the flag change broke checkout.",
        "The person who ran the backfill, without a dry run, screwed up the ledger.",
        "Somebody who reviewed the diff missed the typo.",
        "Lena, who owned the rollout, dropped the ball.",
        "The invoices were broken by whoever pushed the hotfix.",
    ],
)
def test_relative_clause_subject_is_a_person_agent(sentence: str) -> None:
    found = lint_text(sentence)
    assert [f.rule_id for f in found] == ["BL001"], found
    assert found[0].column == sentence.index(found[0].match) + 1


@pytest.mark.parametrize(
    "sentence",
    [
        "The deploy messed up the cache keys.",  # a system subject is not blame
        "Someone paged the on-call.",
        "Someone who joined the bridge said the deploy broke checkout.",  # two verbs: another clause
        "Tom told Lena that the canary broke the EU cache.",  # complement clause with its own subject
        "Whoever approved the PR that broke checkout was on leave.",
        "The job that ran at 02:00 broke the index.",
        "Users who refreshed the page saw the old cart.",
    ],
)
def test_relative_clause_without_a_person_agent_is_clean(sentence: str) -> None:
    assert lint_text(sentence) == []


def test_blame_idiom_suggests_system_phrasing() -> None:
    (finding,) = lint_text("whoever pushed #4410 without testing it really messed up")
    assert finding.match == "whoever pushed #4410 without testing it really messed up"
    assert "no test, review step or guard rail caught it" in finding.suggestion
    (finding,) = lint_text("I messed up the DNS cutover.")
    assert finding.suggestion.startswith(
        'Replace the verdict with what happened and what allowed it, e.g. "The DNS cutover went wrong'
    )


def test_a_role_after_a_gerund_is_its_object_not_the_subject() -> None:
    assert rules("Appointing an incident manager could have helped.") == []
    assert rules("Paging the on-call engineer should have happened sooner.") == []
    assert rules("The incident manager should have paged the database team.") == ["BL002"]


def test_role_with_an_organisation_and_someone_on_a_team_are_people() -> None:
    assert "BL001" in rules("An operator at the water utility accidentally raised the feed rate to 80%.")
    assert "BL001" in rules("Someone on the team committed the private key to the repository.")
    assert rules("Someone on the team suggested a rollback at 10:02.") == []


def test_owner_of_an_artifact_is_found_past_identifiers_and_contractions() -> None:
    assert "BL001" in rules("Your migration 0042 is what locked the orders table.")
    assert rules("Migration 0042 is what locked the orders table.") == []
    assert "BL001" in rules("This is the third time you've pushed a broken config.")


def test_names_from_many_languages_are_first_names() -> None:
    for name in ("Olu", "Noor", "Tunde", "Dmitri", "Siddharth"):
        assert rules(f"{name} forgot to rotate the cert.") == ["BL001"], name


def test_census_first_names_are_people_but_their_word_and_product_look_alikes_are_not() -> None:
    """The 1990 US Census first names joined the list (2026-12-04) less English words, months and names of
    products and places: "Maurice" and "Deshawn" are people now; "Numbers" (a census entry), "May", "Aurora"
    (AWS's database) and "Dallas" (a data-centre city) are not."""
    for name in ("Maurice", "Deshawn", "Quentin", "Petra"):
        assert rules(f"The restore failed because {name} deleted the upstream target group.") == ["BL001"], name
    for word in ("Numbers", "May", "Aurora", "Dallas", "Meta", "Cassandra"):
        assert rules(f"The restore failed because {word} deleted the upstream target group.") == [], word


def test_first_names_from_many_languages_are_people_but_months_words_and_products_are_not() -> None:
    """The world list (Faker's Latin-script first names, 2026-12-04): "Mirela", "Teodor", "Solveig", "Kofi" and
    "Émilie" (an accented capital, which the agent tokenizer once split off) are people now; Faker also lists
    "January", "Among", "Loki" (Grafana's log store) and "Gerrit" (the code review tool) as first names, and those stay words."""
    for name in ("Mirela", "Teodor", "Solveig", "Kofi", "Émilie"):
        assert rules(f"The restore failed because {name} deleted the upstream target group.") == ["BL001"], name
    for word in ("January", "Among", "Loki", "Gerrit", "Paris"):
        assert rules(f"The restore failed because {word} deleted the upstream target group.") == [], word


def test_a_full_name_or_a_hyphenated_first_name_is_a_person() -> None:
    """The word before the predicate is often a surname no list holds ("Wierzbicki", "O'Brien"): after a
    capitalized first name it is part of the person's name; "Jean-Luc" is a first name in two parts."""
    for person in ("Tomasz Wierzbicki", "Dave O'Brien", "Mirela Popescu-Ionescu", "Jean-Luc", "Anne-Marie Duval"):
        assert rules(f"The restore failed because {person} deleted the upstream target group.") == ["BL001"], person
    for words in ("Max Connections", "Kafka Connect", "Sink-Connector"):
        assert rules(f"The restore failed because {words} deleted the upstream target group.") == [], words


def test_a_chat_handle_given_as_a_person_is_a_person_in_the_case_it_is_written():
    """IRC and Slack handles are lowercase ("hemiw"): blame that names one is blame, as it is for "Hemi"."""
    sentence = "lol this is hemiw's cronjob. hemiw should have put a timeout on that call"
    assert {f.rule_id for f in lint_text(sentence, people=["hemiw", "Hemi Walker"])} == {"BL002"}
    assert lint_text("the deploy should have had a timeout", people=["deploy"]) == []
