"""The factor stage (pipeline/drafting/factors.py): statements without the framing around a finding, and a gap
drawn from an agreed alert follow-up only when the channel says detection came late."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipeline.drafting.factors import alert_gap, alert_gaps, implied_gap, phrase, unalerted_gap
from pipeline.drafting.offline import OfflineEngine
from pipeline.facts import Fact, extract_facts
from pipeline.models import ActionItem, ActionType, Confidence
from tests.support import make_incident

REPO = Path(__file__).resolve().parents[1]
PEOPLE = {"Mara Quist": ["IC"], "Tobin Vale": [], "Ines Okafor": []}
ROWS = [
    ("09:00", "Billing exporter v7 rolled out; invoices started posting with empty totals"),
    ("09:40", "Support escalated customer reports of empty invoices"),
    ("10:30", "Resolved"),
]


def engine(rows, chat) -> OfflineEngine:
    incident = make_incident(rows, chat, people=PEOPLE)
    return OfflineEngine(incident, extract_facts(incident))


def detective(text: str, evidence: str = "C3") -> ActionItem:
    return ActionItem(action=text, type=ActionType.detective, evidence=[evidence])


def test_phrase_drops_the_framing_and_keeps_numbers_and_names():
    assert phrase("The cause was that the cron on ledger-04 ran twice") == "The cron on ledger-04 ran twice"
    # what the cause is of stays: dropping "the cause of the 401s is" would drop the 401s
    assert phrase("the cause of the 401s is the clock skew") == "The cause of the 401s is the clock skew"
    assert phrase("Cause identified: the spool disk on ledger-04 reached 97% at 03:10") == (
        "The spool disk on ledger-04 reached 97% at 03:10"
    )
    assert phrase("ok so looks like the cron on ledger-04 ran twice") == "The cron on ledger-04 ran twice"
    assert phrase("Cause identified: spool full") == "Cause identified: spool full"  # too little left to state


def test_an_alert_follow_up_becomes_a_low_confidence_gap_citing_the_proposal_and_the_late_detection():
    gap = alert_gap(detective("Alert on empty invoice totals per tenant"), stated_by="C2")
    assert gap is not None
    assert gap.statement == "Nothing alerted on empty invoice totals per tenant."
    assert gap.evidence == ["C3", "C2"]
    assert gap.confidence == Confidence.low


@pytest.mark.parametrize(
    ("follow_up", "gap"),
    [
        (
            "Alert when any int4 sequence is above 75% of max",
            "Nothing alerted when any int4 sequence is above 75% of max.",
        ),
        ("Page if the dedup hit rate is above 5%", "Nothing alerted when the dedup hit rate is above 5%."),
        ("Add an alert for replica lag > 5 min", "Nothing alerted on replica lag > 5 min."),
    ],
)
def test_a_gap_from_an_alert_on_a_condition_reads_as_a_sentence(follow_up, gap):
    """ "Alert when X" is a condition: the gap says "Nothing alerted when X.", not "Nothing alerted on X is ..."."""
    assert alert_gap(detective(follow_up), stated_by="C2").statement == gap


def test_only_alert_follow_ups_imply_a_gap():
    assert alert_gap(detective("Rotate the exporter token"), stated_by="C2") is None
    preventive = ActionItem(action="Alert on empty totals", type=ActionType.preventive, evidence=["C3"])
    assert alert_gap(preventive, stated_by="C2") is None


def test_no_gap_is_drafted_when_an_alert_came_within_minutes():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:40", "Tobin Vale", "Action items:\n- alert on empty invoice totals per tenant\n- add a v7 canary"),
    ]
    alerted_first = [ROWS[0], ("09:04", "PagerDuty alert: invoice totals empty for 3 tenants"), *ROWS[1:]]
    factors = engine(alerted_first, chat).contributing_factors()
    assert not any("alert" in f.statement.lower() for f in factors)


def test_an_alert_that_came_late_with_an_agreed_alert_on_another_signal_is_a_gap():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:40", "Tobin Vale", "Action items:\n- alert on empty invoice totals per tenant\n- add a v7 canary"),
    ]
    alerted_late = [ROWS[0], ("09:25", "PagerDuty alert: billing error budget burn above 10x"), *ROWS[1:]]
    gaps = [f for f in engine(alerted_late, chat).contributing_factors() if f.statement.startswith("There was no")]
    assert [g.statement for g in gaps] == [
        "There was no alert on empty invoice totals per tenant, so the first alert came 25 minutes after the problem "
        "began."
    ]


def test_impact_people_reported_before_any_alert_is_a_gap_naming_the_agreed_signal_and_the_delay():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:40", "Tobin Vale", "Action items:\n- alert on empty invoice totals per tenant\n- add a v7 canary"),
    ]
    drafting = engine(ROWS, chat)
    gaps = [f for f in drafting.contributing_factors() if f.statement.startswith("There was no alert")]
    assert [g.statement for g in gaps] == [
        "There was no alert on empty invoice totals per tenant, so the problem was reported by people 40 minutes "
        "after it began."
    ]
    assert gaps[0].evidence == ["T1", "T2", "C2"]  # when it began, the report, the agreed follow-up
    assert gaps[0].confidence == Confidence.medium
    whys = drafting.five_whys(drafting.contributing_factors(), drafting.action_items())
    assert whys[0].answer.text != gaps[0].statement  # a missing safeguard, not the mechanism
    assert any(why.answer.text == gaps[0].statement for why in whys[3:])


@pytest.mark.parametrize(
    ("follow_up", "control"),
    [
        ("Alert when a locker reports two open doors", "alert when a locker reports two open doors"),
        ("Queue age alert > 2 min on all brokers", "queue age alert > 2 min on all brokers"),
        (
            "A synthetic check that opens one locker every five minutes",
            "synthetic check that opens one locker every five minutes",
        ),
        ("Add paging on SMS gateway 5xx above 2%", "paging on SMS gateway 5xx above 2%"),
        (
            "Alert when resets exceed twice the weekly average, and hold the run",
            "alert when resets exceed twice the weekly average",
        ),
        # whom it alerts is no part of the control
        (
            "Alert this group when rejected-token calls pass 5 in 30 min",
            "alert when rejected-token calls pass 5 in 30 min",
        ),
        ("Page the on-call if the locker queue stalls", "page if the locker queue stalls"),
    ],
)
def test_the_gap_names_the_agreed_detective_control_in_its_own_words(follow_up, control):
    gap = unalerted_gap([detective(follow_up)], minutes=12, evidence=["T1", "T2"])
    assert gap is not None
    assert gap.statement == f"There was no {control}, so the problem was reported by people 12 minutes after it began."
    assert gap.evidence == ["T1", "T2", "C3"]


@pytest.mark.parametrize(
    "follow_up",
    [
        "Route the locker disk alert to the on-call phone, not email",
        "Locker firmware alert pages ops instead of posting in the channel",
        "Rotate the SMS gateway key",
    ],
)
def test_follow_ups_that_change_an_existing_alert_or_detect_nothing_name_no_missing_control(follow_up):
    assert unalerted_gap([detective(follow_up)], minutes=12, evidence=["T1", "T2"]) is None


def test_without_an_agreed_alert_the_record_alone_drafts_no_gap():
    chat = [("09:45", "Mara Quist", "taking IC"), ("10:40", "Tobin Vale", "Action items:\n- add a v7 canary")]
    assert not any("alert" in f.statement.lower() for f in engine(ROWS, chat).contributing_factors())


def test_a_late_detection_in_the_chat_lets_the_agreed_alert_support_a_gap():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:20", "Ines Okafor", "we had no alert on invoice totals, customers found it first"),
        ("10:40", "Tobin Vale", "Action items:\n- alert on empty invoice totals per tenant\n- add a v7 canary"),
    ]
    factors = engine(ROWS, chat).contributing_factors()
    gaps = [f for f in factors if f.statement.startswith("Nothing alerted")]
    assert len(gaps) == 1
    assert gaps[0].statement == "Nothing alerted on empty invoice totals per tenant."
    assert gaps[0].confidence == Confidence.low
    assert len(gaps[0].evidence) == 2  # the proposal and the message that says detection came late
    stated_by = gaps[0].evidence[-1]
    assert not any(f.evidence == [stated_by] for f in factors)  # that message is not drafted twice


def test_alert_gaps_keeps_one_gap_by_default():
    actions = [detective("alert on queue depth"), detective("page on error rate above 2%", "C4")]
    chat_items = engine(ROWS, [("10:20", "Ines Okafor", "nobody noticed for an hour")]).chat
    assert [g.statement for g in alert_gaps(actions, chat_items)] == ["Nothing alerted on queue depth."]
    assert len(alert_gaps(actions, chat_items, limit=2)) == 2


def test_factors_yaml_without_the_signal_placeholder_is_an_error_with_file_and_line(tmp_path):
    import pytest

    from pipeline.datafiles import bundled, load_yaml_model
    from pipeline.drafting.factors import FactorPhrasesFile
    from pipeline.errors import ConfigError

    broken = tmp_path / "factors.yaml"
    broken.write_text(bundled("factors.yaml").read_text().replace("{what}", "the signal"))
    with pytest.raises(ConfigError, match="alert_gap must contain"):
        load_yaml_model(broken, FactorPhrasesFile)
    broken.write_text(bundled("factors.yaml").read_text().replace("no {control}", "no control"))
    with pytest.raises(ConfigError, match="unalerted_gap and late_alert_gap must contain"):
        load_yaml_model(broken, FactorPhrasesFile)


def test_a_stated_gap_loses_its_addressee_framing_and_first_person_and_keeps_its_numbers():
    from pipeline.drafting.factors import stated_gap

    assert stated_gap("Tobin, the release checklist had no step to re-enable the 02:15 export. that's what we fix") == (
        "The release checklist had no step to re-enable the 02:15 export."
    )
    assert stated_gap("the exporter did what it said; nothing checked the totals against ledger-04") == (
        "Nothing checked the totals against ledger-04."
    )
    assert stated_gap("the question is why nothing alerted us for 3 hours") == "Nothing alerted for 3 hours."
    assert stated_gap("we had no alert on empty totals, that's the thing to fix") == (
        "There was no alert on empty totals."
    )
    assert stated_gap("our gap is we had no alert on sequence size.") == "There was no alert on sequence size."
    # a process that only looked at one thing ("the sign-off checklist only asked for row counts")
    assert stated_gap("the sign-off checklist only asked for row counts, not the zip values") == (
        "The sign-off checklist only asked for row counts, not the zip values."
    )
    assert stated_gap("the change only required a restart") is None


def test_a_cause_the_channel_agrees_on_is_a_factor_without_its_label():
    """ "ok cause agreed: X, every insert fails" is the channel settling the cause: a high-confidence factor stating
    X, not a quote with its label."""
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:02", "Tobin Vale", "from the exporter log: ERROR nextval reached maximum value of sequence totals_id_seq"),
        ("10:05", "Mara Quist", "ok cause agreed: totals_id_seq reached int4 max, every insert fails. options?"),
    ]
    factors = engine(ROWS, chat).contributing_factors()
    agreed = [f for f in factors if f.evidence == ["C3"]]
    # a name keeps its case
    assert [f.statement for f in agreed] == ["totals_id_seq reached int4 max, every insert fails."]
    assert agreed[0].confidence == Confidence.high


@pytest.mark.parametrize(
    ("sentence", "gap"),
    [
        ("the exporter only checks that the file parses", "The exporter only checks that the file parses."),
        (
            "invoice-sync has nothing that notices an empty batch.",
            "Invoice-sync has nothing that notices an empty batch.",
        ),
        (
            "it went through review and CI and nothing we have looks at row counts",
            "It went through review and CI and nothing we have looks at row counts.",
        ),
        ("nothing flags a change to the shared defaults file", "Nothing flags a change to the shared defaults file."),
        ("the webhook payloads have no currency field.", "The webhook payloads have no currency field."),
        (
            "there was no change freeze before the quarter close, that's a gap in our process, not Ines",
            "There was no change freeze before the quarter close.",
        ),
        (
            "@Tobin Vale please no 🙏 the base image was pinned in our template and nothing checks its age.",
            "The base image was pinned in our template and nothing checks its age.",
        ),
    ],
)
def test_a_stated_gap_takes_the_forms_a_channel_states_it_in(sentence, gap):
    from pipeline.drafting.factors import stated_gap

    assert stated_gap(sentence) == gap


def test_neglect_by_people_is_no_stated_gap():
    """ "nobody looks at it" judges people's attention; a gap names what the system lacked ("nothing looks at")."""
    from pipeline.drafting.factors import stated_gap

    assert stated_gap("the import runs by itself every night, nobody looks at it by design") is None
    assert stated_gap("it was down since 2am and nobody noticed until the morning") is None


@pytest.mark.parametrize(
    "framed",
    [
        "13:44 cause: ledger_totals empty in the new schema, lookup miss means a rate of 0",
        "For the timeline, the cause: ledger_totals empty in the new schema, lookup miss means a rate of 0",
        "That's the cause: ledger_totals empty in the new schema, lookup miss means a rate of 0",
        "the root cause is ledger_totals empty in the new schema, lookup miss means a rate of 0",
    ],
)
def test_phrase_drops_a_cause_label_wherever_the_sentence_puts_it(framed):
    assert phrase(framed) == "ledger_totals empty in the new schema, lookup miss means a rate of 0"


def test_a_statement_capitalizes_a_word_but_not_a_name():
    from pipeline.drafting.factors import sentence_case

    assert sentence_case("the spool filled") == "The spool filled"
    assert sentence_case("card-based renewal had no expiry check") == "Card-based renewal had no expiry check"
    for name in ("v5.3 shipped", "fx_rates_daily was empty", "iOS 17 clients", "pgBouncer ran out"):
        assert sentence_case(name) == name


def test_a_chat_sentence_labelled_cause_is_a_factor_without_its_label():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:02", "Tobin Vale", "exporter log: totals query returned 0 rows for every EUR account"),
        (
            "10:06",
            "Tobin Vale",
            "cause: billing-exporter only reads accounts with a currency row, EUR has none since v7.",
        ),
    ]
    factors = engine(ROWS, chat).contributing_factors()
    assert "Billing-exporter only reads accounts with a currency row, EUR has none since v7." in [
        f.statement for f in factors if "C3" in f.evidence
    ]


def test_questions_and_sentences_without_a_gap_are_not_stated_gaps():
    from pipeline.drafting.factors import stated_gap

    assert stated_gap("did nothing check the totals before the rollout?") is None
    assert stated_gap("the exporter did what it was written to do") is None
    assert stated_gap("nothing checked") is None  # too little to state


def test_a_gap_the_channel_states_as_its_finding_becomes_a_factor_without_the_person_addressed():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        (
            "10:05",
            "Tobin Vale",
            "Mara, the exporter did what it said; nothing checked the totals against the ledger before posting. that's the finding",
        ),
    ]
    factors = engine(ROWS, chat).contributing_factors()
    stated = [f for f in factors if f.evidence == ["C2"]]
    assert [f.statement for f in stated] == ["Nothing checked the totals against the ledger before posting."]
    assert stated[0].confidence == Confidence.medium


def test_a_gap_asked_about_or_proposed_is_not_a_factor():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:05", "Tobin Vale", "why did nothing check the totals against the ledger before posting?"),
        ("10:30", "Ines Okafor", "we should add a check on the totals against the ledger before posting"),
    ]
    factors = engine(ROWS, chat).contributing_factors()
    assert not any("C2" in f.evidence for f in factors)  # the question states nothing
    # the proposal is no stated gap; it implies one, drafted as a low-confidence candidate citing it
    assert [(f.statement, f.confidence) for f in factors if "C3" in f.evidence] == [
        ("There was no check on the totals against the ledger before posting.", Confidence.low)
    ]


def test_a_statement_that_names_a_chat_author_by_handle_is_caught():
    chat = [("10:05", "tobin", "x"), ("10:06", "Ines Okafor", "y")]
    drafting = engine(ROWS, chat)
    assert drafting.names_an_author("The replay waits behind tobin's export, so totals are empty.")
    assert not drafting.names_an_author("The replay waits behind the export, so totals are empty.")


def test_a_row_reporting_what_a_tool_showed_is_no_factor_but_a_finding_row_is():
    rows = [
        ("09:00", "Billing exporter v7 rolled out; invoices started posting with empty totals"),
        ("09:20", "Ledger logs showed tax lookups returning zero rows for every tenant"),
        ("09:25", "Tax rate table found missing from the new ledger schema"),
        ("10:30", "Resolved"),
    ]
    drafting = engine(rows, [("09:45", "Mara Quist", "taking IC")])
    kinds = {evidence_id: kind for evidence_id, _, kind in drafting.cause_rows()}
    assert kinds == {"T2": "observation", "T3": "cause"}
    cited_alone = [f.evidence for f in drafting.contributing_factors() if len(f.evidence) == 1]
    assert ["T3"] in cited_alone and ["T2"] not in cited_alone


def test_a_confirmed_gap_in_first_person_is_stated_about_the_system():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        (
            "10:05",
            "Tobin Vale",
            "confirmed: we had no canary for exporter releases, so v7 went to every tenant at once",
        ),
    ]
    factors = engine(ROWS, chat).contributing_factors()
    assert [f.statement for f in factors if f.evidence == ["C2"]] == [
        "There was no canary for exporter releases, so v7 went to every tenant at once."
    ]


@pytest.mark.parametrize(
    ("row", "kept"),
    [
        ("Cause identified: crewdb-replica-2 replay paused behind a long analytics export", True),  # a host name
        ("Cause identified: ip-10-0-12-34 kept the stale route after the failover", True),
        ("Cause identified: token AKIAIOSFODNN7EXAMPLE expired on the build runner", False),  # reads as a key
        ("Cause identified: commit 9fceb02d0ae598e95dc970b74767f19372d61af8 dropped the retry", False),
    ],
)
def test_a_cause_row_naming_a_host_is_a_factor_but_one_holding_a_key_is_not(row, kept):
    rows = [("09:00", "Checkout errors began"), ("09:05", "Alert: checkout error rate > 5%"), ("09:20", row)]
    statements = [
        factor.statement for factor in engine(rows, [("09:10", "Mara Quist", "taking IC")]).contributing_factors()
    ]
    assert (
        any("analytics export" in s or "stale route" in s or "expired" in s or "retry" in s for s in statements) == kept
    )


@pytest.mark.parametrize("label", ["Cause:", "Root cause:", "Probable cause -", "Cause (as we understand it):"])
def test_a_row_labelled_as_the_cause_is_a_factor_without_its_label(label):
    rows = [
        ("21:40", "cellar-controls v3.2 rolled to the gateway"),
        ("22:55", "Night shift reports FV-03 at 74F, setpoint 65"),
        ("23:41", f"{label} the new gateway driver assumes Celsius when the unit field is missing"),
    ]
    statements = [f.statement for f in engine(rows, [("23:00", "Mara Quist", "taking IC")]).contributing_factors()]
    assert "The new gateway driver assumes Celsius when the unit field is missing." in statements


def test_a_cause_row_whose_middle_says_shipped_in_keeps_its_whole_statement():
    """ "fixed in #412" at the end is an aside; "the regex shipped in 3.14 last night backtracks on ..." is the cause."""
    incident = make_incident(
        [
            ("06:10", "Results page stops updating for the half marathon"),
            ("06:20", "Results API workers at 100% CPU"),
            (
                "06:40",
                "Cause: the bib regex shipped in results-api 3.14 last night backtracks on garbled reader strings",
            ),
            ("07:05", "Rolled back to results-api 3.13; results updating again"),
        ]
    )
    statements = [f.statement for f in OfflineEngine(incident, extract_facts(incident)).contributing_factors()]
    assert any("backtracks on garbled reader strings" in s for s in statements), statements
    assert "The bib regex." not in statements


def test_a_row_naming_the_cause_of_the_preceding_change_is_the_factor_instead_of_the_bare_change():
    """ "Cause found: API v2 returns results in pages of 100" says what the change did; "Lab released API v2 (a change
    that preceded the impact)" beside it would only repeat the change."""
    incident = make_incident(
        [
            ("08:00", "LactoLab released results API v2"),
            ("09:10", "Payout run finished; farmers report missing quality bonus"),
            (
                "10:05",
                "Cause found: LactoLab API v2 returns results in pages of 100; the payroll import reads only page 1",
            ),
            ("11:30", "Import fixed to follow every page; bonus recomputed for all farms"),
        ]
    )
    factors = OfflineEngine(incident, extract_facts(incident)).contributing_factors()
    statements = [f.statement for f in factors]
    assert any("pages of 100" in s for s in statements), statements
    assert not any("a change that preceded the impact" in s for s in statements), statements


def test_a_workaround_started_by_hand_is_a_step_of_the_response_not_a_factor():
    """ "Gate staff began checking rejected QR codes by hand" states harm words ("rejected") but is a manual
    workaround, not a finding about the system."""
    rows = [
        ("10:02", "First visitors with tickets bought after 08:30 rejected at East gate"),
        ("10:09", "Visitor services reported rejected e-tickets at East gate"),
        ("10:30", "East gate staff began checking rejected QR codes by hand against the booking list (East gate only)"),
        ("10:40", "Cause identified: scanners only had the old signing key until the nightly sync"),
        ("12:05", "All tickets accepted at all gates; resolved"),
    ]
    drafting = engine(rows, [("10:12", "Mara Quist", "taking IC")])
    cited = [f.evidence for f in drafting.contributing_factors()]
    assert ["T4"] in cited and ["T3"] not in cited


def test_a_check_that_ruled_something_out_is_no_factor_even_when_it_says_because():
    """ "broker checked: all 3 nodes healthy, connections gone because the devices have no data; broker ruled out"
    reports the investigation, not a cause; a cause row that also rules something out keeps its cause."""
    rows = [
        ("00:00", "All fleet SIMs suspended; cars drop off telematics and unlock commands start failing"),
        ("00:14", "Alert: fleet telematics online 31%"),
        (
            "00:48",
            "EMQX broker cluster checked: all 3 nodes healthy, device connections gone because the devices have "
            "no data; broker ruled out",
        ),
        ("01:05", "Cause identified: the plan renewal was charged to an expired card; carrier outage ruled out"),
        ("02:41", "All cars online; resolved"),
    ]
    statements = [f.statement for f in engine(rows, [("00:20", "Mara Quist", "taking IC")]).contributing_factors()]
    assert not any("EMQX" in s for s in statements), statements
    assert any("expired card" in s and "ruled out" not in s for s in statements), statements


def test_a_sentence_pointing_back_is_stated_with_the_sentence_it_points_at():
    """ "totals_id_seq hit int4 max. that's why every insert fails" holds its finding across two sentences: the factor
    states both; "that's why ..." opening a message points at another message and states nothing alone."""
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:02", "Tobin Vale", "exporter log: totals_id_seq hit int4 max. that's why every insert fails"),
        ("10:04", "Ines Okafor", "that's why the dashboard went flat"),
    ]
    drafting = engine(ROWS, chat)
    statements = {statement for _, statement, _ in drafting.cause_statements()}
    assert "Exporter log: totals_id_seq hit int4 max; that's why every insert fails." in statements
    assert not any(s.lower().startswith("that's why") for s in statements)
    assert not any(s.startswith("Exporter log: totals_id_seq hit int4 max.") for s in statements)  # one, not two


def test_a_question_put_on_the_reviews_agenda_is_no_finding():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:02", "Tobin Vale", "confirmed: totals_id_seq hit int4 max. we'll talk about why nothing caught it"),
    ]
    statements = [statement for _, statement, _ in engine(ROWS, chat).cause_statements()]
    gaps = [factor.statement for factor in engine(ROWS, chat).stated_gaps()]
    assert not any("talk about" in s.lower() for s in statements + gaps)


def test_rows_that_record_moments_of_the_response_are_no_findings():
    """A severity raise ("... report due to the authority"), a decision ("... instead of copying back"), a monitor's
    message, harm that remains or comes back: moments of the response, even when they use a cause's words."""
    rows = [
        ("09:00", "Billing exporter v7 rolled out; invoices started posting with empty totals"),
        ("09:05", "Alert fired: invoice totals zero"),
        ("09:10", "Grafana warning: exporter error rate hit 34% (baseline 0.5%)"),
        ("09:20", "Raised to SEV-1: invoices went out empty, notice due to the tax authority"),
        ("09:25", "Tax rate table found missing from the new ledger schema"),
        ("09:30", "Decision: restore the table in place instead of copying it back from the replica"),
        ("09:35", "Customers remain without invoices"),
        ("09:40", "Invoices rejected again by the ledger after the first restore"),
        ("10:00", "Table restored; invoices posting with totals again"),
        ("10:30", "Resolved"),
    ]
    drafting = engine(rows, [("09:15", "Mara Quist", "taking IC")])
    assert [evidence_id for evidence_id, _, _ in drafting.cause_rows()] == ["T5"]


def test_a_guess_the_scribe_recorded_and_a_fix_explained_in_brackets_are_no_cause_rows():
    """ "Hypothesis: ... rejected at 09:18" records a guess (its "rejected" is no finding), and "instead of" inside
    a fix row's brackets says how the fix works; the row that records the finding stays, and so does the change
    row, whose brackets say what changed."""
    rows = [
        ("08:40", "Billing exporter v7 rolled out (totals summed per line instead of per invoice)"),
        ("09:00", "Invoices started posting with empty totals"),
        ("09:05", "Alert fired: invoice totals zero"),
        ("09:08", "Hypothesis: ledger DB overloaded. CPU normal, writes rejected nowhere, rejected at 09:18"),
        ("09:25", "Tax rate table found missing from the new ledger schema"),
        ("09:35", "Customers remain without invoices"),
        ("09:50", "Hotfix v7.0.1 live (totals computed locally instead of failing)"),
        ("10:00", "Table restored; invoices posting with totals again"),
        ("10:30", "Resolved"),
    ]
    drafting = engine(rows, [("09:15", "Mara Quist", "taking IC")])
    assert [evidence_id for evidence_id, _, _ in drafting.cause_rows()] == ["T1", "T5"]


@pytest.mark.parametrize(
    "message",
    [
        "also: rebuild the exporter with a totals check (tobin), alert when invoice totals are zero because "
        "nothing checks them (ines)",
        "Fix is ready, it follows the pages until there's no next link. Running the export again.",
        "That also explains the preflight warning at nine forty. Seventy-one rows difference on the totals. Same number.",
    ],
)
def test_an_owner_list_a_ready_fix_or_a_bare_pointer_is_no_cause_statement(message):
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        ("10:02", "Tobin Vale", "confirmed: the tax lookup returns zero rows because the rate table is missing"),
        ("10:05", "Ines Okafor", message),
    ]
    found = {evidence_id for evidence_id, _, _ in engine(ROWS, chat).cause_statements()}
    assert "C2" in found and "C3" not in found, found


@pytest.mark.parametrize("label", ["Cause established:", "Root cause established -"])
def test_a_row_saying_the_cause_was_established_is_a_factor_without_its_label(label):
    rows = [
        ("21:40", "otp-service 4.2.0 deployed with a new OTP SMS text"),
        ("21:53", "First OTP SMS rejected by the operators; users get no OTP"),
        ("23:37", f"{label} the new text was never registered as a template, so operators reject it"),
    ]
    statements = [f.statement for f in engine(rows, [("23:00", "Mara Quist", "taking IC")]).contributing_factors()]
    assert "The new text was never registered as a template, so operators reject it." in statements, statements


def went_wrong(rows):
    drafting = engine(rows, [("08:10", "Mara Quist", "taking IC")])
    return drafting.went_wrong(drafting.contributing_factors()), drafting.contributing_factors()


def test_a_warning_explained_away_before_detection_is_what_went_wrong_and_a_candidate_factor():
    rows = [
        ("07:10", "booking-api v37.1 deployed; all pods recreated"),
        ("07:52", "Warning CPUThrottlingHigh on booking-api (41%); acked by Nuno as a noisy new alert"),
        ("08:03", "Gateway 504s; guardians' bookings failing"),
        ("08:08", "Page: BookingApi5xxHigh (5xx 12.4%)"),
        ("09:31", "Throttling 0%; 5xx 0.1%"),
    ]
    claims, factors = went_wrong(rows)
    warned = [(c.text, c.evidence) for c in claims if "CPUThrottlingHigh" in c.text]
    assert warned == [
        (
            "A warning came before the impact was known and was explained away: Warning CPUThrottlingHigh on "
            "booking-api (41%); acked as a noisy new alert.",
            ["T2"],
        )
    ]
    # and a candidate factor: 42 of the 43 such dev rows state a gold factor by hand (evals/incidents/cause_row_labels)
    read = [(f.statement, f.evidence, f.confidence.value) for f in factors if "CPUThrottlingHigh" in f.statement]
    assert read == [(warned[0][0], ["T2"], "medium")]


@pytest.mark.parametrize(
    "row",
    [
        "Warning CPUThrottlingHigh on booking-api (41%); investigated, throttling from the batch job",  # not dismissed
        "Dispatch notes routes 38% shorter than usual; put down to the weekend thaw",  # no monitoring signal
    ],
)
def test_only_a_monitoring_warning_that_was_explained_away_is_an_early_warning(row):
    rows = [("07:10", "booking-api v37.1 deployed"), ("07:52", row), ("08:03", "Gateway 504s"), ("08:08", "Page: 5xx")]
    claims, _ = went_wrong(rows)
    assert not any(c.text.startswith("A warning came before") for c in claims), [c.text for c in claims]


def test_a_warning_explained_away_after_the_detection_is_no_early_warning():
    rows = [
        ("07:10", "booking-api v37.1 deployed"),
        ("08:03", "Gateway 504s; bookings failing"),
        ("08:08", "Page: BookingApi5xxHigh"),
        ("08:20", "Warning DiskFilling on db-2; acknowledged as the nightly vacuum"),
        ("09:31", "5xx 0.1%"),
    ]
    claims, _ = went_wrong(rows)
    assert not any("DiskFilling" in c.text for c in claims), [c.text for c in claims]


def test_a_long_cause_row_of_findings_joined_by_semicolons_gives_one_factor_a_finding():
    """Over forty words in one sentence: each finding of the row is drafted, not the whole row dropped as a paste."""
    rows = [
        ("14:00", "PayLoom 7.2 rolled out to employers"),
        ("14:12", "Credit run posted files read while still uploading; members not credited"),
        ("15:02", "Employer reports its file PROCESSED with far fewer members than uploaded"),
        (
            "15:55",
            "Cause identified: PayLoom 7.2 streams payroll files to the final filename as the payroll runs (no .part "
            "upload and rename); the contrib-import ready-check only skips .part files, so files were read mid-upload, "
            "parsed without a trailer record and marked PROCESSED by filename",
        ),
        ("18:35", "Corrected contributions posted"),
    ]
    statements = [f.statement for f in engine(rows, [("15:05", "Mara Quist", "taking IC")]).contributing_factors()]
    assert (
        "PayLoom 7.2 streams payroll files to the final filename as the payroll runs (no .part upload and rename)."
        in statements
    ), statements
    assert any(s.startswith("The contrib-import ready-check only skips .part files, so") for s in statements), (
        statements
    )


def test_a_contact_centre_row_during_the_response_is_a_report_not_a_finding():
    rows = [
        ("14:12", "Credit run failed for 37 files; members not credited"),
        ("15:02", "PagerDuty alert: credited totals below the clearing house payments"),
        ("15:25", "Contact centre: members calling about missing or wrong contribution notifications"),
        ("18:35", "Fix deployed; credits posting again, error rate 0%"),
    ]
    statements = [f.statement for f in engine(rows, [("15:06", "Mara Quist", "taking IC")]).contributing_factors()]
    assert not any("Contact centre" in s for s in statements), statements


@pytest.mark.parametrize(
    ("framed", "statement"),
    [
        (
            "While I'm on the soapbox: there's no recon at all against payments.",
            "There's no recon at all against payments.",
        ),
        ("Side note: the job had no timeout.", "The job had no timeout."),
    ],
)
def test_phrase_drops_an_aside_that_opens_the_statement(framed, statement):
    assert phrase(framed) == statement


def test_a_message_saying_only_that_something_is_wrong_is_no_factor():
    """ "Many things are wrong with the nodes and the test pods" names no cause: once drafted as a factor from a real
    channel, while the cause row beside it states one."""
    rows = [
        ("09:00", "Test pods on the build cluster start timing out"),
        ("09:20", "Alert: job success rate 40%"),
        ("10:05", "Cause identified: disk I/O on the build nodes throttled at the IOPS limit"),
        ("11:30", "Nodes moved to larger disks; resolved"),
    ]
    chat = [
        ("09:40", "Mara Quist", "taking IC"),
        ("09:50", "Ola Berg", "Many things are wrong with the Kubernetes nodes and the test pods because of load."),
    ]
    statements = [f.statement for f in engine(rows, chat).contributing_factors()]
    assert not any("Many things are wrong" in s for s in statements), statements
    assert any("IOPS limit" in s for s in statements), statements


@pytest.mark.parametrize(
    ("change", "after", "is_factor"),
    [
        # names no condition: the summary's trigger, not a factor (31 of 42 such rows were judged no factor on dev)
        ("Forecast-api v5.3 deployed to production", "Forecast cache warmed; errors back to baseline", False),
        # says what it altered
        (
            "Gateway-config #518 deployed: rate-limit key changed from API key to source IP",
            "Errors back to baseline",
            True,
        ),
        (
            "Bump PR merged, triggering a deploy; the scheduler starts to place jobs on the service cluster",
            "Fixed",
            True,
        ),
        ("Internal DNS zone update published with a TTL of 5 seconds", "TTL back to 300 s; lookups succeed", True),
        # undoing it ended the impact, but the row still names no condition (judged no factor 10 of 10 times on dev)
        (
            "Forecast-api v5.3 deployed to production",
            "Forecast-api rolled back to v5.2; errors back to baseline",
            False,
        ),
    ],
)
def test_the_preceding_change_is_a_factor_only_when_it_says_what_it_altered(change, after, is_factor):
    rows = [("09:00", change), ("09:05", "Forecast requests began failing with 500s"), ("09:40", after)]
    eng = engine(rows, [])
    statements = [f.statement for f in eng.contributing_factors()]
    assert any(s.endswith("(a change that preceded the impact).") for s in statements) is is_factor, statements
    assert any("It followed this change" in claim.text for claim in eng.executive_summary())


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Mark Waite investigates the blocked update center job", True),  # a full name opens the sentence
        ("The job was blocked until Priya restarted it", True),
        ("Grant access to the bucket before the next run", False),  # a first name only in a capitalized verb
        ("Grant Access policy missing on the bucket", False),  # an English word after it: no full name
        ("Page on-call when the evaluator misses 3 runs", False),  # "Page" is a name, but no full name follows
        ("Nothing checked the interval against the backend threshold", False),
    ],
)
def test_someone_outside_the_roster_is_a_person_even_as_the_first_words_of_a_statement(text, names):
    assert engine(ROWS, []).names_someone_else(text) is names


def test_a_sign_explained_away_before_detection_is_a_factor_without_a_warning_lead_when_no_warning_came():
    rows = [
        ("06:10", "Route builder run complete; routes 38% shorter than usual, put down to the weekend thaw"),
        ("07:30", "First customer call: no delivery although the tank is below 10%"),
        ("07:45", "Dispatch reports 40 missed deliveries; incident declared"),
        ("09:20", "Routes rebuilt from the full account list; deliveries back on schedule"),
    ]
    factors = engine(rows, [("07:50", "Mara Quist", "taking IC")]).contributing_factors()
    assert [(f.statement, f.evidence, f.confidence.value) for f in factors if f.evidence[0] == "T1"] == [
        ("Route builder run complete; routes 38% shorter than usual, put down to the weekend thaw.", ["T1"], "medium")
    ]


def test_a_warning_explained_away_after_detection_is_not_drafted_as_an_early_sign():
    rows = [
        ("07:40", "uploads-api moved to the new ingress controller cluster"),
        ("07:55", "First upload of a large scan fails with 413 Request Entity Too Large"),
        ("08:05", "Page: UploadErrorsHigh (413s at 30%)"),
        ("08:12", "Grafana warning: upload latency p99 above 2 s; acknowledged by Tobin as a noisy new alert"),
        ("08:41", "proxy-body-size 50m applied to the new controller; uploads succeed again"),
    ]
    factors = engine(rows, [("08:10", "Mara Quist", "taking IC")]).contributing_factors()
    assert not any(f.evidence[0] == "T4" for f in factors)


def test_the_cause_row_labels_cover_whole_incidents_with_known_labels():
    labels = yaml.safe_load((REPO / "evals/incidents/cause_row_labels/dev.yaml").read_text(encoding="utf-8"))
    assert len(labels) >= 100
    for incident, rows in labels.items():
        assert list(rows) == [f"T{i}" for i in range(1, len(rows) + 1)], incident
        for row, label in rows.items():
            assert label in ("no", "trigger", "other") or (
                isinstance(label, list) and label and all(re.fullmatch(r"G\d+", g) for g in label)
            ), (incident, row, label)


def proposal(text: str) -> ActionItem:
    return ActionItem(action=text, type=ActionType.preventive, evidence=["C7"])


@pytest.mark.parametrize(
    ("follow_up", "gap"),
    [
        ("Make the signing script fail on an expired key", "The signing script did not fail on an expired key."),
        (  # a system that "checks ... and falls back": both verbs turned round
            "roster-publish checks replica lag and falls back to the primary above 60s",
            "Roster-publish did not check replica lag and fall back to the primary above 60s.",
        ),
        (
            "Add a chart test that the rendered CronJob sets JANITOR_PREFIX",
            "There was no chart test that the rendered CronJob sets JANITOR_PREFIX.",
        ),
        (  # added to a place: the place had none
            "Add a TTL spread check to the Redis migration runbook before cutover",
            "The Redis migration runbook had no TTL spread check before cutover.",
        ),
        ("Add unit tests with year-end dates", "There were no unit tests with year-end dates."),
        (  # a clause with a subject of its own, and a joined word no verb list knows, are cut off
            "the planner writes the altitude frame in every mission and the autopilot rejects a mismatch",
            "The planner did not write the altitude frame in every mission.",
        ),
        ("tracker map shows position age and greys out old fixes", "Tracker map did not show position age."),
        (  # what the stage is for is no consequence of its absence
            "add a canary stage for checkout-api so config changes hit 5% of traffic first",
            "There was no canary stage for checkout-api.",
        ),
        (  # "both X and the Y" is one object, not a new clause
            "coturn accepts both the old and the new secret for an hour during a rotation",
            "Coturn did not accept both the old and the new secret for an hour during a rotation.",
        ),
        (  # "to Jan 3" is no place that could lack the tests
            "add unit tests with year-end dates to Jan 3",
            "There were no unit tests with year-end dates to Jan 3.",
        ),
        (  # the ticket and owner, and what the follow-up does instead, are no part of the gap
            "Make the gateway duplicate check compare the order date instead of the PO (OPS-12, Cian)",
            "The gateway duplicate check did not compare the order date.",
        ),
    ],
)
def test_a_preventive_follow_up_implies_the_safeguard_it_adds_was_missing(follow_up, gap):
    found = implied_gap(proposal(follow_up))
    assert found is not None
    assert (found.statement, found.evidence, found.confidence) == (gap, ["C7"], Confidence.low)


def test_an_implied_gap_stops_before_the_contrast_its_follow_up_draws():
    # "validate against X, not Y" turned round would read "did not validate against X, not Y": a double negative
    found = implied_gap(
        proposal("Make checkout validate a basket against the stand's own catalog, not the whole venue catalog")
    )
    assert found is not None
    assert found.statement == "Checkout did not validate a basket against the stand's own catalog."


@pytest.mark.parametrize(
    "follow_up",
    [
        "Rotate the PagoRed API key",  # a clean-up, no safeguard
        "Email every park owner with an apology",
        "Route the disk alert to the on-call pager",  # an imperative, not a system that "alerts"
        "Alert on lock waits on the exams database",  # alerts are the detection gaps' business
        "Make the stock sync alert when one run inserts far more parts",  # "sync" is part of a name here
        "Add a v7 canary",  # "There was no v7 canary." tells the review too little
        "Add Priya to the rota",
        "per-tenant bulk send limits and a bounce pre-check on uploaded lists",  # "limits" is a noun here
        "COMM-LOSS STOPS an alarm class with horn and SMS",  # a shouted word, not the verb
        "Add more disk to ledger-04",
        "per-antenna alert is 3 fails in 6h on one antenna",  # a fact stated, not a step ("... is 3 did not fail")
    ],
)
def test_follow_ups_of_other_shapes_imply_no_gap(follow_up):
    assert implied_gap(proposal(follow_up)) is None


def test_the_draft_states_at_most_two_implied_gaps_after_what_the_record_states():
    chat = [
        ("09:45", "Mara Quist", "taking IC"),
        (
            "10:40",
            "Tobin Vale",
            "Action items:\n- make the exporter refuse to post an invoice with an empty total\n"
            "- add a contract test that posts a v7 invoice with three lines\n"
            "- add a canary stage to the billing release pipeline before production",
        ),
    ]
    factors = engine(ROWS, chat).contributing_factors()
    implied = [f for f in factors if f.confidence == Confidence.low and not f.disputed]
    assert [f.statement for f in implied] == [
        "The exporter did not refuse to post an invoice with an empty total.",
        "There was no contract test that posts a v7 invoice with three lines.",
    ]
    assert factors[-2:] == implied  # after the factors the record states
    assert all(f.evidence == ["C2"] for f in implied)  # the message that proposed them


def test_the_report_that_detected_the_impact_is_no_sign_explained_away():
    """ "the crew app ignored approved swaps" is the report that detected the impact; "ignored" there is what the
    system did, not a warning someone dismissed before the detection."""
    rows = [
        ("09:00", "Roster-publish finished; 412 pairings published from a replica snapshot missing approved swaps"),
        ("09:40", "Crew scheduling desk reported in #crew-ops-oncall that the crew app ignored approved swaps"),
        ("10:30", "Resolved"),
    ]
    drafting = engine(rows, [("09:45", "Mara Quist", "taking IC")])
    report = drafting.by_id["T2"]
    drafting.facts.detected = Fact(name="detected", value=report.text, time=report.time, evidence=["T2"])
    assert not any("T2" in f.evidence for f in drafting.contributing_factors())
