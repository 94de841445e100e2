"""Chat ingest: each format, detection, the bundled Slack-export example, bad input and fuzzing."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.ingest.chat import CHAT_FORMATS, detect_chat_format, load_chat
from pipeline.ingest.chat.slack_text import SlackMarkup

UTC = UTC
EXAMPLE_CHAT = Path(__file__).resolve().parents[1] / "examples" / "search-cert-expiry" / "chat"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- slack export (the bundled example)


@pytest.fixture(scope="module")
def example_log():
    return load_chat(EXAMPLE_CHAT)


def by_text(log, fragment: str):
    matches = [message for message in log.messages if fragment in message.text]
    assert len(matches) == 1, f"{fragment!r} matched {len(matches)} messages"
    return matches[0]


def test_example_export_loads_every_message_once_in_time_order(example_log):
    assert example_log.format == "slack-export"
    # 28 records across both day files; the message_changed record updates C11 instead of adding one
    assert len(example_log.messages) == 27
    assert [m.id for m in example_log.messages] == [f"C{n}" for n in range(1, 28)]
    times = [m.time for m in example_log.messages]
    assert times == sorted(times)
    assert times[0] == utc("2024-03-12T02:04:30")
    assert times[-1].date() == date(2024, 3, 13)


def test_example_export_resolves_authors_from_users_json(example_log):
    authors = {m.author for m in example_log.messages}
    assert {"Mei Tanaka", "Ravi Iyer", "Omar Haddad", "Lena Fischer", "Jonas Berg", "PagerDuty"} <= authors
    assert by_text(example_log, "Declaring SEV-2").author == "Mei Tanaka"


def test_example_bot_alert_folds_attachment_text(example_log):
    alert = example_log.messages[0]
    assert alert.kind == "bot"
    assert alert.author == "PagerDuty"
    assert "search-api 5xx rate > 20%" in alert.text
    assert "Assigned to: Ravi Iyer" in alert.text


def test_example_edit_updates_the_original_without_a_duplicate(example_log):
    impact = by_text(example_log, "of search requests failed")
    assert impact.edited is True
    assert "about 38%" in impact.text
    assert not any("about 35%" in m.text for m in example_log.messages)
    assert impact.time == utc("2024-03-12T02:20:45")


def test_example_thread_replies_point_at_their_parent(example_log):
    parent = by_text(example_log, "ACME DNS-01 challenge")
    replies = [m for m in example_log.messages if m.thread_of == parent.id]
    assert [r.author for r in replies] == ["Ravi Iyer", "Jonas Berg"]
    assert parent.thread_of is None


def test_example_markup_is_rendered(example_log):
    assert by_text(example_log, "issue a cert manually").text.startswith("@Jonas Berg ")
    assert "status page (https://status.example.com/incidents/2412)" in by_text(example_log, "status page updated").text
    assert by_text(example_log, "handshakes succeeding").text.endswith("#inc-2412-search-tls @here")
    assert "valid` & clients" in by_text(example_log, "x509").text
    join = by_text(example_log, "has joined the channel")
    assert (join.kind, join.text) == ("join", "@Mei Tanaka has joined the channel")


def test_example_sources_name_the_day_file(example_log):
    last = example_log.messages[-1]
    assert last.source.endswith("inc-2412-search-tls/2024-03-13.json")
    assert last.line == 3


def test_one_channel_folder_reads_with_the_exports_users(example_log):
    log = load_chat(EXAMPLE_CHAT / "inc-2412-search-tls")
    assert log.format == "slack-export"
    assert [(m.author, m.text) for m in log.messages] == [(m.author, m.text) for m in example_log.messages]


def zip_directory(source: Path, target: Path, prefix: str) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(source.rglob("*")):
            if file.is_file():
                archive.write(file, prefix + file.relative_to(source).as_posix())
    return target


def test_zip_export_with_a_top_folder_matches_the_directory(tmp_path, example_log):
    archive = zip_directory(EXAMPLE_CHAT, tmp_path / "export.zip", "Acme Slack export Mar 12 2024/")
    assert detect_chat_format(archive) == "slack-export"
    log = load_chat(archive)
    assert [(m.author, m.text, m.thread_of) for m in log.messages] == [
        (m.author, m.text, m.thread_of) for m in example_log.messages
    ]
    assert "!" in log.messages[0].source


def test_zip_bomb_is_refused_without_inflating(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("users.json", "[]")
        bundle.writestr("general/2024-03-12.json", b"[" + b" " * (8 * 1024 * 1024) + b"]")
    with pytest.raises(InputError, match="zip bomb"):
        load_chat(archive)


def test_corrupt_zip_is_an_input_error(tmp_path):
    archive = write(tmp_path, "export.zip", "PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="zip"):
        load_chat(archive, fmt="slack-export")


def test_export_without_day_files_is_an_input_error(tmp_path):
    (tmp_path / "users.json").write_text("[]")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        load_chat(tmp_path)


def test_bad_json_in_a_day_file_names_the_file_and_line(tmp_path):
    shutil.copytree(EXAMPLE_CHAT, tmp_path / "chat")
    broken = tmp_path / "chat" / "inc-2412-search-tls" / "2024-03-13.json"
    broken.write_text('[\n  {"ts": "1.0", "text": "a"},\n  {"ts": \n]\n')
    with pytest.raises(InputError) as caught:
        load_chat(tmp_path / "chat")
    assert caught.value.line == 4
    assert "2024-03-13.json" in str(caught.value)


def test_message_without_ts_names_its_position(tmp_path):
    channel = tmp_path / "general"
    channel.mkdir()
    (channel / "2024-03-12.json").write_text(json.dumps([{"ts": "1710208800.0", "text": "ok"}, {"text": "no ts"}]))
    with pytest.raises(InputError, match="ts") as caught:
        load_chat(tmp_path)
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("markup", "rendered"),
    [
        ("<@U1> and <@U404>", "@Mei Tanaka and @U404"),
        ("<@U404|ravi>", "@ravi"),
        ("see <https://x.example/a?b=1&amp;c=2>", "see https://x.example/a?b=1&c=2"),
        ("<https://x.example|the dashboard>", "the dashboard (https://x.example)"),
        ("<#C9> <#C1|named>", "#incident #named"),
        ("<!channel> <!subteam^S1|@oncall>", "@channel @oncall"),
        ("a &lt;b&gt; &amp;&amp; c", "a <b> && c"),
    ],
)
def test_slack_markup(markup, rendered):
    assert SlackMarkup({"U1": "Mei Tanaka"}, {"C9": "incident"}).render(markup) == rendered


# ---------------------------------------------------------------- slack paste

SLACK_PASTE = """source: our own fixture
license: Apache-2.0

# Chat from the incident channel

Edited for length.

---

>Mei Tanaka [11:58 PM]  
Declaring SEV-2, I'm IC  
>
>ravi [12:03 AM]  
I'll take OL  
second line of the same message (edited)  
>
>prow APP [12:05 AM]  
*Warning:* something merged

## a heading in between

this line is commentary, not a message

Omar  12:10 AM
Comms: Omar
Lena [00:12]
Scribe: Lena
"""


def test_slack_paste_headers_bodies_and_midnight(tmp_path):
    path = write(tmp_path, "chat.md", SLACK_PASTE)
    assert detect_chat_format(path) == "slack-paste"
    log = load_chat(path, day=date(2024, 3, 11), tz="America/Los_Angeles")
    got = [(m.author, m.time, m.kind, m.line) for m in log.messages]
    assert got == [
        ("Mei Tanaka", utc("2024-03-12T06:58"), "message", 10),
        ("ravi", utc("2024-03-12T07:03"), "message", 13),
        ("prow", utc("2024-03-12T07:05"), "bot", 17),
        ("Omar", utc("2024-03-12T07:10"), "message", 24),
        ("Lena", utc("2024-03-12T07:12"), "message", 26),
    ]
    assert log.messages[1].text == "I'll take OL\nsecond line of the same message"
    assert log.messages[1].edited and not log.messages[0].edited
    assert "commentary" not in log.messages[2].text


def test_slack_paste_needs_a_date_for_clock_times(tmp_path):
    path = write(tmp_path, "chat.md", SLACK_PASTE)
    with pytest.raises(InputError, match="--date") as caught:
        load_chat(path)
    assert caught.value.line == 10


def test_slack_paste_sentence_ending_in_a_time_is_not_a_header(tmp_path):
    path = write(tmp_path, "chat.md", "Mei [14:01]\nwe paged the on-call team at around [14:00]\n")
    log = load_chat(path, day=date(2024, 3, 12))
    assert len(log.messages) == 1
    assert log.messages[0].text.endswith("[14:00]")


def test_slack_paste_with_the_name_and_the_time_on_lines_of_their_own(tmp_path):
    """The desktop app copies `Name` then `9:41 PM` on the next line; detection must not take it for another format,
    and a body line that ends a sentence stays text even when a time follows it."""
    text = (
        "Noor Haddad\n9:41 PM\nanyone else seeing 502s on checkout?\n"
        "Ivo Petrov\n[9:42 PM]\nyes, since 9:38\nlooking now.\n9:43 PM\n"
        "Noor Haddad\n9:45 PM\ntaking IC\n"
    )
    path = write(tmp_path, "chat.txt", text)
    assert detect_chat_format(path) == "slack-paste"
    log = load_chat(path, day=date(2024, 3, 11), tz="UTC")
    got = [(m.author, m.time, m.line) for m in log.messages]
    assert got == [
        ("Noor Haddad", utc("2024-03-11T21:41"), 1),
        ("Ivo Petrov", utc("2024-03-11T21:42"), 4),
        ("Noor Haddad", utc("2024-03-11T21:45"), 9),
    ]
    assert log.messages[1].text == "yes, since 9:38\nlooking now.\n9:43 PM"


# ---------------------------------------------------------------- pagerduty

PAGERDUTY = """source: our own fixture

Timeline
Mar 11, 2024
6:58 PM Triggered through the API.
Description: search-api 5xx rate > 20% (View Message)
INCIDENT #2412
search-api 5xx rate
> 20%
7:02 PM Ravi Iyer #inc-2412
ack, looking
the gateway returns 502s
7:05 PM
Mei Tanaka #inc-2412
Declaring SEV-2, I'm IC
Postmortem Report - Search outage - PagerDuty https://example.pagerduty.com/postmortems/1
1 of 2 12.03.2024, 10:00
7:10 PM Engineer finds the expired certificate
Jonas Berg#inc-2412
cert expired at 02:00 UTC, see issue #12
Mar 12, 2024
1:05 AM Resolved by Mei Tanaka through the website.
INCIDENT #2412
search-api 5xx rate > 20%
"""


def test_pagerduty_entries_speakers_and_dates(tmp_path):
    path = write(tmp_path, "pd.txt", PAGERDUTY)
    assert detect_chat_format(path) == "pagerduty"
    log = load_chat(path, day=date(2000, 1, 1), tz="America/Los_Angeles")  # dates in the file win
    got = [(m.author, m.kind, m.time) for m in log.messages]
    assert got == [
        ("PagerDuty", "system", utc("2024-03-12T01:58")),
        ("Ravi Iyer", "message", utc("2024-03-12T02:02")),
        ("Mei Tanaka", "message", utc("2024-03-12T02:05")),
        ("PagerDuty", "system", utc("2024-03-12T02:10")),
        ("Jonas Berg", "message", utc("2024-03-12T02:10")),
        ("PagerDuty", "system", utc("2024-03-12T08:05")),
    ]
    assert log.messages[0].text == "Triggered through the API.\nDescription: search-api 5xx rate > 20% (View Message)"
    assert log.messages[1].text == "ack, looking\nthe gateway returns 502s"
    assert log.messages[2].text == "Declaring SEV-2, I'm IC"
    assert log.messages[4].text == "cert expired at 02:00 UTC, see issue #12"
    assert log.messages[5].text == "Resolved by Mei Tanaka through the website."


def test_a_pagerduty_export_keeps_the_speaker_of_a_chat_line_on_the_clocks_line(tmp_path):
    """A line "8:21 AM  Thandi Mokoena: Declaring SEV-2." is Thandi's message, not a PagerDuty annotation; a heading such as
    "Root Cause: ..." after a clock stays the annotation it is."""
    path = write(
        tmp_path,
        "pd.txt",
        "Nov 17, 2025\n"
        "8:14 AM  Triggered: #48214 claims-intake 5xx rate > 5% (high urgency) via Datadog\n"
        "8:21 AM  Thandi Mokoena: Declaring SEV-2. I am taking IC.\n"
        "8:22 AM  Pieter van der Merwe: Ops lead acknowledged.\n"
        "8:24 AM  Jira: created CLM-807: Incident record (assignee: Thandi Mokoena)\n"
        "9:14 AM  Root Cause: synchronous fraud screening saturated fraudscore\n",
    )
    assert detect_chat_format(path) == "pagerduty"
    log = load_chat(path, tz="Africa/Johannesburg")
    got = [(m.author, m.kind, m.text) for m in log.messages]
    assert got == [
        ("PagerDuty", "system", "Triggered: #48214 claims-intake 5xx rate > 5% (high urgency) via Datadog"),
        ("Thandi Mokoena", "message", "Declaring SEV-2. I am taking IC."),
        ("Pieter van der Merwe", "message", "Ops lead acknowledged."),
        ("Jira", "message", "created CLM-807: Incident record (assignee: Thandi Mokoena)"),
        ("PagerDuty", "system", "Root Cause: synchronous fraud screening saturated fraudscore"),
    ]
    assert log.messages[1].time == utc("2025-11-17T06:21")


# ---------------------------------------------------------------- transcript, irc, jsonl

TRANSCRIPT = """Incident channel, copied by the scribe

Mei [23:58]: Declaring SEV-2, I'm IC
IC [23:59]: roles: Ravi is OL
  continuation of the IC message
[00:04] Ravi Iyer: rolled out the new cert
"""


def test_transcript_both_header_shapes_and_continuations(tmp_path):
    path = write(tmp_path, "chat.txt", TRANSCRIPT)
    assert detect_chat_format(path) == "transcript"
    log = load_chat(path, day=date(2024, 3, 11), tz="UTC")
    assert [(m.author, m.time, m.line) for m in log.messages] == [
        ("Mei", utc("2024-03-11T23:58"), 3),
        ("IC", utc("2024-03-11T23:59"), 4),
        ("Ravi Iyer", utc("2024-03-12T00:04"), 6),
    ]
    assert log.messages[1].text == "roles: Ravi is OL\n  continuation of the IC message"


@pytest.mark.parametrize(
    "first, second",
    [
        ("14:01 Ana Costa: alerts firing", "14:02 Femi: looking"),
        ("14:01 - Ana Costa: alerts firing", "14:02 - Femi: looking"),
        ("Ana Costa (14:01): alerts firing", "Femi (14:02): looking"),
        ("[2026-03-04 14:01] Ana Costa: alerts firing", "[2026-03-04 14:02] Femi: looking"),
        ("2026-03-04 14:01:00 Ana Costa: alerts firing", "2026-03-04 14:02:00 Femi: looking"),
        ("2026-03-04T13:01:00Z Ana Costa: alerts firing", "2026-03-04T13:02:00Z Femi: looking"),
        ("[3/4/2026 2:01 PM] Ana Costa: alerts firing", "[3/4/2026 2:02 PM] Femi: looking"),  # month first
        ("04/03/2026, 14:01 - Ana Costa: alerts firing", "04/03/2026, 14:02 - Femi: looking"),  # WhatsApp
    ],
)
def test_transcript_header_shapes_from_other_tools(tmp_path, first, second):
    path = write(tmp_path, "chat.txt", f"{first}\na second line\n{second}\n")
    assert detect_chat_format(path) == "transcript"
    log = load_chat(path, day=date(2026, 3, 4), tz="Europe/Berlin")
    assert [(m.author, m.time, m.text) for m in log.messages] == [
        ("Ana Costa", utc("2026-03-04T13:01"), "alerts firing\na second line"),
        ("Femi", utc("2026-03-04T13:02"), "looking"),
    ]


def test_zooms_saved_meeting_chat(tmp_path):
    text = (
        "14:01:22 From Ana Costa to Everyone: alerts firing\n14:02:10 From Femi to Everyone:\n\tlooking now\n"
        "14:03:00 From Ana Costa to Femi (Direct Message): thanks\n"
    )
    path = write(tmp_path, "chat.txt", text)
    assert detect_chat_format(path) == "transcript"
    log = load_chat(path, day=date(2026, 3, 4), tz="UTC")
    assert [(m.author, m.time, m.text) for m in log.messages] == [
        ("Ana Costa", utc("2026-03-04T14:01:22"), "alerts firing"),
        ("Femi", utc("2026-03-04T14:02:10"), "looking now"),
        ("Ana Costa", utc("2026-03-04T14:03"), "thanks"),
    ]


def test_elements_plain_text_export_and_app_lines_that_are_no_message(tmp_path):
    text = (
        "Fri, Jun 20, 2025, 15:13:21 - twilight joined the room\n"
        "Fri, Jun 20, 2025, 15:13:23 - twilight: hello\nsecond line\n"
        "Fri, Jun 20, 2025, 15:14:00 - ana made the room invite only.\n"
        "Fri, Jun 20, 2025, 15:14:10 - Ana Costa: hi\n"
    )
    path = write(tmp_path, "chat.txt", text)
    assert detect_chat_format(path) == "transcript"
    log = load_chat(path, day=date(2025, 6, 20), tz="UTC")
    assert [(m.author, m.time, m.text) for m in log.messages] == [
        ("twilight", utc("2025-06-20T15:13:23"), "hello\nsecond line"),
        ("Ana Costa", utc("2025-06-20T15:14:10"), "hi"),
    ]


def test_slashed_dates_are_read_in_the_order_the_file_shows(tmp_path):
    """A part above 12 settles day/month for the whole file; 02/03 alone is read nearest the incident's date."""
    path = write(tmp_path, "chat.txt", "02/03/2026, 23:58 - Ana: up?\n13/03/2026, 00:01 - Ana: still here\n")
    log = load_chat(path, day=date(2026, 3, 13), tz="UTC")
    assert [m.time for m in log.messages] == [utc("2026-03-02T23:58"), utc("2026-03-13T00:01")]
    path = write(tmp_path, "chat2.txt", "[3/2/2026 11:58 PM] Ana: up?\n")
    assert load_chat(path, day=date(2026, 3, 2), tz="UTC").messages[0].time == utc("2026-03-02T23:58")


def test_a_log_line_pasted_in_a_bracketed_transcript_stays_message_text(tmp_path):
    path = write(
        tmp_path,
        "chat.txt",
        "Ana [14:01]: the api log says\n14:00:59 ERROR db: timeout\nFemi [14:02]: looking\n",
    )
    log = load_chat(path, day=date(2026, 3, 4), tz="UTC")
    assert [(m.author, m.text) for m in log.messages] == [
        ("Ana", "the api log says\n14:00:59 ERROR db: timeout"),
        ("Femi", "looking"),
    ]


def test_discord_copies_read_as_pasted_chat(tmp_path):
    text = "Ana Costa — Today at 2:01 PM\nalerts firing\nGrafana BOT — 03/04/2026 2:02 PM\n[FIRING] p99 > 2s\n"
    path = write(tmp_path, "chat.txt", text)
    assert detect_chat_format(path) == "slack-paste"
    log = load_chat(path, day=date(2026, 3, 4), tz="UTC")
    assert [(m.author, m.kind, m.time, m.text) for m in log.messages] == [
        ("Ana Costa", "message", utc("2026-03-04T14:01"), "alerts firing"),
        ("Grafana", "bot", utc("2026-03-04T14:02"), "[FIRING] p99 > 2s"),
    ]


IRC = """--- Log opened Tue Mar 12 14:00:00 2024
[14:01] <mei> Declaring SEV-2
14:02 <@ravi> I'll take OL
[14:02:30] <+omar> Comms: Omar
-!- lena [~lena@example.org] has joined #inc-2412
* lena waves
[14:03] -!- jonas has quit [Ping timeout]
"""


def test_irc_lines_nicks_joins_and_actions(tmp_path):
    path = write(tmp_path, "irc.log", IRC)
    assert detect_chat_format(path) == "irc"
    log = load_chat(path, day=date(2024, 3, 12), tz="Europe/Berlin")
    assert [(m.author, m.kind, m.text) for m in log.messages] == [
        ("mei", "message", "Declaring SEV-2"),
        ("ravi", "message", "I'll take OL"),
        ("omar", "message", "Comms: Omar"),
        ("lena", "join", "has joined #inc-2412"),
        ("lena", "message", "* waves"),
        ("jonas", "join", "has quit [Ping timeout]"),
    ]
    assert log.messages[2].time == utc("2024-03-12T13:02:30")
    assert log.messages[3].time is None and log.messages[5].time == utc("2024-03-12T13:03")


def test_irc_display_names_with_spaces_are_not_dropped(tmp_path):
    path = write(tmp_path, "chat.log", "[14:01] <Ana Costa> alerts firing\n[14:02] <femi> looking\n")
    log = load_chat(path, day=date(2026, 3, 4), tz="UTC")
    assert [(m.author, m.text) for m in log.messages] == [("Ana Costa", "alerts firing"), ("femi", "looking")]


def test_irc_lines_with_a_date_on_each_line(tmp_path):
    """`2026-03-10 23:58:02 <nick> text` (irssi or ZNC with a dated timestamp): each line keeps its own date."""
    path = write(
        tmp_path,
        "irc.log",
        "2026-03-10 23:58:02 <vikram> orders slow?\n[2026-03-11 00:01:10] <@tanvi> taking OL\n",
    )
    assert detect_chat_format(path) == "irc"
    log = load_chat(path, day=date(2026, 3, 11), tz="Asia/Kolkata")
    assert [(m.author, m.time, m.text) for m in log.messages] == [
        ("vikram", utc("2026-03-10T18:28:02"), "orders slow?"),
        ("tanvi", utc("2026-03-10T18:31:10"), "taking OL"),
    ]


def test_weechat_tab_separated_lines(tmp_path):
    text = (
        "2026-03-10 23:58:02\t@vikram\torders slow?\n"
        "2026-03-10 23:59:00\t-->\ttanvi (~t@host) has joined #ops\n"
        "2026-03-10 23:59:30\t--\tMode #ops [+o tanvi] by ChanServ\n"
        "2026-03-11 00:02:00\t *\ttanvi looks at the dashboards\n"
        "2026-03-11 00:03:00\ttanvi\tp99 is 9s\n"
    )
    path = write(tmp_path, "chat.log", text)
    assert detect_chat_format(path) == "irc"
    log = load_chat(path, day=date(2026, 3, 11), tz="Asia/Kolkata")
    assert [(m.author, m.kind, m.text) for m in log.messages] == [
        ("vikram", "message", "orders slow?"),
        ("tanvi", "join", "(~t@host) has joined #ops"),
        ("tanvi", "message", "* looks at the dashboards"),
        ("tanvi", "message", "p99 is 9s"),
    ]
    assert log.messages[-1].time == utc("2026-03-10T18:33:00")


def test_irssi_day_lines_date_the_clock_times_after_them(tmp_path):
    """The evening before the incident day stays the evening before; incident.toml's date would move it."""
    text = (
        "--- Log opened Tue Mar 10 18:02:11 2026\n18:02 <rohit> DEBUG on for the payload issue\n"
        "--- Day changed Wed Mar 11 2026\n09:15 <vikram> orders failing\n"
    )
    path = write(tmp_path, "chat.log", text)
    log = load_chat(path, day=date(2026, 3, 11), tz="Asia/Kolkata")
    assert [m.time for m in log.messages] == [utc("2026-03-10T12:32"), utc("2026-03-11T03:45")]


@pytest.mark.parametrize(
    "record",
    [
        {"timestamp": "2026-03-04T14:01:00Z", "sender": "Ana Costa", "content": "alerts firing"},
        {"created_at": "2026-03-04T14:01:00Z", "from": "Ana Costa", "body": "alerts firing"},
        {"datetime": "2026-03-04 14:01:00", "username": "Ana Costa", "msg": "alerts firing"},
        {"ts": "2026-03-04T14:01:00Z", "user": {"id": "U1", "name": "Ana Costa"}, "text": "alerts firing"},
        {"time": 1772632860000, "author": {"display_name": "Ana Costa"}, "message": {"text": "alerts firing"}},
        {"date": "2026-03-04", "time": "14:01", "speaker": "Ana Costa", "text": "alerts firing"},
    ],
)
def test_jsonl_records_as_other_tools_export_them(tmp_path, record):
    path = write(tmp_path, "chat.jsonl", json.dumps(record) + "\n")
    assert detect_chat_format(path) == "jsonl"
    [message] = load_chat(path, day=date(2026, 3, 3), tz="UTC").messages
    assert (message.author, message.time, message.text) == ("Ana Costa", utc("2026-03-04T14:01"), "alerts firing")


def test_a_json_chat_file_holds_a_list_of_messages(tmp_path):
    records = [
        {"ts": "2026-03-04T14:01:00Z", "user": "ana", "text": "up?"},
        {"ts": "14:02", "user": "femi", "text": "yes"},
    ]
    path = write(tmp_path, "chat.json", json.dumps(records, indent=2))
    assert detect_chat_format(path) == "jsonl"
    log = load_chat(path, day=date(2026, 3, 4), tz="UTC")
    assert [(m.author, m.time, m.line) for m in log.messages] == [
        ("ana", utc("2026-03-04T14:01"), 2),
        ("femi", utc("2026-03-04T14:02"), 7),
    ]


def test_a_json_export_holding_its_messages_in_an_object(tmp_path):
    """Telegram's export ({"messages": [...]}, text as a list of pieces, service records) and Slack's API output."""
    export = {
        "name": "ops",
        "messages": [
            {
                "id": 1,
                "type": "service",
                "date": "2026-03-04T14:00:00",
                "actor": "Ana Costa",
                "action": "invite_members",
            },
            {"id": 2, "type": "message", "date": "2026-03-04T14:01:22", "from": "Ana Costa", "text": "alerts firing"},
            {
                "id": 3,
                "type": "message",
                "date": "2026-03-04T14:02:00",
                "from": "Femi",
                "text": ["see ", {"type": "link", "text": "https://grafana/x"}],
            },
        ],
    }
    path = write(tmp_path, "chat.json", json.dumps(export, indent=1))
    log = load_chat(path, day=date(2026, 3, 4), tz="UTC")
    assert [(m.author, m.time, m.text) for m in log.messages] == [
        ("Ana Costa", utc("2026-03-04T14:01:22"), "alerts firing"),
        ("Femi", utc("2026-03-04T14:02"), "see https://grafana/x"),
    ]
    path = write(
        tmp_path,
        "slack.json",
        json.dumps({"ok": True, "messages": [{"user": "U1", "text": "hi", "ts": "1772632860.0001"}]}),
    )
    assert [(m.author, m.text) for m in load_chat(path, day=date(2026, 3, 4)).messages] == [("U1", "hi")]


def test_jsonl_timestamps_and_synonyms(tmp_path):
    lines = [
        {"ts": "2024-03-12T02:04:30Z", "user": "PagerDuty", "text": "alert", "kind": "bot"},
        {"time": 1710209702, "author": "Mei Tanaka", "message": "Declaring SEV-2"},
        {"ts": "1710209740.5", "user": "Ravi Iyer", "text": "I'll take OL"},
        {"ts": "02:16", "user": "Mei Tanaka", "text": "Comms: Omar"},
    ]
    path = write(tmp_path, "chat.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n\n")
    assert detect_chat_format(path) == "jsonl"
    log = load_chat(path, day=date(2024, 3, 12))
    assert [(m.author, m.kind, m.time) for m in log.messages] == [
        ("PagerDuty", "bot", utc("2024-03-12T02:04:30")),
        ("Mei Tanaka", "message", utc("2024-03-12T02:15:02")),
        ("Ravi Iyer", "message", datetime(2024, 3, 12, 2, 15, 40, 500000, tzinfo=UTC)),
        ("Mei Tanaka", "message", utc("2024-03-12T02:16")),
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"ts": 1, "user": "a"', "not a JSON object"),
        ('["ts", "user", "text"]', "JSON object per line"),
        ('{"ts": 1, "text": "hi"}', "missing `user`"),
        ('{"ts": "yesterday", "user": "a", "text": "hi"}', "cannot read"),
        ('{"ts": 1e300, "user": "a", "text": "hi"}', "out of range"),
    ],
)
def test_jsonl_bad_line_names_its_line_number(tmp_path, line, reason):
    good = json.dumps({"ts": 1710209702, "user": "a", "text": "ok"})
    path = write(tmp_path, "chat.jsonl", f"{good}\n{line}\n")
    with pytest.raises(InputError, match=reason) as caught:
        load_chat(path, day=date(2024, 3, 12))
    assert caught.value.line == 2


# ---------------------------------------------------------------- detection and format choice


def test_undetectable_file_lists_the_formats(tmp_path):
    path = write(tmp_path, "notes.txt", "just some notes\nwith no chat in them\n")
    with pytest.raises(InputError) as caught:
        detect_chat_format(path)
    message = caught.value.user_message()
    assert "cannot detect the chat format" in message
    assert "pass --chat-format one of: " + ", ".join(CHAT_FORMATS) in message


def test_unknown_format_name_lists_the_valid_ones(tmp_path):
    path = write(tmp_path, "chat.txt", TRANSCRIPT)
    with pytest.raises(InputError, match="unknown chat format 'whatsapp'") as caught:
        load_chat(path, fmt="whatsapp")
    assert "slack-paste" in caught.value.hint


@pytest.mark.parametrize("fmt", ["slack-paste", "pagerduty", "transcript", "irc", "jsonl"])
def test_forced_format_that_parses_nothing_is_an_input_error(tmp_path, fmt):
    path = write(tmp_path, "chat.txt", "nothing that looks like a message\n")
    with pytest.raises(InputError, match="no .* found|not a JSON object"):
        load_chat(path, fmt=fmt, day=date(2024, 3, 12))


def test_text_format_on_a_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="directory"):
        load_chat(tmp_path, fmt="transcript")


def test_missing_path_and_bad_zone_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_chat(tmp_path / "absent.txt")
    path = write(tmp_path, "chat.txt", TRANSCRIPT)
    with pytest.raises(InputError, match="unknown time zone"):
        load_chat(path, day=date(2024, 3, 12), tz="Mars/Olympus")


# ---------------------------------------------------------------- fuzz and size

FORMATS_AND_DETECTION = [None, *CHAT_FORMATS]
chat_like = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                "Mei [14:01]: hi",
                ">Ravi [8:27 AM]  ",
                "[99:99] <x> y",
                "Nov 14, 2022",
                "5:45 AM A #c",
                '{"ts": "x", "user": 1}',
                "-!- a has joined",
                "Feb 30, 2024",
                "25:00 PM",
                "* a b",
            ]
        ),
    ),
    max_size=12,
).map("\n".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=chat_like, fmt=st.sampled_from(FORMATS_AND_DETECTION))
def test_arbitrary_text_gives_a_chat_log_or_an_input_error(tmp_path, text, fmt):
    path = tmp_path / "fuzz.txt"
    path.write_text(text, encoding="utf-8")
    try:
        log = load_chat(path, fmt=fmt, day=date(2024, 3, 12), tz="UTC")
    except InputError:
        return
    assert [m.id for m in log.messages] == [f"C{n}" for n in range(1, len(log.messages) + 1)]


@pytest.mark.slow
def test_fifty_megabyte_transcript_loads(tmp_path):
    path = tmp_path / "big.txt"
    line = "Ravi Iyer [14:01]: " + "x" * 80 + "\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(line * (50_000_000 // len(line)))
    log = load_chat(path, day=date(2024, 3, 12))
    assert len(log.messages) == 50_000_000 // len(line)
    assert log.messages[-1].id == f"C{len(log.messages)}"


def test_oversized_chat_file_fails_clearly(tmp_path, monkeypatch):
    from pipeline.ingest import files

    path = write(tmp_path, "chat.txt", TRANSCRIPT)
    monkeypatch.setitem(files.read_text.__kwdefaults__, "max_bytes", 10)
    with pytest.raises(InputError, match="over the"):
        load_chat(path, fmt="transcript", day=date(2024, 3, 12))


def test_zip_member_read_is_capped(tmp_path, monkeypatch):
    from pipeline.ingest.chat import export_files

    archive = zip_directory(EXAMPLE_CHAT, tmp_path / "export.zip", "")
    monkeypatch.setattr(export_files, "MAX_MEMBER_BYTES", 100)
    with pytest.raises(InputError, match="inflates past"):
        load_chat(archive)


def test_in_memory_bytes_never_touch_disk(tmp_path):
    """Reading a zip extracts nothing next to it."""
    archive = zip_directory(EXAMPLE_CHAT, tmp_path / "export.zip", "")
    load_chat(archive)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]


def test_trusted_messages_equal_validated_ones(example_log):
    from pipeline.models import ChatMessage

    for message in example_log.messages:
        validated = ChatMessage.model_validate(message.model_dump())
        assert validated == message
        assert validated.model_dump_json() == message.model_dump_json()
    assert set(example_log.messages[0].model_fields_set) == set(ChatMessage.model_fields)
    assert not ChatMessage.__pydantic_post_init__ and not ChatMessage.__private_attributes__


def test_export_subtypes_files_and_unknown_edits(tmp_path):
    channel = tmp_path / "general"
    channel.mkdir()
    records = [
        {
            "ts": "1710208800.000100",
            "user": "U1",
            "text": "see the graph",
            "files": [{"name": "graph.png", "title": "5xx graph"}],
        },
        {"ts": "1710208810.000100", "subtype": "channel_leave", "user": "U1", "text": "<@U1> has left the channel"},
        {"ts": "1710208820.000100", "subtype": "channel_topic", "user": "U1", "text": "set the channel topic: SEV-2"},
        {
            "ts": "1710208830.000100",
            "subtype": "message_changed",
            "message": {"ts": "1710200000.000100", "user": "U1", "text": "edited before the export window"},
        },
        {"ts": "1710208840.000100", "subtype": "message_deleted", "deleted_ts": "1710208800.000100"},
    ]
    (channel / "2024-03-12.json").write_text(json.dumps(records))
    log = load_chat(tmp_path)
    assert [(m.author, m.kind, m.edited) for m in log.messages] == [
        ("U1", "message", True),  # no users.json: the ID stays an ID
        ("U1", "message", False),
        ("U1", "join", False),
        ("U1", "system", False),
    ]
    assert log.messages[1].text == "see the graph\n[file: 5xx graph]"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["1710208800.000100", "bot_message", "message_changed", "channel_join", "<@U1>", "U1"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "ts",
                    "user",
                    "text",
                    "subtype",
                    "thread_ts",
                    "message",
                    "attachments",
                    "files",
                    "bot_id",
                    "username",
                    "edited",
                    "fields",
                    "title",
                    "fallback",
                    "user_profile",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=json_values, users=json_values)
@example(day=[{"user": [], "ts": False}], users=[])  # a list as the user id was a TypeError, not an input error
def test_arbitrary_export_json_gives_a_chat_log_or_an_input_error(tmp_path, day, users):
    channel = tmp_path / "export" / "general"
    channel.mkdir(parents=True, exist_ok=True)
    (channel / "2024-03-12.json").write_text(json.dumps(day))
    (tmp_path / "export" / "users.json").write_text(json.dumps(users))
    try:
        log = load_chat(tmp_path / "export")
    except InputError:
        return
    assert all(m.time is not None and isinstance(m.text, str) for m in log.messages)


def _clock_chat_bundle(tmp_path, header: str) -> None:
    (tmp_path / "timeline.csv").write_text(
        "time,event\n2026-05-02T16:30:00Z,Errors began\n2026-05-02T17:10:00Z,Incident resolved\n", encoding="utf-8"
    )
    (tmp_path / "chat.txt").write_text(
        f"{header}Rosa Lima [16:40]: I am IC\nFemi Ade [16:45]: errors back to normal\n", encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("header", "source"),
    [("# #inc-checkout 2026-05-02\n", "header line"), ("", "timeline's first row")],
)
def test_clock_times_take_the_date_of_the_chat_header_or_the_locked_timeline(tmp_path, header, source):
    from pipeline.ingest.incident import load_incident

    _clock_chat_bundle(tmp_path, header)
    incident, warnings = load_incident(tmp_path)
    assert incident.chat.messages[0].time == datetime(2026, 5, 2, 16, 40, tzinfo=UTC)
    assert any("dated 2026-05-02" in w and source in w for w in warnings)


def test_a_chat_header_date_far_from_the_timeline_is_not_guessed(tmp_path):
    from pipeline.ingest.incident import load_incident

    _clock_chat_bundle(tmp_path, "# #inc-checkout 2026-04-20\n")
    with pytest.raises(InputError, match="has no date"):
        load_incident(tmp_path)


def test_an_impossible_date_in_a_transcript_header_is_one_error_naming_the_line(tmp_path):
    path = write(tmp_path, "chat.txt", "[2026-02-28 14:01] Ana: x\n[2026-02-30 14:02] Femi: y\n")
    with pytest.raises(InputError) as caught:
        load_chat(path, day=date(2026, 2, 28), tz="UTC")
    assert caught.value.line == 2 and "2026-02-30" in str(caught.value)
