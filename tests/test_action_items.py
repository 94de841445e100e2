"""Action items as teams write them: one row per action, owners resolved to full names, due dates kept."""

from __future__ import annotations

import pytest

from pipeline.drafting.offline import OfflineEngine
from pipeline.facts import extract_facts
from tests.support import make_incident

PEOPLE = {name: [] for name in ("Rosa Lima", "Femi Ade", "Ana Costa", "Sam Okafor", "Dmitri Volkov")}


def actions(*chat: tuple[str, ...]):
    """The action items of a chat of (author, text) messages at 10:30, or of (HH:MM, author, text) messages."""
    rows = [("10:00", "Errors began"), ("11:00", "Resolved")]
    incident = make_incident(
        rows, [message if len(message) == 3 else ("10:30", *message) for message in chat], people=PEOPLE
    )
    return OfflineEngine(incident, extract_facts(incident)).action_items()


def test_a_comma_list_after_ais_is_one_row_per_action_with_owners_in_parentheses():
    items = actions(
        (
            "Ana Costa",
            "AIs: doc-count guard before alias swap (rosa), restore loader memory limit + "
            "alert on OOMKilled (ana), add zero-result-rate to the search dashboard top row (femi)",
        )
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Doc-count guard before alias swap", "Rosa Lima"),
        ("Restore loader memory limit + alert on OOMKilled", "Ana Costa"),
        ("Add zero-result-rate to the search dashboard top row", "Femi Ade"),
    ]


def test_a_piece_that_qualifies_the_item_before_it_stays_with_it():
    items = actions(
        (
            "Ana Costa",
            "AIs: alert on the 400 ratio per route, including /pay (femi), rotate the gateway admin token (ana)",
        )
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Alert on the 400 ratio per route, including /pay", "Femi Ade"),
        ("Rotate the gateway admin token", "Ana Costa"),
    ]


def test_a_thousands_separator_does_not_split_an_action():
    items = actions(
        (
            "Ana Costa",
            "AIs: adapter refuses any limit under the depot minimum 2,000 kW (rosa), contract tests in CI with "
            "sample orders of every type (femi)",
        )
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Adapter refuses any limit under the depot minimum 2,000 kW", "Rosa Lima"),
        ("Contract tests in CI with sample orders of every type", "Femi Ade"),
    ]


def test_follow_ups_read_out_one_by_one_keep_each_item_whole_with_its_owner_and_date():
    """A call's "let us agree the follow-ups" announces the list and is no item; "Follow-up one: X, and Y." is one
    item, and the sentence after it that only names the owner and when ("Rosa, by the sixth of May.") fills its
    columns instead of becoming a row of its own."""
    items = actions(
        ("10:30", "Ana Costa", "Before we close this call, let us agree the follow-ups. I will read them."),
        (
            "10:31",
            "Ana Costa",
            "Follow-up one: names must be normalized at issuance and at verification, and the normalized form "
            "stored. Rosa, by the sixth of May.",
        ),
        ("10:32", "Ana Costa", "Follow-up two: rotate the signing key read out on this call. Also Femi, this week."),
    )
    assert [(a.action, a.owner, a.due) for a in items] == [
        (
            "Names must be normalized at issuance and at verification, and the normalized form stored",
            "Rosa Lima",
            "the sixth of May",
        ),
        ("Rotate the signing key read out on this call", "Femi Ade", "this week"),
    ]


def test_a_list_without_owners_is_split_and_has_no_owner():
    items = actions(
        (
            "Sam Okafor",
            "Action items so far: automate client cert renewal, extend expiry exporter to "
            "client certs, document acquirer allowlist emergency path",
        )
    )
    assert [a.action for a in items] == [
        "Automate client cert renewal",
        "Extend expiry exporter to client certs",
        "Document acquirer allowlist emergency path",
    ]
    assert all(a.owner is None for a in items)


def test_bullets_todo_lines_dash_owners_and_due_dates():
    items = actions(
        (
            "Sam Okafor",
            "Action items:\n- rotate the keys pasted here (owner Rosa, due 2024-05-01, P1)\n"
            "\u2022 alert on cert expiry \u2014 femi\n- add a canary stage (@sam, by Friday)",
        ),
        ("Sam Okafor", "TODO(dmitri): PDB to minAvailable: 2, and a CI policy check on maxUnavailable"),
        ("Sam Okafor", "follow-up: @ana to write the failover runbook"),
    )
    rows = [(a.action, a.owner, a.due) for a in items]
    assert ("Rotate the keys pasted here", "Rosa Lima", "2024-05-01") in rows
    assert ("Alert on cert expiry", "Femi Ade", None) in rows
    assert ("PDB to minAvailable: 2, and a CI policy check on maxUnavailable", "Dmitri Volkov", None) in rows
    assert ("Write the failover runbook", "Ana Costa", None) in rows
    assert any(
        a.action.startswith("Add a canary stage") and a.owner == "Sam Okafor" and a.due == "Friday" for a in items
    )
    assert len(items) == 5


@pytest.mark.parametrize("owner", ["pagerduty", "deploy-bot"])
def test_a_bot_is_never_an_owner(owner):
    [item] = actions(("Sam Okafor", f"action items: page the secondary on cert expiry ({owner})"))
    assert item.owner is None


def test_a_proposal_repeated_in_the_summary_list_is_kept_once_with_its_owner():
    items = actions(
        ("Rosa Lima", "we should alert on error rate per provider, we only noticed via overall success"),
        ("Sam Okafor", "Action items:\n- alert on error/timeout rate per provider (owner Femi, P2)"),
        ("Ana Costa", "should we also page on it?"),
    )
    assert [(a.action, a.owner) for a in items] == [("Alert on error/timeout rate per provider", "Femi Ade")]


def test_a_bare_header_message_opens_a_list_that_its_authors_next_messages_continue():
    items = actions(
        ("Sam Okafor", "Action items:"),
        ("Sam Okafor", "1. add a doc-count guard before the alias swap"),
        ("Sam Okafor", "2. alert on OOMKilled for the loader (ana)"),
        ("Rosa Lima", "- lunch?"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Add a doc-count guard before the alias swap", None),
        ("Alert on OOMKilled for the loader", "Ana Costa"),
    ]


def test_an_inline_mention_is_the_owner_and_the_due_phrase_leaves_the_action_text():
    items = actions(
        ("Rosa Lima", "follow-up: add a canary stage to the search deploy pipeline @sam by Friday"),
        ("Ana Costa", "TODO(femi): write the runbook for alias rollback, due 2026-05-10"),
    )
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Add a canary stage to the search deploy pipeline", "Sam Okafor", "Friday"),
        ("Write the runbook for alias rollback", "Femi Ade", "2026-05-10"),
    ]


def test_an_inline_numbered_list_is_one_row_per_action():
    items = actions(("Sam Okafor", "follow-ups: 1) rotate the leaked token 2) add secret scanning to CI"))
    assert [a.action for a in items] == ["Rotate the leaked token", "Add secret scanning to CI"]


def test_an_action_that_names_someone_other_than_its_owner_is_left_out():
    items = actions(("Femi Ade", "we should make Dmitri review every consumer change before it ships"))
    assert items == []


def test_the_proposal_after_a_scattered_we_should_is_the_action_without_its_lead_in():
    items = actions(("Rosa Lima", "IMO we should switch the indexer to a deployment with a rolling update"))
    assert [a.action for a in items] == ["Switch the indexer to a deployment with a rolling update"]


def test_a_we_should_the_classifier_does_not_read_as_follow_up_work_is_no_action(monkeypatch):
    """Only a message the classifier reads as a proposal of follow-up work (first or second choice) yields one."""
    from pipeline.models import Classification

    def status(self):
        return {
            message.id: Classification(
                message_id=message.id,
                label="status_update",
                confidence=0.7,
                runner_up="noise",
                runner_up_confidence=0.2,
                confident=False,
            )
            for message in self.incident.chat.messages
        }

    monkeypatch.setattr(OfflineEngine, "readings", property(status))
    assert actions(("Femi Ade", "graphs look good, we should be fully recovered in a minute")) == []


def test_scattered_proposals_before_the_teams_list_are_summarized_by_it():
    """The list's terse row names the proposal said in full before it: one row, in the proposal's words (its
    commentary cut) with the list's owner, citing both messages."""
    items = actions(
        ("Rosa Lima", "we should make payout instructions idempotent on claim id, any redelivery can do this again"),
        (
            "Ana Costa",
            "Action items \U0001f4dd\n1. idempotency keys on payout instructions (owner: Rosa, P1)\n"
            "2. alert on receive count > 1 (owner: Ana)",
        ),
    )
    assert [(a.action, a.owner, a.evidence) for a in items] == [
        ("Make payout instructions idempotent on claim id", "Rosa Lima", ["C2", "C1"]),
        ("Alert on receive count > 1", "Ana Costa", ["C2"]),
    ]


def test_a_wrap_up_list_takes_the_full_wording_of_what_its_rows_name_and_owners_after_a_colon():
    items = actions(
        (
            "10:30",
            "Sam Okafor",
            "+1, we need an automatic health gate between OTA waves (reset rate, offline %) before the next release",
        ),
        (
            "10:40",
            "Rosa Lima",
            "Wrap-up, so nothing gets lost:\n1. health gate between OTA waves: Sam\n"
            "2. rotate the fleet-api token pasted here: Femi + Dmitri, today\n"
            "3. runbook for the override: owner TBD, I'll find someone",
        ),
        (
            "10:50",
            "Ana Costa",
            "I'll open a JIRA for adding an LK-200 cabinet to the HIL rig with a multi-door power test",
        ),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("An automatic health gate between OTA waves (reset rate, offline %) before the next release", "Sam Okafor"),
        ("Rotate the fleet-api token pasted here", "Femi Ade, Dmitri Volkov"),
        ("Runbook for the override", None),
        ("Adding an LK-200 cabinet to the HIL rig with a multi-door power test", None),
    ]


@pytest.mark.parametrize("header", ["wrap-up before I close:", "Wrap-up antes de cerrar:", "ok, wrap up:"])
def test_a_wrap_up_header_opens_a_list_in_one_message_or_in_its_authors_next_messages(header):
    one = actions(("Rosa Lima", f"{header}\n1. alert on cert expiry (femi)\n2. automate client cert renewal"))
    apart = actions(
        ("10:40", "Rosa Lima", header),
        ("10:41", "Rosa Lima", "1. femi: alert on cert expiry"),
        ("10:41", "Rosa Lima", "2. automate client cert renewal"),
    )
    for items in (one, apart):
        assert [(a.action, a.owner) for a in items] == [
            ("Alert on cert expiry", "Femi Ade"),
            ("Automate client cert renewal", None),
        ]


def test_an_owner_after_a_dash_keeps_the_row_when_a_when_follows_it():
    items = actions(("Rosa Lima", "AIs:\n- contract test against the vendor API — Sam, next week, before the release"))
    assert [(a.action, a.owner) for a in items] == [("Contract test against the vendor API", "Sam Okafor")]


def test_a_follow_up_the_scribe_locked_in_the_timeline_is_an_action_item():
    incident = make_incident(
        [
            ("10:00", "Errors began"),
            ("11:00", "Resolved"),
            ("11:05", "Post-incident: Rosa to move consumer restart warnings out of #relay-alerts"),
            ("11:12", "Follow-up for CS, owner Femi: extend the pickup deadline for parcels in unavailable lockers"),
            ("11:20", "Follow-up call with the vendor went fine"),
        ],
        [("10:30", "Ana Costa", "looking")],
        people=PEOPLE,
    )
    items = OfflineEngine(incident, extract_facts(incident)).action_items()
    assert [(a.action, a.owner, a.evidence) for a in items] == [
        ("Move consumer restart warnings out of #relay-alerts", "Rosa Lima", ["T3"]),
        ("Extend the pickup deadline for parcels in unavailable lockers", "Femi Ade", ["T4"]),
    ]


def test_a_list_item_with_two_owners_joined_by_with_and_a_secret_named_by_whose_it_is():
    items = actions(
        (
            "Rosa Lima",
            "AIs:\n• upgrade the 36 old kiosks so a forced resync reaches every kiosk — @Femi with Ana\n"
            "• revoke Sam's vault token and reset the ops database password — @Dmitri",
        ),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Upgrade the 36 old kiosks so a forced resync reaches every kiosk", "Femi Ade, Ana Costa"),
        ("Revoke the pasted vault token and reset the ops database password", "Dmitri Volkov"),
    ]


def test_a_wrap_up_message_that_holds_the_list_is_one_row_per_item():
    """ "AIs, let's agree now:" opens the wrap-up and is the list: every bullet is a row, not only the first one
    someone answered."""
    items = actions(
        (
            "11:10",
            "Rosa Lima",
            "AIs, let's agree now while it's fresh:\n- @femi the frontend asks for a new upload URL on 403 — by 27 March\n"
            "- @ana check the STS session length against the URL expiry for every signer\n"
            "- @sam move the site B config into the same helm values as site A",
        ),
        ("11:11", "Femi Ade", "ok for the 27th"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("The frontend asks for a new upload URL on 403", "Femi Ade"),
        ("Check the STS session length against the URL expiry for every signer", "Ana Costa"),
        ("Move the site B config into the same helm values as site A", "Sam Okafor"),
    ]


def test_a_table_of_follow_ups_pasted_in_the_channel_and_a_row_dropped_by_number():
    items = actions(
        (
            "10:40",
            "Rosa Lima",
            "follow-ups before I close this out:\n| Action | Owner | Due |\n|---|---|---|\n"
            "| Make ack-parser read TA1 files | Femi | 3/13 |\n| Move the counter into Postgres | Sam | 3/11 |\n"
            "| Alert after 30 min during batch windows | Ana | TBD |",
        ),
        ("10:42", "Sam Okafor", "drop row 2, that's already done"),
        ("10:42", "Rosa Lima", "ha yes, dropping row 2"),
    )
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Make ack-parser read TA1 files", "Femi Ade", "3/13"),
        ("Alert after 30 min during batch windows", "Ana Costa", None),
    ]


def test_a_recap_of_labels_keeps_the_items_it_names():
    """ "TODOs so far: key rotation, ..." names the TODO lines posted before in a few words each: those lines, with
    their owners, are the rows, not the labels."""
    items = actions(
        ("Femi Ade", "TODO(femi): rotate the DLR-export AWS key pasted above and move it into vault"),
        ("Ana Costa", "TODO(ana): firmware reports credit SMS rejected by the allowlist in the heartbeat"),
        ("Rosa Lima", "TODOs so far: key rotation, firmware rejection reporting"),
        ("Rosa Lima", "anything else?"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Rotate the DLR-export AWS key pasted above and move it into vault", "Femi Ade"),
        ("Firmware reports credit SMS rejected by the allowlist in the heartbeat", "Ana Costa"),
    ]


@pytest.mark.parametrize(
    "message",
    [
        "someone fat-fingered the restart order, we should've done the small nodes first",
        "we should have caught this in staging",
        "janitors are cleaning up and we should be back soon enough",
        # what the review is to find out, said as a pseudo-cleft: no work item
        "The change was reviewed. What we need to understand is why our checks did not catch it, and pointing at the Oslo office does not help us get there.",
        "all we need to do now is wait for the replicas to catch up",
    ],
)
def test_regret_and_forecasts_are_not_action_items(message):
    assert actions(("Rosa Lima", message)) == []


@pytest.mark.parametrize(
    "header", ["**Action items**", "### Follow-ups", "Action items for the postmortem:", "Remediation items:"]
)
def test_list_headers_as_teams_format_them(header):
    items = actions(("Rosa Lima", f"{header}\n- alert on cert expiry (femi)\n- automate client cert renewal"))
    assert [(a.action, a.owner) for a in items] == [
        ("Alert on cert expiry", "Femi Ade"),
        ("Automate client cert renewal", None),
    ]


@pytest.mark.parametrize(
    "header", ["actions, shout if I forgot one:", "So the actions are:", "Actions:", "our actions from this:"]
)
def test_a_list_headed_by_plain_actions_is_one_row_per_action(header):
    items = actions(("Rosa Lima", f"{header} alert on cert expiry (femi), automate client cert renewal"))
    assert [(a.action, a.owner) for a in items] == [
        ("Alert on cert expiry", "Femi Ade"),
        ("Automate client cert renewal", None),
    ]


@pytest.mark.parametrize("header", ["actions taken so far:", "Actions taken:", "actions we took:"])
def test_a_recap_of_what_was_done_is_no_action_list(header):
    assert actions(("Rosa Lima", f"{header} restarted the pool, drained node 4, paused the importer")) == []


def test_a_line_that_only_starts_like_a_header_is_not_a_list():
    assert actions(("Rosa Lima", "follow up with the vendor about the outage\n- their status page is green")) == []


def test_a_list_header_after_a_first_sentence_or_with_its_own_words_opens_the_list():
    items = actions(
        ("Femi Ade", "resolving. action items: a separate bounded pool for vendor calls, alert on pool saturation"),
        ("Ana Costa", "follow-ups, as agreed on the bridge:\nTODO(rosa): alert on ES disk at 80% per node"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("A separate bounded pool for vendor calls", None),
        ("Alert on pool saturation", None),
        ("Alert on ES disk at 80% per node", "Rosa Lima"),
    ]


def test_a_single_follow_up_line_keeps_its_commas_its_owner_and_its_due_date():
    items = actions(
        ("Sam Okafor", "follow-ups before we sleep:"),
        (
            "Sam Okafor",
            "follow-up: set the poll interval from measured batch time, or cap records per poll (rosa) due 2025-10-17",
        ),
        ("Sam Okafor", "follow-up: the store check should page on-call, not wait for a human (femi) due 2025-10-24"),
    )
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Set the poll interval from measured batch time, or cap records per poll", "Rosa Lima", "2025-10-17"),
        ("The store check should page on-call, not wait for a human", "Femi Ade", "2025-10-24"),
    ]


def test_a_we_should_proposal_ends_where_the_next_one_begins():
    items = actions(("Sam Okafor", "we should add capacity. we should be able to lose a host and stay under 75%"))
    assert all("lose a host" not in a.action for a in items)


@pytest.mark.parametrize(
    "message",
    [
        "we should probably work on a postmortem tomorrow",
        "TODO: write the postmortem",
        "follow-up: schedule the retro for Monday",
        "we should get some sleep",
    ],
)
def test_the_responses_own_paperwork_or_rest_is_no_action_item(message):
    assert actions(("Sam Okafor", message)) == []


def test_an_action_about_the_postmortem_process_stays():
    items = actions(("Sam Okafor", "TODO: add a rollback checklist to the postmortem template"))
    assert [a.action for a in items] == ["Add a rollback checklist to the postmortem template"]


def test_a_trailing_today_is_the_due_date():
    items = actions(("Sam Okafor", "TODO(rosa): rotate the elastic password and the S3 key pasted above, today"))
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Rotate the elastic password and the S3 key pasted above", "Rosa Lima", "today")
    ]


def test_a_follow_up_with_owner_and_due_date_keeps_both():
    items = actions(("Sam Okafor", "follow-up: alert on clock offset > 1s on ingest nodes (rosa), due 2025-05-13"))
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Alert on clock offset > 1s on ingest nodes", "Rosa Lima", "2025-05-13")
    ]


def test_a_list_announced_at_the_end_of_a_sentence_is_read_with_its_owners():
    items = actions(
        (
            "Sam Okafor",
            "Let me collect the action items:\n"
            "  - Lint migrations in CI and reject CREATE INDEX without CONCURRENTLY. Owner: Rosa, P1.\n"
            "  - Alert on lock waits on the exams database. Owner: Femi, P2.",
        )
    )
    assert [(a.action, a.owner, a.priority) for a in items] == [
        ("Lint migrations in CI and reject CREATE INDEX without CONCURRENTLY", "Rosa Lima", "P1"),
        ("Alert on lock waits on the exams database", "Femi Ade", "P2"),
    ]


def test_a_we_should_in_passing_or_a_bare_pronoun_proposes_nothing():
    assert (
        actions(
            ("Sam Okafor", "That's the gap we need to look at, not who wrote or approved it."),
            ("Ana Costa", "we should switch it to a deployment"),
        )
        == []
    )


def test_a_scattered_proposal_is_its_first_sentence():
    items = actions(
        ("Sam Okafor", "we should alert on lock waits in Postgres. We only found out through the 5xx alert")
    )
    assert [a.action for a in items] == ["Alert on lock waits in Postgres"]


@pytest.mark.parametrize(
    ("message", "due"),
    [
        (
            "Action item from me: alert on NVML errors in the job logs, not only on the failure rate. Owner me, next week.",
            "next week",
        ),
        ("we should also track the 214 recalls to completion, I'll own that with payments ops", None),
    ],
)
def test_the_author_who_takes_an_action_owns_it(message, due):
    items = actions(("Femi Ade", message))
    assert [(a.owner, a.due) for a in items] == [("Femi Ade", due)]
    assert "own" not in items[0].action.lower().split() and "me" not in items[0].action.split()


def test_the_same_action_twice_keeps_the_fuller_wording_and_the_owner():
    items = actions(
        ("Sam Okafor", "we should have the payment writer check a fencing token on every batch write"),
        ("Sam Okafor", "TODO(rosa): fencing token check in the payment writer"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Have the payment writer check a fencing token on every batch write", "Rosa Lima")
    ]


def test_a_bot_in_the_channel_is_not_a_person_an_action_may_not_name():
    incident = make_incident(
        [("10:00", "Errors began")],
        [
            ("10:01", "Deploy Bot", "release 2024.12.10-2 started"),
            ("10:30", "Sam Okafor", "TODO(rosa): move the deploy window out of exam hours"),
        ],
        people=PEOPLE,
    )
    items = OfflineEngine(incident, extract_facts(incident)).action_items()
    assert [a.action for a in items] == ["Move the deploy window out of exam hours"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "AIs\n- [ ] add alert for cert expiry @rosa\n- [x] automate renewal of client certs \u2014 Femi",
            [("Add alert for cert expiry", "Rosa Lima"), ("Automate renewal of client certs", "Femi Ade")],
        ),
        (
            "we need a ticket to add rate limiting on the login endpoint",
            [("Add rate limiting on the login endpoint", None)],
        ),
        (
            "action item for sam: add retries with jitter to the client",
            [("Add retries with jitter to the client", "Sam Okafor")],
        ),
        (
            "ok so remediation items: 1) alert on lag 2) add a canary 3) fix the retry storm",
            [("Alert on lag", None), ("Add a canary", None), ("Fix the retry storm", None)],
        ),
    ],
)
def test_checkboxes_tickets_owners_in_the_header_and_lead_ins_before_a_list(message, expected):
    assert [(a.action, a.owner) for a in actions(("Ana Costa", message))] == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("let's also add an alert on replication lag", [("Add an alert on replication lag", None)]),
        (
            "I'll file a ticket to pin the driver packages on the transcode nodes",
            [("Pin the driver packages on the transcode nodes", None)],
        ),
        ("we'll need to rotate the webhook secret pasted above", [("Rotate the webhook secret pasted above", None)]),
        ("AI (rosa, femi): write the failover runbook", [("Write the failover runbook", "Rosa Lima, Femi Ade")]),
        ("we need a minute to check", []),
        ("let's make sure the backlog drains first", []),
    ],
)
def test_more_ways_a_channel_proposes_follow_up_work_and_what_is_not_one(message, expected):
    assert [(a.action, a.owner) for a in actions(("Ana Costa", message))] == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "So action items. First, alert on replication lag. Second, add a canary stage for config pushes.",
            [("Alert on replication lag", None), ("Add a canary stage for config pushes", None)],
        ),
        (
            "Follow-ups:\nRosa - alert on replication lag\nFemi - add a canary for config pushes",
            [("Alert on replication lag", "Rosa Lima"), ("Add a canary for config pushes", "Femi Ade")],
        ),
        (
            "Postmortem follow-ups\n- alert on replication lag [rosa]\n- canary for config pushes [femi]",
            [("Alert on replication lag", "Rosa Lima"), ("Canary for config pushes", "Femi Ade")],
        ),
        ("Ticket OPS-123: alert on replication lag", [("Alert on replication lag", None)]),
        ("Filed OPS-124 to add a canary for config pushes", [("Add a canary for config pushes", None)]),
        (
            "we should alert on ApproximateReceiveCount > 1, we'd have seen this at 10:07",
            [("Alert on ApproximateReceiveCount > 1", None)],
        ),
    ],
)
def test_spoken_lists_unbulleted_lines_bracketed_owners_tickets_and_commentary(message, expected):
    assert [(a.action, a.owner) for a in actions(("Ana Costa", message))] == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("going forward we'll add an alert on replication lag", [("Add an alert on replication lag", None, None)]),
        ("longer term: move binlogs to their own volume", [("Move binlogs to their own volume", None, None)]),
        (
            "I'll write the runbook for the failover this week",
            [("Write the runbook for the failover", "Ana Costa", "this week")],
        ),
        ("we really need alerting on replication lag", [("Alerting on replication lag", None, None)]),
        ("I'll write up the timeline tomorrow", []),
    ],
)
def test_work_for_later_in_other_words_and_the_authors_own_commitment(message, expected):
    assert [(a.action, a.owner, a.due) for a in actions(("Ana Costa", message))] == expected


def test_a_safeguard_proposed_in_passing_counts_even_when_the_classifier_reads_it_otherwise():
    from pipeline.models import Classification

    incident = make_incident(
        [("10:00", "Errors began"), ("11:00", "Resolved")],
        [
            ("10:30", "Sam Okafor", "we should alert on replication lag above 30 s"),
            ("10:31", "Sam Okafor", "we should restart the replica now"),
        ],
        people=PEOPLE,
    )
    engine = OfflineEngine(incident, extract_facts(incident))
    status = {"label": "status_update", "confidence": 0.6, "runner_up": "action_proposal", "runner_up_confidence": 0.3}
    engine.__dict__["readings"] = {
        ref: Classification(message_id=ref, confident=False, **status) for ref in ("C1", "C2")
    }
    assert [a.action for a in engine.action_items()] == ["Alert on replication lag above 30 s"]


@pytest.mark.parametrize(
    "message",
    [
        "AIs: Rosa will add an alert on replication lag, Femi will write the failover runbook",
        "To recap the follow-ups: Rosa will add an alert on replication lag, Femi will write the failover runbook",
        "recap of action items:\nRosa will add an alert on replication lag\nFemi will write the failover runbook",
    ],
)
def test_a_recap_that_says_who_will_do_what(message):
    assert [(a.action, a.owner) for a in actions(("Ana Costa", message))] == [
        ("Add an alert on replication lag", "Rosa Lima"),
        ("Write the failover runbook", "Femi Ade"),
    ]


@pytest.mark.parametrize(
    "message",
    [
        "actions, add anything I forgot: cap the retry budget (rosa), page on queue age over 10 min (femi)",
        "Right, the actions are: the retry budget gets a cap, and a page on queue age over 10 min",
    ],
)
def test_a_list_headed_actions_plural_is_split_into_rows(message):
    items = actions(("Sam Okafor", message))
    assert len(items) == 2
    assert items[0].action.lower().startswith(("cap the retry budget", "the retry budget gets a cap"))
    assert items[1].action.lower().startswith("a page on queue age") or items[1].action.startswith("Page on")


def test_actions_taken_so_far_is_a_status_update_not_a_list_of_follow_ups():
    assert actions(("Sam Okafor", "actions taken so far: restarted the workers, drained the queue")) == []


@pytest.mark.parametrize(
    ("message", "due"),
    [
        ("AI: cap the retry budget for the importer. owner Rosa, due Sep 14", "Sep 14"),
        ("follow-up: page on queue age over ten minutes, owner Femi, due 2 March", "2 March"),
    ],
)
def test_an_owner_and_an_abbreviated_or_day_first_due_date_after_the_action_get_their_columns(message, due):
    [item] = actions(("Sam Okafor", message))
    assert item.due == due
    assert item.owner in ("Rosa Lima", "Femi Ade")
    assert "owner" not in item.action.lower() and "due" not in item.action.lower()


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("we should have a boskos again soon", []),
        ("we should have a scheduler", []),
        ("we should have a runbook", ["Have a runbook"]),
        ("we should have an alert", ["Have an alert"]),
    ],
)
def test_having_one_thing_is_a_state_the_channel_expects_unless_it_is_a_safeguard(message, expected):
    assert [a.action for a in actions(("Rosa Lima", message))] == expected


def test_a_message_that_ends_in_a_bare_header_opens_a_list_its_authors_next_messages_continue():
    items = actions(
        ("Sam Okafor", "resolved. AIs:"),
        ("Sam Okafor", "1. give the reporting service its own connection pool (femi, Oct 24)"),
        ("Sam Okafor", "2. alert on waiting clients above 50 for 2 min (ana, 3 Nov)"),
    )
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Give the reporting service its own connection pool", "Femi Ade", "Oct 24"),
        ("Alert on waiting clients above 50 for 2 min", "Ana Costa", "3 Nov"),
    ]


@pytest.mark.parametrize("header", ["Aksiyonlar:", "Acciones:", "Maßnahmen:", "Ações:", "Actiepunten:"])
def test_a_list_header_in_the_team_language_opens_the_list(header):
    items = actions(("Rosa Lima", f"{header} alert on cert expiry (femi, Friday), automate client cert renewal"))
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Alert on cert expiry", "Femi Ade", "Friday"),
        ("Automate client cert renewal", None, None),
    ]


def test_a_word_of_another_language_without_its_colon_is_no_list_header():
    assert actions(("Rosa Lima", "tareas pendientes de la migración, mañana")) == []


@pytest.mark.parametrize(
    ("chat", "expected"),
    [
        (  # said aloud, by ordinals, after saying what is listed
            [
                (
                    "Ana Costa",
                    "We're stable. Reading out the follow-ups now. First, add a canary stage for config pushes, "
                    "Rosa, that one is yours. Second, Femi will document the manual failover. And third, we "
                    "review the retry budget.",
                )
            ],
            [
                ("Add a canary stage for config pushes", "Rosa Lima"),
                ("Document the manual failover", "Femi Ade"),
                ("We review the retry budget", None),
            ],
        ),
        (  # a header line with words after the list word, its bullets in the same message, then a closing remark
            [
                (
                    "Ana Costa",
                    "Action items, shout if I missed one:\n- add a queue depth alert (sam)\n- cap retries at 5\n"
                    "Please object by Friday.",
                )
            ],
            [("Add a queue depth alert", "Sam Okafor"), ("Cap retries at 5", None)],
        ),
        (  # the header alone, the bullets in the author's next messages
            [
                ("Ana Costa", "Follow-ups from tonight, as they come to me:"),
                ("Ana Costa", "- pin the base image digest"),
                ("Ana Costa", "- add a smoke test for the login page"),
            ],
            [("Pin the base image digest", None), ("Add a smoke test for the login page", None)],
        ),
        (  # a tracker bot's ticket, with its assignee
            [("Jira", "Created ticket OPS-812: Add a lag alert on the orders replica (assignee: Femi Ade)")],
            [("Add a lag alert on the orders replica", "Femi Ade")],
        ),
        (  # a piece that only says when, a done checkbox, two TODOs on one line
            [
                ("Ana Costa", "AIs: rotate the webhook secret (rosa), scan repos for secrets (femi), both next sprint"),
                ("Sam Okafor", "TODO(ana): add gitleaks to pre-commit. TODO(sam): alert on heap above 85%"),
                ("Sam Okafor", "checklist:\n[x] restart the stuck worker (done during the incident)"),
            ],
            [
                ("Rotate the webhook secret", "Rosa Lima"),
                ("Scan repos for secrets", "Femi Ade"),
                ("Add gitleaks to pre-commit", "Ana Costa"),
                ("Alert on heap above 85%", "Sam Okafor"),
            ],
        ),
        ([("Dmitri Volkov", "Agreed. I will close the incident with no follow-ups.")], []),
    ],
)
def test_action_lists_as_fresh_teams_wrote_them(chat, expected):
    assert [(a.action, a.owner) for a in actions(*chat)] == expected


def test_a_list_item_of_two_words_is_a_row_but_a_passing_remark_of_two_is_not():
    listed = actions(("Ana Costa", "next steps: drain np-old, upgrade kubelet to 1.29, add node-problem-detector"))
    assert [a.action for a in listed][-1] == "Add node-problem-detector"
    assert actions(("Ana Costa", "we should add dashboards")) == []


@pytest.mark.parametrize(
    ("chat", "expected"),
    [
        (
            [("Ana Costa", "follow-ups: pin the base image digest, add an image scan gate. assign both to @sam")],
            [("Pin the base image digest", "Sam Okafor"), ("Add an image scan gate", "Sam Okafor")],
        ),
        (
            [
                (
                    "Ana Costa",
                    "To sum up. So first, Rosa, please add a retry budget to the importer. Second, Femi will review the alert thresholds.",
                )
            ],
            [("Add a retry budget to the importer", "Rosa Lima"), ("Review the alert thresholds", "Femi Ade")],
        ),
        (
            [
                ("Ana Costa", "follow-ups as I see them"),
                ("Ana Costa", "- Femi to add a PodDisruptionBudget for ingress"),
            ],
            [("Add a PodDisruptionBudget for ingress", "Femi Ade")],
        ),
        (
            [("Ana Costa", "TODO: bump the conn pool to 50, alert on pool wait time")],
            [("Bump the conn pool to 50", None), ("Alert on pool wait time", None)],
        ),
        (
            [("Linear", "Created ENG-1450 'Cap batch size on the export job' \u2192 Rosa Lima")],
            [("Cap batch size on the export job", "Rosa Lima")],
        ),
    ],
)
def test_owners_given_to_a_whole_list_by_address_or_by_a_tracker(chat, expected):
    assert [(a.action, a.owner) for a in actions(*chat)] == expected


def test_a_list_read_out_one_item_a_message_is_one_action_per_item():
    """A call's "follow-ups. First, ..." then "Second, ..." from the same person, with owners answering in between."""
    drafted = actions(
        (
            "11:25",
            "Njeri Kamau",
            "Before we close, follow-ups. First, the import must follow pagination. Dennis, can you own that?",
        ),
        ("11:25", "Dennis Mutua", "Yes, I'll take that one, by the sixteenth."),
        ("11:26", "Njeri Kamau", "Second, the payout run must stop when farms have no quality result. Samuel."),
        ("11:27", "Njeri Kamau", "Third, vendor change notices go to a shared mailbox that someone reads."),
        ("11:28", "Achieng Odhiambo", "Second, I agree with all of that."),
        ("11:50", "Njeri Kamau", "Fourth, thanks everyone for staying late."),
    )
    assert [item.action for item in drafted] == [
        "The import must follow pagination",
        "The payout run must stop when farms have no quality result",
        "Vendor change notices go to a shared mailbox that someone reads",
    ]


def test_a_recap_that_only_names_the_proposals_keeps_them():
    """ "So, the follow-ups: the bigint migration for Hamza, the runbook for Zainab" drafts no row of its own; the
    proposals it names, made earlier in the call, stay."""
    drafted = actions(
        (
            "10:34",
            "Hamza Siddiqui",
            "We should migrate tag_transactions.id to bigint online, with a new column and a backfill.",
        ),
        ("10:35", "Zainab Rauf", "We should also write the sequence restart down as a runbook."),
        ("10:37", "Faisal Qureshi", "So, the follow-ups: the bigint migration for Hamza, the runbook for Zainab."),
    )
    assert [item.action for item in drafted] == [
        "Migrate tag_transactions.id to bigint online, with a new column and a backfill",
        "Write the sequence restart down as a runbook",
    ]


def test_an_item_read_out_in_a_call_takes_its_owner_from_the_next_sentence():
    drafted = actions(
        ("10:30", "Rosa Lima", "Follow-ups. First, the import must follow pagination. Femi, can you own that?"),
        ("10:31", "Rosa Lima", "Second, the payout run must stop when farms have no quality result. Ana and Sam."),
        ("10:32", "Rosa Lima", "Third, vendor notices go to a shared mailbox. I'll take that myself."),
        ("10:33", "Rosa Lima", "Fourth, rotate the lab API key. Yes."),
    )
    assert [(item.action, item.owner) for item in drafted] == [
        ("The import must follow pagination", "Femi Ade"),
        ("The payout run must stop when farms have no quality result", "Ana Costa, Sam Okafor"),
        ("Vendor notices go to a shared mailbox", "Rosa Lima"),
        ("Rotate the lab API key", None),
    ]


def test_a_pasted_command_is_never_an_action_in_its_own_words():
    """ "for the record this is what I'm running:" then a curl line (its token already redacted, as the engine sees
    it): what someone typed, not work to do."""
    items = actions(
        (
            "Femi Ade",
            "for the record this is what I'm running:\n"
            'curl -s -H "Authorization: Bearer [REDACTED:http-authorization]" https://lns-01.internal/api/gateways/gw-2',
        ),
    )
    assert not any("curl" in a.action.lower() or "REDACTED" in a.action for a in items), items


def rotation(*chat: tuple[str, str, str]):
    """The action items of a chat, redacted as `draft` redacts it: a pasted secret reaches the engine as its
    placeholder."""
    from pipeline.redact import redact_incident

    incident = redact_incident(make_incident([("10:00", "Errors began"), ("11:00", "Resolved")], chat, people=PEOPLE))
    return [a for a in OfflineEngine(incident, extract_facts(incident)).action_items() if "otate" in a.action]


def test_a_rotation_asked_for_and_never_reported_done_is_an_action_naming_the_secrets():
    items = rotation(
        ("10:20", "Sam Okafor", "checking the queue db: postgres://queue_rw:Xr4tT9wq2LmZ@queue-db-1:5432/queue"),
        ("10:21", "Rosa Lima", "Sam, that's a live password in the channel. rotate it after please"),
        ("10:40", "Femi Ade", "and the billing API key you read out on the call, rotate the billing API key too"),
    )
    assert [(a.action, a.evidence) for a in items] == [
        ("Rotate the billing API key and the database password read out on the call", ["C2", "C3"])
    ]


def test_no_rotation_action_when_the_channel_reports_it_done_or_lists_it_already():
    pasted = ("10:20", "Sam Okafor", "checking the queue db: postgres://queue_rw:Xr4tT9wq2LmZ@queue-db-1:5432/queue")
    asked = ("10:21", "Rosa Lima", "Sam, that's a live password in the channel. rotate it after please")
    assert rotation(pasted, asked, ("10:50", "Sam Okafor", "queue db password rotated")) == []
    assert rotation(pasted, asked, ("10:22", "Sam Okafor", "yes sorry, test profile only. revoking it now")) == []
    listed = rotation(pasted, asked, ("10:55", "Rosa Lima", "AIs: rotate the queue db password (sam)"))
    assert [(a.action, a.owner) for a in listed] == [("Rotate the queue db password", "Sam Okafor")]


def test_a_rotation_done_settles_what_came_before_it_and_a_later_request_naming_another_secret_is_a_row():
    pasted = ("10:20", "Sam Okafor", "checking the queue db: postgres://queue_rw:Xr4tT9wq2LmZ@queue-db-1:5432/queue")
    done = ("10:30", "Sam Okafor", "revoked, new one is in vault. sorry all")
    later = ("10:50", "Ana Costa", "and the break-glass password I read out, I'll rotate it today")
    assert [a.action for a in rotation(pasted, done, later)] == ["Rotate the break-glass password read out on the call"]
    assert rotation(pasted, done, ("10:50", "Ana Costa", "thanks for rotating it so fast")) == []


def test_log_rotation_is_no_secret_to_rotate():
    assert rotation(("10:20", "Ana Costa", "we should fix the log rotation on ingest-2, it fills the disk")) == []


def test_an_app_posting_in_the_channel_is_no_person_an_action_may_not_name():
    """ "Kestrel SMS APP" posts delivery reports; "register the domain with Kestrel" names the vendor, not someone
    blamed, so the action is kept."""
    from pipeline.models import ChatMessage

    incident = make_incident(
        [("10:00", "Errors began"), ("11:00", "Resolved")],
        [("10:50", "Rosa Lima", "AIs: register any new link domain with the carriers and Kestrel before use (ana)")],
        people=PEOPLE,
    )
    app = ChatMessage(
        id="C9", time=incident.chat.messages[0].time, author="Kestrel SMS", text="batch accepted", kind="bot", line=9
    )
    incident.chat.messages.append(app)
    items = OfflineEngine(incident, extract_facts(incident)).action_items()
    assert [(a.action, a.owner) for a in items] == [
        ("Register any new link domain with the carriers and Kestrel before use", "Ana Costa")
    ]


def test_a_rotation_request_that_names_no_secret_gives_way_to_the_row_that_names_them():
    items = rotation(
        ("10:20", "Sam Okafor", "export creds: postgres://export_rw:Xr4tT9wq2LmZ@export-db-1:5432/export"),
        (
            "10:50",
            "Rosa Lima",
            "AIs: pin the export timeout (sam), that's the prod key in the channel so rotate it after (sam)",
        ),
    )
    assert [a.action for a in items] == ["Rotate the database password pasted in the incident channel"]


def test_a_rotation_left_out_of_the_follow_up_list_is_still_a_row_and_names_no_person():
    items = rotation(
        ("10:20", "Sam Okafor", "ledger db: postgres://ledger_rw:Xr4tT9wq2LmZ@ledger-db-1:5432/ledger"),
        ("10:21", "Rosa Lima", "Sam password in channel. rotate it after pls"),
        ("10:55", "Rosa Lima", "AIs: pin the export timeout (sam), alert on empty totals (femi)"),
    )
    assert [(a.action, a.evidence) for a in items] == [
        ("Rotate the database password pasted in the incident channel", ["C2"])
    ]


def test_a_question_about_a_key_schedule_asks_for_no_rotation():
    assert (
        rotation(
            ("10:20", "Sam Okafor", "ledger db: postgres://ledger_rw:Xr4tT9wq2LmZ@ledger-db-1:5432/ledger"),
            ("10:25", "Femi Ade", "could the vendor key have expired? they rotate it every 90 days"),
        )
        == []
    )


def test_a_secret_read_out_after_its_label_is_named_by_the_label():
    items = rotation(
        ("10:20", "Sam Okafor", "creds: password Quill-Pg-NOTREAL-5512 for the replica"),
        ("10:21", "Rosa Lima", "Sam, that is a live password in the channel. rotate it after please"),
    )
    assert [a.action for a in items] == ["Rotate the password pasted in the incident channel"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Remediation: (a) restore the memory limit, (b) alert on OOMKilled, (c) add the loader to the runbook",
            ["Restore the memory limit", "Alert on OOMKilled", "Add the loader to the runbook"],
        ),
        (
            "postmortem items: timeout on the vendor call, stale-run detection in the scheduler",
            ["Timeout on the vendor call", "Stale-run detection in the scheduler"],
        ),
        ("action: add retry budget to the payment client. owner: sam", ["Add retry budget to the payment client"]),
    ],
)
def test_lettered_lists_postmortem_items_and_a_single_action_header_are_read(message, expected):
    assert [a.action for a in actions(("rosa", message))] == expected


def test_a_semicolon_list_read_out_with_each_owner_after_its_last_comma():
    items = actions(
        (
            "Rosa Lima",
            "Okay, action items, as agreed. AIs: move the media rule into terraform, Femi; the drift job waits for "
            "an approval instead of auto-applying, Ana; rotate the SBC password read out on the call, Femi.",
        )
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Move the media rule into terraform", "Femi Ade"),
        ("The drift job waits for an approval instead of auto-applying", "Ana Costa"),
        ("Rotate the SBC password read out on the call", "Femi Ade"),
    ]


def test_a_numbered_list_read_out_after_a_colon_gives_each_item_the_owners_said_first():
    """ "So the actions are: one, Femi, ... Two, Rosa and Sam, ...": the first item follows the colon, and the names
    before an item's comma are its owners ("me" is the speaker); a plain first clause keeps its words."""
    items = actions(
        (
            "Ana Costa",
            "Before people drop. So the actions are: one, Femi, the probe change goes into the Helm chart. Two, Rosa "
            "and Sam, the valuation report moves to the read replica. Three, Dmitri and me, a deploy freeze from "
            "Monday noon until the sale closes.",
        )
    )
    assert [(a.action, a.owner) for a in items] == [
        ("The probe change goes into the Helm chart", "Femi Ade"),
        ("The valuation report moves to the read replica", "Rosa Lima, Sam Okafor"),
        ("A deploy freeze from Monday noon until the sale closes", "Dmitri Volkov, Ana Costa"),
    ]


def test_a_numbered_ai_line_with_its_owner_in_parentheses_is_one_action():
    items = actions(
        (
            "Rosa Lima",
            "AI-1 (Femi): make the housekeeper respect the actual departure, not the schedule\n"
            "AI #2 (Sam): set late_message_policy to queue instead of discard",
        )
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Make the housekeeper respect the actual departure, not the schedule", "Femi Ade"),
        ("Set late_message_policy to queue instead of discard", "Sam Okafor"),
    ]


def test_a_follow_up_offered_to_the_room_is_owned_by_who_takes_it():
    items = actions(
        ("10:20", "Rosa Lima", "can someone own a compatibility test for new analyzer firmware?"),
        ("10:22", "Sam Okafor", "I'll take it"),
    )
    assert [(a.action, a.owner, a.evidence) for a in items] == [
        ("A compatibility test for new analyzer firmware", "Sam Okafor", ["C1", "C2"])
    ]


@pytest.mark.parametrize(
    "reply",
    [
        ("10:22", "Sam Okafor", "not me, I'm off tomorrow"),  # declined
        ("10:45", "Sam Okafor", "I'll take it"),  # too late to answer this offer
        ("10:22", "Rosa Lima", "I'll take it"),  # the one who offered it
    ],
)
def test_a_follow_up_offered_and_not_taken_has_no_owner_invented(reply):
    items = actions(("10:20", "Rosa Lima", "can someone own a compatibility test for new analyzer firmware?"), reply)
    assert not any(a.owner == "Sam Okafor" and "compatibility test" in a.action for a in items), items


def test_a_numbered_wrap_up_after_actions_agreed_with_mentions_and_weekday_dates():
    """Slack resolves <@U…> to "@Display Name": the whole name is the owner, "by Fri 14th" is the due date."""
    items = actions(
        (
            "Rosa Lima",
            "wrap-up, actions agreed (on top of the two ticketed earlier):\n"
            "1. @Femi Ade alert when a tenant's zero-availability SKU count doubles, by Fri 14th\n"
            "2. @Sam Okafor second approver for any flag ramp above 25% of tenants, by Fri 21st",
        )
    )
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Alert when a tenant's zero-availability SKU count doubles", "Femi Ade", "Fri 14th"),
        ("Second approver for any flag ramp above 25% of tenants", "Sam Okafor", "Fri 21st"),
    ]


def test_actions_taken_so_far_is_no_list_of_follow_ups():
    items = actions(("Rosa Lima", "actions taken so far:\n1. rolled back the flag\n2. purged the feed cache"))
    assert items == []


def test_a_proposal_in_passing_keeps_its_first_sentence_without_after_this():
    items = actions(
        ("Rosa Lima", "let's make sure we add fixtures with open reservations to the ATP tests after this"),
        ("Femi Ade", "we should make sure the global off wins over tenant overrides after this. nobody knew it didn't"),
    )
    assert [a.action for a in items] == [
        "Add fixtures with open reservations to the ATP tests",
        "Make sure the global off wins over tenant overrides",
    ]


def test_an_action_line_is_one_action_and_a_retracted_one_is_dropped():
    items = actions(
        (
            "17:31",
            "Sam Okafor",
            "ACTION: sam to add download synthetics from us-east, against a package that isn't cached",
        ),
        ("17:33", "Femi Ade", "ACTION: femi to write a status page template for CDN incidents"),
        ("17:34", "Femi Ade", "hmm, my status page one: scratch that ACTION, already exists"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Add download synthetics from us-east, against a package that isn't cached", "Sam Okafor")
    ]


def test_a_proposal_the_next_answer_declines_is_not_drafted():
    items = actions(
        ("10:20", "Femi Ade", "We should also load test the callback path at two times sale peak"),
        ("10:21", "Rosa Lima", "Park that for the retro. Not taking it as an item tonight."),
        ("10:25", "Sam Okafor", "we should alert on the UPI success rate per bank"),
        ("10:26", "Rosa Lima", "yes, good one"),
    )
    assert [a.action for a in items] == ["Alert on the UPI success rate per bank"]


@pytest.mark.parametrize(
    "answer",
    [
        "no, it was right tonight. making it block is the other ticket",
        "nie, that's 5k refunds a day by hand. not doing that one",
        "We won't do that, the recon page covers it",
        "no way, that's exactly the moment card testers win",
    ],
)
def test_a_proposal_answered_no_in_other_words_is_not_drafted(answer):
    items = actions(
        ("10:20", "Femi Ade", "tbh we should just drop the band check, it cries wolf on every cutover"),
        ("10:21", "Rosa Lima", answer),
    )
    assert items == []


def test_a_proposal_with_a_past_while_in_its_next_sentence_is_still_a_proposal():
    items = actions(
        (
            "10:56",
            "Sam Okafor",
            "we should alert on N7 rate per BIN without the volume guard at night. PD auto-resolved at 00:48 while we were still broken",
        ),
        ("10:57", "Ana Costa", "+1, Sam yours"),
    )
    assert [a.action for a in items] == ["Alert on N7 rate per BIN without the volume guard at night"]


def test_a_no_to_someone_else_does_not_decline_the_proposal():
    items = actions(
        ("10:20", "Femi Ade", "we should alert on the refund recon mismatch per provider"),
        ("10:40", "Rosa Lima", "no, it was right tonight"),
    )
    assert [a.action for a in items] == ["Alert on the refund recon mismatch per provider"]


def test_a_wrap_up_read_out_by_numbers_is_one_row_per_number_with_the_owner_named_before_the_colon():
    items = actions(
        ("11:10", "Ana Costa", "No need to roll back now. Right, wrap-up, and Sam please minute these."),
        (
            "11:11",
            "Ana Costa",
            "One. Femi: change every inbound route filter to match the message type only. Two. Rosa: alert the "
            "on-call on any message that lands in the unmatched archive.",
        ),
        ("11:12", "Ana Costa", "Three. Sam with QA: add a slow-vendor scenario to the release load test."),
        ("11:13", "Ana Costa", "Four. Dmitri, would you sponsor an hourly results-filed volume check?"),
        ("11:14", "Dmitri Volkov", "Yes, I'll take that."),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Change every inbound route filter to match the message type only", "Femi Ade"),
        ("Alert the on-call on any message that lands in the unmatched archive", "Rosa Lima"),
        ("Add a slow-vendor scenario to the release load test", "Sam Okafor"),
        ("Sponsor an hourly results-filed volume check", "Dmitri Volkov"),
    ]


def test_todo_lines_after_an_announced_wrap_up_summarize_an_earlier_proposal_they_restate():
    items = actions(
        ("10:24", "Femi Ade", "we should alert on outbound lookup latency and terminal timeouts, not cpu"),
        ("11:45", "Ana Costa", "follow-ups while we're all here"),
        ("11:46", "Ana Costa", "TODO(Sam): rotate the app db password and the terminal basic auth"),
        ("11:48", "Femi Ade", "and we should page on outbound lookup p95 over 5s. I'll own that"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Rotate the app db password and the terminal basic auth", "Sam Okafor"),
        ("Page on outbound lookup p95 over 5s", "Femi Ade"),
    ]


def test_numbers_read_out_in_the_announcing_message_and_a_label_joined_to_its_sentence():
    items = actions(
        (
            "11:10",
            "Ana Costa",
            "Okay, let me read the actions so Sam has them. One, Femi: the licence lease. A renewal failure pages "
            "the on-call. Two, me and Rosa: write down when on-call can switch off inline scoring.",
        ),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("The licence lease: a renewal failure pages the on-call", "Femi Ade"),
        ("Write down when on-call can switch off inline scoring", "Ana Costa, Rosa Lima"),
    ]


def test_numbers_said_by_someone_else_after_the_announcement_are_no_items():
    items = actions(
        ("11:10", "Ana Costa", "Right, wrap-up."),
        ("11:11", "Sam Okafor", "One. Femi: the dashboard is green now. Two. Rosa: the queue is empty."),
    )
    assert items == []


def test_list_items_led_by_a_team_with_its_owner_or_by_names_take_those_owners():
    items = actions(
        (
            "11:50",
            "Ana Costa",
            "Draft corrective actions for the review, please confirm owners:\n"
            "1. County IT Network (Rosa): verify every custom session timeout from the change is restored.\n"
            "2. CAD Admin (Femi) with the vendor: enable AckMode so the link resends on failure.\n"
            "3. Femi and Rosa: reset the service password and revoke the firewall API key.\n"
            "4. Platform Team: document the cutover checklist for custom timeouts.",
        )
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Verify every custom session timeout from the change is restored", "Rosa Lima"),
        ("Enable AckMode so the link resends on failure", "Femi Ade"),
        ("Reset the service password and revoke the firewall API key", "Femi Ade, Rosa Lima"),
        ("Platform Team: document the cutover checklist for custom timeouts", None),
    ]


def test_owners_who_dictate_their_own_items_after_the_announcement_own_them():
    items = actions(
        (
            "11:20",
            "Ana Costa",
            "Okay, follow-ups before we close. Sam, can you write these down as we go? Owner first.",
        ),
        ("11:21", "Femi Ade", "Femi: the LTI launch smoke test becomes blocking. No green on skipped."),
        ("11:22", "Rosa Lima", "Rosa: SameSite set per cookie, with a test that fails the build without it."),
        ("11:23", "Rosa Lima", "Femi: you should look at the flaky test too"),
        ("11:24", "Sam Okafor", "i'll take the SameSite one to the platform team tomorrow but not owning it"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("The LTI launch smoke test becomes blocking", "Femi Ade"),
        ("SameSite set per cookie, with a test that fails the build without it", "Rosa Lima"),
    ]


def bot_actions(*chat: tuple[str, str, str]):
    """The action items of a chat whose messages are all posted by an app (a tracker bot), not a person."""
    incident = make_incident([("10:00", "Errors began"), ("11:00", "Resolved")], list(chat), people=PEOPLE)
    assert incident.chat is not None
    incident.chat.messages = [message.model_copy(update={"kind": "bot"}) for message in incident.chat.messages]
    return OfflineEngine(incident, extract_facts(incident)).action_items()


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        (  # the creator is named, no assignee: the creator is not the owner
            "RADAR-1184 created by Ana Costa: page on public frames.json age above 12 min, not only on the composite",
            ("Page on public frames.json age above 12 min, not only on the composite", None),
        ),
        (  # the assignee after a full stop
            "LOY-4412 created by Ana Costa: check the rate direction against a reference pair before writing "
            "fx_rates. Assignee: Femi Ade",
            ("Check the rate direction against a reference pair before writing fx_rates", "Femi Ade"),
        ),
        (  # a quoted title, the assignee after a dash
            'RET-1451 created by Ana Costa: "Idempotency key per refund, not per order" \u2014 assignee Femi Ade',
            ("Idempotency key per refund, not per order", "Femi Ade"),
        ),
        (  # Slack bold around the key, "créé" and "assigné" (the team writes French, the title English)
            "*ROULO-1414* cr\u00e9\u00e9: Move Metabase to the read replica with a statement timeout "
            "\u2014 assign\u00e9: Femi Ade",
            ("Move Metabase to the read replica with a statement timeout", "Femi Ade"),
        ),
        (  # a quoted title, the assignee after a space alone
            'GSO-1187 created: "Contract test ingest <-> scheduler (topics + schema)" assignee: femi',
            ("Contract test ingest <-> scheduler (topics + schema)", "Femi Ade"),
        ),
    ],
)
def test_a_tracker_apps_ticket_post_is_an_action_with_its_assignee(posted, expected):
    assert [(a.action, a.owner) for a in bot_actions(("10:50", "Jira Cloud", posted))] == [expected]


def test_a_no_after_several_tickets_declines_only_the_last():
    items = actions(
        (
            "13:13",
            "jira-bot",
            'Created STB-2291 "Fall back to the broadcast clock when NTP has not synced" (assignee: femi)',
        ),
        (
            "13:15",
            "jira-bot",
            'Created OPS-1187 "Canary group of boxes without broadband in the rollout gate" (assignee: ana)',
        ),
        (
            "13:20",
            "jira-bot",
            'Created CAS-309 "Accept entitlements when the box clock is before 2020" (assignee: sam)',
        ),
        ("13:21", "Rosa Lima", "no. that check is the anti-replay protection, we're not relaxing it. closing CAS-309"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Fall back to the broadcast clock when NTP has not synced", "Femi Ade"),
        ("Canary group of boxes without broadband in the rollout gate", "Ana Costa"),
    ]


@pytest.mark.parametrize(
    "said", ["buenos días. playout tranquilo, todo verde", "fyi crypto-period change done, new keys, todo ok"]
)
def test_the_spanish_word_todo_is_no_todo(said):
    assert actions(("Rosa Lima", said)) == []


def test_a_ticket_mentioned_in_passing_is_no_action():
    said = "the ticket OPS-12 created yesterday is unrelated to this outage, ignore it"
    assert bot_actions(("10:50", "Jira Cloud", said)) == []


def test_an_item_noted_on_the_spot_takes_its_owner_from_the_next_sentence():
    items = actions(
        (
            "Rosa Lima",
            "Okay, good point. Let's note that as an action item: the expiry job calls check-status before it marks "
            "anything failed. Femi, that one is yours. Ana?",
        )
    )
    assert [(a.action, a.owner) for a in items] == [
        ("The expiry job calls check-status before it marks anything failed", "Femi Ade")
    ]


def test_proposals_a_later_list_names_in_a_few_words_stay():
    items = actions(
        ("13:24", "Ana Costa", "we should pin hibernate.timezone.default_storage explicitly in every Spring service"),
        ("13:34", "Sam Okafor", "and we should freeze framework upgrades until the end of the quarter"),
        (
            "13:41",
            "Rosa Lima",
            "list for the postmortem:\nTODO(femi): update runbook RB-AGENDA-03 step 4\n"
            "TODO(sam): rotate the MedPront API key\n+ pin default_storage (ana), contract test ENG-4412",
        ),
    )
    assert [a.action for a in items] == [
        "Pin hibernate.timezone.default_storage explicitly in every Spring service",
        "Update runbook RB-AGENDA-03 step 4",
        "Rotate the MedPront API key",
    ]


def test_a_follow_up_put_to_a_named_person_in_a_wrap_up_and_taken_is_theirs():
    """A call's wrap-up: the IC names the follow-ups and puts each to a person; the person's next word takes it."""
    items = actions(
        ("10:50", "Rosa Lima", "Thanks all. While we wait for the vendor, follow-ups."),
        ("10:51", "Rosa Lima", "Femi, can you make the writer refuse a mode config without pack_channels?"),
        ("10:52", "Femi Ade", "Yes, I'll take that. End of next week."),
        ("10:53", "Rosa Lima", "Sam, inode use on the dashboard next to space, and page at eighty percent."),
        ("10:54", "Sam Okafor", "Ja, I do it."),
        ("10:55", "Rosa Lima", "Ana, an alert when a scheduled scan records nothing for five minutes?"),
        ("10:56", "Femi Ade", "ha, good one"),
    )
    assert [(a.action, a.owner, a.evidence) for a in items] == [
        ("Make the writer refuse a mode config without pack_channels", "Femi Ade", ["C2", "C3"]),
        ("Inode use on the dashboard next to space, and page at eighty percent", "Sam Okafor", ["C4", "C5"]),
    ]  # Ana never answered: no owner invented, no row


def test_a_request_to_a_person_during_the_response_is_no_follow_up():
    """Before the harm stopped, "Femi, can you check the consumer lag?" is a step of the response, even after someone
    said follow-ups would come later."""
    rows = [("10:00", "Errors began"), ("10:30", "Consumers restarted; errors back to zero"), ("11:00", "Resolved")]
    chat = [
        ("10:10", "Rosa Lima", "follow-ups later. Femi, can you check the consumer lag on the orders topic?"),
        ("10:11", "Femi Ade", "yes, on it"),
    ]
    incident = make_incident(rows, chat, people=PEOPLE)
    assert OfflineEngine(incident, extract_facts(incident)).action_items() == []


def test_items_read_out_one_sentence_each_with_the_owner_last():
    items = actions(
        (
            "Rosa Lima",
            "AIs, quickly. Make season-rollover resumable with retries and a dry run on the full permit list, Femi, "
            "by the ninth. Own memory limit per job and check peak memory before changing defaults, Sam. One-button "
            "pause for all zones on the handhelds, Ana.",
        )
    )
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Make season-rollover resumable with retries and a dry run on the full permit list", "Femi Ade", "the ninth"),
        ("Own memory limit per job and check peak memory before changing defaults", "Sam Okafor", None),
        ("One-button pause for all zones on the handhelds", "Ana Costa", None),
    ]


def test_numbered_ideas_taken_by_number_are_the_actions_with_the_owners_the_answer_gives():
    """Ideas posted one per message ("1) ...", "2) ...") and an answer that takes some by number: the ideas taken
    are the rows, owned as the answer says ("1 @rosa, 3 me"); the idea left out is no action."""
    rows = actions(
        ("10:30", "Sam Okafor", "what would stop this happening again? ideas, numbered please"),
        ("10:31", "Rosa Lima", "1) the importer rejects a feed with zero stop_times rows and keeps the previous one"),
        ("10:32", "Femi Ade", "2) honestly we should move off the vendor and pull the feed from the open data portal"),
        ("10:33", "Ana Costa", "3) key the trip-plan cache on feed_version so a publish invalidates it"),
        ("10:35", "Sam Okafor", "taking 1 and 3; 2 is out of scope for this one. 1 @rosa, 3 me"),
    )
    assert [(row.action.split()[:3], row.owner) for row in rows] == [
        (["The", "importer", "rejects"], "Rosa Lima"),
        (["Key", "the", "trip-plan"], "Sam Okafor"),
    ]


def test_ideas_in_one_numbered_message_taken_by_number():
    rows = actions(
        (
            "10:30",
            "Dmitri Volkov",
            "Ideas:\n1. alert on rejected debits below the paging threshold\n"
            "2. rewrite the rounding layer in the ledger service\n3. pin the money library's rounding mode in config",
        ),
        ("10:34", "Sam Okafor", "let's do 1 and 3, 2 needs a design review first"),
    )
    assert [row.action.split()[0].lower() for row in rows] == ["alert", "pin"]


def test_a_task_box_posted_on_its_own_is_an_action_and_a_ticked_one_is_not():
    rows = actions(
        ("10:40", "Rosa Lima", "Follow-ups thread. Please post your items below as checkboxes with an owner."),
        ("10:41", "Femi Ade", "[ ] add a 2 s timeout on the fraudscore call in claims-intake \u2014 Femi"),
        ("10:42", "Femi Ade", "[x] already done: retries set to 0 in prod"),
        ("10:43", "Ana Costa", "[ ] page at high urgency when fraudscore p95 stays above 2 s for 5 minutes \u2014 Ana"),
    )
    assert [(row.action.split()[:2], row.owner) for row in rows] == [
        (["Add", "a"], "Femi Ade"),
        (["Page", "at"], "Ana Costa"),
    ]


def test_the_ticket_opened_for_the_incident_itself_is_no_action():
    rows = actions(
        ("10:05", "Jira", "created CLM-807: Incident record: claim submission failures 17 Nov (assignee: Rosa Lima)"),
        (
            "10:50",
            "Jira",
            "created CLM-812: Load test fraudscore at surge volume before re-enabling screening (assignee: Femi Ade)",
        ),
    )
    assert [(row.action.split()[:2], row.owner) for row in rows] == [(["Load", "test"], "Femi Ade")]


def test_a_plan_read_out_by_numbers_after_recovery_is_one_row_per_item_with_team_owners():
    """A plan read out after recovery, "So the plan is: one, the DBA team will add ... Two, Rosa's team keeps ... Five, ... And six, ...": each
    ordinal starts an item; the team that opens it is the owner, and the item reads as an instruction."""
    rows = actions(
        (
            "10:50",
            "Sam Okafor",
            "So the plan is: one, the DBA team will add a check that blocks any drop index "
            "without approval. By end of sprint.",
        ),
        ("10:51", "Sam Okafor", "Two, Rosa's team keeps the statement timeout at 25 seconds in the config repo."),
        (
            "10:52",
            "Sam Okafor",
            "Three, on-call will rotate the payment API key tonight. And four, on-call will "
            "add an alert on connection pool usage.",
        ),
    )
    assert [(row.action.split()[:2], row.owner) for row in rows] == [
        (["Add", "a"], "DBA team"),
        (["Keep", "the"], "Rosa Lima's team"),
        (["Rotate", "the"], "on-call"),
        (["Add", "an"], "on-call"),
    ]


def test_a_plan_read_out_during_the_response_is_no_action_list():
    rows = [("10:00", "Errors began"), ("10:40", "Migration rolled back; errors stopped"), ("11:00", "Resolved")]
    chat = [
        (
            "10:20",
            "Sam Okafor",
            "So the plan is: one, the DBA team will roll back the migration now. Two, on-call will restart the pods.",
        ),
    ]
    incident = make_incident(rows, chat, people=PEOPLE)
    assert OfflineEngine(incident, extract_facts(incident)).action_items() == []


def test_items_dictated_to_the_scribe_and_a_correction_of_one_of_them():
    rows = actions(
        (
            "10:40",
            "Rosa Lima",
            "Wrap-up now. Ana, please note for the postmortem: no firmware rollout to all sites at once anymore.",
        ),
        ("10:41", "Ana Costa", "noted"),
        ("10:42", "Femi Ade", "put down: the runbook gets a tested rollback section for Kassel. Owner me"),
        ("10:43", "Femi Ade", 'no wait, make that "all three sites" not "Kassel"'),
    )
    assert [(row.action, row.owner) for row in rows] == [
        ("No firmware rollout to all sites at once anymore", None),
        ("The runbook gets a tested rollback section for all three sites", "Femi Ade"),
    ]


def test_regret_about_the_past_is_not_the_proposal_that_follows_it():
    rows = actions(
        (
            "Ana Costa",
            "And we should never have had only one CA in that pin set. We should ship a release with "
            "backup pins from at least two other CAs.",
        ),
    )
    assert [row.action for row in rows] == ["Ship a release with backup pins from at least two other CAs"]


def test_data_posted_for_the_postmortem_is_no_action_list():
    rows = actions(
        ("Femi Ade", 'for the PM, #412 merge time:\n  "2026-12-28T01:31:07Z"\n  so merged 10:31 JST, synced 10:40'),
    )
    assert rows == []


def test_an_owner_in_brackets_closes_its_item_before_and():
    rows = actions(("10:50", "Rosa Lima", "AIs: pin the scanner app version (Femi) and alert on dropped scans (Ana)"))
    assert [(row.action, row.owner) for row in rows] == [
        ("Pin the scanner app version", "Femi Ade"),
        ("Alert on dropped scans", "Ana Costa"),
    ]


def test_a_follow_up_put_to_someone_to_own_and_accepted_is_theirs():
    rows = actions(
        ("10:40", "Rosa Lima", "@Femi can you own a SameSite regression test for the launch cookies?"),
        ("10:41", "Femi Ade", "yes"),
    )
    assert [(row.action, row.owner) for row in rows] == [
        ("A SameSite regression test for the launch cookies", "Femi Ade")
    ]


def test_a_step_asked_of_someone_during_the_response_is_no_follow_up():
    rows = [("10:00", "Errors began"), ("10:40", "Pods restarted; errors stopped"), ("11:00", "Resolved")]
    chat = [("10:20", "Rosa Lima", "Femi, can you own the restart of the pods?"), ("10:21", "Femi Ade", "yes")]
    incident = make_incident(rows, chat, people=PEOPLE)
    assert OfflineEngine(incident, extract_facts(incident)).action_items() == []


@pytest.mark.parametrize(
    "wrap_up",
    [
        [
            ("10:50", "Rosa Lima", "Okay, action items, one per person."),
            ("10:51", "Rosa Lima", "Femi: retry budget on the launch handler."),
            ("10:52", "Rosa Lima", "Ana: alert when launch success drops below 95 percent."),
        ],
        [
            ("10:50", "Rosa Lima", "Let's do the follow-ups."),
            ("10:51", "Femi Ade", "Mine: retry budget on the launch handler."),
            ("10:52", "Ana Costa", "I'll take an alert when launch success drops below 95 percent."),
        ],
        [
            ("10:50", "Rosa Lima", "Follow-ups now."),
            ("10:51", "Rosa Lima", "Femi, you take retry budget on the launch handler."),
            ("10:52", "Rosa Lima", "Ana owns an alert when launch success drops below 95 percent."),
        ],
    ],
)
def test_items_said_in_an_announced_wrap_up_are_owned_by_who_takes_them(wrap_up):
    rows = actions(*wrap_up)
    assert [(row.action.split()[-2:], row.owner) for row in rows] == [
        (["launch", "handler"], "Femi Ade"),
        (["95", "percent"], "Ana Costa"),
    ]


def test_a_wrap_up_announcement_is_no_action_itself():
    assert actions(("10:50", "Rosa Lima", "Let's do the follow-ups.")) == []


def test_owner_me_is_the_author_of_the_line():
    rows = actions(
        ("Femi Ade", "AIs:\n- add a retry budget to the launch handler (owner: me)\n- alert on launch rate, owner Ana")
    )
    assert [row.owner for row in rows] == ["Femi Ade", "Ana Costa"]


def test_an_item_owned_by_a_handle_nobody_fits_and_one_added_to_the_list_after_it():
    """ "(sw.jung)" is Sangwoo Jung (the given name's initials, then the surname), so the item is kept with its owner;
    "add one: ..." after the list is one more item."""
    rows = [("10:00", "Errors began"), ("11:00", "Resolved")]
    chat = [
        (
            "11:10",
            "Rosa Lima",
            "action items:\n1. canary gates on match rate (Rosa) by Friday\n"
            "2. no dispatch-matcher deploys during the fri/sat 21:00-02:00 peak (sw.jung) by Friday",
        ),
        ("11:12", "woody", "add one: rotate the bastion key I pasted on the other bastions (woody) by Monday"),
        ("11:13", "Rosa Lima", "added as #3, thanks"),
    ]
    incident = make_incident(rows, chat, people={"Rosa Lima": [], "Sangwoo Jung": []})
    items = OfflineEngine(incident, extract_facts(incident)).action_items()
    assert [(a.action, a.owner, a.due) for a in items] == [
        ("Canary gates on match rate", "Rosa Lima", "Friday"),
        ("No dispatch-matcher deploys during the fri/sat 21:00-02:00 peak", "Sangwoo Jung", "Friday"),
        ("Rotate the bastion key I pasted on the other bastions (woody)", None, "Monday"),
    ]


def test_a_request_after_recovery_taken_as_ones_own_work_is_an_action():
    """ "rodrigo, can we stop deploys ...?" / "yes. I'll add a deploy freeze ..., mine": after the harm stopped and
    with no wrap-up announced, the answer claims the work, so it is a follow-up; a plain "yes" is not enough."""
    asked = ("10:50", "Femi Ade", "one more thing. rosa, can we stop search-api deploys between 02:00 and 08:00?")
    assert [
        (a.action, a.owner) for a in actions(asked, ("10:51", "Rosa Lima", "yes. I'll add a deploy freeze, mine"))
    ] == [("Stop search-api deploys between 02:00 and 08:00", "Rosa Lima")]
    assert actions(asked, ("10:51", "Rosa Lima", "yes")) == []


def test_a_todo_line_posted_before_the_teams_list_stays_beside_it():
    """A "TODO(name):" line is an item recorded with its owner: a later list does not summarize it away."""
    items = actions(
        ("10:30", "Sam Okafor", "TODO(sam): vendor case to Tagora about the housekeeper closing on STD"),
        ("10:50", "Rosa Lima", "AIs:\n- alert on dropped messages (Ana)\n- update the reopen runbook (Femi)"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Vendor case to Tagora about the housekeeper closing on STD", "Sam Okafor"),
        ("Alert on dropped messages", "Ana Costa"),
        ("Update the reopen runbook", "Femi Ade"),
    ]


def test_follow_ups_said_on_a_call_after_the_announcement_in_the_same_turn():
    """ "Okay, so action items. Femi, you'll add ..." announces the wrap-up and says its first item; then "Ana, <item>"
    by the one who announced it, "And Sam will ..." and "Yep. And I'll add ..." are items with their owners. A
    "follow-up SMS sent: ..." is a message that was sent, not a list of follow-ups."""
    items = actions(
        ("10:40", "Rosa Lima", "follow-up SMS sent: opt-in extended to 4:45pm, with an apology"),
        (
            "10:50",
            "Rosa Lima",
            "Okay, so action items. Femi, you'll add a login scenario to the perf suite by Thursday.",
        ),
        ("10:51", "Femi Ade", "Yep, Thursday."),
        ("10:52", "Rosa Lima", "Ana, event days go on the change calendar, and no auth changes on an event day."),
        ("10:53", "Rosa Lima", "And Sam will get the event sends staggered over forty-five minutes."),
        ("10:54", "Dmitri Volkov", "Yep. And I'll add a paging alert on login p95 and auth CPU."),
        ("10:55", "Femi Ade", "Ana, that's a good one"),
        ("10:56", "Rosa Lima", "Dmitri, thanks for jumping on this tonight"),
        ("10:57", "Rosa Lima", "Sam, the dashboard is green now"),
    )
    assert [(a.action, a.owner) for a in items] == [
        ("Add a login scenario to the perf suite", "Femi Ade"),
        ("Event days go on the change calendar, and no auth changes on an event day", "Ana Costa"),
        ("Get the event sends staggered over forty-five minutes", "Sam Okafor"),
        ("Add a paging alert on login p95 and auth CPU", "Dmitri Volkov"),
    ]


def test_a_conditional_need_is_no_proposal_and_a_spoken_filler_leaves_the_item():
    """ "Any more and we need a quota bump from AWS" says what would follow, not what the team will do; "um" said on a
    call is no part of the item."""
    assert actions(("Sam Okafor", "I can take replicas to eighteen. Any more and we need a quota bump from AWS.")) == []
    items = actions(("Sam Okafor", "we need a paging alert on login p95, not just the warning that I, um, acked"))
    assert [a.action for a in items] == ["A paging alert on login p95, not just the warning that I acked"]
