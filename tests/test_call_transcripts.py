"""Call transcripts (WebVTT, SubRip) as chat sources, merged with the channel, each message keeping its source."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import InputError
from pipeline.ingest.chat import detect_chat_format, load_chat, load_chats
from pipeline.models import Draft
from support import EXAMPLES

runner = CliRunner()
CALL_START = datetime(2024, 5, 14, 12, 5, tzinfo=UTC)

TEAMS_VTT = """WEBVTT

NOTE
call_started: 2024-05-14T14:05:00+02:00

1
00:00:05.000 --> 00:00:09.500 align:start position:10%
<v Marco Rossi>I can see the checkout-api pool pinned at 20/20.</v>

2
00:01:40.000 --> 00:01:46.000
<v.loud Dana Kim>DB primary CPU is flat at 35%,
the database has headroom.</v>

STYLE
::cue { color: white }

00:30:00.000 --> 00:30:08.000
<v Priya Raman>Action item: add a load test that exercises pool size changes before deploy (owner Dana, P2)</v>
"""

ZOOM_VTT = """WEBVTT

1
00:07:30.000 --> 00:07:36.000
Priya Raman: Marco, go ahead with the rollback to 846.
Marco Rossi: Rolling back now.

2
01:19:10.250 --> 01:19:15.000
Marco Rossi: <b>Rollback</b> finished &amp; errors are at baseline
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
Dana Kim: replica lag is zero

2
00:02:00,500 --> 00:02:03,000
no speaker on this one
"""


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_webvtt_voice_tags_notes_settings_and_multiline_cues(tmp_path):
    log = load_chat(write(tmp_path / "call.vtt", TEAMS_VTT))
    assert log.format == "webvtt"
    assert [(m.id, m.author, m.time.strftime("%H:%M:%S")) for m in log.messages] == [
        ("C1", "Marco Rossi", "12:05:05"),
        ("C2", "Dana Kim", "12:06:40"),
        ("C3", "Priya Raman", "12:35:00"),
    ]
    assert log.messages[1].text == "DB primary CPU is flat at 35%, the database has headroom."
    assert log.messages[0].line == 8 and log.messages[0].source == str(tmp_path / "call.vtt")


def test_webvtt_speaker_prefixes_split_turns_and_markup_is_removed(tmp_path):
    log = load_chat(write(tmp_path / "call.vtt", ZOOM_VTT), call_start=CALL_START)
    assert [(m.author, m.text) for m in log.messages] == [
        ("Priya Raman", "Marco, go ahead with the rollback to 846."),
        ("Marco Rossi", "Rolling back now."),
        ("Marco Rossi", "Rollback finished & errors are at baseline"),
    ]
    assert log.messages[0].time == log.messages[1].time == datetime(2024, 5, 14, 12, 12, 30, tzinfo=UTC)
    assert log.messages[2].time == datetime(2024, 5, 14, 13, 24, 10, 250000, tzinfo=UTC)


def test_captions_with_the_speaker_in_brackets_and_sounds_that_are_no_speaker(tmp_path):
    captions = (
        "1\n00:00:01,000 --> 00:00:04,000\n[Dana Kim] replica lag is zero\n\n"
        "2\n00:00:05,000 --> 00:00:08,000\n[Inaudible] then the failover\n\n"
        "3\n00:00:09,000 --> 00:00:11,000\n(Marco Rossi) rolling back\n"
    )
    log = load_chat(write(tmp_path / "call.srt", captions), call_start=CALL_START)
    assert [(m.author, m.text) for m in log.messages] == [
        ("Dana Kim", "replica lag is zero"),
        ("Unknown speaker", "[Inaudible] then the failover"),  # a sound, not a speaker
        ("Marco Rossi", "rolling back"),
    ]


def test_srt_cues_with_a_given_call_start(tmp_path):
    log = load_chat(write(tmp_path / "call.srt", SRT), call_start=CALL_START)
    assert log.format == "srt"
    assert [(m.author, m.text, m.time.strftime("%H:%M:%S")) for m in log.messages] == [
        ("Dana Kim", "replica lag is zero", "12:05:01"),
        ("Unknown speaker", "no speaker on this one", "12:07:00"),
    ]


def test_transcripts_are_detected_by_content_too(tmp_path):
    assert detect_chat_format(write(tmp_path / "bridge.txt", ZOOM_VTT)) == "webvtt"
    assert detect_chat_format(write(tmp_path / "bridge.log", SRT)) == "srt"


def test_a_transcript_without_a_call_start_names_the_file_and_the_fixes(tmp_path):
    path = write(tmp_path / "call.srt", SRT)
    with pytest.raises(InputError) as raised:
        load_chat(path)
    assert str(path) in str(raised.value) and "--call-start" in raised.value.hint


@pytest.mark.parametrize(
    ("cue", "reason"),
    [
        ("00:61:00.000 --> 00:62:00.000", "below 60"),
        ("00:00:09.000 --> 00:00:01.000", "ends before it starts"),
        ("00:00:0x.000 --> 00:00:01.000", "bad cue timing line"),
    ],
)
def test_bad_cue_times_are_errors_at_their_line(tmp_path, cue, reason):
    path = write(tmp_path / "call.vtt", ZOOM_VTT.replace("01:19:10.250 --> 01:19:15.000", cue))
    with pytest.raises(InputError) as raised:
        load_chat(path, call_start=CALL_START)
    assert raised.value.line == 9 and reason in raised.value.reason


def test_merged_sources_keep_ids_in_time_order_and_their_files(tmp_path):
    vtt = write(tmp_path / "call.vtt", TEAMS_VTT)
    srt = write(tmp_path / "call.srt", SRT)
    log = load_chats([vtt, srt], call_start=CALL_START)
    assert [m.id for m in log.messages] == ["C1", "C2", "C3", "C4", "C5"]
    times = [m.time for m in log.messages]
    assert times == sorted(times)
    assert [m.source for m in log.messages] == [str(srt), str(vtt), str(vtt), str(srt), str(vtt)]
    assert log.format == "webvtt+srt" and log.sources == [str(vtt), str(srt)]


@pytest.fixture
def channel_and_call(tmp_path):
    """The checkout example with its channel as JSONL (as a Slack fetch writes it) and the call's transcript."""
    incident = tmp_path / "incident"
    shutil.copytree(EXAMPLES / "checkout-api", incident)
    channel = load_chat(incident / "chat.txt", day=datetime(2024, 5, 14).date(), tz="Europe/Berlin")
    (incident / "chat.txt").unlink()
    write(
        incident / "chat.jsonl",
        "".join(
            json.dumps({"ts": m.time.isoformat(), "user": m.author, "text": m.text}) + "\n" for m in channel.messages
        ),
    )
    write(incident / "call.vtt", TEAMS_VTT)
    return incident


def test_draft_from_channel_and_call_cites_both_sources(channel_and_call):
    result = runner.invoke(app, ["draft", str(channel_and_call), "--no-similar", "--format", "json"])
    assert result.exit_code == 0, result.output
    draft = Draft.model_validate_json(result.stdout)
    index = draft.evidence_index
    chat_rows = {key: text for key, text in index.items() if key.startswith("C")}
    assert all(("[chat.jsonl]" in text) != ("[call.vtt]" in text) for text in chat_rows.values())
    assert sum("[call.vtt]" in text for text in chat_rows.values()) == 3
    cited = {ref for item in draft.action_items for ref in item.evidence}
    from_call = [key for key in cited if "[call.vtt]" in index[key]]
    from_channel = [key for key in cited if "[chat.jsonl]" in index[key]]
    assert from_call and from_channel
    call_action = next(item for item in draft.action_items if from_call[0] in item.evidence)
    # the call's message names a person, so its text is withheld from the index; its source, time and author stay
    assert "load test" in call_action.action and "Priya Raman:" in index[from_call[0]]
    assert "12:35 UTC [call.vtt]" in index[from_call[0]]


def test_draft_takes_call_start_from_incident_toml_and_the_flag_wins(channel_and_call):
    write(channel_and_call / "call.vtt", ZOOM_VTT)
    toml = channel_and_call / "incident.toml"
    toml.write_text(toml.read_text() + "\n[sources]\ncall_started = 2024-05-14T14:05:00+02:00\n")
    args = ["draft", str(channel_and_call), "--no-similar", "--format", "json"]
    from_toml = Draft.model_validate_json(runner.invoke(app, args).stdout).evidence_index
    assert any(text.startswith("12:12 UTC [call.vtt] Priya Raman") for text in from_toml.values())
    flagged = runner.invoke(app, [*args, "--call-start", "14:00"])
    assert flagged.exit_code == 0, flagged.output
    from_flag = Draft.model_validate_json(flagged.stdout).evidence_index
    assert any(text.startswith("12:07 UTC [call.vtt] Priya Raman") for text in from_flag.values())


def test_repeated_chat_flags_choose_the_sources(channel_and_call, tmp_path):
    only_call = runner.invoke(
        app,
        [
            "draft",
            str(channel_and_call),
            "--no-similar",
            "--format",
            "json",
            "--chat",
            str(channel_and_call / "call.vtt"),
        ],
    )
    assert only_call.exit_code == 0, only_call.output
    index = Draft.model_validate_json(only_call.stdout).evidence_index
    assert len([key for key in index if key.startswith("C")]) == 3
    assert not any("[call.vtt]" in text for text in index.values())  # one source: rows as they always were


def test_cli_bad_cue_time_is_one_line_exit_2_and_no_output(channel_and_call, tmp_path):
    write(channel_and_call / "call.vtt", TEAMS_VTT.replace("00:01:40.000 -->", "00:01:70.000 -->"))
    out = tmp_path / "draft.md"
    result = runner.invoke(app, ["draft", str(channel_and_call), "--no-similar", "-o", str(out)])
    assert result.exit_code == 2
    assert f"{channel_and_call / 'call.vtt'}:11:" in result.stderr
    assert not out.exists() and "Traceback" not in result.output


def test_cli_missing_call_start_is_exit_2_naming_the_file(channel_and_call):
    write(channel_and_call / "call.srt", SRT)
    result = runner.invoke(app, ["draft", str(channel_and_call), "--no-similar"])
    assert result.exit_code == 2
    assert str(channel_and_call / "call.srt") in result.stderr and "call_started" in result.stderr
