"""The registry of chat formats: `--chat-format` name -> parser and sniffing patterns.

Adding a format is one module with `parse` (and `SNIFF` for a line-based text format) plus one entry here.
"""

from __future__ import annotations

from pipeline.ingest.chat import irc, jsonl, pagerduty, slack_export, slack_paste, srt, transcript, webvtt
from pipeline.ingest.chat.base import ChatFormat

CHAT_FORMATS: dict[str, ChatFormat] = {
    format_.name: format_
    for format_ in (
        ChatFormat("slack-export", slack_export.parse),
        ChatFormat("slack-paste", slack_paste.parse, slack_paste.SNIFF),
        ChatFormat("pagerduty", pagerduty.parse, pagerduty.SNIFF),
        ChatFormat("transcript", transcript.parse, transcript.SNIFF),
        ChatFormat("irc", irc.parse, irc.SNIFF),
        ChatFormat("jsonl", jsonl.parse, jsonl.SNIFF),
        ChatFormat("webvtt", webvtt.parse, webvtt.SNIFF, call_transcript=True),
        ChatFormat("srt", srt.parse, srt.SNIFF, call_transcript=True),
    )
}
