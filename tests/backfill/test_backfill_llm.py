"""`postmortem backfill --llm`: notes of our own through the loopback OpenAI-compatible server.

Each note gets its own scripted `backfill_extract` replies (the server answers per note, found by the
note's title in the prompt), so a test can fail one note and watch the others. What is asserted is what
a user relies on: verified fields kept with their lines, invented citations dropped with a warning, no
secret in any request, a failed note reported and retried alone on the next run, and requests paced.

The cassette test replays tests/cassettes/backfill_llm.yaml, recorded against the server on a fixed
port (vcrpy matches the port and the body). Re-record with:

    POSTMORTEM_RECORD_CASSETTES=1 .venv/bin/python -m pytest tests/backfill/test_backfill_llm.py -q -k cassette
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llm"))

from llm_server import FakeOpenAIServer, Reply, rate_limited, server_error  # noqa: E402

from pipeline import llm as llm_module  # noqa: E402
from pipeline.backfill import ratelimit  # noqa: E402
from pipeline.backfill.ratelimit import RateLimiter  # noqa: E402
from pipeline.cli import app  # noqa: E402
from pipeline.models import NOT_RECORDED, NoteRecord  # noqa: E402
from support import RECORD_CASSETTES, cassette_recorder  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "tests" / "cassettes"
PORT = 18431
TASK = "backfill_extract"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"


@dataclass(frozen=True)
class Note:
    """A small markdown note we write ourselves, and the extraction a careful model would return for it."""

    name: str
    title: str
    day: str = "2024-03-05"
    severity: str = "SEV-2"
    service: str = "checkout-api"
    extra: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return [
            f"# {self.title}",  # 1
            f"Date: {self.day}",  # 2
            f"Severity: {self.severity}",  # 3
            "",
            "## Summary",  # 5
            f"{self.service} returned 502 errors for 14 minutes after a load balancer config push.",  # 6
            "",
            "## Impact",  # 8
            f"About 3% of {self.service} requests failed between 10:02 and 10:16 UTC.",  # 9
            "",
            "## Timeline",  # 11
            f"- 10:02 UTC alert fired for {self.service} 5xx",  # 12
            "- 10:16 UTC config rolled back",  # 13
            "",
            "## Contributing factors",  # 15
            "- The load balancer config push had no canary stage.",  # 16
            "",
            "## Action items",  # 18
            "- Add a canary stage to load balancer config pushes.",  # 19
            "",
            "## Lessons",  # 21
            "- Config pushes need the same rollout safety as code.",  # 22
            *self.extra,
        ]

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.md"
        path.write_text("\n".join(self.lines()) + "\n", encoding="utf-8")
        return path

    def extraction(self, **changes: Any) -> dict[str, Any]:
        lines = self.lines()

        def value(text: str, line: int) -> dict[str, Any]:
            return {"value": text, "quote": lines[line - 1], "start_line": line, "end_line": line}

        def item(text: str, line: int) -> dict[str, Any]:
            return {"text": text, "start_line": line, "end_line": line}

        good = {
            "title": value(self.title, 1),
            "date": value(self.day, 2),
            "severity": value(self.severity, 3),
            "summary": value(lines[5], 6),
            "impact": value(lines[8], 9),
            "services": [item(self.service, 6)],
            "timeline": [
                {"time": "10:02 UTC", "text": f"alert fired for {self.service} 5xx", "start_line": 12, "end_line": 12},
                {"time": "10:16 UTC", "text": "config rolled back", "start_line": 13, "end_line": 13},
            ],
            "contributing_factors": [item("The load balancer config push had no canary stage.", 16)],
            "action_items": [item("Add a canary stage to load balancer config pushes.", 19)],
            "lessons": [item("Config pushes need the same rollout safety as code.", 22)],
        }
        return {**good, **changes}


class NoteReplies:
    """The server's `backfill_extract` answer for each request: the note's scripted faults first, then its
    good extraction. Records when each note's requests arrived."""

    def __init__(self, notes: list[Note]) -> None:
        self.notes = {note.title: note for note in notes}
        self.scripted: dict[str, deque[Reply]] = defaultdict(deque)
        self.always: dict[str, Reply] = {}
        self.arrivals: dict[str, list[float]] = defaultdict(list)

    def script(self, note: Note, *replies: Reply) -> None:
        self.scripted[note.name].extend(replies)

    def __call__(self, body: dict[str, Any]) -> Reply:
        user = str(body["messages"][1]["content"])
        note = next(note for title, note in self.notes.items() if title in user)
        self.arrivals[note.name].append(time.monotonic())
        if note.name in self.always:
            return self.always[note.name]
        if self.scripted[note.name]:
            return self.scripted[note.name].popleft()
        return Reply(note.extraction())

    def requests(self) -> dict[str, int]:
        return {name: len(times) for name, times in self.arrivals.items()}


ALPHA = Note("alpha", "Checkout API returned 502s after a config push")
BRAVO = Note(
    "bravo", "Search latency rose after an index rebuild", day="2023-11-20", severity="SEV-3", service="search-api"
)
CHARLIE = Note(
    "charlie", "Login failures during a certificate rotation", day="2022-07-01", severity="P1", service="auth-api"
)


@pytest.fixture(autouse=True)
def no_real_provider(monkeypatch, tmp_path):
    """No test reaches a real provider or reads a developer's postmortem.toml (found in the cwd)."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "POSTMORTEM_MODEL", "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def backoffs(monkeypatch) -> list[int]:
    """Backoff without a Retry-After is asked for, recorded and not waited (the attempt numbers are kept)."""
    asked: list[int] = []

    def no_wait(attempt: int) -> float:
        asked.append(attempt)
        return 0.0

    monkeypatch.setattr(llm_module, "backoff_seconds", no_wait)
    return asked


def serve(replies: NoteReplies, **options: Any) -> FakeOpenAIServer:
    return FakeOpenAIServer({TASK: replies}, **options)


def backfill(folder: Path, out: Path, base_url: str, *extra: str) -> Any:
    args = [
        "backfill",
        str(folder),
        "--out",
        str(out),
        "--llm",
        "test-model",
        "--base-url",
        base_url,
        "--no-progress",
        *extra,
    ]
    return CliRunner().invoke(app, args)


def record_of(out: Path, note: Note) -> NoteRecord:
    [path] = [p for p in (out / "records").glob("*.json") if p.name.startswith(f"notes-{note.name}-md-")]
    return NoteRecord.model_validate_json(path.read_text(encoding="utf-8"))


def manifest_rows(out: Path) -> dict[str, tuple[str, str | None, int]]:
    with sqlite3.connect(out / "manifest.sqlite") as db:
        rows = db.execute("SELECT relative, status, reason, llm_calls FROM notes").fetchall()
    return {relative: (status, reason, calls) for relative, status, reason, calls in rows}


# ---------------------------------------------------------------- extraction and provenance


def test_a_verified_extraction_is_kept_with_the_lines_it_came_from(tmp_path):
    ALPHA.write(tmp_path / "notes")
    replies = NoteReplies([ALPHA])
    with serve(replies) as server:
        result = backfill(tmp_path / "notes", tmp_path / "out", server.base_url, "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["processed"], summary["failed"], summary["llm_calls"]) == (1, 0, 1)
    assert summary["llm_tokens"] > 100

    record = record_of(tmp_path / "out", ALPHA)
    assert record.extraction == "llm" and record.warnings == []
    assert (record.title.value, record.title.lines.start, record.title.lines.end) == (ALPHA.title, 1, 1)
    assert (record.date.value, record.date.lines.start) == ("2024-03-05", 2)
    assert (record.severity.value, record.severity.lines.start) == ("SEV-2", 3)
    assert record.impact.value.startswith("About 3% of checkout-api") and record.impact.lines.start == 9
    assert [(row.time, row.lines.start) for row in record.timeline] == [("10:02 UTC", 12), ("10:16 UTC", 13)]
    assert [(f.text, f.lines.start) for f in record.contributing_factors] == [
        ("The load balancer config push had no canary stage.", 16)
    ]
    assert [(a.lines.start, lesson.lines.start) for a, lesson in zip(record.action_items, record.lessons)] == [(19, 22)]

    [request] = server.bodies
    assert request["response_format"]["json_schema"]["name"] == "NoteExtraction"
    user = request["messages"][1]["content"]
    assert "[task:backfill_extract]" in user and '<note source="notes/alpha.md">' in user
    assert '{"line": 16, "text": "- The load balancer config push had no canary stage."}' in user
    markdown = (tmp_path / "out" / "records" / f"{record.note_id}.md").read_text(encoding="utf-8")
    assert ALPHA.title in markdown


def test_invented_citations_are_dropped_to_not_recorded_with_a_warning(tmp_path):
    ALPHA.write(tmp_path / "notes")
    replies = NoteReplies([ALPHA])
    good = ALPHA.extraction()
    replies.script(
        ALPHA,
        Reply(
            ALPHA.extraction(
                title={"value": "Checkout database failover", "quote": None, "start_line": 1, "end_line": 1},
                date={"value": "2024-03-06", "quote": "Date: 2024-03-06", "start_line": 2, "end_line": 2},
                severity={"value": "SEV-2", "quote": "Severity: SEV-2", "start_line": 40, "end_line": 40},
                contributing_factors=[
                    {"text": "The primary database ran out of disk space.", "start_line": 16, "end_line": 16},
                    {"text": "The load balancer config push had no canary stage.", "start_line": 30, "end_line": 31},
                    good["contributing_factors"][0],
                ],
            )
        ),
    )
    with serve(replies) as server:
        result = backfill(tmp_path / "notes", tmp_path / "out", server.base_url)
    assert result.exit_code == 0, result.output

    record = record_of(tmp_path / "out", ALPHA)
    assert record.extraction == "llm"
    assert record.title.value == NOT_RECORDED and record.title.lines is None
    assert record.date.value == NOT_RECORDED and record.severity.value == NOT_RECORDED
    assert [(f.text, f.lines.start) for f in record.contributing_factors] == [
        ("The load balancer config push had no canary stage.", 16)
    ]
    assert record.summary.value == good["summary"]["value"]  # what was right is kept
    warnings = "\n".join(record.warnings)
    assert "llm title dropped" in warnings and "Checkout database failover" in warnings
    assert "llm date dropped" in warnings and "llm severity dropped" in warnings and "lines 40-40" in warnings
    assert "ran out of disk space" in warnings and "lines 30-31" in warnings
    assert len(record.warnings) == 5
    markdown = (tmp_path / "out" / "records" / f"{record.note_id}.md").read_text(encoding="utf-8")
    fields, dropped = markdown.split("## Extraction Warnings")
    assert "Checkout database failover" not in fields and "ran out of disk" not in fields
    assert fields.startswith(f"# {NOT_RECORDED}") and "Checkout database failover" in dropped


def test_a_secret_pasted_in_a_note_never_appears_in_a_request(tmp_path):
    leaky = Note(
        "leaky",
        "Payments timed out after a credential rotation",
        service="payments-api",
        extra=(
            "",
            "## Notes",
            "The db password is hunter2 and the deploy user's key was " + AWS_KEY + " at the time.",  # 25
        ),
    )
    leaky.write(tmp_path / "notes")
    with serve(NoteReplies([leaky])) as server:
        result = backfill(tmp_path / "notes", tmp_path / "out", server.base_url)
    assert result.exit_code == 0, result.output
    [request] = server.bodies
    [secret_line] = [line for line in request["messages"][1]["content"].splitlines() if '"line": 25' in line]
    assert "[REDACTED:password]" in secret_line and "[REDACTED:aws-access-key]" in secret_line  # sent, redacted
    sent = b"".join(server.raw_bodies).decode("utf-8")
    assert "hunter2" not in sent and AWS_KEY not in sent
    for written in (tmp_path / "out" / "records").iterdir():
        text = written.read_text(encoding="utf-8")
        assert "hunter2" not in text and AWS_KEY not in text


# ---------------------------------------------------------------- faults, failures, resume


def test_a_429_with_retry_after_is_waited_out_and_the_note_succeeds(tmp_path, backoffs):
    ALPHA.write(tmp_path / "notes")
    replies = NoteReplies([ALPHA])
    replies.script(ALPHA, rate_limited("0.3"))
    with serve(replies) as server:
        result = backfill(tmp_path / "notes", tmp_path / "out", server.base_url, "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["processed"], summary["failed"]) == (1, 0)
    first, second = replies.arrivals["alpha"]
    assert second - first >= 0.3  # Retry-After honoured (no exponential backoff asked for)
    assert backoffs == [] and server.attempts(TASK) == 2
    assert record_of(tmp_path / "out", ALPHA).title.value == ALPHA.title


@pytest.mark.parametrize(
    "fault, attempts, reason, waits",
    [
        # backoff is asked after each of the 4 attempts (after the last, to decide that it stops)
        (server_error(503), 4, "HTTP 503", [1, 2, 3, 4]),
        (Reply(raw_body="<html>bad gateway</html>"), 4, "after 4 attempts", [1, 2, 3, 4]),
        # a reply that is not the schema is a new call with the error fed back, not a transport retry
        (Reply('{"title": {"value": "Search latency'), 3, "did not match the schema after 3 calls", []),
    ],
    ids=["persistent-503", "garbled-body", "malformed-json"],
)
def test_a_note_the_model_keeps_failing_is_reported_and_a_rerun_retries_only_it(
    tmp_path, backoffs, fault, attempts, reason, waits
):
    for note in (ALPHA, BRAVO, CHARLIE):
        note.write(tmp_path / "notes")
    replies = NoteReplies([ALPHA, BRAVO, CHARLIE])
    replies.always["bravo"] = fault
    out = tmp_path / "out"
    with serve(replies) as server:
        first = backfill(tmp_path / "notes", out, server.base_url, "--concurrency", "3")
        assert first.exit_code == 0, first.output
        assert replies.requests() == {"alpha": 1, "bravo": attempts, "charlie": 1}
        assert backoffs == waits

        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert (summary["processed"], summary["failed"]) == (2, 1)
        # the failed note's calls count too: one call of 4 HTTP attempts, or 3 calls for bad JSON
        assert summary["llm_calls"] == 2 + (1 if waits else attempts)
        [failed] = summary["failed_notes"]
        assert failed["note"] == "notes/bravo.md" and reason in failed["reason"]
        assert "model unavailable" in failed["reason"]
        assert "failed (1): model unavailable" in first.output and "notes/bravo.md:" in first.output
        rows = manifest_rows(out)
        assert rows["notes/bravo.md"][0] == "failed" and reason in rows["notes/bravo.md"][1]
        assert rows["notes/alpha.md"][:2] == ("done", None) and rows["notes/charlie.md"][:2] == ("done", None)
        assert {p.stem.split("-md-")[0] for p in (out / "records").glob("*.json")} == {"notes-alpha", "notes-charlie"}

        del replies.always["bravo"]  # the provider recovers
        replies.arrivals.clear()
        second = backfill(tmp_path / "notes", out, server.base_url, "--format", "json")
    assert second.exit_code == 0, second.output
    assert replies.requests() == {"bravo": 1}
    summary = json.loads(second.output)
    assert (summary["processed"], summary["unchanged"], summary["failed"]) == (1, 2, 0)
    assert manifest_rows(out)["notes/bravo.md"] == ("done", None, 1)
    assert record_of(out, BRAVO).title.value == BRAVO.title


def test_every_http_attempt_passes_through_the_rate_limiter_and_is_spaced(tmp_path, monkeypatch):
    """--rpm 600: the limiter sees each attempt (a 429 retry too) with its estimated tokens, 0.1 s apart."""
    admitted: list[tuple[int, float]] = []

    class RecordingLimiter(RateLimiter):
        async def acquire(self, tokens: int = 0) -> None:
            await super().acquire(tokens)
            admitted.append((tokens, time.monotonic()))

    monkeypatch.setattr(ratelimit, "RateLimiter", RecordingLimiter)
    notes = [ALPHA, BRAVO, CHARLIE]
    for note in notes:
        note.write(tmp_path / "notes")
    replies = NoteReplies(notes)
    replies.script(BRAVO, rate_limited("0"))
    with serve(replies) as server:
        result = backfill(
            tmp_path / "notes",
            tmp_path / "out",
            server.base_url,
            "--rpm",
            "600",
            "--tpm",
            "1000000",
            "--concurrency",
            "3",
            "--format",
            "json",
        )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["processed"] == 3
    assert len(admitted) == server.attempts(TASK) == 4
    assert all(tokens > 1000 for tokens, _ in admitted)  # the prompt's estimate plus the reply allowance
    times = sorted(moment for _, moment in admitted)
    assert all(later - earlier >= 0.1 - 1e-3 for earlier, later in zip(times, times[1:]))


# ---------------------------------------------------------------- the limiter itself (fake clock)


class FakeTime:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def admissions(limiter: RateLimiter, fake: FakeTime, token_counts: list[int]) -> list[float]:
    """When each of several concurrent requests was let through."""
    admitted: list[float] = []

    async def one(tokens: int) -> None:
        await limiter.acquire(tokens)
        admitted.append(round(fake.now, 6))

    async def run() -> None:
        await asyncio.wait_for(asyncio.gather(*(one(tokens) for tokens in token_counts)), timeout=5)

    asyncio.run(run())
    return admitted


def test_requests_are_spaced_60_over_rpm_apart():
    fake = FakeTime()
    limiter = RateLimiter(rpm=120, clock=fake.clock, sleep=fake.sleep)
    assert admissions(limiter, fake, [0] * 5) == [0.0, 0.505, 1.01, 1.515, 2.02]  # 60/rpm plus a 1% margin


def test_a_request_after_a_quiet_spell_goes_at_once():
    fake = FakeTime()
    limiter = RateLimiter(rpm=60, clock=fake.clock, sleep=fake.sleep)
    assert admissions(limiter, fake, [0, 0]) == [0.0, 1.01]
    fake.now += 10.0
    assert admissions(limiter, fake, [0]) == [11.01] and fake.sleeps == [1.01]


def test_tpm_waits_for_the_token_bucket_to_refill():
    fake = FakeTime()
    limiter = RateLimiter(tpm=6000, clock=fake.clock, sleep=fake.sleep)
    # a full minute's budget to start; the second 5000 finds 1000 left and waits for 4000 at 100/s
    assert admissions(limiter, fake, [5000, 5000]) == [0.0, 40.0]
    assert fake.sleeps == [40.0]


def test_rpm_and_tpm_together_wait_for_the_later_of_the_two():
    fake = FakeTime()
    limiter = RateLimiter(rpm=60, tpm=600, clock=fake.clock, sleep=fake.sleep)
    # the second waits for its rpm slot; the third finds 410.1 tokens (600 - 200 + 10.1 refilled by 1.01 s)
    # and waits 8.99 s at 10 tokens/s for the 89.9 it lacks, longer than its rpm slot at 2.02 s
    assert admissions(limiter, fake, [100, 100, 500]) == [0.0, 1.01, 10.0]


def test_a_request_larger_than_a_minutes_budget_waits_a_minute_instead_of_forever():
    fake = FakeTime()
    limiter = RateLimiter(tpm=1000, clock=fake.clock, sleep=fake.sleep)
    assert admissions(limiter, fake, [5000, 5000, 5000]) == [0.0, 60.0, 120.0]
    assert fake.sleeps == [60.0, 60.0]


def test_a_limit_that_is_not_positive_is_refused():
    with pytest.raises(ValueError, match="must be positive"):
        RateLimiter(rpm=0)


# ---------------------------------------------------------------- replay from a cassette


def test_a_backfill_replayed_from_its_cassette_verifies_what_the_model_said(tmp_path):
    """Two notes, one rate-limited once, one answered with an invented title: replayed with no server."""
    leaky = Note(
        "leaky",
        "Payments timed out after a credential rotation",
        service="payments-api",
        extra=("", "The db password is hunter2 and the key " + AWS_KEY + "."),
    )
    for note in (ALPHA, leaky):
        note.write(tmp_path / "notes")
    cassette = "backfill_llm.yaml"
    base_url = f"http://127.0.0.1:{PORT}/v1"
    out = tmp_path / "out"
    if RECORD_CASSETTES:
        replies = NoteReplies([ALPHA, leaky])
        replies.script(ALPHA, rate_limited("0.2"))
        replies.script(
            leaky,
            Reply(
                leaky.extraction(
                    title={"value": "Database failover in eu-west", "quote": None, "start_line": 1, "end_line": 1}
                )
            ),
        )
        with serve(replies, port=PORT):
            (CASSETTES / cassette).unlink(missing_ok=True)  # vcrpy's "all" appends to an existing cassette
            with cassette_recorder(CASSETTES).use_cassette(cassette):
                result = backfill(tmp_path / "notes", out, base_url, "--concurrency", "1", "--format", "json")
    else:
        if not (CASSETTES / cassette).is_file():
            pytest.fail(f"missing cassette {cassette}; record it with POSTMORTEM_RECORD_CASSETTES=1")
        with cassette_recorder(CASSETTES).use_cassette(cassette) as played:
            result = backfill(tmp_path / "notes", out, base_url, "--concurrency", "1", "--format", "json")
        assert played.all_played and played.play_count == 3
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["processed"], summary["failed"], summary["llm_calls"]) == (2, 0, 2)
    assert record_of(out, ALPHA).title.value == ALPHA.title and record_of(out, ALPHA).extraction == "llm"
    invented = record_of(out, leaky)
    assert invented.title.value == NOT_RECORDED and "Database failover in eu-west" in invented.warnings[0]
    assert invented.date.value == "2024-03-05"

    recorded = (CASSETTES / cassette).read_text(encoding="utf-8")
    assert "hunter2" not in recorded and AWS_KEY not in recorded and "[REDACTED:password]" in recorded
    interactions = yaml.safe_load(recorded)["interactions"]
    assert [i["response"]["status"]["code"] for i in interactions].count(429) == 1
    assert all("authorization" not in {name.lower() for name in i["request"]["headers"]} for i in interactions)
