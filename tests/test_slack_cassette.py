"""`fetch slack` replayed from a vcrpy cassette: no server, no network, the recorded 429 waited out again.

The cassette was recorded against the loopback fake (tests/slack_server.py) on a FIXED port, since vcrpy
matches the port; requests are matched on method, URL, query and form body, so a changed request is a
failure rather than another request's answer. Re-record (docs/slack.md says how to record against a
real workspace instead):

    POSTMORTEM_RECORD_CASSETTES=1 .venv/bin/python -m pytest tests/test_slack_cassette.py -q
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import vcr
from slack_server import FakeSlack, synthetic_channel

from pipeline.fetch.limits import load_limits
from pipeline.fetch.slack import fetch_slack
from support import RECORD_CASSETTES, REPO_ROOT, stable_response

CASSETTES = REPO_ROOT / "tests" / "cassettes" / "slack"
CASSETTE = "fetch_threads_and_429.yaml"
PORT = 18433
BASE_URL = f"http://127.0.0.1:{PORT}/api/"
# Recorded with this token; the cassette must not hold it (the Authorization header is filtered out).
CANARY = "canary-cassette-heron-4412"


def recorder() -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if RECORD_CASSETTES else "none",
        match_on=["method", "scheme", "host", "port", "path", "query", "body"],
        filter_headers=["authorization", "cookie", "set-cookie", "user-agent"],  # user-agent: the recording machine
        before_record_response=stable_response,
    )


def run_fetch(out: Path) -> list[float]:
    limits = load_limits()
    limits = limits.model_copy(update={"tiers": dict.fromkeys(limits.tiers, 0.0), "page_size": 20})
    waits: list[float] = []
    fetch_slack("C0SYNTH", "1715600000", "1715800000", out, CANARY, limits, base_url=BASE_URL, sleep=waits.append)
    return waits


def test_a_recorded_fetch_replays_with_its_429_and_writes_every_message(tmp_path):
    workspace = synthetic_channel(60, thread_every=6, users=4)
    out = tmp_path / "chat.jsonl"
    if RECORD_CASSETTES:
        CASSETTES.mkdir(parents=True, exist_ok=True)
        (CASSETTES / CASSETTE).unlink(missing_ok=True)
        with FakeSlack(workspace, token=CANARY, port=PORT, rate_limit_every=5, retry_after="0.5"):
            with recorder().use_cassette(CASSETTE):
                waits = run_fetch(out)
    else:
        if not (CASSETTES / CASSETTE).is_file():
            pytest.fail(f"missing cassette {CASSETTE}; record it with POSTMORTEM_RECORD_CASSETTES=1")
        with recorder().use_cassette(CASSETTE) as cassette:
            waits = run_fetch(out)
        assert cassette.all_played
    assert waits == [0.5] * len(waits) and len(waits) >= 3
    written = [json.loads(line)["ts"] for line in out.read_text().splitlines()]
    expected = [m["ts"] for m in workspace.history["C0SYNTH"]] + [
        r["ts"] for t in workspace.threads.values() for r in t
    ]
    assert sorted(written, key=Decimal) == sorted(expected, key=Decimal)


def test_the_cassette_holds_no_token():
    text = (CASSETTES / CASSETTE).read_text()
    assert CANARY not in text and "authorization" not in text.lower()
    assert "conversations.replies" in text and "code: 429" in text
