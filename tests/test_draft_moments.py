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


def test_the_summary_says_what_went_wrong_in_the_start_rows_words_and_never_quotes_blame_or_a_change():
    """ "ci was impacted from 13:00 UTC" says nothing of the harm; the start row's first clause does. A row that
    blames someone, or a long one, is left out, not rewritten into the summary."""
    rows = [
        ("13:00", "ci.example.org is not able to start container agents; builds needing containers are queued"),
        ("14:40", "Remediation applied: container workloads run on a second cloud until the cluster is re-created"),
        ("15:02", "Incident resolved"),
    ]
    draft, warnings = draft_incident(make_incident(rows), similar=False)
    first = draft.executive_summary[0]
    assert first.text.endswith(
        ": \u201cci.example.org is not able to start container agents\u201d."
    ) and first.evidence == ["T1"]
    assert "14:40 UTC" in " ".join(claim.text for claim in draft.executive_summary)
    assert not [w for w in warnings if "removed an unsupported sentence" in w], warnings
    blaming = [("13:00", "Dave broke the build cluster, so container agents are not able to start")] + rows[1:]
    first = draft_incident(make_incident(blaming), similar=False)[0].executive_summary[0]
    assert first.text.endswith("from 13:00 UTC."), first.text
