"""Property tests of the verifier: generated true claims pass, every small perturbation fails.

Each test states its own oracle (what a true claim may say), independent of the verifier's arithmetic:
a duration is true when it is the HH:MM difference of two cited times, or the second-exact difference
rounded either way at a half; a clock is the cited item's minute or exact second; a number or
percentage is one the cited text writes, with the same unit.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.drafting.verify import claim_problems
from pipeline.facts import Evidence
from pipeline.models import Claim

DAY_START = datetime(2024, 3, 12, tzinfo=UTC)
MINUTE_WORDS = ["minutes", "minute", "min", "mins", "m"]
DURATION_FRAMES = ["Errors lasted {d}.", "The alert fired within {d}.", "Impact lasted for {d} before mitigation."]

instants = st.integers(min_value=0, max_value=86400 - 1).map(lambda s: DAY_START + timedelta(seconds=s))
gaps = st.integers(min_value=120, max_value=6 * 3600)  # two cited items at least two minutes apart


def ok(text: str, evidence: dict[str, Evidence]) -> bool:
    return claim_problems(Claim(text=text, evidence=list(evidence)), evidence) == []


def two_items(start: datetime, gap: int) -> dict[str, Evidence]:
    return {
        "T1": Evidence("T1", start, "Error rate above baseline on the gateway"),
        "T2": Evidence("T2", start + timedelta(seconds=gap), "Error rate back to baseline"),
    }


def true_minutes(start: datetime, gap: int) -> tuple[int, int]:
    """The oracle: whole minutes a careful writer may state, as a closed range."""
    end = start + timedelta(seconds=gap)
    visible = (end.replace(second=0) - start.replace(second=0)).total_seconds() // 60
    exact = gap / 60
    candidates = {int(visible), math.floor(exact + 0.5), math.ceil(exact - 0.5)}
    return min(candidates), max(candidates)


def minutes_text(value: int, word: str) -> str:
    return f"{value}{word}" if word == "m" else f"{value} {word}"


@settings(max_examples=300, deadline=None)
@given(instants, gaps, st.data())
def test_a_true_duration_passes(start, gap, data):
    evidence = two_items(start, gap)
    low, high = true_minutes(start, gap)
    stated = data.draw(st.integers(min_value=low, max_value=high))
    word = data.draw(st.sampled_from(MINUTE_WORDS))
    frame = data.draw(st.sampled_from(DURATION_FRAMES))
    assert ok(frame.format(d=minutes_text(stated, word)), evidence)
    assert ok(frame.format(d=f"{gap} seconds"), evidence)
    hours, minutes = divmod(
        int(
            (start + timedelta(seconds=gap)).replace(second=0).timestamp() // 60
            - start.replace(second=0).timestamp() // 60
        ),
        60,
    )
    if hours and minutes:
        assert ok(frame.format(d=f"{hours}h {minutes}m"), evidence)


@settings(max_examples=300, deadline=None)
@given(instants, gaps, st.data())
def test_a_perturbed_duration_fails(start, gap, data):
    evidence = two_items(start, gap)
    low, high = true_minutes(start, gap)
    wrong = data.draw(
        st.one_of(
            st.integers(min_value=0, max_value=low - 1) if low else st.nothing(),
            st.integers(min_value=high + 1, max_value=high + 30),
        )
    )
    word = data.draw(st.sampled_from(MINUTE_WORDS))
    frame = data.draw(st.sampled_from(DURATION_FRAMES))
    assert not ok(frame.format(d=minutes_text(wrong, word)), evidence)
    right = data.draw(st.integers(min_value=low, max_value=high))
    assume(right * 3600 > gap + 3600)  # "N hours" for N true minutes is wrong unless the numbers collide
    assert not ok(frame.format(d=f"{right} hours"), evidence)
    assert not ok(frame.format(d=f"{right}%"), evidence)
    assume(abs(right - gap) > 1)
    assert not ok(frame.format(d=f"{right} seconds"), evidence)


@settings(max_examples=300, deadline=None)
@given(instants)
def test_a_true_clock_passes_and_a_perturbed_one_fails(moment):
    evidence = {"T4": Evidence("T4", moment, "Incident declared")}
    assert ok(f"The incident was declared at {moment:%H:%M} UTC.", evidence)
    assert ok(f"The incident was declared at {moment:%H:%M:%S} UTC.", evidence)
    for shift in (timedelta(minutes=1), timedelta(minutes=-1), timedelta(hours=1), timedelta(hours=-2)):
        assert not ok(f"The incident was declared at {moment + shift:%H:%M} UTC.", evidence)
    for seconds in (1, -1, 30):
        assert not ok(f"The incident was declared at {moment + timedelta(seconds=seconds):%H:%M:%S} UTC.", evidence)


@settings(max_examples=300, deadline=None)
@given(instants, instants)
def test_a_clock_with_seconds_in_the_text_is_read_whole(logged, stated):
    text = f"Certificate expired at {stated:%H:%M:%S} UTC"
    evidence = {"T1": Evidence("T1", logged, text)}
    assert ok(f"The certificate expired at {stated:%H:%M:%S} UTC.", evidence)
    assert ok(f"The certificate expired at {stated:%H:%M} UTC.", evidence)
    tail = f"{stated:%M:%S}"  # "09:12:00 UTC" read as "12:00 UTC"
    assume(tail != f"{stated:%H:%M}" and tail != f"{logged:%H:%M}")
    assert not ok(f"The certificate expired at {tail} UTC.", evidence)


numbers = st.integers(min_value=1, max_value=99)
counts = st.integers(min_value=100, max_value=250_000)


@settings(max_examples=300, deadline=None)
@given(numbers, counts, st.data())
def test_a_true_number_passes_and_a_perturbed_one_fails(percent, count, data):
    evidence = {
        "C4": Evidence(
            "C4", DAY_START, f"about {percent}% of requests failing, {count:,} orders affected", "Ana", "message"
        )
    }
    assert ok(f"About {percent}% of requests failed.", evidence)
    assert ok(f"About {count:,} orders were affected.", evidence)
    assert ok(f"About {count} orders were affected.", evidence)
    digits = str(percent)
    perturbed = {
        int(digits[:-1] or 0),
        int(digits[1:] or 0),
        int(digits + "1"),
        percent + 1,
        percent - 1,
        percent * 10,
    } - {percent, 0}
    wrong = data.draw(st.sampled_from(sorted(perturbed)))
    assert not ok(f"About {wrong}% of requests failed.", evidence)
    assume(percent != count)
    assert not ok(f"About {percent} requests failed.", evidence)  # a percentage is not a count
    assert not ok(f"The alert fired within {percent} minutes.", evidence)  # nor a duration
    assert not ok(f"About {count}% of orders were affected.", evidence)
    wrong_count = data.draw(st.sampled_from([count + 1, count - 1, count * 10, count // 10]))
    assume(wrong_count not in (count, percent))
    assert not ok(f"About {wrong_count:,} orders were affected.", evidence)


@settings(max_examples=200, deadline=None)
@given(numbers)
def test_a_substring_of_a_number_is_not_that_number(percent):
    """The bug this replaced: "9%" and "1%" passed against "91%", "2 minutes" against "20%"."""
    evidence = {"T3": Evidence("T3", DAY_START, f"search-api 5xx rate > {percent}%")}
    for wrong in {int(c) for c in str(percent)} - {percent}:
        assert not ok(f"The 5xx rate rose above {wrong}%.", evidence)
        assert not ok(f"Detection took {wrong} minutes.", evidence)
