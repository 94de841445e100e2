"""Opt-in: the real chat logs in ../shared/corpus/chat parse with the right speakers and times.

Skipped when the corpus folder is absent. Only speaker names and times are asserted here; no corpus
text is copied into the repository.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline.ingest.chat import detect_chat_format, load_chat

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CHAT = CORPUS / "chat"
PACIFIC = "America/Los_Angeles"  # the k8s files say their times are PST/PDT; the 2i2c exports match hub logs in UTC-8
HEADER_LINE = re.compile(r"\[\d{1,2}:\d{2} [AP]M\]\s*$")

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CHAT.is_dir(), reason="../shared/corpus/chat is absent"),
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day_of(path: Path) -> date:
    return date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", path.name).group(0))


def k8s_files() -> list[Path]:
    return sorted(CHAT.glob("k8s-*")) if CHAT.is_dir() else []


def two_i_two_c_files() -> list[Path]:
    return sorted(CHAT.glob("2i2c-*")) if CHAT.is_dir() else []


@pytest.mark.parametrize("path", k8s_files(), ids=lambda p: p.name)
def test_every_k8s_log_is_detected_and_every_header_becomes_a_message(path):
    assert detect_chat_format(path) == "slack-paste"
    log = load_chat(path, day=day_of(path), tz=PACIFIC)
    headers = [n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if HEADER_LINE.search(line)]
    assert sorted(m.line for m in log.messages) == headers
    assert all(m.time is not None and m.author for m in log.messages)
    assert [m.time for m in log.messages] == sorted(m.time for m in log.messages)


@pytest.mark.parametrize(
    ("name", "author", "first_utc", "speakers"),
    [
        ("k8s-prow-2019-02-05-slack.md", "Katharine", "2019-02-05T16:27", {"stevekuznetsov", "bentheelder"}),
        ("k8s-prow-2019-02-08-slack.md", "krzyzacy", "2019-02-08T21:46", {"Katharine", "bentheelder"}),
        ("k8s-prow-2019-03-26-slack.md", "liggitt", "2019-03-26T13:27", {"Katharine", "dims", "fejta"}),
        ("k8s-prow-2019-05-30-slack.md", "cblecker", "2019-05-30T20:26", {"tony-yang", "Benjamin Elder", "Sen Lu"}),
    ],
)
def test_k8s_first_message_and_speakers(name, author, first_utc, speakers):
    path = CHAT / name
    log = load_chat(path, day=day_of(path), tz=PACIFIC)
    first = min(log.messages, key=lambda m: m.line)
    assert (first.author, first.time) == (author, utc(first_utc))
    assert speakers <= {m.author for m in log.messages}


def test_k8s_app_messages_are_bots():
    path = CHAT / "k8s-prow-2019-02-05-slack.md"
    log = load_chat(path, day=day_of(path), tz=PACIFIC)
    assert [(m.author, m.kind) for m in log.messages if m.kind == "bot"] == [("prow", "bot")]


@pytest.mark.parametrize("path", two_i_two_c_files(), ids=lambda p: p.name)
def test_every_2i2c_log_is_detected_as_pagerduty(path):
    assert detect_chat_format(path) == "pagerduty"
    log = load_chat(path, tz=PACIFIC)  # no `day`: the file's own date lines date every entry
    assert log.messages[0].kind == "system"
    assert all(m.time is not None for m in log.messages)
    assert [m.time for m in log.messages] == sorted(m.time for m in log.messages)


def test_2i2c_lis_hub_speakers_and_times():
    log = load_chat(CHAT / "2i2c-2022-11-14-lis-hub-incident-slack.md", tz=PACIFIC)
    said = [m for m in log.messages if m.kind == "message"]
    assert {m.author for m in said} == {"Sarah Gibson", "Georgiana Dolocan", "yuvipanda"}
    assert (said[0].author, said[0].time) == ("Sarah Gibson", utc("2022-11-14T13:45"))
    assert log.messages[0].time == utc("2022-11-14T13:40")  # the page that opened the incident
    bare_clock = [m for m in said if m.time == utc("2022-11-14T14:38")]  # `6:38 AM` alone, speaker on the next line
    assert [m.author for m in bare_clock] == ["Sarah Gibson"]
    resolved = log.messages[-1]
    assert (resolved.kind, resolved.time) == ("system", utc("2022-11-17T10:20"))


def test_2i2c_pythia_speakers_and_times():
    log = load_chat(CHAT / "2i2c-2026-03-03-pythia-binderhub-incident-slack.md", tz=PACIFIC)
    said = [m for m in log.messages if m.kind == "message"]
    assert {m.author for m in said} == {"Angus Hollands"}
    assert len(said) == 4
    assert log.messages[0].time == utc("2026-03-04T02:01")  # 6:01 PM PST on Mar 3
    assert said[0].time == utc("2026-03-05T01:19")
    assert not any(m.text.startswith("Postmortem Report") or "INCIDENT #" in m.text for m in log.messages)
