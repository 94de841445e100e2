"""Hostile and careless input from the sweep (issue 18), each with the outcome the user sees: exit 2 with one
clear error naming the path, or a handled result. No traceback; nothing may hang (every run has a timeout).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from support import EXAMPLES

TIMEOUT = 60


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
    )


def refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture
def incident(tmp_path) -> Path:
    directory = tmp_path / "incident"
    shutil.copytree(EXAMPLES / "checkout-api", directory)
    return directory


@pytest.fixture
def slack_incident(tmp_path) -> Path:
    directory = tmp_path / "slack-incident"
    shutil.copytree(EXAMPLES / "search-cert-expiry", directory)
    return directory


def test_chat_from_dev_zero_is_refused(incident, tmp_path):
    refused(
        run("draft", str(incident), "--chat", "/dev/zero", "--no-similar", "-o", str(tmp_path / "d.md")),
        "/dev/zero",
        "character device",
    )
    assert not (tmp_path / "d.md").exists()


def test_locking_dev_zero_is_refused():
    refused(run("lock", "/dev/zero"), "/dev/zero", "character device")


def test_a_check_target_that_links_to_dev_zero_is_refused(tmp_path):
    link = tmp_path / "draft.md"
    link.symlink_to("/dev/zero")
    refused(run("check", str(link)), str(link), "character device")


def test_a_fifo_chat_is_refused_without_hanging(incident, tmp_path):
    fifo = tmp_path / "chat.fifo"
    os.mkfifo(fifo)
    refused(run("draft", str(incident), "--chat", str(fifo), "--no-similar"), str(fifo), "FIFO")
    refused(run("check", str(fifo)), "FIFO")


def test_a_fifo_note_is_a_failed_note_not_a_hang(tmp_path):
    fifo = tmp_path / "note.md"
    os.mkfifo(fifo)
    result = run("backfill", str(fifo), "--out", str(tmp_path / "out"), "--no-progress")
    assert "Traceback" not in result.stderr and "FIFO" in result.stdout + result.stderr


def test_a_slack_day_file_linked_to_dev_zero_is_refused(slack_incident):
    day = next((slack_incident / "chat").glob("*/*.json"))
    day.unlink()
    day.symlink_to("/dev/zero")
    refused(run("draft", str(slack_incident), "--no-similar"), day.name)


def test_a_symlink_out_of_a_slack_export_is_not_followed(slack_incident, tmp_path):
    outside = tmp_path / "outside.json"
    day = next((slack_incident / "chat").glob("*/*.json"))
    outside.write_text(day.read_text(encoding="utf-8").replace("cert", "OUTSIDE-TEXT"), encoding="utf-8")
    day.unlink()
    day.symlink_to(outside)
    result = run("draft", str(slack_incident), "--no-similar")
    refused(result, "outside the export directory")
    assert "OUTSIDE-TEXT" not in result.stdout


def test_check_does_not_follow_a_symlink_out_of_its_tree(tmp_path):
    tree, outside = tmp_path / "docs", tmp_path / "elsewhere"
    tree.mkdir()
    outside.mkdir()
    (tree / "ok.md").write_text("# Fine\n\nThe deploy rolled back.\n", encoding="utf-8")
    (outside / "secret.md").write_text("# Other\n\nDave forgot the canary.\n", encoding="utf-8")
    (tree / "link.md").symlink_to(outside / "secret.md")
    result = run("check", str(tree))
    assert result.returncode == 2 and "outside the checked directory" in result.stderr
    assert "Dave" not in result.stdout and "Traceback" not in result.stderr


def test_backfill_does_not_follow_a_symlink_out_of_its_tree(tmp_path):
    tree, outside = tmp_path / "notes", tmp_path / "elsewhere"
    tree.mkdir()
    outside.mkdir()
    (tree / "a.md").write_text(
        "# Cache outage\n\nDate: 2023-01-02\n\n## Summary\n\nThe cache failed.\n", encoding="utf-8"
    )
    (outside / "b.md").write_text("# OUTSIDE NOTE\n\nDate: 2023-01-03\n", encoding="utf-8")
    (tree / "b.md").symlink_to(outside / "b.md")
    result = run("backfill", str(tree), "--out", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 0, result.stderr
    records = " ".join(path.read_text() for path in (tmp_path / "out" / "records").glob("*.json"))
    assert "Cache outage" in records and "OUTSIDE NOTE" not in records


@pytest.fixture
def stalled_server():
    """A loopback socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


@pytest.mark.parametrize("command", ["similar", "index"])
def test_a_chroma_server_that_never_answers_fails_in_bounded_time(stalled_server, command, tmp_path):
    args = ["similar", "cache outage"] if command == "similar" else ["index", str(EXAMPLES / "library")]
    started = time.monotonic()
    result = run(*args, "--chroma-url", stalled_server)
    assert time.monotonic() - started < 40
    refused(result, "did not answer")


def test_a_draft_with_a_stalled_chroma_server_is_still_written(stalled_server, incident, tmp_path):
    env_run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipeline.cli import main; main()",
            "draft",
            str(incident),
            "-o",
            str(tmp_path / "d.md"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, "POSTMORTEM_CHROMA_URL": stalled_server},
    )
    assert env_run.returncode == 0, env_run.stderr
    assert "similar past incidents unavailable" in env_run.stderr and (tmp_path / "d.md").is_file()


def test_drafts_follow_the_umask(incident, tmp_path):
    result = subprocess.run(
        [
            "sh",
            "-c",
            (
                f"umask 022 && {sys.executable} -c 'from pipeline.cli import main; main()' "
                f"draft {incident} --no-similar -o {tmp_path / 'd.md'}"
            ),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d.md").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("value", ["0", "20240514", '"yesterday"', "2024-05-14T10:00:00Z"])
def test_a_date_that_is_not_a_date_is_one_clear_error(incident, value):
    toml = incident / "incident.toml"
    toml.write_text(
        "\n".join(f"date = {value}" if line.startswith("date") else line for line in toml.read_text().splitlines())
        + "\n"
    )
    refused(run("draft", str(incident), "--no-similar"), "incident.toml:", "date must be a date like 2024-05-14")


def test_a_timezone_that_is_not_a_zone_is_one_clear_error(incident):
    toml = incident / "incident.toml"
    toml.write_text(toml.read_text().replace('timezone = "Europe/Berlin"', 'timezone = "Mars/Olympus"'))
    refused(run("draft", str(incident), "--no-similar"), "incident.toml:", "not an IANA time zone")


@pytest.mark.parametrize("zone_line", ['timezone = ""', ""])
def test_no_timezone_warns_and_the_draft_says_times_were_read_as_utc(incident, tmp_path, zone_line):
    toml = incident / "incident.toml"
    toml.write_text(toml.read_text().replace('timezone = "Europe/Berlin"', zone_line))
    assert run("lock", str(incident / "timeline.md")).returncode == 0
    result = run("draft", str(incident), "--no-similar", "-o", str(tmp_path / "d.md"))
    assert result.returncode == 0, result.stderr
    assert "times without an offset were read as UTC" in result.stderr
    assert "were read as UTC" in (tmp_path / "d.md").read_text().split("## Executive Summary")[0]


def test_a_timeline_over_a_week_warns_and_the_evidence_index_shows_dates(tmp_path):
    incident = tmp_path / "long"
    incident.mkdir()
    (incident / "timeline.csv").write_text(
        "time,event\n2014-05-14T10:00:00Z,Alert fired for checkout 5xx\n2024-05-14T10:30:00Z,Rollback finished\n"
    )
    result = run("draft", str(incident), "--no-similar", "--format", "json", "-o", str(tmp_path / "d.json"))
    assert result.returncode == 0, result.stderr
    assert "spans 3653 days" in result.stderr
    import json

    index = json.loads((tmp_path / "d.json").read_text())["evidence_index"]
    assert index["T1"].startswith("2014-05-14 10:00 UTC") and index["T2"].startswith("2024-05-14 10:30 UTC")


def test_a_killed_int8_build_leaves_nothing_behind(tmp_path):
    from pipeline.similar.quantized import BUILD_PREFIX, sweep_stale_builds

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{BUILD_PREFIX}{dead.pid}-abc"
    live = tmp_path / f"{BUILD_PREFIX}{os.getpid()}-def"
    for folder in (stale, live):
        folder.mkdir()
        (folder / "fp32.onnx").write_bytes(b"0" * 1024)
    assert sweep_stale_builds(tmp_path) == [stale]
    assert not stale.exists() and live.exists()
