"""`postmortem fetch slack` against the loopback fake Slack Web API (tests/slack_server.py).

Pagination, threads, 429 with Retry-After, missing scopes, deleted users, edits, secrets on the way in,
resume after a partial write and after a real SIGKILL, and a canary token that must appear nowhere.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from slack_server import ALL_SCOPES, FakeSlack, Workspace, synthetic_channel, user
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ConfigError
from pipeline.fetch.journal import FetchState, state_path
from pipeline.fetch.limits import Pacer, load_limits
from pipeline.fetch.slack import SlackFetcher, SlackFetchError, fetch_slack, read_token, slack_time
from pipeline.ingest.chat import load_chat
from pipeline.redact import redact
from support import REPO_ROOT

# Not shaped like a Slack token on purpose: the redaction safety net must not be what keeps it out.
CANARY = "canary-plum-otter-sleeps-7731"
SINCE, UNTIL = "1715600000", "1715800000"


@pytest.fixture
def limits():
    """The bundled limits, unpaced (the fake answers at once), small pages so paging is exercised."""
    bundled = load_limits()
    return bundled.model_copy(update={"tiers": dict.fromkeys(bundled.tiers, 0.0), "page_size": 50})


@pytest.fixture
def limits_file(tmp_path, limits):
    path = tmp_path / "limits.yaml"
    path.write_text(yaml.safe_dump(limits.model_dump()))
    return path


class Waits(list):
    """Records the waits asked for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def every_ts(workspace: Workspace, channel: str = "C0SYNTH") -> list[str]:
    top = [m["ts"] for m in workspace.history[channel]]
    replies = [r["ts"] for (c, _), thread in workspace.threads.items() if c == channel for r in thread]
    return sorted(top + replies, key=Decimal)


def fetch(fake: FakeSlack, out: Path, limits, channel: str = "C0SYNTH", sleep=None, until: str = UNTIL):
    return fetch_slack(
        channel,
        SINCE,
        until,
        out,
        fake.token,
        limits,
        base_url=fake.base_url,
        sleep=Waits() if sleep is None else sleep,
    )


def test_a_paged_channel_with_threads_is_written_once_each_and_draft_reads_the_threads(tmp_path, limits):
    workspace = synthetic_channel(430, thread_every=7, replies_per_thread=3)
    out = tmp_path / "chat.jsonl"
    with FakeSlack(workspace, token=CANARY) as fake:
        report = fetch(fake, out, limits)
    written = [record["ts"] for record in lines(out)]
    assert sorted(written, key=Decimal) == every_ts(workspace) and len(set(written)) == 430
    top_level = len(workspace.history["C0SYNTH"])
    assert report.calls["conversations.history"] == -(-top_level // 50)  # every page, no more
    assert report.calls["users.info"] == 20  # each author looked up once
    chat = load_chat(out)
    replies = [m for m in chat.messages if m.thread_of]
    assert len(replies) == sum(len(thread) for thread in workspace.threads.values())
    parent = next(m for m in chat.messages if m.id == replies[0].thread_of)
    assert parent.text.startswith("message") and parent.time < replies[0].time


@pytest.mark.parametrize("status", [429, 200])  # 200: `ratelimited` in an ordinary answer
def test_a_429_waits_exactly_its_retry_after_and_loses_nothing(tmp_path, limits, status):
    workspace = synthetic_channel(200, thread_every=5)
    waits = Waits()
    with FakeSlack(workspace, token=CANARY, rate_limit_every=4, retry_after="0.25", rate_limit_status=status) as fake:
        report = fetch(fake, tmp_path / "chat.jsonl", limits, sleep=waits)
        limited = fake.rate_limited
    assert limited >= 10 and waits == [0.25] * limited  # no jitter added, fractions kept
    assert report.rate_limit_waits == waits
    assert sorted((r["ts"] for r in lines(tmp_path / "chat.jsonl")), key=Decimal) == every_ts(workspace)


def test_rate_limited_past_the_retry_budget_is_a_clear_error_and_a_rerun_resumes(tmp_path, limits, limits_file):
    workspace = synthetic_channel(120, thread_every=1000)
    out = tmp_path / "chat.jsonl"
    with FakeSlack(workspace, token=CANARY, rate_limit_every=1, retry_after="0") as fake:
        with pytest.raises(SlackFetchError) as raised:
            fetch(fake, out, limits.model_copy(update={"max_rate_limited_retries": 3}))
        assert fake.calls == 4  # the call and its three retries
    assert "still rate-limits conversations.history after 3 waits" in str(raised.value)
    assert "resumes" in raised.value.hint
    with FakeSlack(workspace, token=CANARY) as fake:
        fetch(fake, out, limits)
    assert len(lines(out)) == 120


def test_a_missing_scope_is_named_and_exits_2(tmp_path, limits_file, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", CANARY)
    with FakeSlack(synthetic_channel(30), token=CANARY, scopes=ALL_SCOPES - {"users:read"}) as fake:
        result = CliRunner().invoke(app, cli_args(fake, tmp_path / "chat.jsonl", limits_file))
    assert result.exit_code == 2
    assert "lacks the scope users:read needed by users.info" in result.output
    assert "Bot Token Scopes" in result.output and "Traceback" not in result.output


def test_edit_and_delete_events_in_history_keep_the_latest_text_and_drop_the_deleted(tmp_path, limits):
    workspace = Workspace(channels={"C0EV": "inc-events"}, users={"U1": user("U1", "Mei Tanaka")})
    workspace.history["C0EV"] = [
        {"ts": "1715680001.000100", "user": "U1", "text": "the cache is at fault"},
        {"ts": "1715680002.000100", "user": "U1", "text": "wrong channel, sorry"},
        {"ts": "1715680003.000100", "user": "U1", "text": "rolling back"},
        {
            "ts": "1715680050.000000",
            "subtype": "message_changed",
            "message": {"ts": "1715680001.000100", "user": "U1", "text": "the config push is at fault"},
        },
        {"ts": "1715680060.000000", "subtype": "message_deleted", "deleted_ts": "1715680002.000100"},
    ]
    out = tmp_path / "chat.jsonl"
    with FakeSlack(workspace, token=CANARY) as fake:
        fetch(fake, out, limits.model_copy(update={"page_size": 2}), channel="C0EV")
    written = sorted((r["ts"], r["text"], r.get("edited", False)) for r in lines(out))
    assert written == [
        ("1715680001.000100", "the config push is at fault", True),
        ("1715680003.000100", "rolling back", False),
    ]


def test_a_proxy_error_page_is_an_http_status_not_its_html(tmp_path, limits):
    with FakeSlack(synthetic_channel(10), token=CANARY, outage_status=502) as fake:
        with pytest.raises(SlackFetchError) as raised:
            fetch(fake, tmp_path / "chat.jsonl", limits)
    assert str(raised.value) == "error: conversations.history failed: HTTP 502, not a Slack API answer"
    assert "resumes" in raised.value.hint


def test_slack_sdk_is_not_imported_by_the_cli_until_fetch_runs():
    probe = "import sys, pipeline.cli; print('slack_sdk' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_deleted_and_unknown_users_edits_mentions_and_secrets(tmp_path, limits):
    from canary_data import CANARIES

    kind, pasted, secret = next(item for item in CANARIES if item[0] == "github-pat-classic")
    workspace = Workspace(channels={"C0EDGE": "inc-edge"})
    workspace.users = {
        "U1": user("U1", "Mei Tanaka"),
        "U2": user("U2", "Former Colleague", deleted=True),
    }
    workspace.history["C0EDGE"] = [
        {"ts": "1715680001.000100", "user": "U1", "text": "paging <@U2> about &lt;db&gt;", "type": "message"},
        {"ts": "1715680002.000100", "user": "U2", "text": "on it", "type": "message"},
        {"ts": "1715680003.000100", "user": "U9", "text": "who am I", "type": "message"},
        {
            "ts": "1715680004.000100",
            "user": "U1",
            "text": "rolled back (was: rolled forward)",
            "edited": {"user": "U1", "ts": "1715680100.000000"},
        },
        {"ts": "1715680005.000100", "user": "U1", "text": f"oops {pasted}"},
        {"ts": "1715680006.000100", "user": "U1", "text": f"and the bot token {CANARY}"},
        {"ts": "1715680007.000100", "subtype": "channel_join", "user": "U2", "text": "<@U2> has joined"},
        {"ts": "1715680008.000100", "subtype": "bot_message", "bot_id": "B1", "username": "PagerDuty", "text": ""},
        {"ts": "1715680009.000100", "subtype": "tombstone", "user": "USLACKBOT", "text": "This message was deleted."},
        {"ts": "1715680010.000100", "user": "U1", "bot_id": "B2", "app_id": "A2", "text": "deploy bot: rollback done"},
    ]
    workspace.history["C0EDGE"][7]["attachments"] = [{"fallback": "Triggered #123: checkout 5xx"}]
    out = tmp_path / "chat.jsonl"
    with FakeSlack(workspace, token=CANARY) as fake:
        fetch(fake, out, limits, channel="C0EDGE")
    records = {record["ts"][:10]: record for record in lines(out)}
    assert records["1715680001"]["text"] == "paging @Former Colleague about <db>"
    assert records["1715680002"]["user"] == "Former Colleague"  # deactivated, still named
    assert records["1715680003"]["user"] == "unknown user U9"
    assert records["1715680004"]["edited"] is True and records["1715680004"]["text"].startswith("rolled back")
    assert secret not in records["1715680005"]["text"] and "[REDACTED" in records["1715680005"]["text"]
    assert CANARY not in out.read_text() and "[REDACTED:slack token]" in records["1715680006"]["text"]
    assert records["1715680007"]["kind"] == "join"
    assert records["1715680008"] | {"kind": "bot", "user": "PagerDuty"} == records["1715680008"]
    assert "checkout 5xx" in records["1715680008"]["text"]
    assert "1715680009" not in records  # a deleted message's tombstone is not evidence
    assert records["1715680010"]["kind"] == "bot"  # an app posting as its bot user
    edited = [m for m in load_chat(out).messages if m.edited]
    assert [m.text for m in edited] == [records["1715680004"]["text"]]


def test_a_rerun_appends_only_new_messages_and_skips_covered_history(tmp_path, limits):
    workspace = synthetic_channel(300, thread_every=6)
    out = tmp_path / "chat.jsonl"
    middle = workspace.history["C0SYNTH"][150]["ts"]
    with FakeSlack(workspace, token=CANARY) as fake:
        first = fetch(fake, out, limits, until=middle)
        again = fetch(fake, out, limits, until=middle)
        rest = fetch(fake, out, limits)
    assert again.written == 0 and again.calls == {}  # nothing to ask for
    assert first.written + rest.written == 300 and rest.already == first.written
    assert sorted((r["ts"] for r in lines(out)), key=Decimal) == every_ts(workspace)
    assert "users.info" not in rest.calls  # names kept in the checkpoint


@pytest.mark.parametrize("oldest_first", [False, True])
def test_a_fetch_cut_by_an_outage_resumes_whichever_way_the_server_pages(tmp_path, limits, oldest_first):
    workspace = synthetic_channel(400, thread_every=9)
    out = tmp_path / "chat.jsonl"
    with FakeSlack(workspace, token=CANARY, outage_status=502, outage_after=60, oldest_first=oldest_first) as fake:
        with pytest.raises(SlackFetchError, match="HTTP 502"):
            fetch(fake, out, limits)
    covered = json.loads(state_path(out).read_text())["covered"]
    assert covered and 0 < len(lines(out)) < 400  # stopped mid-way with part of history checkpointed
    with FakeSlack(workspace, token=CANARY, oldest_first=oldest_first) as fake:
        fetch(fake, out, limits)
    written = [r["ts"] for r in lines(out)]
    assert len(written) == len(set(written)) and sorted(written, key=Decimal) == every_ts(workspace)


def test_refresh_picks_up_a_reply_posted_later_to_a_thread_already_fetched(tmp_path, limits):
    workspace = synthetic_channel(120, thread_every=10)
    out = tmp_path / "chat.jsonl"
    parent = workspace.history["C0SYNTH"][9]
    with FakeSlack(workspace, token=CANARY) as fake:
        fetch(fake, out, limits)
        workspace.add_reply("C0SYNTH", parent, {"ts": "1715690000.000001", "user": "U0001", "text": "late reply"})
        plain = fetch(fake, out, limits)
        refreshed = fetch_slack(
            "C0SYNTH", SINCE, UNTIL, out, CANARY, limits, base_url=fake.base_url, sleep=Waits(), refresh=True
        )
    assert plain.written == 0 and plain.calls == {}  # a covered stretch is not read again...
    assert refreshed.written == 1 and refreshed.calls["conversations.replies"] == 1  # ...unless asked to
    assert [r["text"] for r in lines(out)].count("late reply") == 1


def test_a_checkpoint_whose_file_was_deleted_starts_over(tmp_path, limits):
    workspace = synthetic_channel(40)
    out = tmp_path / "chat.jsonl"
    with FakeSlack(workspace, token=CANARY) as fake:
        fetch(fake, out, limits)
        out.unlink()
        again = fetch(fake, out, limits)
    assert again.written == 40 and len(lines(out)) == 40


def test_a_line_cut_by_a_kill_is_dropped_and_fetched_again(tmp_path, limits):
    workspace = synthetic_channel(100, thread_every=1000)
    out = tmp_path / "chat.jsonl"
    with FakeSlack(workspace, token=CANARY) as fake:
        fetch(fake, out, limits)
        kept = out.read_text().splitlines()
        out.write_text("\n".join(kept[:40]) + "\n" + kept[40][:17])  # a kill inside the append
        state_path(out).write_text(FetchState(channel="C0SYNTH").to_json())  # ...before the checkpoint
        report = fetch(fake, out, limits)
    assert report.written == 60 and report.already == 40
    assert sorted(r["ts"] for r in lines(out)) == sorted(every_ts(workspace))


def test_a_sigkilled_fetch_resumes_with_every_message_exactly_once(tmp_path, limits_file):
    workspace = synthetic_channel(1500, thread_every=4)
    out = tmp_path / "chat.jsonl"
    env = {**os.environ, "SLACK_BOT_TOKEN": CANARY, "PYTHONPATH": str(REPO_ROOT)}
    with FakeSlack(workspace, token=CANARY, latency=0.004) as fake:
        args = [sys.executable, "-m", "pipeline.cli", *cli_args(fake, out, limits_file)]
        process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not out.exists() or len(out.read_bytes().splitlines()) < 300):
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        killed_at = len(out.read_bytes().splitlines())
        assert 300 <= killed_at < 1500, "the kill must land mid-fetch"
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = [r["ts"] for r in lines(out)]
    assert len(written) == len(set(written)) == 1500
    assert sorted(written, key=Decimal) == every_ts(workspace)


def test_a_channel_name_is_looked_up_and_a_foreign_or_other_channel_file_is_refused(tmp_path, limits):
    workspace = synthetic_channel(20)
    out = tmp_path / "chat.jsonl"
    with FakeSlack(workspace, token=CANARY) as fake:
        report = fetch(fake, out, limits, channel="#inc-synthetic")
        assert report.calls["conversations.list"] == 1 and report.written == 20
        with pytest.raises(SlackFetchError, match="no channel named #nope"):
            fetch(fake, tmp_path / "other.jsonl", limits, channel="#nope")
        workspace.history["C0OTHER"] = []
        with pytest.raises(Exception, match="holds channel C0SYNTH, not C0OTHER"):
            fetch(fake, out, limits, channel="C0OTHER")
        foreign = tmp_path / "mine.jsonl"
        foreign.write_text('{"ts": 1, "user": "a", "text": "b"}\n')
        with pytest.raises(Exception, match="was not written by `postmortem fetch slack`"):
            fetch(fake, foreign, limits)
    assert foreign.read_text() == '{"ts": 1, "user": "a", "text": "b"}\n'


# ---------------------------------------------------------------- the token never leaks


def cli_args(fake: FakeSlack, out: Path, limits_file: Path, *extra: str) -> list[str]:
    return [
        "fetch",
        "slack",
        "C0SYNTH",
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--out",
        str(out),
        "--limits",
        str(limits_file),
        "--base-url",
        fake.base_url,
        *extra,
    ]


def test_the_canary_is_not_one_the_redaction_would_catch():
    assert redact(f"token {CANARY}") == f"token {CANARY}"


@pytest.mark.parametrize("scenario", ["ok", "refused", "missing_scope", "unreachable"])
def test_the_token_appears_in_no_output_log_file_or_error(tmp_path, limits_file, monkeypatch, caplog, scenario):
    token_file = tmp_path / "token"
    token_file.write_text(CANARY + "\n")
    workspace = synthetic_channel(60, thread_every=5)
    server_token = "another-token" if scenario == "refused" else CANARY
    scopes = ALL_SCOPES - {"channels:history"} if scenario == "missing_scope" else ALL_SCOPES
    out = tmp_path / "chat.jsonl"
    caplog.set_level(logging.DEBUG)
    with FakeSlack(workspace, token=server_token, scopes=scopes, rate_limit_every=7, retry_after="0") as fake:
        args = cli_args(fake, out, limits_file, "--token-file", str(token_file))
        if scenario == "unreachable":
            args[args.index("--base-url") + 1] = "http://127.0.0.1:9/api/"
        result = CliRunner().invoke(app, args)
        seen_by_server = {authorization for _, _, authorization in fake.requests}
    expected_exit = 0 if scenario == "ok" else 2
    assert result.exit_code == expected_exit, result.output
    if scenario != "unreachable":
        assert seen_by_server == {f"Bearer {CANARY}"}  # the token was really sent, so it could have leaked
    leaks = [result.output, caplog.text, repr(result.exception or "")]
    leaks += [path.read_text() for path in tmp_path.rglob("*") if path.is_file() and path != token_file]
    assert not [text for text in leaks if CANARY in text]
    assert out.exists() is (scenario == "ok")  # a fetch that fails at its first call leaves nothing behind
    assert any("slack_sdk" in record.name for record in caplog.records)  # its debug log was captured


def test_the_token_comes_from_the_environment_or_a_file_and_missing_is_explained(tmp_path):
    assert read_token(None, {"SLACK_BOT_TOKEN": f" {CANARY}\n"}) == CANARY
    (tmp_path / "t").write_text(CANARY)
    assert read_token(tmp_path / "t", {"SLACK_BOT_TOKEN": "other"}) == CANARY
    with pytest.raises(SlackFetchError) as raised:
        read_token(None, {})
    assert "SLACK_BOT_TOKEN" in raised.value.hint and "--token-file" in raised.value.hint
    # the hint survives the redaction every error passes through (a placeholder like "xoxb-..." did not)
    assert redact(raised.value.user_message()) == raised.value.user_message()
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match="empty"):
        read_token(tmp_path / "empty", {})
    with pytest.raises(ConfigError, match="cannot read the token file"):
        read_token(tmp_path / "absent", {})


def test_the_cli_refuses_no_output_or_two_and_a_bad_time(tmp_path, limits_file, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", CANARY)
    base = ["fetch", "slack", "C0X", "--since", "2024-05-14"]
    assert CliRunner().invoke(app, base).exit_code == 2
    both = CliRunner().invoke(app, [*base, "--out", "a.jsonl", "--incident", str(tmp_path)])
    assert both.exit_code == 2 and "exactly one of --out FILE and --incident DIR" in both.output
    bad = CliRunner().invoke(app, ["fetch", "slack", "C0X", "--since", "yesterday", "--out", "a.jsonl"])
    assert bad.exit_code == 2 and "--since: cannot read 'yesterday'" in bad.output
    assert not Path("a.jsonl").exists()


def test_the_incident_option_writes_chat_jsonl_that_draft_finds(tmp_path, limits_file, monkeypatch):
    from pipeline.ingest.incident import find_chats

    monkeypatch.setenv("SLACK_BOT_TOKEN", CANARY)
    incident = tmp_path / "inc"
    incident.mkdir()
    with FakeSlack(synthetic_channel(25), token=CANARY) as fake:
        args = cli_args(fake, tmp_path / "unused", limits_file)
        args[args.index("--out") : args.index("--out") + 2] = ["--incident", str(incident)]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "wrote 25 new messages" in result.output
    assert find_chats(incident) == [incident / "chat.jsonl"] and len(load_chat(incident / "chat.jsonl").messages) == 25
    (incident / "chat.txt").write_text("Mei [14:01]: pasted earlier\n")
    with FakeSlack(synthetic_channel(25), token=CANARY) as fake:
        args[args.index("--base-url") + 1] = fake.base_url
        shadowed = CliRunner().invoke(app, args)
    assert shadowed.exit_code == 0 and "wrote 0 new messages" in shadowed.output
    assert "draft merges chat.txt with chat.jsonl" in shadowed.output


# ---------------------------------------------------------------- times, limits, pacing


def test_times_are_read_as_slack_timestamps():
    assert slack_time("2024-05-14", "--since") == "1715644800"
    assert slack_time("2024-05-14T09:30:00Z", "--since") == slack_time("2024-05-14T11:30:00+02:00", "--since")
    assert slack_time("1715644800.000100", "--until") == "1715644800.000100"
    with pytest.raises(ConfigError, match="--until"):
        slack_time("14/05/2024", "--until")


def test_since_after_until_is_refused(tmp_path, limits):
    fetcher = SlackFetcher("C0X", "20", "10", tmp_path / "c.jsonl", CANARY, limits)
    with pytest.raises(ConfigError, match="is after --until"):
        fetcher.run()


def test_a_bad_limits_file_names_its_line(tmp_path):
    path = tmp_path / "limits.yaml"
    text = (
        (REPO_ROOT / "pipeline" / "data" / "slack.yaml").read_text().replace("users.info: tier4", "users.info: tier9")
    )
    path.write_text(text)
    with pytest.raises(ConfigError, match="tier 'tier9' is not one of") as raised:
        load_limits(path)
    assert raised.value.line is not None


def test_the_pacer_spaces_calls_of_one_method_at_its_tier():
    clock = [0.0]
    waits = Waits()

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))
        clock[0] += seconds

    pacer = Pacer(load_limits(), sleep=sleep, clock=lambda: clock[0])
    for _ in range(3):
        pacer.wait("conversations.history")  # tier 3: 50 a minute
    pacer.wait("users.info")  # another method: its own pace
    assert waits == [1.2, 1.2] and pacer.waited == pytest.approx(2.4)


def test_pacing_is_on_for_slack_and_off_for_a_server_on_this_machine(tmp_path):
    from pipeline.fetch.slack import is_loopback

    assert not is_loopback("https://slack.com/api/") and not is_loopback("https://10.0.0.8/api/")
    assert is_loopback("http://127.0.0.1:8080/api/") and is_loopback("http://localhost/api/")
    assert is_loopback("http://[::1]:9/api/")
    workspace = synthetic_channel(30)
    for pacing, paced in ((None, False), (True, True)):
        waits = Waits()
        with FakeSlack(workspace, token=CANARY) as fake:
            out = tmp_path / f"{pacing}.jsonl"
            limits = load_limits().model_copy(update={"page_size": 10})
            report = fetch_slack(
                "C0SYNTH", SINCE, UNTIL, out, CANARY, limits, base_url=fake.base_url, sleep=waits, pacing=pacing
            )
        assert (report.pacing_wait > 0) is paced and (len(waits) > 0) is paced


def test_coverage_merges_and_the_gaps_are_what_is_left_newest_first():
    state = FetchState(channel="C1")
    state.cover("10", "20")
    state.cover("30", "40")
    assert state.gaps("0", "50") == [("40", "50"), ("20", "30"), ("0", "10")]
    state.cover("15", "35")
    assert state.covered == [["10", "40"]] and state.gaps("12", "38") == []


def test_the_example_incident_fetched_from_slack_drafts_as_its_chat_export_does(tmp_path, limits):
    """checkout-api's chat.txt served as a Slack channel: the draft from the fetched chat.jsonl is the same."""
    import re
    import shutil
    from datetime import date

    from pipeline.drafting import draft_from_directory
    from support import EXAMPLES

    example = EXAMPLES / "checkout-api"
    exported = load_chat(example / "chat.txt", day=date(2024, 5, 14), tz="Europe/Berlin").messages
    workspace = Workspace(channels={"C0CHECKOUT": "inc-checkout-500s"})
    ids: dict[str, str] = {}
    for number, message in enumerate(exported):
        ts = f"{int(message.time.timestamp())}.{number:06d}"  # unique, as Slack's are
        if message.author == "PagerDuty":
            entry = {"subtype": "bot_message", "bot_id": "B01", "username": message.author}
        else:
            user_id = ids.setdefault(message.author, f"U{len(ids):04d}")
            workspace.users[user_id] = user(user_id, message.author)
            entry = {"user": user_id}
        workspace.history.setdefault("C0CHECKOUT", []).append({"ts": ts, "text": message.text, **entry})
    incident = tmp_path / "checkout-api"
    shutil.copytree(example, incident)
    (incident / "chat.txt").unlink()
    with FakeSlack(workspace, token=CANARY) as fake:
        fetch(fake, incident / "chat.jsonl", limits, channel="C0CHECKOUT")

    def sections(directory: Path) -> str:
        draft, warnings = draft_from_directory(directory, similar=False)
        assert warnings == []
        dumped = json.dumps(draft.model_dump(mode="json", exclude={"metadata"}), sort_keys=True)
        return re.sub(r"(\d\d:\d\d:\d\d)\.\d{6}", r"\1", dumped)  # the sub-second part that made ts unique

    fetched = sections(incident)
    assert '"C21"' in fetched and "Marco Rossi" in fetched  # chat evidence and real names made it through
    assert fetched == sections(example)


def test_a_short_test_token_does_not_cut_words_apart(tmp_path, limits):
    workspace = synthetic_channel(5)
    with FakeSlack(workspace, token="t") as fake:
        fetch(fake, tmp_path / "chat.jsonl", limits)
    assert {record["text"] for record in lines(tmp_path / "chat.jsonl")} == {f"message {n}" for n in range(5)}
