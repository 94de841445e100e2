"""The `postmortem` command as a user runs it: outputs, exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.models import Draft
from support import EXAMPLES

runner = CliRunner()


@pytest.fixture
def incident(tmp_path):
    target = tmp_path / "incident"
    shutil.copytree(EXAMPLES / "checkout-api", target)
    return target


def draft(*args: str):
    return runner.invoke(app, ["draft", *args, "--no-similar"])


def test_draft_writes_markdown_and_says_where(incident, tmp_path):
    out = tmp_path / "out" / "draft.md"
    result = draft(str(incident), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("# Checkout API returned 500s")
    assert f"wrote {out}" in result.stderr


def test_draft_json_is_the_draft_model(incident):
    result = draft(str(incident), "--format", "json")
    assert result.exit_code == 0, result.output
    parsed = Draft.model_validate_json(result.stdout)
    assert parsed.severity == "SEV-1"


def test_schema_is_valid_json_schema_of_the_draft():
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "Draft"
    assert {"executive_summary", "timeline", "contributing_factors", "action_items"} <= set(schema["properties"])


def test_changed_timeline_after_lock_is_refused_without_output(incident, tmp_path):
    timeline = incident / "timeline.md"
    timeline.write_text(timeline.read_text().replace("14:19 | Marco (OL) started", "14:21 | Marco (OL) started"))
    out = tmp_path / "draft.md"
    result = draft(str(incident), "-o", str(out))
    assert result.exit_code == 2
    assert "does not match its lock" in result.stderr and "T7" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_lock_is_a_warning_not_an_error(incident):
    (incident / "timeline.md.lock.json").unlink()
    result = draft(str(incident))
    assert result.exit_code == 0
    assert "has no lock" in result.stderr


def test_lock_then_draft_round_trip(incident):
    (incident / "timeline.md.lock.json").unlink()
    result = runner.invoke(app, ["lock", str(incident / "timeline.md")])
    assert result.exit_code == 0 and "locked 10 events" in result.stdout
    assert "has no lock" not in draft(str(incident)).stderr


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("chat.txt", b"", "is empty"),
        ("chat.txt", b"\x00\x01\x02binary\x00" * 10, "binary"),
        ("chat.txt", "Priya [14:01]: caf\xe9".encode("latin-1"), "not valid UTF-8"),
        ("chat.txt", b"this is not a chat log\njust prose\n", "chat format"),
    ],
)
def test_bad_chat_files_get_one_clear_error(incident, name, content, expected):
    (incident / "chat.txt").unlink()
    (incident / name).write_bytes(content)
    result = draft(str(incident))
    assert result.exit_code == 2
    assert expected in result.stderr
    assert str(incident / name) in result.stderr
    assert "Traceback" not in result.output


def test_bad_timestamp_names_file_and_line(incident):
    timeline = incident / "timeline.md"
    timeline.write_text(timeline.read_text().replace("| 14:09 |", "| 14:9x |"))
    (incident / "timeline.md.lock.json").unlink()
    result = draft(str(incident))
    assert result.exit_code == 2
    assert f"{timeline}:11:" in result.stderr and "14:9x" in result.stderr


def test_unknown_chat_format_lists_the_valid_ones(incident):
    result = runner.invoke(app, ["draft", str(incident), "--chat-format", "teams", "--no-similar"])
    assert result.exit_code == 2
    assert "transcript" in result.stderr and "slack-export" in result.stderr


def test_broken_incident_toml_names_the_line(incident):
    (incident / "incident.toml").write_text('title = "x"\nseverity = \n')
    result = draft(str(incident))
    assert result.exit_code == 2 and "incident.toml:2" in result.stderr


def test_help_and_check_start_without_heavy_imports():
    code = (
        "import sys; from pipeline.cli import app; "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb', 'langchain_openai', 'openai') if m in sys.modules]; "
        "print(heavy)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_incident_toml_in_the_shapes_teams_write_it(incident):
    """An [incident] table, `tz`, one `role` and a person's chat handle read as the documented keys do."""
    from pipeline.ingest.incident import load_meta

    (incident / "incident.toml").write_text(
        '[incident]\ntitle = "x"\ndate = 2024-05-14\ntz = "Europe/Berlin"\n\n'
        '[[incident.people]]\nname = "Rosa Lima"\nrole = "IC"\nslack = "@rl"\n'
    )
    meta = load_meta(incident)
    assert (meta.title, str(meta.date), meta.timezone) == ("x", "2024-05-14", "Europe/Berlin")
    assert [(p.name, p.roles, p.handles) for p in meta.people] == [("Rosa Lima", ["IC"], ["@rl"])]
    (incident / "incident.toml").write_text('severity = 2\npeople = ["Rosa Lima (IC, Scribe)", "Femi Ade"]\n')
    meta = load_meta(incident)
    assert meta.severity == "SEV-2"
    assert [(p.name, p.roles) for p in meta.people] == [("Rosa Lima", ["IC", "Scribe"]), ("Femi Ade", [])]
    (incident / "incident.toml").write_text('title = "x"\ncolour = "red"\n')
    result = draft(str(incident))
    assert result.exit_code == 2 and "incident.toml:2" in result.stderr and "colour" in result.stderr
