"""The canary suite: 41 kinds of fake secret planted in chat, timeline, incident.toml, backfill notes and
scripted model replies; none may appear in any file written, any stdout/stderr, any request body the
model server received, or the Chroma store, for any command. Citable identifiers (commit ids, hashes,
UUIDs, trace ids, tickets, timestamps) must survive. The prefilter must lose nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from canary_data import CANARIES, CITABLE

from pipeline.redact import Redactor, redact
from pipeline.secrets import is_candidate, redact_json_text, redact_secrets
from support import EXAMPLES

sys.path.insert(0, str(Path(__file__).parent / "llm"))
from llm_replies import GOOD_ANALYSIS, GOOD_NARRATIVE
from llm_server import FakeOpenAIServer, Reply

SECRETS = [secret for _, _, secret in CANARIES]
ISSUE_KINDS = {  # every case the hostile sweep found passing through
    "npm-authtoken",
    "azure-accountkey",
    "db-password",
    "postgres-password",
    "json-password",
    "aws-configure",
    "basic-auth-header",
    "slack-app-token",
    "pgp-private-key",
    "twilio-api-key",
    "sendgrid-api-key",
    "connection-string-at",
    "github-pat-classic",
    "github-pat-fine",
    "gitlab-pat",
    "stripe-live",
    "jwt",
    "slack-bot-token",
    "rsa-private-key",
    "openssh-private-key",
    "aws-access-key-id",
    "gcp-service-account",
    "datadog-api-key",
}


def test_the_suite_covers_thirty_kinds_and_every_case_of_the_issue():
    kinds = {kind for kind, _, _ in CANARIES}
    assert len(kinds) == len(CANARIES) >= 30
    assert ISSUE_KINDS <= kinds


@pytest.mark.parametrize("kind, line, secret", CANARIES, ids=[kind for kind, _, _ in CANARIES])
def test_each_kind_is_replaced_and_line_numbers_hold(kind, line, secret):
    redacted = redact(line)
    assert secret not in redacted and "[REDACTED:" in redacted
    assert redacted.count("\n") == line.count("\n")


@pytest.mark.parametrize("kind, line, secret", CANARIES, ids=[kind for kind, _, _ in CANARIES])
def test_the_prefilter_loses_nothing(kind, line, secret):
    """Every canary line is a candidate, and redaction with the prefilter equals redaction without it."""
    assert any(is_candidate(part) for part in line.split("\n"))
    assert redact_secrets(line) == redact_secrets(line, prefilter=False)


@pytest.mark.parametrize("line", CITABLE)
def test_citable_identifiers_survive(line):
    assert Redactor().redact(line) == line


def test_a_secret_inside_a_json_reply_is_replaced_and_the_json_stays_valid():
    _, line, secret = next(c for c in CANARIES if c[0] == "json-password")
    content = json.dumps({"text": f"creds were {line}", "n": 3})
    redacted, kinds = redact_json_text(content)
    assert secret not in redacted and kinds and json.loads(redacted)["n"] == 3


# ---------------------------------------------------------------- every command, end to end


def single_line(kinds_wanted: int, offset: int = 0) -> list[str]:
    lines = [line for _, line, _ in CANARIES if "\n" not in line and "|" not in line and '"' not in line]
    return lines[offset : offset + kinds_wanted]


def plant_incident(root: Path) -> Path:
    incident = root / "incident"
    shutil.copytree(EXAMPLES / "checkout-api", incident)
    for lock in incident.glob("*.lock.json"):
        lock.unlink()
    with open(incident / "chat.txt", "a", encoding="utf-8") as chat:
        chat.writelines(
            f"Dana Kim [14:{index % 60:02d}]: pasting this so others can check: {line}\n"
            for index, (_, line, _) in enumerate(CANARIES)
        )
    with open(incident / "timeline.md", "a", encoding="utf-8") as timeline:
        timeline.writelines(
            f"| 14:{30 + index:02d} | Rotated the leaked credential {line} |\n"
            for index, line in enumerate(single_line(8))
        )
    toml = (incident / "incident.toml").read_text(encoding="utf-8")
    title = single_line(1, offset=9)[0]
    toml = "\n".join(
        f'title = "Checkout 500s, creds {title}"' if row.startswith("title") else row for row in toml.splitlines()
    )
    (incident / "incident.toml").write_text(toml + "\n", encoding="utf-8")
    return incident


def plant_notes(root: Path) -> Path:
    notes = root / "notes"
    notes.mkdir()
    for number, chunk in enumerate((CANARIES[:14], CANARIES[14:28], CANARIES[28:])):
        body = "\n\n".join(line for _, line, _ in chunk)
        (notes / f"2023-0{number + 1}-10-token-leak-{number}.md").write_text(
            f"# Token leak {number}: search indexer\n\nDate: 2023-0{number + 1}-10\nSeverity: SEV-2\n\n"
            f"## Summary\n\nThe deploy log printed credentials for an hour. Bob forgot to mask them.\n\n"
            f"## Timeline\n\n- 10:00 deploy started\n- 10:40 credentials rotated\n\n## Notes\n\n{body}\n",
            encoding="utf-8",
        )
    return notes


def model_replies() -> dict[str, Reply]:
    """Replies that repeat secrets: a claim, an action item, a repair and a backfill extraction."""
    leak = [line for _, line, _ in CANARIES]
    narrative = {name: list(claims) for name, claims in GOOD_NARRATIVE.items()}
    narrative["executive_summary"] = narrative["executive_summary"] + [
        {
            "text": f"The connection string was {leak[11]} and the key {leak[12]}.",
            "evidence": ["C25"],
            "established": True,
        }
    ]
    narrative["lessons_learned"] = narrative["lessons_learned"] + [
        {"text": "Keys leaked: " + leak[18], "evidence": ["C43"], "established": True}
    ]
    analysis = json.loads(json.dumps(GOOD_ANALYSIS))
    analysis["action_items"][0]["action"] += f" (use token {leak[15]})"
    repair = {
        "repaired": [
            {"key": "executive_summary.4", "text": f"Rotate {leak[5]} now.", "evidence": ["C30"], "established": True}
        ]
    }
    extraction = {"title": {"value": f"Leak {leak[0]}", "lines": [1, 1]}, "secret": leak[20]}
    return {
        "narrative": Reply(narrative),
        "analysis": Reply(analysis),
        "repair": Reply(repair),
        "backfill_extract": Reply(extraction),
        "rewrite": Reply({"rewrites": [{"key": "L1", "text": leak[3]}]}),
    }


def run(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "POSTMORTEM_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def leaked_in(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_no_command_lets_a_secret_out(tmp_path):
    incident, notes = plant_incident(tmp_path), plant_notes(tmp_path)
    inputs = {incident / "chat.txt", incident / "timeline.md", incident / "incident.toml", *notes.iterdir()}
    home, out, store = tmp_path / "home", tmp_path / "out", tmp_path / "store"
    out.mkdir()
    results = []
    with FakeOpenAIServer(model_replies()) as server:
        llm = ("--llm", "test-model", "--base-url", server.base_url)
        results.append(run("lock", str(incident / "timeline.md"), home=home))
        results.append(run("draft", str(incident), "--no-similar", "-o", str(out / "draft.md"), home=home))
        results.append(
            run("draft", str(incident), "--no-similar", "--format", "json", "-o", str(out / "draft.json"), home=home)
        )
        results.append(run("draft", str(incident), "--no-similar", *llm, "-o", str(out / "llm.md"), home=home))
        results.append(
            run(
                "draft", str(incident), "--no-similar", *llm, "--format", "json", "-o", str(out / "llm.json"), home=home
            )
        )
        results.append(run("draft", str(incident), "--no-similar", home=home))  # to stdout
        results.append(run("check", str(notes), str(out / "draft.md"), home=home))
        results.append(run("check", str(notes), "--format", "json", home=home))
        results.append(run("score", str(out / "draft.md"), "--incident", str(incident), home=home))
        results.append(run("index", str(notes), str(out / "draft.json"), "--store", str(store), home=home))
        results.append(run("similar", "credentials leaked in a deploy log", "--store", str(store), home=home))
        results.append(
            run("similar", "--incident", str(incident), "--store", str(store), "--format", "json", home=home)
        )
        results.append(
            run(
                "backfill",
                str(notes),
                "--out",
                str(out / "bf"),
                "--index",
                "--store",
                str(store),
                "--no-progress",
                home=home,
            )
        )
        results.append(run("backfill", str(notes), "--out", str(out / "bf-llm"), *llm, "--no-progress", home=home))
        # the lock-mismatch error quotes the changed row: it must quote it redacted
        timeline = incident / "timeline.md"
        first, second = single_line(2)
        timeline.write_text(timeline.read_text(encoding="utf-8").replace(first, second), encoding="utf-8")
        mismatch = run("draft", str(incident), "--no-similar", "-o", str(out / "refused.md"), home=home)
        results.append(mismatch)
        sent = b"\n".join(server.raw_bodies).decode("utf-8")

    assert mismatch.returncode == 2 and "does not match its lock" in mismatch.stderr
    assert "[REDACTED:" in mismatch.stderr
    assert results[0].returncode == 0 and (out / "llm.json").is_file() and (out / "bf" / "records").is_dir()
    assert json.loads((out / "llm.json").read_text())["metadata"]["engine"] == "llm"
    assert "[REDACTED:" in (out / "draft.md").read_text() and "[REDACTED:" in (out / "llm.md").read_text()
    assert "secret(s)" in results[3].stderr  # the model's secrets were replaced and warned about
    assert server.attempts("narrative") >= 2 and server.attempts("backfill_extract") >= 1
    for result in results:
        assert "Traceback" not in result.stderr, result.stderr
        assert leaked_in(result.stdout) == [] and leaked_in(result.stderr) == [], (result.args, result.stderr[-500:])
    assert leaked_in(sent) == []
    written = [path for path in tmp_path.rglob("*") if path.is_file() and path not in inputs]
    assert any(path.suffix == ".sqlite3" for path in written)  # the Chroma store is among what is scanned
    for path in written:
        data = path.read_bytes()
        assert [secret for secret in SECRETS if secret.encode() in data] == [], path
