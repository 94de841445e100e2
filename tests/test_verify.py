from datetime import UTC

from pipeline.drafting.verify import claim_problems, enforce_grounding
from pipeline.facts import Evidence
from pipeline.models import NOT_ESTABLISHED, Claim
from support import at

EVIDENCE = {
    "T1": Evidence("T1", at("10:04"), "Error rate rose to 12%"),
    "T2": Evidence("T2", at("10:30"), "Rolled back; 3,400 requests failed in total"),
    "C1": Evidence("C1", at("10:10"), "about 30% of logins failing", "Ana", "message"),
}


def test_supported_claim_has_no_problems():
    claim = Claim(text="Errors began at 10:04 UTC and lasted 26 minutes; 3,400 requests failed.", evidence=["T1", "T2"])
    assert claim_problems(claim, EVIDENCE) == []


def test_unknown_citation_is_reported():
    assert "not in the evidence index" in claim_problems(Claim(text="x", evidence=["C99"]), EVIDENCE)[0]


def test_a_time_not_in_the_cited_evidence_is_reported():
    problems = claim_problems(Claim(text="Errors began at 10:05 UTC.", evidence=["T1"]), EVIDENCE)
    assert problems == ["time 10:05 UTC is not the time of any cited evidence"]


def test_invented_numbers_and_durations_are_reported():
    problems = claim_problems(Claim(text="About 45% failed for 19 minutes.", evidence=["T1", "C1"]), EVIDENCE)
    assert "number 45 does not appear in the cited evidence" in problems
    assert "19 minutes does not follow from the cited evidence times" in problems


def test_a_claim_without_evidence_is_unsupported_unless_marked_not_established():
    assert claim_problems(Claim(text="It was DNS."), EVIDENCE) == ["cites no evidence"]
    assert claim_problems(Claim(text=NOT_ESTABLISHED, established=False), EVIDENCE) == []


def test_enforce_grounding_replaces_unsupported_claims(tmp_path):
    from pipeline.drafting.offline import draft_offline
    from pipeline.facts import extract_facts
    from support import make_incident

    incident = make_incident([("10:04", "Error rate rose to 12%"), ("10:30", "Rolled back; errors back to normal")])
    draft = draft_offline(incident, extract_facts(incident))
    bad = draft.model_copy(update={"impact": [Claim(text="Errors hit 99% at 10:04 UTC.", evidence=["T1"])]})
    evidence = {"T1": EVIDENCE["T1"], "T2": EVIDENCE["T2"]}
    fixed, warnings = enforce_grounding(bad, evidence)
    assert fixed.impact[0].text == NOT_ESTABLISHED and not fixed.impact[0].established
    assert any("number 99" in warning for warning in warnings)


def clock(hhmmss: str):
    from datetime import datetime

    return datetime.fromisoformat(f"2024-03-12T{hhmmss}+00:00").astimezone(UTC)


def test_the_cases_from_the_held_out_run():
    """Durations as the model sees them (HH:MM), times with seconds read whole, numbers by value and unit."""
    rows = {
        "T1": Evidence("T1", clock("09:12:40"), "Certificate on search-gw expired at 09:12:00 UTC"),
        "T2": Evidence("T2", clock("09:47:30"), "Error rate above 20%"),
        "T3": Evidence("T3", clock("09:52:00"), "Error rate at 91% of requests"),
        "T4": Evidence("T4", clock("10:09:40"), "Manual certificate issued"),
        "T5": Evidence("T5", clock("10:33:00"), "Error rate back to baseline"),
    }

    def problems(text: str, *ids: str) -> list[str]:
        return claim_problems(Claim(text=text, evidence=list(ids)), rows)

    assert problems("The certificate expired at 09:12:00 UTC.", "T1") == []
    assert problems("Errors rose for 5 minutes.", "T2", "T3") == []
    assert problems("Errors rose for 4 minutes.", "T2", "T3") == []
    assert (
        problems("Recovery took 23 minutes.", "T4", "T5") == [] and problems("Recovery took 24 min.", "T4", "T5") == []
    )
    assert problems("Recovery took 22 minutes.", "T4", "T5") == [
        "22 minutes does not follow from the cited evidence times"
    ]
    assert problems("The alert fired within 2 minutes.", "T2") == [
        "2 minutes does not follow from the cited evidence times"
    ]
    assert problems("About 9% of requests failed.", "T3") == ["number 9 does not appear in the cited evidence"]
    assert problems("About 1% of requests failed.", "T3") == ["number 1 does not appear in the cited evidence"]
    assert problems("It expired at 12:00 UTC.", "T1") == ["time 12:00 UTC is not the time of any cited evidence"]


def test_a_hyphenated_duration_is_a_duration():
    rows = {"T1": Evidence("T1", clock("13:00:00"), "Zone update published with a TTL of 5 seconds")}
    assert claim_problems(Claim(text="The update set a 5-second TTL.", evidence=["T1"]), rows) == []
    assert claim_problems(Claim(text="The update set a 5-minute TTL.", evidence=["T1"]), rows) != []


def test_a_removed_sentence_leaves_no_bare_placeholder_beside_what_the_section_still_says():
    """Two bare "Not established" bullets beside a real one read as filler; the warning names each removal."""
    from pipeline.drafting.offline import draft_offline
    from pipeline.facts import extract_facts
    from support import make_incident

    incident = make_incident([("10:04", "Error rate rose to 12%"), ("10:30", "Rolled back; errors back to normal")])
    draft = draft_offline(incident, extract_facts(incident))
    good = Claim(text="Errors rose to 12% at 10:04 UTC.", evidence=["T1"])
    bad = [
        Claim(text="Errors hit 99% at 10:04 UTC.", evidence=["T1"]),
        Claim(text="It lasted 3 hours.", evidence=["T2"]),
    ]
    fixed, warnings = enforce_grounding(draft.model_copy(update={"went_well": [bad[0], good, bad[1]]}), EVIDENCE)
    assert [claim.text for claim in fixed.went_well] == [good.text]
    assert sum("went_well: removed an unsupported sentence" in warning for warning in warnings) == 2


def test_a_gap_of_days_is_written_in_hours_and_minutes_and_checked_like_minutes():
    from datetime import timedelta

    from pipeline.drafting.offline import in_words

    start = at("08:13")
    days = {"T1": Evidence("T1", start, "Job blocked"), "T2": Evidence("T2", start + timedelta(minutes=3572), "Seen")}
    assert in_words(3572) == "59 hours 32 minutes" and in_words(119) == "119 minutes" and in_words(180) == "3 hours"
    said = "The impact began {} before the first alert or report."
    assert claim_problems(Claim(text=said.format(in_words(3572)), evidence=["T1", "T2"]), days) == []
    assert claim_problems(Claim(text=said.format("58 hours 32 minutes"), evidence=["T1", "T2"]), days) != []
