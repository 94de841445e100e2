"""The key-time row ranker: its ordered choice is the best ordered one, short tables stay with the phrase rules, a
timeline written here gets the rows a reader would pick, and train_key_times.py reproduces the shipped dev figures."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest

from pipeline.facts import extract_facts
from pipeline.key_times import (
    KEY_TIMES,
    MEANINGS_WEIGHTS_FILE,
    MIN_ROWS,
    WEIGHTS_FILE,
    load_model,
    ordered_choice,
    rank_key_times,
)
from support import REPO_ROOT, make_incident

TRAIN = REPO_ROOT / "evals" / "incidents" / "train_key_times.py"

TLS_ROWS = [
    ("09:02", "Config push changed the ingress TLS cipher list on edge-3"),
    ("09:05", "Android 9 clients began failing TLS handshakes against edge-3"),
    ("09:31", "Support ticket: customers report the app shows 'connection error' at login"),
    ("09:36", "SEV-2 declared; Ana Costa IC"),
    ("09:44", "Handshake errors traced to the cipher list change"),
    ("09:50", "Config push reverted on edge-3"),
    ("09:58", "Handshake failures back to baseline; logins succeeding"),
    ("10:40", "Incident resolved"),
]
TLS_CHAT = [("09:33", "Ana Costa", "looking"), ("09:40", "Femi Ade", "edge-3 handshake errors up")]


def brute_force(probabilities: np.ndarray) -> list[int]:
    rows, keys = probabilities.shape
    logs = np.log(probabilities + 1e-12)
    ordered = (c for c in itertools.product(range(rows), repeat=keys) if list(c) == sorted(c))
    return list(max(ordered, key=lambda choice: sum(logs[row, key] for key, row in enumerate(choice))))


@pytest.mark.parametrize("seed", range(20))
def test_the_ordered_choice_is_the_likeliest_choice_in_table_order(seed):
    random = np.random.default_rng(seed)
    probabilities = random.dirichlet(np.ones(6), size=4).T  # 6 rows, 4 key times: argmaxes often out of order
    chosen = ordered_choice(probabilities)
    assert chosen == sorted(chosen)
    assert chosen == brute_force(probabilities)


def test_a_key_time_whose_likeliest_row_comes_too_early_moves_to_a_later_row():
    probabilities = np.array(
        [
            [0.9, 0.1, 0.1, 0.1],
            [0.05, 0.8, 0.2, 0.1],  # detected's best row
            [0.03, 0.05, 0.1, 0.1],
            [0.02, 0.05, 0.6, 0.7],
        ]
    )
    probabilities[0, 2] = 0.9  # mitigated would pick the first row on its own
    probabilities /= probabilities.sum(axis=0, keepdims=True)
    assert ordered_choice(probabilities) == [0, 1, 3, 3]


def test_a_table_shorter_than_the_ranker_was_trained_on_is_left_to_the_rules():
    incident = make_incident(TLS_ROWS[: MIN_ROWS - 1])
    assert rank_key_times([*incident.timeline.events], []) is None


def test_the_shipped_weights_cover_every_key_time_and_read_the_engine_signals():
    model = load_model()
    assert model.weights.shape == (len(model.index), len(KEY_TIMES))
    assert any(name.startswith("signal:detection") for name in model.index)
    assert any(name.startswith("first:signal:") for name in model.index)


def test_a_timeline_written_here_gets_the_start_and_detection_a_reader_would_pick():
    facts = extract_facts(make_incident(TLS_ROWS, TLS_CHAT))
    assert facts.started.evidence == ["T2"]  # the first row stating harm, not the change that triggered it
    assert facts.detected.evidence == ["T3"]  # the customer report, not the declaration
    assert facts.mitigated.evidence == ["T7"] and facts.resolved.evidence == ["T8"]
    assert facts.time_to_detect_minutes == 26


def test_on_a_long_table_the_ranked_start_stands_where_no_phrase_rule_states_harm():
    """ "Tank 3 and tank 5 readings climbing past their setpoints" states harm in words no phrase rule knows: the
    ranker's row is the start (gold authors give a start for 99 of 101 dev incidents), not "Not established"."""
    rows = [
        ("09:10", "Fee-engine 4.2 deployed to production"),
        ("09:40", "Tank 3 and tank 5 readings climbing past their setpoints"),
        ("10:05", "Cellar staff report warm tanks to the on-call"),
        ("10:10", "SEV-2 declared"),
        ("10:40", "Driver config found reading the setpoint in the wrong unit"),
        ("11:00", "Driver rolled back; valves opening"),
        ("11:40", "Tanks back at setpoint; resolved"),
    ]
    facts = extract_facts(make_incident(rows))
    assert facts.started.evidence == ["T2"] and facts.detected.evidence == ["T3"]


def test_a_start_the_rules_leave_not_established_stays_so_when_the_alert_is_the_first_word_of_harm():
    rows = [
        ("13:14", "Synthetic SSO login check failed; PagerDuty triggered"),
        ("13:20", "SEV-2 declared"),
        ("13:31", "IdP certificate found expired"),
        ("13:52", "New certificate uploaded to the IdP"),
        ("14:10", "Service provider metadata refreshed on the portal"),
        ("14:47", "SSO logins succeeding again"),
        ("15:15", "Incident resolved"),
    ]
    facts = extract_facts(make_incident(rows))
    assert facts.started is None
    assert facts.detected.evidence == ["T1"]


@pytest.mark.parametrize("targets", ["gold", "labels"])
def test_train_reproduces_the_shipped_dev_figures(targets):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, str(TRAIN), "--check", "--targets", targets]
    out = subprocess.run(command, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "largest difference" in out.stdout


def test_the_mitigation_is_the_first_step_that_stopped_the_harm_for_everyone():
    """A fallback at 3 of 12 stations helped some travellers; the restored firmware on every gate stopped the harm
    for all: the mitigation ranker (fitted on rows labelled by that meaning) picks it, where the phrase rules found
    no mitigation at all in this wording."""
    rows = [
        ("08:00", "Firmware 7.1 pushed to the ticket gates at every station"),
        ("08:06", "Gates at all 12 stations stop reading contactless cards"),
        ("08:20", "Station staff call the control room: queues at the gates"),
        ("08:24", "SEV-1 declared; Femi Ade IC"),
        ("08:41", "Gates at 3 stations switched to the fallback reader; cards read there"),
        ("08:58", "Firmware 7.0 restored on every gate; contactless cards accepted at all 12 stations"),
        ("09:30", "Fare adjustments for travellers charged twice queued"),
        ("10:15", "Incident resolved"),
    ]
    facts = extract_facts(make_incident(rows))
    assert facts.mitigated is not None and facts.mitigated.evidence == ["T6"], facts.mitigated
    assert facts.resolved.evidence == ["T8"]


def test_the_mitigation_ranker_ships_beside_the_gold_ranker():
    meanings = load_model(MEANINGS_WEIGHTS_FILE)
    assert meanings is not load_model() and meanings.weights.shape[1] == len(KEY_TIMES)


def rank_rows_as(monkeypatch, gold: dict[str, str], meaning: dict[str, str] | None = None) -> None:
    """Stand in for the two key-time rankers: the one fitted on the gold times picks the `gold` rows (ids like "T3"),
    the one fitted on the documented meanings the `meaning` rows (the same when not given)."""
    import pipeline.facts as facts

    def ranked(timeline, chat_times):
        row = {item.id: item for item in timeline}
        return {
            WEIGHTS_FILE: {key: row[ref] for key, ref in gold.items()},
            MEANINGS_WEIGHTS_FILE: {key: row[ref] for key, ref in (meaning or gold).items()},
        }

    monkeypatch.setattr(facts, "rank_key_times", ranked)


def test_a_ranked_detection_after_the_declaration_gives_way_to_the_rules(monkeypatch):
    """Nobody declares an incident before it is known: a ranker that reads a later row (a resolution note that
    repeats the alert's title) as the detection is overruled by the phrase rules' detection."""
    rows = [
        ("09:00", "PagerDuty alert fired: at least two servers failed to start; SEV-2 declared"),
        ("09:40", "Engineer starts to investigate the failing servers"),
        ("10:10", "Certificates of the cluster found expired"),
        ("11:00", "Cluster recreated; servers start again. [FIRING] at least two servers failed to start"),
        ("11:05", "Incident resolved"),
        ("11:30", "Follow-up issue filed for certificate renewal"),
    ]
    incident = make_incident(rows)

    rank_rows_as(monkeypatch, {"started": "T1", "detected": "T4", "mitigated": "T4", "resolved": "T5"})
    found = extract_facts(incident)
    assert found.declared is not None and found.declared.evidence == ["T1"], found.declared
    assert found.detected is not None and found.detected.evidence == ["T1"], found.detected


def test_a_ranked_start_after_the_first_alert_is_no_start(monkeypatch):
    """Harm stated by an alert a day before the row a ranker reads as the start ("engineer cannot reach the API
    server"): a start after the detection is impossible, so the start stays where the rules leave it."""
    rows = [
        ("09:00", "[FIRING:1] At least two servers failed to start in the last 30m; PagerDuty triggered"),
        ("09:40", "Engineer starts to investigate the alert"),
        ("09:41", "Engineer cannot access the Kubernetes API server: certificate error"),
        ("10:10", "Cluster recreation attempt started"),
        ("11:00", "Cluster recreated; servers start again"),
        ("11:05", "Incident resolved"),
    ]
    incident = make_incident(rows)

    rank_rows_as(
        monkeypatch,
        {"started": "T1", "detected": "T1", "mitigated": "T5", "resolved": "T6"},
        {"started": "T3", "detected": "T4", "mitigated": "T5", "resolved": "T6"},
    )
    found = extract_facts(incident)
    assert found.started is None or found.started.evidence == ["T1"], found.started
    assert found.detected is not None and found.detected.evidence == ["T1"], found.detected


def test_the_start_comes_from_the_ranker_fitted_on_the_documented_meanings(monkeypatch):
    """A deploy row is the trigger, not the harm (docs/key-times.md): where the two rankers disagree on the start, the
    one fitted on the documented meanings is taken."""
    incident = make_incident(TLS_ROWS, TLS_CHAT)
    rank_rows_as(
        monkeypatch,
        {"started": "T1", "detected": "T3", "mitigated": "T7", "resolved": "T8"},
        {"started": "T2", "detected": "T3", "mitigated": "T7", "resolved": "T8"},
    )
    assert extract_facts(incident).started.evidence == ["T2"]


@pytest.mark.parametrize(
    "early_row",
    [
        "OTA rollout reported complete: 212/212 robots on 4.8.0",
        "Low-urgency page: scoring p95 latency above 2 s; auto-resolved 07:58; no action taken",
    ],
)
def test_a_ranked_start_after_an_alert_that_stated_no_harm_stands(monkeypatch, early_row):
    """A report before the harm that states none ("rollout reported complete") or an alert let go ("no action
    taken") detected nothing: the ranked start after it stands, and the detection is the alert after the start."""
    rows = [
        ("02:10", "OTA rollout of firmware 4.8.0 started to all robots"),
        ("02:51", early_row),
        ("06:00", "Pick waves released; robots not accepting transport missions"),
        ("06:07", "FleetMon alert: fleet availability 0%; 1,240 missions unassigned"),
        ("06:14", "SEV-1 declared"),
        ("07:25", "Robots rolled back to 4.7.2 and picking resumed"),
        ("10:15", "Incident resolved"),
    ]
    incident = make_incident(rows)

    rank_rows_as(monkeypatch, {"started": "T3", "detected": "T4", "mitigated": "T6", "resolved": "T7"})
    found = extract_facts(incident)
    assert found.started is not None and found.started.evidence == ["T3"], found.started
    assert found.detected is not None and found.detected.evidence == ["T4"], found.detected


def test_a_step_that_a_later_row_says_left_users_failing_is_no_mitigation():
    """ "sp1 secret restored", then "recovering in SP; PR and SC still failing", then "working in all states": the
    harm stopped for everyone at the last (docs/key-times.md: a step that helped only some users is not the
    mitigation)."""
    rows = [
        ("21:42", "First Android payments failing with a TLS error"),
        ("22:08", "Alert: pay-at-pump authorizations 61% below last Friday"),
        ("22:24", "SEV-2 declared"),
        ("23:02", "sp1: certificate rolled back; old secret restored, payments succeeding in SP"),
        ("23:09", "Android pay-at-pump recovering in SP and MG; PR and SC still failing"),
        ("23:31", "cwb1 serving the old chain on all 3 pods; Android pay-at-pump working in all states"),
        ("23:55", "Incident resolved"),
    ]
    found = extract_facts(make_incident(rows))
    assert found.mitigated is not None and found.mitigated.evidence == ["T6"], found.mitigated


def test_harm_found_spreading_after_a_step_moves_the_mitigation_to_the_rollback():
    """An exemption that fixed one customer, then "two more merchants found getting 403s", then the change reverted:
    the harm stopped for everyone at the revert. "No more 403s reported" is no spreading harm but the effect stated
    for all, so it stays the mitigation."""
    rows = [
        ("09:00", "waf-rules #77 deployed: stricter header check"),
        ("09:02", "Merchants began getting HTTP 403 on checkout"),
        ("09:40", "SEV-2 declared"),
        ("09:55", "Merchant Lumo allow-listed; Lumo checkouts succeeding"),
        ("10:05", "Two more merchants found getting 403s on checkout"),
        ("10:20", "waf-rules #77 reverted"),
        ("11:00", "Incident resolved"),
    ]
    found = extract_facts(make_incident(rows))
    assert found.mitigated is not None and found.mitigated.evidence == ["T6"], found.mitigated
    settled = [*rows[:4], ("10:05", "No more 403s reported by any merchant"), *rows[5:]]
    found = extract_facts(make_incident(settled))
    assert found.mitigated is not None and found.mitigated.evidence == ["T5"], found.mitigated


@pytest.mark.parametrize(
    ("text", "mitigates"),
    [
        ("Engineer reports failure to upgrade; this requires us to re-create the cluster", False),
        ("Rollback to 4.1 failed on two nodes", False),
        ("Restarted the consumers; it did not help", False),
        ("Engineer reports success of cluster recreation; spawns work again", True),
    ],
)
def test_a_row_that_reports_a_failed_step_is_never_the_ranked_mitigation(text, mitigates):
    """The ranker reads words, not outcomes: "failure to upgrade" between detection and resolution is no mitigation."""
    from datetime import UTC, datetime

    from pipeline.facts import Evidence, Fact, _ranked_mitigation

    detected = Fact(name="detected", value="alert", time=datetime(2026, 3, 3, 16, 1, tzinfo=UTC), evidence=["T1"])
    row = Evidence(id="T7", time=datetime(2026, 3, 5, 17, 5, tzinfo=UTC), text=text)
    assert (_ranked_mitigation(row, detected, None) is not None) is mitigates


@pytest.mark.parametrize(
    "first_harm",
    [
        "Database stops accepting writes; lift alarms no longer create dispatch tickets",  # "alarms" names what broke
        'First launches failing with the "Your session has expired" page (from logs)',  # a web page, not a pager's
    ],
)
def test_the_start_row_whose_words_sound_like_an_alert_gives_way_to_the_ranked_report(monkeypatch, first_harm):
    """The first row of harm that names alarms or a page as what broke is no alert: where the ranker reads a later
    report as the detection, the report is the detection and the time to detect is not zero."""
    rows = [
        ("09:00", "Release 4.2 deployed"),
        ("09:20", first_harm),
        ("09:41", "Call centre agent reports a customer stuck with no ticket in the console"),
        ("09:46", "SEV-2 declared; Rania Haddad IC"),
        ("10:30", "Release rolled back; new requests succeed"),
        ("11:00", "Incident resolved"),
    ]
    incident = make_incident(rows)

    rank_rows_as(monkeypatch, {"started": "T2", "detected": "T3", "mitigated": "T5", "resolved": "T6"})
    found = extract_facts(incident)
    assert found.started is not None and found.started.evidence == ["T2"], found.started
    assert found.detected is not None and found.detected.evidence == ["T3"], found.detected
    assert found.time_to_detect_minutes == 21


def test_a_warning_put_down_to_something_else_gives_way_to_the_ranked_report(monkeypatch):
    """A warning let go when it came ("put down to preload traffic and left") led nobody to the harm, even when its
    words state some (latency over threshold): the ranker's later report is the detection."""
    rows = [
        ("21:34", "entitlements-api 2.14.0 synced to all regions"),
        ("21:41", "First launch failures with E-4031 on launcher 3.x clients (from telemetry)"),
        ("21:58", "Grafana warning: p99 latency over threshold; put down to preload traffic and left"),
        ("22:04", "Community manager relays forum reports: players cannot launch"),
        ("22:09", "SEV-2 declared; Mikko IC"),
        ("23:36", "Launches succeeding in all regions"),
        ("00:41", "Incident resolved"),
    ]
    incident = make_incident(rows)

    rank_rows_as(monkeypatch, {"started": "T2", "detected": "T4", "mitigated": "T6", "resolved": "T7"})
    found = extract_facts(incident)
    assert found.detected is not None and found.detected.evidence == ["T4"], found.detected


def test_a_run_that_reported_success_before_the_harm_detected_nothing():
    """A job's "run reported as succeeded" before the first row of harm is no report of it: the start stands, and the
    detection is the alert after it (no ranker involved: a table this short is read by the phrase rules)."""
    rows = [
        ("23:00", "Nightly reindex started"),
        ("23:19", "Bulk load finished; rejected bulk items logged as warnings only, run reported as succeeded"),
        ("23:22", "First searches returning no results for parks (from search logs, added afterwards)"),
        ("23:38", "Grafana alert fired: zero-result ratio; on-call acked"),
        ("23:47", "SEV-2 declared"),
    ]
    found = extract_facts(make_incident(rows))
    assert found.started is not None and found.started.evidence == ["T3"], found.started
    assert found.detected is not None and found.detected.evidence == ["T4"], found.detected


def test_a_row_that_marks_the_outage_beginning_stays_the_start_over_the_rankers_choice(monkeypatch):
    rows = [
        ("08:47", "Auto-generated bump PR merged, which deploys the job scheduler. Outage begins."),
        ("08:57", "Stale status contexts noticed, blocking merges on every repo"),
        ("09:02", "Rollback PR opened"),
        ("09:12", "Rollback PR merged by hand, itself blocked on missing contexts"),
        ("09:19", "Suspected the scheduler cannot deploy itself"),
        ("09:27", "Deploy job found created in the wrong namespace"),
        ("09:29", "Scheduler rolled back by hand"),
        ("09:34", "Scheduler confirmed working. Outage ends."),
    ]
    incident = make_incident(rows)
    assert extract_facts(incident).started.evidence == ["T1"]

    rank_rows_as(monkeypatch, dict.fromkeys(("started", "detected", "mitigated", "resolved"), "T4"))
    assert extract_facts(incident).started.evidence == ["T1"]


def test_a_ranked_step_that_states_no_effect_gives_way_to_the_next_row_saying_the_harm_stopped(monkeypatch):
    rows = [
        ("14:02", "Notification template bundle v42 published to the push service"),
        ("14:10", "Android push notifications stopped being delivered"),
        ("14:31", "Customer support reported users not receiving order notifications"),
        ("14:35", "Lena (IC) declared SEV-2"),
        ("14:52", "Template bundle rolled back to v41"),
        ("15:00", "Android push delivery back to normal"),
        ("15:20", "Incident resolved"),
    ]
    rank_rows_as(monkeypatch, {"started": "T2", "detected": "T3", "mitigated": "T5", "resolved": "T7"})
    assert extract_facts(make_incident(rows)).mitigated.evidence == ["T6"]
