"""The learned blame detector (BL011): what it reads, what it leaves alone, and how a team turns it off."""

from __future__ import annotations

import json

from pipeline.blameless import lint_text
from pipeline.blameless.config import BlamelessConfig
from pipeline.blameless.detector import WEIGHTS_PATH, load_detector

# Blame with no phrase any rule knows: only the model can catch it.
KEYWORDLESS = "bro clicked approve and went to lunch lol"
ON = BlamelessConfig(levels={"BL011": "warning"})


def ids(text: str, config: BlamelessConfig = ON) -> list[str]:
    return [finding.rule_id for finding in lint_text(text, config=config)]


def test_is_opt_in() -> None:
    assert ids(KEYWORDLESS, config=BlamelessConfig()) == []


def test_flags_blame_that_no_rule_phrase_matches() -> None:
    assert ids(KEYWORDLESS) == ["BL011"]


def test_leaves_praise_and_system_sentences_alone() -> None:
    assert ids("Thanks to Priya, the failover took 4 minutes instead of 40.") == []
    assert ids("The autoscaler added 3 nodes at 14:02 and latency recovered.") == []


def test_quoted_and_code_text_is_never_read() -> None:
    assert ids(f"> {KEYWORDLESS}\n") == []
    assert ids(f"```\n{KEYWORDLESS}\n```\n") == []


def test_allow_and_off_win_over_turning_it_on() -> None:
    on = {"levels": {"BL011": "warning"}}
    assert ids(KEYWORDLESS, config=BlamelessConfig(allow=["BL011"], **on)) == []
    assert ids(KEYWORDLESS, config=BlamelessConfig(levels={"blame-sentence": "off"})) == []


def test_finding_is_one_warning_for_the_whole_sentence() -> None:
    (finding,) = lint_text(f"Summary.\n\n{KEYWORDLESS}.\n", config=ON)
    assert finding.level.value == "warning"
    assert finding.line == 3
    assert finding.match.startswith("bro clicked")


def test_threshold_and_weights_ship_with_the_package() -> None:
    shipped = json.loads(WEIGHTS_PATH.read_text())
    model = load_detector()
    assert 0.0 < model.threshold < 1.0
    assert shipped["threshold"] == model.threshold


def test_neutral_report_shapes_are_never_read() -> None:
    from pipeline.blameless.detector import features
    from pipeline.blameless.people import build_roster

    roster = build_roster()
    neutral = [
        "Fix for Why 3: Anya owns making the capacity review mandatory.",
        "On-call at time of incident: Wei Zhang (primary), Tariq Aziz (secondary)",
        "It is not the fault of the on-call, the alert went to an old phone number.",
        "dave didn't break anything btw, his deploy was 2 hrs before the spike",
        "10:05 Lena: the drain should be done in ~2 min",
        "Mia said she expected the flag to default to off in staging.",
        "| Add a pre-merge schema check | Aisha | P1 |",
    ]
    assert [features(text, roster) for text in neutral] == [None] * len(neutral)
    # the same people in a sentence that judges them are still read
    assert features("Anya skipped the capacity review again, classic.", roster) is not None
    assert features("Lena ignored the drain warning for 2 hours.", roster) is not None


def test_a_timeline_row_that_reports_one_action_is_not_blame() -> None:
    assert ids("14:02 Nadia deployed build 512 to production") == []
    assert ids("12:30 Lena merged PR #4411 to main") == []
    from pipeline.blameless.detector import features
    from pipeline.blameless.people import build_roster

    # a sign that the step went against what was expected keeps the row readable
    assert features("06:45 Nadia pushed 9.1.0 to all 40 nodes at once, skipping canary", build_roster()) is not None
    assert features("03:00 Nadia deployed again on a Friday night", build_roster()) is not None


def test_a_sentence_about_someone_with_no_sign_of_a_slip_or_judgement_is_not_read() -> None:
    from pipeline.blameless.detector import features
    from pipeline.blameless.people import build_roster

    roster = build_roster()
    plain = [
        "Two engineers worked in shifts through the weekend and rebuilt the index.",
        "Network managers watched the switch alarms from the operations centre.",
    ]
    assert [features(text, roster) for text in plain] == [None] * len(plain)
    # the same sentences with a cue are read, and training reads them all (more negatives about people)
    assert features("Two engineers worked in shifts and still missed the index rebuild.", roster) is not None
    assert features("Network managers watched the switch alarms, great job guys!", roster) is not None
    assert features(plain[0], roster, require_cue=False) is not None
