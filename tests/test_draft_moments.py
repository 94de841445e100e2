"""How a draft states moments: a zero-minute gap in words, never "0 minutes" (the verifier cannot check it when both
moments are one row, and it reads as a mistake); no "N minutes after" for moments out of order; a date for a
moment on another day."""

from pipeline.drafting import draft_incident
from support import make_incident


def test_declared_in_the_minute_of_detection_is_said_in_words_and_survives_the_verifier():
    incident = make_incident(
        [
            ("10:00", "Checkout error rate rose to 30%"),
            ("10:05", "PagerDuty alert fired for checkout errors; incident declared, SEV2"),
            ("10:40", "Rolled back the deploy; error rate back to baseline"),
        ]
    )
    draft, warnings = draft_incident(incident, similar=False)
    sentences = [claim.text for claim in draft.went_well + draft.went_wrong + draft.executive_summary]
    assert not any(" 0 minutes" in text for text in sentences), sentences
    assert not [w for w in warnings if "removed an unsupported sentence" in w], warnings
    assert any("in the same minute as detection" in text for text in sentences), sentences


def test_a_declaration_before_detection_is_not_said_to_follow_it():
    """Moments out of order (declared at 09:00, the first report at 11:00) give no "N minutes after" sentence."""
    incident = make_incident(
        [
            ("09:00", "Incident declared for search latency, SEV3"),
            ("09:30", "Search latency p99 rose to 4 s"),
            ("11:00", "Customers reported slow search in the support channel"),
            ("11:40", "Restarted the search pods; latency back to baseline"),
        ]
    )
    draft, _ = draft_incident(incident, similar=False)
    went_well = [claim.text for claim in draft.went_well]
    assert not any("declared" in text and "detection" in text for text in went_well), went_well


def test_a_moment_on_another_day_is_written_with_its_date():
    """ "Impact ended at 09:10 UTC" two days after a 16:00 alert reads as the same day; the date says otherwise."""
    from datetime import timedelta

    incident = make_incident(
        [
            ("16:00", "PagerDuty alert fired: build pods failing to start on binder-prod"),
            ("16:20", "Cluster certificates found expired"),
            ("17:00", "Cluster recreation started"),
            ("09:10", "Cluster recreated; build pods start again, errors back to baseline"),
        ]
    )
    last = incident.timeline.events[-1]
    moved = last.model_copy(update={"time": last.time + timedelta(days=2)})
    incident.timeline.events[-1] = moved
    draft, warnings = draft_incident(incident, similar=False)
    summary = " ".join(claim.text for claim in draft.executive_summary)
    assert f"09:10 UTC on {moved.time:%Y-%m-%d}" in summary, summary
    assert "16:00 UTC on" not in summary, summary
    assert not [w for w in warnings if "removed an unsupported sentence" in w], warnings
